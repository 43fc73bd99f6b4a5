"""SqlStorage (botbuilder Storage) against real SQLite and the real PostgreSQL server.

"Two processes" are two Database objects on the same SQLite file or PostgreSQL schema.
"""

import asyncio
import json

import pytest
from botbuilder.core import (
    ConversationState,
    MessageFactory,
    StoreItem,
    TurnContext,
    UserState,
)
from botbuilder.core.adapters import TestAdapter
from botbuilder.dialogs import (
    DialogSet,
    DialogTurnStatus,
    PromptOptions,
    TextPrompt,
    WaterfallDialog,
    WaterfallStepContext,
)
from botbuilder.schema import Activity, ActivityTypes, ChannelAccount, ConversationAccount
from botbuilder.testing.storage_base_tests import StorageBaseTests

from storage import EtagConflictError, SqlStorage, StorageError


@pytest.fixture
async def storage(scratch):
    return SqlStorage(await scratch.connect())


async def second_process(scratch):
    """Another SqlStorage on the same data through its own connection (or pool)."""
    return SqlStorage(await scratch.connect())


# --------------------------------------------------------------------------- botbuilder's own suite


@pytest.mark.parametrize(
    "check",
    [
        "return_empty_object_when_reading_unknown_key",
        "handle_null_keys_when_reading",
        "handle_null_keys_when_writing",
        "does_not_raise_when_writing_no_items",
        "create_object",
        "handle_crazy_keys",
        "update_object",
        "delete_object",
        "delete_unknown_object",
        "perform_batch_operations",
        "proceeds_through_waterfall",
    ],
)
async def test_botbuilder_storage_base_tests(storage, check):
    assert await getattr(StorageBaseTests, check)(storage) is True


# --------------------------------------------------------------------------- items and e_tags


async def test_round_trip_of_a_dict_with_a_fresh_etag_each_write(storage):
    item = {"name": "Ada", "claims": [1, 2], "nested": {"fr": "é"}}
    await storage.write({"k": item})
    first = (await storage.read(["k"]))["k"]
    assert {k: v for k, v in first.items() if k != "e_tag"} == {
        "name": "Ada", "claims": [1, 2], "nested": {"fr": "é"},
    }
    first_etag = first["e_tag"]
    assert first_etag
    first["claims"].append(3)
    await storage.write({"k": first})
    second = (await storage.read(["k"]))["k"]
    assert second["claims"] == [1, 2, 3]
    assert second["e_tag"] and second["e_tag"] != first_etag


async def test_write_sets_the_new_etag_on_the_written_dict(storage):
    item = {"n": 1}
    await storage.write({"k": item})
    stored = (await storage.read(["k"]))["k"]
    assert item["e_tag"] == stored["e_tag"]
    # so saving the same state twice in one turn does not conflict with itself
    item["n"] = 2
    await storage.write({"k": item})
    assert (await storage.read(["k"]))["k"]["n"] == 2


async def test_e_tag_is_a_column_not_part_of_the_json(storage):
    await storage.write({"k": {"n": 1, "e_tag": "*"}})
    row = await storage._db.fetchrow(f"SELECT etag, document FROM {storage.table}")
    assert json.loads(row["document"]) == {"n": 1}
    assert row["etag"] == (await storage.read(["k"]))["k"]["e_tag"]


async def test_objects_come_back_as_objects(storage):
    await storage.write({"item": StoreItem(name="Ada", count=3)})
    item = (await storage.read(["item"]))["item"]
    assert isinstance(item, StoreItem)
    assert (item.name, item.count) == ("Ada", 3)
    assert item.e_tag
    item.count = 4
    await storage.write({"item": item})
    assert (await storage.read(["item"]))["item"].count == 4


async def test_shared_references_survive_any_key_order(storage):
    """jsonpickle's py/id back-references need the JSON text as written (hence TEXT, not jsonb)."""
    shared = StoreItem(value=7)
    await storage.write({"k": {"zz_first_in_python": shared, "a": shared}})
    item = (await storage.read(["k"]))["k"]
    assert item["a"].value == 7 and item["zz_first_in_python"].value == 7


async def test_stale_etag_raises_a_key_error_and_keeps_the_stored_item(storage):
    await storage.write({"k": {"n": 1}})
    stale = (await storage.read(["k"]))["k"]
    fresh = dict(stale)
    fresh["n"] = 2
    await storage.write({"k": fresh})
    stale["n"] = 99
    with pytest.raises(KeyError) as caught:
        await storage.write({"k": stale})
    assert isinstance(caught.value, EtagConflictError)
    assert "Etag conflict" in str(caught.value)
    assert caught.value.current == fresh["e_tag"]
    assert (await storage.read(["k"]))["k"]["n"] == 2


