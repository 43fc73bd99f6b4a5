"""reminders.coordination on both databases: the tenant's rate shared by several instances
(separate Database objects = separate processes' connections), a pause for every instance, and
one sweep leader at a time, replaced when it dies."""

import asyncio
import time

import pytest

from reminders import coordination


async def _migrated(scratch, n=1):
    dbs = [await scratch.connect() for _ in range(n)]
    await dbs[0].migrate(coordination.MIGRATION_NAME, coordination.MIGRATIONS)
    return dbs


@pytest.mark.slow  # waits on the clock by design (fast tier: no)
async def test_three_instances_together_keep_the_tenant_rate(scratch):
    rate, per_instance = 20.0, 10
    dbs = await _migrated(scratch, 3)
    limits = [coordination.SharedRateLimits(db, tenant_rate=rate) for db in dbs]
    stamps: list[float] = []

    async def send(limit, i):
        await limit.acquire("tenant-a", f"conv-{i}")
        stamps.append(time.monotonic())

    started = time.monotonic()
    await asyncio.gather(*(send(limit, f"{k}-{i}") for k, limit in enumerate(limits)
                           for i in range(per_instance)))
    elapsed = time.monotonic() - started
    n = 3 * per_instance
    # n sends at 20/s with a burst of one take at least (n - 1) / rate, whoever sends them
    assert elapsed >= (n - 1) / rate * 0.95, elapsed
    stamps.sort()
    gaps = [b - a for a, b in zip(stamps, stamps[1:])]
    # no second holds much more than the rate (a loaded machine may run late sends together)
    assert max(sum(1 for t in stamps if s <= t < s + 1.0) for s in stamps) <= rate * 1.5
    assert sum(limit.waits for limit in limits) >= n - 3 and min(gaps) >= 0


@pytest.mark.slow  # waits on the clock by design (fast tier: no)
async def test_a_pause_holds_every_instance(scratch):
    a, b = await _migrated(scratch, 2)
    first = coordination.SharedRateLimits(a, tenant_rate=100)
    second = coordination.SharedRateLimits(b, tenant_rate=100)
    await first.acquire("tenant-a", "c1")
    await first.pause("tenant-a", 0.6)  # a 429 seen by the first instance
    started = time.monotonic()
    await second.acquire("tenant-a", "c2")
    assert time.monotonic() - started >= 0.5
    # another tenant is not held
    started = time.monotonic()
    await second.acquire("tenant-b", "c3")
    assert time.monotonic() - started < 0.3


@pytest.mark.slow  # waits on the clock by design (fast tier: no)
async def test_the_conversation_limit_is_teams_seven_per_second(scratch):
    [db] = await _migrated(scratch)
    limits = coordination.SharedRateLimits(db, tenant_rate=1000)
    started = time.monotonic()
    for _ in range(8):
        await limits.acquire("tenant-a", "one-conversation")
    assert time.monotonic() - started >= 7 / 7.0 * 0.95


@pytest.mark.slow  # waits on the clock by design (fast tier: no)
async def test_one_leader_at_a_time_and_a_dead_one_is_replaced(scratch):
    a, b = await _migrated(scratch, 2)
    one = coordination.SweepLeader(a, ttl=0.6)
    two = coordination.SweepLeader(b, ttl=0.6)
    async with one.lead() as leading_one:
        assert leading_one
        async with two.lead() as leading_two:
            assert not leading_two
        await asyncio.sleep(0.8)  # a live leader keeps its leadership (lease renewed)
        async with two.lead() as leading_two:
            assert not leading_two
    async with two.lead() as leading_two:
        assert leading_two  # released at the end of the block


@pytest.mark.process
@pytest.mark.postgres
async def test_a_killed_leaders_lock_is_released_by_postgres(tmp_path):
    """A process holding the advisory lock is SIGKILLed: the lock is free at once."""
    import signal
    import sys

    from storage.testing import POSTGRES_TEST_URL, scratch_database

    async with scratch_database(POSTGRES_TEST_URL) as scratch:
        [db] = await _migrated(scratch)
        code = ("import asyncio, sys\n"
                "from storage.db import Database\n"
                "from reminders.coordination import SweepLeader\n"
                "async def main():\n"
                f"    db = await Database.connect({POSTGRES_TEST_URL!r}, schema={scratch.schema!r})\n"
                "    async with SweepLeader(db).lead() as leading:\n"
                "        print('leading' if leading else 'not', flush=True)\n"
                "        await asyncio.sleep(60)\n"
                "asyncio.run(main())\n")
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-c", code, stdout=asyncio.subprocess.PIPE,
            cwd=str(__import__("pathlib").Path(__file__).resolve().parent.parent))
        try:
            line = await asyncio.wait_for(proc.stdout.readline(), 30)
            assert line.strip() == b"leading"
            async with coordination.SweepLeader(db).lead() as leading:
                assert not leading
        finally:
            proc.send_signal(signal.SIGKILL)
            await proc.wait()
        for _ in range(50):
            async with coordination.SweepLeader(db).lead() as leading:
                if leading:
                    break
            await asyncio.sleep(0.1)
        assert leading
