"""The Teams bot: a :class:`TeamsActivityHandler` whose routes are tables.

    bot = create_bot(settings, storage, reminders=reminders_service, feedback=feedback_store)
    await bot.on_turn(turn_context)       # (bot.http.process_messages does this)

The rooms it is made of:

- **the turn runner** (:mod:`bot.turns`): one turn of a conversation at a time, its state
  loaded and saved once through :class:`storage.bot_storage.TurnStates`, its messages held
  until the save succeeded, run again on an ETag conflict;
- **card verbs** (:mod:`bot.verbs`): one handler per ``Action.Execute`` verb, its payload read
  by a typed model (a bad one is a 400); the cards kept for their buttons
  (:mod:`bot.kept_cards`); per-member views in group chats and channels (:mod:`bot.views`);
- **lifecycle** (:mod:`bot.lifecycle`): install (one short line, once) and removal;
- **feedback** (:mod:`bot.feedback`): 👍/👎 on every answer, recorded with what was read;
- messages go to the main dialog (``dialogs``).

Per turn, :meth:`CoopBot.on_turn` reads the activity once (:class:`dialogs.TurnInfo`: the
sender's calendar day from the injected clock in the sender's time zone, the locale, the text
without the bot's @mention, a card submit's ``value``), then the runner dispatches it through
botbuilder's ``TeamsActivityHandler``. A failed turn is logged with the request's correlation
id, the user gets a short apology, the turn's half-made changes are discarded and an active
dialog is ended, so one bad turn never breaks the conversation; a turn that lost the ETag race
every time, or whose database did not answer, apologises too but leaves the stored dialog as
it is.
"""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from http import HTTPStatus
from typing import Any, Awaitable, Callable, List, Optional

from botbuilder.core import InvokeResponse, Storage, TurnContext
from botbuilder.core.teams import TeamsActivityHandler
from botbuilder.dialogs import DialogTurnStatus
from botbuilder.schema import Activity, ActivityTypes, ChannelAccount

from dialogs import (NOT_YOURS_KEY, VERB_ACTIONS, Actions, Conversation, CoopRecognizer,
                     MainDialog, TurnInfo, cancel_all, run_dialog, set_turn_info)
from dialogs import texts

from core.redact import bounded, log_id
from understanding import registry
from storage.bot_storage import TurnStates

from . import cards, compose, kept_cards, views
from .adapter import new_correlation_id
from .feedback import (ANSWER_ATTRIBUTE, AnswerLog, FeedbackPayload, FeedbackRecorder,
                       answer_record, enable_feedback)
from .copilot import as_personal_chat
from .lifecycle import Lifecycle, includes_bot
from .locale import activity_lang, activity_locale, activity_today
from .mention import strip_bot_mention
from .plan_actions import PlanActions
from .plan_verbs import register as register_plan_verbs
from .renderer import REPLY_ATTRIBUTE, AnswerRenderer
from .turns import (FORGOTTEN_KEY, MAX_ATTEMPTS, OUTBOX_KEY, TurnRunner, is_conflict,
                    is_unavailable)
from .verbs import BUILTIN, CardVerbs, Confirm, PayloadError, VerbResult, VerbTurn, minimal_card
from .wire import model_json

logger = logging.getLogger(__name__)

__all__ = ["CoopBot", "create_bot", "MAX_ATTEMPTS", "INVOKES"]

Clock = Callable[[], datetime]
TEXT_VERBS = ("ask", "choose", "confirm")  # message-backs whose data carries the text to answer
MESSAGE_INVOKE_TYPE = "application/vnd.microsoft.activity.message"
CARD_INVOKE_TYPE = "application/vnd.microsoft.card.adaptive"


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def _correlation_id() -> str:
    try:
        from bot import correlation_id

        value = correlation_id.get()
    except Exception:  # noqa: BLE001 - logging must not fail the turn
        value = "-"
    return value if value and value != "-" else new_correlation_id()


def _invoke_message(text: str) -> InvokeResponse:
    return InvokeResponse(status=int(HTTPStatus.OK),
                          body={"statusCode": 200, "type": MESSAGE_INVOKE_TYPE, "value": text})


def _invoke_card(card: dict) -> InvokeResponse:
    """The Universal Actions answer: the refreshed card replaces the one that was clicked."""
    return InvokeResponse(status=int(HTTPStatus.OK),
                          body={"statusCode": 200, "type": CARD_INVOKE_TYPE,
                                "value": cards.with_fallbacks(card)})


