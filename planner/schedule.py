"""Which reminders about a plan fall due on which day, and what a reminder renderer gets.
Pure: activities, budgets and dates in; reminder items out.

Offsets are policy data (``planner/schedule.toml``); the dates they count from are
``core``'s, through :func:`planner.facts.activity_facts`. Three kinds:

- ``activity_claim_open``: an activity's claiming window opens (each window of an activity
  across two usage periods);
- ``activity_claim_close``: its window closes in 30 / 7 days, unless it is marked claimed;
- ``budget_unplanned``: the usage period of a budget's earnings ends in 60 / 14 days while
  part of the budget has nothing planned against it (forfeited at its end).

Every item has a stable key, ``<kind>:<activity or budget id>:<cycle>:<offset>``, the
delivery ledger's key (``reminders``), so a reminder is sent once. Items compete per group
(one activity's window, one budget) after downtime: only the latest due is kept, as the
cycle reminders do. Never an item whose deadline has passed, and never one due before the
activity was tracked.

>>> from datetime import datetime, timezone
>>> from decimal import Decimal
>>> from planner.model import Activity
>>> webinar = Activity("a" * 32, "u:29:x", "Webinar", date(2027, 3, 12), date(2027, 3, 12),
...                    None, None, None, "29:x", None, datetime(2027, 1, 5, tzinfo=timezone.utc))
>>> [(i.key, i.due_date.isoformat()) for i in due_plan_reminders([webinar], [], date(2027, 2, 16), date(2027, 2, 15))]
[('activity_claim_open:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:2026-H1:0', '2027-02-16')]
>>> [i.key.split(":")[0] + ":" + i.key.split(":")[-1] for i in due_plan_reminders([webinar], [], date(2027, 8, 8), date(2027, 8, 7))]
['activity_claim_close:7']
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Optional, Protocol, Sequence

from core import calendar

from .facts import ActivityFacts, ClaimPart, activity_facts, half_label
from .model import Activity, Budget, PlanId

SCHEDULE_PATH = Path(__file__).resolve().parent / "schedule.toml"

ACTIVITY_OPEN = "activity_claim_open"
ACTIVITY_CLOSE = "activity_claim_close"
BUDGET_UNPLANNED = "budget_unplanned"
PLAN_KINDS = (ACTIVITY_OPEN, ACTIVITY_CLOSE, BUDGET_UNPLANNED)
MAX_OFFSET_DAYS = 366
CATCH_UP_DAYS = 400  # as reminders/schedule.toml's catch_up_days: how far a sweep looks back


class PlanScheduleError(ValueError):
    """``planner/schedule.toml`` is unusable; the message names the key."""


@dataclass(frozen=True)
class PlanSchedule:
    claim_opens: tuple[int, ...] = (0,)
    claim_closes_days_before: tuple[int, ...] = (30, 7)
    usage_ends_days_before: tuple[int, ...] = (60, 14)


def _offsets(data: dict, section: str, key: str, where: str) -> tuple[int, ...]:
    table = data.get(section)
    if not isinstance(table, dict):
        raise PlanScheduleError(f"{where}: missing table [{section}]")
    value = table.get(key)
    if not isinstance(value, list) or not all(type(v) is int for v in value):
        raise PlanScheduleError(f"{where}: [{section}].{key} must be a list of whole days, got {value!r}")
    if any(not 0 <= v <= MAX_OFFSET_DAYS for v in value) or len(set(value)) != len(value):
        raise PlanScheduleError(f"{where}: [{section}].{key} needs distinct offsets between 0 and "
                                f"{MAX_OFFSET_DAYS} days, got {value!r}")
    return tuple(sorted(value, reverse=True))


def parse_plan_schedule(data: dict, where: str = "planner/schedule.toml") -> PlanSchedule:
    """Validate a parsed ``schedule.toml``; :class:`PlanScheduleError` names a bad key.

    >>> parse_plan_schedule({"activity": {"claim_opens": [0], "claim_closes_days_before": [30, 7]},
    ...                      "budget": {"usage_ends_days_before": [14, 60]}}).usage_ends_days_before
    (60, 14)
    """
    known = {"activity": {"claim_opens", "claim_closes_days_before"}, "budget": {"usage_ends_days_before"}}
    for section, keys in known.items():
        unknown = set(data.get(section) or {}) - keys
        if unknown:
            raise PlanScheduleError(f"{where}: unknown key(s) in [{section}]: {', '.join(sorted(unknown))}")
    return PlanSchedule(_offsets(data, "activity", "claim_opens", where),
                        _offsets(data, "activity", "claim_closes_days_before", where),
                        _offsets(data, "budget", "usage_ends_days_before", where))


@lru_cache(maxsize=1)
def load_plan_schedule() -> PlanSchedule:
    """The schedule of ``planner/schedule.toml`` (read and validated once)."""
    try:
        with open(SCHEDULE_PATH, "rb") as handle:
            data = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise PlanScheduleError(f"{SCHEDULE_PATH}: {error}") from error
    return parse_plan_schedule(data, str(SCHEDULE_PATH))


@dataclass(frozen=True, order=True)
class PlanReminder:
    """One reminder about one activity window or one budget, due on ``due_date``, about
    ``deadline`` (the window's last day, or the usage period's)."""

    due_date: date
    kind: str
    offset: int
    ref_id: str  # the activity's id, or the budget's stored id
    cycle_label: str  # the earning half (``2026-H1``) of the window or of the budget
    deadline: date

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.ref_id}:{self.cycle_label}:{self.offset}"

    @property
    def group(self) -> str:
        """Items that compete after downtime: one activity's window, or one budget."""
        if self.kind == BUDGET_UNPLANNED:
            return f"budget:{self.ref_id}:{self.cycle_label}"
        return f"activity:{self.ref_id}:{self.cycle_label}"


