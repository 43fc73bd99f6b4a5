"""Reading the periods partners name, in every loaded language: one engine, words from data.

A partner names a period as a date ("15 August 2024", "1er juillet 2021", "03/10/2022"), a
month ("Aug 2021", "août 2021", "2021-08"), a quarter ("Q3 2021", "T3 2021", "FY22 Q1"), a
range of months ("May–Aug 2021", "de mai à août 2021"), a calendar half ("second half of
2021", "2e semestre 2021"), a fiscal half with or without a year ("H1", "H2 2021"), an FY
label ("FY21 H2", either labelling convention), a season ("summer of 2024"), a year, or a
time relative to the asker's today ("last month", "next H2", "two months ago", "ce
trimestre", "octobre de l'an dernier"). :func:`find_periods` finds every one in a sentence.

The *shapes* of these readings are here; every word they are made of (month names,
ordinals, "of"/"de", seasons, relative words) comes from the language packs'
``vocab.toml`` (:mod:`understanding.packs`), so a new language adds words, not code. The
result types (:class:`~core.reading.PeriodReading`, :class:`~core.reading.Interpretation`)
and the rules (halves, cycles, FY labels) stay in ``core``.

>>> r = read_period("FY21 H2")
>>> r.primary.halves[0].start, r.alternatives[0].halves[0].start
(datetime.date(2022, 1, 1), datetime.date(2021, 1, 1))
>>> read_period("1/2/2024", locale="en-US").primary.day
datetime.date(2024, 1, 2)
>>> read_period("1/2/2024").ambiguous
True
>>> from datetime import date
>>> read_period("next H2", today=date(2026, 12, 1)).primary.start
datetime.date(2027, 1, 1)
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Callable, Iterable

from core import calendar as _calendar
from core.errors import InvalidDate, OutOfRange, UnreadablePeriod
from core.periods import CoopCalendar, Half, MonthSpan, month_index, month_of
from core.reading import Interpretation, PeriodReading, fold

from .registry import date_order as numeric_order  # CLDR's short date pattern of the locale

from . import packs
from .relative import resolve
from .prefilter import Prefilter

__all__ = ["find_periods", "read_period", "PeriodReading", "Interpretation", "fold", "month_words"]

_B = r"(?<![\w])"  # word start
_E = r"(?![\w])"  # word end


def alternation(words: Iterable[str]) -> str:
    r"""An alternation of folded words/phrases, longest first, spaces matching any run of spaces
    (one regex source for the packs' word lists: the period reader, slots and frames use it).

    >>> print(alternation(["h1", "first half"]))
    (?:first\s+half|h1)
    """
    ws = sorted({w for w in words if w}, key=len, reverse=True)
    if not ws:
        return r"(?!x)x"
    return "(?:" + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in ws) + ")"


_alt = alternation


def _opt(words: Iterable[str], trail: str = r"\s+") -> str:
    """Optional words followed by a space (an apostrophe word needs no space after it)."""
    ws = sorted({w for w in words if w}, key=len, reverse=True)
    if not ws:
        return ""
    parts = []
    for w in ws:
        e = re.escape(w).replace(r"\ ", r"\s+")
        parts.append(e + (r"\s*" if w.endswith("'") else trail))
    return "(?:" + "|".join(parts) + ")?"


def month_words() -> dict[str, int]:
    return packs.vocab().months_by_word


@dataclass
class _Context:
    cal: CoopCalendar
    convention: str
    locale: str | None
    today: date | None
    g: "_Grammar"

    def interp(self, first: int, last: int, reading: str, day: date | None = None) -> Interpretation:
        span = MonthSpan(first, last)
        halves = tuple(self.cal.halves_between(first, last))
        return Interpretation(span, halves, reading, day)

    def half(self, half: Half, reading: str) -> Interpretation:
        return Interpretation(MonthSpan(half.first, half.last), (half,), reading)

    def year(self, text: str) -> int:
        if not text.lstrip("'\u2019").isdigit():  # "last year", "l'an prochain": counted from the asker's today
            if self.today is None:
                raise UnreadablePeriod(f"{text!r} needs the day it is asked.", text=text)
            return self.cal.check_year(self.today.year + self.g.year_phrases[re.sub(r"\s+", " ", text)])
        text = text.lstrip("'\u2019")
        y = int(text)
        if len(text) == 2:
            y += 2000
        return self.cal.check_year(y)


@dataclass
class _Rule:
    kind: str
    pattern: re.Pattern[str]
    build: Callable[[re.Match[str], _Context], tuple[Interpretation | None, tuple[Interpretation, ...], dict]]
    needs_today: bool = False
    text_group: str | None = None


class _Grammar:
    """The rules, compiled from the merged words of every language pack."""

    def __init__(self, v: packs.Vocab) -> None:
        self.v = v
        self.months = dict(v.months_by_word)
        self.month_re = _alt(self.months) + r"\.?"
        self.ordinals = {n: list(ws) for n, ws in v.ordinals.items()}
        self.second_half = set(v.words("reading.second_half_words"))
        self.seasons = {k: tuple(val) for k, val in v.table("reading.seasons").items()}
        self.parts = {re.sub(r"\s+", " ", k): tuple(val) for k, val in v.table("reading.part_of_year").items()}
        self.rel_days = {k: int(val) for k, val in v.table("relative.days").items()}
        self.units = {w: unit for unit, ws in v.table("relative.units").items() for w in ws}
        self.before = {k: int(val) for k, val in v.table("relative.before").items()}
        self.after = {k: int(val) for k, val in v.table("relative.after").items()}
        self.numbers = {k: int(val) for k, val in v.table("relative.numbers").items()}
        self.year_phrases = {k: int(val) for k, val in v.table("relative.year_phrases").items()}
        self.weekdays = {k: int(val) for k, val in v.table("relative.weekdays").items()}
        # what may stand between an FY label and the months the message gives it (_labels_given_months)
        # and a word calling a quarter a calendar one (_calendar_quarters_said)
        sep = r"[\s\"'«»“”„‘’()\[\]=:,–—-]*"
        self.label_gap = re.compile(r"^" + sep + r"(?:(?:" + _alt(v.words("reading.label_links")) + r")" + sep + r"){0,2}$")
        self.calendar_mark = re.compile(r"(?<![\w])(?:" + _alt(v.words("reading.calendar_marks")) + r")(?![\w])")
        self.rules: list[_Rule] = []
        self._build()
        # which rules can match a text at all, by the words they cannot match without
        self.prefilter = Prefilter([rule.pattern for rule in self.rules])

    def month(self, word: str) -> int:
        return self.months[word.rstrip(".")]

    def ordinal(self, word: str) -> int:
        for n, ws in self.ordinals.items():
            if word in ws:
                return n
        if word in self.second_half:
            return 2
        raise ValueError(word)

    def add(self, kind: str, regex: str, fn, *, needs_today: bool = False, text_group: str | None = None) -> None:
        self.rules.append(_Rule(kind, re.compile(regex), fn, needs_today, text_group))

    # ------------------------------------------------------------------------------------------
    def _build(self) -> None:  # noqa: PLR0915 - one list of shapes, in priority order
        v = self.v
        M = lambda name: rf"(?P<{name}>{self.month_re})"  # noqa: E731
        DAY = r"(?:[0-3]?\d)(?:" + _alt(v.words("reading.day_suffixes")) + r")?"
        OF = _opt(v.words("reading.of"))
        THE = _opt(v.words("reading.the"))
        ORD = {n: _alt(ws) for n, ws in self.ordinals.items()}
        ORD_ANY = _alt([w for ws in self.ordinals.values() for w in ws])
        SEP = r"(?:\s*-\s*|\s*/\s*|\s+" + _alt(v.words("reading.range_sep") + ["-"]) + r"\s+)"
        OPEN = _opt(v.words("reading.range_open"), r"\s*")
        YLINK = _opt(v.words("reading.year_link"))
        HALF_WORD = _alt(v.words("reading.half_words"))
        Q_WORD = _alt(v.words("reading.quarter_words"))
        HL = _alt(v.words("reading.half_letters") + ["h"])
        QL = _alt(v.words("reading.quarter_letters") + ["q"])
        FY = r"(?:" + _alt(v.words("reading.fy_words") + ["fy"]) + r")\s*'?(?P<fy>\d{4}|\d{2})"
        CALYEAR = r"(?:(?P<cy>" + _alt(v.words("reading.calendar_year")) + r")\s*)?"
        CY = _opt(v.words("reading.calendar_year_marks"), r"\s*")
        SECOND = _alt(self.second_half)
        money = _alt(v.words("reading.money_after") + ["%", "$", "€", "eur", "usd", "k"])
        rel = self
        # a year, or a year said relative to today ("Q3 last year", "the first half of next year")
        RY = r"(?P<y>\d{4}|" + _alt(self.year_phrases) + r")"

        # a year written with two digits: "'27", or "26" where the date ends ("9 Dec 26.")
        # ... but not the day of the next date of a list ("9 Mar, 16 Mar, 23 Mar 2027")
        Y2 = r"(?P<y>\d{4}|'\d{2}|\u2019\d{2}|[23]\d(?!\s+(?:" + self.month_re + r")(?![a-z]))(?=\s*(?:$|[,.;:!?()\n\u2013\u2014]|-\s|\s+[a-z&@])))"
        YP = _alt(self.year_phrases)
        # --- single days -------------------------------------------------------------------
        # ISO, also as a date-time ("2027-03-15T09:00:00Z")
        # ... but not inside a reference ("réf. 2025-12-31-A", "CLM-2026-04-15")
        self.add("date", _B + r"(?<![a-z]-)(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?!-\w)(?:(?![\w])|(?=t\d))", _iso_date)
        # "DTSTART;TZID=Europe/Paris:20270312T090000": the basic ISO form a calendar file writes (a time after it)
        self.add("date", r"(?<![\w])(?P<y>(?:19|20|21)\d{2})(?P<m>0[1-9]|1[0-2])(?P<d>0[1-9]|[12]\d|3[01])(?=t\d{4})", _iso_date)
        # slashes: the order follows the locale (or the message's language), else it is asked
        self.add("date", _B + r"(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<y>\d{4}|\d{2})" + _E, _numeric_date)
        # dots and dashes: day first wherever they are written ("05.11.2026", "12-03-26")
        self.add("date", _B + r"(?P<d>\d{1,2})(?P<sep>[.-])(?P<m>\d{1,2})(?P=sep)(?P<y>\d{4}|\d{2})" + _E, _day_first_date)
        self.add("date", _B + r"(?P<d>" + DAY + r")\s+" + OF + M("m") + r",?\s+" + Y2 + _E, _day_month_year)
        # "the day 5 of November of 2026", "28 of april of 2026": a year linked to the month by "of"
        self.add("date", _B + r"(?P<d>" + DAY + r")\s+" + OF + M("m") + r"\s+" + _alt(v.words("reading.year_link"))
                 + r"\s+(?P<y>(?:19|20|21)\d{2})" + _E, _day_month_year)
        # a spreadsheet's day-month-year with the month in letters: "15-Oct-26", "02/mar/2027", "15.Okt.2026"
        self.add("date", _B + r"(?P<d>[0-3]?\d)(?P<sep>[-/.])" + M("m") + r"(?P=sep)(?P<y>\d{4}|\d{2})" + _E, _day_month_year)
        self.add("date", _B + M("m") + r"(?P<sep>[-/])(?P<d>[0-3]?\d)(?P=sep)(?P<y>\d{4})" + _E, _month_day_year)
        self.add("date", _B + M("m") + r"\s+" + THE + r"(?P<d>" + DAY + r"),?\s+" + Y2 + _E, _month_day_year)
        # a day and month with a year said relative to today: "14 nov this yr", "le 3 mars l'an prochain"
        self.add("date", _B + r"(?P<d>" + DAY + r")\s+" + OF + M("m") + r",?\s+(?P<yp>" + YP + r")" + _E, _day_month_rel_year,
                 needs_today=True)
        # ... month first: "Feb 7th next year", "March 3 this year"
        self.add("date", _B + M("m") + r"\s+" + THE + r"(?P<d>" + DAY + r"),?\s+(?P<yp>" + YP + r")" + _E, _day_month_rel_year,
                 needs_today=True)
        # --- ISO weeks -------------------------------------------------------------------------
        WK = _alt(v.words("reading.week_words"))
        self.add("week", _B + WK + r"\s*(?P<w>\d{1,2})(?:\s*(?:" + _alt(v.words("reading.of") + v.words("reading.year_link"))
                 + r"|/|,|-)?\s*(?P<y>\d{4}))" + _E, _iso_week)
        self.add("week", _B + WK + r"\s*(?P<w>\d{1,2})(?!\s*(?:/|,|-)?\s*\d)" + _E, _iso_week, needs_today=True)
        self.add("week", _B + r"(?P<y>\d{4})-?w(?P<w>\d{2})" + _E, _iso_week)

        # --- ranges of months --------------------------------------------------------------
        self.add("range", _B + OPEN + r"(?P<t>" + M("m1") + r"(?:\s+(?P<y1>\d{4}))?" + r"(?:" + SEP + r"|\s+)" + M("m2") + r",?\s+" + YLINK
                 + r"(?P<y2>\d{4}))" + _E, _month_range, text_group="t")
        self.add("range", _B + r"(?P<y1>\d{4})-(?P<m1>\d{1,2})" + SEP + r"(?P<y2>\d{4})-(?P<m2>\d{1,2})" + _E, _iso_month_range)
        # a run of days ("from 10 to 20 May 2026", "25 June - 5 July 2026", "May 10-20, 2026", "du 25 juin
        # au 5 juillet 2026"): read as the months it covers, so a run across two usage periods is
        # answered for both
        self.add("range", _B + OPEN + r"(?P<d1>" + DAY + r")" + SEP + r"(?P<d2>" + DAY + r")\s+" + OF + M("m2") + r",?\s+(?P<y2>\d{4})" + _E,
                 _day_range)
        self.add("range", _B + OPEN + r"(?P<d1>" + DAY + r")\s+" + OF + M("m1") + SEP + r"(?P<d2>" + DAY + r")\s+" + OF + M("m2")
                 + r",?\s+(?P<y2>\d{4})" + _E, _day_range)
        self.add("range", _B + OPEN + M("m2") + r"\s+(?P<d1>" + DAY + r")" + SEP + r"(?P<d2>" + DAY + r"),?\s+(?P<y2>\d{4})" + _E,
                 _day_range)
        # ... written in numbers, the year only at the end ("vom 28.06. bis 02.07.2027", "28/06 – 02/07/2027",
        # "du 21.12 au 06.01.2027"): the first day takes the last one's year (the year before when
        # its month comes later, "21.12. - 06.01.2027")
        # ... a dash between the days, or the words of a run on both sides ("vom … bis", "from … to", "du
        # … au"): "am 14.10.2026 bis 31.03.2027 Zeit" is a day and a deadline, no run
        DAYS1 = r"(?P<d1>\d{1,2})(?P<s>[./])(?P<m1>\d{2}|\d(?=[./]))(?:(?P=s)(?P<y1>\d{4}|\d{2})(?![\d]))?\.?"
        DAYS2 = r"(?P<d2>\d{1,2})(?P=s)(?P<m2>\d{1,2})(?P=s)(?P<y2>\d{4}|\d{2})(?![\w./-]|[.,]\d)"
        OPEN_SAID = r"(?:" + _alt(v.words("reading.range_open")) + r")\s*"
        self.add("range", r"(?<![\w.,/-])" + OPEN + DAYS1 + r"\s*[-\u2013\u2014~]\s*" + DAYS2, _numeric_day_range)
        self.add("range", r"(?<![\w.,/-])" + OPEN_SAID + DAYS1 + r"\s+" + _alt(v.words("reading.range_sep")) + r"\s+" + DAYS2,
                 _numeric_day_range)

        # --- FY labels ---------------------------------------------------------------------
        self.add("fy_half", _B + FY + r"\s*[-/,]?\s*" + HL + r"(?P<h>[12])" + _E, _fy_then_half)
        self.add("fy_half", _B + HL + r"(?P<h>[12])\s*[-/,]?\s*" + YLINK + THE + FY + _E, _fy_then_half)
        # the number before the letter, as finance teams write it: "2H FY27", "FY27 1H"
        self.add("fy_half", _B + r"(?P<h>[12])" + HL + r"\s*[-/,]?\s*" + YLINK + THE + FY + _E, _fy_then_half)
        self.add("fy_half", _B + FY + r"\s*[-/,]?\s*(?P<h>[12])" + HL + _E, _fy_then_half)
        # the quarter named as the packs name quarters: "FY25 Q3", "T3 FY25", "3e trimestre FY25",
        # "the third quarter of FY25"
        self.add("fy_quarter", _B + FY + r"\s*[-/,]?\s*" + QL + r"(?P<q>[1-4])" + _E, _fy_then_quarter)
        self.add("fy_quarter", _B + QL + r"(?P<q>[1-4])\s*[-/,]?\s*" + OF + FY + _E, _fy_then_quarter)
        self.add("fy_quarter", _B + r"(?P<q>[1-4])" + QL + r"\s*[-/,]?\s*" + OF + FY + _E, _fy_then_quarter)
        self.add("fy_quarter", _B + FY + r"\s*[-/,]?\s*(?P<q>[1-4])" + QL + _E, _fy_then_quarter)
        self.add("fy_quarter", _B + THE + r"(?P<n>" + ORD_ANY + r")\s+" + Q_WORD + r"\s+" + OF + THE + FY + _E,
                 _fy_then_quarter)
        # the half named in words: "first half of FY27", "premier semestre de l'exercice 2027", "FY26, second semestre"
        ORD_H = r"(?P<n>" + ORD.get(1, "x") + "|" + ORD.get(2, "x") + "|" + SECOND + r")"
        self.add("fy_half", _B + THE + ORD_H + r"\s+" + HALF_WORD + r"\s+" + _opt(v.words("reading.of") + v.words("reading.year_link"))
                 + THE + FY + _E, _fy_ordinal_half)
        self.add("fy_half", _B + FY + r"\s*[,;:-]?\s*" + THE + ORD_H + r"\s+" + HALF_WORD + _E, _fy_ordinal_half)
        self.add("fy_year", _B + FY + _E, _fy_whole)

        # --- halves --------------------------------------------------------------------------
        self.add("half_year", _B + r"h(?P<h>[12])\s*[-/,]?\s*" + YLINK + r"(?P<cyh>" + _alt(v.words("reading.calendar_year_marks"))
                 + r")\s*(?P<y>\d{4})" + _E, _h_then_year)
        self.add("half_year", _B + r"h(?P<h>[12])\s*[-/,]?\s*" + YLINK + r"(?P<y>\d{4})" + _E, _h_then_year)
        self.add("half_year", _B + r"(?P<y>\d{4})\s*[-/,]?\s*h(?P<h>[12])" + _E, _h_then_year)
        # "the first half of 2023", "premier semestre civil 2023", "S2 2024": the calendar half; unless "calendar"/
        # "civil" or its months are said ("(Jan-Jun)"), the fiscal half of that name is the other reading
        CMARK = r"(?P<cm>" + _alt(v.words("reading.calendar_marks")) + r")"
        MONTHS_SAID = r"(?:\s*\(?\s*(?P<ms>" + self.month_re + r"\s*(?:-|/|" + _alt(v.words("reading.range_sep")) + r")\s*"
        MONTHS_SAID += self.month_re + r")\s*\)?)?"
        self.add("calendar_half", _B + THE + r"(?P<n>" + ORD.get(1, "x") + "|" + ORD.get(2, "x") + "|" + SECOND + r")\s+"
                 + r"(?:" + CMARK + r"\s+)?" + HALF_WORD + r"(?:\s+" + CMARK.replace("cm", "cm2") + r")?\s+" + YLINK + CALYEAR + RY
                 + _E + MONTHS_SAID, _ordinal_half)
        self.add("calendar_half", _B + r"s(?P<n>[12])\s*[-/]?\s*(?P<y>\d{4})" + _E + MONTHS_SAID, _s_half)
        # relative named halves: "next H2", "last H1", "this H1", "le H2 prochain"
        before = _alt(self.before)
        after = _alt(self.after)
        self.add("relative", _B + r"(?P<rb>" + before + r")\s+" + THE + r"h(?P<h>[12])" + _E, _rel_named_half, needs_today=True)
        self.add("relative", _B + THE + r"h(?P<h>[12])\s+(?P<ra>" + after + r")" + _E, _rel_named_half, needs_today=True)
        self.add("half", _B + THE + r"h(?P<h>[12])" + _E, _bare_half, needs_today=True)

        # --- quarters --------------------------------------------------------------------------
        self.add("quarter", _B + QL + r"(?P<q>[1-4])\s*[-/,]?\s*" + OF + r"'?(?P<y>\d{4}|\d{2}|" + _alt(self.year_phrases) + r")" + _E,
                 _q_then_year)
        self.add("quarter", _B + r"(?P<y>\d{4})\s*[-/,]?\s*" + QL + r"(?P<q>[1-4])" + _E, _q_then_year)
        self.add("quarter", _B + THE + r"(?P<n>" + ORD_ANY + r")\s+" + Q_WORD + r"\s+" + YLINK + RY + _E,
                 _ordinal_quarter)
        self.add("range", _B + QL + r"(?P<q1>[1-4])\s*(?:,|&|-|/|\s" + _alt(v.words("reading.range_sep")) + r"\s)\s*" + QL
                 + r"(?P<q2>[1-4])\s*[-/,]?\s*" + OF + r"'?(?P<y>\d{4}|\d{2})" + _E, _quarter_list)
        parts = _alt(self.parts)
        self.add("range", _B + r"(?P<p>" + parts + r")(?:\s*-\s*|\s+)" + _opt(v.words("reading.of") + v.words("reading.year_link"))
                 + _opt(v.words("reading.calendar_year")) + RY + _E, _part_of_year)

        # --- seasons ---------------------------------------------------------------------------
        self.add("season", _B + THE + r"(?P<s>" + _alt(self.seasons) + r")\s+" + YLINK + RY + _E, _season)

        # --- months ----------------------------------------------------------------------------
        self.add("month", _B + M("m") + r",?\s+" + YLINK + r"(?P<y>\d{4})" + _E, _month_year)
        self.add("month", _B + r"(?P<y>\d{4})-(?P<m>\d{1,2})(?![\w-])", _iso_month)
        self.add("month", _B + r"(?P<m>\d{1,2})/(?P<y>\d{4})" + _E, _numeric_month)
        # "03.2027", a month as German and Swiss tables write it (never "3.2027", a decimal)
        self.add("month", r"(?<![\w.,/-])(?P<m>0[1-9]|1[0-2])\.(?P<y>20\d{2})(?![\w./-]|[.,]\d)", _numeric_month)
        # a day and month without a year: "le 1er mars", "15 août", "March 15": the most recent one (a plan: the next)
        self.add("date", _B + r"(?P<d>" + DAY + r")\s+" + OF + M("m") + r"(?!\s*,?\s*\d)(?![\w.])", _day_month_no_year,
                 needs_today=True)
        self.add("date", _B + M("m") + r"\s+" + THE + r"(?P<d>[0-3]?\d(?:" + _alt(v.words("reading.day_suffixes")) + r")?)(?![\w.,:/-]|\s*,?\s*\d)",
                 _day_month_no_year, needs_today=True)
        # "am 24.11. 2026": a dotted date with a space before its four-digit year
        self.add("date", r"(?<![\w.,/-])(?P<d>0?[1-9]|[12]\d|3[01])(?P<sep>\.)(?P<m>0?[1-9]|1[0-2])\.\s(?P<y>\d{4})" + _E,
                 _day_first_date)
        # "2027년 1월 15일", "2027年1月15日": the year, month and day marks of Korean, Japanese and Chinese
        self.add("date", r"(?P<y>\d{4})\s*[년年]\s*(?P<m>\d{1,2})\s*[월月]\s*(?P<d>\d{1,2})\s*[일日]", _cjk_date)
        # "am 8.5. nächstes Jahr", "le 12.03 de l'an prochain": a dotted day with a relative year
        self.add("date", r"(?<![\w.,/-])(?P<d>0?[1-9]|[12]\d|3[01])\.(?P<m>0?[1-9]|1[0-2])\.?,?\s+"
                 + _opt(v.words("relative.month_year_link")) + r"(?P<yp>" + YP + r")" + _E, _dotted_day_month_rel_year,
                 needs_today=True)
        # "am 24.11.", "le 3.12.": day and month with a dot after each and no year (always day
        # first, a dotted date is): the most recent one; "3.12" alone is a number or a version
        self.add("date", r"(?<![\w.,/-])(?P<d>0?[1-9]|[12]\d|3[01])\.(?P<m>0?[1-9]|1[0-2])\.(?![\w./-]|,\d|\s*\d)", _dotted_day_month_no_year,
                 needs_today=True)
        # a month with a relative year: "October of last year", "octobre de l'an dernier"
        yp = _alt(self.year_phrases)
        self.add("relative", _B + M("m") + r"\s+" + _opt(v.words("relative.month_year_link")) + r"(?P<yp>" + yp + r")" + _E,
                 _month_rel_year, needs_today=True)
        # "le 12 mars prochain", "next March 12th", "am 3. März nächsten": a day of a relative month
        DAYG = r"(?P<d>[0-3]?\d(?:" + _alt(v.words("reading.day_suffixes")) + r")?)"
        self.add("date", _B + DAYG + r"\.?\s+" + _opt(v.words("reading.of")) + M("m") + r"\s+(?P<ra>" + after + r")" + _E,
                 _rel_month_day, needs_today=True)
        self.add("date", _B + r"(?P<rb>" + before + r")\s+" + M("m") + r"\s+" + THE + DAYG + r"(?![\w.,:/-]|\s*,?\s*\d)" + _E,
                 _rel_month_day, needs_today=True)
        # "last October", "next May", "octobre dernier", "mai prochain"
        self.add("relative", _B + r"(?P<rb>" + before + r")\s+" + M("m") + r"(?!\s*,?\s*\d)" + _E, _rel_month, needs_today=True)
        self.add("relative", _B + THE + M("m") + r"\s+(?P<ra>" + after + r")" + _E, _rel_month, needs_today=True)
        month_of = _opt(v.words("reading.month_of"))
        self.add("month", _B + r"(?:" + _alt(v.words("reading.before_bare_month")) + r"\s*" + month_of + r")" + r"(?<=[\s'])"
                 + M("m") + r"(?!\s*\d)" + _E, _month_no_year, needs_today=True, text_group="m")
        full = sorted({w for w in self.months if len(w) > 4} - set(v.words("reading.ambiguous_months")), key=len, reverse=True)
        self.add("month", _B + r"(?P<m>" + _alt(full) + r")(?![\w.])(?!\s*,?\s*\d)", _month_no_year, needs_today=True)

        # --- years -----------------------------------------------------------------------------
        self.add("year", _B + r"(?:" + _alt(v.words("reading.before_year")) + r"\s+)(?P<y>(?:19|20|21)\d{2})"
                 + r"(?![\w.,/-]\d)(?!\s*[-/,]?\s*[hqst][1-4](?![\w]))(?!\s*" + money + r"(?![\w]))", _year, text_group="y")

        # --- relative time -----------------------------------------------------------------------
        units = _alt(self.units)
        # "the last day" is not yesterday: days are relative only with a count ("two days ago")
        units_ba = _alt(w for w, u in self.units.items() if u != "day")
        nums = _alt(list(self.numbers)) + r"|\d{1,2}"
        ago_a, ago_b = v.words("relative.ago_after"), v.words("relative.ago_before")
        ahead_a, ahead_b = v.words("relative.ahead_after"), v.words("relative.ahead_before")
        if ago_a:
            self.add("relative", _B + r"(?P<n>" + nums + r")\s+(?P<u>" + units + r")\s+" + _alt(ago_a) + _E, _rel_ago, needs_today=True)
        if ago_b:
            self.add("relative", _B + _alt(ago_b) + r"\s+(?P<n>" + nums + r")\s+(?P<u>" + units + r")" + _E, _rel_ago, needs_today=True)
        if ahead_a:
            self.add("relative", _B + r"(?P<n>" + nums + r")\s+(?P<u>" + units + r")\s+" + _alt(ahead_a) + _E, _rel_ahead, needs_today=True)
        if ahead_b:
            self.add("relative", _B + _alt(ahead_b) + r"\s+(?P<n>" + nums + r")\s+(?P<u>" + units + r")" + _E, _rel_ahead,
                     needs_today=True)
        # a day of a month said relative to today: "the 14th of last month", "le 14 du mois dernier"
        months_u = _alt(w for w, u in self.units.items() if u == "month")
        self.add("relative", _B + THE + r"(?P<d>" + DAY + r")\s+" + OF + r"(?P<rb>" + before + r")\s+(?P<u>" + months_u + r")" + _E,
                 _rel_day_of_month, needs_today=True)
        self.add("relative", _B + THE + r"(?P<d>" + DAY + r")\s+" + OF + THE + r"(?P<u>" + months_u + r")\s+(?P<ra>" + after + r")" + _E,
                 _rel_day_of_month, needs_today=True)
        self.add("relative", _B + r"(?P<rb>" + before + r")\s+(?P<u>" + units_ba + r")(?:\s*-?\s*ci)?" + _E, _rel_unit, needs_today=True)
        self.add("relative", _B + _opt(v.words("reading.the")) + r"(?P<u>" + units_ba + r")\s+(?P<ra>" + after + r")" + _E, _rel_unit,
                 needs_today=True)
        # "last year in March", "l'an dernier en mars"
        self.add("relative", _B + r"(?P<yp>" + yp + r")\s+" + _opt(v.words("reading.before_bare_month")) + M("m") + r"(?!\s*,?\s*\d)" + _E,
                 _month_rel_year, needs_today=True)
        self.add("relative", _B + r"(?P<yp>" + yp + r")" + _E, _rel_year_phrase, needs_today=True)
        # whole phrases that name a relative period ("the funds we're earning now": this half)
        phrases = {re.sub(r"\s+", " ", k): (str(val[0]), int(val[1])) for k, val in v.table("relative.phrases").items()}
        self.rel_phrases = phrases
        if phrases:
            self.add("relative", _B + r"(?P<ph>" + _alt(phrases) + r")" + _E, _rel_phrase, needs_today=True)
        # "last Friday", "vendredi dernier"; "next spring", "l'été prochain"
        wd = _alt(self.weekdays)
        self.add("relative", _B + r"(?P<rb>" + before + r")\s+(?P<wd>" + wd + r")" + _E, _rel_weekday, needs_today=True)
        self.add("relative", _B + r"(?P<wd>" + wd + r")\s+(?P<ra>" + after + r")" + _E, _rel_weekday, needs_today=True)
        seasons = _alt(self.seasons)
        self.add("relative", _B + r"(?P<rb>" + before + r")\s+" + THE + r"(?P<s>" + seasons + r")" + _E, _rel_season, needs_today=True)
        self.add("relative", _B + THE + r"(?P<s>" + seasons + r")\s+(?P<ra>" + after + r")" + _E, _rel_season, needs_today=True)
        self.add("relative", _B + r"(?P<r>" + _alt(self.rel_days) + r")" + _E, _rel_day, needs_today=True)
        del rel


# --------------------------------------------------------------------------------------
# builders (shapes; the words came from the packs)


def _distinct(primary: Interpretation | None, others: Iterable[Interpretation]) -> tuple[Interpretation, ...]:
    """Alternatives that lead to other earning halves than the primary (and each other)."""
    seen = {primary.halves} if primary else set()
    out = []
    for item in others:
        if item.halves not in seen:
            seen.add(item.halves)
            out.append(item)
    return tuple(out)


def _day_number(text: str) -> int:
    """The day of a matched day ("14", "14th", "1er"): its leading digits."""
    return int(re.match(r"\d+", text).group())


def _day_interp(ctx: _Context, y: int, m: int, d: int, reading: str) -> Interpretation:
    day = ctx.cal.make_date(y, m, d)
    i = month_index(y, m)
    return ctx.interp(i, i, reading, day)


def _iso_date(m, ctx):
    return _day_interp(ctx, ctx.year(m["y"]), int(m["m"]), int(m["d"]), "iso"), (), {}


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


def _day_first_date(m, ctx):
    """"05.11.2026", "12-03-26": day first, wherever it is written."""
    return _day_interp(ctx, ctx.year(m["y"]), int(m["m"]), int(m["d"]), "dmy"), (), {}


def _day_month_rel_year(m, ctx):
    return _day_interp(ctx, ctx.year(m["yp"]), ctx.g.month(m["m"]), _day_number(m["d"]), "dmy_words"), (), {}


def _iso_week(m, ctx):
    """An ISO week (Monday to Sunday) as the months its days lie in; without a year, the most
    recent such week (this year's if it has begun)."""
    w = int(m["w"])
    if m.groupdict().get("y"):
        year = ctx.year(m["y"])
    else:
        if ctx.today is None:
            return None, (), {}
        year = ctx.today.year
        try:
            if date.fromisocalendar(year, w, 1) > ctx.today:
                year -= 1
        except ValueError:
            year -= 1
    try:
        first, last = date.fromisocalendar(year, w, 1), date.fromisocalendar(year, w, 7)
    except ValueError:
        raise InvalidDate(f"{m.group(0).strip()} is not a week: {year} has no week {w}.", text=m.group(0)) from None
    ctx.cal.check_date(first)
    ctx.cal.check_date(last)
    reading = "week" if m.groupdict().get("y") else "most_recent_week"
    return ctx.interp(month_index(first.year, first.month), month_index(last.year, last.month), reading), (), {
        "span": (first, last)}


def _day_month_year(m, ctx):
    return _day_interp(ctx, ctx.year(m["y"]), ctx.g.month(m["m"]), _day_number(m["d"]), "dmy_words"), (), {}


def _month_day_year(m, ctx):
    return _day_interp(ctx, ctx.year(m["y"]), ctx.g.month(m["m"]), _day_number(m["d"]), "mdy_words"), (), {}


def _month_range(m, ctx):
    y2 = ctx.year(m["y2"])
    m1, m2 = ctx.g.month(m["m1"]), ctx.g.month(m["m2"])
    if m["y1"]:
        y1 = ctx.year(m["y1"])
    else:
        y1 = y2 if m1 <= m2 else y2 - 1  # "Nov - Feb 2022" runs from November 2021
        ctx.cal.check_year(y1)
    first, last = month_index(y1, m1), month_index(y2, m2)
    if last < first:
        raise InvalidDate(f"{m.group(0).strip()} ends before it starts.", text=m.group(0))
    return ctx.interp(first, last, "range"), (), {}


def _day_range(m, ctx):
    y2 = ctx.year(m["y2"])
    m2 = ctx.g.month(m["m2"])
    m1 = ctx.g.month(m["m1"]) if m.groupdict().get("m1") else m2
    y1 = y2 if m1 <= m2 else y2 - 1  # "28 December - 3 January 2027" starts in 2026
    ctx.cal.check_year(y1)
    d1, d2 = _day_number(m["d1"]), _day_number(m["d2"])
    first_day, last_day = ctx.cal.make_date(y1, m1, d1), ctx.cal.make_date(y2, m2, d2)
    if last_day < first_day:
        raise InvalidDate(f"{m.group(0).strip()} ends before it starts.", text=m.group(0))
    return ctx.interp(month_index(y1, m1), month_index(y2, m2), "range"), (), {"span": (first_day, last_day)}


def _numeric_day_range(m, ctx):
    """"28.06. bis 02.07.2027": dots are day first wherever they are written; slashes follow the
    locale's order, and a run whose order the day numbers and the locale do not settle is no range
    (its days are read one by one, the ambiguous one asked back)."""
    a1, b1, a2, b2 = int(m["d1"]), int(m["m1"]), int(m["d2"]), int(m["m2"])
    y2 = ctx.year(m["y2"])

    def run(d1: int, m1: int, d2: int, m2: int) -> tuple[Interpretation, tuple[date, date]] | None:
        if not (1 <= m1 <= 12 and 1 <= m2 <= 12):
            return None
        y1 = ctx.year(m["y1"]) if m["y1"] else y2 if m1 <= m2 else y2 - 1
        ctx.cal.check_year(y1)
        first_day, last_day = ctx.cal.make_date(y1, m1, d1), ctx.cal.make_date(y2, m2, d2)
        if last_day < first_day:
            raise InvalidDate(f"{m.group(0).strip()} ends before it starts.", text=m.group(0))
        return ctx.interp(month_index(y1, m1), month_index(y2, m2), "range"), (first_day, last_day)

    dmy = run(a1, b1, a2, b2)
    if m["s"] == "/" and (a1, a2) != (b1, b2):
        mdy = run(b1, a1, b2, a2)
        order = numeric_order(ctx.locale)
        if order == "mdy" and mdy or (mdy and not dmy):
            dmy = mdy
        elif order is None and mdy and dmy:  # "from 03/04 to 05/06/2027": asked back, both orders offered
            return None, (dmy[0], mdy[0]), {}
    if dmy is None:
        raise InvalidDate(f"{m.group(0).strip()} is not a run of days.", text=m.group(0))
    return dmy[0], (), {"span": dmy[1]}


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


def _fy_year(text: str) -> int:
    """The year written in an FY label; the halves it names are range-checked, not the label."""
    return int(text) + (2000 if len(text) == 2 else 0)


def _label_conventions(ctx: _Context) -> list[str]:
    """The FY-label conventions a label is read in (SPEC rule 8): the configured one, and
    Microsoft's beside the 2020 table's when that labelling is configured; never the 2020
    labelling as a second reading of a Microsoft label (that is the half-year-wrong date)."""
    return list(dict.fromkeys([ctx.convention, "microsoft"]))


def _by_convention(ctx: _Context, make: Callable[[str], Interpretation]):
    primary = make(ctx.convention)
    others = []
    for conv in _label_conventions(ctx)[1:]:
        try:
            others.append(make(conv))
        except OutOfRange:
            continue
    return primary, _distinct(primary, others)


def _check_months(ctx: _Context, first: int, last: int) -> None:
    ctx.cal.check_year(month_of(first)[0])
    ctx.cal.check_year(month_of(last)[0])


def _fy_then_half(m, ctx):
    y, name = _fy_year(m["fy"]), "H" + m["h"]
    p, alts = _by_convention(ctx, lambda conv: ctx.half(ctx.cal.half_from_label(y, name, conv), f"fy_{conv}"))
    return p, alts, {"half_name": name}


def _fy_quarter(ctx: _Context, label_year: int, q: int, conv: str) -> Interpretation:
    h1 = ctx.cal.half_from_label(label_year, "H1", conv)
    first = h1.first + 3 * (q - 1)
    _check_months(ctx, first, first + 2)
    return ctx.interp(first, first + 2, f"fy_{conv}")


def _fy_then_quarter(m, ctx):
    y = _fy_year(m["fy"])
    q = int(m["q"]) if m.groupdict().get("q") else ctx.g.ordinal(m["n"])
    primary, alts = _by_convention(ctx, lambda conv: _fy_quarter(ctx, y, q, conv))
    return primary, alts, {}


def _fy_whole(m, ctx):
    y = _fy_year(m["fy"])

    def whole(conv: str) -> Interpretation:
        h1 = ctx.cal.half_from_label(y, "H1", conv)
        _check_months(ctx, h1.first, h1.first + 11)
        return ctx.interp(h1.first, h1.first + 11, f"fy_{conv}")

    primary, alts = _by_convention(ctx, whole)
    return primary, alts, {}


def _h_then_year(m, ctx):
    name, year_text = "H" + m["h"], m["y"]
    year = ctx.year(year_text)
    if m.groupdict().get("cyh"):  # "H2 CY2026": the second half of calendar 2026, July - December
        first = month_index(year, 1 if name == "H1" else 7)
        return ctx.interp(first, first + 5, "calendar_half"), (), {}
    primary = ctx.half(ctx.cal.half_named(name, year), "calendar_placement")
    label_year = _fy_year(year_text)
    others = []
    for conv in _label_conventions(ctx):
        try:
            others.append(ctx.half(ctx.cal.half_from_label(label_year, name, conv), f"fy_{conv}"))
        except OutOfRange:
            continue
    others = list(_distinct(primary, others))
    if others and ctx.convention == "microsoft":
        # "H1 2027": the H1 whose months lie in 2027, or Microsoft's FY27 H1 (a year earlier): a
        # year apart, and partners say both; asked back rather than guessed (issue #17)
        return None, (primary, *others), {"half_name": name}
    return primary, tuple(others), {"half_name": name}


def _calendar_half(ctx: _Context, n: int, year_text: str, m=None):
    year = ctx.year(year_text)
    first = month_index(year, 1 if n == 1 else 7)
    primary = ctx.interp(first, first + 5, "calendar_half")
    said = m is not None and any(m.groupdict().get(k) for k in ("cm", "cm2", "ms", "cy"))
    if said or not year_text.isdigit() or ctx.convention == "microsoft":
        # "S1 2027", "the first half of 2027": the calendar half. Under Microsoft's labels a fiscal
        # half is named with its FY ("first half of FY27"), so no other reading is offered
        return primary, (), {}
    # "S2 2024" / "second half of 2024" may mean the fiscal H2: placed in 2024, or the FY2024 label
    name = "H" + str(n)
    others = [ctx.half(ctx.cal.half_named(name, year), "calendar_placement")]
    for conv in _label_conventions(ctx):
        try:
            others.append(ctx.half(ctx.cal.half_from_label(_fy_year(year_text), name, conv), f"fy_{conv}"))
        except OutOfRange:
            continue
    return primary, _distinct(primary, others), {"half_name": name}


def _fy_ordinal_half(m, ctx):
    y, name = _fy_year(m["fy"]), "H" + str(ctx.g.ordinal(m["n"]))
    p, alts = _by_convention(ctx, lambda conv: ctx.half(ctx.cal.half_from_label(y, name, conv), f"fy_{conv}"))
    return p, alts, {"half_name": name}


def _ordinal_half(m, ctx):
    return _calendar_half(ctx, ctx.g.ordinal(m["n"]), m["y"], m)


def _s_half(m, ctx):
    return _calendar_half(ctx, int(m["n"]), m["y"], m)


def _bare_half(m, ctx):
    name = "H" + m["h"]
    if ctx.today is None:
        return None, (), {"half_name": name}
    from core import window_for_half

    win = window_for_half(name, ctx.today, ctx.cal)
    primary = ctx.half(win.cycle.earning, "unclosed_window")
    alts = (ctx.half(win.recently_closed.earning, "recently_closed"),) if win.recently_closed else ()
    return primary, alts, {"half_name": name}


def _quarter(ctx: _Context, q: int, year_text: str):
    year = ctx.year(year_text)
    first = month_index(year, 3 * (q - 1) + 1)
    primary = ctx.interp(first, first + 2, "calendar_quarter")
    if not year_text.isdigit():
        return primary, (), {}  # "Q3 last year": a calendar quarter, said with a calendar year
    others = []
    label_year = _fy_year(year_text)
    for conv in _label_conventions(ctx):
        try:
            others.append(_fy_quarter(ctx, label_year, q, conv))
        except OutOfRange:
            continue
    return primary, _distinct(primary, others), {}


def _q_then_year(m, ctx):
    return _quarter(ctx, int(m["q"]), m["y"])


def _ordinal_quarter(m, ctx):
    return _quarter(ctx, ctx.g.ordinal(m["n"]), m["y"])


def _quarter_list(m, ctx):
    """"Q2 and Q3 2024", "T1-T2 2023": the quarters from the first to the last named."""
    q1, q2 = sorted((int(m["q1"]), int(m["q2"])))
    first, _, _ = _quarter(ctx, q1, m["y"])
    last, _, _ = _quarter(ctx, q2, m["y"])
    primary = ctx.interp(first.months.first, last.months.last, "calendar_quarter")
    others = []
    label_year = _fy_year(m["y"])
    for conv in _label_conventions(ctx):
        try:
            a, b = _fy_quarter(ctx, label_year, q1, conv), _fy_quarter(ctx, label_year, q2, conv)
        except OutOfRange:
            continue
        others.append(ctx.interp(a.months.first, b.months.last, f"fy_{conv}"))
    return primary, _distinct(primary, others), {}


def _part_of_year(m, ctx):
    year = ctx.year(m["y"])
    a, b = ctx.g.parts[re.sub(r"\s+", " ", m["p"])]
    return ctx.interp(month_index(year, a), month_index(year, b), "approximate"), (), {}


def _season(m, ctx):
    year = ctx.year(m["y"])
    a, b = ctx.g.seasons[m["s"]]
    if a <= b:
        return ctx.interp(month_index(year, a), month_index(year, b), "season"), (), {}
    # winter straddles two years: which one is meant cannot be told
    cands = []
    for start_year in (year - 1, year):
        if ctx.cal.policy.min_year <= start_year and start_year + 1 <= ctx.cal.policy.max_year:
            cands.append(ctx.interp(month_index(start_year, a), month_index(start_year + 1, b), "season"))
    return None, tuple(cands), {}


def _month_year(m, ctx):
    i = month_index(ctx.year(m["y"]), ctx.g.month(m["m"]))
    return ctx.interp(i, i, "month"), (), {}


def _iso_month(m, ctx):
    y, mo = ctx.year(m["y"]), int(m["m"])
    if not 1 <= mo <= 12:
        raise InvalidDate(f"There is no month {mo}: months run from 1 to 12.", month=mo)
    i = month_index(y, mo)
    return ctx.interp(i, i, "month"), (), {}


def _numeric_month(m, ctx):
    return _iso_month(m, ctx)


def _month_no_year(m, ctx):
    """A month without a year ("funds earned in August"): the most recent one, said so."""
    if ctx.today is None:
        return None, (), {}
    mo = ctx.g.month(m["m"])
    year = ctx.today.year if mo <= ctx.today.month else ctx.today.year - 1
    ctx.cal.check_year(year)
    i = month_index(year, mo)
    return ctx.interp(i, i, "most_recent"), (), {}


def _day_month_no_year(m, ctx):
    if ctx.today is None:
        return None, (), {}
    mo, d = ctx.g.month(m["m"]), _day_number(m["d"])
    if not 1 <= d <= 31:
        return None, (), {}
    year = ctx.today.year if (mo, d) <= (ctx.today.month, ctx.today.day) else ctx.today.year - 1
    i = _day_interp(ctx, year, mo, d, "most_recent")
    return i, (), {}


def _cjk_date(m, ctx):
    return _day_interp(ctx, ctx.year(m["y"]), int(m["m"]), int(m["d"]), "iso"), (), {}


def _dotted_day_month_rel_year(m, ctx):
    return _day_interp(ctx, ctx.year(m["yp"]), int(m["m"]), int(m["d"]), "dmy_words"), (), {}


def _dotted_day_month_no_year(m, ctx):
    if ctx.today is None:
        return None, (), {}
    mo, d = int(m["m"]), int(m["d"])
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return None, (), {}
    year = ctx.today.year if (mo, d) <= (ctx.today.month, ctx.today.day) else ctx.today.year - 1
    return _day_interp(ctx, year, mo, d, "most_recent"), (), {}  # "31.11.": said there is no such day


def _year(m, ctx):
    y = ctx.year(m["y"])
    return ctx.interp(month_index(y, 1), month_index(y, 12), "calendar_year"), (), {}


# --- relative time (resolved by understanding.relative against the asker's today) -----------

def _span_interp(ctx: _Context, span: tuple[date, date], reading: str = "relative") -> Interpretation:
    start, end = span
    ctx.cal.check_date(start)
    ctx.cal.check_date(end)
    if start == end:
        return _day_interp(ctx, start.year, start.month, start.day, reading)
    return ctx.interp(month_index(start.year, start.month), month_index(end.year, end.month), reading)


def _offset(m, ctx) -> int:
    if m.groupdict().get("rb"):
        return ctx.g.before[re.sub(r"\s+", " ", m["rb"])]
    return ctx.g.after[re.sub(r"\s+", " ", m["ra"])]


def _rel_unit(m, ctx):
    if ctx.today is None:
        return None, (), {}
    unit = ctx.g.units[m["u"]]
    return _span_interp(ctx, resolve(unit, _offset(m, ctx), ctx.today, ctx.cal)), (), {}


def _rel_day_of_month(m, ctx):
    if ctx.today is None:
        return None, (), {}
    start, _ = resolve("month", _offset(m, ctx), ctx.today, ctx.cal)
    return _day_interp(ctx, start.year, start.month, _day_number(m["d"]), "relative"), (), {}


def _count(m, ctx) -> int:
    n = m["n"]
    return int(n) if n.isdigit() else ctx.g.numbers[re.sub(r"\s+", " ", n)]


def _rel_ago(m, ctx):
    if ctx.today is None:
        return None, (), {}
    unit = ctx.g.units[m["u"]]
    return _span_interp(ctx, resolve(unit, -_count(m, ctx), ctx.today, ctx.cal)), (), {}


def _rel_ahead(m, ctx):
    if ctx.today is None:
        return None, (), {}
    unit = ctx.g.units[m["u"]]
    return _span_interp(ctx, resolve(unit, _count(m, ctx), ctx.today, ctx.cal)), (), {}


def _rel_year_phrase(m, ctx):
    if ctx.today is None:
        return None, (), {}
    return _span_interp(ctx, resolve("year", ctx.g.year_phrases[re.sub(r"\s+", " ", m["yp"])], ctx.today, ctx.cal)), (), {}


def _rel_day(m, ctx):
    if ctx.today is None:
        return None, (), {}
    return _span_interp(ctx, resolve("day", ctx.g.rel_days[m["r"]], ctx.today, ctx.cal)), (), {}


def _rel_phrase(m, ctx):
    if ctx.today is None:
        return None, (), {}
    unit, offset = ctx.g.rel_phrases[re.sub(r"\s+", " ", m["ph"])]
    return _span_interp(ctx, resolve(unit, offset, ctx.today, ctx.cal)), (), {}


def _rel_weekday(m, ctx):
    if ctx.today is None:
        return None, (), {}
    offset, target = _offset(m, ctx), ctx.g.weekdays[m["wd"]]
    delta = (target - ctx.today.weekday()) % 7
    if offset < 0:
        days = -((ctx.today.weekday() - target) % 7 or 7)
    elif offset > 0:
        days = delta or 7
    else:
        days = delta if delta else 0
    return _span_interp(ctx, resolve("day", days, ctx.today, ctx.cal)), (), {}


def _rel_season(m, ctx):
    """"next spring", "last summer", "l'été prochain": the season's months, placed from today."""
    if ctx.today is None:
        return None, (), {}
    a, b = ctx.g.seasons[m["s"]]
    offset = _offset(m, ctx)
    length = (b - a) % 12
    start, _ = resolve("named_month", offset if offset else 0, ctx.today, ctx.cal, month=a)
    if offset == 0 and start.month == a and (ctx.today.month - a) % 12 > length:
        start, _ = resolve("named_month", 1, ctx.today, ctx.cal, month=a)  # "this spring" said in autumn: the coming one
    first = month_index(start.year, start.month)
    return ctx.interp(first, first + length, "relative"), (), {}


def _rel_named_half(m, ctx):
    name = "H" + m["h"]
    if ctx.today is None:
        return None, (), {"half_name": name}
    span = resolve("named_half", _offset(m, ctx), ctx.today, ctx.cal, name=name)
    return _span_interp(ctx, span), (), {"half_name": name}


def _month_rel_year(m, ctx):
    if ctx.today is None:
        return None, (), {}
    span = resolve("month_of_year", ctx.g.year_phrases[re.sub(r"\s+", " ", m["yp"])], ctx.today, ctx.cal,
                   month=ctx.g.month(m["m"]))
    return _span_interp(ctx, span), (), {}


def _rel_month_day(m, ctx):
    """A day of the month a relative word names ("le 12 mars prochain": 12 March of the next March)."""
    if ctx.today is None:
        return None, (), {}
    start, _ = resolve("named_month", _offset(m, ctx), ctx.today, ctx.cal, month=ctx.g.month(m["m"]))
    return _day_interp(ctx, start.year, start.month, _day_number(m["d"]), "relative"), (), {}


def _rel_month(m, ctx):
    if ctx.today is None:
        return None, (), {}
    span = resolve("named_month", _offset(m, ctx), ctx.today, ctx.cal, month=ctx.g.month(m["m"]))
    return _span_interp(ctx, span), (), {}


# --------------------------------------------------------------------------------------
# the scanner


@lru_cache(maxsize=4)
def _grammar(gen: int) -> _Grammar:
    return _Grammar(packs.vocab())


def grammar() -> _Grammar:
    return _grammar(packs.generation())


def find_periods(text: str, *, locale: str | None = None, today: date | None = None,
                 convention: str | None = None, cal: CoopCalendar | None = None) -> list[PeriodReading]:
    """Every period named in ``text``, in order; overlapping matches keep the longest.

    Raises :class:`InvalidDate` or :class:`OutOfRange` when the text names a day or year the
    rules cannot answer for (``2021-02-30``, ``August 1850``): a wrong answer is never given.
    Readings that depend on the day (``H1`` alone, "last month") need ``today``; without it they
    come back ambiguous with no candidates.
    """
    cal = cal or _calendar()
    convention = convention or cal.policy.fy_default
    if convention not in cal.policy.fy_conventions:
        raise ValueError(f"unknown FY label convention {convention!r}")
    if today is not None:
        cal.check_date(today)
    folded = fold(text)
    g = grammar()
    ctx = _Context(cal, convention, locale, today, g)
    matches: list[tuple[int, int, int, _Rule, re.Match[str]]] = []
    for order, (rule, possible) in enumerate(zip(g.rules, g.prefilter.possible(folded))):
        if not possible:
            continue  # the text lacks every word this rule needs: scanning it finds nothing
        for m in rule.pattern.finditer(folded):
            matches.append((m.start(), m.end(), order, rule, m))
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
                                 extra.get("half_name"), rule.needs_today, matched, extra.get("span")))
    return _labels_given_months(_calendar_quarters_said(_month_years_from_context(out, ctx), folded), folded)


