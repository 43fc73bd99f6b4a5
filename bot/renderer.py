"""The bot's renderer: :class:`bot.cards.CardRenderer`, plus help as a card and the answer
each reply activity carries for the feedback log.

The dialogs render through it (injected). An activity made from a :class:`Reply` carries the
reply (:data:`REPLY_ATTRIBUTE`, an attribute the wire never serializes): the bot reads it when
the answer is sent, to keep the question, the answer and the reading for 👍/👎.
"""
from __future__ import annotations

from typing import Any

from botbuilder.schema import Activity

from understanding.reply import Reply

from .cards import CardRenderer
from .help_card import help_activity

__all__ = ["AnswerRenderer", "REPLY_ATTRIBUTE"]

REPLY_ATTRIBUTE = "coop_reply"


class AnswerRenderer(CardRenderer):
    def reply(self, reply: Reply, locale: str | None = None) -> Activity:
        if reply.intent == "help" and not reply.parts:
            activity = help_activity(reply.lang, locale)
        else:
            activity = super().reply(reply, locale)
        setattr(activity, REPLY_ATTRIBUTE, reply)
        return activity

    def help(self, lang: str, locale: str | None = None) -> Any:
        return help_activity(lang, locale)

    def plan(self, outcome: Any, locale: str | None = None) -> Activity:
        """A planner command's one message (:mod:`bot.plan_cards`)."""
        from .plan_cards import plan_activity

        return plan_activity(outcome, locale)
