"""Lifecycle: the bot installed in (or added to) a conversation, and removed from it.

Install is quiet on purpose. Teams' guidance for bots with prompt starters (the manifest's
``commandLists``, shown when a personal chat opens and under the compose box) is not to send
a welcome that competes with them, and to say little in group chats and channels, where a
welcome card lands in front of everyone. So the first install in a conversation gets one
short line (what the bot is for, and that "help" shows examples), no card, no buttons and no
suggested actions; a reinstall, or the installationUpdate Teams sends beside the
conversationUpdate, gets nothing.

Removal stops the conversation's reminders, drops its stored reference and the question
context, and ends an open dialog (the welcome flag stays, so a reinstall does not greet again).
"""
from __future__ import annotations

from typing import Any, List, Optional

from botbuilder.core import TurnContext
from botbuilder.schema import ChannelAccount

__all__ = ["Lifecycle", "includes_bot"]


def includes_bot(members: Optional[List[ChannelAccount]], turn_context: TurnContext) -> bool:
    """Whether the bot itself (the activity's recipient) is among ``members``."""
    bot_id = getattr(turn_context.activity.recipient, "id", None)
    return any(m is not None and m.id == bot_id for m in members or [])


class Lifecycle:
    """Install and removal handlers (``dialogs.Conversation`` for the conversation's data,
    ``dialogs.Actions`` for the reminders' side, the renderer for the line it says)."""

    def __init__(self, conversation: Any, actions: Any, renderer: Any, cancel_dialogs: Any) -> None:
        self.conversation = conversation
        self.actions = actions
        self.renderer = renderer
        self.cancel_dialogs = cancel_dialogs  # async (turn_context) -> None

    async def installed(self, turn_context: TurnContext) -> None:
        data = await self.conversation.data(turn_context)
        if data.get("welcomed"):
            return
        data["welcomed"] = True
        from dialogs import texts, turn_info

        info = turn_info(turn_context)
        await turn_context.send_activity(
            self.renderer.text(texts.text("welcome", info.lang), info.lang, info.locale))

    async def removed(self, turn_context: TurnContext) -> None:
        conversation_id = getattr(turn_context.activity.conversation, "id", None)
        await self.actions.removed_from(conversation_id)
        await self.conversation.forget_context(turn_context)
        await self.cancel_dialogs(turn_context)
