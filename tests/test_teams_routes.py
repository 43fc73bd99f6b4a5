"""Issue #19's Teams layer over the real HTTP endpoint (the product app on SQLite, the fake
channel on loopback): a verb added in a test is one handler and one button; help is a card
in both languages; suggested actions are few and fully visible; cards in a channel show each
member their own state; every answer carries Teams' feedback loop and a 👍/👎 is recorded
with what was read, and forgotten with the member's data."""
from __future__ import annotations

import copy
import json
import platform
from dataclasses import dataclass
from datetime import datetime

import pytest

import services
from bot.http import SERVICES
from bot.verbs import CardData, PayloadError, Remind, VerbResult, text_field
from storage import Database
from product_app import product_on_sqlite
from test_support_api import LOCAL, start_desk  # noqa: F401 (fixture)

# msrest's user agent asks the platform (``uname -p``, a process) once per process, on the first
# connector client: asked here, at collection, so it never happens inside a fast test when this
# file runs alone
platform.platform()

CARD = "application/vnd.microsoft.card.adaptive"
PERSONAL = "a:1Xyz-personal"
CHANNEL = "19:general@thread.tacv2"
ALICE = {"id": "29:alice", "name": "Alice"}
BOB = {"id": "29:bob", "name": "Bob"}


class FeedbackDouble:
    """``storage.feedback.FeedbackStore``'s interface, in memory (tests only)."""

    def __init__(self, database=None):
        self.rows: list[dict] = []
        self.purged: list[datetime] = []

    async def record(self, *, user_id, conversation_id, reaction, comment, question, answer, lang,
                     reading, at):
        assert isinstance(at, datetime) and isinstance(reading, dict)
        self.rows.append(dict(user_id=user_id, conversation_id=conversation_id, reaction=reaction,
                              comment=comment, question=question, answer=answer, lang=lang,
                              reading=reading, at=at))
        return len(self.rows)

    async def list(self, *, reaction="dislike", limit=100, before_id=None):
        return [r for r in self.rows if reaction is None or r["reaction"] == reaction][:limit]

    async def forget_user(self, user_id):
        before = len(self.rows)
        self.rows = [r for r in self.rows if r["user_id"] != user_id]
        return before - len(self.rows)

    async def purge_before(self, cutoff):
        self.purged.append(cutoff)
        return 0


@pytest.fixture
async def product(tmp_path, fake_channel, monkeypatch):
    feedback = FeedbackDouble()
    monkeypatch.setattr(services, "build_feedback_store", lambda db: feedback)
    async with product_on_sqlite(tmp_path) as (client, db):
        yield client, fake_channel, db, feedback


def _activity(channel, text=None, conversation=PERSONAL, kind="personal", member=None, **fields):
    activity = channel.activity(text, **fields)
    activity["conversation"] = {"id": conversation, "tenantId": "tenant-1", "conversationType": kind}
    activity["localTimestamp"] = "2026-12-07T10:00:00+01:00"
    activity["localTimezone"] = "Europe/Paris"
    if member is not None:
        activity["from"] = member
    return activity


async def _say(client, channel, text, **kw):
    before = len(channel.posted)
    response = await client.post("/api/messages", json=_activity(channel, text, **kw))
    assert response.status == 200
    return channel.posted[before:]


async def _invoke(client, channel, name, value, **kw):
    before = len(channel.posted)
    response = await client.post("/api/messages",
                                 json=_activity(channel, None, type="invoke", name=name, value=value, **kw))
    return response.status, await response.json(), channel.posted[before:]


async def _click(client, channel, action, trigger="manual", **kw):
    return await _invoke(client, channel, "adaptiveCard/action",
                         {"action": {"type": "Action.Execute", "verb": action["verb"],
                                     "data": copy.deepcopy(action["data"])}, "trigger": trigger}, **kw)


def _card(activity):
    [attachment] = activity["attachments"]
    assert attachment["contentType"] == CARD
    return attachment["content"]


def _button(card, title):
    found = [a for a in card.get("actions", []) if a["title"] == title]
    assert found, f"no {title!r} button; the card has {[a['title'] for a in card.get('actions', [])]}"
    return found[0]


def _status(card):
    return card["body"][-1]["text"]


