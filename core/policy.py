"""The co-op policy: every number and list of the rules, read from ``policy.toml``.

The file is data a maintainer amends when Microsoft changes a rule. It is loaded and
validated once; any bad value raises :class:`~core.errors.PolicyError` naming the key.

>>> p = load_policy()
>>> p.periods.fiscal_year_start_month, p.retention.poe_months
(7, 24)
"""
from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

from .errors import PolicyError

DEFAULT_POLICY_PATH = Path(__file__).with_name("policy.toml")


_ALIAS_SEPARATORS = re.compile(r"[\s\-_/]+")


def alias_key(text: str) -> str:
    """How program names and aliases are compared: case, accents, dashes, underscores,
    slashes and repeated spaces ignored ("OSU-M365" = "osu m365", "hébergement" = "hebergement").
    """
    if text.isascii():  # no accents to strip, and casefold() is lower() (most messages)
        return _ALIAS_SEPARATORS.sub(" ", text.lower())
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return _ALIAS_SEPARATORS.sub(" ", text)


@dataclass(frozen=True)
class SeedInfo:
    title: str
    revision: str
    locfileid: str
    document: str


@dataclass(frozen=True)
class PeriodRules:
    fiscal_year_start_month: int
    half_months: int
    usage_halves_after_earning: int
    claim_opens_months_after_usage_start: int
    claim_opens_day: int
    claim_closes_months_after_usage_end: int
    claim_closes_day: int


@dataclass(frozen=True)
class Retention:
    poe_months: int
    leap_day: str  # "next_day" | "month_end"


@dataclass(frozen=True)
class SplitExample:
    example_rebate_percent: int
    example_coop_percent: int
    money_decimals: int


@dataclass(frozen=True)
class Threshold:
    converted_to: str
    converted_at: str
    amount_source: str


@dataclass(frozen=True)
class Role:
    key: str  # its name in each language: catalogue entry ``policy.role.<key>``
    section: str


@dataclass(frozen=True)
class Program:
    key: str
    name: str
    earns_coop: bool
    aliases: tuple[str, ...]
    claim_with: str | None = None


@dataclass(frozen=True)
class Fundable:
    key: str  # the words in each language: catalogue entry ``policy.fundable.<key>``


@dataclass(frozen=True)
class Link:
    key: str  # its title in each language: catalogue entry ``policy.link.<key>``
    url: str
    section: str
    page: str | None = None  # the seed's own relative link, where it has one


@dataclass(frozen=True)
class Policy:
    seed: SeedInfo
    min_year: int
    max_year: int
    periods: PeriodRules
    fy_default: str
    fy_conventions: tuple[str, ...]
    retention: Retention
    split: SplitExample
    threshold: Threshold
    recently_closed_days: int
    roles: tuple[Role, ...]
    programs: tuple[Program, ...]
    fundable: tuple[Fundable, ...]
    links: Mapping[str, Link]

    def link(self, key: str) -> Link:
        return self.links[key]


