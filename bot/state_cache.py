"""botbuilder's per-turn state cache with a cheaper change check.

``BotState.save_changes`` writes a state when its hash changed since it was loaded, and
botbuilder's ``CachedBotState`` hashes by ``str(jsonpickle.Pickler().flatten(state))``: a
flatten of the whole state when it is loaded, again for the check at the end of the turn, and
again after the write (~0.3 ms a turn for a conversation with a card kept). This hash is
``json.dumps`` of the state instead (C code), with the objects botbuilder's dialogs keep in it
(``DialogState``, ``DialogInstance``) written as their class and attributes; any other object,
or a value ``json`` cannot write, makes it fall back to botbuilder's own hash for that state.

What it does not tell apart, like JSON itself: a tuple from a list with the same items, and a
number key from the same number as a string (jsonpickle's hash does not tell those keys apart
either). A turn that changes nothing else is then not saved; the product's states hold
neither tuples nor number keys.
"""

from __future__ import annotations

import json
from typing import Any

from botbuilder.core.bot_state import CachedBotState
from botbuilder.dialogs import DialogInstance, DialogState
from jsonpickle.pickler import Pickler

__all__ = ["StateCache", "state_hash"]

_KNOWN = {cls: f"{cls.__module__}.{cls.__qualname__}" for cls in (DialogState, DialogInstance)}


def _known_object(value: Any) -> Any:
    name = _KNOWN.get(type(value))
    if name is None:
        raise TypeError(type(value).__name__)
    return [name, vars(value)]


def state_hash(state: Any) -> str:
    """A string that changes whenever the stored form of ``state`` would."""
    try:
        return "j" + json.dumps(state, default=_known_object, ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError, RecursionError):  # another object, a non-str key, a cycle
        return "p" + str(Pickler().flatten(state))


class StateCache(CachedBotState):
    """``CachedBotState`` hashed by :func:`state_hash`."""

    def compute_hash(self, obj: object) -> str:
        return state_hash(obj)
