"""Handler tests: the real bot (create_bot) on the real SqlStorage (a SQLite file), driven
through botbuilder's TestAdapter with Teams-shaped activities."""
from __future__ import annotations

import asyncio
import logging

import pytest
from botbuilder.core import MemoryStorage, Storage
from botbuilder.schema import Activity, ActivityTypes, ChannelAccount

from bot.mention import strip_bot_mention
from bot.teams_bot import create_bot
from storage import SqlStorage
from test_bot_support import (said, BOT_ID, USER_ID, Client, FakeReminders, card_of, mention_entity,
                              message, new_bot, sql_storage, template, texts_of)


@pytest.fixture
async def store(tmp_path):
    db, storage = await sql_storage(tmp_path / "bot.sqlite3")
    yield storage
    await db.close()


# ---------------------------------------------------------------- mentions


@pytest.mark.parametrize("name", ["Co-op (Bot) [β]", "a.b*c+?", "Bot\\d+", "R&D bot", "$^|"])
def test_strip_only_the_bots_own_mention_with_odd_names(name):
    activity = Activity(
        text=f"<at>{name}</at> when do I claim H1? cc <at>Bob (Sales)</at>",
        recipient=ChannelAccount(id=BOT_ID, name=name),
        entities=[mention_entity(name), mention_entity("Bob (Sales)", "29:bob")])
    assert strip_bot_mention(activity) == "when do I claim H1? cc <at>Bob (Sales)</at>"


def test_strip_mention_markup_variants():
    name = "Co-op (Bot) [β]"
    recipient = ChannelAccount(id=BOT_ID, name=name)
    # entity text differs from the markup in the text: attributes, case, spaces
    entity = {"type": "mention", "text": f"<at>{name}</at>", "mentioned": {"id": BOT_ID, "name": name}}
    for text in (f'<at id="0">{name}</at> H1?', f"<AT> {name} </AT> H1?", f"H1? <at>{name}</at>"):
        assert strip_bot_mention(Activity(text=text, recipient=recipient, entities=[entity])) == "H1?"
    # HTML-escaped name in the text
    amp = {"type": "mention", "text": "<at>R&D</at>", "mentioned": {"id": BOT_ID, "name": "R&D"}}
    assert strip_bot_mention(Activity(text="<at>R&amp;D</at> H1?", recipient=recipient, entities=[amp])) == "H1?"
    # someone else's mention alone is left in place; no text at all is ""
    other = Activity(text="<at>Bob</at> hi", recipient=recipient, entities=[mention_entity("Bob", "29:bob")])
    assert strip_bot_mention(other) == "<at>Bob</at> hi"
    assert strip_bot_mention(Activity(text=None, recipient=recipient)) == ""


async def test_channel_message_with_mention_is_answered(store):
    client = Client(new_bot(store), template("channel", "19:general@thread.tacv2;messageid=1"))
    out = await client.send(message("<at>Co-op (Bot) [β]</at> when must I claim H1 funds?",
                                    entities=[mention_entity()]))
    assert len(out) == 1
    assert "August 15, 2025" in said(out[0])
    assert card_of(out[0])["version"] == "1.5"


# ---------------------------------------------------------------- welcome / install


async def test_welcome_once_per_conversation(store):
    client = Client(new_bot(store))
    added = Activity(type=ActivityTypes.conversation_update, locale="en-US",
                     members_added=[ChannelAccount(id=BOT_ID), ChannelAccount(id=USER_ID)])
    first = await client.send(added)
    assert len(first) == 1 and "co-op" in said(first[0])
    # issue #19: one short line beside the manifest's prompt starters, nothing competing with
    # them (no card, no buttons, no suggested actions)
    assert card_of(first[0]) is None and not first[0].suggested_actions
    assert len(said(first[0])) <= 120 and "\n" not in said(first[0])
    # the installationUpdate that Teams sends as well, and a reinstall: no second welcome
    assert await client.send(Activity(type=ActivityTypes.installation_update, action="add")) == []
    assert await client.send(added) == []
    # a NEW bot on the same store (restart) still remembers
    assert await Client(new_bot(store)).send(Activity(type=ActivityTypes.installation_update,
                                                      action="add")) == []