class _Reader:
    """Typed access to a TOML table that reports the dotted key of any bad value."""

    def __init__(self, data: Mapping[str, Any], where: str) -> None:
        self.data = data
        self.where = where

    def _key(self, name: str) -> str:
        return f"{self.where}.{name}" if self.where else name

    def get(self, name: str, kind: type | tuple[type, ...], *, default: Any = ...) -> Any:
        if name not in self.data:
            if default is not ...:
                return default
            raise PolicyError(f"policy: missing key '{self._key(name)}'", key=self._key(name))
        value = self.data[name]
        # bool is an int subclass: never accept it where a number is meant
        if isinstance(value, bool) and kind in (int, float):
            value_ok = False
        else:
            value_ok = isinstance(value, kind)
        if not value_ok:
            want = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
            raise PolicyError(
                f"policy: '{self._key(name)}' must be {want}, not {value!r}", key=self._key(name)
            )
        return value

    def int_in(self, name: str, lo: int, hi: int) -> int:
        value = self.get(name, int)
        if not lo <= value <= hi:
            raise PolicyError(
                f"policy: '{self._key(name)}' must be between {lo} and {hi}, not {value}",
                key=self._key(name),
            )
        return value

    def choice(self, name: str, choices: tuple[str, ...]) -> str:
        value = self.get(name, str)
        if value not in choices:
            raise PolicyError(
                f"policy: '{self._key(name)}' must be one of {', '.join(choices)}, not {value!r}",
                key=self._key(name),
            )
        return value

    def table(self, name: str) -> "_Reader":
        return _Reader(self.get(name, dict), self._key(name))

    def tables(self, name: str) -> list["_Reader"]:
        items = self.get(name, list)
        out = []
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                raise PolicyError(f"policy: '{self._key(name)}[{i}]' must be a table", key=self._key(name))
            out.append(_Reader(item, f"{self._key(name)}[{i}]"))
        return out

    def text(self, name: str) -> str:
        value = self.get(name, str)
        if not value.strip():
            raise PolicyError(f"policy: '{self._key(name)}' must not be empty", key=self._key(name))
        return value


