"""The composition root: every product service is built here, from settings, and handed to
whatever needs it. No package looks another up; no lower package imports an upper one
(``docs/ARCHITECTURE.md``; ``tests/test_architecture.py`` reads the imports to keep it so).

What is built from what (``app.create_app`` calls these, in this order):

- :func:`build_adapter`: ``bot.adapter.CoopAdapter`` (auth, connector clients, the outbound
  HTTP session) from the ``MicrosoftApp*`` settings.
- :func:`open_database` (start-up): ``storage.Database`` on ``DATABASE_URL``; on SQLite
  :func:`migrate_embedded` brings its schema up to date, on PostgreSQL :func:`check_schema`
  refuses one that is behind.
- :func:`build_product_bot` (start-up): ``bot.teams_bot.create_bot`` on ``storage.SqlStorage``
  over that database, with the reminders service ``reminders.StoreReminders`` and the
  schedule's ``next_reminder`` (what ``dialogs.Actions`` needs, passed in: ``dialogs`` never
  imports ``reminders``).
- :func:`build_feedback_store`: ``storage.FeedbackStore`` (the partners' 👍/👎 on answers) on
  that database; :func:`start_state_retention` purges it with the state.
- :func:`mount_reminders`: the reminder routes and the daily sweep (``reminders.http``),
  given the proactive transport ``bot.proactive.AdapterTransport`` over the same adapter
  (``reminders`` never imports ``bot``) and, at start-up, the database.
- :func:`settle_heap` (``app.py serve`` only, once everything above is built): freezes the
  start-up heap out of the garbage collector's rounds.

Only the standard library is imported at module level (the CLI imports ``app`` and must start
fast); each builder imports what it builds.
"""
from __future__ import annotations

import importlib
import inspect
import logging
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aiohttp import web

log = logging.getLogger("services")


class StartupError(RuntimeError):
    """The application cannot be assembled (a missing module, typically)."""


def import_attribute(module_name: str, attribute: str) -> Any:
    """``module_name.attribute``; :class:`StartupError` naming what is missing."""
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as err:
        if err.name != module_name and not module_name.startswith(f"{err.name}."):
            raise  # the module exists but one of its own imports is missing
        raise StartupError(f"{module_name} is missing: the application needs "
                           f"{module_name}.{attribute}") from None
    try:
        return getattr(module, attribute)
    except AttributeError:
        raise StartupError(f"{module_name} has no {attribute}") from None


# --- the schema ------------------------------------------------------------------------------


class SchemaBehind(StartupError):
    """The database's schema is older than the code: ``python app.py migrate`` first."""


def product_migrations(dialect: str = "sqlite") -> list[tuple[str, list[str]]]:
    """Every (name, statements) migration the product runs on, in the order they apply, for
    the database ``dialect`` ("sqlite" or "postgres": the same versions on both; only the
    feedback table's id column is spelled per engine)."""
    from planner import store as planner_store
    from reminders import coordination, store
    from storage import feedback
    from storage.bot_storage import migration
    from support import store as support_store

    return [migration("bot_state"), (store.MIGRATION_NAME, store.MIGRATIONS),
            (coordination.MIGRATION_NAME, coordination.MIGRATIONS),
            (support_store.MIGRATION_NAME, support_store.MIGRATIONS),
            feedback.migration(dialect),
            (planner_store.MIGRATION_NAME, planner_store.MIGRATIONS)]


def _dialect(db: Any) -> str:
    return "postgres" if getattr(db, "dialect", "sqlite") == "postgres" else "sqlite"


async def migrate_database(db: Any) -> dict[str, list[int]]:
    """Apply every pending product migration (idempotent; serialized across processes by
    ``Database.migrate``). Returns the versions applied now, per migration."""
    return {name: await db.migrate(name, statements)
            for name, statements in product_migrations(_dialect(db))}


async def migrate_embedded(db: Any) -> dict[str, list[int]]:
    """What ``app.py serve`` does on SQLite before :func:`check_schema`: the embedded database
    belongs to this machine, so the server brings its schema up to date itself (one log line
    when it changed anything). A shared PostgreSQL changes only by ``python app.py migrate``."""
    applied = await migrate_database(db)
    done = {name: versions for name, versions in applied.items() if versions}
    if done:
        log.info("SQLite schema created or updated: %s",
                 "; ".join(f"{name} {versions}" for name, versions in done.items()))
    return applied


