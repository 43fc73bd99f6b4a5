"""Programs (which earn co-op), roles, what co-op can fund, and the seed's links.

>>> find_program("Does co-op apply to OSU M365?").key
'osu_m365'
>>> find_program("our CSP earnings").earns_coop
True
"""
from __future__ import annotations

import re

from .policy import Fundable, Link, Policy, Program, Role, alias_key as _fold, load_policy


_PATTERNS: dict[int, tuple[Policy, re.Pattern[str], dict[str, Program]]] = {}


def _alias_pattern(policy: Policy) -> tuple[re.Pattern[str], dict[str, Program]]:
    cached = _PATTERNS.get(id(policy))
    if cached is not None and cached[0] is policy:
        return cached[1], cached[2]
    table: dict[str, Program] = {}
    for program in policy.programs:
        for alias in (program.name, *program.aliases):
            table[_fold(alias)] = program
    # longest alias first, so "OSU Microsoft 365" wins over "OSA"/"OSU" fragments
    alternatives = sorted(table, key=len, reverse=True)
    pattern = re.compile(r"(?<![\w])(" + "|".join(re.escape(a) for a in alternatives) + r")(?![\w])")
    _PATTERNS[id(policy)] = (policy, pattern, table)
    return pattern, table


def find_programs(text: str, policy: Policy | None = None) -> list[Program]:
    """Every program named in a text, by name or alias (accents, case and dashes ignored)."""
    policy = policy or load_policy()
    pattern, table = _alias_pattern(policy)
    seen: list[Program] = []
    for match in pattern.finditer(_fold(text)):
        program = table[match.group(1)]
        if program not in seen:
            seen.append(program)
    return seen


def find_program(text: str, policy: Policy | None = None) -> Program | None:
    found = find_programs(text, policy)
    return found[0] if found else None


def program(key: str, policy: Policy | None = None) -> Program:
    policy = policy or load_policy()
    for item in policy.programs:
        if item.key == key:
            return item
    raise KeyError(key)


def coop_programs(policy: Policy | None = None) -> list[Program]:
    """The seed's examples of incentive programs that earn co-op."""
    return [p for p in (policy or load_policy()).programs if p.earns_coop]


def non_coop_programs(policy: Policy | None = None) -> list[Program]:
    """Programs co-op claims do not apply to (claimed with the CPOR model)."""
    return [p for p in (policy or load_policy()).programs if not p.earns_coop]


def roles(policy: Policy | None = None) -> tuple[Role, ...]:
    return (policy or load_policy()).roles


def fundable(policy: Policy | None = None) -> tuple[Fundable, ...]:
    return (policy or load_policy()).fundable


def link(key: str, policy: Policy | None = None) -> Link:
    return (policy or load_policy()).link(key)