def _texts(element):
    """Every TextBlock text in a card or element, in order."""
    out = []
    if isinstance(element, dict):
        if element.get("type") == "TextBlock":
            out.append(element["text"])
        for value in element.values():
            out.extend(_texts(value))
    elif isinstance(element, list):
        for value in element:
            out.extend(_texts(value))
    return out


# --- a new verb is one handler and one button --------------------------------------------------


@dataclass(frozen=True)
class Pin(CardData):
    note: str = ""

    @classmethod
    def parse(cls, data):
        note = text_field(data, "note")
        if not note:
            raise PayloadError("'note' must say what to pin")
        return cls(**cls.stamp(data), note=note)


async def test_a_verb_registered_in_a_test_is_one_handler_and_one_button(product):
    client, channel, db, _ = product
    bot = client.app[SERVICES].bot
    seen = []

    @bot.verbs.action_execute("pin", Pin)
    async def pin(turn, payload: Pin) -> VerbResult:
        seen.append((turn.info.user_id, payload.note, payload.card))
        return VerbResult(card={**turn.card_or(payload.note),
                                "body": [*turn.card_or(payload.note)["body"],
                                         {"type": "TextBlock", "text": f"Pinned: {payload.note}"}]})

    [answer] = await _say(client, channel, "When must I claim H1 funds?")
    card = _card(answer)
    remind = _button(card, "Remind me")
    # the one button: a card's Action.Execute with the new verb and the card's stamp
    button = {"verb": "pin", "data": {**{k: remind["data"][k] for k in ("card", "issued", "lang")},
                                      "verb": "pin", "note": "H1"}}
    status, body, posted = await _click(client, channel, button)
    assert status == 200 and posted == [], body
    assert body["type"] == CARD and _status(body["value"]) == "Pinned: H1"
    assert body["value"]["body"][:-1] == card["body"]  # the card it came from, refreshed
    assert seen == [("29:user-1", "H1", remind["data"]["card"])]

    # its payload model refuses bad data with a 400 naming the field; nothing runs
    status, body, posted = await _click(client, channel, {"verb": "pin", "data": {"note": 7}})
    assert status == 400 and posted == []
    assert body["type"] == "application/vnd.microsoft.error" and "'note'" in body["value"]["message"]
    assert len(seen) == 1

    # the same handler answers the Action.Submit fallback (a message-back) with a message
    [said] = await _say(client, channel, None, value={**button["data"], "note": "again"})
    assert "Pinned: again" in json.dumps(said)
    assert len(seen) == 2

    # the verb went into this bot's registry only, not the built-in one other bots copy
    from bot.verbs import BUILTIN

    assert "pin" not in BUILTIN and "pin" in bot.verbs


@pytest.mark.parametrize("data, field", [({"card": 5}, "'card'"), ({"issued": "x"}, "'issued'"),
                                         ({"cycle": ["2026-H1"]}, "'cycle'")])
def test_payload_models_name_the_bad_field(data, field):
    with pytest.raises(PayloadError, match=field):
        Remind.parse(data)
    assert Remind.parse({"card": "c1", "issued": 1, "cycle": "2026-H1", "lang": "xx"}) == Remind(
        card="c1", issued=1, lang=None, cycle="2026-H1")


# --- help as a card, suggested actions --------------------------------------------------------


@pytest.mark.parametrize("text, locale, words", [
    ("help", "en-US", ["What I can do", "Ask about a deadline", "Reminders", "Calendar",
                       "Plan your activities", "Forget my data"]),
    ("aide", "fr-FR", ["Ce que je sais faire", "Demander une échéance", "Rappels", "Calendrier",
                       "Planifier vos activités", "Oublier mes données"]),
])
async def test_help_is_a_card_with_a_section_per_task(product, text, locale, words):
    client, channel, _, _ = product
    [reply] = await _say(client, channel, text, locale=locale)
    card = _card(reply)
    shown = _texts(card)
    for word in words:
        assert word in shown, (word, shown)
    sections = [e for e in card["body"] if e.get("type") == "Container"]
    assert [s["id"] for s in sections] == ["help-ask", "help-remind", "help-calendar", "help-planner",
                                           "help-forget"]
    for section in sections:  # each task has examples the member can send
        [action_set] = [i for i in section["items"] if i["type"] == "ActionSet"]
        assert action_set["actions"] and all(a["data"]["verb"] == "ask" for a in action_set["actions"])
    assert card["fallbackText"].count("\n") >= 4  # a line per section, not one paragraph
    suggested = reply["suggestedActions"]["actions"]
    assert 1 <= len(suggested) <= 3 and all(len(a["title"]) <= 20 for a in suggested)

    # an example button asks its question: the answer comes as a message
    example = sections[0]["items"][-1]["actions"][0]
    [answer] = await _say(client, channel, None, value=example["data"], locale=locale)
    assert "15" in json.dumps(answer)  # a claim deadline (the 15th of a month)


