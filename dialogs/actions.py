"""The side effects a reply or a card button asks for: reminders on/off/list, calendar link,
"forget my data". The dialogs and the bot call :class:`Actions`; it talks to the reminders
service and composes the confirmation from the message catalogues.

A reminder subscription belongs to a (user, conversation): "remind me" in a channel adds the
channel's reminders and never touches the personal ones; "stop reminders" stops the ones of
the conversation it is said in (or, when there are none there, all of the user's) and says
which; "my reminders" lists every conversation.

The reminders service is a seam, :class:`RemindersService` (a ``typing.Protocol``): the
composition root (``services.py``) hands in ``reminders.StoreReminders``; ``dialogs`` never
imports ``reminders``. A service may offer only some of the methods (tests pass small fakes);
an action whose method is missing answers that reminders are unavailable instead of
pretending. ``next_reminder`` (``today -> item with .due_date``, the schedule's next reminder
after ``today``) is what the confirmation falls back on when the service cannot say which
day the sweeps will really deliver; the composition root passes
``reminders.schedule.next_reminder``.
"""
from __future__ import annotations

import inspect
import logging
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable, Optional, Protocol

from . import texts
from .turn import TurnInfo

logger = logging.getLogger(__name__)

__all__ = ["Actions", "RemindersService", "PlanCommands", "ACTION_VERBS", "VERB_ACTIONS", "Outcome", "webcal_url"]

# card verbs that are actions (the other verbs, ask/choose/confirm, carry text)
VERB_ACTIONS = {"remind": "subscribe", "calendar": "calendar", "unsubscribe": "unsubscribe",
                "calendar_rotate": "calendar_rotate"}
ACTION_VERBS = frozenset(VERB_ACTIONS)


class RemindersService(Protocol):
    """What :class:`Actions` calls (``reminders.store`` without the ``db`` argument)."""

    async def subscribe(self, *, user_id: str, reference: dict, lang: str,
                        locale: Optional[str], tz: Optional[str], today: date,
                        conversation_type: str, user_name: str) -> Any: ...

    async def unsubscribe(self, user_id: str, conversation_id: Optional[str] = None) -> list: ...

    async def subscriptions(self, user_id: str) -> list: ...

    async def get_subscription(self, user_id: str, conversation_id: Optional[str] = None) -> Any: ...

    async def refresh_reference(self, reference: dict) -> int: ...

    # optional: ``refresh_reference`` behind the turn, and ``close()`` writing what it holds
    async def refresh_reference_later(self, reference: dict) -> None: ...

    async def close(self) -> None: ...

    async def deactivate_conversation(self, conversation_id: str, **kwargs: Any) -> int: ...

    async def forget_user(self, user_id: str) -> dict: ...

    async def calendar_url(self, user_id: str, lang: str, locale: Optional[str]) -> str: ...

    async def rotate_calendar(self, user_id: str, lang: str, locale: Optional[str]) -> str: ...

    async def revoke_calendar(self, user_id: str) -> bool: ...

    async def cycles_calendar_url(self, today: date, lang: str, locale: Optional[str]) -> str: ...

    async def next_reminder_date(self, today: date) -> Optional[date]: ...

    async def upcoming_reminder(self, today: date) -> Any: ...

    async def upcoming_by_kind(self, today: date, user_id: Optional[str] = None) -> dict: ...

    async def reminder_date_for(self, cycles: list, today: date) -> Optional[date]: ...


class PlanCommands(Protocol):
    """The planner's commands (issue #20) as the dialogs run them: ``reply.action``
    (``plan_track``...) with the typed command of ``reply.data["plan"]``
    (``understanding.planner``), for the turn's plan; the outcome goes to the renderer's
    ``plan(outcome, locale)``. The bot's ``bot.plan_actions.PlanActions`` is one."""

    async def perform(self, action: str, info: TurnInfo, lang: str, data: Optional[dict],
                      reference: Optional[dict] = None) -> Any: ...


