"""The main dialog: answer the question, do what the answer asks, and hold the multi-turn
exchanges (a missing slot, the "forget my data" confirmation) across turns and restarts.

Every turn's text goes to ``understanding.respond`` with the previous reply's ``context``
(kept in conversation state), so the understanding layer decides what a fragment such as
"5000" or "and for H2?" means. The dialogs add what needs a dialog stack:

- :class:`FollowUpDialog`: the reply asked for a missing piece (``awaiting`` in its context
  or data, or clarifying ``choices``): prompt with that reply, feed the answer back, repeat
  until the reply is complete. It lives in the dialog stack, so after a restart the next
  message still continues it.
- :class:`ForgetDialog`: "forget my data" asks yes/no first (card buttons post the answer as
  text), then deletes the user's state and reminders data. The question belongs to the member
  who asked (kept in the dialog's state): in a group chat or channel another member's yes or
  no does not answer it (they get a note, ``forget_not_yours``) and their other messages are
  answered as if no question were open.

Both are :class:`CancelAndHelpDialog`\\ s: "help" answers without leaving the step, "cancel"
ends it.
"""
from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Optional

from botbuilder.core import MessageFactory, StatePropertyAccessor, TurnContext
from botbuilder.dialogs import (ComponentDialog, Dialog, DialogContext, DialogTurnResult,
                                WaterfallDialog, WaterfallStepContext)
from botbuilder.dialogs.prompts import PromptOptions, PromptValidatorContext, TextPrompt

from understanding import registry

from . import texts
from .actions import Actions, PlanCommands
from .cancel_and_help_dialog import CancelAndHelpDialog
from .recognizer import CoopRecognizer
from .turn import turn_info

logger = logging.getLogger(__name__)

__all__ = ["MainDialog", "FollowUpDialog", "ForgetDialog", "Conversation", "awaiting",
           "NOT_YOURS_KEY"]

ACTIONS_WITH_EFFECTS = ("subscribe", "unsubscribe", "list_reminders", "calendar")
# the planner's commands (issue #20): run by the planner seam, answered with its card
PLAN_ACTIONS = ("plan_track", "plan_list", "plan_claimed", "plan_remove", "plan_edit", "plan_budget",
                "plan_export", "plan_form")
_ANSWERED = "coop.answered"  # turn_state: the reply MainDialog.answer_at_once computed
# turn_state: set when this turn's answer was refused because its sender is not the member
# who asked the open question (the bot then answers a button click with the note alone)
NOT_YOURS_KEY = "coop.not_yours"
_REQUESTER = "requester"  # ForgetDialog's own state: the user id of the member who asked


def awaiting(reply: Any) -> Optional[str]:
    """What the reply waits for (a slot name, "choice"), or None when it is complete."""
    for source in (getattr(reply, "context", None), getattr(reply, "data", None)):
        if isinstance(source, dict):
            for key in ("awaiting", "missing", "pending"):
                value = source.get(key)
                if value:
                    return value if isinstance(value, str) else str(value)
    if getattr(reply, "choices", None):
        return "choice"
    return None


class Conversation:
    """Answers a text with ``understanding.respond``, keeping the reply context in
    conversation state (``conversation_data["context"]``)."""

    def __init__(self, conversation_data: StatePropertyAccessor,
                 respond: Callable[..., Any] | None = None, convention: str | None = None):
        self._respond = respond
        self._data = conversation_data
        self._convention = convention

    async def data(self, turn_context: TurnContext) -> dict:
        return await self._data.get(turn_context, dict)

    async def context(self, turn_context: TurnContext) -> dict | None:
        return (await self.data(turn_context)).get("context") or None

    async def answer(self, turn_context: TurnContext, text: str, *, remember: bool = True) -> Any:
        """``understanding.respond`` for ``text`` with the stored context; ``remember=False``
        answers an aside (help during a follow-up) without replacing that context."""
        info = turn_info(turn_context)
        data = await self.data(turn_context)
        if self._respond is None:
            from understanding import respond  # noqa: PLC0415 - imported on first use

            self._respond = respond
        reply = self._respond(text, locale=info.locale, today=info.today,
                              context=data.get("context") or None,
                              convention=info.convention or self._convention)
        if remember:
            data["context"] = dict(reply.context or {})
            data["lang"] = reply.lang
        return reply

    async def aside(self, turn_context: TurnContext, text: str) -> Any:
        return await self.answer(turn_context, text, remember=False)

    async def forget_context(self, turn_context: TurnContext) -> None:
        data = await self.data(turn_context)
        data.pop("context", None)


