"""A component dialog that lets "help" and "cancel" interrupt it at any step (13.core-bot).

Whether a message is a help or cancel request is the recognizer's decision (its intent), not
a substring test on the raw text, so "cancel my claim?" in the middle of a question is not
taken as a command and French works as well as English.
"""
from __future__ import annotations

from botbuilder.core import MessageFactory
from botbuilder.dialogs import (ComponentDialog, DialogContext, DialogTurnResult,
                                DialogTurnStatus)

from . import texts
from .recognizer import CANCEL_INTENTS, HELP_INTENTS, CoopRecognizer
from .turn import turn_info


class CancelAndHelpDialog(ComponentDialog):
    def __init__(self, dialog_id: str, recognizer: CoopRecognizer, responder=None, renderer=None,
                 on_cancel=None):
        super().__init__(dialog_id)
        self.recognizer = recognizer
        self.responder = responder  # callable(turn_context, text) -> Reply (help answers)
        self.renderer = renderer
        self.on_cancel = on_cancel  # async callable(turn_context): drop what the dialog waited for

    async def on_continue_dialog(self, inner_dc: DialogContext) -> DialogTurnResult:
        result = await self.interrupt(inner_dc)
        if result is not None:
            return result
        return await super().on_continue_dialog(inner_dc)

    async def interrupt(self, inner_dc: DialogContext) -> DialogTurnResult | None:
        info = turn_info(inner_dc.context)
        if not info.text:
            return None
        recognized = await self.recognizer.recognize(inner_dc.context)
        intent = CoopRecognizer.top_intent(recognized)
        lang = recognized.properties.get("lang") or info.lang
        if intent in CANCEL_INTENTS:
            if self.on_cancel is not None:
                await self.on_cancel(inner_dc.context)
            await inner_dc.context.send_activity(MessageFactory.text(texts.text("cancelled", lang)))
            return await inner_dc.cancel_all_dialogs()
        if intent in HELP_INTENTS and self.responder is not None and self.renderer is not None:
            reply = await self.responder(inner_dc.context, info.text)
            await inner_dc.context.send_activity(self.renderer.reply(reply, info.locale))
            return DialogTurnResult(DialogTurnStatus.Waiting)
        return None
