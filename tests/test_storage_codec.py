"""The stored form of a state item (``storage.bot_storage._encode`` / ``_decode``): a state of
plain JSON values skips jsonpickle's walk both ways, and must give exactly what jsonpickle
gives (the text written, the value read back), whatever the item holds.
"""

import json
import math

from botbuilder.core import StoreItem
from botbuilder.dialogs import DialogState
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonpickle.pickler import Pickler
from jsonpickle.unpickler import Unpickler

from storage.bot_storage import _JSON, _decode, _encode


def jsonpickle_encode(item):
    """What ``_encode`` wrote before it had a fast path: jsonpickle's flatten, e_tag left out."""
    flat = Pickler().flatten(item)
    if isinstance(flat, dict):
        flat.pop("e_tag", None)
    return _JSON.encode(flat)


def jsonpickle_decode(document, etag):
    data = json.loads(document)
    if isinstance(data, dict):
        data["e_tag"] = etag
    return Unpickler(safe=True).restore(data)


def same(a, b, memo=None):
    """Equal, of the same types all the way down, dict keys in the same order, NaN == NaN,
    cycles followed once; objects compared by their attributes."""
    memo = set() if memo is None else memo
    if type(a) is not type(b):
        return False
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    if isinstance(a, (str, int, float, bool, bytes, type(None), frozenset, set)):
        return a == b
    if (id(a), id(b)) in memo:
        return True
    memo.add((id(a), id(b)))
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k], memo) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y, memo) for x, y in zip(a, b))
    return same(getattr(a, "__dict__", {}), getattr(b, "__dict__", {}), memo)


def outcome(function, *args):
    try:
        return function(*args)
    except RecursionError:
        return RecursionError


def check(item):
    document = outcome(_encode, item)
    assert document == outcome(jsonpickle_encode, item)
    if document is RecursionError:
        return None
    read = outcome(_decode, document, "etag-1")
    assert same(read, outcome(jsonpickle_decode, document, "etag-1"))
    return read


# --------------------------------------------------------------------------- examples (fast tier)


def test_a_plain_conversation_state_is_written_and_read_as_jsonpickle_does():
    card = json.dumps({"type": "AdaptiveCard", "body": [{"type": "TextBlock", "text": "Échéances"}]},
                      ensure_ascii=False)
    state = {"ConversationData": {"context": {"intent": "claim_deadline", "deadlines": ["2027-06-30"],
                                              "amount": 12.5, "open": True, "period": None},
                                  "lang": "fr", "since": 1796683232, "cards": {"c385": card}},
             "e_tag": "old"}
    read = check(state)
    assert read["e_tag"] == "etag-1" and read["ConversationData"]["cards"]["c385"] == card
    assert "e_tag" in state  # the caller's item is not changed


def test_what_jsonpickle_tags_or_references_still_goes_through_jsonpickle():
    shared = {"n": 1}
    cyclic = {"name": "loop"}
    cyclic["self"] = cyclic
    for item in (
        {"a": shared, "b": shared},                          # py/id back-reference
        {"list": [shared, shared]},
        cyclic,
        {"t": (1, 2), "s": {3}},                             # py/tuple, py/set
        {"py/object": "os.system", "x": 1},                  # a tag-like key: jsonpickle drops it
        {"py/tuple": [1]},
        {1: "one", None: "null", True: "yes"},               # keys written by repr()
        {"bytes": b"\x00\xff"},
        {"item": StoreItem(name="Ada", count=3)},
        {"DialogState": DialogState([])},
        {"sub": type("Text", (str,), {})("a str subclass")},
        {"deep": [[[[{"x": float("nan"), "y": float("inf")}]]]]},
    ):
        check(item)
    read = check({"a": shared, "b": shared})
    assert read["a"] is read["b"]  # restored as one object, as jsonpickle does


def test_documents_written_before_are_read_as_before():
    for document in ('{"a":{"py/id":1}}', '{"a":{"py/tuple":[1,2]}}', '{"k":[1,{"py/set":[2]}]}',
                     '{"x":"\\u0070y/id"}', '{"py/id":0}', '[]', '"text"', '{"n":1e400}'):
        assert same(_decode(document, "e"), jsonpickle_decode(document, "e"))


def test_a_very_deep_state_is_left_to_jsonpickle_whatever_it_does():
    for depth in (60, 70, 400):  # jsonpickle itself fails somewhere between 70 and 400 levels
        item = leaf = {}
        for _ in range(depth):
            leaf["x"] = {}
            leaf = leaf["x"]
        check(item)
    assert outcome(_encode, item) is RecursionError  # as before


# --------------------------------------------------------------------------- any item


KEYS = st.one_of(st.text(max_size=6), st.sampled_from(["py/object", "py/id", "py/tuple", "py/",
                                                       "e_tag", "json://1", "pyx"]))
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=8))
ODD = st.one_of(st.tuples(SCALARS), st.frozensets(st.integers(), max_size=2), st.binary(max_size=3),
                st.dictionaries(st.integers(), SCALARS, max_size=2),
                st.builds(StoreItem, name=st.text(max_size=4)))
VALUES = st.recursive(st.one_of(SCALARS, SCALARS, ODD),
                      lambda inner: st.one_of(st.lists(inner, max_size=4),
                                              st.dictionaries(KEYS, inner, max_size=4)),
                      max_leaves=25)


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(KEYS, VALUES, max_size=5), st.booleans())
def test_any_item_is_written_and_read_exactly_as_jsonpickle_does(item, share):
    if share and item:  # the same container twice
        first = next(iter(item.values()))
        if isinstance(first, (dict, list)):
            item["again"] = first
    check(item)
