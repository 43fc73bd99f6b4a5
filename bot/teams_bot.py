"""The Teams bot: a :class:`TeamsActivityHandler` around the main dialog.

    bot = create_bot(settings, storage, reminders=reminders_service)
    await bot.on_turn(turn_context)       # (bot.http.process_messages does this)

Per turn, in :meth:`CoopBot.on_turn`:

1. turns of one conversation take turns (an in-process lock), then state is loaded;
2. the activity is read once (:class:`dialogs.TurnInfo`): the sender's calendar day (the
   injected clock's date in the sender's time zone: ``localTimezone``, else the UTC offset of
   ``localTimestamp`` clamped to ±14 h, else UTC; never the client's own clock), the locale (also
   from Teams' ``clientInfo`` entity), the text without the bot's own @mention, a card
   submit's ``value``;
3. the activity is dispatched (messages → main dialog; card submits on ``value.verb``;
   ``adaptiveCard/action`` invokes; welcome on install; clean-up on removal);
4. conversation and user state are saved once. What the turn sends is held back until the
   save succeeded: on an ETag conflict (another turn of the same conversation, maybe on
   another instance, saved first) the state is re-read and the turn is run again, and only
   the successful run's messages go out, so two concurrent turns lose nothing and nobody
   gets an answer twice;
5. an exception is logged with the request's correlation id, the user gets a short apology,
   the turn's half-made changes are discarded and an active dialog is ended, so one bad turn
   never breaks the conversation. A turn that lost the ETag race :data:`MAX_ATTEMPTS` times
   (with jittered pauses) or whose database did not answer apologises too, but leaves the
   stored dialog as it is: other turns advanced it, or nothing could be read.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import time
import weakref
from datetime import datetime, timezone
from http import HTTPStatus
from typing import Any, Awaitable, Callable, List, Optional

from botbuilder.core import (ConversationState, InvokeResponse, MessageFactory, Storage,
                             TurnContext, UserState)
from botbuilder.core.bot_state import BotState, CachedBotState
from botbuilder.core.teams import TeamsActivityHandler
from botbuilder.dialogs import DialogTurnStatus
from botbuilder.schema import Activity, ActivityTypes, ChannelAccount

from dialogs import (NOT_YOURS_KEY, VERB_ACTIONS, Actions, Conversation, CoopRecognizer,
                     MainDialog, TurnInfo, cancel_all, run_dialog, set_turn_info)
from dialogs import texts

from core.redact import bounded, log_id
from understanding.reply import Reply

from . import cards
from .adapter import new_correlation_id
from .state_cache import StateCache
from .wire import compact_json, model_json
from .locale import activity_lang, activity_locale, activity_today
from .mention import strip_bot_mention

logger = logging.getLogger(__name__)

__all__ = ["CoopBot", "create_bot"]

Clock = Callable[[], datetime]
# Runs of one turn when its save loses the ETag race to another instance. Between runs a
# random pause ("full jitter", growing to RETRY_CAP_SECONDS) lets instances fall out of step.
MAX_ATTEMPTS = 8
RETRY_BASE_SECONDS = 0.01
RETRY_CAP_SECONDS = 0.25
TEXT_VERBS = ("ask", "choose", "confirm")  # message-backs whose data carries the text to answer
MESSAGE_INVOKE_TYPE = "application/vnd.microsoft.activity.message"
CARD_INVOKE_TYPE = "application/vnd.microsoft.card.adaptive"
OUTBOX_KEY = "coop.outbox"
FORGOTTEN_KEY = "coop.forgotten"  # set on the turn that deleted the user's and conversation's state
MAX_STORED_CARDS = 8  # cards kept per conversation so a button click can answer with its card


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def _correlation_id() -> str:
    try:
        from bot import correlation_id

        value = correlation_id.get()
    except Exception:  # noqa: BLE001 - logging must not fail the turn
        value = "-"
    return value if value and value != "-" else new_correlation_id()


def _is_conflict(exc: BaseException) -> bool:
    """An ETag conflict from the storage (SqlStorage's EtagConflictError, MemoryStorage's
    KeyError("Etag conflict...")."""
    try:
        from storage.bot_storage import EtagConflictError

        if isinstance(exc, EtagConflictError):
            return True
    except ImportError:
        pass
    return isinstance(exc, KeyError) and "etag conflict" in str(exc).lower()


def _is_unavailable(exc: BaseException) -> bool:
    """The database could not be reached or did not answer in time (storage.ConnectError)."""
    try:
        from storage import ConnectError
    except ImportError:
        return False
    return isinstance(exc, ConnectError)


def _invoke_message(text: str) -> InvokeResponse:
    return InvokeResponse(status=int(HTTPStatus.OK),
                          body={"statusCode": 200, "type": MESSAGE_INVOKE_TYPE, "value": text})


def _invoke_card(card: dict) -> InvokeResponse:
    """The Universal Actions answer: the refreshed card replaces the one that was clicked."""
    return InvokeResponse(status=int(HTTPStatus.OK),
                          body={"statusCode": 200, "type": CARD_INVOKE_TYPE,
                                "value": cards.with_fallbacks(card)})


def _minimal_card(text: str) -> dict:
    return {"type": "AdaptiveCard", "$schema": cards.SCHEMA_URL, "version": cards.VERSION,
            "body": [{"type": "TextBlock", "text": text, "wrap": True}], "fallbackText": text}


def _kept_card(conversation: dict, card_id: str) -> dict | None:
    """The card kept under ``card_id`` for its buttons (JSON text; a dict in older state)."""
    kept = (conversation.get("cards") or {}).get(card_id) if card_id else None
    if isinstance(kept, str):
        try:
            kept = json.loads(kept)
        except ValueError:
            return None
    return kept if isinstance(kept, dict) else None


def _card_ids(card: dict) -> tuple[str | None, bool]:
    """(the id a card's ``Action.Execute`` buttons carry, whether it is a confirmation)."""
    for action in cards.execute_actions(card):
        data = action.get("data") if isinstance(action.get("data"), dict) else {}
        if data.get("card"):
            return str(data["card"]), action.get("verb") == "confirm"
    return None, False


def _execute_action(value: Any) -> tuple[str | None, dict]:
    """(verb, data) of an ``adaptiveCard/action`` invoke's value; ValueError (a 400 for the
    client, never a failed turn) when it is not an ``Action.Execute`` with a string verb.
    The action's own ``verb`` wins; a client that sends none is read from its ``data``.

    >>> _execute_action({"action": {"type": "Action.Execute", "verb": "remind", "data": {"card": "c1"}}})
    ('remind', {'card': 'c1'})
    >>> _execute_action({"action": {"type": "Action.Execute", "verb": {"x": 1}}})
    Traceback (most recent call last):
    ...
    ValueError: the action's verb must be a string
    """
    value = value if isinstance(value, dict) else {}
    action = value.get("action") if isinstance(value.get("action"), dict) else {}
    if action.get("type") != "Action.Execute":
        raise ValueError("expected an Action.Execute action")
    data = dict(action["data"]) if isinstance(action.get("data"), dict) else {}
    verb = action.get("verb")
    if verb is None or verb == "":
        verb = data.get("verb")
    if verb is not None and not isinstance(verb, str):
        raise ValueError("the action's verb must be a string")
    return verb or None, data


def _invoke_error(status: HTTPStatus, code: str, message: str) -> InvokeResponse:
    return InvokeResponse(status=int(status), body={
        "statusCode": int(status), "type": "application/vnd.microsoft.error",
        "value": {"code": code, "message": message}})


class _Outbox:
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

    async def flush(self, context: TurnContext) -> None:
        items, self.items = self.items, []
        self.holding = False
        if items:
            await context.send_activities(items)


class CoopBot(TeamsActivityHandler):
    def __init__(self, conversation_state: ConversationState, user_state: UserState,
                 dialog: MainDialog, conversation: Conversation, actions: Actions, *,
                 clock: Clock = _utc_now, convention: str | None = None,
                 respond: Callable[..., Any] | None = None, max_attempts: int = MAX_ATTEMPTS):
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.max_attempts = max_attempts
        self.conversation_state = conversation_state
        self.user_state = user_state
        self.dialog = dialog
        self.conversation = conversation
        self.actions = actions
        self.clock = clock
        self.convention = convention
        self.renderer = dialog.renderer
        self._respond = respond
        self.dialog_state = conversation_state.create_property("DialogState")
        self.user_profile = user_state.create_property("UserProfile")
        self._locks: "weakref.WeakValueDictionary[str, asyncio.Lock]" = weakref.WeakValueDictionary()

    # ------------------------------------------------------------------ turn pipeline

    def _lock_for(self, turn_context: TurnContext) -> asyncio.Lock:
        conversation = getattr(turn_context.activity.conversation, "id", None) or ""
        key = f"{turn_context.activity.channel_id}/{conversation}"
        lock = self._locks.get(key)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[key] = lock
        return lock

    async def on_turn(self, turn_context: TurnContext):
        outbox = _Outbox()
        turn_context.turn_state[OUTBOX_KEY] = outbox
        turn_context.on_send_activities(outbox.handler)
        lock = self._lock_for(turn_context)
        async with lock:
            self._read_turn(turn_context)
            async with self._db_session():
                await self._attempts(turn_context, outbox)
            await outbox.flush(turn_context)

    def _db_session(self) -> Any:
        """The turn's statements on one pooled connection (``storage.Database.session``)."""
        db = getattr(getattr(self.conversation_state, "_storage", None), "_db", None)
        session = getattr(db, "session", None)
        return session() if session is not None else contextlib.nullcontext()

    async def _attempts(self, turn_context: TurnContext, outbox: "_Outbox") -> None:
        """Load, run and save the turn; a save that loses the ETag race runs it again."""
        for attempt in range(1, self.max_attempts + 1):
            outbox.holding = True
            outbox.items.clear()
            try:
                await self._load_states(turn_context, force=attempt > 1)
                await super().on_turn(turn_context)
                await self._remember_cards(turn_context, outbox.items)
                await self._save(turn_context)
                break
            except Exception as exc:  # noqa: BLE001 - every failure is handled below
                if _is_conflict(exc) and attempt < self.max_attempts:
                    logger.info("state conflict in conversation %s, running the turn again "
                                "(attempt %d)",
                                log_id(getattr(turn_context.activity.conversation, "id", None)),
                                attempt + 1)
                    await asyncio.sleep(random.uniform(
                        0, min(RETRY_CAP_SECONDS, RETRY_BASE_SECONDS * 2 ** attempt)))
                    continue
                outbox.items.clear()
                await self._recover(turn_context, exc)
                break

    async def _load_states(self, turn_context: TurnContext, force: bool) -> None:
        """Load conversation and user state with one read when the storage guards the creation
        of new items (SqlStorage's ``NEW_ITEM_ETAG``); else as :meth:`_load` does.

        A record that does not exist yet gets ``NEW_ITEM_ETAG`` as its e_tag: the end-of-turn
        save then creates it only if it still does not exist, so two first turns racing (maybe
        on two instances) cannot silently lose one's changes, and the loser re-runs. User
        state is written only when a turn changes it: no empty record.
        """
        storage = getattr(self.conversation_state, "_storage", None)
        new_item = getattr(storage, "NEW_ITEM_ETAG", None)
        if (new_item is None or getattr(self.user_state, "_storage", None) is not storage
                or type(self.conversation_state).load is not BotState.load
                or type(self.user_state).load is not BotState.load):
            await self._load(self.conversation_state, turn_context, force=force)
            await self.user_state.load(turn_context, force=force)
            return
        keys = [self.conversation_state.get_storage_key(turn_context),
                self.user_state.get_storage_key(turn_context)]
        items = await storage.read(keys)
        for state, key in zip((self.conversation_state, self.user_state), keys):
            if not force and state.get(turn_context):
                continue  # already loaded this turn (BotState.load would keep it too)
            item = items.get(key)
            # As BotState.load(force=True) caches it; an absent item is marked new. The user
            # state's mark is in the hash, so an untouched empty user state is not saved.
            cached = StateCache(item if item is not None else {"e_tag": new_item})
            if item is None and state is self.conversation_state:
                cached.hash = cached.compute_hash(None)  # as botbuilder: a new record is saved
            turn_context.turn_state[state._context_service_key] = cached  # noqa: SLF001

    @staticmethod
    async def _load(state, turn_context: TurnContext, force: bool) -> None:
        """Load ``state``. A record that does not exist yet is first created empty through the
        storage's guarded ``update`` (SqlStorage): botbuilder writes a new record without an
        e_tag, i.e. unconditionally, so two first turns racing would silently lose one's
        changes; with the record created first, the turn's save carries an e_tag and the
        loser of the race gets a conflict (and re-runs) instead."""
        await state.load(turn_context, force=force)
        cached = state.get(turn_context)
        storage = getattr(state, "_storage", None)
        update = getattr(storage, "update", None)
        if isinstance(cached, dict) and not cached.get("e_tag") and callable(update):
            key = state.get_storage_key(turn_context)
            await update(key, lambda current: current if current is not None else {})
            await state.load(turn_context, force=True)

    async def _save(self, turn_context: TurnContext) -> None:
        if turn_context.turn_state.get(FORGOTTEN_KEY):
            return  # "forget my data" deleted both records this turn: nothing is written back
        await self.conversation_state.save_changes(turn_context)
        await self.user_state.save_changes(turn_context)

    async def _recover(self, turn_context: TurnContext, exc: BaseException) -> None:
        """Log, apologise, and leave the stored state as it was before this turn (minus an
        active dialog, which could fail the same way again)."""
        cid = _correlation_id()
        logger.error("turn failed [correlation id %s] (%s, conversation %s)", cid,
                     bounded(turn_context.activity.type, 40),
                     log_id(getattr(turn_context.activity.conversation, "id", None)),
                     exc_info=(type(exc), exc, exc.__traceback__))
        lang = self._lang_hint(turn_context)
        if _is_unavailable(exc) or _is_conflict(exc):
            # The database did not answer (nothing of this turn was saved, and a reset would only
            # wait for it again), or this turn lost every race: the stored dialog is the one the
            # other turns advanced, and it is fine. Either way, leave it and apologise at once.
            pass
        else:
            try:
                await self.conversation_state.load(turn_context, force=True)
                await cancel_all(turn_context, self.dialog, self.dialog_state)
                await self.conversation_state.save_changes(turn_context)
            except Exception:  # noqa: BLE001 - the apology must still go out
                logger.exception("could not reset the dialog state [correlation id %s]", cid)
        apology = texts.apology(lang)
        if turn_context.activity.type == ActivityTypes.invoke:
            await turn_context.send_activity(Activity(type=ActivityTypes.invoke_response,
                                                      value=_invoke_message(apology)))
        else:
            await turn_context.send_activity(self.renderer.text(apology, lang, activity_locale(turn_context.activity)))

    async def _remember_cards(self, turn_context: TurnContext, activities: List[Activity]) -> None:
        """Keep the cards this turn sends that have ``Action.Execute`` buttons (the last
        :data:`MAX_STORED_CARDS` of the conversation), so a click can be answered with its
        card refreshed; a confirmation's id is remembered until its question is answered."""
        sent = [(a, cards.card_of_activity(a)) for a in activities if a.type == ActivityTypes.message]
        sent = [(a, c) for a, c in sent if c is not None]
        if not sent:
            return
        data = await self.conversation.data(turn_context)
        for _activity, card in sent:
            card_id, is_confirm = _card_ids(card)
            if card_id is None:
                continue
            self._store_card(data, card_id, card)
            if is_confirm:
                data["confirms"] = [*data.get("confirms", []), card_id][-4:]

    @staticmethod
    def _is_stale_card(data: dict, conversation: dict) -> bool:
        """A card issued before the conversation state that would answer it began ("forget my
        data" deleted the state, or retention expired it) is stale: its buttons do nothing. The
        state's ``since`` is when it first kept a card; with no state, every stamped card of
        the conversation is older. Reminder cards are answered by the reminders store, not by
        conversation state, and are never stale this way."""
        issued = data.get("issued")
        if not isinstance(issued, (int, float)) or data.get("scope") == "reminder":
            return False
        since = conversation.get("since")
        return not isinstance(since, (int, float)) or issued < since

    @staticmethod
    def _store_card(data: dict, card_id: str, card: dict) -> None:
        if not isinstance(data.get("since"), (int, float)):
            issued = [a["data"]["issued"] for a in cards.execute_actions(card)
                      if isinstance(a.get("data"), dict) and isinstance(a["data"].get("issued"), (int, float))]
            data["since"] = min([int(time.time()), *issued])
        stored = dict(data.get("cards") or {})
        stored.pop(card_id, None)
        # kept as JSON text: botbuilder hashes and jsonpickle flattens the whole state on every
        # save, and a card's nested dicts cost far more there than one string does
        stored[card_id] = compact_json(card)
        while len(stored) > MAX_STORED_CARDS:
            stored.pop(next(iter(stored)))
        data["cards"] = stored

    def _read_turn(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        now = self.clock()
        text = strip_bot_mention(activity)
        value = activity.value if isinstance(activity.value, dict) else {}
        if activity.type == ActivityTypes.message:
            verb = value.get("verb")
            if not text and verb in TEXT_VERBS and isinstance(value.get("text"), str):
                text = value["text"].strip()
            # Prompts read activity.text: give them the cleaned text (None stays None-safe).
            activity.text = text
        conversation = activity.conversation
        set_turn_info(turn_context, TurnInfo(
            today=activity_today(activity, now), locale=activity_locale(activity),
            lang=activity_lang(activity), text=text, value=value,
            user_id=getattr(activity.from_property, "id", None),
            conversation_id=getattr(conversation, "id", None),
            conversation_type=getattr(conversation, "conversation_type", None),
            convention=self.convention,
            timezone=activity.local_timezone if isinstance(activity.local_timezone, str) else None))

    def _lang_hint(self, turn_context: TurnContext) -> str:
        cached = self.conversation_state.get(turn_context) or {}
        data = cached.get("ConversationData") if isinstance(cached, dict) else None
        if isinstance(data, dict) and data.get("lang") in ("en", "fr"):
            return data["lang"]
        return activity_lang(turn_context.activity)

    async def _reference(self, turn_context: TurnContext) -> dict | None:
        activity = turn_context.activity
        if not activity.service_url or activity.conversation is None:
            return None
        # bot.wire: what msrest's serialize() gives, in a fraction of its time (every turn)
        made = getattr(turn_context, "conversation_reference", None)  # CoopTurnContext: once a turn
        return model_json(made() if made is not None else TurnContext.get_conversation_reference(activity))

    # ------------------------------------------------------------------ messages

    async def on_message_activity(self, turn_context: TurnContext):
        await self.actions.refresh(await self._reference(turn_context))
        from dialogs import turn_info

        info = turn_info(turn_context)
        verb = info.verb
        if not info.text and verb in VERB_ACTIONS:
            await self._card_action(turn_context, info, verb, info.value)
            return
        if verb == "confirm" and not self._asked_by(info.value, info):
            # the Yes/No of a question another member asked (Action.Submit fallback)
            await turn_context.send_activity(self.renderer.text(
                texts.text("forget_not_yours", info.lang), info.lang, info.locale))
            return
        if not info.text:
            logger.info("message without text or known verb ignored (verb %s)", bounded(verb, 40))
            return
        open_dialog = getattr(await self.dialog_state.get(turn_context), "dialog_stack", None)
        answer_at_once = getattr(self.dialog, "answer_at_once", None)
        if not open_dialog and answer_at_once is not None and await answer_at_once(turn_context):
            waiting = False  # answered with no dialog begun (most turns)
        else:
            result = await run_dialog(self.dialog, turn_context, self.dialog_state)
            waiting = result.status == DialogTurnStatus.Waiting
        if not waiting:
            # no question is open any more: its Yes/No buttons are stale from now on
            (await self.conversation.data(turn_context)).pop("confirms", None)

    async def _card_action(self, turn_context: TurnContext, info: TurnInfo, verb: str,
                           data: dict) -> str:
        """A "Remind me" / "Add to calendar" / "Stop reminders" message-back (``Action.Submit``
        of older cards, clients without Universal Actions): do it, say so in a message."""
        lang = self._card_lang(data) or (await self.conversation.data(turn_context)).get("lang") or info.lang
        outcome = await self.actions.perform(VERB_ACTIONS[verb], info, lang,
                                             await self._reference(turn_context), data)
        await turn_context.send_activity(self.renderer.outcome(outcome, lang, info.locale))
        return outcome.text

    @staticmethod
    def _asked_by(data: dict, info: TurnInfo) -> bool:
        """Whether a confirmation button's data names this turn's sender as the member who
        asked (a card without a requester names nobody, and anyone may answer it)."""
        requester = data.get("requester") if isinstance(data, dict) else None
        return requester is None or requester == cards.requester_tag(info.user_id)

    @staticmethod
    def _card_lang(data: dict) -> str | None:
        lang = data.get("lang") if isinstance(data, dict) else None
        return lang if lang in cards.LANGS else None

    # ------------------------------------------------------------------ Universal Actions

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        if turn_context.activity.name == "adaptiveCard/action":
            return await self._universal_action(turn_context)
        return await super().on_invoke_activity(turn_context)

    async def _universal_action(self, turn_context: TurnContext) -> InvokeResponse:
        """``Action.Execute`` (Universal Actions): do what the button says and answer with the
        refreshed card (``{"statusCode": 200, "type": "application/vnd.microsoft.card.adaptive",
        "value": card}``), never with a message besides. Idempotent: "Remind me" twice is one
        subscription and the same card. A stale button (a question already answered, a card
        from before "forget my data") changes nothing and its card says so."""
        from dialogs import turn_info

        try:
            verb, data = _execute_action(turn_context.activity.value)
        except ValueError as problem:
            return _invoke_error(HTTPStatus.BAD_REQUEST, "BadRequest", str(problem))
        info = turn_info(turn_context)
        info.value = {**data, "verb": verb}
        conversation = await self.conversation.data(turn_context)
        lang = self._card_lang(data) or conversation.get("lang") or info.lang
        lab = cards.labels(lang)
        card_id = str(data.get("card") or "")
        stored = _kept_card(conversation, card_id)
        if verb == "confirm":
            return await self._confirm(turn_context, info, data, lang, card_id, stored, conversation)
        if self._is_stale_card(data, conversation):
            return _invoke_card(cards.with_status(stored or _minimal_card(lab["stale_forgotten"]),
                                                  lab["stale_forgotten"], keep_actions=False))
        if verb in VERB_ACTIONS:
            card = await self._refreshed(turn_context, info, verb, data, lang, stored)
            if card_id and data.get("scope") != "reminder":
                self._store_card(conversation, card_id, card)
            return _invoke_card(card)
        text = data.get("text")
        if verb in TEXT_VERBS and isinstance(text, str) and text.strip():
            info.text = text.strip()
            turn_context.activity.text = info.text
            await run_dialog(self.dialog, turn_context, self.dialog_state)
            return _invoke_message("")
        return _invoke_error(HTTPStatus.BAD_REQUEST, "BadRequest", f"unknown verb {verb!r}")

    async def _refreshed(self, turn_context: TurnContext, info: TurnInfo, verb: str, data: dict,
                         lang: str, stored: dict | None) -> dict:
        """Do a button's action; the card it came from, updated to show the result."""
        reference = await self._reference(turn_context)
        if verb == "remind":
            outcome = await self.actions.subscribe_outcome(info, lang, reference)
            card = stored or _minimal_card(outcome.text)
            if not outcome.ok:
                return cards.with_status(card, outcome.text)
            return cards.with_reminder_state(card, lang, True, locale=info.locale, data=data,
                                             next_date=cards.confirmation_date(data, info.today, outcome.next_date))
        if verb == "unsubscribe":
            outcome = await self.actions.perform("unsubscribe", info, lang, reference,
                                                 {**data, "scope": data.get("scope") or "card"})
            if data.get("scope") == "reminder":
                from reminders.digest import rebuild

                # someone without reminders here (another member of the channel): the card
                # stays as it was and says so
                stopped = outcome.kind == "unsubscribed" and bool(outcome.stopped)
                card = rebuild(data, lang, info.locale, self.convention,
                               base_url=self.renderer.base_url, stopped=stopped)
                if card is None:
                    return _minimal_card(outcome.text)
                return card if stopped else cards.with_status(card, outcome.text)
            if outcome.kind == "unavailable":
                return cards.with_status(stored or _minimal_card(outcome.text), outcome.text)
            return cards.with_reminder_state(stored or _minimal_card(outcome.text), lang, False, data=data)
        outcome = await self.actions.perform(VERB_ACTIONS[verb], info, lang, reference, data)
        if outcome.kind == "calendar":
            card = self.renderer.calendar_card(outcome, lang)
            if verb == "calendar_rotate":
                card = cards.with_status(card, cards.labels(lang)["feed_rotated"])
            return card
        return cards.with_status(stored or _minimal_card(outcome.text), outcome.text)

    async def _confirm(self, turn_context: TurnContext, info: TurnInfo, data: dict, lang: str,
                       card_id: str, stored: dict | None, conversation: dict) -> InvokeResponse:
        """Yes/No of a confirmation card: the open question gets the answer (its outcome
        becomes the card's last line); an answered question's buttons only say so."""
        lab = cards.labels(lang)
        question = stored or _minimal_card(lab["stale_confirm"])
        if not card_id or card_id not in conversation.get("confirms", []):
            return _invoke_card(cards.with_status(question, lab["stale_confirm"], keep_actions=False))
        if not self._asked_by(data, info):
            # another member's click: a note for them alone, the card stays as it is for all
            return _invoke_message(texts.text("forget_not_yours", info.lang))
        answer = data.get("text") if isinstance(data.get("text"), str) else lab["yes" if data.get("answer") == "yes" else "no"]
        info.text = answer
        turn_context.activity.text = answer
        outbox: _Outbox = turn_context.turn_state[OUTBOX_KEY]
        before = len(outbox.items)
        # the open prompt reads only message activities: the answer is given to it as one
        activity_type = turn_context.activity.type
        turn_context.activity.type = ActivityTypes.message
        try:
            result = await run_dialog(self.dialog, turn_context, self.dialog_state)
        finally:
            turn_context.activity.type = activity_type
        # what the dialog said goes onto the card instead of into a message
        said = [a for a in outbox.items[before:] if a.type == ActivityTypes.message]
        del outbox.items[before:]
        if turn_context.turn_state.get(NOT_YOURS_KEY):
            # the open question is another member's (its dialog said so): the note for the
            # one who clicked, the card unchanged
            return _invoke_message(" ".join(a.text for a in said if a.text))
        if result.status != DialogTurnStatus.Waiting:
            conversation = await self.conversation.data(turn_context)
            conversation.pop("confirms", None)
        lines = [a.text or (cards.card_of_activity(a) or {}).get("fallbackText", "") for a in said]
        status = " ".join(line for line in lines if line) or lab["stale_confirm"]
        card = cards.with_status(question, status, keep_actions=False)
        if card_id in (conversation.get("cards") or {}):
            self._store_card(conversation, card_id, card)
        return _invoke_card(card)

    # ------------------------------------------------------------------ install / welcome

    async def on_teams_members_added_dispatch(self, members_added: List[ChannelAccount], team_info,
                                              turn_context: TurnContext):
        # The stock dispatch fetches every added user's profile from Teams (a network call
        # per member); the welcome only needs to know whether the bot itself was added.
        return await self.on_members_added_activity(members_added, turn_context)

    async def on_members_added_activity(self, members_added: List[ChannelAccount],
                                        turn_context: TurnContext):
        if _includes_bot(members_added, turn_context):
            await self._welcome(turn_context)

    async def on_installation_update_add(self, turn_context: TurnContext):
        await self._welcome(turn_context)

    async def _welcome(self, turn_context: TurnContext) -> None:
        data = await self.conversation.data(turn_context)
        if data.get("welcomed"):
            return
        data["welcomed"] = True
        from dialogs import turn_info

        info = turn_info(turn_context)
        reply = self._welcome_reply(info)
        await turn_context.send_activity(cards.welcome_activity(reply, info.locale))

    @staticmethod
    def _welcome_reply(info: TurnInfo) -> Reply:
        """The catalogue's welcome, in the user's locale language, with the common questions."""
        return Reply(lang=info.lang, intent="welcome", text=texts.text("welcome", info.lang),
                     suggestions=texts.suggestions(info.lang))

    async def on_teams_members_removed_dispatch(self, members_removed: List[ChannelAccount], team_info,
                                                turn_context: TurnContext):
        return await self.on_members_removed_activity(members_removed, turn_context)

    async def on_members_removed_activity(self, members_removed: List[ChannelAccount],
                                          turn_context: TurnContext):
        if _includes_bot(members_removed, turn_context):
            await self._removed(turn_context)

    async def on_installation_update_remove(self, turn_context: TurnContext):
        await self._removed(turn_context)

    async def _removed(self, turn_context: TurnContext) -> None:
        """Uninstalled / removed from the conversation: stop its reminders, drop its stored
        reference and the question context (the welcome flag stays, so a reinstall in the same
        conversation does not greet twice)."""
        conversation_id = getattr(turn_context.activity.conversation, "id", None)
        await self.actions.removed_from(conversation_id)
        await self.conversation.forget_context(turn_context)
        await cancel_all(turn_context, self.dialog, self.dialog_state)

    # ------------------------------------------------------------------ forget my data

    async def forget_state(self, turn_context: TurnContext) -> None:
        """"Forget my data": delete the user's state and this conversation's state (its dialog,
        the question context, the cards kept for their buttons), then have the storage reclaim
        the space now (on SQLite the deleted rows leave the WAL too), so nothing about the user
        stays in any file. A button of a card issued before now is stale from then on: its card
        is older than the conversation state that answers it (see :meth:`_is_stale_card`)."""
        turn_context.turn_state[FORGOTTEN_KEY] = True
        for state in (self.user_state, self.conversation_state):
            await state.delete(turn_context)
            # an unchanged empty cache, so the end-of-turn save writes nothing back
            turn_context.turn_state[state._context_service_key] = StateCache({})  # noqa: SLF001
        compact = getattr(getattr(self.conversation_state, "_storage", None), "compact", None)
        if compact is not None:
            await compact()


def create_bot(settings: Any = None, storage: Storage | None = None, *, reminders: Any = None,
               clock: Optional[Clock] = None, respond: Callable[..., Any] | None = None,
               next_reminder: Callable[..., Any] | None = None,
               max_attempts: int = MAX_ATTEMPTS) -> CoopBot:
    """The product bot on ``storage`` (botbuilder ``Storage``; ``SqlStorage`` in production).

    ``settings``: :class:`config.Settings` (reads ``fy_label_convention``; may be None in tests).
    ``reminders``: the reminders service (see :mod:`dialogs.actions`), or None: reminder
    buttons then answer that reminders are unavailable. ``next_reminder``: the schedule's
    next reminder after a day (``reminders.schedule.next_reminder``; see
    :class:`dialogs.Actions`). ``clock``: returns an aware
    ``datetime`` (default: UTC now), the fallback for "today" when the client sends no
    local time. ``respond``: replaces ``understanding.respond`` (tests).
    """
    if storage is None:
        raise ValueError("create_bot needs a botbuilder Storage (SqlStorage in production)")
    convention = getattr(settings, "fy_label_convention", None)
    conversation_state = ConversationState(storage)
    user_state = UserState(storage)
    conversation = Conversation(conversation_state.create_property("ConversationData"), respond,
                                convention)
    actions = Actions(reminders, next_reminder=next_reminder)
    recognizer = CoopRecognizer(context_of=conversation.context)
    renderer = cards.CardRenderer(getattr(settings, "public_base_url", "") or "")
    holder: dict[str, CoopBot] = {}

    async def forget_state(turn_context: TurnContext) -> None:
        await holder["bot"].forget_state(turn_context)

    dialog = MainDialog(recognizer, conversation, renderer, actions, forget_state)
    bot = CoopBot(conversation_state, user_state, dialog, conversation, actions,
                  clock=clock or _utc_now, convention=convention, respond=respond,
                  max_attempts=max_attempts)
    holder["bot"] = bot
    return bot


def _includes_bot(members: Optional[List[ChannelAccount]], turn_context: TurnContext) -> bool:
    """Whether the bot itself (the activity's recipient) is among ``members``."""
    bot_id = getattr(turn_context.activity.recipient, "id", None)
    return any(m is not None and m.id == bot_id for m in members or [])
