"""Facts relative to a given calendar day ("today" is always passed in, never read here).

>>> from datetime import date
>>> s = status(date(2026, 11, 27))
>>> s.open_window.earning.start, s.open_window.claiming.end, s.days_left
(datetime.date(2026, 1, 1), datetime.date(2027, 2, 15), 80)
>>> s.next_forfeiture.earning.start, s.next_forfeiture.forfeiture
(datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .periods import CoopCalendar, Cycle, Half, calendar


@dataclass(frozen=True)
class HalfWindow:
    """The claiming window of the next earnings of a named half (H1 or H2) as of a day."""

    cycle: Cycle
    state: str  # "open" (claimable today), "upcoming" (opens later)
    days_left: int | None  # days until the window closes, when open (0 = closes today)
    days_until_open: int | None  # days until it opens, when upcoming
    recently_closed: Cycle | None  # the previous window of this half, if it closed recently
    days_since_closed: int | None


@dataclass(frozen=True)
class Status:
    """What matters on one day: what is accruing, what must be used, what can be claimed."""

    today: date
    accruing: Half  # earnings made today accrue to this earning period
    using: Cycle  # the cycle whose usage period contains today (its funds must be used now)
    open_window: Cycle  # the cycle whose claiming window contains today
    days_left: int  # days until that window closes (0 = today is the last day)
    next_forfeiture: Cycle  # the next usage period to end: unused funds forfeited on its last day
    days_to_forfeiture: int
    previous_window: Cycle  # the window that closed most recently
    days_since_previous_closed: int


def days_between(start: date, end: date) -> int:
    return (end - start).days


def status(today: date, cal: CoopCalendar | None = None) -> Status:
    cal = cal or calendar()
    cal.check_date(today)
    accruing = cal.half_containing(today)
    lag = cal.policy.periods.usage_halves_after_earning
    using = cal.cycle(cal.next_half(accruing, -lag))
    open_window = cal.cycle_claimable_on(today)
    previous = cal.cycle(cal.next_half(open_window.earning, -1))
    return Status(
        today=today,
        accruing=accruing,
        using=using,
        open_window=open_window,
        days_left=days_between(today, open_window.claiming.end),
        next_forfeiture=using,
        days_to_forfeiture=days_between(today, using.forfeiture),
        previous_window=previous,
        days_since_previous_closed=days_between(previous.claiming.end, today),
    )


def window_for_half(name: str, today: date, cal: CoopCalendar | None = None) -> HalfWindow:
    """"H1 funds" without a year: the H1 earnings whose claiming window has not closed yet
    (the open one, else the next one), with the previous H1 window if it closed recently.
    """
    cal = cal or calendar()
    cal.check_date(today)
    name = name.upper()
    if name not in ("H1", "H2"):
        raise ValueError(f"unknown half {name!r}: H1 or H2")
    half = cal.half_containing(today)
    # walk back to a cycle of this half whose window is already closed, then forward
    while half.name != name:
        half = cal.next_half(half, -1)
    cyc = cal.cycle(half)
    while cyc.claiming.end >= today:
        cyc = cal.cycle(cal.next_half(cyc.earning, -2))
    closed = cyc
    cyc = cal.cycle(cal.next_half(closed.earning, 2))
    since = days_between(closed.claiming.end, today)
    recent = closed if since <= cal.policy.recently_closed_days else None
    if today in cyc.claiming:
        return HalfWindow(cyc, "open", days_between(today, cyc.claiming.end), None, recent, since if recent else None)
    return HalfWindow(cyc, "upcoming", None, days_between(today, cyc.claiming.start), recent, since if recent else None)


def claim_state(cycle: Cycle, today: date) -> str:
    """"upcoming", "open" or "closed": where a cycle's claiming window stands on a day."""
    if today < cycle.claiming.start:
        return "upcoming"
    if today > cycle.claiming.end:
        return "closed"
    return "open"


def usage_state(cycle: Cycle, today: date) -> str:
    """"earning" (still accruing), "upcoming" is never used: "earning", "in_use" or "forfeited"."""
    if today <= cycle.earning.end:
        return "earning"
    if today <= cycle.usage.end:
        return "in_use"
    return "forfeited"
