"""Relative periods ("last month", "this quarter", "next H2", "October of last year") resolved
against a given today, from **structured** input: a unit, an offset or a choice of
``"this" | "last" | "next"``. Reading the words of a message is the understanding layer's
job; nothing here looks at text. ``today`` is always a parameter.

Every resolver returns core's own span types (:class:`MonthSpan`, :class:`Half`,
:class:`DateRange` for a week) or a :class:`date`, so the rest of core takes them as usual. A result whose months fall outside
the policy's years raises :class:`~core.errors.OutOfRange`, as the rest of core does.

>>> from datetime import date
>>> today = date(2026, 12, 1)
>>> shift_day(today, -1)                                  # yesterday
datetime.date(2026, 11, 30)
>>> m = month(today, -1); m.start, m.end                  # last month
(datetime.date(2026, 11, 1), datetime.date(2026, 11, 30))
>>> q = quarter(today, 0); q.start, q.end                 # this quarter / ce trimestre
(datetime.date(2026, 10, 1), datetime.date(2026, 12, 31))
>>> h = half(today, 1); h.name, h.start, h.end            # next half
('H2', datetime.date(2027, 1, 1), datetime.date(2027, 6, 30))
>>> y = year(today, -1); y.start, y.end                   # last year / l'an dernier
(datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))
>>> o = month_of_year(10, -1, today); o.start             # October of last year
datetime.date(2025, 10, 1)
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Literal, TypeVar

from .periods import CoopCalendar, DateRange, Half, MonthSpan, calendar, last_day, month_index, month_of

Which = Literal["this", "last", "next"]
Span = TypeVar("Span", bound=MonthSpan)

_WHICH = ("this", "last", "next")


def _checked(span: Span, cal: CoopCalendar) -> Span:
    """``span`` if all its months lie in the policy's years, else :class:`OutOfRange`."""
    cal.check_year(month_of(span.first)[0])
    cal.check_year(month_of(span.last)[0])
    return span


def _fy_offset(cal: CoopCalendar) -> int:
    return cal.policy.periods.fiscal_year_start_month - 1


def _today_index(today: date, cal: CoopCalendar) -> int:
    cal.check_date(today)
    return month_index(today.year, today.month)


def shift_day(today: date, days: int, cal: CoopCalendar | None = None) -> date:
    """The day ``days`` days from ``today`` (negative: before): "yesterday" is ``-1``,
    "in two weeks" ``14``.

    >>> shift_day(date(2024, 3, 1), -1)
    datetime.date(2024, 2, 29)
    """
    cal = cal or calendar()
    cal.check_date(today)
    return cal.check_date(today + timedelta(days=days))


def shift_months(today: date, months: int, cal: CoopCalendar | None = None) -> date:
    """The same day of the month ``months`` months from ``today`` ("two months from now" as a
    day), clamped to the month's last day when that month is shorter.

    >>> shift_months(date(2026, 12, 31), 2), shift_months(date(2026, 12, 31), -3)
    (datetime.date(2027, 2, 28), datetime.date(2026, 9, 30))
    """
    cal = cal or calendar()
    y, m = month_of(_today_index(today, cal) + months)
    cal.check_year(y)
    return date(y, m, min(today.day, last_day(y, m)))


def week(today: date, offset: int = 0, cal: CoopCalendar | None = None) -> DateRange:
    """The week (Monday – Sunday, ISO 8601, as in France and most of Europe) ``offset`` weeks
    from today's: ``0`` this week, ``-1`` last week, ``1`` next week / la semaine prochaine.

    >>> w = week(date(2026, 12, 1), 1); w.start, w.end     # 1 Dec 2026 is a Tuesday
    (datetime.date(2026, 12, 7), datetime.date(2026, 12, 13))
    """
    cal = cal or calendar()
    cal.check_date(today)
    start = today - timedelta(days=today.weekday()) + timedelta(weeks=offset)
    end = start + timedelta(days=6)
    cal.check_date(start)
    cal.check_date(end)
    return DateRange(start, end)


def month(today: date, offset: int = 0, cal: CoopCalendar | None = None) -> MonthSpan:
    """The calendar month ``offset`` months from today's: ``0`` this month, ``-1`` last month,
    ``1`` next month / le mois prochain, ``-2`` two months ago, ``2`` two months from now.

    >>> m = month(date(2026, 1, 15), -2); m.start, m.end
    (datetime.date(2025, 11, 1), datetime.date(2025, 11, 30))
    """
    cal = cal or calendar()
    i = _today_index(today, cal) + offset
    return _checked(MonthSpan(i, i), cal)