async def test_welcome_in_users_locale_language(store):
    client = Client(new_bot(store), template(conversation_id="a:fr"))
    out = await client.send(Activity(type=ActivityTypes.installation_update, action="add",
                                     entities=[{"type": "clientInfo", "locale": "fr-FR"}]))
    assert out and said(out[0]).startswith("Bonjour")


async def test_user_joining_is_not_welcomed(store):
    client = Client(new_bot(store))
    out = await client.send(Activity(type=ActivityTypes.conversation_update,
                                     members_added=[ChannelAccount(id="29:bob")]))
    assert out == []


async def test_uninstall_calls_the_reminders_removal_hook(store):
    reminders = FakeReminders()
    client = Client(new_bot(store, reminders), template("groupChat", "19:chat"))
    await client.send(Activity(type=ActivityTypes.installation_update, action="remove"))
    await client.send(Activity(type=ActivityTypes.conversation_update,
                               members_removed=[ChannelAccount(id=BOT_ID)]))
    assert reminders.calls.count(("deactivate_conversation", "19:chat")) == 2


# ---------------------------------------------------------------- language


async def test_french_question_gets_french_answer_despite_en_us_locale(store):
    client = Client(new_bot(store))
    out = await client.send(message("Quand dois-je réclamer les fonds H1 ?", locale="en-US"))
    assert "15 août 2025" in said(out[0])
    card = card_of(out[0])
    titles = [a["title"] for a in card["actions"]]
    assert "Me le rappeler" in titles and "Ajouter au calendrier" in titles


async def test_today_is_the_servers_clock_in_the_senders_time_zone(store):
    from datetime import datetime, timedelta, timezone

    # 16 Aug 2025 06:30 UTC is still 15 Aug 23:30 in Los Angeles: for the sender the H1 window
    # closing on 15 August 2025 is still open today (on 16 Aug it would be the next one). The
    # timestamp's offset is what counts, not its date: this client's clock is years off.
    utc_now = datetime(2025, 8, 16, 6, 30, tzinfo=timezone.utc)
    client = Client(create_bot(None, store, clock=lambda: utc_now))
    wrong_clock = datetime(2031, 1, 2, 3, 4, tzinfo=timezone(timedelta(hours=-7)))
    out = await client.send(Activity(type=ActivityTypes.message, text="When must I claim H1 funds?",
                                     locale="en-US", local_timestamp=wrong_clock))
    assert "**August 15, 2025**" in said(out[0])
    # no localTimestamp, only localTimezone: the clock in that zone
    out = await client.send(Activity(type=ActivityTypes.message, text="When must I claim H1 funds?",
                                     locale="en-US", local_timezone="America/Los_Angeles"))
    assert "**August 15, 2025**" in said(out[0])
    # in UTC it is the 16th: the next window
    out = await client.send(Activity(type=ActivityTypes.message, text="When must I claim H1 funds?",
                                     locale="en-US"))
    assert "**August 15, 2025**" not in said(out[0])


# ---------------------------------------------------------------- card submits


async def test_card_submit_without_text_is_routed_on_verb(store):
    reminders = FakeReminders()
    client = Client(new_bot(store, reminders))
    out = await client.send(message(None, value={"verb": "remind", "half": "H1"}))
    assert reminders.names()[-1] == "subscribe" and said(out[0]).startswith("Done")
    subscribe = reminders.calls[-1][1]
    assert subscribe["user_id"] == USER_ID and subscribe["reference"]["conversation"]["id"] == "a:personal-1"
    assert str(subscribe["today"]) == "2025-03-01"
    out = await client.send(message(None, value={"verb": "calendar"}))
    assert "https://coop.example.test/calendar/tok.ics" in said(out[0])
    out = await client.send(message(None, value={"verb": "unsubscribe"}))
    assert reminders.names()[-1] == "unsubscribe" and out
    out = await client.send(message(None, value={"verb": "ask", "text": "How long do I keep my PoE documents?"}))
    assert "24 months" in said(out[0])


async def test_submit_with_unknown_verb_or_nothing_is_ignored_quietly(store):
    client = Client(new_bot(store))
    assert await client.send(message(None, value={"verb": "bogus"})) == []
    assert await client.send(message(None)) == []


async def test_reminder_buttons_without_reminders_service_say_so(store):
    client = Client(new_bot(store, None))
    out = await client.send(message(None, value={"verb": "remind"}))
    assert "not available" in said(out[0])


