"""botbuilder's per-turn state cache with a cheaper change check.

``BotState.save_changes`` writes a state when its hash changed since it was loaded, and
botbuilder's ``CachedBotState`` hashes by ``str(jsonpickle.Pickler().flatten(state))``: a
flatten of the whole state when it is loaded, again for the check at the end of the turn, and
again after the write (~0.3 ms a turn for a conversation with a card kept). This hash is the
``pickle`` of the state instead (C code; a kept card's JSON text is copied, not escaped), which
sees every change jsonpickle's does (both read an object's attributes) and more (a tuple is
not a list, ``1`` is not ``"1"`` as a key). A value pickle refuses makes it fall back to
botbuilder's own hash for that state. Two equal states whose objects are shared differently
can pickle differently: that only ever costs a write, never loses one.
"""

from __future__ import annotations

import pickle
from typing import Any

from botbuilder.core.bot_state import CachedBotState
from jsonpickle.pickler import Pickler

__all__ = ["StateCache", "state_hash"]


def state_hash(state: Any) -> bytes | str:
    """A value that changes whenever the stored form of ``state`` would."""
    try:
        return pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError, RecursionError, ValueError):
        return str(Pickler().flatten(state))  # botbuilder's own


class StateCache(CachedBotState):
    """``CachedBotState`` hashed by :func:`state_hash`."""

    def compute_hash(self, obj: object) -> bytes | str:
        return state_hash(obj)
