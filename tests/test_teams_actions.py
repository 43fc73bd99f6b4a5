"""Universal Actions over the real HTTP layer: the product app on a real SQLite database, a fake
Teams channel on loopback. A card button's ``adaptiveCard/action`` invoke is answered with HTTP
200 and ``{"statusCode": 200, "type": "application/vnd.microsoft.card.adaptive", "value":
card}`` (the refreshed card), changes nothing more when clicked twice, never posts a message
besides, and stale buttons say so on their card. Reminders belong to (user, conversation)."""
from __future__ import annotations

import copy

import pytest

from reminders import store
from product_app import product_on_sqlite

CARD = "application/vnd.microsoft.card.adaptive"
PERSONAL = "a:1Xyz-personal"
CHANNEL = "19:general@thread.tacv2"


@pytest.fixture
async def product(tmp_path, fake_channel):
    async with product_on_sqlite(tmp_path) as (client, db):
        yield client, fake_channel, db


def _activity(channel, text=None, conversation=PERSONAL, kind="personal", **fields):
    activity = channel.activity(text, **fields)
    activity["conversation"] = {"id": conversation, "tenantId": "tenant-1", "conversationType": kind}
    activity["localTimestamp"] = "2025-03-01T10:00:00+01:00"
    activity["localTimezone"] = "Europe/Paris"
    return activity


async def _say(client, channel, text, **kw):
    before = len(channel.posted)
    response = await client.post("/api/messages", json=_activity(channel, text, **kw))
    assert response.status == 200
    return channel.posted[before:]


async def _click(client, channel, action, **kw):
    """Send the invoke a Teams client sends for an Action.Execute; (HTTP status, body, posted)."""
    before = len(channel.posted)
    invoke = _activity(channel, None, type="invoke", name="adaptiveCard/action",
                       value={"action": {"type": "Action.Execute", "verb": action["verb"],
                                         "data": copy.deepcopy(action["data"])}, "trigger": "manual"},
                       **kw)
    response = await client.post("/api/messages", json=invoke)
    return response.status, await response.json(), channel.posted[before:]


def _card(activity):
    [attachment] = activity["attachments"]
    assert attachment["contentType"] == CARD
    return attachment["content"]


def _button(card, title):
    found = [a for a in card.get("actions", []) if a["title"] == title]
    assert found, f"no {title!r} button on the card; it has {[a['title'] for a in card.get('actions', [])]}"
    return found[0]


async def _subscriptions(db, user="29:user-1"):
    rows = await db.fetch("SELECT conversation_id, active FROM reminder_subscriptions WHERE user_id = $1 "
                          "ORDER BY conversation_id", user)
    return [(r["conversation_id"], r["active"]) for r in rows]


async def test_remind_me_invoke_answers_with_the_refreshed_card_and_is_idempotent(product):
    client, channel, db = product
    [answer] = await _say(client, channel, "When must I claim H1 funds?")
    card = _card(answer)
    assert answer.get("text") is None  # one message: the card carries the answer
    remind = _button(card, "Remind me")
    assert remind["type"] == "Action.Execute"

    status, body, posted = await _click(client, channel, remind)
    assert status == 200
    assert set(body) == {"statusCode", "type", "value"}
    assert body["statusCode"] == 200 and body["type"] == CARD
    refreshed = body["value"]
    assert refreshed["type"] == "AdaptiveCard" and refreshed["body"][-1]["text"].startswith("✓ Reminders on")
    assert _button(refreshed, "Stop reminders")["verb"] == "unsubscribe"
    assert refreshed["body"][:-1] == card["body"]  # the same answer, with its new status line
    assert posted == []  # no message besides the invoke response
    assert await _subscriptions(db) == [(PERSONAL, 1)]

    # the same button again (a double click, or a client that did not refresh): nothing more
    status, again, posted = await _click(client, channel, remind)
    assert status == 200 and posted == [] and again["value"] == refreshed
    assert await _subscriptions(db) == [(PERSONAL, 1)]

    # Stop reminders on the refreshed card: off, and the card offers "Remind me" again
    status, off, posted = await _click(client, channel, _button(refreshed, "Stop reminders"))
    assert status == 200 and posted == []
    assert off["value"]["body"][-1]["text"] == "Reminders off"
    assert _button(off["value"], "Remind me")
    assert await _subscriptions(db) == [(PERSONAL, 0)]