@pytest.mark.parametrize("text", ["When must I claim H1 funds?", "What is FY26 H2?", "hello",
                                  "split 60/40", "Quand dois-je demander les fonds H1 ?",
                                  "how long do I keep PoE?", "H2 2021", "help", "remind me"])
async def test_at_most_three_suggested_actions_each_fully_visible(product, text):
    client, channel, _, _ = product
    for reply in await _say(client, channel, text):
        actions = (reply.get("suggestedActions") or {}).get("actions") or []
        assert len(actions) <= 3, actions
        assert all(len(a["title"]) <= 20 for a in actions), [a["title"] for a in actions]
        assert all(a["value"] for a in actions)


async def test_install_is_one_short_line_and_nothing_else(product):
    client, channel, _, _ = product
    added = _activity(channel, None, type="conversationUpdate", channelData={"tenant": {"id": "tenant-1"}},
                      membersAdded=[{"id": "28:bot-1"}, {"id": "29:user-1"}])
    before = len(channel.posted)
    assert (await client.post("/api/messages", json=added)).status == 200
    [hello] = channel.posted[before:]
    assert not hello.get("attachments") and not hello.get("suggestedActions")
    assert "help" in hello["text"] and "\n" not in hello["text"] and len(hello["text"]) <= 120


# --- per-member views in a channel -------------------------------------------------------------


def _in_channel(member):
    return {"conversation": CHANNEL, "kind": "channel", "member": member}


async def test_two_members_in_a_channel_see_their_own_reminder_state(product):
    client, channel, db, _ = product
    mention = {"type": "mention", "text": "<at>Co-op Assistant</at>",
               "mentioned": {"id": "28:bot-1", "name": "Co-op Assistant"}}
    [answer] = await _say(client, channel, "<at>Co-op Assistant</at> When must I claim H1 funds?",
                          entities=[mention], **_in_channel(ALICE))
    card = _card(answer)
    assert card["refresh"]["userIds"] == [ALICE["id"]]  # the member who asked
    assert card["refresh"]["action"]["verb"] == "refresh"
    remind = _button(card, "Remind me")

    # Alice clicks: her card says reminders are on, and lists her for refresh
    status, body, posted = await _click(client, channel, remind, **_in_channel(ALICE))
    assert status == 200 and posted == []
    alices = body["value"]
    assert _status(alices).startswith("✓ Reminders on")
    assert alices["refresh"]["userIds"] == [ALICE["id"]]

    # Bob's view (Teams refreshes the card for him only if listed; asked anyway): not Alice's
    refresh = card["refresh"]["action"]
    status, body, _ = await _click(client, channel, refresh, trigger="automatic", **_in_channel(BOB))
    assert status == 200 and "✓ Reminders on" not in json.dumps(body["value"])
    assert _button(body["value"], "Remind me")
    # Alice's own refresh: hers
    status, body, _ = await _click(client, channel, refresh, trigger="automatic", **_in_channel(ALICE))
    assert _status(body["value"]).startswith("✓ Reminders on")

    # Bob opts in on the card as sent: both listed, each sees their own; Bob stops again:
    # his card says off, Alice's stays on
    status, body, _ = await _click(client, channel, remind, **_in_channel(BOB))
    bobs = body["value"]
    assert _status(bobs).startswith("✓ Reminders on")
    assert bobs["refresh"]["userIds"] == [ALICE["id"], BOB["id"]]
    status, body, _ = await _click(client, channel, _button(bobs, "Stop reminders"), **_in_channel(BOB))
    assert _status(body["value"]) == "Reminders off"
    status, body, _ = await _click(client, channel, refresh, trigger="automatic", **_in_channel(ALICE))
    assert _status(body["value"]).startswith("✓ Reminders on")
    status, body, _ = await _click(client, channel, refresh, trigger="automatic", **_in_channel(BOB))
    assert _status(body["value"]) == "Reminders off"
    rows = await db.fetch("SELECT user_id, active FROM reminder_subscriptions ORDER BY user_id")
    assert [(r["user_id"], r["active"]) for r in rows] == [(ALICE["id"], 1), (BOB["id"], 0)]