def parse_policy(data: Mapping[str, Any]) -> Policy:
    """Validate a policy mapping (as read from TOML) and build the :class:`Policy`."""
    root = _Reader(data, "")
    seed = root.table("seed")
    rng = root.table("range")
    per = root.table("periods")
    fy = root.table("fy_labels")
    ret = root.table("retention")
    spl = root.table("split")
    thr = root.table("threshold")
    ans = root.table("answers")
    links = root.table("links")

    min_year = rng.int_in("min_year", 1900, 2200)
    max_year = rng.int_in("max_year", min_year, 2200)
    start_month = per.int_in("fiscal_year_start_month", 1, 12)
    half_months = per.int_in("half_months", 6, 6)  # the seed divides the year in two halves
    periods = PeriodRules(
        fiscal_year_start_month=start_month,
        half_months=half_months,
        usage_halves_after_earning=per.int_in("usage_halves_after_earning", 1, 4),
        claim_opens_months_after_usage_start=per.int_in("claim_opens_months_after_usage_start", 0, 11),
        # days 1..28 exist in every month, so a window never starts on a missing date
        claim_opens_day=per.int_in("claim_opens_day", 1, 28),
        claim_closes_months_after_usage_end=per.int_in("claim_closes_months_after_usage_end", 0, 11),
        claim_closes_day=per.int_in("claim_closes_day", 1, 28),
    )
    # One claiming window must close the day before the next one opens: the next window opens
    # (half_months + opens offset) months after this usage period starts, this one closes
    # (half_months - 1 + closes offset) months after it starts.
    if (periods.claim_closes_months_after_usage_end + half_months - 1 != half_months + periods.claim_opens_months_after_usage_start
            or periods.claim_closes_day + 1 != periods.claim_opens_day):
        raise PolicyError(
            "policy: 'periods.claim_closes_*' and 'periods.claim_opens_*' leave a gap or an overlap "
            "between one claiming window and the next (a window must close the day before the next opens)",
            key="periods.claim_closes_day",
        )
    conventions = tuple(fy.get("conventions", list))
    if set(conventions) != {"seed", "microsoft"}:
        raise PolicyError("policy: 'fy_labels.conventions' must be [\"seed\", \"microsoft\"]", key="fy_labels.conventions")
    rebate = spl.int_in("example_rebate_percent", 0, 100)
    coop = spl.int_in("example_coop_percent", 0, 100)
    if rebate + coop != 100:
        raise PolicyError(
            f"policy: 'split.example_rebate_percent' + 'split.example_coop_percent' must be 100, not {rebate + coop}",
            key="split",
        )
    base_url = links.text("base_url")
    if not base_url.startswith("https://") or not base_url.endswith("/"):
        raise PolicyError("policy: 'links.base_url' must be an https:// URL ending with '/'", key="links.base_url")
    link_map: dict[str, Link] = {}
    for item in links.tables("pages"):
        key = item.text("key")
        page = item.get("page", str, default=None)
        url = item.get("url", str, default=None)
        if (page is None) == (url is None):
            raise PolicyError(f"policy: '{item.where}' needs exactly one of 'page' or 'url'", key=item.where)
        if page is not None:
            if not page.endswith(".md"):
                raise PolicyError(f"policy: '{item.where}.page' must be a .md page of the seed", key=f"{item.where}.page")
            url = base_url + page[: -len(".md")]
        if not url.startswith("https://"):
            raise PolicyError(f"policy: '{item.where}.url' must be an https:// URL", key=f"{item.where}.url")
        if key in link_map:
            raise PolicyError(f"policy: duplicate link key '{key}'", key=f"{item.where}.key")
        link_map[key] = Link(key, url, item.text("section"), page)
    for needed in ("create_claim", "core_requirements", "guidebook", "program_guide", "cpor", "coop_resources"):
        if needed not in link_map:
            raise PolicyError(f"policy: 'links.pages' lacks the seed's '{needed}' link", key="links.pages")

    programs = []
    seen_alias: dict[str, str] = {}
    for item in root.tables("programs"):
        key = item.text("key")
        earns = item.get("earns_coop", bool)
        claim_with = item.get("claim_with", str, default=None)
        if not earns and claim_with not in link_map:
            raise PolicyError(f"policy: '{item.where}.claim_with' must name a link for a program that earns no co-op", key=f"{item.where}.claim_with")
        aliases = tuple(item.get("aliases", list))
        name = item.text("name")
        # find_program matches the name and every alias by alias_key(): two programs must
        # never share one, or a partner's words would silently name the wrong program
        for field, words in (("name", (name,)), ("aliases", aliases)):
            for alias in words:
                if not isinstance(alias, str) or not alias.strip():
                    raise PolicyError(f"policy: '{item.where}.aliases' must be non-empty strings", key=f"{item.where}.aliases")
                folded = alias_key(alias).strip()
                if folded in seen_alias and seen_alias[folded] != key:
                    raise PolicyError(
                        f"policy: {field} {alias!r} of '{item.where}' names two programs "
                        f"('{seen_alias[folded]}' and '{key}')", key=f"{item.where}.{field}")
                seen_alias[folded] = key
        programs.append(Program(key, name, earns, aliases, claim_with))

    return Policy(
        seed=SeedInfo(seed.text("title"), seed.text("revision"), seed.text("locfileid"), seed.text("document")),
        min_year=min_year,
        max_year=max_year,
        periods=periods,
        fy_default=fy.choice("default", ("seed", "microsoft")),
        fy_conventions=conventions,
        retention=Retention(ret.int_in("poe_months", 1, 240), ret.choice("leap_day", ("next_day", "month_end"))),
        split=SplitExample(rebate, coop, spl.int_in("money_decimals", 0, 4)),
        threshold=Threshold(thr.text("converted_to"), thr.text("converted_at"), thr.text("amount_source")),
        recently_closed_days=ans.int_in("recently_closed_days", 0, 366),
        roles=tuple(Role(r.text("key"), r.text("section")) for r in root.tables("roles")),
        programs=tuple(programs),
        fundable=tuple(Fundable(f.text("key")) for f in root.tables("fundable")),
        links=link_map,
    )


def load_policy_file(path: Path | str) -> Policy:
    """Read and validate a policy file; a clear :class:`PolicyError` if it is bad."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PolicyError(f"policy: cannot read {path}: {exc.strerror}", key="") from exc
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise PolicyError(f"policy: {path.name} is not valid TOML: {exc}", key="") from exc
    return parse_policy(data)


@lru_cache(maxsize=1)
def load_policy() -> Policy:
    """The product's policy (``core/policy.toml``), loaded once."""
    return load_policy_file(DEFAULT_POLICY_PATH)
