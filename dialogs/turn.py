"""What the bot learned about the current turn, handed to the dialogs through ``turn_state``.

The bot reads the activity once (today in the sender's calendar, locale, the text without the
bot's own mention, a card submit's verb) and stores a :class:`TurnInfo`; dialogs and the
recognizer read it with :func:`turn_info` instead of re-reading the activity.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any

from botbuilder.core import TurnContext

from understanding import registry

TURN_INFO_KEY = "coop.turn_info"

__all__ = ["TurnInfo", "turn_info", "set_turn_info", "TURN_INFO_KEY"]


@dataclass
class TurnInfo:
    today: date
    locale: str | None = None
    lang: str = registry.DEFAULT  # from the locale: the language to use before a question is read
    text: str = ""  # the message text without the bot's mention ("" for card submits)
    value: dict[str, Any] = field(default_factory=dict)  # a card submit's value
    user_id: str | None = None
    conversation_id: str | None = None
    conversation_type: str | None = None  # personal | groupChat | channel
    convention: str | None = None  # FY label convention setting
    timezone: str | None = None  # the sender's IANA time zone when the client sent one

    @property
    def verb(self) -> str | None:
        verb = self.value.get("verb") if isinstance(self.value, dict) else None
        return verb if isinstance(verb, str) else None


def turn_info(turn_context: TurnContext) -> TurnInfo:
    info = turn_context.turn_state.get(TURN_INFO_KEY)
    if info is None:  # dialogs driven without the bot (unit tests): a minimal default
        activity = turn_context.activity
        info = TurnInfo(today=datetime.now(timezone.utc).date(), locale=activity.locale,
                        text=(activity.text or "").strip(),
                        value=activity.value if isinstance(activity.value, dict) else {},
                        user_id=getattr(activity.from_property, "id", None),
                        conversation_id=getattr(activity.conversation, "id", None))
        turn_context.turn_state[TURN_INFO_KEY] = info
    return info


def set_turn_info(turn_context: TurnContext, info: TurnInfo) -> None:
    turn_context.turn_state[TURN_INFO_KEY] = info
