"""Microsoft 365 Copilot: the bot is declared a custom engine agent (``copilotAgents.
customEngineAgents`` in ``teams/manifest.json``), and a conversation with it in Copilot is
handled like the personal chat in Teams.

How a Copilot turn is told apart (no Microsoft document gives a payload; this is what the
Microsoft 365 Agents SDK reads and writes): the channel is Teams with the ``COPILOT``
sub-channel, ``channelId`` ``"msteams:COPILOT"`` in the SDK's activities, which it puts on the
wire as ``"msteams"`` with a ``{"type": "ProductInfo", "id": "COPILOT"}`` entity. Either form is
recognised (any case); the sub-channel form is folded into the wire form before the token is
checked (:func:`fold_sub_channel`, called by ``bot.adapter``), since the channel's signing key
endorses ``msteams``. The conversation is one person's (Copilot has no group chats and no
channels), and its ``conversationType`` may be missing: it is set to ``personal`` and the
sub-channel folded into ``msteams``, so every Teams rule (personal reminders, the planner's
personal plan, "forget my data", the calendar subscription) applies as in the 1:1 chat, and
replies and stored conversation references name the ``msteams`` channel.

>>> from botbuilder.schema import Activity, ConversationAccount
>>> a = Activity(channel_id="msteams", conversation=ConversationAccount(id="c1"),
...              entities=[{"type": "ProductInfo", "id": "COPILOT"}])
>>> is_copilot(a), as_personal_chat(a), a.conversation.conversation_type
(True, True, 'personal')
>>> b = Activity(channel_id="msteams:Copilot", conversation=ConversationAccount(id="c2", conversation_type="personal"))
>>> as_personal_chat(b), b.channel_id
(True, 'msteams')
>>> is_copilot(Activity(channel_id="msteams", conversation=ConversationAccount(id="c3", conversation_type="groupChat")))
False
"""
from __future__ import annotations

from typing import Any

from botbuilder.schema import Activity

__all__ = ["is_copilot", "as_personal_chat", "fold_sub_channel", "SUB_CHANNEL"]

TEAMS = "msteams"
SUB_CHANNEL = "copilot"
PRODUCT_INFO = "productinfo"


def _entity(entity: Any) -> dict:
    if isinstance(entity, dict):
        return entity
    props = dict(getattr(entity, "additional_properties", None) or {})
    props["type"] = getattr(entity, "type", None) or props.get("type", "")
    return props


def is_copilot(activity: Activity) -> bool:
    """Whether ``activity`` comes from Microsoft 365 Copilot (see the module)."""
    channel = activity.channel_id if isinstance(activity.channel_id, str) else ""
    base, _, sub = channel.lower().partition(":")
    if base == TEAMS and sub == SUB_CHANNEL:
        return True
    if base != TEAMS:
        return False
    for entity in (activity.entities or [])[:32]:
        props = _entity(entity)
        if str(props.get("type", "")).lower() == PRODUCT_INFO and str(props.get("id", "")).lower() == SUB_CHANNEL:
            return True
    return False


def fold_sub_channel(activity: Activity) -> None:
    """``"msteams:COPILOT"`` -> ``"msteams"`` with the ``ProductInfo`` entity (the Agents SDK's
    wire form), before the token is checked: the signing key endorses the channel, ``msteams``,
    not a sub-channel of it.

    >>> a = Activity(channel_id="msteams:COPILOT")
    >>> fold_sub_channel(a); a.channel_id, a.entities
    ('msteams', [{'type': 'ProductInfo', 'id': 'COPILOT'}])
    """
    channel = activity.channel_id if isinstance(activity.channel_id, str) else ""
    base, _, sub = channel.partition(":")
    if base.lower() != TEAMS or sub.lower() != SUB_CHANNEL:
        return
    activity.channel_id = TEAMS
    activity.entities = [*(activity.entities or []), {"type": "ProductInfo", "id": sub.upper()}]


def as_personal_chat(activity: Activity) -> bool:
    """Make a Copilot turn read as the Teams personal chat (``msteams``, ``personal``);
    True when it was one."""
    if not is_copilot(activity):
        return False
    activity.channel_id = TEAMS
    conversation = activity.conversation
    if conversation is not None and not conversation.conversation_type:
        conversation.conversation_type = "personal"
    return True
