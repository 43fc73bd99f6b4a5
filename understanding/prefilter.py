"""Which strings a regular expression cannot match without: a cheap test before the scan.

The period grammar (:mod:`understanding.reading`) is 49 patterns, each scanned over every
message (``finditer`` tries each position; ~5 us a pattern). Most of them cannot match unless
the message holds one of a few words ("fy", a month name, "h1"...). :func:`required` reads a
pattern's parse tree and returns such a set of strings, every match containing at least one of
them, or ``None`` when it cannot tell; a pattern whose strings are all absent from the text
is then skipped, with the same result as scanning it.

The reading is conservative: a zero-width part (look-arounds, anchors), an optional or
repeated-from-zero part, a negated or large character class, a ``\\d`` or ``\\w`` (any script's), a back-reference or a flag
that changes matching (IGNORECASE) gives no requirement; a sequence requires what its most
selective mandatory part requires; an alternation requires the union of what every branch
requires (none, if one branch requires nothing).
"""

from __future__ import annotations

import re
from typing import Iterable, Optional

try:  # Python 3.11+
    import re._parser as _parser  # type: ignore[import-not-found]
    from re._constants import (ASSERT, ASSERT_NOT, AT, BRANCH, IN,  # type: ignore[import-not-found]
                               LITERAL, MAX_REPEAT, MIN_REPEAT, NEGATE, RANGE, SUBPATTERN)
except ImportError:  # pragma: no cover - older Pythons
    import sre_parse as _parser  # type: ignore[no-redef]
    from sre_constants import (ASSERT, ASSERT_NOT, AT, BRANCH, IN,  # type: ignore[no-redef]
                               LITERAL, MAX_REPEAT, MIN_REPEAT, NEGATE, RANGE, SUBPATTERN)

__all__ = ["required", "Prefilter"]

MAX_STRINGS = 400  # a requirement of more strings than this is not worth testing
MAX_CLASS = 12  # a character class of more characters is no requirement
_ZERO_WIDTH = (ASSERT, ASSERT_NOT, AT)


def required(pattern: re.Pattern[str]) -> Optional[frozenset[str]]:
    """Strings of which every match of ``pattern`` contains at least one, or None."""
    if pattern.flags & (re.IGNORECASE | re.VERBOSE):
        return None
    try:
        tree = _parser.parse(pattern.pattern, pattern.flags)
    except Exception:  # noqa: BLE001 - an unexpected tree: no requirement
        return None
    return _seq(list(tree))


def _score(strings: frozenset[str]) -> tuple[int, int]:
    return (min(len(s) for s in strings), -len(strings))


def _seq(items: list) -> Optional[frozenset[str]]:
    """A sequence: what its most selective mandatory part requires, where consecutive parts
    that match exactly one of a few strings ("h" then [12]) count as one part ({"h1", "h2"})."""
    candidates = []
    run: Optional[frozenset[str]] = None  # the strings the current run of exact parts matches
    for op, av in items + [(None, None)]:
        exact = _exact(op, av) if op is not None else None
        if exact is not None:
            run = exact if run is None else _product(run, exact)
            continue
        if run is not None and run != frozenset([""]):
            candidates.append(run)
        run = None
        if op is None or op in _ZERO_WIDTH:
            continue
        found = _one(op, av)
        if found is not None:
            candidates.append(found)
    best: Optional[frozenset[str]] = None
    for c in candidates:
        if c and "" not in c and len(c) <= MAX_STRINGS and (best is None or _score(c) > _score(best)):
            best = c
    return best


def _product(left: Optional[frozenset[str]], right: Optional[frozenset[str]]) -> Optional[frozenset[str]]:
    if left is None or right is None or len(left) * len(right) > MAX_STRINGS:
        return None
    return frozenset(a + b for a in left for b in right)


def _exact(op, av) -> Optional[frozenset[str]]:
    """The strings a part matches, exactly, when they are few (zero-width parts: the empty
    string); None otherwise."""
    if op is LITERAL:
        return frozenset([chr(av)])
    if op in _ZERO_WIDTH:
        return frozenset([""])
    if op is IN:
        return _char_class(av)
    if op is SUBPATTERN:
        _group, add_flags, _del_flags, sub = av
        return None if add_flags & re.IGNORECASE else _exact_seq(list(sub))
    if op is BRANCH:
        union: set[str] = set()
        for alternative in av[1]:
            found = _exact_seq(list(alternative))
            if found is None or len(union | found) > MAX_STRINGS:
                return None
            union |= found
        return frozenset(union)
    return None


def _exact_seq(items: list) -> Optional[frozenset[str]]:
    out: Optional[frozenset[str]] = frozenset([""])
    for op, av in items:
        out = _product(out, _exact(op, av))
        if out is None:
            return None
    return out


def _one(op, av) -> Optional[frozenset[str]]:
    if op is SUBPATTERN:
        _group, add_flags, _del_flags, sub = av
        if add_flags & re.IGNORECASE:
            return None
        return _seq(list(sub))
    if op is BRANCH:
        union: set[str] = set()
        for alternative in av[1]:
            found = _seq(list(alternative))
            if found is None:
                return None
            union |= found
            if len(union) > MAX_STRINGS:
                return None
        return frozenset(union)
    if op in (MAX_REPEAT, MIN_REPEAT):
        low, _high, sub = av
        return _seq(list(sub)) if low >= 1 else None
    if op is IN:
        return _char_class(av)
    return None  # ANY, NOT_LITERAL, CATEGORY alone, GROUPREF, ...: no requirement


def _char_class(items: Iterable) -> Optional[frozenset[str]]:
    chars: set[str] = set()
    for op, av in items:
        if op is NEGATE:
            return None
        if op is LITERAL:
            chars.add(chr(av))
        elif op is RANGE:
            low, high = av
            if high - low >= MAX_CLASS:
                return None
            chars.update(chr(c) for c in range(low, high + 1))
        else:  # \d, \w, ... (\d is any script's digit in a str pattern): no requirement
            return None
        if len(chars) > MAX_CLASS:
            return None
    return frozenset(chars) if chars else None


class Prefilter:
    """For a list of patterns: which of them can match a text, by the strings they need."""

    def __init__(self, patterns: list[re.Pattern[str]]) -> None:
        self.needs = [required(p) for p in patterns]
        self._strings = sorted({s for need in self.needs if need for s in need})
        self._none = [need is None for need in self.needs]  # what possible() starts from
        # string -> the patterns that need it, so that a string found marks its patterns
        self._patterns_of: dict[str, tuple[int, ...]] = {}
        for i, need in enumerate(self.needs):
            for string in need or ():
                self._patterns_of[string] = self._patterns_of.get(string, ()) + (i,)

    def possible(self, text: str) -> list[bool]:
        """For each pattern: False only when it cannot match ``text``. (The strings found mark
        the patterns that need them: a text holds few of them, so this beats testing every
        pattern's set against the strings found.)"""
        out = list(self._none)
        patterns_of = self._patterns_of
        for string in [s for s in self._strings if s in text]:
            for i in patterns_of[string]:
                out[i] = True
        return out
