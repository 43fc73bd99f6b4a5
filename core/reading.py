"""The types a reading of a period is made of, and the text folding every reader uses.

Reading partners' words (month names, "of"/"de", relative time...) is the understanding
layer's job (``understanding/reading.py``, words from per-language data files); core keeps
the rules and the shapes of a reading: :class:`PeriodReading` with a ``primary``
:class:`Interpretation` (the reading the product takes and states) and ``alternatives`` that
would lead to *different earning periods*. When no reading can be preferred (``03/04/2024``
with no locale), ``primary`` is None and the reading is ``ambiguous``: ask, never guess.

>>> fold("Août 2021 – l’été")
"aout 2021 - l'ete"
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date

from .periods import Half, MonthSpan

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
    # the first and last day of a run of days ("3-5 June 2027", an ISO week): ``primary`` holds
    # the months they lie in, this the days themselves (what a tracked activity keeps)
    days: tuple[date, date] | None = None

    @property
    def ambiguous(self) -> bool:
        return self.primary is None

    @property
    def candidates(self) -> tuple[Interpretation, ...]:
        return ((self.primary,) if self.primary else ()) + self.alternatives


# --------------------------------------------------------------------------------------
# folding text without moving positions


_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"), "-")
_QUOTES = dict.fromkeys(map(ord, "\u2018\u2019\u02bc\u2032\u0060\u00b4"), "'")
_SPACES = dict.fromkeys(map(ord, "\u00a0\u202f\u2007\u2009\u200a\u3000\t\r\n\v\f"), " ")


def fold_char(ch: str) -> str:
    """One character folded (the rule :func:`fold` applies to each): lower-cased, its accents
    stripped, dashes, quotes and spaces unified; always one character."""
    ch = ch.translate(_DASHES).translate(_QUOTES).translate(_SPACES)
    if ch.isascii():
        return ch.lower()
    base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c)).lower()
    return base if len(base) == 1 else (ch.lower() if len(ch.lower()) == 1 else ch)


_FOLD_TABLE_MAX = 20_000  # characters remembered; text full of rare ones cannot grow it further


class _FoldTable(dict):
    """``str.translate`` table of :func:`fold_char`, filled on first sight of each character."""

    def __missing__(self, code: int) -> str:
        folded = fold_char(chr(code))
        if len(self) < _FOLD_TABLE_MAX:
            self[code] = folded
        return folded


_FOLD = _FoldTable()


def fold(text: str) -> str:
    """Lower-case, strip accents, unify dashes, quotes and spaces; same length as ``text``.
    One ``str.translate`` (in C) through a table that learns each character once."""
    return text.translate(_FOLD)