_MONTH_SPANS = ("range", "month", "calendar_half", "half_year")


def _labels_given_months(readings: list[PeriodReading], folded: str) -> list[PeriodReading]:
    """"FY20 H1 = Juli–Dezember 2020", "« FY20 H1 » pour juillet–décembre 2020", "FY27 H1 (Jul–Dec
    2026)": an FY label the message gives its months is the partner's name for those months (the
    co-op page's 2020 table, the partner's own fiscal year, or Microsoft's): the months are what is
    meant, and the answer names them in Microsoft's calendar (SPEC rule 8); the label is not read
    again as another period."""
    if not any(r.kind in ("fy_half", "fy_year") for r in readings):
        return readings
    gap = grammar().label_gap
    out = []
    for n, r in enumerate(readings):
        nxt = readings[n + 1] if n + 1 < len(readings) else None
        if (r.kind in ("fy_half", "fy_year") and nxt is not None and nxt.kind in _MONTH_SPANS and nxt.primary is not None
                and nxt.start - r.end <= LABEL_MONTHS_REACH and gap.match(folded[r.end:nxt.start])):
            continue
        out.append(r)
    return out


# how far after an FY label the months the message gives it may start
LABEL_MONTHS_REACH = 24


# how far around a quarter a "calendar"/"civil" mark still says which quarter it is
CALENDAR_MARK_REACH = 40


