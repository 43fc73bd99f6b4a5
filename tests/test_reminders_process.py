"""Sweeps as separate processes (``python -m cli.sweep``) against the fake connector:
killed with SIGKILL half-way and rerun, and two at once on real PostgreSQL."""

import asyncio
import json
import os
import signal
import sys
from datetime import date
from pathlib import Path

import pytest

from fake_connector import FakeConnector, reference
from reminders import store
from storage.db import Database
from storage.testing import POSTGRES_TEST_URL, scratch_database

pytestmark = pytest.mark.process  # real servers and processes

REPO = Path(__file__).resolve().parent.parent
AS_OF = "2022-08-08"


async def start_sweep(url, *extra, schema=None):
    args = [sys.executable, "-m", "cli.sweep", "--database-url", url, "--as-of", AS_OF,
            "--timeout", "2", *extra]
    if schema:
        args += ["--schema", schema]
    return await asyncio.create_subprocess_exec(
        *args, cwd=REPO, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)


async def finish(proc, timeout=60):
    out, err = await asyncio.wait_for(proc.communicate(), timeout)
    assert proc.returncode == 0, err.decode()[-2000:]
    return json.loads(out.decode().strip().splitlines()[-1])


async def subscribe_many(db, connector, n, tenants=1):
    await store.migrate(db)
    for i in range(n):
        await store.subscribe(db, user_id=f"29:u{i}", today=date(2022, 8, 1),
                              reference=reference(connector.service_url, f"c{i}",
                                                  tenant_id=f"tenant-{i % tenants}"))


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def test_sigkill_half_way_then_rerun_loses_nothing(tmp_path, backend):
    n, lease = 80, 2.0
    url = f"sqlite:///{tmp_path / 'coop.sqlite3'}" if backend == "sqlite" else POSTGRES_TEST_URL
    async with FakeConnector(latency=0.05) as connector, scratch_database(url) as scratch:
        db = await scratch.connect()
        await subscribe_many(db, connector, n)
        proc = await start_sweep(url, "--rate", "40", "--concurrency", "8", "--lease", str(lease),
                                 schema=scratch.schema)
        for _ in range(600):  # wait until it is well under way
            if len(connector.delivered) >= n // 3:
                break
            await asyncio.sleep(0.02)
        else:
            pytest.fail("the sweep did not start sending: "
                        + (await proc.stderr.read()).decode()[-2000:])
        os.kill(proc.pid, signal.SIGKILL)
        await proc.wait()
        assert proc.returncode == -signal.SIGKILL
        await asyncio.sleep(0.2)  # requests already on the wire land
        delivered_at_kill = len(connector.delivered)
        counts = await store.ledger_counts(db)
        in_flight = counts.get("in_flight", 0)
        assert 0 < delivered_at_kill < n and counts.get("pending", 0) > 0

        # A rerun right away leaves the in-flight rows alone (their lease is live)...
        await asyncio.sleep(lease + 0.2)  # ...so wait for the leases to expire, then rerun
        summary = await finish(await start_sweep(url, "--rate", "40", "--lease", str(lease),
                                                 schema=scratch.schema))
        assert await store.ledger_counts(db) == {"sent": n}
        counts_by_conversation = connector.counts()
        assert set(counts_by_conversation) == {f"c{i}" for i in range(n)}  # nothing lost
        duplicates = sum(c - 1 for c in counts_by_conversation.values())
        print(f"\nkill: delivered {delivered_at_kill}/{n}, in flight {in_flight}, duplicates {duplicates}")
        assert duplicates <= in_flight  # at most what was in flight at the kill
        assert summary["sent"] == n - delivered_at_kill + duplicates


@pytest.mark.postgres
async def test_two_sweep_processes_on_postgres_deliver_exactly_once():
    n = 150
    async with FakeConnector() as connector, scratch_database(POSTGRES_TEST_URL) as scratch:
        db = await scratch.connect()
        await subscribe_many(db, connector, n, tenants=3)
        procs = [await start_sweep(POSTGRES_TEST_URL, "--rate", "100", schema=scratch.schema)
                 for _ in range(2)]
        summaries = [await finish(p) for p in procs]
        assert sum(s["sent"] for s in summaries) == n
        assert sorted(connector.counts().values()) == [1] * n
        assert await store.ledger_counts(db) == {"sent": n}
        # and the same sweep once more: nothing new
        again = await finish(await start_sweep(POSTGRES_TEST_URL, schema=scratch.schema))
        assert again["sent"] == 0 and len(connector.delivered) == n