def _reference(turn_context: TurnContext) -> dict | None:
    """The conversation reference reminders need, or None when the activity has none usable
    (no serviceUrl, e.g. over ``expectReplies``; no conversation id): the action then says
    reminders are unavailable here instead of failing the turn."""
    activity = turn_context.activity
    if not activity.service_url or not getattr(activity.conversation, "id", None):
        return None
    try:
        ref = TurnContext.get_conversation_reference(turn_context.activity)
        return ref.serialize()
    except Exception:  # noqa: BLE001 - an activity without conversation/serviceUrl (tests)
        logger.debug("no conversation reference for this activity", exc_info=True)
        return None


class _Handler:
    """What to do with a Reply, shared by the main and follow-up dialogs."""

    def __init__(self, renderer: Any, actions: Actions, follow_up_id: str, forget_id: str,
                 planner: Optional[PlanCommands] = None):
        self.renderer = renderer
        self.actions = actions
        self.follow_up_id = follow_up_id
        self.forget_id = forget_id
        self.planner = planner

    async def handle(self, step: WaterfallStepContext, reply: Any, *,
                     ask_again: Optional[str] = None) -> DialogTurnResult:
        """Act on ``reply``. From the main dialog a follow-up or confirmation is begun (one
        level down). From inside a follow-up (``ask_again``: the id of the follow-up's own
        waterfall) the current step is *replaced* instead: a re-ask restarts that waterfall
        and a confirmation takes its place, so the dialog stack never grows with the number
        of turns, whatever the user types."""
        info = turn_info(step.context)
        start = step.begin_dialog if ask_again is None else step.replace_dialog
        if reply.action == "forget":
            return await start(self.forget_id, {"lang": reply.lang, "intro": reply.text})
        if self.needs_dialog(reply):
            return await start(ask_again or self.follow_up_id,
                               {"prompt": self.renderer.reply(reply, info.locale)})
        await self.finish(step.context, reply, info)
        return await step.end_dialog()

    @staticmethod
    def needs_dialog(reply: Any) -> bool:
        """Whether acting on ``reply`` starts a dialog: the forget confirmation, or a reply
        that waits for something (a follow-up question)."""
        return reply.action == "forget" or (reply.action not in ACTIONS_WITH_EFFECTS + PLAN_ACTIONS
                                            and awaiting(reply) is not None)

    async def finish(self, turn_context: TurnContext, reply: Any, info: Any) -> None:
        """Act on a reply that needs no dialog: do its action and say the outcome, or send it."""
        if reply.action in ACTIONS_WITH_EFFECTS:
            outcome = await self.actions.perform(reply.action, info, reply.lang, _reference(turn_context))
            await turn_context.send_activity(self.renderer.outcome(outcome, reply.lang, info.locale))
        elif reply.action in PLAN_ACTIONS and self.planner is not None:
            outcome = await self.planner.perform(reply.action, info, reply.lang, (reply.data or {}).get("plan"),
                                                 _reference(turn_context))
            await turn_context.send_activity(self.renderer.plan(outcome, info.locale))
        else:
            await turn_context.send_activity(self.renderer.reply(reply, info.locale))