async def test_channel_opt_in_leaves_personal_reminders_intact(product):
    client, channel, db = product
    await _say(client, channel, "remind me")
    [answer] = await _say(client, channel, "When must I claim H1 funds?", conversation=CHANNEL, kind="channel")
    status, body, _ = await _click(client, channel, _button(_card(answer), "Remind me"),
                                   conversation=CHANNEL, kind="channel")
    assert status == 200
    # read back from the database: the personal subscription is still there, unchanged
    assert await _subscriptions(db) == [(CHANNEL, 1), (PERSONAL, 1)]
    subs = await store.user_subscriptions(db, "29:user-1")
    assert [(s.conversation_type, s.user_name) for s in subs] == [("personal", "Partner"), ("channel", "Partner")]
    # "my reminders" lists both
    [listing] = await _say(client, channel, "my reminders")
    said = _card(listing)["fallbackText"].lower()
    assert "in your personal chat" in said and "in a channel or group chat" in said
    # its Stop button stops this conversation's (the personal chat's) only
    status, body, posted = await _click(client, channel, _button(_card(listing), "Stop reminders"))
    assert status == 200 and posted == [] and body["value"]["body"][-1]["text"] == "Reminders off"
    assert await _subscriptions(db) == [(CHANNEL, 1), (PERSONAL, 0)]
    await _say(client, channel, "remind me")
    # "stop reminders" in the channel stops the channel's and says the personal ones go on
    [stopped] = await _say(client, channel, "stop reminders", conversation=CHANNEL, kind="channel")
    assert "stopped your reminders in this channel" in stopped["text"]
    assert "still get reminders in your personal chat" in stopped["text"]
    assert await _subscriptions(db) == [(CHANNEL, 0), (PERSONAL, 1)]


async def test_stale_confirmation_says_it_was_answered(product):
    client, channel, db = product
    await _say(client, channel, "remind me")
    [question] = await _say(client, channel, "forget my data")
    yes = _button(_card(question), "Yes")
    [kept] = await _say(client, channel, "no")
    assert "deleted nothing" in kept["text"]
    status, body, posted = await _click(client, channel, yes)
    assert status == 200 and posted == []
    assert body["value"]["body"][-1]["text"] == "This question was already answered."
    assert not [a for a in body["value"].get("actions", []) if a["type"] == "Action.Execute"]
    assert await _subscriptions(db) == [(PERSONAL, 1)]  # nothing was deleted


async def test_yes_on_the_card_forgets_and_older_cards_become_stale(product):
    client, channel, db = product
    [answer] = await _say(client, channel, "When must I claim H1 funds?")
    await _click(client, channel, _button(_card(answer), "Remind me"))
    [question] = await _say(client, channel, "forget my data")
    status, body, posted = await _click(client, channel, _button(_card(question), "Yes"))
    assert status == 200 and posted == []
    assert body["value"]["body"][-1]["text"].startswith("Done: I deleted")
    assert await _subscriptions(db) == []
    # the answer card from before "forget my data": its button says so and does nothing
    status, body, posted = await _click(client, channel, _button(_card(answer), "Remind me"))
    assert status == 200 and posted == []
    assert "before you asked me to forget your data" in body["value"]["body"][-1]["text"]
    assert await _subscriptions(db) == []


async def test_action_submit_message_backs_keep_working(product):
    client, channel, db = product
    posted = await _say(client, channel, None, value={"verb": "remind"})
    assert len(posted) == 1 and "remind you" in (_card(posted[0])["fallbackText"])
    assert await _subscriptions(db) == [(PERSONAL, 1)]
    posted = await _say(client, channel, None, value={"verb": "unsubscribe"})
    assert "stopped your reminders in your personal chat" in posted[0]["text"]
    assert await _subscriptions(db) == [(PERSONAL, 0)]


