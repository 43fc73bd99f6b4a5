"""Strip the bot's own @mention from a message, and only that.

In a channel Teams sends ``"<at>Co-op (Bot) [β]</at> when do I claim?"`` with a ``mention``
entity whose ``mentioned.id`` is the bot and whose ``text`` is the exact markup. botbuilder's
``TurnContext.remove_mention_text`` feeds that name to ``re.sub`` unescaped, so a bot called
``Co-op (Bot) [β]`` or ``a.b*c+?`` is not removed (or removes the wrong characters). Here the
entity's text is removed literally, and markup variants (``<at id="0">``, other spacing or
case, HTML-escaped names) are matched with ``re.escape``'d names. Other users' mentions are
left as they are.

>>> from botbuilder.schema import Activity, ChannelAccount
>>> a = Activity(text="<at>a.b*c+?</at> when do I claim? cc <at>Ann</at>",
...              recipient=ChannelAccount(id="28:bot", name="a.b*c+?"),
...              entities=[{"type": "mention", "text": "<at>a.b*c+?</at>",
...                         "mentioned": {"id": "28:bot", "name": "a.b*c+?"}},
...                        {"type": "mention", "text": "<at>Ann</at>",
...                         "mentioned": {"id": "29:ann", "name": "Ann"}}])
>>> strip_bot_mention(a)
'when do I claim? cc <at>Ann</at>'
>>> strip_bot_mention(Activity(text=None))
''
"""
from __future__ import annotations

import html
import re
from typing import Any, Iterable

from botbuilder.schema import Activity

__all__ = ["strip_bot_mention", "bot_mentions", "mentions_bot"]

_AT_TAG = re.compile(r"^\s*<at\b[^>]*>(.*?)</at>\s*$", re.IGNORECASE | re.DOTALL)
_SPACES = re.compile(r"[ \t\u00a0]+")


def _as_dict(entity: Any) -> dict:
    if isinstance(entity, dict):
        return entity
    props = dict(getattr(entity, "additional_properties", None) or {})
    for key in ("type", "mentioned", "text"):
        value = getattr(entity, key, None)
        if value is not None:
            props[key] = value
    return props


def _mentioned_id(props: dict) -> str | None:
    mentioned = props.get("mentioned")
    if isinstance(mentioned, dict):
        return mentioned.get("id")
    return getattr(mentioned, "id", None)


def _mentioned_name(props: dict) -> str | None:
    mentioned = props.get("mentioned")
    if isinstance(mentioned, dict):
        return mentioned.get("name")
    return getattr(mentioned, "name", None)


def bot_mentions(activity: Activity) -> list[dict]:
    """The ``mention`` entities that name the recipient (the bot), as plain dicts."""
    recipient = getattr(getattr(activity, "recipient", None), "id", None)
    if not recipient:
        return []
    found = []
    for entity in getattr(activity, "entities", None) or []:
        props = _as_dict(entity)
        if str(props.get("type", "")).lower() == "mention" and _mentioned_id(props) == recipient:
            found.append(props)
    return found


def mentions_bot(activity: Activity) -> bool:
    return bool(bot_mentions(activity))


def _names(props: dict) -> Iterable[str]:
    """The display names the mention may appear under in the text."""
    names = []
    text = props.get("text")
    if isinstance(text, str):
        match = _AT_TAG.match(text)
        names.append(match.group(1) if match else text)
    name = _mentioned_name(props)
    if isinstance(name, str):
        names.append(name)
    out: list[str] = []
    for name in names:
        for variant in (name.strip(), html.escape(name.strip(), quote=False), html.unescape(name.strip())):
            if variant and variant not in out:
                out.append(variant)
    return out


def strip_bot_mention(activity: Activity) -> str:
    """The activity's text without the bot's own mention(s), whitespace tidied; ``""`` for
    no text (card submits). The activity is not modified."""
    text = getattr(activity, "text", None)
    if not isinstance(text, str) or not text:
        return ""
    for props in bot_mentions(activity):
        literal = props.get("text")
        if isinstance(literal, str) and literal.strip() and literal in text:
            text = text.replace(literal, " ")
            continue
        for name in _names(props):
            # The name is data, never a pattern: escape it.
            pattern = re.compile(r"<at\b[^>]*>\s*" + re.escape(name) + r"\s*</at>", re.IGNORECASE)
            text, count = pattern.subn(" ", text)
            if count:
                break
    return _SPACES.sub(" ", text).strip()
