"""The cards a conversation keeps for their buttons.

A card with ``Action.Execute`` buttons is kept (the last :data:`MAX_STORED_CARDS` of the
conversation, as JSON text in the conversation's state) so a click can be answered with that
card refreshed; a confirmation's id is remembered until its question is answered. A button of
a card issued before the state that would answer it began ("forget my data", retention) is
stale. Per-member views of a kept card in a group chat or channel are :mod:`bot.views`'.
"""
from __future__ import annotations

import time

from . import cards, views
from .wire import compact_json

__all__ = ["MAX_STORED_CARDS", "kept_card", "card_ids", "is_stale", "keep"]

MAX_STORED_CARDS = 8  # cards kept per conversation so a button click can answer with its card


def kept_card(conversation: dict, card_id: str) -> dict | None:
    """The card kept under ``card_id`` (JSON text; a dict in older state), or None.

    >>> kept_card({"cards": {"c1": '{"type": "AdaptiveCard"}'}}, "c1")
    {'type': 'AdaptiveCard'}
    >>> kept_card({"cards": {"c1": "not json"}}, "c1") is None
    True
    """
    return views.stored_card((conversation.get("cards") or {}).get(card_id) if card_id else None)


def card_ids(card: dict) -> tuple[str | None, bool, dict]:
    """(the id a card's ``Action.Execute`` buttons carry, whether it is a confirmation, its
    stamp: id, issue time and language as the buttons carry them)."""
    for action in cards.execute_actions(card):
        data = action.get("data") if isinstance(action.get("data"), dict) else {}
        if data.get("card"):
            stamp = {k: data[k] for k in ("card", "issued", "lang") if k in data}
            return str(data["card"]), action.get("verb") == "confirm", stamp
    return None, False, {}


def is_stale(data: dict, conversation: dict) -> bool:
    """A card issued before the conversation state that would answer it began ("forget my
    data" deleted the state, or retention expired it) is stale: its buttons do nothing. The
    state's ``since`` is when it first kept a card; with no state, every stamped card of the
    conversation is older. Reminder cards are answered by the reminders store, not by
    conversation state, and are never stale this way.

    >>> is_stale({"issued": 10}, {"since": 20}), is_stale({"issued": 30}, {"since": 20})
    (True, False)
    >>> is_stale({"issued": 10, "scope": "reminder"}, {}), is_stale({}, {})
    (False, False)
    """
    issued = data.get("issued")
    if not isinstance(issued, (int, float)) or data.get("scope") == "reminder":
        return False
    since = conversation.get("since")
    return not isinstance(since, (int, float)) or issued < since


def keep(conversation: dict, card_id: str, card: dict) -> None:
    """Keep ``card`` as card ``card_id`` (the newest; the oldest beyond the bound go, with
    their per-member views)."""
    if not isinstance(conversation.get("since"), (int, float)):
        issued = [a["data"]["issued"] for a in cards.execute_actions(card)
                  if isinstance(a.get("data"), dict) and isinstance(a["data"].get("issued"), (int, float))]
        conversation["since"] = min([int(time.time()), *issued])
    stored = dict(conversation.get("cards") or {})
    stored.pop(card_id, None)
    # kept as JSON text: botbuilder hashes and jsonpickle flattens the whole state on every
    # save, and a card's nested dicts cost far more there than one string does
    stored[card_id] = compact_json(card)
    while len(stored) > MAX_STORED_CARDS:
        stored.pop(next(iter(stored)))
    conversation["cards"] = stored
    views.prune(conversation)
