"""``python app.py notify [--as-of YYYY-MM-DD] [--json]``: run one reminder sweep and exit.

Uses ``DATABASE_URL`` and the production transport (the bot adapter's proactive send with
``MicrosoftAppId``). Reminders another sweeper holds are waited for (at most a lease plus a
heartbeat) and taken over if that sweeper died. Prints one summary line (or JSON) on stdout,
including the subscribers still held by another sweeper at the end. Exit status: 0 when every
due digest was delivered or deliberately skipped, 1 when some failed, are left for a later
sweep or are still held elsewhere (details in the log and the ledger), 2 for a usage or
configuration error.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from datetime import date, datetime, timezone
from typing import Any, Optional

logger = logging.getLogger(__name__)


def _as_of(text: str) -> date:
    """--as-of: an ISO date the rules cover (cli.today_arg); exit status 2 otherwise."""
    from cli import today_arg

    return today_arg(text)


def configure_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--as-of", type=_as_of, default=None, metavar="YYYY-MM-DD",
                        help="the day to sweep for (default: today, UTC)")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")


add_arguments = configure_parser


class OtherInstanceSweeping(RuntimeError):
    """A server instance (or another notify) leads a sweep right now."""


async def _sweep(settings: Any, as_of: date, transport: Any = None):
    from bot.proactive import production_transport
    from reminders import coordination, store
    from reminders.sweeper import run_sweep
    from storage.db import Database

    db = await Database.connect(settings.database_url,
                                statement_timeout=getattr(settings, "db_statement_timeout", None),
                                connect_timeout=getattr(settings, "db_connect_timeout", 10.0))
    owned = transport is None
    transport = transport or production_transport(settings)
    try:
        await store.migrate(db)
        await db.migrate(coordination.MIGRATION_NAME, coordination.MIGRATIONS)
        # the same leadership and the same shared tenant rate as the servers' sweeps
        limits = coordination.SharedRateLimits(db, tenant_rate=settings.tenant_rate_per_sec)
        lease = getattr(settings, "reminder_lease_seconds", 60.0)
        heartbeat = getattr(settings, "reminder_heartbeat_seconds", lease / 3)
        leader = coordination.SweepLeader(db)
        # A leader that died (SIGKILL) loses its leadership within the leader's ttl: wait for
        # it that long (and a lease) instead of refusing, so an immediate rerun still delivers.
        loop = asyncio.get_running_loop()
        give_up = loop.time() + leader.ttl + lease + heartbeat
        while True:
            async with leader.lead() as leading:
                if leading:
                    return await run_sweep(
                        db, transport, as_of, tenant_rate=settings.tenant_rate_per_sec,
                        convention=settings.fy_label_convention, limits=limits,
                        reclaim_in_flight=True, lease_seconds=lease, heartbeat_seconds=heartbeat,
                        wait_for_others=lease + heartbeat,
                        base_url=settings.public_base_url)
            if loop.time() >= give_up:
                unfinished = await store.unfinished_due(db, as_of)
                raise OtherInstanceSweeping(
                    f"another instance is sweeping now; {unfinished} subscribers' reminders due "
                    f"by {as_of.isoformat()} are not finished yet")
            await asyncio.sleep(1.0)
    finally:
        if owned:
            await transport.close()
        await db.close()


def run(args: argparse.Namespace, settings: Any = None, *, transport: Any = None) -> int:
    if settings is None:
        from config import ConfigError, Settings

        try:
            settings = Settings.from_env()
        except ConfigError as err:
            sys.stderr.write(f"notify: {err}\n")
            return 2
    as_of: Optional[date] = getattr(args, "as_of", None)
    as_of = as_of or datetime.now(timezone.utc).date()
    from storage.db import StorageError

    try:
        summary = asyncio.run(_sweep(settings, as_of, transport))
    except StorageError as err:
        sys.stderr.write(f"notify: database: {err}\n")
        return 2
    except OtherInstanceSweeping as err:
        sys.stderr.write(f"notify: {err}\n")
        return 1
    out = json.dumps(summary.to_dict()) if getattr(args, "json", False) else summary.line()
    sys.stdout.write(out + "\n")  # the command's own output (the log goes to stderr)
    return 0 if summary.complete else 1


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="notify", description=__doc__.splitlines()[0])
    configure_parser(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
