"""Per-member views of a Universal Actions card in a group chat or a channel.

A message in a channel is one card for everyone; "Remind me" subscribes the member who clicked.
Teams' answer (Universal Actions, "user-specific views"; Microsoft-Teams-Samples'
``bot-adaptivecards-user-specific-views``, whose refresh verb answers with a card built for
``from.id``): the card carries

    "refresh": {"action": {"type": "Action.Execute", "verb": "refresh", "data": {...}},
                "userIds": ["29:asker", "29:clicker", ...]}

and Teams, showing the card to a member listed in ``userIds``, asks the bot for that member's
card with an ``adaptiveCard/action`` invoke (verb ``refresh``, trigger ``automatic``); everyone
else sees the card as it was sent. The card an invoke answers with is shown to the member who
clicked, not to the others.

So here: a card with buttons sent into a group chat or channel lists the member who asked;
a click answers with the clicker's own card, listing them too, and that card is kept as *their*
view (the card as sent stays everyone else's); a refresh answers with the member's own view,
else the card as sent. Views are kept in the conversation state beside the card they belong
to (:data:`MAX_VIEWS_PER_CARD` members per card, the latest clicks) and go with it.
"""
from __future__ import annotations

import json
from typing import Any

from core.redact import log_id

from .wire import compact_json

__all__ = ["is_shared", "with_refresh", "add_user", "user_ids", "keep_view", "view_of",
           "prune", "MAX_VIEWS_PER_CARD", "MAX_USER_IDS"]

SHARED_CONVERSATIONS = ("groupChat", "channel")
MAX_USER_IDS = 60  # Teams refreshes a card automatically for at most 60 members
MAX_VIEWS_PER_CARD = 6
REFRESH_VERB = "refresh"


def is_shared(conversation_type: str | None) -> bool:
    """A conversation whose cards several members see.

    >>> is_shared("channel"), is_shared("groupChat"), is_shared("personal"), is_shared(None)
    (True, True, False, False)
    """
    return conversation_type in SHARED_CONVERSATIONS


def user_ids(card: dict) -> list[str]:
    refresh = card.get("refresh") if isinstance(card, dict) else None
    ids = refresh.get("userIds") if isinstance(refresh, dict) else None
    return [i for i in ids if isinstance(i, str)] if isinstance(ids, list) else []


def with_refresh(card: dict, stamp: dict, members: list[str]) -> dict:
    """``card`` with a per-member refresh for ``members`` (``stamp``: the card's id, issued
    and language, as its buttons carry them).

    >>> with_refresh({"type": "AdaptiveCard"}, {"card": "c1"}, ["29:a", "29:a", "29:b"])["refresh"]
    {'action': {'type': 'Action.Execute', 'verb': 'refresh', 'data': {'card': 'c1', 'verb': 'refresh'}}, 'userIds': ['29:a', '29:b']}
    """
    ids = list(dict.fromkeys(m for m in members if isinstance(m, str) and m))[-MAX_USER_IDS:]
    return {**card, "refresh": {"action": {"type": "Action.Execute", "verb": REFRESH_VERB,
                                           "data": {**stamp, "verb": REFRESH_VERB}},
                                "userIds": ids}}


def add_user(card: dict, base: dict | None, user_id: str | None) -> dict:
    """``card`` (a member's refreshed card) refreshed for the members ``base`` (the card as
    sent) lists, plus ``user_id``; ``card`` itself when ``base`` has no refresh."""
    refresh = (base or {}).get("refresh") or card.get("refresh")
    if not isinstance(refresh, dict) or not user_id:
        return card
    action = refresh.get("action") if isinstance(refresh.get("action"), dict) else {}
    stamp = {k: v for k, v in (action.get("data") or {}).items() if k != "verb"}
    return with_refresh(card, stamp, [*user_ids(base or {}), *user_ids(card), user_id])


def _member_key(user_id: str | None) -> str:
    return log_id(user_id)  # no raw member id in the stored views


def keep_view(conversation: dict, card_id: str, user_id: str | None, card: dict) -> None:
    """Keep ``card`` as ``user_id``'s own view of card ``card_id``."""
    if not card_id or not user_id:
        return
    views = dict(conversation.get("views") or {})
    mine = dict(views.get(card_id) or {})
    mine.pop(_member_key(user_id), None)
    mine[_member_key(user_id)] = compact_json(card)
    while len(mine) > MAX_VIEWS_PER_CARD:
        mine.pop(next(iter(mine)))
    views[card_id] = mine
    conversation["views"] = views
    prune(conversation)


def view_of(conversation: dict, card_id: str, user_id: str | None) -> dict | None:
    """``user_id``'s own view of card ``card_id``, or None."""
    return stored_card(((conversation.get("views") or {}).get(card_id) or {}).get(_member_key(user_id)))


def stored_card(kept: Any) -> dict | None:
    """A card as the state keeps it (JSON text; a dict in older state), or None."""
    if isinstance(kept, str):
        try:
            kept = json.loads(kept)
        except ValueError:
            return None
    return kept if isinstance(kept, dict) else None


def prune(conversation: dict) -> None:
    """Views go with their card: those of a card no longer kept are dropped."""
    views = conversation.get("views")
    if not views:
        return
    kept = conversation.get("cards") or {}
    pruned = {card_id: mine for card_id, mine in views.items() if card_id in kept}
    if pruned:
        conversation["views"] = pruned
    else:
        conversation.pop("views", None)


def refreshed(card: Any) -> bool:
    return isinstance(card, dict) and isinstance(card.get("refresh"), dict)