async def test_personal_chat_cards_carry_no_refresh(product):
    client, channel, _, _ = product
    [answer] = await _say(client, channel, "When must I claim H1 funds?")
    assert "refresh" not in _card(answer)


# --- feedback ----------------------------------------------------------------------------------


def _sent_id(channel, activity):
    """The id the fake channel answered the POST of ``activity`` with."""
    [n] = [n for n, r in enumerate(channel.requests, start=1) if r["json"] is activity]
    return f"sent-{n}"


def _feedback(reaction, text=None):
    action = {"reaction": reaction}
    if text is not None:
        action["feedback"] = json.dumps({"feedbackText": text})
    return {"actionName": "feedback", "actionValue": action}


async def test_every_answer_carries_the_feedback_loop_and_a_dislike_is_recorded(product):
    client, channel, _, feedback = product
    question = "we ran a webinar on 12 March 2026, when must we claim it?"
    [answer] = await _say(client, channel, question)
    assert answer["channelData"]["feedbackLoopEnabled"] is True
    [text_answer] = await _say(client, channel, "hello")
    assert text_answer["channelData"]["feedbackLoopEnabled"] is True
    answer_id = _sent_id(channel, answer)

    status, body, posted = await _invoke(client, channel, "message/submitAction",
                                         _feedback("dislike", "the date is wrong"), replyToId=answer_id)
    assert status == 200 and posted == [], body
    assert body["value"] == "Thanks for your feedback."
    [row] = feedback.rows
    assert row["reaction"] == "dislike" and row["comment"] == "the date is wrong"
    assert row["question"] == question and row["lang"] == "en"
    assert "August 15, 2026" in row["answer"]
    assert row["reading"]["intent"] == "claim_deadline"
    assert row["reading"]["context"]["period_role"] == "activity"
    assert row["user_id"] == "29:user-1" and row["conversation_id"] == PERSONAL

    # a like without a comment
    status, _, _ = await _invoke(client, channel, "message/submitAction", _feedback("like"),
                                 replyToId=answer_id)
    assert status == 200 and feedback.rows[-1]["reaction"] == "like" and feedback.rows[-1]["comment"] == ""


@pytest.mark.parametrize("value", [
    None, "dislike", {"actionName": "other", "actionValue": {"reaction": "like"}},
    {"actionName": "feedback"}, {"actionName": "feedback", "actionValue": {"reaction": "meh"}},
    {"actionName": "feedback", "actionValue": {"reaction": "like", "feedback": 3}},
    {"actionName": "feedback", "actionValue": {"reaction": "like", "feedback": ["text"]}},
    {"actionName": "feedback", "actionValue": {"reaction": "like",
                                               "feedback": json.dumps({"feedbackText": 3})}},
])
async def test_a_bad_feedback_payload_is_a_clear_400(product, value):
    client, channel, _, feedback = product
    status, body, posted = await _invoke(client, channel, "message/submitAction", value,
                                         replyToId="sent-1")
    assert status == 400 and posted == [], body
    assert body["type"] == "application/vnd.microsoft.error" and body["value"]["message"]
    assert feedback.rows == []


async def test_a_comment_sent_as_plain_text_is_kept(product):
    """The Agents Playground (0.2.28) sends the comment as typed, not Teams' JSON object, and
    no replyToId: the reaction and its comment are kept, without a question to pair them with."""
    client, channel, _, feedback = product
    await _say(client, channel, "When must I claim H1 funds?")
    for text in ("wrong year, we earned it in 2021", "[1]", "[" * 5000):
        status, body, posted = await _invoke(
            client, channel, "message/submitAction",
            {"actionName": "feedback", "actionValue": {"reaction": "dislike", "feedback": text}})
        assert status == 200 and posted == [], body
        row = feedback.rows[-1]
        assert (row["reaction"], row["comment"], row["question"]) == ("dislike", text[:2000], "")


