"""The composition root: every product service is built here, from settings, and handed to
whatever needs it. No package looks another up; no lower package imports an upper one
(``docs/ARCHITECTURE.md``; ``tests/test_architecture.py`` reads the imports to keep it so).

What is built from what (``app.create_app`` calls these, in this order):

- :func:`build_adapter`: ``bot.adapter.CoopAdapter`` (auth, connector clients, the outbound
  HTTP session) from the ``MicrosoftApp*`` settings.
- :func:`open_database` (start-up): ``storage.Database`` on ``DATABASE_URL``.
- :func:`build_product_bot` (start-up): ``bot.teams_bot.create_bot`` on ``storage.SqlStorage``
  over that database, with the reminders service ``reminders.StoreReminders`` and the
  schedule's ``next_reminder`` (what ``dialogs.Actions`` needs, passed in: ``dialogs`` never
  imports ``reminders``).
- :func:`mount_reminders`: the reminder routes and the daily sweep (``reminders.http``),
  given the proactive transport ``bot.proactive.AdapterTransport`` over the same adapter
  (``reminders`` never imports ``bot``) and, at start-up, the database.

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


def build_adapter(settings: Any, *, credentials_factory: Any = None, transport: Any = None) -> Any:
    """The bot adapter for ``settings`` (``bot.adapter.create_adapter``)."""
    from bot.adapter import create_adapter

    return create_adapter(settings, credentials_factory=credentials_factory, transport=transport)


async def open_database(settings: Any) -> Any:
    """The product database for ``DATABASE_URL``: ``await storage.Database.connect(url)``."""
    connect = import_attribute("storage", "Database").connect
    return await connect(settings.database_url)


def product_bot_factory() -> Any:
    """``bot.teams_bot.create_bot`` (imported now, so a missing module stops start-up early)."""
    return import_attribute("bot.teams_bot", "create_bot")


def build_reminders_service(settings: Any, db: Any) -> Any:
    """What the bot's dialogs call for reminders: ``reminders.StoreReminders`` on ``db``."""
    from reminders import StoreReminders

    return StoreReminders(db, public_base_url=settings.public_base_url)


async def build_product_bot(settings: Any, db: Any, create_bot: Any) -> Any:
    """The product bot on ``db``: conversation/user state in ``storage.SqlStorage``,
    reminder actions through :func:`build_reminders_service`."""
    from reminders.schedule import next_reminder
    from storage import SqlStorage

    kwargs: dict[str, Any] = {"reminders": build_reminders_service(settings, db)}
    if "next_reminder" in _parameters(create_bot):
        kwargs["next_reminder"] = next_reminder
    bot = create_bot(settings, SqlStorage(db), **kwargs)
    return await bot if inspect.isawaitable(bot) else bot


def build_proactive_transport(adapter: Any) -> Any:
    """The reminder sender's transport over the server's own adapter."""
    from bot.proactive import AdapterTransport

    return AdapterTransport(adapter)


def mount_reminders(app: "web.Application", settings: Any, adapter: Any) -> None:
    """``GET /calendar/{token}.ics``, ``POST /admin/sweep`` (with ``ADMIN_TOKEN``) and the daily
    reminder sweep, sending through :func:`build_proactive_transport`; the database is given
    to them at start-up (:func:`reminders.http.use_database`)."""
    from reminders.http import add_routes, start_daily_sweeper

    transport = build_proactive_transport(adapter)
    add_routes(app, transport=transport, settings=settings)
    start_daily_sweeper(app, settings, transport=transport)


def database_ready(app: "web.Application", db: Any) -> None:
    """Hand the database opened at start-up to the services mounted before it existed."""
    from reminders.http import use_database

    use_database(app, db)


def _parameters(function: Any) -> set[str]:
    try:
        return set(inspect.signature(function).parameters)
    except (TypeError, ValueError):
        return set()
