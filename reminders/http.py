"""The reminder routes and the daily sweep task, for the app factory to mount.

    from reminders.http import add_routes, start_daily_sweeper
    add_routes(app)                        # GET /calendar/{token}.ics, POST /admin/sweep
    start_daily_sweeper(app, settings)     # once a day at REMINDER_SWEEP_HOUR (UTC)

Both find the database and the adapter at ``app[bot.http.SERVICES]`` (``storage``,
``adapter``, ``settings``) when they are not passed in, at request / start time (the storage
is opened at start-up). ``POST /admin/sweep`` exists only when ``ADMIN_TOKEN`` is set and
requires ``Authorization: Bearer <ADMIN_TOKEN>`` (401 without credentials, 403 with wrong
ones); body ``{"as_of": "YYYY-MM-DD"}`` optional; answers 202 at once, or 200 with the summary
with ``?wait=1``; 409 while a sweep is running in this process.
"""
from __future__ import annotations

import asyncio
import hmac
import json
import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time as dtime, timedelta, timezone
from typing import Any, Callable, Optional

from aiohttp import web

from core import CoopError, calendar

from . import store
from .ics import build_calendar
from .schedule import upcoming_deadlines
from .sweeper import Summary, run_sweep
from .transport import AdapterTransport

logger = logging.getLogger(__name__)

TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{32,128}$")
RETRY_AFTER_FAILED_SWEEP = timedelta(minutes=15)
RETRY_UNFINISHED = timedelta(minutes=2)  # REMINDER_RETRY_SECONDS


@dataclass
class ReminderServices:
    """What the routes and the daily task run on; unset values come from ``app[SERVICES]``."""

    app: web.Application
    db: Any = None
    transport: Any = None
    settings: Any = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    running: Optional[asyncio.Task] = None

    def _services(self) -> Any:
        from bot.http import SERVICES

        return self.app[SERVICES]

    def get_settings(self) -> Any:
        return self.settings if self.settings is not None else self._services().settings

    def get_db(self) -> Any:
        db = self.db if self.db is not None else self._services().storage
        if db is None:
            raise RuntimeError("no database: pass db= or open storage at app start-up")
        return db

    def get_transport(self) -> Any:
        if self.transport is None:
            self.transport = AdapterTransport(self._services().adapter)
        return self.transport

    async def sweep(self, as_of: date) -> Summary:
        db = self.get_db()
        await store.ensure_schema(db)
        settings = self.get_settings()
        async with self.lock:
            lease = getattr(settings, "reminder_lease_seconds", 60.0)
            return await run_sweep(db, self.get_transport(), as_of,
                                   tenant_rate=getattr(settings, "tenant_rate_per_sec", 5.0),
                                   convention=getattr(settings, "fy_label_convention", "seed"),
                                   lease_seconds=lease,
                                   heartbeat_seconds=getattr(settings, "reminder_heartbeat_seconds",
                                                             lease / 3))


REMINDER_SERVICES = web.AppKey("reminder_services", ReminderServices)


def _services(app: web.Application, db: Any = None, transport: Any = None,
              settings: Any = None) -> ReminderServices:
    services = app.get(REMINDER_SERVICES)
    if services is None:
        services = ReminderServices(app)
        app[REMINDER_SERVICES] = services
    if db is not None:
        services.db = db
    if transport is not None:
        services.transport = transport
    if settings is not None:
        services.settings = settings
    return services


def add_routes(app: web.Application, db: Any = None, *, transport: Any = None,
               settings: Any = None, admin_token: Optional[str] = None) -> None:
    """Mount ``GET /calendar/{token}.ics`` and, when an admin token is configured (argument, or
    ``settings.admin_token``), ``POST /admin/sweep``."""
    services = _services(app, db, transport, settings)
    app.router.add_get("/calendar/{token}.ics", handle_calendar)
    token = admin_token
    if token is None:
        try:
            token = getattr(services.get_settings(), "admin_token", None)
        except KeyError:
            token = None
    if token:
        app.router.add_post("/admin/sweep", _admin_sweep_handler(token))
    else:
        logger.info("reminders: ADMIN_TOKEN unset, POST /admin/sweep is disabled")


def calendar_url(base_url: str, token: str) -> str:
    """The public link of a calendar token (``PUBLIC_BASE_URL`` + ``/calendar/<token>.ics``)."""
    return f"{base_url.rstrip('/')}/calendar/{token}.ics"


async def calendar_link(db: Any, user_id: str, base_url: str, *, lang: str = "en",
                        locale: Optional[str] = None) -> str:
    """The user's "Add to calendar" link (creating their token on first use)."""
    await store.ensure_schema(db)
    return calendar_url(base_url, await store.calendar_token(db, user_id, lang, locale))


async def handle_calendar(request: web.Request) -> web.Response:
    token = request.match_info["token"]
    services = request.app[REMINDER_SERVICES]
    if not TOKEN_PATTERN.match(token):
        raise web.HTTPNotFound()
    db = services.get_db()
    await store.ensure_schema(db)
    owner = await store.token_owner(db, token)
    if owner is None:
        raise web.HTTPNotFound()
    today = datetime.now(timezone.utc).date()
    settings = services.get_settings()
    body = build_calendar(upcoming_deadlines(today), owner["lang"], locale=owner["locale"],
                          convention=getattr(settings, "fy_label_convention", "seed"))
    return web.Response(body=body, headers={
        "Content-Type": "text/calendar; charset=utf-8",
        "Content-Disposition": 'attachment; filename="coop-deadlines.ics"',
        "Cache-Control": "private, max-age=3600",
        "Referrer-Policy": "no-referrer",
        "X-Robots-Tag": "noindex",
    })