def parse_key(key: str) -> Optional[tuple[str, str, str, int]]:
    """``(kind, ref id, cycle label, offset)`` of a plan reminder's key, None for any other key.

    >>> parse_key("budget_unplanned:" + "b" * 32 + ":2026-H1:14")[::3]
    ('budget_unplanned', 14)
    >>> parse_key("claim_close:2021-H1:7") is None
    True
    """
    parts = key.split(":") if isinstance(key, str) else []
    if len(parts) != 4 or parts[0] not in PLAN_KINDS or not parts[3].isdigit():
        return None
    return parts[0], parts[1], parts[2], int(parts[3])


def is_plan_kind(kind: str) -> bool:
    return kind in PLAN_KINDS


def activity_reminders(activity: Activity, facts: Optional[ActivityFacts] = None,
                       schedule: Optional[PlanSchedule] = None) -> list[PlanReminder]:
    """Every reminder of an activity, each window of it (claimed or not), in due order."""
    schedule = schedule or load_plan_schedule()
    facts = facts or activity_facts(activity.start, activity.end, activity.start)
    out = []
    for part in facts.parts:
        label = part.cycle_label
        out += [PlanReminder(part.claim_opens + timedelta(days=d), ACTIVITY_OPEN, d, activity.id,
                             label, part.claim_closes) for d in schedule.claim_opens]
        out += [PlanReminder(part.claim_closes - timedelta(days=d), ACTIVITY_CLOSE, d, activity.id,
                             label, part.claim_closes) for d in schedule.claim_closes_days_before]
    return sorted(out)


def budget_reminders(budget_id: str, budget: Budget,
                     schedule: Optional[PlanSchedule] = None) -> list[PlanReminder]:
    """Every reminder of a budget (before its usage period ends), in due order."""
    schedule = schedule or load_plan_schedule()
    cal = calendar()
    half = cal.half_containing(budget.earned_start)
    usage_end = cal.cycle(half).usage.end
    return sorted(PlanReminder(usage_end - timedelta(days=d), BUDGET_UNPLANNED, d, budget_id,
                               half_label(half), usage_end)
                  for d in schedule.usage_ends_days_before)


def unplanned_in(budget: Budget, activities: Iterable[Activity]) -> Decimal:
    """What of ``budget`` has nothing planned against it: its amount minus the cost, in its
    currency, of the activities whose first usage period is the budget's (as the plan view's
    totals count them: :func:`planner.store.usage_totals`)."""
    cal = calendar()
    usage = cal.cycle(cal.half_containing(budget.earned_start)).usage
    planned = sum((a.cost for a in activities
                   if a.cost is not None and a.currency == budget.currency
                   and usage.start <= _first_usage_start(a) <= usage.end), Decimal(0))
    return budget.amount - planned


def _first_usage_start(activity: Activity) -> date:
    return activity_facts(activity.start, activity.end, activity.start).usage[0].start


def still_wanted(item: PlanReminder, activity: Optional[Activity] = None,
                 budget: Optional[Budget] = None, activities: Sequence[Activity] = ()) -> bool:
    """Whether a planned reminder should still go out: its activity is still tracked and not
    marked claimed; its budget is still set and part of it still unplanned."""
    if item.kind == BUDGET_UNPLANNED:
        return budget is not None and unplanned_in(budget, activities) > 0
    return activity is not None and activity.claimed_on is None


