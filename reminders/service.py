"""The reminders service the bot's dialogs talk to: :class:`StoreReminders`, the methods of
``dialogs.actions.RemindersService`` over a ``storage.Database`` with :mod:`reminders.store`.

The composition root (``services.py``) builds it and hands it to the bot; ``dialogs`` knows
only the seam (a ``typing.Protocol``), never this package.
"""
from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections import OrderedDict
from datetime import date, timedelta
from typing import Any, Callable, Optional
from urllib.parse import urlencode

from planner import PlanStore

from . import store
from .plans import track_plan
from .schedule import (cycle_label, next_by_kind, next_reminder, reminder_ahead, upcoming_deadlines,
                       urgent_reminders)
from .sweeper import next_reminder_date, upcoming_reminder

__all__ = ["StoreReminders", "next_reminder"]

logger = logging.getLogger(__name__)

_CYCLE_KEY = re.compile(r"^\d{4}-H[12]$")
REFERENCE_CACHE_SIZE = 10_000
REFERENCE_CACHE_SECONDS = 300.0
REFERENCE_FLUSH_SECONDS = 0.05


class StoreReminders:
    """The reminders service the dialogs call, over a ``Database`` (``reminders.store``).

    ``refresh_reference`` runs on every turn. The reference this instance last stored (or
    found already stored) per conversation is remembered for ``reference_cache_seconds``
    (at most ``reference_cache_size`` conversations, least recently used dropped first), and
    the same reference again within that time is not written. The database stays the truth:
    a miss, a changed reference, or any subscription change made through this object goes to
    the database; an entry's age bounds how long a change made by another instance can go
    unrefreshed here.

    ``refresh_reference_later`` (what a turn calls) does the same behind the turn: the
    references of the next ``reference_flush_seconds`` are written together, one statement
    for all of them (``reminders.store.refresh_references``), which on PostgreSQL cost a third
    of what a statement per turn did. :meth:`close` (the bot's, at shutdown) writes what is
    still held, and so does any subscription change made here, before it.
    """

    def __init__(self, db: Any, *, public_base_url: str = "", calendar_path: str = "/calendar/{token}.ics",
                 reference_cache_size: int = REFERENCE_CACHE_SIZE,
                 reference_cache_seconds: float = REFERENCE_CACHE_SECONDS,
                 clock: Callable[[], float] = time.monotonic,
                 on_urgent: Optional[Callable[[], None]] = None,
                 reference_flush_seconds: float = REFERENCE_FLUSH_SECONDS):
        self._db = db
        self._on_urgent = on_urgent
        self._store = store
        self._base = public_base_url.rstrip("/")
        self._path = calendar_path
        self._seen: "OrderedDict[str, tuple[str, float]]" = OrderedDict()
        self._seen_size = reference_cache_size
        self._seen_seconds = reference_cache_seconds
        self._clock = clock
        self._flush_seconds = reference_flush_seconds
        self._pending: dict[str, tuple[dict, str]] = {}  # conversation id -> (reference, its JSON)
        self._flushing: Optional[asyncio.Task] = None

    def _forget_seen(self) -> None:
        self._seen.clear()

    async def subscribe(self, **kwargs: Any) -> Any:
        """``reminders.store.subscribe``; when it planned an urgent reminder (a deadline
        closer than its usual notice), ``on_urgent`` is told, so that it goes out at once
        (the server wakes its daily sweep: ``ReminderServices.sweep_soon``)."""
        await self.flush_references()  # a held reference is older than this change
        self._forget_seen()
        try:
            sub = await self._store.subscribe(self._db, **kwargs)
        finally:
            self._forget_seen()
        if self._on_urgent is not None and kwargs.get("today") and urgent_reminders(kwargs["today"]):
            self._on_urgent()
        return sub

    async def unsubscribe(self, user_id: str, conversation_id: Optional[str] = None) -> list:
        """Stop the user's reminders in ``conversation_id`` (all of them when None); the
        subscriptions stopped."""
        await self.flush_references()  # a held reference is older than this change
        self._forget_seen()
        return await self._store.unsubscribe(self._db, user_id, conversation_id)

    async def get_subscription(self, user_id: str, conversation_id: Optional[str] = None) -> Any:
        return await self._store.get_subscription(self._db, user_id, conversation_id)

    async def subscriptions(self, user_id: str) -> list:
        """The user's active subscriptions, one per conversation, the personal one first."""
        return await self._store.user_subscriptions(self._db, user_id)

    async def refresh_reference(self, reference: dict) -> int:
        """``reminders.store.refresh_reference``, skipped when this instance stored the same
        reference for the conversation recently (see the class docstring)."""
        try:
            conversation_id = self._store.reference_fields(reference)[0]
            stored = json.dumps(self._store.normalize_reference(reference), sort_keys=True)
        except (ValueError, TypeError, AttributeError):
            return await self._store.refresh_reference(self._db, reference)  # its own error
        now = self._clock()
        seen = self._seen.get(conversation_id)
        if seen is not None and seen[0] == stored and now - seen[1] < self._seen_seconds:
            self._seen.move_to_end(conversation_id)
            return 0
        changed = await self._store.refresh_reference(self._db, reference)
        self._remember(conversation_id, stored, now)
        return changed

    def _remember(self, conversation_id: str, stored: str, now: float) -> None:
        self._seen[conversation_id] = (stored, now)
        self._seen.move_to_end(conversation_id)
        while len(self._seen) > self._seen_size:
            self._seen.popitem(last=False)

    async def refresh_reference_later(self, reference: dict) -> None:
        """:meth:`refresh_reference` behind the turn, written with the other conversations'
        of the next ``reference_flush_seconds`` (see the class docstring)."""
        try:
            conversation_id = self._store.reference_fields(reference)[0]
            stored = json.dumps(self._store.normalize_reference(reference), sort_keys=True)
        except (ValueError, TypeError, AttributeError):
            await self._store.refresh_reference(self._db, reference)  # its own error
            return
        seen = self._seen.get(conversation_id)
        if seen is not None and seen[0] == stored and self._clock() - seen[1] < self._seen_seconds:
            self._seen.move_to_end(conversation_id)
            return
        self._pending[conversation_id] = (reference, stored)  # a conversation's latest wins
        if self._flushing is None or self._flushing.done():
            self._flushing = asyncio.get_running_loop().create_task(
                self._flush_later(), name="reference-refresh")

    async def _flush_later(self) -> None:
        await asyncio.sleep(self._flush_seconds)
        await self.flush_references()

    async def flush_references(self) -> None:
        """Write the references held by :meth:`refresh_reference_later` now."""
        while self._pending:
            batch, self._pending = self._pending, {}
            try:
                await self._store.refresh_references(self._db, [r for r, _ in batch.values()])
            except Exception:  # noqa: BLE001 - the next turn of each conversation tries again
                logger.exception("could not refresh %d conversation references", len(batch))
                return
            now = self._clock()
            for conversation_id, (_, stored) in batch.items():
                self._remember(conversation_id, stored, now)

    async def close(self) -> None:
        """Write what is still held (the server's shutdown, through the bot's ``close``)."""
        flushing = self._flushing
        if flushing is not None and not flushing.done() and flushing is not asyncio.current_task():
            flushing.cancel()
            await asyncio.gather(flushing, return_exceptions=True)
        await self.flush_references()

    async def deactivate_conversation(self, conversation_id: str, **kwargs: Any) -> int:
        await self.flush_references()  # a held reference is older than this change
        self._forget_seen()
        return await self._store.deactivate_conversation(self._db, conversation_id, **kwargs)

    async def forget_user(self, user_id: str) -> dict:
        """"Forget my data": the user's subscriptions, ledger and calendar token, and their
        plans (``planner.PlanStore.forget_person``: the personal plan deleted, their id taken
        out of shared plans)."""
        await self.flush_references()  # a held reference is older than this change
        self._forget_seen()
        counts = await self._store.forget_user(self._db, user_id)
        plans = await PlanStore(self._db).forget_person(user_id)
        return {**counts, **{f"plan_{k}": v for k, v in plans.items()}}

    async def track_plan(self, **kwargs: Any) -> Any:
        """:func:`reminders.plans.track_plan`: a tracked activity's reminders have somewhere to
        go (call it when a partner tracks an activity or sets a budget)."""
        await self.flush_references()  # a held reference is older than this change
        self._forget_seen()
        return await track_plan(self._db, **kwargs)

    async def calendar_url(self, user_id: str, lang: str, locale: Optional[str]) -> str:
        token = await self._store.calendar_token(self._db, user_id, lang, locale)
        return self._base + self._path.format(token=token)

    async def rotate_calendar(self, user_id: str, lang: str, locale: Optional[str]) -> str:
        """A new calendar-feed link for the user; the previous one stops working."""
        token = await self._store.rotate_calendar_token(self._db, user_id, lang, locale)
        return self._base + self._path.format(token=token)

    async def revoke_calendar(self, user_id: str) -> bool:
        return await self._store.revoke_calendar_token(self._db, user_id)

    async def cycles_calendar_url(self, today: date, lang: str, locale: Optional[str]) -> str:
        """The deadlines file of the cycles still to claim on ``today`` (no user data:
        ``GET /calendar/cycles/...``), for conversations other people read."""
        names = ",".join(cycle_label(c) for c in upcoming_deadlines(today)[-4:])
        query = urlencode({"lang": lang, **({"locale": locale} if locale else {})})
        return f"{self._base}/calendar/cycles/{names}.ics?{query}"

    async def next_reminder_date(self, today: date) -> Optional[date]:
        """The day the first reminder reaches someone who subscribes ``today``
        (:func:`reminders.sweeper.next_reminder_date`: today's own reminder while today's sweep has not
        run, tomorrow's catch-up once it has)."""
        return await next_reminder_date(self._db, today)

    async def upcoming_by_kind(self, today: date, user_id: Optional[str] = None) -> dict:
        """Each kind's next reminder date for ``user_id`` on ``today`` ("my reminders" dates
        every one): the schedule's (:func:`reminders.schedule.next_by_kind`; from tomorrow
        once today's sweep has run), or sooner for one already in the user's ledger waiting
        for the next sweep (an urgent one planned when they subscribed)."""
        swept = (await store.last_swept(self._db) or date.min) >= today
        next_sweep = today + timedelta(days=1) if swept else today
        out = next_by_kind(next_sweep, urgent=False)
        if user_id:
            for kind in await store.waiting_kinds(self._db, user_id, next_sweep):
                out[kind] = next_sweep
        return out

    async def reminder_date_for(self, cycles: list, today: date) -> Optional[date]:
        """The first reminder about a card's ``cycles`` (``2026-H2``...: what its button
        carries; anything else is ignored) for someone subscribing ``today``, None when none
        lies ahead (:func:`reminders.schedule.reminder_ahead`)."""
        keys = [c for c in cycles[:8] if isinstance(c, str) and _CYCLE_KEY.match(c)]
        item = reminder_ahead(keys, today) if keys else None
        return item.due_date if item is not None else None

    async def upcoming_reminder(self, today: date) -> Any:
        """The next reminder an existing subscription gets (:func:`reminders.sweeper.upcoming_reminder`)."""
        return await upcoming_reminder(self._db, today)
