"""An activity's co-op facts, computed only by ``core`` (no rule is derived here).

SPEC rule 8: an activity executed on day D belongs to the usage period containing D, is paid
from the earnings of the half before it and is claimed in that cycle's claiming window
(:func:`core.split_activity_span`, :func:`core.cycle_for_activity`). PoE originals are kept
24 months after the activity date (rule 9, :func:`core.keep_until`).

A webinar on 12 March 2027 (the issue's example):

>>> f = activity_facts(date(2027, 3, 12), date(2027, 3, 12), date(2027, 1, 5))
>>> [(h.start, h.end) for h in f.earnings]
[(datetime.date(2026, 7, 1), datetime.date(2026, 12, 31))]
>>> f.claim_opens, f.claim_closes, f.keep_until, f.spans_two_usage_periods
(datetime.date(2027, 2, 16), datetime.date(2027, 8, 15), datetime.date(2029, 3, 12), False)

**An activity over several days** ("trade show 3–5 June 2027") keeps its originals until 24
months after its *last* day: rule 9 counts from "the activity date", and for an activity of
several days only the last one gives 24 months for every day of it.

**An activity across two usage periods** (a campaign 15 June – 15 July 2027): SPEC says a
claim reimburses activities executed in *one* usage period and Partner Center creates each
claim for a usage period, and ``core`` answers such a span per usage period, each part with
its own earnings and claiming window (:func:`core.split_activity_span`). SPEC does not say
how one activity across two usage periods is claimed (split across two claims, or otherwise):
that is not decided here. The facts give every part (``parts``) and
``spans_two_usage_periods``; the answer points the partner to Partner Center's claim page
and the core requirements (policy links ``create_claim``, ``core_requirements``).
``claim_opens``/``claim_closes`` are the first part's window, the first deadline the partner
can miss; reminders cover every part's window.

>>> f = activity_facts(date(2027, 6, 15), date(2027, 7, 15), date(2027, 1, 5))
>>> f.spans_two_usage_periods, [(p.claim_opens, p.claim_closes) for p in f.parts]
(True, [(datetime.date(2027, 2, 16), datetime.date(2027, 8, 15)), (datetime.date(2027, 8, 16), datetime.date(2028, 2, 15))])
>>> f.current.claim_closes                         # on 5 January 2027 the first window is ahead
datetime.date(2027, 8, 15)
>>> activity_facts(date(2027, 6, 15), date(2027, 7, 15), date(2027, 9, 1)).current.claim_closes
datetime.date(2028, 2, 15)
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Optional

from core import DateRange, Half, keep_until, split_activity_span

__all__ = ["ClaimPart", "ActivityFacts", "activity_facts", "half_label"]


def half_label(half: Half) -> str:
    """An earning half as the reminder ledger names its cycle (``reminders.schedule.cycle_label``):
    the calendar year of its first month and its name.

    >>> from core import calendar
    >>> half_label(calendar().half_containing(date(2026, 8, 1)))
    '2026-H1'
    """
    return f"{half.start.year}-{half.name}"


@dataclass(frozen=True)
class ClaimPart:
    """The days of an activity in one usage period, with what pays for them and when they
    are claimed (one :class:`core.SpanPart`)."""

    days: DateRange
    earning: Half
    usage: Half
    claim_opens: date
    claim_closes: date

    @property
    def cycle_label(self) -> str:
        """The earning half as the reminder ledger names it (``2026-H1``: calendar year of
        its first month)."""
        return half_label(self.earning)


@dataclass(frozen=True)
class ActivityFacts:
    """What ``core`` says of an activity running ``start`` .. ``end`` (see the module)."""

    earnings: tuple[Half, ...]  # one per usage period touched, in order
    usage: tuple[Half, ...]
    claim_opens: date  # the first part's claiming window
    claim_closes: date
    keep_until: date  # PoE originals: 24 months after the last day (rule 9)
    spans_two_usage_periods: bool  # two or more usage periods
    parts: tuple[ClaimPart, ...]
    current: Optional[ClaimPart]  # on ``today``: the first part whose window has not closed


def activity_facts(start: date, end: date, today: date) -> ActivityFacts:
    """The facts of an activity from ``start`` to ``end`` (inclusive) on ``today``.

    ``core``'s errors pass through: :class:`core.OutOfRange` for a day outside 2000–2100,
    ``ValueError`` for ``end`` before ``start``.
    """
    parts = tuple(ClaimPart(p.days, p.cycle.earning, p.cycle.usage, p.cycle.claiming.start,
                            p.cycle.claiming.end)
                  for p in split_activity_span(start, end))
    current = next((p for p in parts if p.claim_closes >= today), None)
    return ActivityFacts(
        earnings=tuple(p.earning for p in parts),
        usage=tuple(p.usage for p in parts),
        claim_opens=parts[0].claim_opens,
        claim_closes=parts[0].claim_closes,
        keep_until=keep_until(end),
        spans_two_usage_periods=len(parts) > 1,
        parts=parts,
        current=current,
    )
