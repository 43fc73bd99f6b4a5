"""The side effects a reply or a card button asks for: reminders on/off/list, calendar link,
"forget my data". The dialogs call :class:`Actions`; it talks to the reminders service and
composes the confirmation from the message catalogues.

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
from datetime import date
from typing import Any, Callable, Optional, Protocol

from . import texts
from .turn import TurnInfo

logger = logging.getLogger(__name__)

__all__ = ["Actions", "RemindersService", "ACTION_VERBS", "VERB_ACTIONS"]

# card verbs that are actions (the other verbs, ask/choose, carry text)
VERB_ACTIONS = {"remind": "subscribe", "calendar": "calendar", "unsubscribe": "unsubscribe"}
ACTION_VERBS = frozenset(VERB_ACTIONS)


class RemindersService(Protocol):
    """What :class:`Actions` calls (``reminders.store`` without the ``db`` argument)."""

    async def subscribe(self, *, user_id: str, reference: dict, lang: str,
                        locale: Optional[str], tz: Optional[str], today: date) -> Any: ...

    async def unsubscribe(self, user_id: str) -> bool: ...

    async def get_subscription(self, user_id: str) -> Any: ...

    async def refresh_reference(self, reference: dict) -> int: ...

    async def deactivate_conversation(self, conversation_id: str, **kwargs: Any) -> int: ...

    async def forget_user(self, user_id: str) -> dict: ...

    async def calendar_url(self, user_id: str, lang: str, locale: Optional[str]) -> str: ...

    async def next_reminder_date(self, today: date) -> Optional[date]: ...

    async def upcoming_reminder(self, today: date) -> Any: ...


async def _maybe_await(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


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
        """Do ``action`` (subscribe, unsubscribe, list_reminders, calendar) and return the
        sentence to send."""
        if action == "subscribe":
            return await self.subscribe(info, lang, reference)
        if action == "unsubscribe":
            if not self._has("unsubscribe") or not info.user_id:
                return texts.text("reminders_unavailable", lang)
            await self._call("unsubscribe", info.user_id)
            return texts.unsubscribed(lang)
        if action == "list_reminders":
            if not self._has("get_subscription") or not info.user_id:
                return texts.text("reminders_unavailable", lang)
            sub = await self._call("get_subscription", info.user_id)
            active = bool(sub is not None and getattr(sub, "active", False))
            upcoming = None
            if active:
                upcoming = (await self._call("upcoming_reminder", info.today) if self._has("upcoming_reminder")
                            else self._next_item(info.today))
            return texts.listing(lang, active, upcoming, info.locale)
        if action == "calendar":
            if not self._has("calendar_url") or not info.user_id:
                return texts.text("reminders_unavailable", lang)
            url = await self._call("calendar_url", info.user_id, lang, info.locale)
            return texts.calendar_link(lang, url)
        raise ValueError(f"unknown action {action!r}")

    async def subscribe(self, info: TurnInfo, lang: str, reference: Optional[dict]) -> str:
        if not self._has("subscribe") or not info.user_id or not reference:
            return texts.text("reminders_unavailable", lang)
        await self._call("subscribe", user_id=info.user_id, reference=reference, lang=lang,
                         locale=info.locale, tz=info.timezone, today=info.today)
        # A new subscription starts with the reminders due today, so today's own reminder
        # still reaches it unless today's sweep has already run; only the reminders service
        # knows which, the schedule alone would skip today and name a later date.
        if self._has("next_reminder_date"):
            next_date = await self._call("next_reminder_date", info.today)
        else:
            next_date = self._next_date(info.today)
        return texts.subscribed(lang, next_date, info.locale)

    async def forget(self, info: TurnInfo) -> None:
        if self._has("forget_user") and info.user_id:
            await self._call("forget_user", info.user_id)

    async def refresh(self, reference: Optional[dict]) -> None:
        if reference and self._has("refresh_reference"):
            await self._call("refresh_reference", reference)

    async def removed_from(self, conversation_id: Optional[str]) -> None:
        if conversation_id and self._has("deactivate_conversation"):
            await self._call("deactivate_conversation", conversation_id)