def quarter(today: date, offset: int = 0, kind: Literal["calendar", "fiscal"] = "calendar",
            cal: CoopCalendar | None = None) -> MonthSpan:
    """The quarter ``offset`` quarters from today's (``0`` this quarter, ``-1`` last quarter).

    ``kind="calendar"`` (the default): quarters start in January, April, July and October.
    ``kind="fiscal"``: quarters start with the fiscal year (July); with the product's policy
    the spans are the same three-month blocks, only their numbering (fiscal Q1 = Jul–Sep)
    differs, so the choice only matters for a policy whose year starts in another month.

    >>> q = quarter(date(2026, 2, 10), -1); q.start, q.end
    (datetime.date(2025, 10, 1), datetime.date(2025, 12, 31))
    """
    cal = cal or calendar()
    i = _today_index(today, cal)
    base = 0 if kind == "calendar" else _fy_offset(cal) if kind == "fiscal" else None
    if base is None:
        raise ValueError(f"unknown quarter kind {kind!r}: calendar or fiscal")
    first = i - ((i - base) % 3) + 3 * offset
    return _checked(MonthSpan(first, first + 2), cal)


def half(today: date, offset: int = 0, kind: Literal["fiscal", "calendar"] = "fiscal",
         cal: CoopCalendar | None = None) -> Half | MonthSpan:
    """The half-year ``offset`` halves from today's: ``0`` this half, ``-1`` last half,
    ``1`` next half.

    ``kind="fiscal"`` (the default) gives a fiscal :class:`Half` (H1 = Jul–Dec, H2 = Jan–Jun).
    ``kind="calendar"`` counts calendar halves (Jan–Jun, Jul–Dec, "the first half of calendar
    2023"); with the product's policy (fiscal year from July) these are fiscal halves too and a
    :class:`Half` is returned; for a policy whose halves do not line up, a :class:`MonthSpan`.

    >>> h = half(date(2026, 12, 1), -1); h.name, h.start, h.end        # last half
    ('H2', datetime.date(2026, 1, 1), datetime.date(2026, 6, 30))
    >>> h = half(date(2026, 12, 1), 0, kind="calendar"); h.name, h.start   # Jul–Dec = fiscal H1
    ('H1', datetime.date(2026, 7, 1))
    """
    cal = cal or calendar()
    i = _today_index(today, cal)
    if kind == "fiscal":
        return cal.check_half(cal.next_half(cal.half_of_month(today.year, today.month), offset))
    if kind != "calendar":
        raise ValueError(f"unknown half kind {kind!r}: fiscal or calendar")
    first = i - (i % 6) + 6 * offset
    span = MonthSpan(first, first + 5)
    if cal.policy.periods.half_months == 6 and (first - _fy_offset(cal)) % 6 == 0:
        span = cal.half_at(first)
    return _checked(span, cal)


def named_half(name: str, today: date, which: Which, cal: CoopCalendar | None = None) -> Half:
    """The fiscal half called ``name`` ("H1" = Jul–Dec, "H2" = Jan–Jun) chosen by ``which``:

    - ``"this"``: the half of that name in the fiscal year that contains today (on
      1 Dec 2026, in FY Jul 2026 – Jun 2027: this H1 = Jul–Dec 2026, this H2 = Jan–Jun 2027,
      even though that H2 has not started yet);
    - ``"next"``: the first half of that name that starts after today's half (on 1 Dec 2026:
      next H2 = Jan–Jun 2027, next H1 = Jul–Dec 2027);
    - ``"last"``: the most recent half of that name that ended before today's half started
      (on 1 Dec 2026: last H1 = Jul–Dec 2025, last H2 = Jan–Jun 2026).

    "this", "next" and "last" are positions in the calendar. A **bare** "H1" or "H2" in a
    question about funds ("when must I claim H1 funds?") is a different question: the earnings
    of that name whose claiming window has not closed yet, which
    :func:`core.today.window_for_half` answers (SPEC "What today means"). On 1 Dec 2026 that is
    H1 = Jul–Dec 2026 (window opens Feb 16, 2027), the same half as "this H1", and
    H2 = Jan–Jun 2026 (window open until Feb 15, 2027), the same half as "last H2".

    >>> d = date(2026, 12, 1)
    >>> [(w, named_half("H2", d, w).start) for w in ("last", "this", "next")]
    [('last', datetime.date(2026, 1, 1)), ('this', datetime.date(2027, 1, 1)), ('next', datetime.date(2027, 1, 1))]
    >>> [(w, named_half("H1", d, w).start) for w in ("last", "this", "next")]
    [('last', datetime.date(2025, 7, 1)), ('this', datetime.date(2026, 7, 1)), ('next', datetime.date(2027, 7, 1))]
    >>> from core.today import window_for_half
    >>> window_for_half("H1", d).cycle.earning == named_half("H1", d, "this")
    True
    """
    cal = cal or calendar()
    name = name.upper()
    if name not in ("H1", "H2"):
        raise ValueError(f"unknown half {name!r}: H1 or H2")
    if which not in _WHICH:
        raise ValueError(f"unknown choice {which!r}: this, last or next")
    cal.check_date(today)
    current = cal.half_containing(today)
    if which == "this":
        # the fiscal year's first half, then step to the half of that name inside the year
        h = current
        while h.fiscal_year == current.fiscal_year and h.name != "H1":
            h = cal.next_half(h, -1)
        while h.name != name:
            h = cal.next_half(h)
        return cal.check_half(h)
    step = 1 if which == "next" else -1
    h = cal.next_half(current, step)
    while h.name != name:
        h = cal.next_half(h, step)
    return cal.check_half(h)


