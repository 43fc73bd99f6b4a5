"""The co-op planner's back end (issue #20): partners' activities and budgets, their co-op
facts from ``core``, stored on ``storage``. No chat language and no cards here: statuses,
warnings and errors are codes the Teams side words.

Public API (everything else is private):

- **Plan ids** (``planner.model``): ``PlanId`` is ``"u:<user id>"`` (a personal chat: the
  user's own plan) or ``"c:<conversation id>"`` (a channel or group chat: the conversation's
  shared plan, every member sees and edits it). Build them with :func:`personal_plan` /
  :func:`shared_plan` (ids stored as ``storage.keys.bounded_key``), never by hand;
  :func:`check_plan_id`, :func:`plan_kind`.
- **Model** (frozen dataclasses): :class:`Activity` ``(id, plan_id, name, start, end, cost:
  Decimal|None, currency: str|None, program, added_by, claimed_on, created_at)``;
  :class:`Budget` ``(plan_id, earned_start, earned_end, amount, currency)``;
  :class:`ActivityView` ``(activity, facts, status, days_left, warnings)`` with ``status`` in
  ``planned | done | open | claimed | too_late`` and ``warnings`` codes in
  ``outside_named_funds | window_closed | spans_two_usage_periods``; :class:`UsageTotal`
  ``(usage_start, usage_end, planned, available, unplanned)`` (dicts currency → Decimal;
  ``available``/``unplanned`` None without a budget for that period); :class:`PlanView`
  ``(activities, totals, budgets)``.
- **Facts** (``planner.facts``, pure): :func:`activity_facts` ``(start, end, today)`` →
  :class:`ActivityFacts` ``(earnings, usage, claim_opens, claim_closes, keep_until,
  spans_two_usage_periods, parts, current)``: everything computed by ``core``; what SPEC says
  and does not say about an activity across two usage periods is in that module's docstring
  (the answer then points to Partner Center: policy links ``create_claim``,
  ``core_requirements``).
- **Store** (``planner.store``): :class:`PlanStore` ``(db)``, async, SQLite or PostgreSQL:
  ``add(plan_id, *, name, start, end, cost=None, currency=None, program=None, added_by=None)
  -> Activity``; ``activities(plan_id)``; ``get(plan_id, activity_id) -> Activity|None``;
  ``find(plan_id, text) -> list[Activity]`` (words of the name, case and accents ignored);
  ``update(plan_id, activity_id, **fields) -> Activity|None``; ``mark_claimed(plan_id,
  activity_id, on) -> Activity|None`` (``on=None`` un-marks); ``remove(plan_id, activity_id)
  -> bool``; ``set_budget(plan_id, earned_start, earned_end, amount, currency) -> Budget``;
  ``remove_budget(plan_id, earned_start) -> bool``; ``budgets(plan_id)``; ``view(plan_id,
  today) -> PlanView``; ``export_csv(plan_id, today=None) -> str`` (formula cells
  neutralised); ``forget_person(user_id)``; ``purge_before(cutoff)`` (retention). Refusals
  raise :class:`PlanError` (``code``, ``params``), a full plan :class:`PlanLimitError`; an
  ill-formed plan or activity id is a :class:`PlanError` too (check it at the edge, as a card
  payload's ``parse()`` does). Schema: migration ``planner`` (:data:`MIGRATION_NAME`,
  :data:`MIGRATIONS`), one of ``services.product_migrations``.
- **Reminders** (``planner.schedule``, pure; offsets are policy data in
  ``planner/schedule.toml``): an activity's claiming window opens; it closes in 30 and 7 days
  unless marked claimed; a budget's usage period ends in 60 and 14 days while part of it is
  not planned. :func:`~planner.schedule.due_plan_reminders` → :class:`~planner.schedule.PlanReminder`
  (stable ledger keys). They are delivered by ``reminders``' sweep through its exactly-once
  ledger, leases and shared tenant rate (``reminders.plans``: which subscription carries which
  plan; ``reminders.plans.track_plan`` / ``StoreReminders.track_plan`` when a partner tracks an
  activity, so nobody has to subscribe separately; "stop reminders" stops them). The message
  is the Teams side's: a :class:`~planner.schedule.PlanRenderer` ``(PlanDigest) -> activity
  dict`` given to ``services.mount_reminders(plan_renderer=...)``; a
  :class:`~planner.schedule.PlanDigest` holds the conversation, language, the @mention
  ``(user id, name)`` when due, and the :class:`~planner.schedule.PlanNotice` items (kind,
  key, plan id, the activity and the window it is about, keep-until, or the budget and what
  of it is unplanned, deadline, days left).
"""
from .facts import ActivityFacts, ClaimPart, activity_facts, half_label
from .model import (OUTSIDE_NAMED_FUNDS, SPANS_TWO_USAGE_PERIODS, STATUSES, WARNINGS, WINDOW_CLOSED,
                    Activity, ActivityView, Budget, PlanError, PlanId, PlanLimitError, PlanView,
                    UsageTotal, check_plan_id, personal_plan, plan_kind, shared_plan)
from .store import (MAX_ACTIVITIES, MAX_BUDGETS, MIGRATION_NAME, MIGRATIONS, PlanStore, migrate,
                    neutralise_cell, view_of)

__all__ = [
    "ActivityFacts", "ClaimPart", "activity_facts", "half_label",
    "OUTSIDE_NAMED_FUNDS", "SPANS_TWO_USAGE_PERIODS", "STATUSES", "WARNINGS", "WINDOW_CLOSED",
    "Activity", "ActivityView", "Budget", "PlanError", "PlanId", "PlanLimitError", "PlanView",
    "UsageTotal", "check_plan_id", "personal_plan", "plan_kind", "shared_plan",
    "MAX_ACTIVITIES", "MAX_BUDGETS", "MIGRATION_NAME", "MIGRATIONS", "PlanStore", "migrate",
    "neutralise_cell", "view_of",
]