async def check_schema(db: Any) -> None:
    """Raise :class:`SchemaBehind` when a product migration is not fully applied."""
    behind = []
    for name, statements in product_migrations(_dialect(db)):
        applied, known = await db.migration_status(name, statements)
        if applied < known:
            behind.append(f"{name} at version {applied} of {known}")
    if behind:
        raise SchemaBehind(f"the database schema is behind the code ({'; '.join(behind)}): "
                           "run `python app.py migrate` (with the same DATABASE_URL), then "
                           "start the server again")


# --- the product's services -------------------------------------------------------------------


def build_adapter(settings: Any, *, credentials_factory: Any = None, transport: Any = None) -> Any:
    """The bot adapter for ``settings`` (``bot.adapter.create_adapter``)."""
    from bot.adapter import create_adapter

    return create_adapter(settings, credentials_factory=credentials_factory, transport=transport)


async def open_database(settings: Any) -> Any:
    """The product database for ``DATABASE_URL``, with the configured statement and connect
    timeouts and pool size (``DB_POOL_SIZE``, PostgreSQL); a database that is not reachable
    yet is retried for ``DB_STARTUP_WAIT_SECONDS`` (``storage.connect_with_retry``: one log
    line per attempt) before start-up gives up."""
    connect_with_retry = import_attribute("storage", "connect_with_retry")
    return await connect_with_retry(settings.database_url, wait_seconds=settings.db_startup_wait,
                                    statement_timeout=settings.db_statement_timeout,
                                    connect_timeout=settings.db_connect_timeout,
                                    max_size=settings.db_pool_size)  # PostgreSQL's pool


def start_state_retention(settings: Any, bot: Any, db: Any = None) -> "asyncio.Task | None":
    """The periodic job (``storage.retention``) that deletes state no turn has used for
    ``STATE_RETENTION_DAYS``, on the bot's state storage when it can expire, and the feedback
    given before that period: the bot's own feedback store (``bot.feedback``) when it has one,
    else one on ``db`` (a ``storage.Database``)."""
    import asyncio

    storage = getattr(bot, "storage", None)  # a bot that shows its state's storage
    if not callable(getattr(storage, "expire", None)):
        storage = getattr(getattr(bot, "conversation_state", None), "_storage", None)
    if not callable(getattr(storage, "expire", None)):
        storage = None
    feedback = getattr(bot, "feedback", None)
    if not callable(getattr(feedback, "purge_before", None)):
        feedback = build_feedback_store(db) if getattr(db, "dialect", None) is not None else None
    plans = None
    if getattr(db, "dialect", None) is not None:
        from planner import PlanStore

        plans = PlanStore(db)  # activities and budgets past their last date (planner.store)
    if storage is None and feedback is None and plans is None:
        return None
    from storage.retention import run_retention

    return asyncio.create_task(run_retention(storage, settings.state_retention_days,
                                             feedback=feedback, plans=plans),
                               name="state-retention")


def product_bot_factory() -> Any:
    """``bot.teams_bot.create_bot`` (imported now, so a missing module stops start-up early)."""
    return import_attribute("bot.teams_bot", "create_bot")


def build_reminders_service(settings: Any, db: Any, on_urgent: Any = None) -> Any:
    """What the bot's dialogs call for reminders: ``reminders.StoreReminders`` on ``db``;
    ``on_urgent``: told when a subscription planned a reminder to send at once
    (:func:`sweep_soon`)."""
    from reminders import StoreReminders

    return StoreReminders(db, public_base_url=settings.public_base_url, on_urgent=on_urgent)


def sweep_soon(app: "web.Application") -> Any:
    """What wakes the daily sweep mounted on ``app`` (:func:`mount_reminders`), or None."""
    from reminders.http import REMINDER_SERVICES

    services = app.get(REMINDER_SERVICES)
    return services.sweep_soon if services is not None else None


async def build_product_bot(settings: Any, db: Any, create_bot: Any, on_urgent: Any = None) -> Any:
    """The product bot on ``db``: conversation/user state in ``storage.SqlStorage``,
    reminder actions through :func:`build_reminders_service` (``on_urgent``: see there)."""
    from reminders.schedule import next_reminder
    from storage import SqlStorage

    kwargs: dict[str, Any] = {"reminders": build_reminders_service(settings, db, on_urgent)}
    parameters = _parameters(create_bot)
    if "next_reminder" in parameters:
        kwargs["next_reminder"] = next_reminder
    if "feedback" in parameters:
        kwargs["feedback"] = build_feedback_store(db)
    if "plans" in parameters:
        from planner import PlanStore

        kwargs["plans"] = PlanStore(db)  # issue #20: the planner's commands and card verbs
    bot = create_bot(settings, SqlStorage(db), **kwargs)
    return await bot if inspect.isawaitable(bot) else bot