async def test_add_to_calendar_is_a_personal_feed_rotatable_and_revoked_by_forget(product):
    client, channel, db = product
    [feed] = await _say(client, channel, "add to calendar")
    card = _card(feed)
    subscribe = _button(card, "Subscribe in my calendar")
    assert subscribe["url"].startswith("webcal://coop.example.test/calendar/") and subscribe["url"].endswith(".ics")
    download = _button(card, "Download the deadlines (.ics)")["url"]
    old_path = download.removeprefix("https://coop.example.test")
    assert (await client.get(old_path)).status == 200
    status, body, posted = await _click(client, channel, _button(card, "New link (revokes this one)"))
    assert status == 200 and posted == []
    assert body["value"]["body"][-1]["text"].startswith("✓ New link")
    new_path = _button(body["value"], "Download the deadlines (.ics)")["url"].removeprefix("https://coop.example.test")
    assert new_path != old_path
    assert (await client.get(old_path)).status == 404 and (await client.get(new_path)).status == 200
    [question] = await _say(client, channel, "forget my data")
    await _click(client, channel, _button(_card(question), "Yes"))
    assert (await client.get(new_path)).status == 404  # "forget my data" revoked it


async def test_add_to_calendar_in_a_channel_shares_no_personal_link(product):
    client, channel, db = product
    [reply] = await _say(client, channel, "add to calendar", conversation=CHANNEL, kind="channel")
    card = _card(reply)
    urls = [a["url"] for a in card["actions"] if a["type"] == "Action.OpenUrl"]
    assert urls and all("/calendar/cycles/" in u for u in urls)
    assert await db.fetchval("SELECT COUNT(*) FROM reminder_calendar_tokens") == 0
    response = await client.get(urls[0].removeprefix("https://coop.example.test"))
    assert response.status == 200


async def test_stop_on_a_reminder_card_stops_that_conversations_reminders(product):
    from datetime import date

    from reminders.digest import digest_activity
    from reminders.schedule import due_reminders

    client, channel, db = product
    await _say(client, channel, "remind me")
    await _say(client, channel, "remind me", conversation=CHANNEL, kind="channel")
    items = due_reminders(date(2025, 7, 16), date(2025, 7, 15))
    reminder = digest_activity(items, date(2025, 7, 16), "en", "en-US", user_id="29:user-1",
                               user_name="Partner", conversation_type="channel")
    stop = _button(_card(reminder), "Stop reminders")
    # another member of the channel clicks it: their (absent) reminders, nothing else
    status, body, posted = await _click(client, channel, stop, conversation=CHANNEL, kind="channel",
                                        **{"from": {"id": "29:bob", "name": "Bob"}})
    assert status == 200 and posted == []
    assert body["value"]["body"][-1]["text"] == "You had no reminders to stop."
    assert await _subscriptions(db) == [(CHANNEL, 1), (PERSONAL, 1)]
    # the subscriber clicks it: the channel's stop, the personal ones go on
    status, body, posted = await _click(client, channel, stop, conversation=CHANNEL, kind="channel")
    assert status == 200 and posted == []
    assert body["value"]["body"][-1]["text"] == "Reminders off"
    assert "Stop reminders" not in [a["title"] for a in body["value"]["actions"]]
    assert await _subscriptions(db) == [(CHANNEL, 0), (PERSONAL, 1)]


async def test_execute_buttons_fall_back_to_message_backs(product):
    """A client without Universal Actions sends the fallback Action.Submit: a message whose
    value is the button's data. It works too, answered with a message."""
    client, channel, db = product
    [answer] = await _say(client, channel, "When must I claim H1 funds?")
    remind = _button(_card(answer), "Remind me")
    assert remind["fallback"] == {"type": "Action.Submit", "title": "Remind me", "data": remind["data"]}
    posted = await _say(client, channel, None, value=remind["fallback"]["data"])
    assert len(posted) == 1 and await _subscriptions(db) == [(PERSONAL, 1)]
    [question] = await _say(client, channel, "forget my data")
    yes = _button(_card(question), "Yes")["fallback"]["data"]
    [done] = await _say(client, channel, None, value=yes)
    assert done["text"].startswith("Done: I deleted")
    assert await _subscriptions(db) == []


# --- a confirmation belongs to the member who asked for it (group chats, channels) -----------

GROUP = "19:team-chat@thread.v2"
ALICE = {"id": "29:alice", "name": "Alice"}
BOB = {"id": "29:bob", "name": "Bob"}