async def test_wildcard_etag_overwrites(storage):
    await storage.write({"k": {"n": 1}})
    stale = (await storage.read(["k"]))["k"]
    await storage.write({"k": dict(stale, n=2)})
    stale.update(n=3, e_tag="*")
    await storage.write({"k": stale})
    assert (await storage.read(["k"]))["k"]["n"] == 3


async def test_new_item_etag_creates_only_what_does_not_exist(storage):
    first = {"n": 1, "e_tag": SqlStorage.NEW_ITEM_ETAG}
    await storage.write({"k": first})
    assert first["e_tag"] not in ("", SqlStorage.NEW_ITEM_ETAG)
    second = {"n": 2, "e_tag": SqlStorage.NEW_ITEM_ETAG}
    with pytest.raises(EtagConflictError):
        await storage.write({"k": second})
    with pytest.raises(EtagConflictError):  # in a multi-item (transactional) write too
        await storage.write({"other": {"n": 3}, "k": dict(second)})
    assert await storage.read(["other"]) == {}
    stored = (await storage.read(["k"]))["k"]
    assert stored["n"] == 1 and stored["e_tag"] == first["e_tag"]


async def test_empty_etag_is_refused(storage):
    with pytest.raises(StorageError, match="etag missing"):
        await storage.write({"k": {"n": 1, "e_tag": ""}})
    assert await storage.read(["k"]) == {}


async def test_stale_write_cannot_resurrect_a_deleted_item(storage):
    """A turn still in flight after "forget my data" must not bring the data back."""
    await storage.write({"k": {"n": 1}})
    in_flight = (await storage.read(["k"]))["k"]
    await storage.delete(["k"])
    with pytest.raises(EtagConflictError):
        await storage.write({"k": in_flight})
    assert await storage.read(["k"]) == {}


async def test_a_batch_is_all_or_nothing(storage):
    await storage.write({"a": {"n": 1}, "b": {"n": 1}})
    items = await storage.read(["a", "b"])
    await storage.write({"b": dict(items["b"], n=2)})  # b moves on
    items["a"]["n"] = 10
    items["b"]["n"] = 10
    with pytest.raises(EtagConflictError):
        await storage.write({"a": items["a"], "b": items["b"]})
    after = await storage.read(["a", "b"])
    assert (after["a"]["n"], after["b"]["n"]) == (1, 2)


async def test_delete_removes_only_the_named_keys(storage):
    await storage.write({"a": {"n": 1}, "b": {"n": 2}, "c": {"n": 3}})
    await storage.delete(["a", "c", "never-written"])
    assert set(await storage.read(["a", "b", "c"])) == {"b"}


async def test_non_string_keys_are_refused(storage):
    with pytest.raises(TypeError):
        await storage.read([1])
    with pytest.raises(TypeError):
        await storage.write({1: {"n": 1}})


async def test_more_keys_than_one_in_list(storage):
    keys = [f"k{i}" for i in range(1200)]
    await storage.write({key: {"i": i} for i, key in enumerate(keys)})
    items = await storage.read(keys)
    assert len(items) == 1200 and items["k1199"]["i"] == 1199
    await storage.delete(keys)
    assert await storage.read(keys) == {}


# --------------------------------------------------------------------------- forget my data


async def test_keys_and_delete_matching_are_exact(storage):
    await storage.write({
        "msteams/users/29:abc": {"n": 1},
        "msteams/users/29:ABC": {"n": 2},        # differs only in case
        "msteams/users/29:abcdef": {"n": 3},     # longer id, same start
        "msteams/conversations/c1": {"n": 4},
        "msteams/conversations/c1/users/29:abc": {"n": 5},
        "msteams/conversations/c2/users/29:abc": {"n": 6},
        "msteams/conversations/c_%/users/x": {"n": 7},
    })
    assert await storage.keys("msteams/conversations/c_%") == ["msteams/conversations/c_%/users/x"]
    # one suffix finds the user's UserState and PrivateConversationState items
    assert await storage.keys(suffix="/users/29:abc") == [
        "msteams/conversations/c1/users/29:abc",
        "msteams/conversations/c2/users/29:abc",
        "msteams/users/29:abc",
    ]
    assert await storage.keys("msteams/users/29:a") == [
        "msteams/users/29:abc",
        "msteams/users/29:abcdef",
    ]
    assert await storage.delete_matching(suffix="/users/29:abc") == 3
    assert await storage.delete_prefix("msteams/users/29:abc") == 1
    assert await storage.keys() == [
        "msteams/conversations/c1",
        "msteams/conversations/c_%/users/x",
        "msteams/users/29:ABC",
    ]
    assert await storage.delete_matching(prefix="msteams/", suffix="/c1") == 1
    with pytest.raises(ValueError):
        await storage.delete_matching()