class FollowUpDialog(CancelAndHelpDialog):
    """Prompt with a reply that waits for something; answer with the next message."""

    def __init__(self, recognizer: CoopRecognizer, conversation: Conversation, handler: _Handler,
                 renderer: Any, dialog_id: str = "FollowUpDialog"):
        # cancelling also drops the stored question context, so a bare "5000" after
        # "never mind" is not taken as the amount that was asked for
        super().__init__(dialog_id, recognizer, responder=conversation.aside, renderer=renderer,
                         on_cancel=conversation.forget_context)
        self.conversation = conversation
        self.handler = handler
        self.add_dialog(TextPrompt("FollowUpPrompt"))
        self.add_dialog(WaterfallDialog(f"{dialog_id}.steps", [self.prompt_step, self.answer_step]))
        self.initial_dialog_id = f"{dialog_id}.steps"

    async def prompt_step(self, step: WaterfallStepContext) -> DialogTurnResult:
        return await step.prompt("FollowUpPrompt", PromptOptions(prompt=step.options["prompt"]))

    async def answer_step(self, step: WaterfallStepContext) -> DialogTurnResult:
        reply = await self.conversation.answer(step.context, step.result or "")
        # Still incomplete: ask again by restarting this dialog's own waterfall in place
        # (replacing the dialog itself from in here would nest a new one inside it each turn).
        return await self.handler.handle(step, reply, ask_again=self.initial_dialog_id)


class ForgetDialog(CancelAndHelpDialog):
    """"Forget my data": yes/no in the user's language, then delete."""

    def __init__(self, recognizer: CoopRecognizer, renderer: Any, actions: Actions,
                 forget_state: Callable[[TurnContext], Awaitable[None]],
                 dialog_id: str = "ForgetDialog",
                 aside: Callable[[TurnContext], Awaitable[bool]] | None = None):
        super().__init__(dialog_id, recognizer, renderer=renderer)
        self.actions = actions
        self.forget_state = forget_state
        # answers another member's message without touching this question; False when that
        # message would need a dialog of its own (it then gets the note instead)
        self.aside = aside
        self.add_dialog(TextPrompt("ForgetConfirm", self._is_yes_or_no))
        self.add_dialog(WaterfallDialog(f"{dialog_id}.steps", [self.confirm_step, self.act_step]))
        self.initial_dialog_id = f"{dialog_id}.steps"

    async def on_continue_dialog(self, inner_dc):
        # A yes/no answer must not be taken for a new command ("no" is not "cancel" here).
        return await ComponentDialog.on_continue_dialog(self, inner_dc)

    async def begin_dialog(self, dialog_context: DialogContext, options: Any = None) -> DialogTurnResult:
        # whose data this is: kept with the question, so only that member can answer it
        dialog_context.active_dialog.state[_REQUESTER] = turn_info(dialog_context.context).user_id
        return await super().begin_dialog(dialog_context, options)

    async def continue_dialog(self, dialog_context: DialogContext) -> DialogTurnResult:
        requester = dialog_context.active_dialog.state.get(_REQUESTER)
        info = turn_info(dialog_context.context)
        if requester is not None and info.user_id != requester:
            await self._someone_else(dialog_context.context, info)
            return Dialog.end_of_turn  # the question stays open for the member who asked
        return await super().continue_dialog(dialog_context)

    async def _someone_else(self, turn_context: TurnContext, info: Any) -> None:
        """Another member wrote while this question waits for its requester: an answer to it
        (a button, a yes or a no) gets the note; anything else is answered as usual."""
        answering = info.verb == "confirm" or any(
            texts.yes_no(info.text, lang) is not None for lang in registry.codes())
        if info.text and not answering and self.aside is not None and await self.aside(turn_context):
            return
        turn_context.turn_state[NOT_YOURS_KEY] = True
        await turn_context.send_activity(
            self.renderer.text(texts.text("forget_not_yours", info.lang), info.lang, info.locale))

    @staticmethod
    async def _is_yes_or_no(prompt: PromptValidatorContext) -> bool:
        lang = (prompt.options.validations or {}).get("lang") if prompt.options else None
        return prompt.recognized.succeeded and texts.yes_no(prompt.recognized.value, lang) is not None

    async def confirm_step(self, step: WaterfallStepContext) -> DialogTurnResult:
        info = turn_info(step.context)
        lang = (step.options or {}).get("lang") or info.lang
        step.values["lang"] = lang
        intro = (step.options or {}).get("intro")
        question_text = texts.text("forget_confirm", lang)
        if intro:
            question_text = f"{intro}\n\n{question_text}"
        question = self.renderer.confirm(question_text, lang, info.locale, requester=info.user_id)
        retry = self.renderer.confirm(texts.text("yes_no", lang), lang, info.locale,
                                      requester=info.user_id)
        return await step.prompt("ForgetConfirm", PromptOptions(prompt=question, retry_prompt=retry,
                                                                validations={"lang": lang}))

    async def act_step(self, step: WaterfallStepContext) -> DialogTurnResult:
        info = turn_info(step.context)
        lang = step.values.get("lang") or info.lang
        if texts.yes_no(step.result, lang):
            await self.actions.forget(info)
            await self.forget_state(step.context)
            sentence = texts.text("forget_done", lang)
        else:
            sentence = texts.text("forget_kept", lang)
        await step.context.send_activity(self.renderer.text(sentence, lang, info.locale))
        return await step.end_dialog()


