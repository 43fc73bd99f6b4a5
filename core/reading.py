"""Reading the periods partners name, in English and French.

A partner names a period as a date ("15 August 2024", "1er juillet 2021", "03/10/2022"), a
month ("Aug 2021", "août 2021", "2021-08"), a quarter ("Q3 2021", "T3 2021", "FY22 Q1"), a
range of months ("May–Aug 2021", "de mai à août 2021"), a calendar half ("second half of
2021", "2e semestre 2021"), a fiscal half with or without a year ("H1", "H2 2021"), an FY
label ("FY21 H2", either labelling convention), a season ("summer of 2024"), a year, or a
relative day ("last month"). :func:`find_periods` finds every one in a sentence.

Each :class:`PeriodReading` has a ``primary`` interpretation (the reading the product takes
and states) and ``alternatives`` that would lead to *different earning periods* (so an
answer can mention them). When no reading can be preferred (``03/04/2024`` with no locale),
``primary`` is None and the reading is ``ambiguous``: ask, never guess.

>>> r = read_period("FY21 H2")
>>> r.primary.halves[0].start, r.alternatives[0].halves[0].start
(datetime.date(2022, 1, 1), datetime.date(2021, 1, 1))
>>> read_period("1/2/2024", locale="en-US").primary.day
datetime.date(2024, 1, 2)
>>> read_period("1/2/2024", locale="fr-FR").primary.day
datetime.date(2024, 2, 1)
>>> read_period("1/2/2024").ambiguous
True
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Callable, Iterable

from .errors import InvalidDate, OutOfRange, UnreadablePeriod
from .periods import CoopCalendar, Half, MonthSpan, calendar, month_index, month_of

# --------------------------------------------------------------------------------------
# results


@dataclass(frozen=True)
class Interpretation:
    """One way to understand a period: the months it names and the earning halves it touches."""

    months: MonthSpan
    halves: tuple[Half, ...]
    reading: str  # how it was read, e.g. "calendar", "fy_seed", "fy_microsoft", "mdy", "dmy"
    day: date | None = None  # a single day, when one was named

    @property
    def start(self) -> date:
        return self.day or self.months.start

    @property
    def end(self) -> date:
        return self.day or self.months.end


@dataclass(frozen=True)
class PeriodReading:
    kind: str  # date, month, quarter, range, calendar_half, half_year, half, fy_half, fy_year, fy_quarter, season, year, relative
    text: str  # the words as the partner wrote them
    start: int  # position in the text
    end: int
    primary: Interpretation | None
    alternatives: tuple[Interpretation, ...] = ()
    half_name: str | None = None  # "H1"/"H2" for half kinds
    needs_today: bool = False  # a reading that depends on the day it is asked
    matched: tuple[int, int] | None = None  # the whole match, with words such as "in" around the period

    @property
    def ambiguous(self) -> bool:
        return self.primary is None

    @property
    def candidates(self) -> tuple[Interpretation, ...]:
        return ((self.primary,) if self.primary else ()) + self.alternatives


@dataclass
class _Context:
    cal: CoopCalendar
    convention: str
    locale: str | None
    today: date | None

    def interp(self, first: int, last: int, reading: str, day: date | None = None) -> Interpretation:
        span = MonthSpan(first, last)
        halves = tuple(self.cal.halves_between(first, last))
        return Interpretation(span, halves, reading, day)

    def half(self, half: Half, reading: str) -> Interpretation:
        return Interpretation(MonthSpan(half.first, half.last), (half,), reading)

    def year(self, text: str) -> int:
        y = int(text)
        if len(text) == 2:
            y += 2000
        return self.cal.check_year(y)


# --------------------------------------------------------------------------------------
# folding text without moving positions


_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"), "-")
_QUOTES = dict.fromkeys(map(ord, "\u2018\u2019\u02bc\u2032\u0060\u00b4"), "'")
_SPACES = dict.fromkeys(map(ord, "\u00a0\u202f\u2007\u2009\u200a\u3000\t\r\n\v\f"), " ")


def fold(text: str) -> str:
    """Lower-case, strip accents, unify dashes, quotes and spaces; same length as ``text``."""
    text = text.translate(_DASHES).translate(_QUOTES).translate(_SPACES)
    out = []
    for ch in text:
        if ch.isascii():
            out.append(ch.lower())
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c)).lower()
        out.append(base if len(base) == 1 else (ch.lower() if len(ch.lower()) == 1 else ch))
    return "".join(out)


# --------------------------------------------------------------------------------------
# vocabulary (folded forms)

_MONTH_WORDS = {
    1: ["january", "jan", "janvier", "janv"],
    2: ["february", "feb", "fevrier", "fevr", "fev"],
    3: ["march", "mar", "mars"],
    4: ["april", "apr", "avril", "avr"],
    5: ["may", "mai"],
    6: ["june", "jun", "juin"],
    7: ["july", "jul", "juillet", "juil"],
    8: ["august", "aug", "aout"],
    9: ["september", "sept", "sep", "septembre"],
    10: ["october", "oct", "octobre"],
    11: ["november", "nov", "novembre"],
    12: ["december", "dec", "decembre"],
}
MONTH_BY_WORD = {w: m for m, ws in _MONTH_WORDS.items() for w in ws}
_MONTH = r"(?:" + "|".join(sorted(map(re.escape, MONTH_BY_WORD), key=len, reverse=True)) + r")\.?"
_M = rf"(?P<{{}}>{_MONTH})"
_YEAR = r"\d{4}"
_DAY = r"(?:[0-3]?\d)(?:st|nd|rd|th|er|e|eme)?"
_B = r"(?<![\w])"  # word start
_E = r"(?![\w])"  # word end
_ORD1 = r"(?:first|1st|premier|premiere|1er|1re|1ere)"
_ORD2 = r"(?:second|2nd|seconde|deuxieme|2e|2eme|2nd)"
_ORD3 = r"(?:third|3rd|troisieme|3e|3eme)"
_ORD4 = r"(?:fourth|4th|quatrieme|4e|4eme)"
_RANGE_SEP = r"(?:\s*-\s*|\s*/\s*|\s+(?:to|through|thru|till|until|and|a|au|et|jusqu'a|jusqu'en|-)\s+)"
_SEASONS = {
    "summer": (6, 8), "ete": (6, 8),
    "spring": (3, 5), "printemps": (3, 5),
    "autumn": (9, 11), "fall": (9, 11), "automne": (9, 11),
    "winter": (12, 2), "hiver": (12, 2),
}


def _month(word: str) -> int:
    return MONTH_BY_WORD[word.rstrip(".")]


def _ordinal(word: str) -> int:
    for n, pattern in enumerate((_ORD1, _ORD2, _ORD3, _ORD4), start=1):
        if re.fullmatch(pattern, word):
            return n
    if word in ("last", "dernier", "derniere"):
        return 0
    raise ValueError(word)


# --------------------------------------------------------------------------------------
# numeric date order by locale

_MDY_LOCALES = {"en", "en-us", "en-ph", "en-as", "en-gu", "en-mp", "en-pr", "en-um", "en-vi", "en-fm", "en-mh", "en-pw"}


def numeric_order(locale: str | None) -> str | None:
    """"mdy" or "dmy" for numeric dates in a locale; None when there is no locale."""
    if not locale:
        return None
    loc = locale.replace("_", "-").lower()
    return "mdy" if loc in _MDY_LOCALES else "dmy"


# --------------------------------------------------------------------------------------
# the patterns


@dataclass
class _Rule:
    kind: str
    pattern: re.Pattern[str]
    build: Callable[[re.Match[str], _Context], tuple[Interpretation | None, tuple[Interpretation, ...], dict]]
    needs_today: bool = False
    text_group: str | None = None  # the group that is the period's own words ("2019", not "from 2019")


_RULES: list[_Rule] = []


def _rule(kind: str, regex: str, *, needs_today: bool = False, text_group: str | None = None):
    def register(fn):
        _RULES.append(_Rule(kind, re.compile(regex), fn, needs_today, text_group))
        return fn
    return register


def _distinct(primary: Interpretation | None, others: Iterable[Interpretation]) -> tuple[Interpretation, ...]:
    """Alternatives that lead to other earning halves than the primary (and each other)."""
    seen = {primary.halves} if primary else set()
    out = []
    for item in others:
        if item.halves not in seen:
            seen.add(item.halves)
            out.append(item)
    return tuple(out)


def _day_interp(ctx: _Context, y: int, m: int, d: int, reading: str) -> Interpretation:
    day = ctx.cal.make_date(y, m, d)
    i = month_index(y, m)
    return ctx.interp(i, i, reading, day)


# --- single days ---------------------------------------------------------------------

@_rule("date", _B + r"(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})" + _E)
def _iso_date(m, ctx):
    return _day_interp(ctx, ctx.year(m["y"]), int(m["m"]), int(m["d"]), "iso"), (), {}


@_rule("date", _B + r"(?P<a>\d{1,2})[/.](?P<b>\d{1,2})[/.](?P<y>\d{4}|\d{2})" + _E)
def _numeric_date(m, ctx):
    y, a, b = ctx.year(m["y"]), int(m["a"]), int(m["b"])
    order = numeric_order(ctx.locale)
    mdy = (a, b) if a <= 12 else None
    dmy = (b, a) if b <= 12 else None
    if mdy is None and dmy is None:
        raise InvalidDate(f"{m.group(0)} is not a date: neither {a} nor {b} is a month.", text=m.group(0))
    if mdy is None or dmy is None or mdy == dmy:
        month, day = mdy or dmy
        return _day_interp(ctx, y, month, day, "mdy" if mdy else "dmy"), (), {}
    readings = {"mdy": mdy, "dmy": dmy}
    if order is None:
        cands = tuple(_day_interp(ctx, y, mo, d, key) for key, (mo, d) in readings.items())
        return None, cands, {}
    other = "dmy" if order == "mdy" else "mdy"
    primary = _day_interp(ctx, y, *readings[order], order)
    try:
        alt = _day_interp(ctx, y, *readings[other], other)
    except InvalidDate:
        alt = None
    return primary, _distinct(primary, [alt] if alt else []), {}


@_rule("date", _B + r"(?P<d>" + _DAY + r")\s+(?:de\s+|of\s+)?" + _M.format("m") + r",?\s+(?P<y>\d{4})" + _E)
def _day_month_year(m, ctx):
    return _day_interp(ctx, ctx.year(m["y"]), _month(m["m"]), int(re.match(r"\d+", m["d"]).group()), "dmy_words"), (), {}


@_rule("date", _B + _M.format("m") + r"\s+(?:the\s+)?(?P<d>" + _DAY + r"),?\s+(?P<y>\d{4})" + _E)
def _month_day_year(m, ctx):
    return _day_interp(ctx, ctx.year(m["y"]), _month(m["m"]), int(re.match(r"\d+", m["d"]).group()), "mdy_words"), (), {}


# --- ranges of months ----------------------------------------------------------------

@_rule("range", _B + r"(?:(?:from|de|du|d'|between|entre)\s*)?(?P<t>" + _M.format("m1") + r"(?:\s+(?P<y1>\d{4}))?" + _RANGE_SEP
       + _M.format("m2") + r",?\s+(?:of\s+|de\s+)?(?P<y2>\d{4}))" + _E, text_group="t")
def _month_range(m, ctx):
    y2 = ctx.year(m["y2"])
    m1, m2 = _month(m["m1"]), _month(m["m2"])
    if m["y1"]:
        y1 = ctx.year(m["y1"])
    else:
        y1 = y2 if m1 <= m2 else y2 - 1  # "Nov - Feb 2022" runs from November 2021
        ctx.cal.check_year(y1)
    first, last = month_index(y1, m1), month_index(y2, m2)
    if last < first:
        raise InvalidDate(f"{m.group(0).strip()} ends before it starts.", text=m.group(0))
    return ctx.interp(first, last, "range"), (), {}


@_rule("range", _B + r"(?P<y1>\d{4})-(?P<m1>\d{1,2})" + _RANGE_SEP + r"(?P<y2>\d{4})-(?P<m2>\d{1,2})" + _E)
def _iso_month_range(m, ctx):
    y1, y2 = ctx.year(m["y1"]), ctx.year(m["y2"])
    m1, m2 = int(m["m1"]), int(m["m2"])
    for mm in (m1, m2):
        if not 1 <= mm <= 12:
            raise InvalidDate(f"There is no month {mm}: months run from 1 to 12.", month=mm)
    first, last = month_index(y1, m1), month_index(y2, m2)
    if last < first:
        raise InvalidDate(f"{m.group(0).strip()} ends before it starts.", text=m.group(0))
    return ctx.interp(first, last, "range"), (), {}


# --- FY labels -----------------------------------------------------------------------

_FY = r"(?:fy|f\.y\.|fiscal(?:\s+year)?|annee\s+fiscale|exercice(?:\s+fiscal)?)\s*'?(?P<fy>\d{4}|\d{2})"


def _fy_year(ctx: _Context, text: str) -> int:
    """The year written in an FY label. Not range-checked itself: a label's year can lie just
    outside the policy's years while its months lie inside ("FY1999 H2" in the seed's
    convention is Jan–Jun 2000); the halves it names are checked instead."""
    return int(text) + (2000 if len(text) == 2 else 0)


def _by_convention(ctx: _Context, make: Callable[[str], Interpretation]):
    """The reading under the asker's FY convention (:class:`OutOfRange` if it lies outside the
    policy's years) and, as alternatives, the other conventions' readings that lie inside them."""
    primary = make(ctx.convention)
    others = []
    for conv in ctx.cal.policy.fy_conventions:
        if conv == ctx.convention:
            continue
        try:
            others.append(make(conv))
        except OutOfRange:
            continue
    return primary, _distinct(primary, others)


def _check_months(ctx: _Context, first: int, last: int) -> None:
    ctx.cal.check_year(month_of(first)[0])
    ctx.cal.check_year(month_of(last)[0])


def _fy_half_interps(ctx: _Context, label_year: int, name: str):
    return _by_convention(ctx, lambda conv: ctx.half(ctx.cal.half_from_label(label_year, name, conv), f"fy_{conv}"))


@_rule("fy_half", _B + _FY + r"\s*[-/,]?\s*(?:h|s)(?P<h>[12])" + _E)
def _fy_then_half(m, ctx):
    p, alts = _fy_half_interps(ctx, _fy_year(ctx, m["fy"]), "H" + m["h"])
    return p, alts, {"half_name": "H" + m["h"]}


@_rule("fy_half", _B + r"(?:h|s)(?P<h>[12])\s*[-/,]?\s*(?:of\s+|de\s+|du\s+|d')?(?:the\s+|l')?" + _FY + _E)
def _half_then_fy(m, ctx):
    return _fy_then_half(m, ctx)


def _fy_quarter(ctx: _Context, label_year: int, q: int, conv: str) -> Interpretation:
    h1 = ctx.cal.half_from_label(label_year, "H1", conv)
    first = h1.first + 3 * (q - 1)
    _check_months(ctx, first, first + 2)
    return ctx.interp(first, first + 2, f"fy_{conv}")


@_rule("fy_quarter", _B + _FY + r"\s*[-/,]?\s*q(?P<q>[1-4])" + _E)
def _fy_then_quarter(m, ctx):
    y = _fy_year(ctx, m["fy"])
    primary, alts = _by_convention(ctx, lambda conv: _fy_quarter(ctx, y, int(m["q"]), conv))
    return primary, alts, {}


@_rule("fy_quarter", _B + r"q(?P<q>[1-4])\s*[-/,]?\s*(?:of\s+)?" + _FY + _E)
def _quarter_then_fy(m, ctx):
    return _fy_then_quarter(m, ctx)


@_rule("fy_year", _B + _FY + _E)
def _fy_whole(m, ctx):
    y = _fy_year(ctx, m["fy"])

    def whole(conv: str) -> Interpretation:
        h1 = ctx.cal.half_from_label(y, "H1", conv)
        _check_months(ctx, h1.first, h1.first + 11)
        return ctx.interp(h1.first, h1.first + 11, f"fy_{conv}")

    primary, alts = _by_convention(ctx, whole)
    return primary, alts, {}


# --- halves ----------------------------------------------------------------------------

def _half_year(ctx: _Context, name: str, year_text: str):
    year = ctx.year(year_text)
    primary = ctx.half(ctx.cal.half_named(name, year), "calendar_placement")
    label_year = int(year_text) + (2000 if len(year_text) == 2 else 0)
    others = []
    for conv in ctx.cal.policy.fy_conventions:
        try:
            others.append(ctx.half(ctx.cal.half_from_label(label_year, name, conv), f"fy_{conv}"))
        except OutOfRange:
            continue
    return primary, _distinct(primary, others), {"half_name": name}


@_rule("half_year", _B + r"h(?P<h>[12])\s*[-/,]?\s*(?:of\s+|de\s+|in\s+|en\s+)?(?:cy\s*)?(?P<y>\d{4})" + _E)
def _h_then_year(m, ctx):
    return _half_year(ctx, "H" + m["h"], m["y"])


@_rule("half_year", _B + r"(?P<y>\d{4})\s*[-/,]?\s*h(?P<h>[12])" + _E)
def _year_then_h(m, ctx):
    return _half_year(ctx, "H" + m["h"], m["y"])


def _calendar_half(ctx: _Context, n: int, year_text: str):
    year = ctx.year(year_text)
    first = month_index(year, 1 if n == 1 else 7)
    return ctx.interp(first, first + 5, "calendar_half"), (), {}


_HALF_WORD = r"(?:half|moitie|semestre)"


@_rule("calendar_half", _B + r"(?:the\s+|le\s+|la\s+)?(?P<n>" + _ORD1 + "|" + _ORD2 + r"|latter|last|dernier|derniere)\s+"
       + _HALF_WORD + r"\s+(?:of\s+|de\s+|d'|du\s+|in\s+|en\s+)?(?:the\s+year\s+|l'annee\s+|l'an\s+|calendar\s+(?:year\s+)?)?(?P<y>\d{4})" + _E)
def _ordinal_half(m, ctx):
    word = m["n"]
    n = 2 if word in ("latter", "last", "dernier", "derniere") else _ordinal(word)
    return _calendar_half(ctx, n, m["y"])


@_rule("calendar_half", _B + r"(?:s)(?P<n>[12])\s*[-/]?\s*(?P<y>\d{4})" + _E)
def _s_half(m, ctx):
    return _calendar_half(ctx, int(m["n"]), m["y"])


@_rule("half", _B + r"(?:the\s+|le\s+|la\s+)?h(?P<h>[12])" + _E, needs_today=True)
def _bare_half(m, ctx):
    name = "H" + m["h"]
    if ctx.today is None:
        return None, (), {"half_name": name}
    from .today import window_for_half  # local: today builds on periods

    win = window_for_half(name, ctx.today, ctx.cal)
    primary = ctx.half(win.cycle.earning, "unclosed_window")
    alts = (ctx.half(win.recently_closed.earning, "recently_closed"),) if win.recently_closed else ()
    return primary, alts, {"half_name": name}


# --- quarters --------------------------------------------------------------------------

def _quarter(ctx: _Context, q: int, year_text: str):
    year = ctx.year(year_text)
    first = month_index(year, 3 * (q - 1) + 1)
    primary = ctx.interp(first, first + 2, "calendar_quarter")
    others = []
    label_year = int(year_text) + (2000 if len(year_text) == 2 else 0)
    for conv in ctx.cal.policy.fy_conventions:
        try:
            others.append(_fy_quarter(ctx, label_year, q, conv))
        except OutOfRange:
            continue
    return primary, _distinct(primary, others), {}


@_rule("quarter", _B + r"(?:q|t)(?P<q>[1-4])\s*[-/,]?\s*(?:of\s+|de\s+)?'?(?P<y>\d{4}|\d{2})" + _E)
def _q_then_year(m, ctx):
    return _quarter(ctx, int(m["q"]), m["y"])


@_rule("quarter", _B + r"(?P<y>\d{4})\s*[-/,]?\s*(?:q|t)(?P<q>[1-4])" + _E)
def _year_then_q(m, ctx):
    return _quarter(ctx, int(m["q"]), m["y"])


@_rule("quarter", _B + r"(?:the\s+|le\s+)?(?P<n>" + "|".join((_ORD1, _ORD2, _ORD3, _ORD4)) + r")\s+(?:quarter|trimestre)\s+(?:of\s+|de\s+|d'|du\s+|in\s+|en\s+)?(?P<y>\d{4})" + _E)
def _ordinal_quarter(m, ctx):
    return _quarter(ctx, _ordinal(m["n"]), m["y"])


@_rule("range", _B + r"(?:q|t)(?P<q1>[1-4])\s*(?:,|&|-|/|and|et|to|a|au|through|thru)\s*(?:q|t)(?P<q2>[1-4])\s*[-/,]?\s*(?:of\s+|de\s+)?'?(?P<y>\d{4}|\d{2})" + _E)
def _quarter_list(m, ctx):
    """"Q2 and Q3 2024", "T1-T2 2023": the quarters from the first to the last named."""
    q1, q2 = sorted((int(m["q1"]), int(m["q2"])))
    first, _, _ = _quarter(ctx, q1, m["y"])
    last, _, _ = _quarter(ctx, q2, m["y"])
    primary = ctx.interp(first.months.first, last.months.last, "calendar_quarter")
    others = []
    label_year = int(m["y"]) + (2000 if len(m["y"]) == 2 else 0)
    for conv in ctx.cal.policy.fy_conventions:
        try:
            a, b = _fy_quarter(ctx, label_year, q1, conv), _fy_quarter(ctx, label_year, q2, conv)
        except OutOfRange:
            continue
        others.append(ctx.interp(a.months.first, b.months.last, f"fy_{conv}"))
    return primary, _distinct(primary, others), {}


# "early 2023", "late 2023", "mid-2023", "fin 2023", "début 2023": approximate, said as such
_PART_OF_YEAR = {
    "early": (1, 3), "beginning": (1, 3), "start": (1, 3), "debut": (1, 3), "au debut": (1, 3),
    "late": (10, 12), "end": (10, 12), "fin": (10, 12), "la fin": (10, 12),
    "mid": (5, 8), "middle": (5, 8), "milieu": (5, 8), "mi": (5, 8),
}


@_rule("range", _B + r"(?P<p>early|beginning|start|late|end|mid|middle|au\s+debut|debut|la\s+fin|fin|milieu|mi)"
       + r"(?:\s*-\s*|\s+)(?:of\s+(?:the\s+year\s+)?|de\s+(?:l'annee\s+)?|d'|du\s+)?(?P<y>\d{4})" + _E)
def _part_of_year(m, ctx):
    year = ctx.year(m["y"])
    a, b = _PART_OF_YEAR[re.sub(r"\s+", " ", m["p"])]
    return ctx.interp(month_index(year, a), month_index(year, b), "approximate"), (), {}


# --- seasons -----------------------------------------------------------------------------

@_rule("season", _B + r"(?:the\s+|l')?(?P<s>" + "|".join(_SEASONS) + r")\s+(?:of\s+|de\s+|d'|in\s+|en\s+)?(?P<y>\d{4})" + _E)
def _season(m, ctx):
    year = ctx.year(m["y"])
    a, b = _SEASONS[m["s"]]
    if a <= b:
        return ctx.interp(month_index(year, a), month_index(year, b), "season"), (), {}
    # winter straddles two years: which one is meant cannot be told
    cands = []
    for start_year in (year - 1, year):
        if ctx.cal.policy.min_year <= start_year and start_year + 1 <= ctx.cal.policy.max_year:
            cands.append(ctx.interp(month_index(start_year, a), month_index(start_year + 1, b), "season"))
    return None, tuple(cands), {}


# --- months ------------------------------------------------------------------------------

@_rule("month", _B + _M.format("m") + r",?\s+(?:of\s+|de\s+|d')?(?P<y>\d{4})" + _E)
def _month_year(m, ctx):
    i = month_index(ctx.year(m["y"]), _month(m["m"]))
    return ctx.interp(i, i, "month"), (), {}


@_rule("month", _B + r"(?P<y>\d{4})-(?P<m>\d{1,2})(?![\w-])")
def _iso_month(m, ctx):
    y, mo = ctx.year(m["y"]), int(m["m"])
    if not 1 <= mo <= 12:
        raise InvalidDate(f"There is no month {mo}: months run from 1 to 12.", month=mo)
    i = month_index(y, mo)
    return ctx.interp(i, i, "month"), (), {}


@_rule("month", _B + r"(?P<m>\d{1,2})/(?P<y>\d{4})" + _E)
def _numeric_month(m, ctx):
    y, mo = ctx.year(m["y"]), int(m["m"])
    if not 1 <= mo <= 12:
        raise InvalidDate(f"There is no month {mo}: months run from 1 to 12.", month=mo)
    i = month_index(y, mo)
    return ctx.interp(i, i, "month"), (), {}


# a month without a year: "funds earned in August" (the most recent August, said so)
@_rule("month", _B + r"(?:(?:in|from|since|during|for|of|en|de|d'|depuis|pendant|durant|pour)\s+(?:the\s+month\s+of\s+|le\s+mois\s+d'|le\s+mois\s+de\s+)?)"
       + _M.format("m") + r"(?!\s*\d)" + _E, needs_today=True, text_group="m")
def _month_no_year(m, ctx):
    if ctx.today is None:
        return None, (), {}
    mo = _month(m["m"])
    year = ctx.today.year if mo <= ctx.today.month else ctx.today.year - 1
    ctx.cal.check_year(year)
    i = month_index(year, mo)
    primary = ctx.interp(i, i, "most_recent")
    return primary, (), {}


_FULL_MONTHS = sorted({w for m, ws in _MONTH_WORDS.items() for w in ws[:1] + [w for w in ws if len(w) > 4]}
                     - {"may", "march", "mars"}, key=len, reverse=True)


@_rule("month", _B + r"(?P<m>" + "|".join(map(re.escape, _FULL_MONTHS)) + r")(?![\w.])(?!\s*,?\s*\d)", needs_today=True)
def _bare_month_no_year(m, ctx):
    """A full month name with no year ("say November"): the most recent one, said so."""
    return _month_no_year(m, ctx)


# --- years and relative days ---------------------------------------------------------------

@_rule("year", _B + r"(?:(?:in|of|for|during|from|since|en|de|pour|durant|pendant|depuis|year|annee|l'annee|calendar\s+year|cy)\s+)(?P<y>(?:19|20|21)\d{2})"
       # not the year of an ISO month ("in 2025-04"), a half or quarter ("for 2022 H2"), or an amount
       + r"(?![\w.,/-]\d)(?!\s*[-/,]?\s*[hqst][1-4](?![\w]))(?!\s*(?:%|\$|€|eur|usd|dollars?|euros?|k\b))", text_group="y")
def _year(m, ctx):
    y = ctx.year(m["y"])
    return ctx.interp(month_index(y, 1), month_index(y, 12), "calendar_year"), (), {}


_RELATIVE = {
    "today": 0, "aujourd'hui": 0, "aujourdhui": 0, "yesterday": -1, "hier": -1,
    "this month": "m0", "ce mois-ci": "m0", "ce mois ci": "m0", "ce mois": "m0", "current month": "m0",
    "last month": "m-1", "le mois dernier": "m-1", "previous month": "m-1", "le mois precedent": "m-1",
    "this year": "y0", "cette annee": "y0", "last year": "y-1", "l'annee derniere": "y-1", "l'an dernier": "y-1",
    "l'an passe": "y-1", "l'annee passee": "y-1",
}


@_rule("relative", _B + r"(?P<r>" + "|".join(sorted(map(re.escape, _RELATIVE), key=len, reverse=True)) + r")" + _E, needs_today=True)
def _relative(m, ctx):
    if ctx.today is None:
        return None, (), {}
    what = _RELATIVE[m["r"]]
    t = ctx.today
    if isinstance(what, int):
        from datetime import timedelta

        day = t + timedelta(days=what)
        return _day_interp(ctx, day.year, day.month, day.day, "relative"), (), {}
    unit, n = what[0], int(what[1:])
    if unit == "m":
        i = month_index(t.year, t.month) + n
        ctx.cal.check_year(month_of(i)[0])
        return ctx.interp(i, i, "relative"), (), {}
    y = ctx.cal.check_year(t.year + n)
    return ctx.interp(month_index(y, 1), month_index(y, 12), "relative"), (), {}


# --------------------------------------------------------------------------------------
# the scanner

def find_periods(text: str, *, locale: str | None = None, today: date | None = None,
                 convention: str | None = None, cal: CoopCalendar | None = None) -> list[PeriodReading]:
    """Every period named in ``text``, in order; overlapping matches keep the longest.

    Raises :class:`InvalidDate` or :class:`OutOfRange` when the text names a day or year the
    rules cannot answer for (``2021-02-30``, ``August 1850``): a wrong answer is never given.
    Readings that depend on the day (``H1`` alone, "last month") need ``today``; without it they
    come back ambiguous with no candidates.
    """
    cal = cal or calendar()
    convention = convention or cal.policy.fy_default
    if convention not in cal.policy.fy_conventions:
        raise ValueError(f"unknown FY label convention {convention!r}")
    if today is not None:
        cal.check_date(today)
    folded = fold(text)
    ctx = _Context(cal, convention, locale, today)
    matches: list[tuple[int, int, int, _Rule, re.Match[str]]] = []
    for order, rule in enumerate(_RULES):
        for m in rule.pattern.finditer(folded):
            matches.append((m.start(), m.end(), order, rule, m))
    # longest first, then earliest, then rule order; drop anything overlapping a kept match
    matches.sort(key=lambda t: (-(t[1] - t[0]), t[0], t[2]))
    kept: list[tuple[int, int, int, _Rule, re.Match[str]]] = []
    for item in matches:
        if all(item[1] <= k[0] or item[0] >= k[1] for k in kept):
            kept.append(item)
    kept.sort(key=lambda t: t[0])
    out = []
    for start, end, _, rule, m in kept:
        primary, alts, extra = rule.build(m, ctx)
        matched = (start, end)
        if rule.text_group:
            start, end = m.span(rule.text_group)
        out.append(PeriodReading(rule.kind, text[start:end], start, end, primary, tuple(alts),
                                 extra.get("half_name"), rule.needs_today, matched))
    return _month_years_from_context(out, ctx)


def _month_years_from_context(readings: list[PeriodReading], ctx: _Context) -> list[PeriodReading]:
    """A month named without a year beside a period that has one ("late 2023, say November")
    takes that period's year (the nearest one before it, else after it), not today's."""
    dated = [r for r in readings if not r.needs_today and r.primary is not None]
    if not dated:
        return readings
    out = []
    for r in readings:
        if r.primary is not None and r.primary.reading == "most_recent":
            before = [d for d in dated if d.end <= r.start]
            anchor = before[-1] if before else min(dated, key=lambda d: d.start)
            month = r.primary.months.start.month
            years = [anchor.primary.start.year, anchor.primary.end.year]
            # the anchor's year whose month falls inside it, else its last year
            year = next((y for y in years if anchor.primary.start <= date(y, month, 1) <= anchor.primary.end), years[-1])
            i = month_index(ctx.cal.check_year(year), month)
            r = PeriodReading("month", r.text, r.start, r.end, ctx.interp(i, i, "month"), (), None, False, r.matched)
        out.append(r)
    return out


_FILLER = re.compile(r"[\s,.;:!?()'\"]*")


def read_period(text: str, **kwargs) -> PeriodReading:
    """The one period a short text names ("FY21 H2", "août 2021"); :class:`UnreadablePeriod` if
    it names none, several, or has words left over that are not a period.
    """
    found = find_periods(text, **kwargs)
    if len(found) != 1:
        raise UnreadablePeriod(
            f"I could not read one period in {text.strip()!r}" + (": it names several." if found else "."),
            text=text, count=len(found),
        )
    reading = found[0]
    start, end = reading.matched or (reading.start, reading.end)
    rest = text[:start] + " " + text[end:]
    if not _FILLER.fullmatch(rest):
        raise UnreadablePeriod(f"I could not read {text.strip()!r} as a period.", text=text, count=1)
    return reading
