"""Relative time ("last month", "next H2", "two months ago") as dates, against a given today.

The words are read by :mod:`understanding.reading` from the language packs; this module
gets structured input only (a unit, an offset, the asker's today) and hands it to the
rules in ``core.relative``, returning the inclusive (first day, last day) the phrase names.

>>> from datetime import date
>>> t = date(2026, 12, 1)
>>> resolve("half", 0, t), resolve("named_half", 1, t, name="H2")
((datetime.date(2026, 7, 1), datetime.date(2026, 12, 31)), (datetime.date(2027, 1, 1), datetime.date(2027, 6, 30)))
>>> resolve("month", -2, t), resolve("month_of_year", -1, t, month=10)
((datetime.date(2026, 10, 1), datetime.date(2026, 10, 31)), (datetime.date(2025, 10, 1), datetime.date(2025, 10, 31)))
>>> resolve("quarter", 0, t)
(datetime.date(2026, 10, 1), datetime.date(2026, 12, 31))
"""
from __future__ import annotations

from datetime import date

from core import calendar as _calendar
from core import relative as rel
from core.periods import CoopCalendar


def _which(offset: int) -> str:
    return "next" if offset > 0 else "last" if offset < 0 else "this"


def resolve(unit: str, offset: int | str, today: date, cal: CoopCalendar | None = None, *, name: str | None = None,
            month: int | None = None) -> tuple[date, date]:
    """The days a relative phrase names, by the rules of ``core.relative``.

    ``unit``: ``day``, ``week`` (a day ``7 x offset`` days away), ``month``, ``quarter``
    (calendar), ``half`` (fiscal half), ``year`` (calendar), ``named_half`` (``name``
    "H1"/"H2"; offset 0/+1/-1 = this/next/last), ``month_of_year`` (``month`` of the year
    ``offset`` years from today's, or "upcoming"/"recent"), ``named_month`` (offset
    0/+1/-1 = this year's/next/last).
    """
    cal = cal or _calendar()
    if unit == "day":
        d = rel.shift_day(today, int(offset), cal)
        return d, d
    if unit == "week":
        d = rel.shift_day(today, 7 * int(offset), cal)
        return d, d
    if unit == "month":
        span = rel.month(today, int(offset), cal)
    elif unit == "quarter":
        span = rel.quarter(today, int(offset), cal=cal)
    elif unit == "half":
        span = rel.half(today, int(offset), cal=cal)
    elif unit == "year":
        span = rel.year(today, int(offset), cal=cal)
    elif unit == "fiscal_year":
        span = rel.year(today, int(offset), kind="fiscal", cal=cal)
    elif unit == "named_half":
        span = rel.named_half(name or "H1", today, _which(int(offset)), cal)
    elif unit == "month_of_year":
        span = rel.month_of_year(int(month or 1), offset, today, cal)
    elif unit == "named_month":
        span = rel.month_of_year(int(month or 1), _which(int(offset)) if offset else 0, today, cal)
    else:
        raise ValueError(f"unknown relative unit {unit!r}")
    return span.start, span.end
