"""The activity side of the cycle: which earnings pay for an activity, and when it is claimed.

A claim reimburses activities executed in one usage period (SPEC rule 7, "Activities and
claims"). An activity (event, webinar, campaign, ad, training…) executed on day D belongs to
the usage period that contains D, is paid from the earnings of the half just before it, and is
claimed in that cycle's claiming window. Reading D as an earning date instead gives a window
half a year late.

>>> from datetime import date
>>> c = cycle_for_activity(date(2024, 3, 12))          # a webinar on 12 March 2024
>>> c.earning.start, c.earning.end                     # paid from co-op earned Jul – Dec 2023
(datetime.date(2023, 7, 1), datetime.date(2023, 12, 31))
>>> c.usage.start, c.usage.end                         # its usage period
(datetime.date(2024, 1, 1), datetime.date(2024, 6, 30))
>>> c.claiming.start, c.claiming.end                   # claimed Feb 16 – Aug 15, 2024
(datetime.date(2024, 2, 16), datetime.date(2024, 8, 15))

Earnings fund only activities inside their usage period:

>>> h = calendar().half_containing(date(2026, 7, 1))   # Jul – Dec 2026 earnings
>>> v = funding_verdict(h, date(2027, 8, 10))          # an event in August 2027
>>> v.ok, v.reason, v.usage.start, v.usage.end
(False, 'too_late', datetime.date(2027, 1, 1), datetime.date(2027, 6, 30))
>>> v.funding_cycle.earning.start, v.funding_cycle.earning.end   # what pays for August 2027
(datetime.date(2027, 1, 1), datetime.date(2027, 6, 30))

A claim submitted on a day belongs to the one cycle whose claiming window contains that day:

>>> cycle_claimable_on(date(2026, 12, 1)).earning.start
datetime.date(2026, 1, 1)
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from .periods import CoopCalendar, Cycle, DateRange, Half, calendar
from .retention import keep_until

Reason = Literal["ok", "too_early", "too_late"]


@dataclass(frozen=True)
class FundingVerdict:
    """Whether earnings of one half can fund an activity on one day.

    ``reason`` is ``"ok"`` (the day lies in the earnings' usage period), ``"too_early"`` (the
    day is before that usage period starts) or ``"too_late"`` (after it ends: the earnings are
    forfeited by then). ``funding_cycle`` is the cycle whose earnings *can* fund an activity
    on that day (= :func:`cycle_for_activity`); it is the asked cycle when ``ok``.
    """

    ok: bool
    reason: Reason
    day: date
    earning: Half  # the earnings asked about
    usage: Half  # their usage period: the only days they can fund
    funding_cycle: Cycle  # the cycle that pays for an activity on ``day``


@dataclass(frozen=True)
class ActivityFacts:
    """What a partner needs for an activity on one day: its cycle and its PoE keep-until date."""

    day: date
    cycle: Cycle  # usage period containing ``day``, its earnings and its claiming window
    keep_until: date  # keep the proof-of-execution originals until this day (rule 9)


@dataclass(frozen=True)
class SpanPart:
    """The days of an activity span that lie in one usage period, and that period's cycle."""

    days: DateRange
    cycle: Cycle


@dataclass(frozen=True)
class SpanVerdict:
    """:func:`funding_verdict` for one part of a span: ``verdict.day`` is the part's first day."""

    days: DateRange
    verdict: FundingVerdict


def _lag(cal: CoopCalendar) -> int:
    return cal.policy.periods.usage_halves_after_earning


def cycle_for_activity(day: date, cal: CoopCalendar | None = None) -> Cycle:
    """The cycle whose **usage** period contains ``day``: the earnings that pay for an activity
    executed that day, and the window in which it is claimed.

    Not :meth:`CoopCalendar.cycle_for_date`, which reads ``day`` as an *earning* date.
    :class:`~core.errors.OutOfRange` when ``day`` lies outside the policy's years (the earning
    half of a January–June 2000 activity, Jul – Dec 1999, is still returned).

    >>> c = cycle_for_activity(date(2026, 11, 20))     # an activity executed in November 2026
    >>> c.earning.start, c.claiming.end
    (datetime.date(2026, 1, 1), datetime.date(2027, 2, 15))
    >>> cycle_for_activity(date(2026, 5, 15)).claiming.start   # an event on 15 May 2026
    datetime.date(2026, 2, 16)
    """
    cal = cal or calendar()
    cal.check_date(day)
    return cal.cycle(cal.next_half(cal.half_containing(day), -_lag(cal)))


