"""Reliability (issue #11, finding 7): every activity field is bounded and validated at the
edge; nothing a client sends makes the turn itself fail. Real app, real HTTP on loopback,
real SQLite and PostgreSQL."""
from __future__ import annotations

import json

import pytest
from aiohttp.test_utils import TestClient, TestServer

from app import create_app
from config import Settings
from test_bot_support import said_json

APOLOGY = "Sorry, something went wrong"


@pytest.fixture
async def product(scratch):
    """The product app (bot, reminders) on a scratch database, both SQLite and PostgreSQL."""
    db = await scratch.connect()
    import services

    await services.migrate_database(db)  # as `python app.py migrate` would
    client = TestClient(TestServer(create_app(Settings(reminder_sweep_enabled=False), storage=db),
                                   host="127.0.0.1"))
    await client.start_server()
    yield client, db
    await client.close()


def activity(text="When must I claim H1 funds?", conversation="a:edge-1", user="29:edge", **fields):
    body = {"type": "message", "id": "m-1", "channelId": "msteams", "locale": "en-US",
            "deliveryMode": "expectReplies", "text": text, "from": {"id": user, "name": "Ed"},
            "recipient": {"id": "28:bot"}, "conversation": {"id": conversation, "tenantId": "t-1"}}
    body.update(fields)
    return body


async def post(client, body) -> tuple[int, list[str]]:
    response = await client.post("/api/messages", data=json.dumps(body),
                                 headers={"Content-Type": "application/json"})
    if response.status != 200:
        return response.status, [(await response.json())["error"]["message"]]
    if not await response.read():  # the connector path: replies were POSTed to serviceUrl
        return 200, []
    return 200, [said_json(a) for a in (await response.json())["activities"]]


async def test_an_over_long_or_odd_time_zone_is_ignored_not_a_failure(product):
    client, _ = product
    for zone in ("Europe/" + "x" * 300, "../../etc/passwd", "Europe/Paris\u0000", "\ud800", 42,
                 "America/Nowhere"):
        status, texts = await post(client, activity(localTimezone=zone))
        assert status == 200 and texts and APOLOGY not in texts[0], (zone, texts)
        assert "claim" in texts[0]


async def test_over_long_conversation_and_user_ids_work_as_keys(product, fake_channel):
    client, db = product
    conversation, user = "a:" + "c" * 5000, "29:" + "u" * 4000
    status, texts = await post(client, activity("split 60/40", conversation, user))
    assert status == 200 and texts[0].startswith("Which amount"), texts
    status, texts = await post(client, activity("5000", conversation, user))
    assert status == 200 and "2,000" in texts[0], texts  # the state was stored and read back
    # "remind me" in that conversation stores a subscription too (connector path)
    remind = activity("remind me", conversation, user, serviceUrl=fake_channel.service_url)
    del remind["deliveryMode"]
    status, _ = await post(client, remind)
    assert status == 200
    [reply] = fake_channel.posted
    assert APOLOGY not in said_json(reply) and "remind" in said_json(reply).lower(), said_json(reply)
    keys = [r["storage_key"] for r in await db.fetch("SELECT storage_key FROM bot_state")]
    assert keys and max(len(k) for k in keys) <= 512


async def test_remind_me_over_expect_replies_without_a_service_url_is_answered(product):
    client, _ = product
    status, texts = await post(client, activity("remind me"))
    assert status == 200 and texts and APOLOGY not in texts[0], texts


@pytest.mark.parametrize("bad", ["a:nul\u0000id", "a:lone\ud800surrogate", "a:line\nbreak"])
async def test_an_id_with_nul_a_lone_surrogate_or_a_control_character_is_a_clear_400(product, bad):
    client, _ = product
    status, message = await post(client, activity(conversation=bad))
    assert status == 400 and "conversation.id" in message[0], message
    status, message = await post(client, activity(user=bad))
    assert status == 400 and "from.id" in message[0], message


async def test_nul_and_lone_surrogates_in_text_and_values_are_answered(product):
    client, _ = product
    for text in ("When must I claim H1 funds?\u0000", "When must I claim H1 funds? \ud83d",
                 "\udc00 split 60/40"):
        status, texts = await post(client, activity(text, conversation="a:text-" + str(len(text)),
                                                    value={"note": "x\u0000\udfff"}))
        assert status == 200 and texts and APOLOGY not in texts[0], (text, texts)


def nested(depth: int, leaf=None, kind=dict):
    """A JSON value ``depth`` levels deep (objects or arrays)."""
    value = leaf
    for _ in range(depth):
        value = {"x": value} if kind is dict else [value]
    return value


@pytest.mark.parametrize("field, kind", [("channelData", dict), ("value", dict), ("entities", list)])
async def test_json_nested_hundreds_of_levels_deep_is_a_400_not_a_500(product, field, kind):
    client, _ = product
    for depth in (500, 900):
        status, texts = await post(client, activity(**{field: nested(depth, kind=kind)}))
        assert status == 400, (depth, texts)
        assert "nested" in texts[0], texts
    # nested as deep as allowed (far deeper than any client): answered as usual
    deep = [{"type": "clientInfo", "x": nested(58)}] if kind is list else nested(60)
    status, texts = await post(client, activity(**{field: deep}))
    assert status == 200 and texts and APOLOGY not in texts[0], texts