def _in_group(member):
    return {"conversation": GROUP, "kind": "groupChat", "from": member}


async def _mention(client, channel, member, text):
    """``member`` @mentions the bot with ``text`` in the group chat (what Teams sends)."""
    mention = {"type": "mention", "text": "<at>Co-op Assistant</at>",
               "mentioned": {"id": "28:bot-1", "name": "Co-op Assistant"}}
    return await _say(client, channel, f"<at>Co-op Assistant</at> {text}", entities=[mention],
                      **_in_group(member))


async def _both_opted_in_and_alice_asks_to_forget(client, channel, db):
    await _mention(client, channel, ALICE, "remind me")
    await _mention(client, channel, BOB, "remind me")
    assert await _subscriptions(db, ALICE["id"]) == [(GROUP, 1)]
    assert await _subscriptions(db, BOB["id"]) == [(GROUP, 1)]
    [question] = await _mention(client, channel, ALICE, "forget my data")
    return _card(question)


async def test_another_members_yes_click_does_not_answer_someone_elses_forget_my_data(product):
    client, channel, db = product
    question = await _both_opted_in_and_alice_asks_to_forget(client, channel, db)
    yes = _button(question, "Yes")

    # Bob clicks Alice's Yes: a note for Bob alone (Teams shows an invoke message to the one
    # who clicked), the card is not replaced, nothing is deleted
    status, body, posted = await _click(client, channel, yes, **_in_group(BOB))
    assert status == 200 and posted == []
    assert body["type"] == "application/vnd.microsoft.activity.message", body
    assert "only the person who asked" in body["value"].lower()
    assert await _subscriptions(db, ALICE["id"]) == [(GROUP, 1)]
    assert await _subscriptions(db, BOB["id"]) == [(GROUP, 1)]

    # Alice's request is still open: her own click erases her data, not Bob's
    status, body, posted = await _click(client, channel, yes, **_in_group(ALICE))
    assert status == 200 and posted == []
    assert body["type"] == CARD and body["value"]["body"][-1]["text"].startswith("Done: I deleted")
    assert await _subscriptions(db, ALICE["id"]) == []
    assert await _subscriptions(db, BOB["id"]) == [(GROUP, 1)]


async def test_another_members_typed_yes_does_not_answer_someone_elses_forget_my_data(product):
    client, channel, db = product
    await _both_opted_in_and_alice_asks_to_forget(client, channel, db)

    [note] = await _mention(client, channel, BOB, "yes")
    assert "only the person who asked" in note["text"].lower()
    assert await _subscriptions(db, BOB["id"]) == [(GROUP, 1)]
    assert await _subscriptions(db, ALICE["id"]) == [(GROUP, 1)]

    # Bob's other questions are still answered meanwhile, and leave Alice's request open
    [answer] = await _mention(client, channel, BOB, "When must I claim H1 funds?")
    assert "claim" in _card(answer)["fallbackText"].lower()

    [done] = await _mention(client, channel, ALICE, "yes")
    assert done["text"].startswith("Done: I deleted")
    assert await _subscriptions(db, ALICE["id"]) == []
    assert await _subscriptions(db, BOB["id"]) == [(GROUP, 1)]


async def test_the_requester_is_checked_in_the_dialog_and_on_the_card(product):
    """A click is refused when the card's data names someone else, and when the open dialog
    was asked for by someone else, each on its own (a client can send any data)."""
    from core.redact import log_id

    client, channel, db = product
    question = await _both_opted_in_and_alice_asks_to_forget(client, channel, db)
    yes = _button(question, "Yes")
    assert yes["data"]["requester"] == log_id(ALICE["id"])  # no raw id on the card

    # the card's data without its requester (forged, or a card from before): the dialog refuses
    forged = copy.deepcopy(yes)
    del forged["data"]["requester"]
    status, body, _ = await _click(client, channel, forged, **_in_group(BOB))
    assert status == 200 and body["type"] == "application/vnd.microsoft.activity.message"
    # the card's data naming Bob while Alice's dialog is open: still refused
    forged["data"]["requester"] = log_id(BOB["id"])
    status, body, _ = await _click(client, channel, forged, **_in_group(BOB))
    assert status == 200 and body["type"] == "application/vnd.microsoft.activity.message"
    # Alice clicking a card whose data names Bob: the card refuses, though the dialog is hers
    status, body, _ = await _click(client, channel, forged, **_in_group(ALICE))
    assert status == 200 and body["type"] == "application/vnd.microsoft.activity.message"
    assert await _subscriptions(db, ALICE["id"]) == [(GROUP, 1)]
    assert await _subscriptions(db, BOB["id"]) == [(GROUP, 1)]
    # the Action.Submit fallback (a message whose value is the button's data) is checked too
    [note] = await _say(client, channel, None, value=yes["fallback"]["data"], **_in_group(BOB))
    assert "only the person who asked" in note["text"].lower()
    assert await _subscriptions(db, ALICE["id"]) == [(GROUP, 1)]
    [done] = await _say(client, channel, None, value=yes["fallback"]["data"], **_in_group(ALICE))
    assert done["text"].startswith("Done: I deleted")
    assert await _subscriptions(db, ALICE["id"]) == []
    assert await _subscriptions(db, BOB["id"]) == [(GROUP, 1)]


