"""``python -m cli.sweep --database-url URL --as-of D [--rate R] [--lease S] ...``: one reminder
sweep in a process of its own, through the production adapter transport, with the knobs the
process tests turn (rate, concurrency, lease, send timeout, fast back-off). Prints the summary
as one JSON line. Operators use ``python app.py notify`` instead.

It does not take the sweep leadership (``reminders.coordination.SweepLeader``) the servers and
``notify`` take: several of these run side by side on purpose (the process tests, the
benchmark's ``--instances``). Do not run it beside a server's sweep: the leading sweep takes
over rows in flight, assuming their sweeper died.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from datetime import date
from typing import Optional

from bot.proactive import production_transport
from config import Settings
from reminders import coordination, store
from reminders.sweeper import DEFAULT_CONCURRENCY, DEFAULT_LEASE_SECONDS, Summary, run_sweep
from storage.db import Database


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cli.sweep")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--schema", default=None)
    parser.add_argument("--as-of", required=True, type=date.fromisoformat)
    parser.add_argument("--rate", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=DEFAULT_CONCURRENCY)
    parser.add_argument("--lease", type=float, default=DEFAULT_LEASE_SECONDS)
    parser.add_argument("--timeout", type=float, default=5.0)
    parser.add_argument("--shared-rate", action="store_true",
                        help="share the tenant rate with every other sweeper on the database "
                             "(reminders.coordination.SharedRateLimits), as the servers do")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)

    async def sweep() -> Summary:
        db = await Database.connect(args.database_url, schema=args.schema)
        transport = production_transport(Settings(), timeout=args.timeout)
        try:
            await store.migrate(db)
            options = {}
            if args.shared_rate:
                await db.migrate(coordination.MIGRATION_NAME, coordination.MIGRATIONS)
                options["limits"] = coordination.SharedRateLimits(db, tenant_rate=args.rate)
            return await run_sweep(db, transport, args.as_of, tenant_rate=args.rate,
                                   concurrency=args.concurrency, lease_seconds=args.lease,
                                   backoff_base=0.05, backoff_cap=0.5, **options)
        finally:
            await transport.close()
            await db.close()

    summary = asyncio.run(sweep())
    sys.stdout.write(json.dumps(summary.to_dict()) + "\n")  # the command's own output
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