def due_plan_reminders(activities: Sequence[Activity], budgets: Sequence[tuple[str, Budget]],
                       as_of: date, last_swept: Optional[date], *,
                       budget_activities: Optional[Sequence[Activity]] = None,
                       schedule: Optional[PlanSchedule] = None,
                       catch_up_days: int = CATCH_UP_DAYS) -> list[PlanReminder]:
    """The reminders due in ``(last_swept, as_of]`` (looking back at most ``catch_up_days``)
    about ``activities`` and ``budgets`` (``(stored id, budget)`` pairs), deadline not past,
    one per group (the latest due), none for a claimed activity nor for a budget fully
    planned on ``as_of``, none due before the activity was tracked. ``budget_activities``:
    every activity of the budgets' plan (default ``activities``), for what is unplanned."""
    schedule = schedule or load_plan_schedule()
    if last_swept is None:
        last_swept = as_of - timedelta(days=1)
    last_swept = max(last_swept, as_of - timedelta(days=catch_up_days))
    if last_swept >= as_of:
        return []
    best: dict[str, PlanReminder] = {}

    def consider(item: PlanReminder) -> None:
        if last_swept < item.due_date <= as_of and item.deadline >= as_of:
            kept = best.get(item.group)
            if kept is None or (item.due_date, -item.offset) > (kept.due_date, -kept.offset):
                best[item.group] = item

    for activity in activities:
        if activity.claimed_on is not None:
            continue
        tracked = activity.created_at.date()
        for item in activity_reminders(activity, schedule=schedule):
            if item.due_date >= tracked:
                consider(item)
    everything = activities if budget_activities is None else budget_activities
    for budget_id, budget in budgets:
        items = [i for i in budget_reminders(budget_id, budget, schedule)
                 if last_swept < i.due_date <= as_of]
        if items and unplanned_in(budget, everything) > 0:
            for item in items:
                consider(item)
    return sorted(best.values())


# --------------------------------------------------------------------------- renderer's data


@dataclass(frozen=True)
class PlanNotice:
    """One reminder as the renderer gets it. ``kind``: one of :data:`PLAN_KINDS`; ``days_left``:
    until ``deadline`` on the day it is sent. For an activity: the activity, the window the
    reminder is about (``part``: its usage period, claim opens/closes) and its PoE keep-until
    date. For a budget: the budget, its usage period (``usage_start``/``usage_end``) and what
    is ``unplanned`` in its currency."""

    key: str
    kind: str
    offset: int
    due_date: date
    deadline: date
    days_left: int
    plan_id: PlanId
    activity: Optional[Activity] = None
    part: Optional[ClaimPart] = None
    keep_until: Optional[date] = None
    budget: Optional[Budget] = None
    usage_start: Optional[date] = None
    usage_end: Optional[date] = None
    unplanned: Optional[Decimal] = None

    @property
    def activity_id(self) -> Optional[str]:
        return self.activity.id if self.activity is not None else None


@dataclass(frozen=True)
class PlanDigest:
    """What one reminder message is about: the notices due for one conversation's
    subscriber on ``as_of``, and whom it goes to. ``mention``: ``(user id, name)`` to
    @mention in a channel or group chat (the subscriber, when they added an activity the
    message is about); None in a personal chat or when nobody is to be mentioned (a budget, an
    activity whose author asked to be forgotten)."""

    as_of: date
    lang: str
    locale: Optional[str]
    conversation_id: str
    conversation_type: str
    user_id: str
    user_name: str
    notices: tuple[PlanNotice, ...]
    mention: Optional[tuple[str, str]] = None
    plan_ids: tuple[str, ...] = field(default=())


class PlanRenderer(Protocol):
    """The Teams side's reminder message for a :class:`PlanDigest`: a Bot Framework activity as
    a JSON-ready dict (an Adaptive Card with *Mark claimed* / *Open claim page*, its words in
    ``digest.lang``). The sweep sends it through the reminders' sender."""

    def __call__(self, digest: PlanDigest) -> dict: ...


def notice_for(item: PlanReminder, plan_id: PlanId, as_of: date, *,
               activity: Optional[Activity] = None, budget: Optional[Budget] = None,
               activities: Sequence[Activity] = ()) -> PlanNotice:
    """The renderer's data for one due item (its activity or budget as it is now)."""
    base = dict(key=item.key, kind=item.kind, offset=item.offset, due_date=item.due_date,
                deadline=item.deadline, days_left=(item.deadline - as_of).days, plan_id=plan_id)
    if item.kind == BUDGET_UNPLANNED:
        cal = calendar()
        usage = cal.cycle(cal.half_containing(budget.earned_start)).usage if budget else None
        return PlanNotice(**base, budget=budget, usage_start=usage.start if usage else None,
                          usage_end=usage.end if usage else None,
                          unplanned=unplanned_in(budget, activities) if budget else None)
    facts = activity_facts(activity.start, activity.end, as_of) if activity else None
    part = next((p for p in facts.parts if p.cycle_label == item.cycle_label), None) if facts else None
    return PlanNotice(**base, activity=activity, part=part,
                      keep_until=facts.keep_until if facts else None,
                      usage_start=part.usage.start if part else None,
                      usage_end=part.usage.end if part else None)