def funding_verdict(earning: Half, day: date, cal: CoopCalendar | None = None) -> FundingVerdict:
    """Can earnings of the half ``earning`` fund an activity executed on ``day``?

    Yes exactly when ``day`` lies in their usage period. ``earning`` must be a fiscal half
    (a :class:`Half` from the calendar); a span that is not one raises ``ValueError``.

    >>> h = calendar().half_containing(date(2026, 7, 1))    # Jul – Dec 2026
    >>> funding_verdict(h, date(2027, 5, 1)).reason         # a campaign in May 2027
    'ok'
    >>> funding_verdict(h, date(2026, 12, 31)).reason       # still being earned that day
    'too_early'
    """
    cal = cal or calendar()
    cal.check_date(day)
    half = cal.half_at(earning.first)
    if half.last != earning.last:
        raise ValueError(f"{earning.start} – {earning.end} is not a fiscal half")
    usage = cal.cycle(half).usage
    reason: Reason = "too_early" if day < usage.start else "too_late" if day > usage.end else "ok"
    return FundingVerdict(reason == "ok", reason, day, half, usage, cycle_for_activity(day, cal))


def cycles_for_activity_span(first_day: date, last_day: date, cal: CoopCalendar | None = None) -> list[Cycle]:
    """The cycles whose usage periods an activity running ``first_day`` .. ``last_day``
    (inclusive) touches, in order: one cycle per usage period, so a plan across two usage
    periods ("a campaign May – July 2027") is answered per period. For a span given as a
    :class:`MonthSpan` or :class:`DateRange` pass its ``.start`` and ``.end``.

    >>> [(c.earning.start, c.usage.end) for c in cycles_for_activity_span(date(2027, 5, 1), date(2027, 7, 31))]
    [(datetime.date(2026, 7, 1), datetime.date(2027, 6, 30)), (datetime.date(2027, 1, 1), datetime.date(2027, 12, 31))]
    """
    cal = cal or calendar()
    if last_day < first_day:
        raise ValueError(f"the span ends ({last_day}) before it starts ({first_day})")
    out = [cycle_for_activity(first_day, cal)]
    cal.check_date(last_day)
    while out[-1].usage.end < last_day:
        out.append(cal.cycle(cal.next_half(out[-1].earning)))
    return out


def split_activity_span(first_day: date, last_day: date, cal: CoopCalendar | None = None) -> list[SpanPart]:
    """An activity span cut at usage-period boundaries: one :class:`SpanPart` per usage period
    it touches, in order, each with the days of the span inside it.

    >>> [(p.days.start, p.days.end, p.cycle.claiming.end)
    ...  for p in split_activity_span(date(2027, 5, 1), date(2027, 7, 31))]   # doctest: +NORMALIZE_WHITESPACE
    [(datetime.date(2027, 5, 1), datetime.date(2027, 6, 30), datetime.date(2027, 8, 15)),
     (datetime.date(2027, 7, 1), datetime.date(2027, 7, 31), datetime.date(2028, 2, 15))]
    """
    return [SpanPart(DateRange(max(first_day, c.usage.start), min(last_day, c.usage.end)), c)
            for c in cycles_for_activity_span(first_day, last_day, cal)]


def funding_verdicts_for_span(earning: Half, first_day: date, last_day: date,
                              cal: CoopCalendar | None = None) -> list[SpanVerdict]:
    """:func:`funding_verdict` for each part of an activity span (:func:`split_activity_span`):
    the plan is fundable from ``earning`` exactly when every part is ``ok``.

    >>> h = calendar().half_containing(date(2026, 7, 1))   # Jul – Dec 2026 funds, May – Jul 2027 campaign
    >>> [(v.days.start, v.verdict.reason) for v in funding_verdicts_for_span(h, date(2027, 5, 1), date(2027, 7, 31))]
    [(datetime.date(2027, 5, 1), 'ok'), (datetime.date(2027, 7, 1), 'too_late')]
    """
    cal = cal or calendar()
    return [SpanVerdict(p.days, funding_verdict(earning, p.days.start, cal))
            for p in split_activity_span(first_day, last_day, cal)]


def cycle_claimable_on(day: date, cal: CoopCalendar | None = None) -> Cycle:
    """The cycle a claim submitted on ``day`` belongs to: the one whose claiming window contains
    ``day`` (the windows are contiguous and never overlap, so there is exactly one).

    >>> c = cycle_claimable_on(date(2021, 8, 16))      # the day after the FY20 H1 window closed
    >>> c.earning.start, c.claiming.start, c.claiming.end
    (datetime.date(2021, 1, 1), datetime.date(2021, 8, 16), datetime.date(2022, 2, 15))
    """
    return (cal or calendar()).cycle_claimable_on(day)


def activity_facts(day: date, cal: CoopCalendar | None = None) -> ActivityFacts:
    """An activity's cycle (:func:`cycle_for_activity`) and its PoE keep-until date in one call.

    >>> f = activity_facts(date(2024, 3, 12))
    >>> f.cycle.claiming.end, f.keep_until
    (datetime.date(2024, 8, 15), datetime.date(2026, 3, 12))
    """
    cal = cal or calendar()
    return ActivityFacts(day, cycle_for_activity(day, cal), keep_until(day, cal))