# --- a card verb that is not a string ----------------------------------------------------------


@pytest.mark.parametrize("verb", [{"verb": "remind"}, ["remind"], 42, True])
async def test_a_verb_that_is_not_a_string_is_a_400_and_leaves_the_open_dialog(product, verb):
    client, channel, db = product
    [asked] = await _say(client, channel, "split 60/40")
    assert "amount" in (asked.get("text") or _card(asked)["fallbackText"]).lower()

    # the action's verb, the action's verb beside a good one in its data, the data's verb alone
    for action in ({"verb": verb, "data": {}}, {"verb": verb, "data": {"verb": "remind"}},
                   {"verb": None, "data": {"verb": verb}}):
        status, body, posted = await _click(client, channel, action)
        assert status == 400, (action, body)
        assert body["type"] == "application/vnd.microsoft.error" and "verb" in body["value"]["message"]
        assert posted == []  # no apology
    # an Action.Submit whose verb is not a string: a message like any other, no apology
    assert await _say(client, channel, None, value={"verb": verb}) == []

    # the split still waits for its amount
    [answer] = await _say(client, channel, "5000")
    said = answer.get("text") or _card(answer)["fallbackText"]
    assert "2,000" in said and "Sorry" not in said, said


def _any_json(rng, depth=0):
    """A random JSON value (seeded: the same values every run)."""
    kinds = ["str", "int", "float", "bool", "null"] + (["list", "dict"] if depth < 3 else [])
    kind = rng.choice(kinds)
    if kind == "str":
        return rng.choice(["", "yes", "remind", "en", "fr", "reminder", "card", "2025-03-01",
                           "2025-H1", "x" * 300, "\u00e9t\u00e9", "<at>x</at>"])
    if kind == "int":
        return rng.choice([0, -1, 1, 2**63, 1733000000])
    if kind == "float":
        return rng.choice([0.5, -1e300, 1e300])
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "null":
        return None
    if kind == "list":
        return [_any_json(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return {rng.choice(["verb", "card", "x", "items"]): _any_json(rng, depth + 1)
            for _ in range(rng.randint(0, 3))}


async def test_card_data_of_any_shape_never_gets_an_apology(product):
    import json
    import random

    client, channel, db = product
    rng = random.Random(18)
    keys = ["verb", "card", "issued", "lang", "scope", "answer", "text", "cycle", "as_of", "items",
            "requester"]
    verbs = ["remind", "unsubscribe", "calendar", "calendar_rotate", "confirm", "ask", "choose",
             "bogus", None]
    await _say(client, channel, "forget my data")  # with a question open, to begin with
    for _ in range(80):
        data = {k: _any_json(rng) for k in rng.sample(keys, rng.randint(1, len(keys)))}
        verb = rng.choice(verbs)
        status, body, posted = await _click(client, channel, {"verb": verb, "data": data})
        assert status in (200, 400), (verb, data, body)
        said = json.dumps(body) + json.dumps(posted)
        assert "Sorry, something went wrong" not in said, (verb, data, said[:300])
        posted = await _say(client, channel, None, value={**data, "verb": verb})
        assert "Sorry, something went wrong" not in json.dumps(posted), (verb, data)