async def test_forget_my_data_forgets_the_members_feedback(product):
    client, channel, _, feedback = product
    [answer] = await _say(client, channel, "When must I claim H1 funds?")
    answer_id = _sent_id(channel, answer)
    await _invoke(client, channel, "message/submitAction", _feedback("dislike", "no"),
                  replyToId=answer_id)
    await _invoke(client, channel, "message/submitAction", _feedback("dislike", "theirs"),
                  replyToId=answer_id, member={"id": "29:other", "name": "Other"})
    assert len(feedback.rows) == 2
    await _say(client, channel, "forget my data")
    [done] = await _say(client, channel, "yes")
    assert "deleted" in json.dumps(done).lower()
    assert [r["user_id"] for r in feedback.rows] == ["29:other"]
    # and the answers kept for feedback went with the conversation's state
    status, _, _ = await _invoke(client, channel, "message/submitAction", _feedback("dislike"),
                                 replyToId=answer_id)
    assert status == 200 and feedback.rows[-1]["question"] == ""


async def test_the_state_retention_applies_to_feedback(product):
    import asyncio
    from datetime import timedelta, timezone

    client, _, _, feedback = product
    for _ in range(100):  # the retention job runs once at start-up
        if feedback.purged:
            break
        await asyncio.sleep(0.02)
    days = client.app[SERVICES].settings.state_retention_days
    [cutoff] = feedback.purged
    assert abs(datetime.now(timezone.utc) - timedelta(days=days) - cutoff) < timedelta(minutes=1)


async def _desk_json(desk, path):
    response = await desk.http.get(desk.base + path, headers=desk.headers(csrf=False))
    return response.status, await response.json()


async def test_a_dislike_in_teams_shows_on_the_desk_and_goes_with_forget_my_data(start_desk, tmp_path,
                                                                                 fake_channel):
    """Issue #19 end to end, over the bot's own endpoint: an answer carries Teams' feedback
    loop, the member's 👎 (the message/submitAction invoke) is in /support/api/feedback with
    the question, the answer and the reading, and "forget my data" takes it away."""
    from app import create_app
    from storage import Database

    from bot.http import SERVICES

    db = await Database.connect(f"sqlite:///{tmp_path / 'product.sqlite3'}")
    await services.migrate_database(db)
    made = {}

    def product(settings, database):
        made["app"] = create_app(settings, storage=database)
        return made["app"]

    desk = await start_desk(LOCAL, db=db, app=product)
    await desk.open_page()

    async def post(activity):
        response = await desk.http.post(desk.base + "/api/messages", json=activity)
        return response.status, (await response.json() if response.content_length else None)

    def activity(text=None, **fields):
        made = fake_channel.activity(text, **fields)
        made["from"] = ALICE
        made["conversation"] = {"id": "a:desk-conv", "conversationType": "personal"}
        return made

    try:
        question = "we ran a webinar on 12 March 2026, when must we claim it?"
        before = len(fake_channel.requests)
        assert (await post(activity(question)))[0] == 200
        [answered] = [(n, r["json"]) for n, r in enumerate(fake_channel.requests, start=1)
                      if n > before and r["method"] == "POST"]
        n, answer = answered
        assert answer["channelData"]["feedbackLoopEnabled"] is True
        status, body = await post(activity(None, type="invoke", name="message/submitAction", replyToId=f"sent-{n}",
                                           value={"actionName": "feedback", "actionValue": {
                                               "reaction": "dislike",
                                               "feedback": json.dumps({"feedbackText": "wrong half"})}}))
        assert status == 200, body
        status, body = await _desk_json(desk, "/support/api/feedback")
        assert status == 200
        [shown] = body["feedback"]
        assert shown["question"] == question and shown["lang"] == "en"
        assert "August 15, 2026" in json.dumps(shown)  # the answer it disliked
        assert "wrong half" in json.dumps(shown)

        assert (await post(activity("forget my data")))[0] == 200
        assert (await post(activity("yes")))[0] == 200
        status, body = await _desk_json(desk, "/support/api/feedback")
        assert body == {"feedback": [], "next_before_id": None}
    finally:
        await made["app"][SERVICES].bot.close()  # what it holds for the database, before it closes
        await db.close()