def _invoke_error(status: HTTPStatus, code: str, message: str) -> InvokeResponse:
    return InvokeResponse(status=int(status), body={
        "statusCode": int(status), "type": "application/vnd.microsoft.error",
        "value": {"code": code, "message": message}})


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


class CoopBot(TeamsActivityHandler):
    def __init__(self, states: TurnStates, dialog: MainDialog, conversation: Conversation,
                 actions: Actions, *, clock: Clock = _utc_now, convention: str | None = None,
                 respond: Callable[..., Any] | None = None, max_attempts: int = MAX_ATTEMPTS,
                 verbs: CardVerbs | None = None, feedback: FeedbackRecorder | None = None):
        self.states = states
        self.conversation_state = states.conversation
        self.user_state = states.user
        self.dialog = dialog
        self.conversation = conversation
        self.actions = actions
        self.clock = clock
        self.convention = convention
        self.renderer = dialog.renderer
        self.verbs = verbs if verbs is not None else BUILTIN.copy()
        self.invokes: dict[str, InvokeRoute] = dict(INVOKES)  # invoke name -> handler (a test may add one)
        self.feedback = feedback
        self.plans: Any = None  # bot.plan_actions.PlanActions (create_bot), the planner's card verbs use it
        self.answers = AnswerLog(states)
        self._respond = respond
        self.dialog_state = states.conversation.create_property("DialogState")
        self.user_profile = states.user.create_property("UserProfile")
        self.runner = TurnRunner(states, on_failure=self._recover, max_attempts=max_attempts)
        self.lifecycle = Lifecycle(conversation, actions, self.renderer,
                                   lambda tc: cancel_all(tc, self.dialog, self.dialog_state))

    @property
    def max_attempts(self) -> int:
        return self.runner.max_attempts

    @property
    def storage(self) -> Storage:
        return self.states.storage

    # ------------------------------------------------------------------ the turn

    async def on_turn(self, turn_context: TurnContext):
        await self.runner.run(turn_context, super().on_turn, prepare=self._read_turn,
                              before_save=self._before_save, after_send=self._after_send)

    async def _before_save(self, turn_context: TurnContext, activities: List[Activity]) -> None:
        await self._remember_cards(turn_context, activities)
        if turn_context.activity.type in (ActivityTypes.message, ActivityTypes.invoke):
            from dialogs import turn_info

            question = turn_info(turn_context).text
            data = None
            for activity in activities:
                if activity.type == ActivityTypes.message:
                    enable_feedback(activity)  # 👍/👎 under every answer
                    reply = getattr(activity, REPLY_ATTRIBUTE, None)
                    if reply is not None:
                        data = data if data is not None else await self.conversation.data(turn_context)
                        # the slot is taken with the turn's state; the record is made after the
                        # send, only for an answer the channel gave an id (none on expectReplies)
                        setattr(activity, ANSWER_ATTRIBUTE,
                                (self.answers.next_slot(data), question, reply))

    async def _after_send(self, turn_context: TurnContext, sent: List[Activity],
                          responses: List[Any]) -> None:
        """Keep the answers just sent, under the ids the channel gave them (feedback)."""
        answers = []
        for activity, response in zip(sent, responses):
            kept = getattr(activity, ANSWER_ATTRIBUTE, None)
            activity_id = getattr(response, "id", None)
            if kept is not None and activity_id:
                slot, question, reply = kept
                answers.append((slot, activity_id, answer_record(question, reply)))
        if answers and not turn_context.turn_state.get(FORGOTTEN_KEY):
            await self.answers.add(turn_context, answers)

    async def close(self) -> None:
        """Write what is still held for the database (the answers kept for feedback, the
        conversation references the reminders service holds)."""
        await self.answers.close()
        await self.actions.close()

    async def _recover(self, turn_context: TurnContext, exc: BaseException) -> None:
        """Log, apologise, and leave the stored state as it was before this turn (minus an
        active dialog, which could fail the same way again)."""
        cid = _correlation_id()
        logger.error("turn failed [correlation id %s] (%s, conversation %s)", cid,
                     bounded(turn_context.activity.type, 40),
                     log_id(getattr(turn_context.activity.conversation, "id", None)),
                     exc_info=(type(exc), exc, exc.__traceback__))
        lang = self._lang_hint(turn_context)
        if is_unavailable(exc) or is_conflict(exc):
            # The database did not answer (nothing of this turn was saved, and a reset would only
            # wait for it again), or this turn lost every race: the stored dialog is the one the
            # other turns advanced, and it is fine. Either way, leave it and apologise at once.
            pass
        else:
            try:
                await self.states.reload_conversation(turn_context)
                await cancel_all(turn_context, self.dialog, self.dialog_state)
                await self.states.save_conversation(turn_context)
            except Exception:  # noqa: BLE001 - the apology must still go out
                logger.exception("could not reset the dialog state [correlation id %s]", cid)
        apology = texts.apology(lang)
        if turn_context.activity.type == ActivityTypes.invoke:
            await turn_context.send_activity(Activity(type=ActivityTypes.invoke_response,
                                                      value=_invoke_message(apology)))
        else:
            await turn_context.send_activity(self.renderer.text(apology, lang, activity_locale(turn_context.activity)))

    def _read_turn(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        as_personal_chat(activity)  # Microsoft 365 Copilot: the personal chat (bot.copilot)
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
        data = self.states.conversation_data(turn_context, "ConversationData")
        if isinstance(data, dict) and data.get("lang") in registry.codes():
            return data["lang"]
        return activity_lang(turn_context.activity)

    async def reference(self, turn_context: TurnContext) -> dict | None:
        """The conversation reference of this turn, as JSON (stored for proactive sends)."""
        activity = turn_context.activity
        if not activity.service_url or activity.conversation is None:
            return None
        # bot.wire: what msrest's serialize() gives, in a fraction of its time (every turn)
        made = getattr(turn_context, "conversation_reference", None)  # CoopTurnContext: once a turn
        return model_json(made() if made is not None else TurnContext.get_conversation_reference(activity))

    _reference = reference

    # ------------------------------------------------------------------ cards kept for their buttons

    async def _remember_cards(self, turn_context: TurnContext, activities: List[Activity]) -> None:
        """Keep the cards this turn sends that have ``Action.Execute`` buttons
        (:mod:`bot.kept_cards`), so a click can be answered with its card refreshed; a
        confirmation's id is remembered until its question is answered. In a group chat or
        channel such a card is refreshed per member, starting with the one who asked
        (:mod:`bot.views`)."""
        sent = [(a, cards.card_of_activity(a)) for a in activities if a.type == ActivityTypes.message]
        sent = [(a, c) for a, c in sent if c is not None]
        if not sent:
            return
        conversation_type = getattr(turn_context.activity.conversation, "conversation_type", None)
        asker = getattr(turn_context.activity.from_property, "id", None)
        data = await self.conversation.data(turn_context)
        for activity, card in sent:
            card_id, is_confirm, stamp = kept_cards.card_ids(card)
            if card_id is None:
                continue
            if views.is_shared(conversation_type) and asker and not is_confirm:
                card = views.with_refresh(card, stamp, [asker])
                for attachment in activity.attachments or []:
                    if attachment.content_type == cards.CARD_CONTENT_TYPE:
                        attachment.content = card
            kept_cards.keep(data, card_id, card)
            if is_confirm:
                data["confirms"] = [*data.get("confirms", []), card_id][-4:]

    # ------------------------------------------------------------------ messages

    async def on_message_activity(self, turn_context: TurnContext):
        await self.actions.refresh(await self.reference(turn_context))
        if compose.is_inserted_card(turn_context.activity):
            logger.info("a message extension card inserted in the bot's chat: nothing to answer")
            return
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
        if not info.text and verb not in TEXT_VERBS and verb in self.verbs:
            await self._submitted_verb(turn_context, info, verb)
            return
        if not info.text:
            logger.info("message without text or known verb ignored (verb %s)", bounded(verb, 40))
            return
        await self.answer(turn_context)

    async def answer(self, turn_context: TurnContext) -> None:
        """The turn's text to the main dialog (answered at once when no dialog is open)."""
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

    async def ask(self, turn_context: TurnContext, info: TurnInfo, text: str) -> None:
        """A button that asks ``text`` in the member's stead: answered as a message."""
        info.text = text
        turn_context.activity.text = text
        await run_dialog(self.dialog, turn_context, self.dialog_state)

    async def _card_action(self, turn_context: TurnContext, info: TurnInfo, verb: str,
                           data: dict) -> str:
        """A "Remind me" / "Add to calendar" / "Stop reminders" message-back (``Action.Submit``
        of older cards, clients without Universal Actions): do it, say so in a message."""
        lang = self._card_lang(data) or (await self.conversation.data(turn_context)).get("lang") or info.lang
        outcome = await self.actions.perform(VERB_ACTIONS[verb], info, lang,
                                             await self.reference(turn_context), data)
        await turn_context.send_activity(self.renderer.outcome(outcome, lang, info.locale))
        return outcome.text

    async def _submitted_verb(self, turn_context: TurnContext, info: TurnInfo, verb: str) -> None:
        """Another registered verb as a message-back: its handler runs, and what it answers
        (its outcome, else its card, else its note) comes as a message."""
        registered = self.verbs.get(verb)
        try:
            payload = registered.model.parse(info.value)
        except PayloadError as problem:
            logger.info("card submit %s ignored: %s", bounded(verb, 40), problem)
            return
        turn, refused = await self._verb_turn(turn_context, info, registered, payload)
        if refused is not None:
            return
        result = await registered.handler(turn, payload)
        if result.outcome is not None:
            await turn_context.send_activity(self.renderer.outcome(result.outcome, turn.lang, info.locale))
        elif result.card is not None:
            await turn_context.send_activity(self.renderer.card(
                result.card, cards.summary_line(result.card.get("fallbackText") or ""), turn.lang, info.locale))
        elif result.note:
            await turn_context.send_activity(self.renderer.text(result.note, turn.lang, info.locale))

    @staticmethod
    def _asked_by(data: dict, info: TurnInfo) -> bool:
        """Whether a confirmation button's data names this turn's sender as the member who
        asked (a card without a requester names nobody, and anyone may answer it)."""
        requester = data.get("requester") if isinstance(data, dict) else None
        return requester is None or requester == cards.requester_tag(info.user_id)

    @staticmethod
    def _card_lang(data: dict) -> str | None:
        lang = data.get("lang") if isinstance(data, dict) else None
        return lang if lang in registry.codes() else None

    # ------------------------------------------------------------------ invokes

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        """An invoke goes to its route (:data:`INVOKES`, by ``name``: one handler each), else to
        botbuilder's ``TeamsActivityHandler`` (which answers 501 for what nobody handles)."""
        route = self.invokes.get(turn_context.activity.name)
        if route is not None:
            return await route(self, turn_context)
        return await super().on_invoke_activity(turn_context)

    async def _verb_turn(self, turn_context: TurnContext, info: TurnInfo, registered: Any,
                         payload: Any) -> tuple[VerbTurn, InvokeResponse | None]:
        conversation = await self.conversation.data(turn_context)
        lang = payload.lang or conversation.get("lang") or info.lang
        card_id = payload.card
        stored = kept_cards.kept_card(conversation, card_id)
        turn = VerbTurn(turn_context, info, lang, conversation, card_id, stored, self)
        if registered.stale_check and kept_cards.is_stale(payload.data, conversation):
            lab = cards.labels(lang)
            return turn, _invoke_card(cards.with_status(stored or minimal_card(lab["stale_forgotten"]),
                                                        lab["stale_forgotten"], keep_actions=False))
        return turn, None

    async def _universal_action(self, turn_context: TurnContext) -> InvokeResponse:
        """``Action.Execute`` (Universal Actions): the verb's handler does what the button says
        and the invoke answers with the refreshed card (``{"statusCode": 200, "type":
        "application/vnd.microsoft.card.adaptive", "value": card}``), never with a message
        besides. Idempotent: "Remind me" twice is one subscription and the same card. A stale
        button (a card from before "forget my data") changes nothing and its card says so."""
        from dialogs import turn_info

        try:
            verb, data = _execute_action(turn_context.activity.value)
            registered = self.verbs.get(verb)
            if registered is None:
                raise PayloadError(f"unknown verb {verb!r}")
            payload = registered.model.parse(data)
        except ValueError as problem:  # PayloadError is one
            return _invoke_error(HTTPStatus.BAD_REQUEST, "BadRequest", str(problem))
        info = turn_info(turn_context)
        info.value = {**data, "verb": verb}
        turn, refused = await self._verb_turn(turn_context, info, registered, payload)
        if refused is not None:
            return refused
        result = await registered.handler(turn, payload)
        if isinstance(result, InvokeResponse):
            return result
        if result.card is None:
            return _invoke_message(result.note or "")
        card = result.card
        shared = views.is_shared(info.conversation_type) and views.refreshed(turn.stored)
        if shared:
            # one member's click: their own card, listed for refresh; the card as sent stays
            # everyone else's
            card = views.add_user(card, turn.stored, info.user_id)
            if result.keep and turn.card_id:
                views.keep_view(turn.conversation, turn.card_id, info.user_id, card)
        elif result.keep and turn.card_id and payload.scope != "reminder":
            kept_cards.keep(turn.conversation, turn.card_id, card)
        return _invoke_card(card)

    async def confirm(self, turn: VerbTurn, payload: Confirm) -> Any:
        """Yes/No of a confirmation card: the open question gets the answer (its outcome
        becomes the card's last line); an answered question's buttons only say so."""
        turn_context, info, lang = turn.turn_context, turn.info, turn.lang
        card_id, conversation = turn.card_id, turn.conversation
        lab = cards.labels(lang)
        question = turn.stored or minimal_card(lab["stale_confirm"])
        if not card_id or card_id not in conversation.get("confirms", []):
            return VerbResult(card=cards.with_status(question, lab["stale_confirm"], keep_actions=False),
                              keep=False)
        if not self._asked_by(payload.data, info):
            # another member's click: a note for them alone, the card stays as it is for all
            return VerbResult(note=texts.text("forget_not_yours", info.lang), keep=False)
        answer = payload.text if payload.text is not None else lab["yes" if payload.answer == "yes" else "no"]
        info.text = answer
        turn_context.activity.text = answer
        outbox = turn_context.turn_state[OUTBOX_KEY]
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
            return VerbResult(note=" ".join(a.text for a in said if a.text), keep=False)
        if result.status != DialogTurnStatus.Waiting:
            conversation = await self.conversation.data(turn_context)
            conversation.pop("confirms", None)
        lines = [a.text or (cards.card_of_activity(a) or {}).get("fallbackText", "") for a in said]
        status = " ".join(line for line in lines if line) or lab["stale_confirm"]
        card = cards.with_status(question, status, keep_actions=False)
        if card_id in (conversation.get("cards") or {}):
            kept_cards.keep(conversation, card_id, card)
        return _invoke_card(card)

    async def _feedback(self, turn_context: TurnContext) -> InvokeResponse:
        """👍/👎 under an answer (``message/submitAction``): recorded with the question, the
        answer, its language and reading (kept for the answered message, ``replyToId``)."""
        from dialogs import turn_info

        activity = turn_context.activity
        try:
            payload = FeedbackPayload.parse(activity.value)
        except ValueError as problem:
            return _invoke_error(HTTPStatus.BAD_REQUEST, "BadRequest", str(problem))
        info = turn_info(turn_context)
        record = await self.answers.find(turn_context, activity.reply_to_id) or {}
        lang = record.get("lang") or self._lang_hint(turn_context)
        if self.feedback is None:
            logger.warning("feedback received but no feedback store is configured")
        elif info.user_id:
            await self.feedback.record(
                user_id=info.user_id, conversation_id=info.conversation_id or "",
                reaction=payload.reaction, comment=payload.comment,
                question=record.get("question", ""), answer=record.get("answer", ""),
                lang=lang, reading=record.get("reading") or {}, at=self.clock())
        return _invoke_message(texts.text("feedback.thanks", lang))

    # ------------------------------------------------------------------ install / removal

    async def on_teams_members_added_dispatch(self, members_added: List[ChannelAccount], team_info,
                                              turn_context: TurnContext):
        # The stock dispatch fetches every added user's profile from Teams (a network call
        # per member); the lifecycle only needs to know whether the bot itself was added.
        return await self.on_members_added_activity(members_added, turn_context)

    async def on_members_added_activity(self, members_added: List[ChannelAccount],
                                        turn_context: TurnContext):
        if includes_bot(members_added, turn_context):
            await self.lifecycle.installed(turn_context)

    async def on_installation_update_add(self, turn_context: TurnContext):
        await self.lifecycle.installed(turn_context)

    async def on_teams_members_removed_dispatch(self, members_removed: List[ChannelAccount], team_info,
                                                turn_context: TurnContext):
        return await self.on_members_removed_activity(members_removed, turn_context)

    async def on_members_removed_activity(self, members_removed: List[ChannelAccount],
                                          turn_context: TurnContext):
        if includes_bot(members_removed, turn_context):
            await self.lifecycle.removed(turn_context)

    async def on_installation_update_remove(self, turn_context: TurnContext):
        await self.lifecycle.removed(turn_context)

    # ------------------------------------------------------------------ forget my data

    async def forget_state(self, turn_context: TurnContext) -> None:
        """"Forget my data": delete the user's state and this conversation's state (its dialog,
        the question context, the cards kept for their buttons, the answers kept for feedback)
        and the member's feedback, then have the storage reclaim the space now (on SQLite the
        deleted rows leave the WAL too), so nothing about the user stays in any file. A button
        of a card issued before now is stale from then on: its card is older than the
        conversation state that answers it (see :func:`bot.kept_cards.is_stale`)."""
        turn_context.turn_state[FORGOTTEN_KEY] = True
        user_id = getattr(turn_context.activity.from_property, "id", None)
        if self.feedback is not None and user_id:
            await self.feedback.forget_user(user_id)
        await self.states.forget(turn_context, *(await self.answers.forget(turn_context)))


InvokeRoute = Callable[[CoopBot, TurnContext], Awaitable[InvokeResponse]]

#: The invoke routes: ``activity.name`` -> ``async def handler(bot, turn_context) -> InvokeResponse``.
#: A new invoke is one entry here and its handler.
INVOKES: dict[str, InvokeRoute] = {
    "adaptiveCard/action": CoopBot._universal_action,  # Action.Execute: the verbs (bot.verbs)
    "message/submitAction": CoopBot._feedback,  # 👍/👎 (bot.feedback)
    compose.QUERY_INVOKE: compose.query,  # the message extension's search (bot.compose)
}


def create_bot(settings: Any = None, storage: Storage | None = None, *, reminders: Any = None,
               clock: Optional[Clock] = None, respond: Callable[..., Any] | None = None,
               next_reminder: Callable[..., Any] | None = None,
               max_attempts: int = MAX_ATTEMPTS, feedback: FeedbackRecorder | None = None,
               verbs: CardVerbs | None = None, plans: Any = None) -> CoopBot:
    """The product bot on ``storage`` (botbuilder ``Storage``; ``SqlStorage`` in production).

    ``settings``: :class:`config.Settings` (reads ``fy_label_convention``; may be None in tests).
    ``reminders``: the reminders service (see :mod:`dialogs.actions`), or None: reminder
    buttons then answer that reminders are unavailable. ``next_reminder``: the schedule's
    next reminder after a day (``reminders.schedule.next_reminder``; see
    :class:`dialogs.Actions`). ``clock``: returns an aware
    ``datetime`` (default: UTC now), the fallback for "today" when the client sends no
    local time. ``respond``: replaces ``understanding.respond`` (tests). ``feedback``: where
    👍/👎 are recorded (``storage.feedback.FeedbackStore``), or None. ``verbs``: the card verbs
    (default: a copy of :data:`bot.verbs.BUILTIN`; ``bot.verbs.action_execute`` adds one).
    ``plans``: the planner's store (``planner.PlanStore``), or None: planner commands then
    answer that the planner is unavailable; its card verbs are added either way
    (:mod:`bot.plan_verbs`).
    """
    if storage is None:
        raise ValueError("create_bot needs a botbuilder Storage (SqlStorage in production)")
    convention = getattr(settings, "fy_label_convention", None)
    states = TurnStates(storage)
    conversation = Conversation(states.conversation.create_property("ConversationData"), respond,
                                convention)
    actions = Actions(reminders, next_reminder=next_reminder)
    recognizer = CoopRecognizer(context_of=conversation.context)
    renderer = AnswerRenderer(getattr(settings, "public_base_url", "") or "")
    holder: dict[str, CoopBot] = {}

    async def forget_state(turn_context: TurnContext) -> None:
        await holder["bot"].forget_state(turn_context)

    planner = PlanActions(plans, reminders=reminders) if plans is not None else None
    dialog = MainDialog(recognizer, conversation, renderer, actions, forget_state, planner)
    bot = CoopBot(states, dialog, conversation, actions, clock=clock or _utc_now,
                  convention=convention, respond=respond, max_attempts=max_attempts,
                  verbs=verbs, feedback=feedback)
    register_plan_verbs(bot.verbs)
    bot.plans = planner
    holder["bot"] = bot
    return bot
