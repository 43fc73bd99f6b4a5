"""What a plan holds and what its views say: frozen dataclasses, no I/O, no words.

A plan belongs to a personal chat's user (``u:<user id>``) or to a channel or group chat
(``c:<conversation id>``, shared by every member). Statuses and warnings are codes, never
sentences: the Teams side says them in the partner's language.

>>> personal_plan("29:abc"), shared_plan("19:x@thread.tacv2")
('u:29:abc', 'c:19:x@thread.tacv2')
>>> plan_kind("c:19:x@thread.tacv2")
'shared'
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Literal, Optional

from storage.keys import bounded_key

from .facts import ActivityFacts

PlanId = str  # "u:<user id>" (personal chat) or "c:<conversation id>" (channel/group chat)

Status = Literal["planned", "done", "open", "claimed", "too_late"]
STATUSES: tuple[str, ...] = ("planned", "done", "open", "claimed", "too_late")

# Warning codes an ActivityView can carry.
OUTSIDE_NAMED_FUNDS = "outside_named_funds"  # the plan names funds (budgets) and none pays for it
WINDOW_CLOSED = "window_closed"  # every claiming window of it has closed and it is not claimed
SPANS_TWO_USAGE_PERIODS = "spans_two_usage_periods"  # SPEC is silent: see Partner Center
WARNINGS: tuple[str, ...] = (OUTSIDE_NAMED_FUNDS, WINDOW_CLOSED, SPANS_TWO_USAGE_PERIODS)


class PlanError(ValueError):
    """Input the planner refuses, as a stable ``code`` and the ``params`` a sentence needs
    (the Teams side words it); ``str(error)`` is plain English for the log.

    Codes: ``invalid_plan_id``, ``invalid_activity_id``, ``name_required``, ``name_too_long``,
    ``program_too_long``, ``bad_dates`` (end before start), ``date_out_of_range``,
    ``bad_amount``, ``amount_too_large``, ``bad_currency``, ``currency_required``,
    ``not_a_half`` (a budget's earning period is not one fiscal half), ``unknown_field``,
    ``too_many_activities``, ``too_many_budgets`` (the per-plan limits: ``params["limit"]``).
    """

    def __init__(self, code: str, message: str, **params: object) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


class PlanLimitError(PlanError):
    """A plan is full (``too_many_activities`` / ``too_many_budgets``; ``params["limit"]``)."""


def personal_plan(user_id: str) -> PlanId:
    """The plan of a personal chat: its user's (ids stored as ``storage.keys.bounded_key``)."""
    return "u:" + bounded_key(_id(user_id, "user id"))


def shared_plan(conversation_id: str) -> PlanId:
    """The shared plan of a channel or group chat (the conversation id as the reminder
    subscriptions store it: the reference's ``conversation.id``)."""
    return "c:" + bounded_key(_id(conversation_id, "conversation id"))


def plan_kind(plan_id: PlanId) -> Literal["personal", "shared"]:
    check_plan_id(plan_id)
    return "personal" if plan_id.startswith("u:") else "shared"


def check_plan_id(plan_id: object) -> PlanId:
    """``plan_id`` when it is one :func:`personal_plan` / :func:`shared_plan` can return;
    :class:`PlanError` (``invalid_plan_id``) otherwise."""
    if (not isinstance(plan_id, str) or plan_id[:2] not in ("u:", "c:") or len(plan_id) < 3
            or len(plan_id) > 2 + 255 or any(ord(c) < 32 or c == "\x7f" for c in plan_id)):
        raise PlanError("invalid_plan_id", "not a plan id (u:<user id> or c:<conversation id>)")
    return plan_id


def _id(value: object, what: str) -> str:
    if not isinstance(value, str) or not value or any(ord(c) < 32 or c == "\x7f" for c in value):
        raise PlanError("invalid_plan_id", f"a {what} must be a non-empty string without control characters")
    return value


@dataclass(frozen=True)
class Activity:
    """One tracked activity. ``start``/``end``: its first and last day (equal for one day);
    ``cost``/``currency`` (ISO 4217, e.g. ``EUR``) both or neither; ``added_by``: the user id
    of who tracked it (None once that person asked to be forgotten); ``claimed_on``: the day
    it was marked claimed."""

    id: str
    plan_id: PlanId
    name: str
    start: date
    end: date
    cost: Optional[Decimal]
    currency: Optional[str]
    program: Optional[str]
    added_by: Optional[str]
    claimed_on: Optional[date]
    created_at: datetime


@dataclass(frozen=True)
class Budget:
    """Co-op the partner says they have: ``amount`` ``currency`` earned in one fiscal half
    (``earned_start`` .. ``earned_end``), to be used in that half's usage period."""

    plan_id: PlanId
    earned_start: date
    earned_end: date
    amount: Decimal
    currency: str


@dataclass(frozen=True)
class ActivityView:
    """An activity with its facts on a day.

    ``status``: ``claimed`` (marked claimed); ``too_late`` (every claiming window of it has
    closed); ``planned`` (its last day is today or later); ``done`` (executed, its claiming
    window not open yet); ``open`` (executed and its window open). ``days_left``: days until
    the current claiming window (``facts.current``) closes, 0 on its last day, for an activity
    not claimed whose window has not closed; None otherwise. ``warnings``: codes of
    :data:`WARNINGS`."""

    activity: Activity
    facts: ActivityFacts
    status: Status
    days_left: Optional[int]
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class UsageTotal:
    """One usage period of the plan: the cost ``planned`` in it per currency, the
    ``available`` co-op (budgets whose usage period it is; None when the plan names none) and
    what of it is ``unplanned`` (available − planned, per currency of the budgets; never
    converted between currencies; negative when over-planned; None without a budget)."""

    usage_start: date
    usage_end: date
    planned: dict[str, Decimal] = field(default_factory=dict)
    available: Optional[dict[str, Decimal]] = None
    unplanned: Optional[dict[str, Decimal]] = None


@dataclass(frozen=True)
class PlanView:
    """A plan on a day: its activities by claiming window (closing first), the totals per
    usage period (earliest first)."""

    activities: list[ActivityView]
    totals: list[UsageTotal]
    budgets: list[Budget] = field(default_factory=list)
