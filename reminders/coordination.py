"""What several instances of the bot share so that together they behave like one: the tenant's
send rate (and Teams' per-conversation limit), a 429's pause, and who leads the daily sweep.

Both live in the product database (migration ``coordination``), so nothing else has to run:

- :class:`SharedRateLimits`: token buckets as rows of ``coop_rate_buckets``, scheduled in
  virtual time (GCRA): one atomic ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` reserves
  the bucket's next slot for this send, whichever instance asks, and says how long to wait for
  it. The tenant's bucket allows ``TENANT_RATE_PER_SEC`` for all instances together; each
  conversation's allows Teams' 7 messages/s. A 429's ``Retry-After`` moves the tenant's
  ``paused_until``: every instance holds its sends (also the slots it reserved before the
  pause) until then. On PostgreSQL the database's clock is the clock, so instances on
  different hosts agree; on SQLite (one machine) it is the host's.
- :class:`SweepLeader`: the daily sweep is run by whichever instance holds the leadership:
  a PostgreSQL session advisory lock (released by the server the moment the holder's
  connection drops, e.g. the process is killed), or on SQLite a lease row renewed while the
  holder lives (``ttl`` seconds). The others stand by, retrying every ``poll`` seconds.

``Sender`` uses a ``RateLimits`` (``reminders.sender``); :class:`SharedRateLimits` is the one
the server and ``notify`` use, ``sender.LocalRateLimits`` the in-process one for tests.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from typing import Any, AsyncIterator, Callable, Optional

from storage.db import Database

from .sender import TEAMS_CONVERSATION_RATE

logger = logging.getLogger(__name__)

MIGRATION_NAME = "coordination"
MIGRATIONS = [
    """CREATE TABLE coop_rate_buckets (
        bucket TEXT PRIMARY KEY,
        next_at DOUBLE PRECISION NOT NULL,
        paused_until DOUBLE PRECISION NOT NULL DEFAULT 0)""",
    """CREATE TABLE coop_leases (
        name TEXT PRIMARY KEY,
        holder TEXT NOT NULL,
        expires_at DOUBLE PRECISION NOT NULL)""",
]

# seconds since the epoch, from the database server (PostgreSQL) or from this host (SQLite)
_PG_NOW = "extract(epoch from clock_timestamp())::double precision"


def _now_sql(db: Database, param: str) -> str:
    return _PG_NOW if db.dialect == "postgres" else param


class SharedRateLimits:
    """``reminders.sender.RateLimits`` shared by every instance on one database.

    ``waits`` counts the sends that had to wait for a slot, ``waited_seconds`` their total wait
    (the metrics read both); ``on_wait(seconds)`` is called for each wait when given.
    """

    def __init__(self, db: Database, *, tenant_rate: float,
                 conversation_rate: float = TEAMS_CONVERSATION_RATE,
                 on_wait: Optional[Callable[[float], None]] = None,
                 sleep: Callable[[float], Any] = asyncio.sleep,
                 clock: Callable[[], float] = time.time) -> None:
        if tenant_rate <= 0 or conversation_rate <= 0:
            raise ValueError("rates must be > 0")
        self.db = db
        self.tenant_interval = 1.0 / float(tenant_rate)
        self.conversation_interval = 1.0 / float(conversation_rate)
        self.on_wait = on_wait
        self.waits = 0
        self.waited_seconds = 0.0
        self._sleep = sleep
        self._clock = clock
        pg = db.dialect == "postgres"
        now = _now_sql(db, "$3")
        greatest = "GREATEST" if pg else "MAX"
        b = "coop_rate_buckets"
        # GCRA with a burst of one: slot = max(next_at, now, paused_until); next_at = slot + T.
        self._reserve_sql = f"""
            INSERT INTO {b} (bucket, next_at, paused_until) VALUES ($1, {now} + $2, 0)
            ON CONFLICT (bucket) DO UPDATE SET
                next_at = {greatest}({b}.next_at, {now}, {b}.paused_until) + $2
            RETURNING next_at - $2 - {now} AS wait"""
        self._paused_sql = f"""
            SELECT paused_until - {_now_sql(db, "$2")} AS remaining
            FROM {b} WHERE bucket = $1"""
        self._pause_sql = f"""
            INSERT INTO {b} (bucket, next_at, paused_until) VALUES ($1, {now} + $2, {now} + $2)
            ON CONFLICT (bucket) DO UPDATE SET
                paused_until = {greatest}({b}.paused_until, {now} + $2)"""

    def _clock_arg(self) -> tuple:
        """SQLite: the host clock as the last parameter (PostgreSQL reads its own)."""
        return () if self.db.dialect == "postgres" else (self._clock(),)

    async def _reserve(self, bucket: str, interval: float) -> float:
        return float(await self.db.fetchval(self._reserve_sql, bucket, interval,
                                            *self._clock_arg()))

    async def _wait(self, seconds: float) -> None:
        if seconds > 0.0005:
            self.waits += 1
            self.waited_seconds += seconds
            if self.on_wait is not None:
                self.on_wait(seconds)
            await self._sleep(seconds)

    async def acquire(self, tenant_id: str, conversation_id: str) -> None:
        """Wait for this instance's turn to send one message to ``conversation_id``."""
        tenant = f"tenant:{tenant_id}"
        while True:
            await self._wait(await self._reserve(tenant, self.tenant_interval))
            # a pause may have begun while this slot was waited for: then take a new slot
            left = await self.db.fetchval(self._paused_sql, tenant, *self._clock_arg())
            if left is None or float(left) <= 0:
                break
        await self._wait(await self._reserve(f"conversation:{conversation_id}",
                                             self.conversation_interval))

    async def pause(self, tenant_id: str, seconds: float) -> None:
        """Hold every instance's sends to ``tenant_id`` for ``seconds`` (a 429's Retry-After)."""
        await self.db.execute(self._pause_sql, f"tenant:{tenant_id}", float(seconds),
                              *self._clock_arg())


