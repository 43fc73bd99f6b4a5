"""Reminders about the partners' plans (``planner``), through this package's ledger, leases and
shared tenant rate: which subscription carries which plan's reminders, what is due for a batch
of subscriptions, and the data a reminder message is rendered from.

Whose reminder goes where:

- a **personal** subscription (the user's personal chat) carries the user's personal plan
  (``u:<user>``): its activities and budgets;
- a **channel or group chat** subscription of a member carries the activities of the
  conversation's shared plan (``c:<conversation>``) that this member added, so the message
  goes to the channel and @mentions them; the plan's budgets and the activities nobody is
  named for any more (their author asked to be forgotten) go with the conversation's earliest
  active subscription, with no @mention.

A partner who tracks an activity gets a subscription for that conversation without asking
(:func:`track_plan`): one that carries only plan reminders (``cycle_reminders = 0``) when they
had none; an existing one is left as it is, so "stop reminders" (which stops the
subscription) stops the plan's reminders too, until "remind me" again.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Optional, Sequence

from planner import PlanStore
from planner.schedule import (BUDGET_UNPLANNED, PlanDigest, PlanNotice, PlanReminder,
                              due_plan_reminders, notice_for, parse_key, still_wanted)
from storage.db import Database
from understanding import registry

from . import store

logger = logging.getLogger(__name__)

__all__ = ["SubscriptionInfo", "track_plan", "subscription_infos", "due_for", "digest_for"]


@dataclass(frozen=True)
class SubscriptionInfo:
    id: str
    user_id: str  # bounded key, as stored
    conversation_id: str  # bounded key, as stored
    conversation_type: str
    cycle_reminders: bool
    keeper: bool  # the conversation's earliest active subscription

    @property
    def personal(self) -> bool:
        return self.conversation_type == store.PERSONAL

    @property
    def plan_id(self) -> str:
        # the stored keys are already bounded: the plan id is built from them as stored
        return ("u:" + self.user_id) if self.personal else ("c:" + self.conversation_id)


async def track_plan(db: Database, *, user_id: str, reference: dict, today: date,
                     lang: str = registry.DEFAULT, locale: Optional[str] = None, tz: Optional[str] = None,
                     conversation_type: Optional[str] = None,
                     user_name: Optional[str] = None) -> store.Subscription:
    """Make sure the plan's reminders of ``user_id`` in the conversation of ``reference`` have
    somewhere to go (call it when they track an activity or set a budget): a subscription that
    carries only plan reminders when they have none there; an existing one, active or stopped,
    is not changed (a stopped one stays stopped: see the module). Returns the subscription;
    ``active`` False tells the chat side its reminders are off in this conversation."""
    await store.ensure_plan_subscription(db, user_id=user_id, reference=reference, today=today,
                                         lang=lang, locale=locale, tz=tz,
                                         conversation_type=conversation_type, user_name=user_name)
    sub = await store.get_subscription(db, user_id, store.reference_fields(
        store.normalize_reference(reference))[0])
    assert sub is not None
    return sub


async def subscription_infos(db: Database, subscription_ids: Sequence[str]) -> dict[str, SubscriptionInfo]:
    """Who each subscription is, and whether it is its conversation's keeper."""
    rows = await store.subscription_rows(db, subscription_ids)
    conversations = sorted({r["conversation_id"] for r in rows
                            if (r["conversation_type"] or store.PERSONAL) != store.PERSONAL})
    keepers = await store.earliest_active(db, conversations)
    return {r["id"]: SubscriptionInfo(r["id"], r["user_id"], r["conversation_id"],
                                      r["conversation_type"] or store.PERSONAL,
                                      bool(r["cycle_reminders"]),
                                      keepers.get(r["conversation_id"]) == r["id"])
            for r in rows}


def _carried(info: SubscriptionInfo, activities: Sequence) -> list:
    """The activities of the info's plan whose reminders this subscription carries."""
    if info.personal:
        return list(activities)
    return [a for a in activities
            if a.added_by == info.user_id or (a.added_by is None and info.keeper)]


async def due_for(db: Database, infos: dict[str, SubscriptionInfo],
                  swept: dict[str, date], as_of: date) -> dict[str, list[PlanReminder]]:
    """The plan reminders due on ``as_of`` for each subscription (in ``(swept_through,
    as_of]``): what the sweep's plan step writes into the ledger with the cycle reminders."""
    if not infos:
        return {}
    plans = PlanStore(db)
    plan_ids = sorted({info.plan_id for info in infos.values()})
    activities = await plans.activities_of_plans(plan_ids)
    budgets = await plans.budgets_of_plans(plan_ids)
    out: dict[str, list[PlanReminder]] = {}
    for sub_id, info in infos.items():
        everything = activities.get(info.plan_id, [])
        mine = _carried(info, everything)
        plan_budgets = budgets.get(info.plan_id, []) if (info.personal or info.keeper) else []
        if mine or plan_budgets:
            out[sub_id] = due_plan_reminders(mine, plan_budgets, as_of, swept[sub_id],
                                             budget_activities=everything)
    return out


async def digest_for(db: Database, target: store.Target, rows: Sequence[store.LedgerRow],
                     as_of: date) -> tuple[Optional[PlanDigest], list[str]]:
    """The renderer's data for a subscriber's claimed plan rows, checked against the plan as
    it is now: ``(digest or None, keys no longer wanted)`` (an activity marked claimed or
    removed since, a budget removed or fully planned)."""
    infos = await subscription_infos(db, [target.subscription_id])
    info = infos.get(target.subscription_id)
    if info is None:
        return None, [r.key for r in rows]
    plans = PlanStore(db)
    activities = (await plans.activities_of_plans([info.plan_id]))[info.plan_id]
    budgets = (await plans.budgets_of_plans([info.plan_id]))[info.plan_id]
    by_id = {a.id: a for a in activities}
    budget_by_id = {bid: b for bid, b in budgets}
    notices: list[PlanNotice] = []
    unwanted: list[str] = []
    for row in rows:
        parsed = parse_key(row.key)
        if parsed is None:
            unwanted.append(row.key)
            continue
        kind, ref_id, label, offset = parsed
        item = PlanReminder(row.due_date, kind, offset, ref_id, label, row.deadline)
        activity = by_id.get(ref_id) if kind != BUDGET_UNPLANNED else None
        budget = budget_by_id.get(ref_id) if kind == BUDGET_UNPLANNED else None
        if not still_wanted(item, activity, budget, activities):
            unwanted.append(row.key)
            continue
        notices.append(notice_for(item, info.plan_id, as_of, activity=activity, budget=budget,
                                  activities=activities))
    if not notices:
        return None, unwanted
    mention = None
    if not info.personal and target.user_name and any(
            n.activity is not None and n.activity.added_by == info.user_id for n in notices):
        mention = (target.user_id, target.user_name)
    digest = PlanDigest(as_of=as_of, lang=target.lang, locale=target.locale,
                        conversation_id=target.conversation_id,
                        conversation_type=target.conversation_type, user_id=target.user_id,
                        user_name=target.user_name, notices=tuple(sorted(notices, key=lambda n: (n.deadline, n.key))),
                        mention=mention, plan_ids=(info.plan_id,))
    return digest, unwanted
