"""Benchmark: one reminder sweep for 10 000 tracked activities over 2 000 conversations, under a
per-tenant Teams rate limit (issue #20).

    .venv/bin/python bench/bench_plan_reminders.py                  # 10 000 activities, 50/s
    .venv/bin/python bench/bench_plan_reminders.py --conversations 400 --activities 2000 --rate 200  # quick
    .venv/bin/python bench/bench_plan_reminders.py --database-url postgresql://postgres@127.0.0.1:5432/test

Half the conversations are personal chats (one partner, their own plan), half are channels
with two members who share the channel's plan and each added part of its activities; every
activity's claiming window opens on the sweep's day (a webinar on 12 March 2027: the window
opens 16 February 2027). Tracking made each member a subscription that carries only the
plan's reminders. One sweep plans the activities' reminders into the ledger and sends one
message per subscription (a personal chat's partner, each channel member with an @mention)
through the production adapter transport to the fake Teams connector on loopback, which
enforces the tenant rate with 429 + Retry-After. The floor is messages / rate; the target is
at most 1.1x the floor, every activity in exactly one message and no message twice.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from config import Settings  # noqa: E402
from fake_connector import FakeConnector, reference  # noqa: E402
from planner import personal_plan, shared_plan  # noqa: E402
from planner.schedule import PlanDigest  # noqa: E402
from reminders import store  # noqa: E402
from reminders.sweeper import run_sweep  # noqa: E402
from bot.proactive import production_transport  # noqa: E402
from storage.db import Database  # noqa: E402

logger = logging.getLogger("bench_plan_reminders")
TRACKED_ON = "2027-01-05T10:00:00+00:00"
ACTIVITY_DAY = "2027-03-12"  # claimed 16 Feb – 15 Aug 2027
EXPIRES = "2029-03-12"


def render(digest: PlanDigest) -> dict:
    """The message's data (what a Teams renderer gets), so the benchmark can count activities."""
    return {"type": "message", "text": json.dumps({
        "activities": [n.activity_id for n in digest.notices],
        "mention": digest.mention[0] if digest.mention else None})}


async def populate(db: Database, service_url: str, conversations: int, activities: int) -> int:
    """The plans and the subscriptions tracking made; returns the number of subscriptions."""
    subs: list[tuple] = []  # (user id, conversation id, type)
    owners: list[tuple[str, str]] = []  # (plan id, added_by) per activity slot
    for c in range(conversations):
        if c % 2 == 0:
            user, conv = f"29:p{c}", f"a:p{c}"
            subs.append((user, conv, "personal"))
            owners.append((personal_plan(user), user))
        else:
            conv = f"19:c{c}@thread.tacv2"
            for m in range(2):
                user = f"29:c{c}m{m}"
                subs.append((user, conv, "channel"))
                owners.append((shared_plan(conv), user))
    async with db.transaction() as tx:
        for user, conv, kind in subs:
            ref = reference(service_url, conv, tenant_id="tenant-bench", user_id=user)
            ref["conversation"]["conversationType"] = kind
            await tx.execute(
                """INSERT INTO reminder_subscriptions (id, user_id, conversation_id, conversation_type,
                       user_name, tenant_id, service_url, reference, lang, locale, active,
                       swept_through, created_at, updated_at, cycle_reminders)
                   VALUES ($1, $2, $3, $4, $5, 'tenant-bench', $6, $7, $8, NULL, 1, '2027-02-15',
                           $9, $9, 0)""",
                uuid.uuid4().hex, user, conv, kind, f"Member {user}", service_url, json.dumps(ref),
                "en" if len(user) % 2 else "fr", TRACKED_ON)
    rows = []
    for i in range(activities):
        plan_id, added_by = owners[i % len(owners)]
        rows.append((uuid.uuid4().hex, plan_id, f"Webinar {i}", f"webinar {i}", ACTIVITY_DAY,
                     ACTIVITY_DAY, "1000.00", "EUR", None, added_by, EXPIRES, TRACKED_ON))
    for start in range(0, len(rows), 500):
        chunk = rows[start:start + 500]
        marks = ", ".join("(" + ", ".join(f"${12 * i + k}" for k in range(1, 13)) + f", ${12 * i + 12})"
                          for i in range(len(chunk)))
        await db.execute(
            f"""INSERT INTO plan_activities (id, plan_id, name, name_key, start_day, end_day, cost,
                    currency, program, added_by, expires_on, created_at, updated_at)
                VALUES {marks}""", *[v for row in chunk for v in row])
    return len(subs)


async def bench(args: argparse.Namespace) -> dict:
    schema = None
    admin = None
    url = args.database_url
    if url is None:
        url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='bench-plans-')) / 'bench.sqlite3'}"
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
        await store.migrate(db)  # the reminders' tables and the planner's
        t0 = time.monotonic()
        messages = await populate(db, connector.service_url, args.conversations, args.activities)
        logger.info("populated %d activities, %d subscriptions in %.1fs", args.activities, messages,
                    time.monotonic() - t0)
        started = time.monotonic()
        summary = await run_sweep(db, transport, date.fromisoformat(args.as_of), tenant_rate=args.rate,
                                  concurrency=args.concurrency, plan_renderer=render)
        elapsed = time.monotonic() - started
        per_conversation = connector.counts()
        reminded = Counter(a for _, activity in connector.delivered
                           for a in json.loads(activity["text"])["activities"])
        floor = messages / args.rate
        result = {
            "activities": args.activities, "conversations": args.conversations,
            "messages_expected": messages, "tenant_rate_per_s": args.rate,
            "database": "postgresql" if schema else "sqlite",
            "elapsed_s": round(elapsed, 2), "floor_s": round(floor, 2),
            "ratio_to_floor": round(elapsed / floor, 4),
            "sent": summary.sent, "failed": summary.failed, "planned_rows": summary.planned,
            "messages_delivered": len(connector.delivered),
            "conversations_reached": len(per_conversation),
            "activities_reminded": len(reminded),
            "activities_lost": args.activities - len(reminded),
            "activities_duplicated": sum(n - 1 for n in reminded.values()),
            "http_429": connector.throttled,
            "first_to_last_delivery_s": round(connector.delivered_at[-1] - connector.delivered_at[0], 2)
            if connector.delivered_at else None,
            "ledger": await store.ledger_counts(db),
        }
        result["ok"] = (result["ratio_to_floor"] <= 1.1 and result["activities_lost"] == 0
                        and result["activities_duplicated"] == 0
                        and result["messages_delivered"] == messages == summary.sent)
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
    parser.add_argument("--activities", type=int, default=10_000)
    parser.add_argument("--conversations", type=int, default=2_000)
    parser.add_argument("--rate", type=float, default=50.0, help="tenant limit, messages/s")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    parser.add_argument("--as-of", default="2027-02-16")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logger.setLevel(logging.INFO)
    result = asyncio.run(bench(args))
    sys.stdout.write(json.dumps(result, indent=2) + "\n")
    sys.stdout.write(
        f"{result['activities']} activities over {result['conversations']} conversations, "
        f"{result['messages_expected']} messages at {result['tenant_rate_per_s']:g}/s: "
        f"{result['elapsed_s']}s vs floor {result['floor_s']}s = {result['ratio_to_floor']}x; "
        f"activities lost {result['activities_lost']}, duplicated {result['activities_duplicated']}, "
        f"429s {result['http_429']} -> {'OK' if result['ok'] else 'NOT OK'}\n")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
