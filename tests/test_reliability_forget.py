"""Reliability (issue #11, finding 9): "forget my data" leaves nothing about the user behind
(conversation state included; on SQLite not even in the write-ahead log or in freed pages;
the calendar link stops working), and state rows expire after the retention period by a
periodic job."""
from __future__ import annotations

import asyncio
import json
import re
from datetime import datetime, timedelta, timezone

import pytest
from aiohttp.test_utils import TestClient, TestServer

from app import create_app
from config import Settings
from reminders import store
from storage import Database, SqlStorage

USER, NAME, CONVERSATION = "29:forget-me-4711", "Forgettable Person", "a:forget-conversation-0815"


async def say(client, channel, text=None, value=None):
    activity = channel.activity(text, conversation={"id": CONVERSATION, "tenantId": "t-1",
                                                    "conversationType": "personal"},
                                **{"from": {"id": USER, "name": NAME}})
    if value is not None:
        activity["value"] = value
    before = len(channel.posted)
    response = await client.post("/api/messages", json=activity)
    assert response.status == 200
    # what each reply says: its text, or its card (whose buttons carry the links)
    return [p.get("text") or json.dumps(p.get("attachments") or []) for p in channel.posted[before:]]


async def start(db, **settings):
    import services

    await services.migrate_database(db)  # as `python app.py migrate` would
    app = create_app(Settings(reminder_sweep_enabled=False, **settings), storage=db)
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    return client


async def test_forget_my_data_leaves_no_trace_in_rows_or_in_the_sqlite_files(tmp_path, fake_channel):
    path = tmp_path / "coop.sqlite3"
    db = await Database.connect(f"sqlite:///{path}")
    client = await start(db)
    try:
        await say(client, fake_channel, "remind me")
        [calendar] = await say(client, fake_channel, "add to calendar")
        [token] = set(re.findall(r"/calendar/([A-Za-z0-9_-]{20,})\.ics", calendar))  # the user's feed
        assert (await client.get(f"/calendar/{token}.ics")).status == 200
        await say(client, fake_channel, "split 60/40")
        await say(client, fake_channel, "When must I claim H1 funds?")
        [question] = await say(client, fake_channel, "forget my data")
        [done] = await say(client, fake_channel, "yes")
        assert done.startswith("Done")
        assert (await client.get(f"/calendar/{token}.ics")).status == 404  # link revoked
        rows = await db.fetch("SELECT storage_key FROM bot_state")
        assert rows == [], rows  # user state AND conversation state
        assert await db.fetch("SELECT id FROM reminder_subscriptions") == []
        raw = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("coop.sqlite3"))
        for secret in (USER, NAME, CONVERSATION, token):
            assert secret.encode() not in raw, secret
    finally:
        await client.close()
        await db.close()


@pytest.mark.postgres
async def test_forget_my_data_removes_every_row_on_postgres(fake_channel):
    from storage.testing import POSTGRES_TEST_URL, scratch_database

    async with scratch_database(POSTGRES_TEST_URL) as scratch:
        db = await scratch.connect()
        client = await start(db)
        try:
            await say(client, fake_channel, "remind me")
            await say(client, fake_channel, "add to calendar")
            await say(client, fake_channel, "forget my data")
            await say(client, fake_channel, "yes")
            for table in ("bot_state", "reminder_subscriptions", "reminder_ledger",
                          "reminder_calendar_tokens"):
                dump = json.dumps(await db.fetch(f"SELECT * FROM {table}"), default=str)
                assert USER not in dump and CONVERSATION not in dump and NAME not in dump, table
        finally:
            await client.close()


def days_ago(days: float) -> str:
    return (datetime.now(timezone.utc) - timedelta(days=days)).isoformat(timespec="milliseconds")


async def test_state_not_touched_for_the_retention_period_expires_and_a_turn_keeps_it(tmp_path):
    db = await Database.connect(f"sqlite:///{tmp_path / 'coop.sqlite3'}")
    try:
        storage = SqlStorage(db)
        await storage.write({"msteams/conversations/old": {"n": 1}, "msteams/conversations/seen": {"n": 2},
                             "msteams/conversations/new": {"n": 3}})
        await db.execute("UPDATE bot_state SET updated_at = $1 WHERE storage_key <> $2",
                         days_ago(100), "msteams/conversations/new")
        assert await storage.read(["msteams/conversations/seen"])  # a turn reads it: kept alive
        assert await storage.expire(timedelta(days=90)) == 1
        assert await storage.keys() == ["msteams/conversations/new", "msteams/conversations/seen"]
    finally:
        await db.close()


async def test_the_server_runs_the_retention_job_by_itself(tmp_path):
    db = await Database.connect(f"sqlite:///{tmp_path / 'coop.sqlite3'}")
    storage = SqlStorage(db)
    await storage.write({"msteams/conversations/ancient": {"n": 1}, "msteams/conversations/fresh": {"n": 2}})
    await db.execute("UPDATE bot_state SET updated_at = $1 WHERE storage_key = $2", days_ago(40),
                     "msteams/conversations/ancient")
    client = await start(db, state_retention_days=30)
    try:
        for _ in range(100):
            if await storage.keys() == ["msteams/conversations/fresh"]:
                break
            await asyncio.sleep(0.05)
        assert await storage.keys() == ["msteams/conversations/fresh"]
    finally:
        await client.close()
        await db.close()