def build_feedback_store(db: Any) -> Any:
    """The partners' 👍/👎 on answers (``storage.FeedbackStore`` on ``db``): what the bot's
    feedback invoke records into, the support desk's Feedback view reads, forget-my-data and
    the state retention delete from."""
    from storage.feedback import FeedbackStore

    return FeedbackStore(db)


def build_proactive_transport(adapter: Any) -> Any:
    """The reminder sender's transport over the server's own adapter."""
    from bot.proactive import AdapterTransport

    return AdapterTransport(adapter)


def mount_reminders(app: "web.Application", settings: Any, adapter: Any, *,
                    observe: Any = None, plan_renderer: Any = None) -> None:
    """``GET /calendar/{token}.ics``, ``POST /admin/sweep`` (with ``ADMIN_TOKEN``) and the daily
    reminder sweep, sending through :func:`build_proactive_transport`. The database, and what
    is built on it (the shared tenant rate limit and the sweep leadership), are given to them
    at start-up by :func:`database_ready`. ``observe``: told each digest's outcome (metrics)."""
    from reminders.http import REMINDER_SERVICES, add_routes, start_daily_sweeper

    transport = build_proactive_transport(adapter)
    add_routes(app, transport=transport, settings=settings)
    start_daily_sweeper(app, settings, transport=transport)
    app[REMINDER_SERVICES].observe = observe
    app[REMINDER_SERVICES].plan_renderer = plan_renderer  # planner.schedule.PlanRenderer


def build_rate_limits(settings: Any, db: Any, *, on_wait: Any = None) -> Any:
    """The tenant's send rate (``TENANT_RATE_PER_SEC``) and Teams' per-conversation limit,
    shared by every instance on ``db`` (``reminders.coordination.SharedRateLimits``)."""
    from reminders.coordination import SharedRateLimits

    return SharedRateLimits(db, tenant_rate=settings.tenant_rate_per_sec, on_wait=on_wait)


def build_sweep_leader(db: Any) -> Any:
    """Who runs the daily sweep among the instances on ``db``."""
    from reminders.coordination import SweepLeader

    return SweepLeader(db)


def database_ready(app: "web.Application", settings: Any, db: Any, *,
                   on_rate_wait: Any = None) -> None:
    """Hand the database opened at start-up to the services mounted before it existed, with
    the shared rate limits and the sweep leadership built on it."""
    from reminders.http import REMINDER_SERVICES, use_database

    use_database(app, db)
    if getattr(db, "dialect", None) is None:
        return  # not a storage.Database (a caller's own storage): limits in this process
    reminder_services = app[REMINDER_SERVICES]
    reminder_services.limits = build_rate_limits(settings, db, on_wait=on_rate_wait)
    reminder_services.leader = build_sweep_leader(db)


def settle_heap() -> int:
    """Take the start-up heap out of the cyclic garbage collector's rounds (``gc.freeze``).

    Why: a started server holds ~115 000 long-lived objects (botbuilder, msrest, aiohttp, the
    understanding's data), and every full collection walked all of them: ~70-90 ms during which
    no turn ran, about once every 500 turns under load, and the p99 of a loaded server was
    those pauses. Frozen objects are still freed by reference counting; only reference cycles
    among them are never collected, and start-up state makes none that it later drops. For
    ``app.py serve`` only, once start-up is done (a process that then runs for long): tests and
    the CLI keep the ordinary collector. Returns how many objects were frozen."""
    import gc

    from understanding.detect import warm

    warm()  # the language detector's models are loaded now, not on a partner's first message
    gc.collect()  # what start-up left as garbage is collected, not frozen
    gc.freeze()
    frozen = gc.get_freeze_count()
    log.info("start-up heap settled: %d objects frozen out of the garbage collector's rounds",
             frozen)
    return frozen


def _parameters(function: Any) -> set[str]:
    try:
        return set(inspect.signature(function).parameters)
    except (TypeError, ValueError):
        return set()