# --------------------------------------------------------------------------- concurrency


async def test_two_concurrent_turns_one_conflict_nothing_lost(scratch):
    """Two processes read the same item, both write with their e_tag: exactly one wins."""
    first, second = SqlStorage(await scratch.connect()), await second_process(scratch)
    await first.write({"conv": {"log": []}})
    for round_ in range(10):
        barrier = asyncio.Barrier(2)

        async def turn(storage, name):
            item = (await storage.read(["conv"]))["conv"]
            item["log"].append(f"{name}{round_}")
            await barrier.wait()  # both have read before either writes
            try:
                await storage.write({"conv": item})
                return name
            except EtagConflictError:
                return None

        winners = [w for w in await asyncio.gather(turn(first, "A"), turn(second, "B")) if w]
        assert len(winners) == 1
        # the loser re-reads and re-applies: nothing is silently lost
        loser, name = (second, "B") if winners == ["A"] else (first, "A")
        item = (await loser.read(["conv"]))["conv"]
        item["log"].append(f"{name}{round_}")
        await loser.write({"conv": item})
    log = (await first.read(["conv"]))["conv"]["log"]
    assert sorted(log) == sorted(f"{n}{r}" for r in range(10) for n in "AB")


async def test_two_turns_of_conversation_state_one_conflict(scratch):
    """The same through ConversationState, as two simultaneous messages in one chat produce."""
    first, second = SqlStorage(await scratch.connect()), await second_process(scratch)
    adapter = TestAdapter()

    def context():
        return TurnContext(adapter, Activity(
            type=ActivityTypes.message, channel_id="msteams", text="hi",
            conversation=ConversationAccount(id="19:chat"), from_property=ChannelAccount(id="u1"),
            recipient=ChannelAccount(id="bot"),
        ))

    setup = ConversationState(first)
    ctx = context()
    await setup.create_property("count").set(ctx, 0)
    await setup.save_changes(ctx)

    states = [ConversationState(first), ConversationState(second)]
    contexts = [context(), context()]
    for state, ctx in zip(states, contexts):
        count = state.create_property("count")
        await count.set(ctx, await count.get(ctx) + 1)
    outcomes = await asyncio.gather(
        *(state.save_changes(ctx) for state, ctx in zip(states, contexts)),
        return_exceptions=True,
    )
    assert sum(isinstance(o, EtagConflictError) for o in outcomes) == 1
    assert sum(o is None for o in outcomes) == 1
    stored = (await first.read(["msteams/conversations/19:chat"]))["msteams/conversations/19:chat"]
    assert stored["count"] == 1


async def test_update_retries_until_every_increment_lands(scratch):
    first, second = SqlStorage(await scratch.connect()), await second_process(scratch)

    def increment(item):
        item = item or {"count": 0}
        item["count"] += 1
        return item

    # the key does not exist yet: creating it races too
    await asyncio.gather(*(
        storage.update("counter", increment, attempts=100)
        for storage in (first, second) for _ in range(15)
    ))
    assert (await first.read(["counter"]))["counter"]["count"] == 30


async def test_update_gives_up_after_its_attempts(storage):
    await storage.write({"k": {"n": 0}})
    calls = []

    async def meddle(item):
        calls.append(item["n"])
        await storage.write({"k": {"n": item["n"] + 100}})  # someone else writes meanwhile
        item["n"] += 1
        return item

    with pytest.raises(EtagConflictError):
        await storage.update("k", meddle, attempts=3)
    assert calls == [0, 100, 200]
    assert (await storage.read(["k"]))["k"]["n"] == 300


async def test_update_returns_the_written_item(storage):
    item = await storage.update("k", lambda current: {"n": 1})
    assert item["e_tag"] == (await storage.read(["k"]))["k"]["e_tag"]


async def test_update_that_changes_nothing_writes_nothing(storage):
    """E.g. "create the record if missing" must not bump the e_tag a running turn holds."""
    await storage.write({"k": {"n": 1}})
    held = (await storage.read(["k"]))["k"]
    same = await storage.update("k", lambda current: current if current is not None else {})
    assert same["e_tag"] == held["e_tag"]
    held["n"] = 2
    await storage.write({"k": held})  # no conflict
    assert (await storage.read(["k"]))["k"]["n"] == 2


