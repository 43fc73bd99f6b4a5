"""Reliability (issue #11, finding 2): database calls have timeouts, ``/readyz`` reports the
database, ``/healthz`` stays a liveness check, and start-up waits for a database that is not
up yet. Faults are injected with a loopback TCP proxy (``tcp_proxy.py``) in front of the real
PostgreSQL server."""
from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from app import create_app
from config import Settings
from storage import Database, StorageError
from storage.testing import POSTGRES_TEST_URL, scratch_database
from tcp_proxy import TcpProxy
from test_bot_support import said_json

pytestmark = pytest.mark.postgres

REPO = Path(__file__).resolve().parent.parent
STATEMENT_TIMEOUT = 1.0
# What the issue asks: a turn answers "within the timeout" (one statement's timeout, plus the
# turn's own work, on a loaded 2-core machine): generous, but far below the 20-60 s hangs.
TURN_BOUND = 4 * STATEMENT_TIMEOUT + 4
APOLOGY = "Sorry, something went wrong"


def activity(conversation: str, text: str = "When must I claim H1 funds?") -> dict:
    return {"type": "message", "id": "m-1", "channelId": "msteams", "locale": "en-US",
            "deliveryMode": "expectReplies", "text": text, "from": {"id": "29:partner"},
            "recipient": {"id": "28:bot"}, "conversation": {"id": conversation}}


async def turn(client: TestClient, conversation: str) -> tuple[float, str]:
    started = time.monotonic()
    response = await asyncio.wait_for(client.post("/api/messages", json=activity(conversation)), 60)
    assert response.status == 200, await response.text()
    texts = [said_json(a) for a in (await response.json())["activities"]]
    return time.monotonic() - started, " ".join(texts)


async def ready(client: TestClient) -> int:
    return (await asyncio.wait_for(client.get("/readyz"), 30)).status


async def wait_ready(client: TestClient, limit: float = 30.0) -> float:
    started = time.monotonic()
    while time.monotonic() - started < limit:
        if await ready(client) == 200:
            return time.monotonic() - started
        await asyncio.sleep(0.2)
    pytest.fail(f"/readyz still not 200 after {limit} s")


async def test_stall_and_cut_of_postgres_apologise_fast_readyz_follows_and_the_bot_recovers():
    async with TcpProxy("127.0.0.1", 5432) as proxy, scratch_database(POSTGRES_TEST_URL) as scratch:
        url = f"postgresql://postgres@127.0.0.1:{proxy.port}/test"
        db = await Database.connect(url, schema=scratch.schema, max_size=4,
                                    statement_timeout=STATEMENT_TIMEOUT, connect_timeout=STATEMENT_TIMEOUT)
        import services

        await services.migrate_database(db)  # as `python app.py migrate` would
        settings = Settings(reminder_sweep_enabled=False)
        client = TestClient(TestServer(create_app(settings, storage=db), host="127.0.0.1"))
        await client.start_server()
        try:
            took, text = await turn(client, "a:before")
            assert "claim" in text and APOLOGY not in text
            assert await ready(client) == 200 and (await client.get("/healthz")).status == 200

            # 1. a network stall: every turn apologises within the bound, /readyz says 503
            proxy.stall()
            results = await asyncio.gather(*(turn(client, f"a:stall-{i}") for i in range(12)))
            slowest = max(took for took, _ in results)
            assert all(APOLOGY in text for _, text in results), results
            assert slowest < TURN_BOUND, results
            assert await ready(client) == 503
            assert (await client.get("/healthz")).status == 200  # alive, just not ready
            proxy.resume()
            back_after_stall = await wait_ready(client)
            took, text = await turn(client, "a:after-stall")
            assert "claim" in text and APOLOGY not in text

            # 2. every connection cut, and new ones refused for a while
            proxy.refuse = True
            proxy.cut()
            results = await asyncio.gather(*(turn(client, f"a:cut-{i}") for i in range(6)))
            assert all(APOLOGY in text for _, text in results), results
            assert max(took for took, _ in results) < TURN_BOUND, results
            assert await ready(client) == 503
            proxy.refuse = False
            back_after_cut = await wait_ready(client)
            took, text = await turn(client, "a:after-cut")
            assert "claim" in text and APOLOGY not in text
            print(f"\nstall: 12 turns, slowest {slowest:.2f} s (timeout {STATEMENT_TIMEOUT} s); "
                  f"ready again {back_after_stall:.2f} s after the stall, "
                  f"{back_after_cut:.2f} s after the cut")
        finally:
            await client.close()
            proxy.resume()
            await db.close()


async def test_a_statement_that_outlives_the_timeout_is_a_storage_error_not_a_hang():
    async with scratch_database(POSTGRES_TEST_URL) as scratch:
        db = await scratch.connect(statement_timeout=0.5)
        started = time.monotonic()
        with pytest.raises(StorageError):
            await db.fetchval("SELECT pg_sleep(5)")
        assert time.monotonic() - started < 4
        assert await db.fetchval("SELECT 1") == 1  # and the pool is still usable
        await db.ping()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def start_server(db_url: str, **env) -> tuple[asyncio.subprocess.Process, int]:
    port = free_port()
    environ = {**os.environ, "PORT": str(port), "HOST": "127.0.0.1", "DATABASE_URL": db_url,
               "REMINDER_SWEEP_ENABLED": "false", "DB_CONNECT_TIMEOUT_SECONDS": "1", **env}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "app.py", cwd=REPO, env=environ,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    return proc, port


@pytest.mark.process
async def test_start_up_waits_for_a_database_that_comes_up_later():
    async with scratch_database(POSTGRES_TEST_URL) as scratch:
        import services

        await services.migrate_database(await scratch.connect())  # `app.py migrate`
        proxy_port = free_port()  # nothing listens there yet: connection refused
        url = f"postgresql://postgres@127.0.0.1:{proxy_port}/test?search_path={scratch.schema}"
        proc, port = await start_server(url, DB_STARTUP_WAIT_SECONDS="60")
        proxy = None
        early = b""  # the log read before the database comes up
        try:
            # The database comes up only once start-up has been refused at least once (a fixed
            # pause was not enough on a busy machine, where importing alone can take longer).
            while b"not reachable yet" not in early:
                line = await asyncio.wait_for(proc.stderr.readline(), 60)
                assert line, "the server ended before trying the database: " + early.decode()[-3000:]
                early += line
            assert proc.returncode is None
            proxy = await TcpProxy("127.0.0.1", 5432, port=proxy_port).start()
            started = time.monotonic()
            async with aiohttp.ClientSession() as session:
                while True:
                    assert time.monotonic() - started < 60, "the server never became ready"
                    try:
                        async with session.get(f"http://127.0.0.1:{port}/readyz") as response:
                            if response.status == 200:
                                break
                    except aiohttp.ClientError:
                        pass
                    await asyncio.sleep(0.2)
        finally:
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
            _, err = await asyncio.wait_for(proc.communicate(), 30)
            if proxy is not None:
                await proxy.stop()
        log = (early + err).decode()
        assert "not reachable yet" in log and "Traceback" not in log, log[-3000:]


@pytest.mark.process
async def test_start_up_gives_up_with_one_clear_line_when_the_database_never_comes():
    url = f"postgresql://postgres@127.0.0.1:{free_port()}/test"
    proc, _ = await start_server(url, DB_STARTUP_WAIT_SECONDS="2")
    _, err = await asyncio.wait_for(proc.communicate(), 60)
    log = err.decode()
    assert proc.returncode == 2, log[-3000:]
    assert "Traceback" not in log, log[-3000:]
    assert "cannot start" in log and "database" in log, log[-3000:]