def _admin_sweep_handler(admin_token: str) -> Callable:
    expected = admin_token.encode()

    async def handle_admin_sweep(request: web.Request) -> web.Response:
        header = request.headers.get("Authorization", "")
        scheme, _, credentials = header.partition(" ")
        if scheme.lower() != "bearer" or not credentials.strip():
            return web.json_response({"error": "authentication required"}, status=401,
                                     headers={"WWW-Authenticate": 'Bearer realm="co-op admin"'})
        if not hmac.compare_digest(credentials.strip().encode(), expected):
            logger.warning("reminders: refused POST /admin/sweep from %s (bad token)",
                           request.remote)
            return web.json_response({"error": "forbidden"}, status=403)
        as_of = datetime.now(timezone.utc).date()
        if request.can_read_body:
            try:
                payload = json.loads(await request.read() or b"{}")
                if payload.get("as_of"):
                    as_of = calendar().check_date(date.fromisoformat(payload["as_of"]))
            except (ValueError, AttributeError, TypeError, CoopError):
                return web.json_response({"error": 'body must be {"as_of": "YYYY-MM-DD"}'},
                                         status=400)
        services = request.app[REMINDER_SERVICES]
        if services.lock.locked():
            return web.json_response({"error": "a sweep is already running"}, status=409)
        task = asyncio.create_task(services.sweep(as_of))
        services.running = task
        if request.query.get("wait") in ("1", "true", "yes"):
            summary = await task
            return web.json_response(summary.to_dict())
        task.add_done_callback(_log_task_failure)
        return web.json_response({"status": "started", "as_of": as_of.isoformat()}, status=202)

    return handle_admin_sweep


def _log_task_failure(task: asyncio.Task) -> None:
    if not task.cancelled() and task.exception() is not None:
        logger.error("reminders: sweep failed", exc_info=task.exception())


def seconds_until(now: datetime, hour: int) -> float:
    """Seconds from ``now`` (UTC) to the next ``hour``:00 UTC.

    >>> seconds_until(datetime(2022, 8, 8, 8, 30, tzinfo=timezone.utc), 9)
    1800.0
    >>> seconds_until(datetime(2022, 8, 8, 9, 0, tzinfo=timezone.utc), 9)
    86400.0
    """
    target = datetime.combine(now.date(), dtime(hour), tzinfo=timezone.utc)
    if target <= now:
        target += timedelta(days=1)
    return (target - now).total_seconds()


def start_daily_sweeper(app: web.Application, settings: Any = None, db: Any = None,
                        transport: Any = None, *,
                        clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> None:
    """Sweep once a day at ``settings.reminder_sweep_hour`` (UTC); nothing when
    ``settings.reminder_sweep_enabled`` is false. At start-up, if today's hour has passed and
    today was not swept yet (downtime), it sweeps at once. Cancelled cleanly at shutdown."""
    services = _services(app, db, transport, settings)

    async def daily(_app: web.Application):
        conf = services.get_settings()
        if not getattr(conf, "reminder_sweep_enabled", True):
            logger.info("reminders: daily sweep disabled (REMINDER_SWEEP_ENABLED=false)")
            yield
            return
        retry_soon = getattr(conf, "reminder_retry_seconds", RETRY_UNFINISHED.total_seconds())
        task = asyncio.create_task(_daily_loop(services, conf.reminder_sweep_hour, clock,
                                               retry_soon),
                                   name="reminders-daily-sweep")
        try:
            yield
        finally:
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass

    app.cleanup_ctx.append(daily)


async def _daily_loop(services: ReminderServices, hour: int, clock: Callable[[], datetime],
                      retry_soon: float = 120.0) -> None:
    """Sweep once a day; come back within ``retry_soon`` seconds while reminders due today
    are unfinished (left pending after transient errors, or held by a sweeper that died),
    and within 15 minutes after a sweep that failed outright."""
    while True:
        now = clock()
        today = now.date()
        due_today = now >= datetime.combine(today, dtime(hour), tzinfo=timezone.utc)
        retry = unfinished = 0
        if due_today:
            try:
                db = services.get_db()
                await store.ensure_schema(db)
                last = await store.last_swept(db)
                if last is None or last < today or await store.unfinished_due(db, today):
                    await services.sweep(today)
                unfinished = await store.unfinished_due(db, today)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("reminders: daily sweep for %s failed; retrying in %s",
                                 today, RETRY_AFTER_FAILED_SWEEP)
                retry = True
        wait = seconds_until(clock(), hour)
        if retry:
            wait = min(wait, RETRY_AFTER_FAILED_SWEEP.total_seconds())
        if unfinished:
            logger.info("reminders: %d subscribers' reminders due %s are unfinished; sweeping "
                        "again in %.0f s", unfinished, today, retry_soon)
            wait = min(wait, retry_soon)
        await asyncio.sleep(wait)
