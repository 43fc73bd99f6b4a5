"""Benchmark: one reminder sweep to N subscribers under a per-tenant Teams rate limit.

    .venv/bin/python bench/bench_reminders.py                       # 10 000 at 50/s (floor 200 s)
    .venv/bin/python bench/bench_reminders.py --subscribers 2000 --rate 200   # quick (floor 10 s)
    .venv/bin/python bench/bench_reminders.py --database-url postgresql://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/bench_reminders.py --instances 3 \
        --database-url postgresql://postgres@127.0.0.1:5432/test     # 3 sweepers share 50/s

All subscribers are in one tenant (the worst case: the tenant limit is the bottleneck). The
fake Teams connector (tests/fake_connector.py) runs on loopback and enforces the same limit
with 429 + Retry-After; the sweep sends through the production adapter transport. The floor
is N / rate; the target is at most 1.1x the floor with zero lost and zero duplicated.

``--instances K`` (PostgreSQL): K sweeper processes (``python -m cli.sweep --shared-rate``)
split the work between them and share the one tenant rate through the database
(``reminders.coordination.SharedRateLimits``), as K server instances do; the elapsed time is
from their start to the last delivery, and the connector's 429 count shows whether the K of
them together stayed under the limit.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from config import Settings  # noqa: E402
from fake_connector import FakeConnector, reference  # noqa: E402
from reminders import store  # noqa: E402
from reminders.sweeper import run_sweep  # noqa: E402
from bot.proactive import production_transport  # noqa: E402
from storage.db import Database  # noqa: E402

logger = logging.getLogger("bench_reminders")


async def populate(db: Database, service_url: str, n: int) -> None:
    """N subscriptions in one tenant (one transaction per 1000, like N opt-ins over time)."""
    now = "2022-08-01T00:00:00+00:00"
    for start in range(0, n, 1000):
        async with db.transaction() as tx:
            for i in range(start, min(n, start + 1000)):
                ref = reference(service_url, f"conv-{i}", tenant_id="tenant-bench", user_id=f"29:{i}")
                await tx.execute(
                    """INSERT INTO reminder_subscriptions (id, user_id, conversation_id, tenant_id,
                           service_url, reference, lang, locale, active, swept_through,
                           created_at, updated_at)
                       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, '2022-08-07', $9, $9)""",
                    uuid.uuid4().hex, f"29:{i}", f"conv-{i}", "tenant-bench", service_url,
                    json.dumps(ref), "en" if i % 2 else "fr", None, now)


class _Total:
    """The instances' summaries added up (the fields the result reads)."""

    def __init__(self, summaries: list[dict]) -> None:
        self.sent = sum(s["sent"] for s in summaries)
        self.failed = sum(s["failed"] for s in summaries)
        self.per_instance = [s["sent"] for s in summaries]


async def sweep_in_processes(args: argparse.Namespace, url: str, schema) -> _Total:
    """``args.instances`` sweepers at once, sharing the tenant rate through the database."""
    if schema is None:
        raise SystemExit("--instances needs --database-url postgresql://...")
    command = [sys.executable, "-m", "cli.sweep", "--database-url", url, "--schema", schema,
               "--as-of", args.as_of, "--rate", str(args.rate), "--concurrency",
               str(args.concurrency), "--timeout", "10", "--shared-rate"]
    procs = [await asyncio.create_subprocess_exec(*command, cwd=REPO, env=dict(os.environ),
                                                  stdout=asyncio.subprocess.PIPE)
             for _ in range(args.instances)]
    outputs = await asyncio.gather(*(p.communicate() for p in procs))
    for proc in procs:
        if proc.returncode != 0:
            raise SystemExit(f"a sweeper exited with {proc.returncode}")
    return _Total([json.loads(out.decode().strip().splitlines()[-1]) for out, _ in outputs])


async def bench(args: argparse.Namespace) -> dict:
    schema = None
    admin = None
    url = args.database_url
    if url is None:
        url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='bench-reminders-')) / 'bench.sqlite3'}"
    elif url.startswith("postgres"):
        schema = f"bench_{uuid.uuid4().hex[:12]}"
        admin = await Database.connect(url)
        await admin.execute(f'CREATE SCHEMA "{schema}"')
    connector = FakeConnector(tenant_rate=args.rate, tenant_burst=args.rate)
    await connector.start()
    db = await Database.connect(url, schema=schema, max_size=args.concurrency + 2) if schema else \
        await Database.connect(url)
    transport = production_transport(Settings(), timeout=10)
    try:
        await store.migrate(db)
        t0 = time.monotonic()
        await populate(db, connector.service_url, args.subscribers)
        logger.info("populated %d subscriptions in %.1fs", args.subscribers, time.monotonic() - t0)
        started = time.monotonic()
        if args.instances > 1:
            summary = await sweep_in_processes(args, url, schema)
            elapsed = connector.delivered_at[-1] - started if connector.delivered_at else 0.0
        else:
            summary = await run_sweep(db, transport, date.fromisoformat(args.as_of),
                                      tenant_rate=args.rate, concurrency=args.concurrency)
            elapsed = time.monotonic() - started
        counts = connector.counts()
        floor = args.subscribers / args.rate
        result = {
            "subscribers": args.subscribers, "tenant_rate_per_s": args.rate,
            "instances": args.instances,
            "database": "postgresql" if schema else "sqlite",
            "elapsed_s": round(elapsed, 2), "floor_s": round(floor, 2),
            "ratio_to_floor": round(elapsed / floor, 4),
            "sent": summary.sent, "failed": summary.failed,
            "lost": args.subscribers - len(counts),
            "duplicated": sum(c - 1 for c in counts.values()),
            "http_429": connector.throttled,
            "first_to_last_delivery_s": round(connector.delivered_at[-1] - connector.delivered_at[0], 2)
            if connector.delivered_at else None,
            "ledger": await store.ledger_counts(db),
        }
        if hasattr(summary, "per_instance"):
            result["sent_per_instance"] = summary.per_instance
        result["ok"] = (result["ratio_to_floor"] <= 1.1 and result["lost"] == 0
                        and result["duplicated"] == 0)
        return result
    finally:
        await transport.close()
        await db.close()
        await connector.stop()
        if admin is not None:
            await admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
            await admin.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=50.0, help="tenant limit, messages/s")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    parser.add_argument("--as-of", default="2022-08-08")
    parser.add_argument("--instances", type=int, default=1,
                        help="sweeper processes sharing the tenant rate (PostgreSQL)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logger.setLevel(logging.INFO)
    result = asyncio.run(bench(args))
    sys.stdout.write(json.dumps(result, indent=2) + "\n")
    sys.stdout.write(
        f"{result['subscribers']} subscribers at {result['tenant_rate_per_s']:g}/s "
        f"({result['instances']} instance(s)): "
        f"{result['elapsed_s']}s vs floor {result['floor_s']}s = {result['ratio_to_floor']}x; "
        f"lost {result['lost']}, duplicated {result['duplicated']}, 429s {result['http_429']} "
        f"-> {'OK' if result['ok'] else 'NOT OK'}\n")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