class MainDialog(ComponentDialog):
    """Routes each message: answer, act, or start a follow-up / confirmation dialog."""

    def __init__(self, recognizer: CoopRecognizer, conversation: Conversation, renderer: Any,
                 actions: Actions, forget_state: Callable[[TurnContext], Awaitable[None]],
                 planner: Optional[PlanCommands] = None):
        super().__init__(MainDialog.__name__)
        self.recognizer = recognizer
        self.conversation = conversation
        self.renderer = renderer
        self.actions = actions
        handler = _Handler(renderer, actions, "FollowUpDialog", "ForgetDialog", planner)
        self.handler = handler
        self.add_dialog(FollowUpDialog(recognizer, conversation, handler, renderer))
        self.add_dialog(ForgetDialog(recognizer, renderer, actions, forget_state,
                                     aside=self.answer_aside))
        self.add_dialog(WaterfallDialog("MainDialog.steps", [self.answer_step, self.final_step]))
        self.initial_dialog_id = "MainDialog.steps"

    async def answer_at_once(self, turn_context: TurnContext) -> bool:
        """This dialog's first step for a turn with no dialog open, without the dialog
        machinery (a ``DialogContext``, its memory scopes, the waterfall; ~0.3 ms a turn):
        answer, then act or send, and return True. A reply that needs a dialog (a follow-up
        question, the forget confirmation) is kept for :meth:`answer_step` and False is
        returned: the caller runs the dialog, which then begins exactly as it would have."""
        reply = await self._answer_unless_dialog(turn_context)
        if reply is not None:
            turn_context.turn_state[_ANSWERED] = reply
            return False
        return True

    async def answer_aside(self, turn_context: TurnContext) -> bool:
        """Answer the turn's text while a question another member asked stays open: act or
        send, as :meth:`answer_at_once` does, and return True; False (nothing sent) when the
        reply would need a dialog of its own (a follow-up question, its own confirmation)."""
        return await self._answer_unless_dialog(turn_context) is None

    async def _answer_unless_dialog(self, turn_context: TurnContext) -> Any:
        """Answer the turn's text and act on the reply or send it (None); the reply itself,
        with nothing done or sent, when acting on it needs a dialog."""
        info = turn_info(turn_context)
        reply = await self.conversation.answer(turn_context, info.text)
        if self.handler.needs_dialog(reply):
            return reply
        await self.handler.finish(turn_context, reply, info)
        return None

    async def answer_step(self, step: WaterfallStepContext) -> DialogTurnResult:
        info = turn_info(step.context)
        if not info.text:
            return await step.end_dialog()
        reply = step.context.turn_state.pop(_ANSWERED, None)
        if reply is None:
            reply = await self.conversation.answer(step.context, info.text)
        return await self.handler.handle(step, reply)

    async def final_step(self, step: WaterfallStepContext) -> DialogTurnResult:
        return await step.end_dialog()
