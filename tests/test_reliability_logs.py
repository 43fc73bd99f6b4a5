"""Reliability (issue #11, finding 8): no secret and no user text in the log at INFO, read from
the stderr of a real ``app.py`` server: the access log redacts calendar tokens, logged values
are bounded, conversation and user ids are hashed."""
from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

import aiohttp
import pytest

from reminders import store
from storage import Database

REPO = Path(__file__).resolve().parent.parent
USER = "29:secret-user-4711"
CONVERSATION = "a:secret-conversation-0815"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.process
async def test_the_info_log_of_a_real_server_holds_no_token_no_id_and_no_huge_line(tmp_path, fake_channel):
    url = f"sqlite:///{tmp_path / 'coop.sqlite3'}"
    db = await Database.connect(url)
    import services

    await services.migrate_database(db)  # as `python app.py migrate` would
    token = await store.calendar_token(db, "29:someone-else")
    await db.close()
    port = free_port()
    env = {**os.environ, "PORT": str(port), "HOST": "127.0.0.1", "DATABASE_URL": url,
           "LOG_LEVEL": "INFO", "REMINDER_SWEEP_ENABLED": "false"}
    env.pop("MicrosoftAppId", None)
    proc = await asyncio.create_subprocess_exec(sys.executable, "app.py", cwd=REPO, env=env,
                                                stdout=asyncio.subprocess.PIPE,
                                                stderr=asyncio.subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    collected = bytearray()

    async def drain():  # read stderr as it comes, so a huge log line cannot block the server
        while chunk := await proc.stderr.read(65536):
            collected.extend(chunk)

    reader = asyncio.create_task(drain())
    try:
        async with aiohttp.ClientSession() as session:
            for _ in range(300):
                try:
                    async with session.get(f"{base}/readyz") as response:
                        if response.status == 200:
                            break
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.1)
            async with session.get(f"{base}/calendar/{token}.ics") as response:
                assert response.status == 200
            activity = fake_channel.activity(None, conversation={"id": CONVERSATION, "tenantId": "t"},
                                             **{"from": {"id": USER, "name": "Secret Name"}})
            for value in ({"verb": "v" * 250_000}, {"verb": "remind"}):
                async with session.post(f"{base}/api/messages", json={**activity, "value": value}) as response:
                    assert response.status == 200
            async with session.post(f"{base}/api/messages",
                                    json={**activity, "text": "my secret question about FY21"}) as response:
                assert response.status == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(proc.wait(), 30)
        await asyncio.wait_for(reader, 30)
    log = collected.decode()
    assert "subscribed" in log and "GET '/calendar/<redacted>.ics' 200" in log, log[-3000:]  # the lines exist...
    assert token not in log  # ...without the calendar token
    for secret in (USER, CONVERSATION, "Secret Name", "my secret question"):
        assert secret not in log, secret
    longest = max(len(line) for line in log.splitlines())
    assert longest < 1000, longest


async def test_replies_to_an_unreachable_service_url_are_one_short_log_line(tmp_path, caplog):
    """A POST without ``expectReplies`` whose ``serviceUrl`` nobody answers (a first try with
    curl, a channel that went away): one clear line saying so, not a traceback per reply."""
    import logging

    from aiohttp.test_utils import TestClient, TestServer

    from app import create_app
    from config import Settings

    port = free_port()  # nothing listens there
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'coop.sqlite3'}",
                        reminder_sweep_enabled=False)
    client = TestClient(TestServer(create_app(settings), host="127.0.0.1"))
    await client.start_server()
    activity = {"type": "message", "text": "When must I claim H1 funds?", "channelId": "msteams",
                "serviceUrl": f"http://127.0.0.1:{port}/", "from": {"id": "29:curl"},
                "recipient": {"id": "28:bot"}, "conversation": {"id": "a:curl-1"}}
    try:
        with caplog.at_level(logging.INFO):
            caplog.clear()  # what start-up said (the local-development warning) aside
            response = await client.post("/api/messages", json=activity)
        assert response.status == 200
    finally:
        await client.close()
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"
    problems = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(problems) == 1, [r.getMessage() for r in problems]
    line = problems[0].getMessage()
    assert f"127.0.0.1:{port}" in line and "expectReplies" in line and "\n" not in line, line
    assert len(line) < 300, line