async def test_hundred_concurrent_writers_on_distinct_keys_lose_nothing(scratch):
    storages = [SqlStorage(await scratch.connect()), await second_process(scratch)]
    await storages[0].initialize()

    async def writer(i):
        await storages[i % 2].write({f"user/{i}": {"i": i}})

    await asyncio.gather(*(writer(i) for i in range(100)))
    items = await storages[0].read([f"user/{i}" for i in range(100)])
    assert {key: item["i"] for key, item in items.items()} == {f"user/{i}": i for i in range(100)}


async def test_two_processes_creating_the_table_at_once(scratch):
    storages = [SqlStorage(await scratch.connect()) for _ in range(3)]
    await asyncio.gather(*(s.write({f"k{i}": {"i": i}}) for i, s in enumerate(storages)))
    assert len(await storages[0].read(["k0", "k1", "k2"])) == 3


# --------------------------------------------------------------------------- restart continuity


def build_bot(storage):
    """A bot with a three-step waterfall and a user profile, as app.py would wire it."""
    conversation_state = ConversationState(storage)
    user_state = UserState(storage)
    profile = user_state.create_property("profile")
    dialogs = DialogSet(conversation_state.create_property("DialogState"))
    dialogs.add(TextPrompt("text"))

    async def ask_name(step: WaterfallStepContext):
        return await step.prompt("text", PromptOptions(prompt=MessageFactory.text("Your name?")))

    async def ask_program(step: WaterfallStepContext):
        step.values["name"] = step.result
        (await profile.get(step.context, dict))["name"] = step.result
        return await step.prompt("text", PromptOptions(prompt=MessageFactory.text("Program?")))

    async def finish(step: WaterfallStepContext):
        remembered = (await profile.get(step.context, dict))["name"]
        await step.context.send_activity(f"{step.values['name']}/{remembered} in {step.result}")
        return await step.end_dialog()

    dialogs.add(WaterfallDialog("intake", [ask_name, ask_program, finish]))

    async def on_turn(turn_context: TurnContext):
        dialog_context = await dialogs.create_context(turn_context)
        result = await dialog_context.continue_dialog()
        if result.status == DialogTurnStatus.Empty:
            await dialog_context.begin_dialog("intake")
        await conversation_state.save_changes(turn_context)
        await user_state.save_changes(turn_context)

    return TestAdapter(on_turn)


async def test_a_dialog_half_way_continues_after_a_restart(scratch):
    first_process = build_bot(SqlStorage(await scratch.connect()))
    await (await first_process.send("hi")).assert_reply("Your name?")
    await (await first_process.send("Ada")).assert_reply("Program?")

    # a new process: new Database, new SqlStorage, new states and dialogs, same data
    restarted = build_bot(SqlStorage(await scratch.connect()))
    await (await restarted.send("CWSP")).assert_reply("Ada/Ada in CWSP")

    # and the dialog ended: the next message starts it again
    again = build_bot(SqlStorage(await scratch.connect()))
    await (await again.send("hello")).assert_reply("Your name?")


async def test_each_state_scope_is_its_own_row(scratch):
    storage = SqlStorage(await scratch.connect())
    bot = build_bot(storage)
    await (await bot.send("hi")).assert_reply("Your name?")
    await (await bot.send("Ada")).assert_reply("Program?")
    keys = await storage.keys()
    assert [k for k in keys if "/users/" in k and "conversations" not in k]
    assert [k for k in keys if "/conversations/" in k]
    user_key = next(k for k in keys if "/users/" in k)
    assert (await storage.read([user_key]))[user_key]["profile"] == {"name": "Ada"}


async def test_put_many_writes_plain_items_unconditionally_in_one_statement(storage):
    """The answers kept for feedback: written behind the turn, many at once, last writer wins,
    read back as dicts; over-long keys bounded like every other key."""
    long_key = "msteams/answers/" + "x" * 400 + "/0"
    await storage.write({"a/1": {"n": 0}})  # an item that exists is overwritten
    items = {f"a/{n}": {"n": n, "nested": {"s": "é", "l": [1, None]}} for n in range(1, 250)}
    items[long_key] = {"n": -1}
    await storage.put_many(items)
    read = await storage.read(list(items))
    assert {k: {kk: vv for kk, vv in v.items() if kk != "e_tag"} for k, v in read.items()} == items
    assert all(v["e_tag"] for v in read.values())
    await storage.put_many({"a/1": {"n": "again"}})
    assert (await storage.read(["a/1"]))["a/1"]["n"] == "again"
    with pytest.raises(TypeError):
        await storage.put_many({"a/2": ["not", "a", "dict"]})
