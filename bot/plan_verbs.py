"""The planner's card verbs (issue #20): one handler per verb, each payload a typed model.

- ``plan_claimed`` / ``plan_unclaim`` (:class:`PlanActivity`): mark an activity claimed today
  (or not); the card shown again is the one clicked (``show``: the plan, or the activity);
- ``plan_remove`` (:class:`PlanActivity`): take it out of the plan;
- ``plan_edit`` (:class:`PlanActivity`): the form, filled in with the activity;
- ``plan_form`` (:class:`~bot.verbs.CardData`): the empty form (*Add an activity*);
- ``plan_save`` (:class:`PlanForm`): the form's *Save*: a new activity, or the one edited;
- ``plan_list`` (:class:`~bot.verbs.CardData`): the plan.

Whose plan is the turn's (:meth:`bot.plan_actions.PlanActions.plan_id`): a payload names an
activity (32 hex digits, checked here: anything else is a 400), never a plan.

    register(verbs)          # create_bot does it for every bot
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Mapping, Optional

from planner import PlanError
from planner.store import check_activity_id

from . import plan_cards
from .verbs import CardData, CardVerbs, PayloadError, VerbResult, VerbTurn, text_field

__all__ = ["PlanActivity", "PlanForm", "register", "PLAN_VERBS"]

SHOWS = ("list", "activity")


def _activity_id(data: Mapping[str, Any], required: bool) -> Optional[str]:
    value = text_field(data, "activity")
    if value is None or value == "":
        if required:
            raise PayloadError("'activity' must be an activity id")
        return None
    try:
        return check_activity_id(value)
    except PlanError:
        raise PayloadError("'activity' must be an activity id (32 hexadecimal digits)") from None


@dataclass(frozen=True)
class PlanActivity(CardData):
    """A button about one activity; ``show``: which card to answer with."""

    activity: str = ""
    show: str = "list"

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> "PlanActivity":
        show = text_field(data, "show") or "list"
        return cls(**cls.stamp(data), activity=_activity_id(data, True),
                   show=show if show in SHOWS else "list")


def _date(data: Mapping[str, Any], name: str) -> Optional[date]:
    value = (text_field(data, name) or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise PayloadError(f"'{name}' must be a date (YYYY-MM-DD)") from None


def _cost(data: Mapping[str, Any]) -> Optional[Decimal]:
    value = data.get("cost")
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise PayloadError("'cost' must be a number")
    try:
        out = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise PayloadError("'cost' must be a number") from None
    if not out.is_finite():
        raise PayloadError("'cost' must be a number")
    return out


@dataclass(frozen=True)
class PlanForm(CardData):
    """The form's values (``Input.*`` ids), and the activity edited (None: a new one)."""

    activity: Optional[str] = None
    name: str = ""
    start: Optional[date] = None
    end: Optional[date] = None
    cost: Optional[Decimal] = None
    currency: str = ""
    program: str = ""

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> "PlanForm":
        return cls(**cls.stamp(data), activity=_activity_id(data, False),
                   name=(text_field(data, "name") or "")[:500], start=_date(data, "start"), end=_date(data, "end"),
                   cost=_cost(data), currency=(text_field(data, "currency") or "")[:10],
                   program=(text_field(data, "program") or "")[:200])

    def values(self) -> dict:
        return {"name": self.name, "start": self.start, "end": self.end, "cost": self.cost,
                "currency": self.currency, "program": self.program}


def _render(turn: VerbTurn, payload: CardData, outcome: Any) -> VerbResult:
    """The card of ``outcome`` in place of the one clicked (same card id, so a later click
    refreshes it again)."""
    card = plan_cards.plan_card(outcome, turn.info.locale, card_id=turn.card_id or None,
                                issued=int(time.time()))
    if card is None:
        return VerbResult(note=outcome.status, keep=False)
    return VerbResult(card=card)


def _plans(turn: VerbTurn) -> Any:
    return getattr(turn.bot, "plans", None)


async def _unavailable(turn: VerbTurn) -> VerbResult:
    from understanding import messages

    return VerbResult(note=messages.t(turn.lang, "plan.unavailable"), keep=False)


async def _mark(turn: VerbTurn, payload: PlanActivity, claimed: bool) -> VerbResult:
    plans = _plans(turn)
    if plans is None:
        return await _unavailable(turn)
    return _render(turn, payload, await plans.mark_claimed(turn.info, turn.lang, payload.activity, claimed=claimed,
                                                           show=payload.show))


async def plan_claimed(turn: VerbTurn, payload: PlanActivity) -> VerbResult:
    """*Mark claimed*: claimed today; no more reminders about it."""
    return await _mark(turn, payload, claimed=True)


async def plan_unclaim(turn: VerbTurn, payload: PlanActivity) -> VerbResult:
    """*Not claimed*: the claimed mark taken off (its reminders come back)."""
    return await _mark(turn, payload, claimed=False)


async def plan_remove(turn: VerbTurn, payload: PlanActivity) -> VerbResult:
    """*Remove*: out of the plan; the plan is shown without it."""
    plans = _plans(turn)
    if plans is None:
        return await _unavailable(turn)
    return _render(turn, payload, await plans.remove(turn.info, turn.lang, payload.activity))


async def plan_edit(turn: VerbTurn, payload: PlanActivity) -> VerbResult:
    """*Edit*: the form with the activity's values."""
    plans = _plans(turn)
    if plans is None:
        return await _unavailable(turn)
    outcome = await plans.activity_outcome(turn.info, turn.lang, payload.activity)
    if outcome.activity is None:
        return _render(turn, payload, outcome)
    return _render(turn, payload, plans.edit_form(turn.info, turn.lang, outcome.activity))


async def plan_form(turn: VerbTurn, payload: CardData) -> VerbResult:
    """*Add an activity*: the empty form."""
    plans = _plans(turn)
    if plans is None:
        return await _unavailable(turn)
    return _render(turn, payload, plans.form(turn.info, turn.lang))


async def plan_save(turn: VerbTurn, payload: PlanForm) -> VerbResult:
    """*Save*: the activity added (or changed) and its card; the form again, with the reason,
    when the plan refuses a value."""
    plans = _plans(turn)
    if plans is None:
        return await _unavailable(turn)
    outcome = await plans.save_form(turn.info, turn.lang, payload.values(), payload.activity,
                                    await turn.reference())
    return _render(turn, payload, outcome)


async def plan_list(turn: VerbTurn, payload: CardData) -> VerbResult:
    """The plan as it is now."""
    plans = _plans(turn)
    if plans is None:
        return await _unavailable(turn)
    return _render(turn, payload, await plans.listing(turn.info, turn.lang))


PLAN_VERBS = (("plan_claimed", PlanActivity, plan_claimed), ("plan_unclaim", PlanActivity, plan_unclaim),
              ("plan_remove", PlanActivity, plan_remove), ("plan_edit", PlanActivity, plan_edit),
              ("plan_form", CardData, plan_form), ("plan_save", PlanForm, plan_save),
              ("plan_list", CardData, plan_list))


def register(verbs: CardVerbs) -> CardVerbs:
    """Add the planner's verbs to ``verbs`` (those it already has are left as they are)."""
    for verb, model, handler in PLAN_VERBS:
        if verb not in verbs:
            verbs.action_execute(verb, model)(handler)
    return verbs
