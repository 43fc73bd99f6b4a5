"""The planner's commands run for one turn (issue #20): whose plan, what to do, what to show.

    plans = PlanActions(PlanStore(db), reminders=store_reminders)
    outcome = await plans.perform("plan_track", info, "en", command.to_dict(), reference)
    activity = plan_cards.plan_activity(outcome, info.locale)      # one card

**Whose plan** is always the turn's, never a card's: in a personal chat the member's own
(``planner.personal_plan``), in a channel or group chat the conversation's, shared by its
members (``planner.shared_plan``). A button's payload names an activity, never a plan, so a
card cannot reach into another plan.

A typed command (``understanding.planner``: "we claimed the webinar") names its activity by
words; :meth:`PlanStore.find` picks it, and when several match the plan is shown with a note
to use the buttons of the one meant. Tracking an activity or setting a budget makes sure its
reminders have somewhere to go (``reminders``' ``track_plan``: a subscription that carries only
the plan's reminders, unless one exists; a stopped one stays stopped and the card says so).

The outcome (:class:`PlanOutcome`) carries the plan's view as the back end computed it
(``planner.PlanView``: statuses, days left, warnings, totals); :mod:`bot.plan_cards` words it.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Mapping, Optional

from core.redact import log_id
from planner import ActivityView, PlanError, PlanView, personal_plan, shared_plan
from understanding import messages
from understanding.planner import (Edit, MarkClaimed, Remove, SetBudget, Track, from_dict)

logger = logging.getLogger(__name__)

__all__ = ["PlanActions", "PlanOutcome", "PLAN_ACTIONS", "whose"]

PLAN_ACTIONS = ("plan_track", "plan_list", "plan_claimed", "plan_remove", "plan_edit", "plan_budget",
                "plan_export", "plan_form")
SHARED = ("channel", "groupChat")

# PlanError codes -> the catalogue's sentence
_ERRORS = {"name_required": "plan.error.name_required", "name_too_long": "plan.error.too_long",
           "program_too_long": "plan.error.too_long", "bad_dates": "plan.error.bad_dates",
           "date_out_of_range": "plan.error.date_out_of_range", "bad_amount": "plan.error.bad_amount",
           "amount_too_large": "plan.error.bad_amount", "bad_currency": "plan.error.bad_currency",
           "currency_required": "plan.error.currency_required", "not_a_half": "plan.error.not_a_half",
           "too_many_activities": "plan.error.full", "too_many_budgets": "plan.error.full"}


def whose(conversation_type: Optional[str]) -> str:
    """``personal`` | ``channel`` | ``group``: whose plan a conversation's is (plan.whose.*).

    >>> whose("personal"), whose("channel"), whose("groupChat"), whose(None)
    ('personal', 'channel', 'group', 'personal')
    """
    return {"channel": "channel", "groupChat": "group"}.get(conversation_type or "", "personal")


@dataclass
class PlanOutcome:
    """What a planner command did, for a card. ``kind``: ``activity`` (one activity's card),
    ``list`` (the plan), ``form`` (add or edit), ``export`` (the CSV) or ``text`` (a
    sentence only: the planner is unavailable). ``status``: the sentence said on the card
    (what was done, or why not); ``ok`` False when nothing was done."""

    kind: str
    lang: str
    whose: str = "personal"
    status: str = ""
    ok: bool = True
    today: Optional[date] = None
    view: Optional[PlanView] = None
    activity: Optional[ActivityView] = None
    form: dict = field(default_factory=dict)  # the form's values (an edit: the activity's id too)
    csv: str = ""

    @property
    def text(self) -> str:
        return self.status


class PlanActions:
    """Runs planner commands on a ``planner.PlanStore`` for the turn's plan."""

    def __init__(self, store: Any, *, reminders: Any = None) -> None:
        self.store = store
        self.reminders = reminders

    # ------------------------------------------------------------------ whose plan

    @staticmethod
    def plan_id(info: Any) -> str:
        """The turn's plan: the conversation's in a channel or group chat, else the member's."""
        if (info.conversation_type or "personal") in SHARED and info.conversation_id:
            return shared_plan(info.conversation_id)
        return personal_plan(info.user_id or "")

    def _t(self, lang: str, key: str, **values: Any) -> str:
        return messages.t(lang, key, **values)

    def _whose_text(self, lang: str, info: Any) -> str:
        return self._t(lang, "plan.whose." + whose(info.conversation_type))

    def _error(self, lang: str, error: PlanError) -> str:
        return self._t(lang, _ERRORS.get(error.code, "plan.error.other"))

    # ------------------------------------------------------------------ commands

    async def perform(self, action: str, info: Any, lang: str, data: Optional[Mapping[str, Any]],
                      reference: Optional[dict] = None) -> PlanOutcome:
        """Run the planner command a reply asks for (``reply.action``, its ``data["plan"]``)."""
        if self.store is None or not info.user_id:
            return PlanOutcome("text", lang, whose(info.conversation_type), self._t(lang, "plan.unavailable"),
                               ok=False)
        try:
            command = from_dict(data) if isinstance(data, Mapping) and data.get("kind") else None
        except ValueError:
            command = None
        status = ""
        if action == "plan_form":
            if not isinstance(command, Track):
                return self.form(info, lang)
            # "track our webinar": the form, with what was said, asking for the day
            ask = self._t(lang, "plan.ask.date") if command.name and command.start is None else ""
            return self.form(info, lang, command.to_dict(), ask)
        if action == "plan_list" and isinstance(command, (MarkClaimed, Remove, Edit)):
            # a command that named no activity (or no change): the plan, to pick from
            name = getattr(command, "name", "")
            status = self._t(lang, "plan.ask.change" if isinstance(command, Edit) and name else "plan.ask.which",
                             name=name)
        if action == "plan_track" and isinstance(command, Track):
            return await self.track(info, lang, command, reference)
        if action in ("plan_claimed", "plan_remove", "plan_edit") and isinstance(command, (MarkClaimed, Remove, Edit)):
            return await self._by_name(info, lang, command)
        if action == "plan_budget" and isinstance(command, SetBudget):
            return await self.budget(info, lang, command, reference)
        if action == "plan_export":
            return await self.export(info, lang)
        return await self.listing(info, lang, status)

    async def listing(self, info: Any, lang: str, status: str = "", *, ok: bool = True) -> PlanOutcome:
        view = await self.store.view(self.plan_id(info), info.today)
        return PlanOutcome("list", lang, whose(info.conversation_type), status, ok, info.today, view=view)

    async def activity_outcome(self, info: Any, lang: str, activity_id: str, status: str = "",
                               ok: bool = True) -> PlanOutcome:
        """One activity's card (the plan's view of it: status, days left, warnings)."""
        view = await self.store.view(self.plan_id(info), info.today)
        found = next((v for v in view.activities if v.activity.id == activity_id), None)
        if found is None:
            return PlanOutcome("list", lang, whose(info.conversation_type),
                               status or self._t(lang, "plan.gone"), False, info.today, view=view)
        return PlanOutcome("activity", lang, whose(info.conversation_type), status, ok, info.today,
                           view=view, activity=found)

    def form(self, info: Any, lang: str, values: Mapping[str, Any] | None = None, status: str = "",
             ok: bool = True) -> PlanOutcome:
        return PlanOutcome("form", lang, whose(info.conversation_type), status, ok, info.today,
                           form=dict(values or {}))

    async def track(self, info: Any, lang: str, command: Track, reference: Optional[dict]) -> PlanOutcome:
        if command.missing():
            return self.form(info, lang, command.to_dict(), self._t(lang, "plan.ask.date"), ok=False)
        try:
            activity = await self.store.add(self.plan_id(info), name=command.name, start=command.start,
                                            end=command.end, cost=command.cost, currency=command.currency,
                                            program=command.program, added_by=info.user_id)
        except PlanError as error:
            return self.form(info, lang, command.to_dict(), self._error(lang, error), ok=False)
        status = await self._reminders_note(info, lang, reference)
        return await self.activity_outcome(info, lang, activity.id, status)

    async def _reminders_note(self, info: Any, lang: str, reference: Optional[dict]) -> str:
        """Make sure the plan's reminders reach this conversation; a sentence when they are
        off here (the member said "stop reminders")."""
        track = getattr(self.reminders, "track_plan", None)
        if track is None or not reference:
            return ""
        name = (reference.get("user") or {}).get("name") if isinstance(reference, dict) else None
        sub = await track(user_id=info.user_id, reference=reference, today=info.today, lang=lang,
                          locale=info.locale, tz=info.timezone,
                          conversation_type=info.conversation_type or "personal", user_name=name or "")
        if sub is not None and getattr(sub, "active", True) is False:
            return self._t(lang, "plan.reminders_off")
        return ""

    async def _by_name(self, info: Any, lang: str, command: Any) -> PlanOutcome:
        plan = self.plan_id(info)
        found = await self.store.find(plan, command.name)
        if not found:
            return await self.listing(info, lang, self._t(lang, "plan.not_found", name=command.name,
                                                          plan=self._whose_text(lang, info)), ok=False)
        if len(found) > 1:
            from understanding.fmt import fmt_date

            names = ", ".join(f"{self._t(lang, 'quote', text=a.name)} ({fmt_date(a.start, info.locale, lang)})" for a in found[:5])
            return await self.listing(info, lang, self._t(lang, "plan.several", name=command.name, names=names),
                                      ok=False)
        activity = found[0]
        if isinstance(command, MarkClaimed):
            return await self.mark_claimed(info, lang, activity.id, claimed=True, show="list")
        if isinstance(command, Remove):
            return await self.remove(info, lang, activity.id)
        edit = command.resolved(activity.start)
        fields: dict[str, Any] = {}
        if edit.start is not None:
            fields.update(start=edit.start, end=edit.end)
        if edit.cost is not None:
            fields.update(cost=edit.cost, currency=edit.currency or activity.currency)
        return await self.update(info, lang, activity.id, fields)

    async def mark_claimed(self, info: Any, lang: str, activity_id: str, *, claimed: bool = True,
                           show: str = "list") -> PlanOutcome:
        changed = await self.store.mark_claimed(self.plan_id(info), activity_id, info.today if claimed else None)
        if changed is None:
            return await self.listing(info, lang, self._t(lang, "plan.gone"), ok=False)
        status = self._t(lang, "plan.done.claimed" if claimed else "plan.done.unclaimed", name=changed.name)
        if show == "activity":
            return await self.activity_outcome(info, lang, activity_id, status)
        return await self.listing(info, lang, status)

    async def remove(self, info: Any, lang: str, activity_id: str) -> PlanOutcome:
        plan = self.plan_id(info)
        current = await self.store.get(plan, activity_id)
        if current is None or not await self.store.remove(plan, activity_id):
            return await self.listing(info, lang, self._t(lang, "plan.gone"), ok=False)
        return await self.listing(info, lang, self._t(lang, "plan.done.removed", name=current.name))

    async def update(self, info: Any, lang: str, activity_id: str, fields: Mapping[str, Any]) -> PlanOutcome:
        try:
            changed = await self.store.update(self.plan_id(info), activity_id, **fields)
        except PlanError as error:
            return await self.activity_outcome(info, lang, activity_id, self._error(lang, error), ok=False)
        if changed is None:
            return await self.listing(info, lang, self._t(lang, "plan.gone"), ok=False)
        return await self.activity_outcome(info, lang, activity_id,
                                           self._t(lang, "plan.done.edited", name=changed.name))

    async def save_form(self, info: Any, lang: str, values: Mapping[str, Any], activity_id: Optional[str],
                        reference: Optional[dict]) -> PlanOutcome:
        """The form's Save: a new activity, or (``activity_id``) the one being edited. A value
        the plan refuses keeps the form, with what was typed and why."""
        name = (values.get("name") or "").strip()
        start, end = values.get("start"), values.get("end") or values.get("start")
        if not name:
            return self.form(info, lang, {**values, "activity": activity_id}, self._t(lang, "plan.error.name_required"), ok=False)
        if start is None:
            return self.form(info, lang, {**values, "activity": activity_id}, self._t(lang, "plan.error.date_required"), ok=False)
        cost = values.get("cost")
        currency = (values.get("currency") or "").strip().upper() or None
        program = (values.get("program") or "").strip() or None
        try:
            if activity_id:
                changed = await self.store.update(self.plan_id(info), activity_id, name=name, start=start, end=end,
                                                  cost=cost, currency=currency if cost is not None else None,
                                                  program=program)
                if changed is None:
                    return await self.listing(info, lang, self._t(lang, "plan.gone"), ok=False)
                return await self.activity_outcome(info, lang, activity_id,
                                                   self._t(lang, "plan.done.edited", name=changed.name))
            activity = await self.store.add(self.plan_id(info), name=name, start=start, end=end, cost=cost,
                                            currency=currency if cost is not None else None, program=program,
                                            added_by=info.user_id)
        except PlanError as error:
            return self.form(info, lang, {**values, "activity": activity_id}, self._error(lang, error), ok=False)
        status = await self._reminders_note(info, lang, reference)
        return await self.activity_outcome(info, lang, activity.id, status)

    def edit_form(self, info: Any, lang: str, view: ActivityView) -> PlanOutcome:
        a = view.activity
        return self.form(info, lang, {"activity": a.id, "name": a.name, "start": a.start.isoformat(),
                                      "end": a.end.isoformat(), "cost": None if a.cost is None else str(a.cost),
                                      "currency": a.currency or "", "program": a.program or ""})

    async def budget(self, info: Any, lang: str, command: SetBudget, reference: Optional[dict]) -> PlanOutcome:
        from core import calendar

        cal = calendar()
        try:
            half = cal.half_containing(command.earning_start)
            budget = await self.store.set_budget(self.plan_id(info), half.start, half.end, command.amount,
                                                 command.currency)
        except PlanError as error:
            return await self.listing(info, lang, self._error(lang, error), ok=False)
        usage = cal.cycle(half).usage
        from understanding.fmt import fmt_money

        status = self._t(lang, "plan.done.budget",
                         amount=fmt_money(budget.amount, budget.currency, info.locale, lang),
                         earning=messages.month_span(lang, half.start, half.end, info.locale),
                         usage=messages.month_span(lang, usage.start, usage.end, info.locale))
        note = await self._reminders_note(info, lang, reference)
        return await self.listing(info, lang, " ".join(s for s in (status, note) if s))

    async def export(self, info: Any, lang: str) -> PlanOutcome:
        plan = self.plan_id(info)
        csv_text = await self.store.export_csv(plan, info.today)
        rows = csv_text.count("\n")
        logger.info("planner: export of %s (%d lines)", log_id(plan), rows)
        if rows <= 1:
            return PlanOutcome("export", lang, whose(info.conversation_type), self._t(lang, "plan.export_empty"),
                               ok=False, today=info.today)
        return PlanOutcome("export", lang, whose(info.conversation_type), self._t(lang, "plan.export_intro"),
                           today=info.today, csv=csv_text)

    def activity_view(self, view: PlanView, activity_id: str) -> Optional[ActivityView]:
        return next((v for v in view.activities if v.activity.id == activity_id), None)

