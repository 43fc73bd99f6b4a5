"""Reliability (issue #11, finding 3): a live sweeper renews its lease (heartbeat), a dead one
loses it within a minute, ``notify`` waits for rows another sweeper holds, reports what it
could not deliver and exits non-zero then, and the server's sweeper retries unfinished rows
soon instead of the next day."""
from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from config import Settings
from fake_connector import FakeConnector, reference
from reminders import store
from reminders.sender import Sender
from reminders.sweeper import run_sweep
from bot.proactive import production_transport
from storage.db import Database
from storage.testing import POSTGRES_TEST_URL, scratch_database

REPO = Path(__file__).resolve().parent.parent
AS_OF = date(2022, 8, 8)


async def subscribe_many(db, connector, n):
    await store.migrate(db)
    for i in range(n):
        await store.subscribe(db, user_id=f"29:u{i}", today=date(2022, 8, 1),
                              reference=reference(connector.service_url, f"c{i}"))


async def notify(url: str, **env) -> asyncio.subprocess.Process:
    environ = {**os.environ, "DATABASE_URL": url, "TENANT_RATE_PER_SEC": "40", **env}
    environ.pop("MicrosoftAppId", None)
    return await asyncio.create_subprocess_exec(
        sys.executable, "app.py", "notify", "--as-of", AS_OF.isoformat(), "--json", cwd=REPO,
        env=environ, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)


@pytest.mark.process
@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def test_notify_killed_half_way_then_an_immediate_rerun_delivers_all_and_tells_the_truth(
        tmp_path, backend):
    n = 60
    lease = {"REMINDER_LEASE_SECONDS": "8", "REMINDER_HEARTBEAT_SECONDS": "2"}
    async with FakeConnector(latency=0.05) as connector, scratch_database(
            f"sqlite:///{tmp_path / 'coop.sqlite3'}" if backend == "sqlite" else POSTGRES_TEST_URL) as scratch:
        url = scratch.url if scratch.schema is None else f"{scratch.url}?search_path={scratch.schema}"
        db = await scratch.connect()
        await subscribe_many(db, connector, n)
        proc = await notify(url, **lease)
        for _ in range(1500):
            if len(connector.delivered) >= n // 3:
                break
            await asyncio.sleep(0.02)
        else:
            pytest.fail("the sweep did not start sending: " + (await proc.stderr.read()).decode()[-2000:])
        os.kill(proc.pid, signal.SIGKILL)
        await proc.wait()
        await asyncio.sleep(0.2)  # requests already on the wire land
        delivered_at_kill = set(connector.counts())
        counts = await store.ledger_counts(db)
        held = counts.get("in_flight", 0)
        assert 0 < len(delivered_at_kill) < n and held > 0, counts

        # the rerun starts at once; the dead sweeper's leases are no longer renewed
        started = time.monotonic()
        rerun = await notify(url, **lease)
        out, err = await asyncio.wait_for(rerun.communicate(), 90)
        took = time.monotonic() - started
        summary = json.loads(out.decode().strip().splitlines()[-1])
        assert rerun.returncode == 0, (summary, err.decode()[-2000:])
        assert took < 60, took  # every due reminder within a minute of the crash
        assert await store.ledger_counts(db) == {"sent": n}
        by_conversation = connector.counts()
        assert set(by_conversation) == {f"c{i}" for i in range(n)}  # nothing lost
        twice = {c for c, k in by_conversation.items() if k > 1}
        # at-least-once: only a message on the wire at the kill (delivered, not yet marked) can
        # repeat; none of the others does
        assert twice <= delivered_at_kill and len(twice) <= held, twice
        assert summary["sent"] == n - len(delivered_at_kill) + len(twice)
        assert summary["in_flight_elsewhere"] == 0 and summary["failed"] == 0
        print(f"\n{backend}: killed after {len(delivered_at_kill)}/{n}, {held} rows held; rerun "
              f"delivered {summary['sent']} in {took:.1f} s, {len(twice)} twice")


@pytest.mark.slow  # waits on the clock by design (fast tier: no)
async def test_a_live_sweeper_keeps_its_lease_and_a_second_one_waits_then_reports_it():
    async with FakeConnector() as connector, scratch_database(POSTGRES_TEST_URL) as scratch:
        db, other_db = await scratch.connect(), await scratch.connect()
        await subscribe_many(db, connector, 3)
        connector.delay("c0", 3.0, times=1)  # one slow send: three leases long
        transport, other_transport = (production_transport(Settings(), timeout=10) for _ in range(2))
        try:
            first = asyncio.create_task(run_sweep(db, transport, AS_OF, lease_seconds=1.0,
                                                  heartbeat_seconds=0.25))
            await asyncio.sleep(1.8)  # the first lease would have run out by now
            impatient = await run_sweep(other_db, other_transport, AS_OF, lease_seconds=1.0,
                                        heartbeat_seconds=0.25, wait_for_others=0)
            assert impatient.sent == 0 and impatient.in_flight_elsewhere == 1, impatient
            assert not impatient.complete
            patient = await run_sweep(other_db, other_transport, AS_OF, lease_seconds=1.0,
                                      heartbeat_seconds=0.25, wait_for_others=10)
            summary = await first
            assert summary.sent == 3 and summary.complete
            assert patient.sent == 0 and patient.in_flight_elsewhere == 0 and patient.complete
            assert sorted(connector.counts().values()) == [1, 1, 1]  # c0 once, not twice
        finally:
            await transport.close()
            await other_transport.close()


@pytest.mark.slow  # waits on the clock by design (fast tier: no)
async def test_the_servers_sweeper_retries_unfinished_rows_soon(tmp_path):
    from aiohttp import web

    from reminders.http import REMINDER_SERVICES, start_daily_sweeper

    async with FakeConnector() as connector:
        db = await Database.connect(f"sqlite:///{tmp_path / 'coop.sqlite3'}")
        await subscribe_many(db, connector, 4)
        connector.fail("c1", 503, times=1)  # the first sweep cannot deliver c1
        adapter_transport = production_transport(Settings(), timeout=5)
        sender = Sender(adapter_transport, tenant_rate=50, max_attempts=1)
        settings = Settings(reminder_sweep_hour=0, reminder_retry_seconds=0.5)
        app = web.Application()
        clock = lambda: datetime(2022, 8, 8, 12, 0, tzinfo=timezone.utc)  # noqa: E731
        start_daily_sweeper(app, settings, db=db, transport=sender, clock=clock)
        runner = web.AppRunner(app)
        await runner.setup()  # starts the daily task
        try:
            for _ in range(300):
                if connector.delivered_count("c1"):
                    break
                await asyncio.sleep(0.05)
            assert connector.delivered_count("c1") == 1, "c1 was not retried soon"
            assert sorted(connector.counts().values()) == [1, 1, 1, 1]
            assert await store.ledger_counts(db) == {"sent": 4}
        finally:
            await runner.cleanup()
            await adapter_transport.close()
            await db.close()
