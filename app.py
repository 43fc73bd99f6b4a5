"""Co-op Assistant: the aiohttp application factory and the command line.

``python app.py`` (or ``python app.py serve``) serves the bot on HOST:PORT (on SQLite, the
embedded default, it creates or updates the schema itself; on PostgreSQL, shared by several
instances, it refuses a schema that is behind: ``python app.py migrate`` first);
``python app.py ask|answer|notify ...`` run the support and operator commands in ``cli/``.

Only the standard library and ``config`` are imported at module level: botbuilder and aiohttp
are imported by :func:`create_app` and the serve path, so CLI commands start fast.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import logging
import sys
from types import ModuleType
from typing import TYPE_CHECKING, Any

import services as composition  # the composition root, services.py
from config import ConfigError, Settings, __version__

if TYPE_CHECKING:
    from aiohttp import web

log = logging.getLogger("app")

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(correlation_id)s] %(message)s"


# --- the product's pieces are built by the composition root (services.py) -------------------

StartupError = composition.StartupError
open_storage = composition.open_database
product_bot_factory = composition.product_bot_factory
build_product_bot = composition.build_product_bot
start_state_retention = composition.start_state_retention


def is_local_url(url: str) -> bool:
    """Whether ``url`` names this machine (localhost, a loopback or unspecified address).

    >>> is_local_url("http://localhost:3978"), is_local_url("https://coop.contoso.com")
    (True, False)
    """
    from ipaddress import ip_address
    from urllib.parse import urlsplit

    host = (urlsplit(url).hostname or "").lower()
    if host in ("", "localhost") or host.endswith(".localhost"):
        return True
    try:
        address = ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


# --- the application --------------------------------------------------------------------------


def create_app(settings: Settings | None = None, *, bot: Any = None, storage: Any = None,
               adapter: Any = None, credentials_factory: Any = None, transport: Any = None,
               on_turn_error: Any = None, apology: Any = None) -> "web.Application":
    """The aiohttp application: ``POST /api/messages``, ``GET /healthz`` (liveness) and
    ``GET /readyz`` (503 while the database does not answer).

    - ``settings``: default ``Settings.from_env()``.
    - ``bot``: anything with ``async on_turn(turn_context)`` (an ``ActivityHandler``). Default:
      the product (:func:`build_product_bot` at start-up, plus the reminder routes and daily
      sweep of :func:`services.mount_reminders`); :class:`StartupError` right away if
      ``bot.teams_bot`` is missing.
    - ``storage``: the ``storage.Database`` the product runs on; default: opened at start-up
      on ``DATABASE_URL`` and closed at shutdown. Storage passed in belongs to the caller.
    - ``adapter``: a ready :class:`bot.adapter.CoopAdapter`; otherwise one is made from
      ``settings`` with ``credentials_factory`` and ``transport`` (tests), ``on_turn_error``
      (state clean-up hook; default: the bot's ``on_turn_error`` method, if it has one) and
      ``apology`` (``turn_context -> str | Activity``; default: the bot's ``apology`` method,
      if any). An adapter made here is closed at shutdown; one passed in belongs to the caller.

    What the product runs on is built by the composition root (``services.py``) and handed
    to each piece; ``app[bot.http.SERVICES]`` (settings, adapter, bot, storage) is what the
    bot's own routes read, never a lookup for other packages.
    """
    from aiohttp import web

    from bot.http import (MAX_BODY_BYTES, SERVICES, Services, handle_healthz, handle_messages,
                          handle_readyz)

    settings = settings or Settings.from_env()
    settings.register_language_packs()
    create_bot = product_bot_factory() if bot is None else None
    if bot is not None:
        _check_bot(bot)
    owned_adapter = adapter is None
    if owned_adapter:
        adapter = composition.build_adapter(settings, credentials_factory=credentials_factory,
                                         transport=transport)
    if not adapter.auth_enabled:
        log.warning("MicrosoftAppId is not set: local-development mode, incoming requests are "
                    "NOT authenticated. Set MicrosoftAppId and MicrosoftAppPassword before "
                    "exposing this server.")
    elif is_local_url(settings.public_base_url):
        log.warning("MicrosoftAppId is set but PUBLIC_BASE_URL is %s: calendar links on cards "
                    "and reminders would point at this machine and be broken for everyone "
                    "else. Set PUBLIC_BASE_URL to the public https address of this bot (the "
                    "host of its messaging endpoint).", settings.public_base_url)

    import ops

    metrics = ops.Metrics()
    services = Services(settings=settings, adapter=adapter, storage=storage, version=__version__)
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app[SERVICES] = services
    app[ops.METRICS] = metrics
    app.router.add_post("/api/messages", handle_messages)
    app.router.add_get("/healthz", handle_healthz)
    app.router.add_get("/readyz", handle_readyz)

    def use_bot(the_bot: Any) -> None:
        services.bot = the_bot
        hook = on_turn_error or getattr(the_bot, "on_turn_error", None)
        if hook is not None:
            adapter.on_turn_error = hook  # sets the clean-up hook, see CoopAdapter
        sorry = apology or getattr(the_bot, "apology", None)
        if sorry is not None:
            adapter.apology = sorry

    if create_bot is None:
        use_bot(bot)
    else:
        async def product_services(_app: web.Application):
            owned = None
            if services.storage is None:
                services.storage = owned = await open_storage(settings)
            retention = None
            the_bot = None
            try:
                if callable(getattr(services.storage, "migration_status", None)):
                    if getattr(services.storage, "dialect", None) == "sqlite":
                        # the embedded database (a file on this machine, or in memory) is
                        # brought up to date here; a shared PostgreSQL only by `app.py migrate`
                        await composition.migrate_embedded(services.storage)
                    await composition.check_schema(services.storage)  # SchemaBehind: run migrate
                composition.database_ready(_app, settings, services.storage,
                                        on_rate_wait=metrics.rate_wait)
                the_bot = await build_product_bot(settings, services.storage, create_bot,
                                                  on_urgent=composition.sweep_soon(_app))
                _check_bot(the_bot)
                use_bot(the_bot)
                retention = start_state_retention(settings, the_bot, services.storage)
                yield
            finally:
                if retention is not None:
                    retention.cancel()
                    await asyncio.gather(retention, return_exceptions=True)
                if callable(getattr(the_bot, "close", None)):
                    await the_bot.close()  # what it still holds for the database (written now)
                if owned is not None:
                    await owned.close()

        app.cleanup_ctx.append(product_services)  # before the sweeper: it needs the database
        from bot.plan_cards import reminder_activity

        composition.mount_reminders(app, settings, adapter, observe=metrics.reminder,
                                    plan_renderer=reminder_activity)

    ops.install(app, metrics, admin_token=settings.admin_token, ready=lambda: services.storage)

    from support.routes import setup as setup_support

    setup_support(app, settings, database=lambda: services.storage)  # off (no routes) unless configured

    if owned_adapter:
        async def close_adapter(_app: web.Application) -> None:
            await adapter.close()

        app.on_cleanup.append(close_adapter)
    return app


def _check_bot(bot: Any) -> None:
    if not callable(getattr(bot, "on_turn", None)):
        raise StartupError(f"the bot ({type(bot).__name__}) has no on_turn(turn_context)")


# --- command line -----------------------------------------------------------------------------

# Subcommands other than ``serve``: name -> (module, one-line help). The module is imported
# only when its command runs, and provides:
#     def configure_parser(parser: argparse.ArgumentParser) -> None
#     def run(args: argparse.Namespace, settings: Settings) -> int | None   (exit status)
CLI_COMMANDS: dict[str, tuple[str, str]] = {
    "ask": ("cli.ask", "answer one question for support staff"),
    "answer": ("cli.answer", "answer a CSV or JSONL export of tickets"),
    "notify": ("cli.notify", "run one reminder sweep and exit"),
}


def configure_logging(level: str = "INFO", log_format: str = "text") -> None:
    """Log to stderr with the request's correlation id (``LOG_FORMAT=json``: one JSON object
    per line); idempotent."""
    from bot import CorrelationIdFilter

    root = logging.getLogger()
    root.setLevel(level)
    if any(getattr(h, "_coop", False) for h in root.handlers):
        return
    handler = logging.StreamHandler()
    handler._coop = True  # type: ignore[attr-defined]
    if log_format == "json":
        from ops import JsonFormatter

        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.addFilter(CorrelationIdFilter())
    root.addHandler(handler)


def serve(settings: Settings) -> int:
    from aiohttp import web

    from ops import configure_azure_monitor

    from bot.http import RedactingAccessLogger
    from storage import StorageError

    configure_azure_monitor(settings.applicationinsights_connection_string)
    try:
        app = create_app(settings)

        async def settle(_app: web.Application) -> None:
            composition.settle_heap()  # after the start-up above: see its docstring

        app.on_startup.append(settle)
        log.info("Co-op Assistant %s listening on http://%s:%d/api/messages", __version__,
                 settings.host, settings.port)
        web.run_app(app, host=settings.host, port=settings.port, print=None,
                    access_log_class=RedactingAccessLogger)
    except StartupError as err:  # also raised at start-up: e.g. the schema is behind
        print(f"app.py: cannot start: {err}", file=sys.stderr)
        return 2
    except StorageError as err:  # e.g. the database never became reachable: one clear line
        log.error("cannot start: database: %s", err)
        return 2
    return 0


def migrate(settings: Settings) -> int:
    """``python app.py migrate``: bring the database's schema up to this code (idempotent;
    safe while other instances run: migrations are serialized by the database)."""
    import asyncio

    from storage.db import StorageError

    async def run() -> dict[str, list[int]]:
        db = await open_storage(settings)
        try:
            return await composition.migrate_database(db)
        finally:
            await db.close()

    try:
        applied = asyncio.run(run())
    except StorageError as err:
        print(f"app.py migrate: {err}", file=sys.stderr)
        return 2
    done = {name: versions for name, versions in applied.items() if versions}
    if done:
        print("migrated: " + "; ".join(f"{name} {versions}" for name, versions in done.items()))
    else:
        print("the schema is up to date")
    return 0


def _load_command(name: str) -> ModuleType:
    module_name = CLI_COMMANDS[name][0]
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as err:
        if err.name != module_name and not module_name.startswith(f"{err.name}."):
            raise
        raise StartupError(f"command {name!r} is not available: {module_name} is missing") from None
    for attribute in ("configure_parser", "run"):
        if not callable(getattr(module, attribute, None)):
            raise StartupError(f"{module_name} has no {attribute}()")
    return module


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = argparse.ArgumentParser(prog="app.py", description="Co-op Assistant")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("serve", help="serve the bot on HOST:PORT (the default)")
    commands.add_parser("migrate", help="create or update the database schema (idempotent)")
    subparsers = {name: commands.add_parser(name, help=help_text)
                  for name, (_, help_text) in CLI_COMMANDS.items()}

    module = None
    if argv and argv[0] in CLI_COMMANDS:
        try:
            module = _load_command(argv[0])
        except StartupError as err:
            print(f"app.py: {err}", file=sys.stderr)
            return 2
        module.configure_parser(subparsers[argv[0]])
    args = parser.parse_args(argv)

    try:
        settings = Settings.from_env()
    except ConfigError as err:
        print(f"app.py: {err}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level, settings.log_format)
    settings.register_language_packs()
    if args.command == "migrate":
        return migrate(settings)
    if module is None:
        return serve(settings)
    return int(module.run(args, settings) or 0)


if __name__ == "__main__":
    sys.exit(main())