class SweepLeader:
    """Leadership of a named job (the daily sweep) among the instances on one database.

        async with leader.lead() as leading:
            if leading:
                ...   # only one instance at a time gets here

    ``lead()`` never waits: it answers whether this instance leads now. PostgreSQL: a session
    advisory lock on a connection of its own, held until the block ends. SQLite: a lease row
    (``coop_leases``) renewed every ``ttl / 3`` seconds until the block ends; a holder that
    died stops renewing and its lease runs out after ``ttl``.
    """

    def __init__(self, db: Database, name: str = "reminders-daily-sweep", *, ttl: float = 30.0,
                 poll: float = 10.0, clock: Callable[[], float] = time.time) -> None:
        self.db = db
        self.name = name
        self.ttl = float(ttl)
        self.poll = float(poll)
        self.holder = uuid.uuid4().hex
        self._clock = clock

    @contextlib.asynccontextmanager
    async def lead(self) -> AsyncIterator[bool]:
        if self.db.dialect == "postgres":
            async with self.db.advisory_lock(f"coop:{self.name}") as held:
                yield held
            return
        if not await self._take_lease():
            yield False
            return
        renew = asyncio.create_task(self._renew(), name=f"lease-{self.name}")
        try:
            yield True
        finally:
            renew.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renew
            await self.db.execute("DELETE FROM coop_leases WHERE name = $1 AND holder = $2",
                                  self.name, self.holder)

    async def _take_lease(self) -> bool:
        now = self._clock()
        holder = await self.db.fetchval(
            """INSERT INTO coop_leases (name, holder, expires_at) VALUES ($1, $2, $3)
               ON CONFLICT (name) DO UPDATE SET holder = excluded.holder,
                   expires_at = excluded.expires_at
               WHERE coop_leases.expires_at < $4 OR coop_leases.holder = excluded.holder
               RETURNING holder""", self.name, self.holder, now + self.ttl, now)
        return holder == self.holder

    async def _renew(self) -> None:
        while True:
            await asyncio.sleep(self.ttl / 3)
            try:
                renewed = await self.db.execute(
                    "UPDATE coop_leases SET expires_at = $3 WHERE name = $1 AND holder = $2",
                    self.name, self.holder, self._clock() + self.ttl)
                if not renewed:
                    logger.error("reminders: lost the %s lease to another instance", self.name)
            except Exception:
                logger.exception("reminders: could not renew the %s lease", self.name)