def year(today: date, offset: int = 0, kind: Literal["calendar", "fiscal"] = "calendar",
         cal: CoopCalendar | None = None) -> MonthSpan:
    """The year ``offset`` years from today's: ``0`` this year, ``-1`` last year / l'an dernier,
    ``1`` next year.

    ``kind="calendar"``: January – December. ``kind="fiscal"``: the fiscal year (July – June)
    that contains today, shifted; its two halves are ``cal.half_at(span.first)`` (H1) and the
    next one (H2).

    >>> y = year(date(2026, 12, 1), 0, kind="fiscal"); y.start, y.end
    (datetime.date(2026, 7, 1), datetime.date(2027, 6, 30))
    >>> y = year(date(2026, 3, 1), -1, kind="fiscal"); y.start, y.end
    (datetime.date(2024, 7, 1), datetime.date(2025, 6, 30))
    """
    cal = cal or calendar()
    i = _today_index(today, cal)
    if kind == "calendar":
        first = month_index(today.year + offset, 1)
    elif kind == "fiscal":
        first = i - ((i - _fy_offset(cal)) % 12) + 12 * offset
    else:
        raise ValueError(f"unknown year kind {kind!r}: calendar or fiscal")
    return _checked(MonthSpan(first, first + 11), cal)


def month_of_year(month: int, year_offset: int | Literal["next", "last", "upcoming", "recent"], today: date,
                  cal: CoopCalendar | None = None) -> MonthSpan:
    """A named month (1–12) placed relative to today.

    - an ``int`` ``year_offset`` counts calendar years from today's: ``-1`` for "October of
      last year" / "octobre de l'an dernier", ``0`` for "this October" or "October" in this
      year, ``1`` for "October next year";
    - ``"next"`` ("next March", "en mars prochain"): the first such month **after** today's
      month; said in March itself, that is March of next year;
    - ``"last"`` ("last March", "en mars dernier"): the most recent such month **before**
      today's month; said in March itself, that is March of last year;
    - ``"upcoming"`` (a bare month in a plan, "our event is in September"): today's month if it
      is that month, else the next one;
    - ``"recent"`` (a bare month of a past activity, "we held a webinar in March"): today's
      month if it is that month, else the last one.

    >>> d = date(2026, 12, 1)
    >>> month_of_year(3, "next", d).start, month_of_year(3, "last", d).start
    (datetime.date(2027, 3, 1), datetime.date(2026, 3, 1))
    >>> d = date(2026, 3, 20)                               # said in March
    >>> month_of_year(3, "next", d).start, month_of_year(3, "last", d).start
    (datetime.date(2027, 3, 1), datetime.date(2025, 3, 1))
    >>> month_of_year(3, "upcoming", d).start, month_of_year(3, "recent", d).start
    (datetime.date(2026, 3, 1), datetime.date(2026, 3, 1))
    >>> month_of_year(9, "upcoming", d).start, month_of_year(9, "recent", d).start
    (datetime.date(2026, 9, 1), datetime.date(2025, 9, 1))
    """
    cal = cal or calendar()
    if isinstance(month, bool) or not isinstance(month, int) or not 1 <= month <= 12:
        raise ValueError(f"there is no month {month!r}: months run from 1 to 12")
    i = _today_index(today, cal)
    if year_offset in ("next", "upcoming"):  # the first such month after (or at) today's
        after = i + 1 if year_offset == "next" else i
        target = after + ((month - 1 - after) % 12)
    elif year_offset in ("last", "recent"):  # the last such month before (or at) today's
        before = i - 1 if year_offset == "last" else i
        target = before - ((before - (month - 1)) % 12)
    elif isinstance(year_offset, int) and not isinstance(year_offset, bool):
        target = month_index(today.year + year_offset, month)
    else:
        raise ValueError(f"unknown year offset {year_offset!r}: an int, 'next', 'last', 'upcoming' or 'recent'")
    return _checked(MonthSpan(target, target), cal)
