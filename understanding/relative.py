"""Relative time ("last month", "next H2", "two months ago") as dates, against a given today.

The words are read by :mod:`understanding.reading` from the language packs; this module
gets structured input only (a unit, an offset, the asker's today) and hands it to the
rules in ``core`` (``core.relative`` when it is there), returning the inclusive
(first day, last day) the phrase names.

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

from datetime import date, timedelta

from core import calendar as _calendar
from core.periods import CoopCalendar, last_day, month_index, month_of


def _month_span(first: int, last: int) -> tuple[date, date]:
    (y1, m1), (y2, m2) = month_of(first), month_of(last)
    return date(y1, m1, 1), date(y2, m2, last_day(y2, m2))


def resolve(unit: str, offset: int, today: date, cal: CoopCalendar | None = None, *, name: str | None = None,
            month: int | None = None) -> tuple[date, date]:
    """The days a relative phrase names.

    ``unit``: ``day``, ``week``, ``month``, ``quarter`` (calendar), ``half`` (fiscal half),
    ``year`` (calendar), ``named_half`` (``name`` "H1"/"H2": 0 = that half of today's fiscal
    year, +1 the next one after today's half, -1 the last one before it), ``month_of_year``
    (``month`` of the year ``offset`` years from today's), ``named_month`` (0 = this year's,
    +1 the next one after this month, -1 the last one before it).
    """
    cal = cal or _calendar()
    here = month_index(today.year, today.month)
    if unit == "day":
        d = today + timedelta(days=offset)
        return d, d
    if unit == "week":
        d = today + timedelta(weeks=offset)
        return d, d
    if unit == "month":
        return _month_span(here + offset, here + offset)
    if unit == "quarter":
        first = here - (today.month - 1) % 3 + 3 * offset
        return _month_span(first, first + 2)
    if unit == "year":
        y = today.year + offset
        return date(y, 1, 1), date(y, 12, 31)
    if unit == "half":
        half = cal.next_half(cal.half_containing(today), offset)
        return half.start, half.end
    if unit == "named_half":
        current = cal.half_containing(today)
        if offset == 0:
            half = current if current.name == name else cal.next_half(current, 1 if current.name == "H1" else -1)
        elif offset > 0:
            half = cal.next_half(current, 1)
            while half.name != name:
                half = cal.next_half(half, 1)
            half = cal.next_half(half, 2 * (offset - 1))
        else:
            half = cal.next_half(current, -1)
            while half.name != name:
                half = cal.next_half(half, -1)
            half = cal.next_half(half, 2 * (offset + 1))
        return half.start, half.end
    if unit == "month_of_year":
        i = month_index(today.year + offset, month)
        return _month_span(i, i)
    if unit == "named_month":
        if offset == 0:
            i = month_index(today.year, month)
        elif offset > 0:
            i = month_index(today.year, month)
            while i <= here:
                i += 12
            i += 12 * (offset - 1)
        else:
            i = month_index(today.year, month)
            while i >= here:
                i -= 12
            i += 12 * (offset + 1)
        return _month_span(i, i)
    raise ValueError(f"unknown relative unit {unit!r}")
