"""Our bot's turn, in-process: CPU per turn, and optionally a cProfile of it.

    .venv/bin/python bench/profile_turns.py --store sqlite --path connector --turns 1500
    .venv/bin/python bench/profile_turns.py --store postgres --path expect --profile /tmp/t.prof

The product app (``create_app()`` on a fresh SQLite file or PostgreSQL schema) is started
without a listening socket; each turn is one realistic question in a fresh conversation
(:data:`bench.common.QUESTIONS`, the same activities as ``throughput.py``) handed straight to
``bot.http.process_messages``, 16 at a time. Connector-path replies go to a
``loopback_connector.py`` subprocess. CPU is ``time.process_time()`` of this process (the
aiosqlite thread included, PostgreSQL's backends not), after 200 warm-up turns, with the
start-up heap frozen as ``app.py serve`` does (``services.settle_heap``). The HTTP server
itself (request parsing, ~0.2 ms) is not included: ``throughput.py`` measures the whole thing.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import logging
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import PG_URL, QUESTIONS, REPO_ROOT, activity, free_port  # noqa: E402

WARMUP = 200


class _Request:
    """What ``process_messages`` reads from an aiohttp request."""

    def __init__(self, raw: bytes) -> None:
        self._raw = raw
        self.content_type = "application/json"
        self.content_length = len(raw)
        self.headers: dict = {}

    async def read(self) -> bytes:
        return self._raw


async def _pg(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_URL)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def run(args: argparse.Namespace) -> dict:
    port = free_port()
    connector = subprocess.Popen([sys.executable, str(REPO_ROOT / "bench" / "loopback_connector.py"),
                                  "--port", str(port)], stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
    schema = None
    tmp = tempfile.TemporaryDirectory(prefix="coop-profile-")
    try:
        if args.store == "sqlite":
            db_url = f"sqlite:///{Path(tmp.name) / 'bot.sqlite3'}"
        else:
            schema = "prof_" + uuid.uuid4().hex[:12]
            await _pg(f"CREATE SCHEMA {schema}")
            db_url = f"{PG_URL}?search_path={schema}"
        os.environ.update({"DATABASE_URL": db_url, "MicrosoftAppId": "", "MicrosoftAppPassword": "",
                           "REMINDER_SWEEP_ENABLED": "false"})
        logging.basicConfig(level=logging.ERROR)
        from aiohttp import web

        from app import create_app
        from bot.http import SERVICES, process_messages
        from config import Settings

        import services as composition
        from storage.db import Database

        migrating = await Database.connect(db_url)
        await composition.migrate_database(migrating)  # the product refuses a schema behind
        await migrating.close()
        app = create_app(Settings.from_env())
        runner = web.AppRunner(app)
        await runner.setup()  # start-up: database, bot
        composition.settle_heap()  # what ``app.py serve`` does once start-up is done
        services = app[SERVICES]
        await asyncio.sleep(0.5)  # the connector
        service_url = f"http://127.0.0.1:{port}/"
        rng = random.Random(1)
        bodies = []
        for _ in range(args.turns + WARMUP):
            lang, text = rng.choice(QUESTIONS)
            bodies.append(json.dumps(activity(text, service_url=service_url, lang=lang,
                                              expect_replies=args.path == "expect")).encode())
        failures: list = []

        async def drive(batch: list[bytes]) -> None:
            queue = list(batch)

            async def client() -> None:
                while queue:
                    response = await process_messages(_Request(queue.pop()), services.adapter,
                                                      services.bot)
                    if response.status != 200:
                        failures.append(response.status)
                    elif args.path == "expect" and not json.loads(response.body)["activities"]:
                        failures.append("no activity")

            await asyncio.gather(*(client() for _ in range(args.concurrency)))

        await drive(bodies[:WARMUP])
        profiler = cProfile.Profile() if args.profile else None
        cpu, wall = time.process_time(), time.perf_counter()
        if profiler:
            profiler.enable()
        await drive(bodies[WARMUP:])
        if profiler:
            profiler.disable()
            profiler.dump_stats(args.profile)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        await runner.cleanup()
        return {"store": args.store, "path": args.path, "turns": args.turns,
                "cpu_ms_per_turn": round(1000 * cpu / args.turns, 3),
                "wall_ms_per_turn": round(1000 * wall / args.turns, 3),
                "failures": len(failures), "profiled": bool(profiler)}
    finally:
        connector.terminate()
        connector.wait(5)
        tmp.cleanup()
        if schema:
            await _pg(f"DROP SCHEMA {schema} CASCADE")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--store", choices=("sqlite", "postgres"), default="sqlite")
    p.add_argument("--path", choices=("connector", "expect"), default="connector")
    p.add_argument("--turns", type=int, default=1500)
    p.add_argument("--concurrency", type=int, default=16)
    p.add_argument("--profile", default="", help="write a cProfile of the measured turns here")
    args = p.parse_args(argv)
    result = asyncio.run(run(args))
    print(json.dumps(result))
    return 1 if result["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
