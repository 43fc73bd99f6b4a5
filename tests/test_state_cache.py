"""storage.bot_storage.StateCache: the cheaper change check never misses a change botbuilder's hash sees."""
from __future__ import annotations

from datetime import datetime, timezone

from botbuilder.core.bot_state import CachedBotState
from botbuilder.dialogs import DialogInstance, DialogState
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonpickle.pickler import Pickler

from storage.bot_storage import StateCache, state_hash

_SCALARS = st.none() | st.booleans() | st.integers(-10**9, 10**9) | st.floats(allow_nan=False) | st.text(max_size=10)
_JSON = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
                     max_leaves=10)


@st.composite
def _states(draw):
    stack = [DialogInstance(id=draw(st.sampled_from(["main", "waterfall", "confirm"])), state=draw(
        st.dictionaries(st.text(max_size=6), _JSON, max_size=3))) for _ in range(draw(st.integers(0, 2)))]
    dialog = DialogState(stack)
    return {"DialogState": dialog, "ConversationData": draw(st.dictionaries(st.text(max_size=6), _JSON, max_size=4))}


def botbuilder_hash(state) -> str:
    return str(Pickler().flatten(state))


@settings(max_examples=300, deadline=None)
@given(_states(), _states())
def test_two_states_botbuilder_tells_apart_hash_apart(a, b):
    if botbuilder_hash(a) != botbuilder_hash(b):  # never a change botbuilder sees and this misses
        assert state_hash(a) != state_hash(b)
    assert state_hash(a) == state_hash(a)  # and stable: an untouched state is not written


@settings(max_examples=200, deadline=None)
@given(_states(), st.text(max_size=6), _JSON)
def test_any_change_in_place_is_seen(state, key, value):
    cache = StateCache(state)
    before = botbuilder_hash(state)
    state["ConversationData"][key] = value
    if state["DialogState"].dialog_stack:
        state["DialogState"].dialog_stack[-1].state["step"] = value
    assert cache.is_changed == (botbuilder_hash(state) != before)


def test_a_dialog_pushed_or_popped_is_a_change():
    state = {"DialogState": DialogState([]), "ConversationData": {"lang": "en"}}
    cache = StateCache(state)
    assert not cache.is_changed
    state["DialogState"].dialog_stack.append(DialogInstance(id="main", state={}))
    assert cache.is_changed
    cache.hash = cache.compute_hash(state)
    state["DialogState"].dialog_stack.pop()
    assert cache.is_changed


def test_what_pickle_refuses_falls_back_to_botbuilders_hash_and_tuples_are_not_lists():
    state = {"when": datetime(2026, 12, 1, tzinfo=timezone.utc), "n": 1}
    assert isinstance(state_hash(state), bytes)
    unpicklable = {"f": lambda: None}
    assert state_hash(unpicklable) == botbuilder_hash(unpicklable)
    assert state_hash({"a": (1, 2)}) != state_hash({"a": [1, 2]})
    assert state_hash({1: "x"}) != state_hash({"1": "x"})


def test_a_new_record_is_still_saved_and_an_untouched_one_is_not():
    # as botbuilder: a record read as absent is hashed as None, so its first save writes it
    fresh = StateCache({"e_tag": "new"})
    fresh.hash = fresh.compute_hash(None)
    assert fresh.is_changed
    assert not StateCache({"e_tag": "new"}).is_changed
    assert CachedBotState({"e_tag": "new"}).is_changed is False  # the behaviour kept