def _calendar_quarters_said(readings: list[PeriodReading], folded: str) -> list[PeriodReading]:
    """"T1 2027 (fin mars, trimestre civil)", "Q2 2027 – calendar quarter, so Apr-Jun": a quarter
    the message itself calls a calendar one has no fiscal reading beside it."""
    if not any(r.primary is not None and r.primary.reading == "calendar_quarter" and r.alternatives for r in readings):
        return readings
    mark = grammar().calendar_mark
    out = []
    for r in readings:
        if r.primary is not None and r.primary.reading == "calendar_quarter" and r.alternatives and mark.search(
                folded, max(0, r.start - CALENDAR_MARK_REACH), r.end + CALENDAR_MARK_REACH):
            r = dataclasses.replace(r, alternatives=())
        out.append(r)
    return out


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
            year = next((y for y in years if anchor.primary.start <= date(y, month, 1) <= anchor.primary.end), years[-1])
            if r.primary.day is not None:
                interp = _day_interp(ctx, ctx.cal.check_year(year), month, r.primary.day.day, "dmy_words")
                r = PeriodReading("date", r.text, r.start, r.end, interp, (), None, False, r.matched)
            else:
                i = month_index(ctx.cal.check_year(year), month)
                r = PeriodReading("month", r.text, r.start, r.end, ctx.interp(i, i, "month"), (), None, False, r.matched)
        out.append(r)
    return out


_FILLER = re.compile(r"[\s,.;:!?()'\"]*")


def read_period(text: str, **kwargs) -> PeriodReading:
    """The one period a short text names ("FY21 H2", "août 2021"); :class:`UnreadablePeriod` if
    it names none, several, or has words left over that are not a period."""
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
