"""The turn runner: one turn of one conversation at a time, its state loaded and saved once,
its messages held back until the save succeeded, the whole turn run again when the save loses
the ETag race.

    runner = TurnRunner(states, on_failure=bot.recover)
    await runner.run(turn_context, dispatch, before_save=remember_cards, after_send=log_answers)

1. turns of one conversation take turns (an in-process lock);
2. state is loaded (:class:`storage.bot_storage.TurnStates`: both records in one read), the
   turn is dispatched, ``before_save`` sees what it wants to send, state is saved;
3. on an ETag conflict (another turn of the same conversation, maybe on another instance,
   saved first) the state is re-read and the turn is run again after a jittered pause, and
   only the successful run's messages go out, so two concurrent turns lose nothing and nobody
   gets an answer twice;
4. any other failure (or the last lost race) goes to ``on_failure(turn_context, exc)`` (log,
   apology, clean-up: the bot's), with what the failed run wanted to send dropped;
5. the held messages are sent; ``after_send`` gets them with the channel's answers (their ids).

It knows no dialog, card or verb: only botbuilder's ``TurnContext`` and the storage's public
interface.
"""
from __future__ import annotations

import asyncio
import logging
import random
import weakref
from typing import Any, Awaitable, Callable, List

from botbuilder.core import TurnContext
from botbuilder.schema import Activity

from core.redact import log_id
from storage import ConnectError
from storage.bot_storage import EtagConflictError, TurnStates

logger = logging.getLogger(__name__)

__all__ = ["TurnRunner", "Outbox", "MAX_ATTEMPTS", "OUTBOX_KEY", "FORGOTTEN_KEY", "is_conflict",
           "is_unavailable"]

# Runs of one turn when its save loses the ETag race to another instance. Between runs a
# random pause ("full jitter", growing to RETRY_CAP_SECONDS) lets instances fall out of step.
MAX_ATTEMPTS = 8
RETRY_BASE_SECONDS = 0.01
RETRY_CAP_SECONDS = 0.25
OUTBOX_KEY = "coop.outbox"
FORGOTTEN_KEY = "coop.forgotten"  # set on the turn that deleted the user's and conversation's state

Step = Callable[[TurnContext], Awaitable[Any]]


def is_conflict(exc: BaseException) -> bool:
    """An ETag conflict from the storage (SqlStorage's EtagConflictError, MemoryStorage's
    KeyError("Etag conflict...")).

    >>> is_conflict(KeyError("Etag conflict. Original: 1"))
    True
    >>> is_conflict(KeyError("missing"))
    False
    """
    if isinstance(exc, EtagConflictError):
        return True
    return isinstance(exc, KeyError) and "etag conflict" in str(exc).lower()


def is_unavailable(exc: BaseException) -> bool:
    """The database could not be reached or did not answer in time (storage.ConnectError)."""
    return isinstance(exc, ConnectError)


class Outbox:
    """Holds a turn's outgoing activities until its state is saved."""

    def __init__(self) -> None:
        self.holding = False
        self.items: list[Activity] = []

    async def handler(self, context: TurnContext, activities: List[Activity],
                      next_send: Callable[[], Awaitable[Any]]):
        if not self.holding:
            return await next_send()
        # botbuilder-python's TurnContext._emit runs the actual send even when a handler does
        # not call next_send, and sends the very list it passed us: take the activities out
        # of that list, so the send that follows sends nothing.
        self.items.extend(activities)
        activities.clear()
        return None

    async def flush(self, context: TurnContext) -> tuple[list[Activity], list[Any]]:
        """Send what was held; (the activities, the channel's answers)."""
        items, self.items = self.items, []
        self.holding = False
        if not items:
            return [], []
        return items, list(await context.send_activities(items) or [])


class TurnRunner:
    """Runs turns as the module docstring says."""

    def __init__(self, states: TurnStates, *,
                 on_failure: Callable[[TurnContext, BaseException], Awaitable[None]],
                 max_attempts: int = MAX_ATTEMPTS) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.states = states
        self.on_failure = on_failure
        self.max_attempts = max_attempts
        self._locks: "weakref.WeakValueDictionary[str, asyncio.Lock]" = weakref.WeakValueDictionary()

    def _lock_for(self, turn_context: TurnContext) -> asyncio.Lock:
        conversation = getattr(turn_context.activity.conversation, "id", None) or ""
        key = f"{turn_context.activity.channel_id}/{conversation}"
        lock = self._locks.get(key)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[key] = lock
        return lock

    async def run(self, turn_context: TurnContext, dispatch: Step, *,
                  before_save: Callable[[TurnContext, list[Activity]], Awaitable[None]] | None = None,
                  after_send: Callable[[TurnContext, list[Activity], list[Any]], Awaitable[None]] | None = None,
                  prepare: Callable[[TurnContext], None] | None = None) -> None:
        outbox = Outbox()
        turn_context.turn_state[OUTBOX_KEY] = outbox
        turn_context.on_send_activities(outbox.handler)
        async with self._lock_for(turn_context):
            if prepare is not None:
                prepare(turn_context)
            async with self.states.session():
                succeeded = await self._attempts(turn_context, outbox, dispatch, before_save)
            sent, responses = await outbox.flush(turn_context)
            if succeeded and after_send is not None and sent:
                try:
                    await after_send(turn_context, sent, responses)
                except Exception:  # noqa: BLE001 - what was sent is sent; log, never apologise
                    logger.exception("after the turn's send (conversation %s)",
                                     log_id(getattr(turn_context.activity.conversation, "id", None)))

    async def _attempts(self, turn_context: TurnContext, outbox: Outbox, dispatch: Step,
                        before_save) -> bool:
        """Load, run and save the turn; a save that loses the ETag race runs it again.
        True when a run was saved; False when the failure went to ``on_failure``."""
        for attempt in range(1, self.max_attempts + 1):
            outbox.holding = True
            outbox.items.clear()
            try:
                await self.states.load(turn_context, force=attempt > 1)
                await dispatch(turn_context)
                if before_save is not None:
                    await before_save(turn_context, outbox.items)
                if not turn_context.turn_state.get(FORGOTTEN_KEY):
                    # "forget my data" deleted both records this turn: nothing is written back
                    await self.states.save(turn_context)
                return True
            except Exception as exc:  # noqa: BLE001 - every failure is handled below
                if is_conflict(exc) and attempt < self.max_attempts:
                    logger.info("state conflict in conversation %s, running the turn again "
                                "(attempt %d)",
                                log_id(getattr(turn_context.activity.conversation, "id", None)),
                                attempt + 1)
                    await asyncio.sleep(random.uniform(
                        0, min(RETRY_CAP_SECONDS, RETRY_BASE_SECONDS * 2 ** attempt)))
                    continue
                outbox.items.clear()
                await self.on_failure(turn_context, exc)
                return False
        return False