async def _maybe_await(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


def webcal_url(url: str) -> str:
    """The ``webcal://`` form of a feed URL (calendar apps subscribe to it instead of
    importing once).

    >>> webcal_url("https://bot.example/calendar/t.ics")
    'webcal://bot.example/calendar/t.ics'
    """
    for scheme in ("https://", "http://"):
        if url.startswith(scheme):
            return "webcal://" + url[len(scheme):]
    return url


@dataclass
class Outcome:
    """What an action did, for a card or a sentence. ``kind``: ``subscribed`` |
    ``unsubscribed`` | ``listing`` | ``calendar`` | ``unavailable``."""

    kind: str
    text: str
    ok: bool = True
    next_date: Optional[date] = None
    feed_url: str = ""  # the user's own subscription feed (personal chat only)
    download_url: str = ""  # a deadlines file without user data
    here: bool = False  # "my reminders": some of them go to this conversation
    stopped: list = field(default_factory=list)

    @property
    def webcal(self) -> str:
        return webcal_url(self.feed_url) if self.feed_url else ""


PERSONAL = "personal"


def _where(lang: str, sub: Any, info: TurnInfo) -> str:
    kind = getattr(sub, "conversation_type", None) or PERSONAL
    if kind == PERSONAL:
        return texts.text("reminders.where_personal", lang)
    if getattr(sub, "conversation_id", None) == info.conversation_id:
        return texts.text("reminders.where_channel" if kind == "channel" else "reminders.where_group", lang)
    return texts.text("reminders.where_elsewhere", lang)


def _join(parts: list[str]) -> str:
    parts = list(dict.fromkeys(parts))
    return ", ".join(parts)


class Actions:
    def __init__(self, reminders: Optional[RemindersService] = None, *,
                 next_reminder: Optional[Callable[[date], Any]] = None):
        self.reminders = reminders
        self.next_reminder = next_reminder

    def _next_item(self, today: date) -> Any:
        return self.next_reminder(today) if self.next_reminder is not None else None

    def _next_date(self, today: date) -> Optional[date]:
        item = self._next_item(today)
        return getattr(item, "due_date", None) if item is not None else None

    def _has(self, name: str) -> bool:
        return self.reminders is not None and callable(getattr(self.reminders, name, None))

    async def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        return await _maybe_await(getattr(self.reminders, name)(*args, **kwargs))

    async def run(self, action: str, info: TurnInfo, lang: str, reference: Optional[dict],
                  data: Optional[dict] = None) -> str:
        """Do ``action`` (subscribe, unsubscribe, list_reminders, calendar, calendar_rotate)
        and return the sentence to send."""
        return (await self.perform(action, info, lang, reference, data)).text

    async def perform(self, action: str, info: TurnInfo, lang: str, reference: Optional[dict],
                      data: Optional[dict] = None) -> Outcome:
        """Do ``action`` and say what happened (:class:`Outcome`)."""
        unavailable = Outcome("unavailable", texts.text("reminders_unavailable", lang), ok=False)
        if action == "subscribe":
            return await self.subscribe_outcome(info, lang, reference, data=data)
        if action == "unsubscribe":
            if not self._has("unsubscribe") or not info.user_id:
                return unavailable
            scope = (data or {}).get("scope")
            return await self.unsubscribe_outcome(info, lang, only_here=scope in ("card", "reminder"))
        if action == "list_reminders":
            if not info.user_id or not (self._has("subscriptions") or self._has("get_subscription")):
                return unavailable
            text, here = await self._listing(info, lang)
            return Outcome("listing", text, here=here)
        if action == "calendar" and (info.conversation_type or PERSONAL) != PERSONAL \
                and self._has("cycles_calendar_url"):
            # a channel or group chat sees the message: the deadlines file, not the user's feed
            url = await self._call("cycles_calendar_url", info.today, lang, info.locale)
            return Outcome("calendar", texts.calendar_link(lang, url), download_url=url)
        if action in ("calendar", "calendar_rotate"):
            name = "rotate_calendar" if action == "calendar_rotate" else "calendar_url"
            if not self._has(name) or not info.user_id:
                return unavailable
            url = await self._call(name, info.user_id, lang, info.locale)
            return Outcome("calendar", texts.calendar_feed(lang, webcal_url(url), url), feed_url=url)
        raise ValueError(f"unknown action {action!r}")

    async def _listing(self, info: TurnInfo, lang: str) -> tuple[str, bool]:
        """("my reminders" as a sentence, whether some go to this conversation)."""
        if self._has("subscriptions"):
            subs = list(await self._call("subscriptions", info.user_id))
        else:
            sub = await self._call("get_subscription", info.user_id)
            subs = [sub] if sub is not None and getattr(sub, "active", False) else []
        if not subs:
            return texts.listing(lang, False), False
        here = any(getattr(s, "conversation_id", info.conversation_id) == info.conversation_id for s in subs)
        upcoming = (await self._call("upcoming_reminder", info.today) if self._has("upcoming_reminder")
                    else self._next_item(info.today))
        if len(subs) == 1 and (getattr(subs[0], "conversation_type", None) or PERSONAL) == PERSONAL:
            if self._has("upcoming_by_kind"):  # every kind with its date
                upcoming = await self._call("upcoming_by_kind", info.today, info.user_id)
            return texts.listing(lang, True, upcoming, info.locale), here
        return texts.listing_where(lang, [_where(lang, s, info) for s in subs],
                                   getattr(upcoming, "due_date", None), info.locale), here

    async def subscribe(self, info: TurnInfo, lang: str, reference: Optional[dict]) -> str:
        return (await self.subscribe_outcome(info, lang, reference)).text

    async def subscribe_outcome(self, info: TurnInfo, lang: str, reference: Optional[dict],
                                user_name: Optional[str] = None, data: Optional[dict] = None) -> Outcome:
        """Subscribe; the confirmation names the next reminder: of the card's own cycles when
        a card's button asked (``data["cycles"]``; none when none lies ahead for them), else
        the subscription's first."""
        if not self._has("subscribe") or not info.user_id or not reference:
            return Outcome("unavailable", texts.text("reminders_unavailable", lang), ok=False)
        kind = info.conversation_type or PERSONAL
        name = user_name or ((reference.get("user") or {}).get("name") if isinstance(reference, dict) else None)
        await self._call("subscribe", user_id=info.user_id, reference=reference, lang=lang,
                         locale=info.locale, tz=info.timezone, today=info.today,
                         conversation_type=kind, user_name=name or "")
        # A new subscription starts with the reminders due today, so today's own reminder
        # still reaches it unless today's sweep has already run; only the reminders service
        # knows which, the schedule alone would skip today and name a later date.
        cycles = (data or {}).get("cycles") if isinstance((data or {}).get("cycles"), list) else None
        if cycles and self._has("reminder_date_for"):  # a card's "Remind me": that card's reminder
            next_date = await self._call("reminder_date_for", cycles, info.today)
        elif self._has("next_reminder_date"):
            next_date = await self._call("next_reminder_date", info.today)
        else:
            next_date = self._next_date(info.today)
        text = (texts.subscribed(lang, next_date, info.locale) if kind == PERSONAL
                else texts.text("confirm.subscribed_channel", lang))
        return Outcome("subscribed", text, next_date=next_date)

    async def unsubscribe_outcome(self, info: TurnInfo, lang: str, *, only_here: bool = False) -> Outcome:
        """Stop the reminders of this conversation; when there are none here (and not
        ``only_here``: a card's button is about its own conversation), every one of the
        user's. The sentence says which were stopped and which go on."""
        stopped = list(await self._call("unsubscribe", info.user_id, info.conversation_id) or [])
        if not stopped and not only_here:
            stopped = list(await self._call("unsubscribe", info.user_id) or [])
        remaining = list(await self._call("subscriptions", info.user_id)) if self._has("subscriptions") else []
        if not stopped:
            return Outcome("unsubscribed", texts.text("confirm.unsubscribed_none", lang), ok=False)
        if not isinstance(stopped[0], (str, bytes)) and hasattr(stopped[0], "conversation_id"):
            text = texts.text("confirm.unsubscribed_where", lang,
                              where=_join([_where(lang, s, info) for s in stopped]))
            if remaining:
                text += " " + texts.text("confirm.unsubscribed_still", lang,
                                         where=_join([_where(lang, s, info) for s in remaining]))
        else:
            text = texts.unsubscribed(lang)
        return Outcome("unsubscribed", text, stopped=stopped)

    async def forget(self, info: TurnInfo) -> None:
        """Delete the user's reminders data: subscriptions, ledger, calendar link (revoked)."""
        if self._has("forget_user") and info.user_id:
            await self._call("forget_user", info.user_id)
        if self._has("revoke_calendar") and info.user_id:
            await self._call("revoke_calendar", info.user_id)

    async def refresh(self, reference: Optional[dict]) -> None:
        """Store the turn's conversation reference: behind the turn when the service can
        (``refresh_reference_later``), else now."""
        if reference and self._has("refresh_reference_later"):
            await self._call("refresh_reference_later", reference)
        elif reference and self._has("refresh_reference"):
            await self._call("refresh_reference", reference)

    async def close(self) -> None:
        """Let the reminders service write what it holds (the server's shutdown)."""
        if self._has("close"):
            await self._call("close")

    async def removed_from(self, conversation_id: Optional[str]) -> None:
        if conversation_id and self._has("deactivate_conversation"):
            await self._call("deactivate_conversation", conversation_id)