async def test_universal_action_invoke_gets_an_invoke_response(store):
    reminders = FakeReminders()
    client = Client(new_bot(store, reminders))
    out = await client.send(Activity(type=ActivityTypes.invoke, name="adaptiveCard/action",
                                     value={"action": {"type": "Action.Execute", "verb": "remind",
                                                       "data": {"half": "H1"}}, "trigger": "manual"}))
    assert [a.type for a in out] == [ActivityTypes.invoke_response]  # no message besides
    response = out[0].value
    assert response.status == 200
    assert response.body["statusCode"] == 200
    assert response.body["type"] == "application/vnd.microsoft.card.adaptive"
    assert response.body["value"]["type"] == "AdaptiveCard"
    assert reminders.names()[-1] == "subscribe"
    bad = await client.send(Activity(type=ActivityTypes.invoke, name="adaptiveCard/action",
                                     value={"action": {"type": "Action.Execute", "verb": "nope"}}))
    assert [a.value.status for a in bad if a.type == ActivityTypes.invoke_response] == [400]


# ---------------------------------------------------------------- errors


async def test_error_in_a_turn_apologises_and_the_next_turn_works(store, caplog):
    calls = {"n": 0}

    def flaky(text, **kwargs):
        from understanding import respond

        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("boom: secret stack detail")
        return respond(text, **kwargs)

    client = Client(new_bot(store, respond=flaky))
    await client.send("split 5000")  # starts a follow-up (asks for the split)
    with caplog.at_level(logging.ERROR):
        out = await client.send("60/40")
    assert len(out) == 1 and said(out[0]).startswith("Sorry")
    assert "boom" not in said(out[0]) and "Traceback" not in said(out[0])
    assert any("correlation id" in r.getMessage() for r in caplog.records)
    out = await client.send("When must I claim H1 funds?")
    assert "August 15, 2025" in said(out[0])


# ---------------------------------------------------------------- concurrency


class SlowReads(Storage):
    """A SqlStorage whose reads take a while, so two turns both read before either writes."""

    def __init__(self, inner: SqlStorage):
        self.inner = inner

    async def read(self, keys):
        items = await self.inner.read(keys)
        await asyncio.sleep(0.05)
        return items

    async def write(self, changes):
        await self.inner.write(changes)

    async def delete(self, keys):
        await self.inner.delete(keys)

    async def update(self, key, change, **kwargs):
        return await self.inner.update(key, change, **kwargs)


class SlowReadsGuardingNewItems(SlowReads):
    """SlowReads that, like SqlStorage itself, creates items marked NEW_ITEM_ETAG only if absent
    (the bot then loads both states with one read and creates records at save time)."""

    NEW_ITEM_ETAG = SqlStorage.NEW_ITEM_ETAG


@pytest.mark.parametrize("slow", [SlowReads, SlowReadsGuardingNewItems])
async def test_two_concurrent_turns_in_one_conversation_lose_nothing(tmp_path, caplog, slow):
    """Two bots (two instances) on one database, one conversation, two turns at once: both
    state changes survive (the loser of the ETag race re-runs its turn) and each turn
    answers exactly once."""
    db1, store1 = await sql_storage(tmp_path / "c.sqlite3")
    db2, store2 = await sql_storage(tmp_path / "c.sqlite3")
    try:
        a, b = Client(new_bot(slow(store1))), Client(new_bot(slow(store2)))
        welcome = Activity(type=ActivityTypes.installation_update, action="add")
        with caplog.at_level(logging.INFO, logger="bot.turns"):
            out_a, out_b = await asyncio.gather(a.send(welcome), b.send(message("split 5000")))
        assert any("state conflict" in r.getMessage() for r in caplog.records)
        assert len(out_b) == 1 and "split" in said(out_b[0]).lower()
        assert len(out_a) == 1  # the welcome, exactly once
        # the follow-up started by b continues on a (same conversation), and the welcome flag
        # written by a is still there
        out = await a.send("60/40")
        assert "2,000" in said(out[0])
        assert await b.send(welcome) == []
    finally:
        await db1.close()
        await db2.close()


async def test_memory_storage_works_too():
    client = Client(new_bot(MemoryStorage()))
    out = await client.send("What is FY21 H2?")
    assert out and said(out[0])
