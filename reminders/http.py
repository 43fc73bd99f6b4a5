"""The reminder routes and the daily sweep task, for the app factory to mount.

    from reminders.http import add_routes, start_daily_sweeper
    add_routes(app)                        # GET /calendar/{token}.ics, GET /calendar/cycles/...,
                                           # POST /admin/sweep
    start_daily_sweeper(app, settings)     # once a day at REMINDER_SWEEP_HOUR (UTC)

The composition root hands them what they run on: the ``transport`` (the bot's
``bot.proactive.AdapterTransport``), the ``settings`` and the database. The database is
opened at start-up, after the routes are mounted: :func:`use_database` (or ``db=``) gives it
to them then; this package never looks anything up in the bot's application state.
``POST /admin/sweep`` exists only when ``ADMIN_TOKEN`` is set and
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
from understanding import registry
from planner import PlanStore

from . import store
from .ics import build_calendar
from .schedule import upcoming_deadlines
from .sweeper import Summary, run_sweep

logger = logging.getLogger(__name__)

TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{32,128}$")
CYCLES_PATTERN = re.compile(r"^\d{4}-H[12](,\d{4}-H[12]){0,3}$")
LOCALE_PATTERN = re.compile(r"^[a-z]{2}(-[A-Za-z]{2})?$")
RETRY_AFTER_FAILED_SWEEP = timedelta(minutes=15)
RETRY_UNFINISHED = timedelta(minutes=2)  # REMINDER_RETRY_SECONDS


class NotLeader(RuntimeError):
    """Another instance leads the sweep right now."""


@dataclass
class ReminderServices:
    """What the routes and the daily task run on, handed in by the composition root.

    ``limits``: the sender's rate limits (``reminders.coordination.SharedRateLimits`` in the
    server: shared by every instance); ``leader``: a ``SweepLeader`` (every sweep of every
    instance runs under it; None: sweep without asking anyone, one instance alone);
    ``observe``: told each digest's outcome (the metrics); ``plan_renderer``: the message of
    a plan's reminders (``planner.schedule.PlanRenderer``, built by the Teams side).
    """

    app: web.Application
    db: Any = None
    transport: Any = None
    settings: Any = None
    limits: Any = None
    leader: Any = None
    observe: Optional[Callable[[str, int], None]] = None
    plan_renderer: Any = None  # planner.schedule.PlanRenderer: the Teams side's plan reminder
    lease_seconds: Optional[float] = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    running: Optional[asyncio.Task] = None
    wake: asyncio.Event = field(default_factory=asyncio.Event)

    def sweep_soon(self) -> None:
        """Wake the daily task: something due today was just planned (a subscriber's urgent
        reminder, :func:`reminders.store.plan_urgent`). Once today's hour has come it sweeps
        again at once for what is unfinished; before, the day's sweep takes it."""
        self.wake.set()

    def get_settings(self) -> Any:
        return self.settings

    def get_db(self) -> Any:
        if self.db is None:
            raise RuntimeError("no database: pass db= or call use_database() at start-up")
        return self.db

    def get_transport(self) -> Any:
        if self.transport is None:
            raise RuntimeError("no transport: pass transport= (the bot's AdapterTransport)")
        return self.transport

    async def sweep(self, as_of: date, *, only_if_not_swept: bool = False) -> Optional[Summary]:
        """One sweep for ``as_of``, led by this instance; :class:`NotLeader` when another
        instance leads one now. ``only_if_not_swept``: nothing (None) when a sweep for
        ``as_of`` or later has already finished (checked once leading)."""
        db = self.get_db()
        async with self.lock:
            if self.leader is None:
                return await self._run(db, as_of, reclaim=False)
            async with self.leader.lead() as leading:
                if not leading:
                    raise NotLeader("another instance is sweeping")
                if only_if_not_swept and (await store.last_swept(db) or date.min) >= as_of:
                    return None
                return await self._run(db, as_of, reclaim=True)

    async def _run(self, db: Any, as_of: date, *, reclaim: bool) -> Summary:
        settings = self.get_settings()
        options: dict[str, Any] = {}
        if self.limits is not None:
            options["limits"] = self.limits
        lease = (self.lease_seconds if self.lease_seconds is not None
                 else getattr(settings, "reminder_lease_seconds", 60.0))
        options["lease_seconds"] = lease
        options["heartbeat_seconds"] = min(getattr(settings, "reminder_heartbeat_seconds", lease / 3),
                                           lease / 2)
        return await run_sweep(db, self.get_transport(), as_of,
                               tenant_rate=getattr(settings, "tenant_rate_per_sec", 5.0),
                               convention=getattr(settings, "fy_label_convention", None),
                               reclaim_in_flight=reclaim, observe=self.observe,
                               plan_renderer=self.plan_renderer,
                               base_url=getattr(settings, "public_base_url", "") or "", **options)


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


def use_database(app: web.Application, db: Any) -> None:
    """Give the reminder routes and the daily task the database opened at start-up."""
    _services(app, db=db)


def add_routes(app: web.Application, db: Any = None, *, transport: Any = None,
               settings: Any = None, admin_token: Optional[str] = None) -> None:
    """Mount ``GET /calendar/{token}.ics`` and, when an admin token is configured (argument, or
    ``settings.admin_token``), ``POST /admin/sweep``."""
    services = _services(app, db, transport, settings)
    app.router.add_get("/calendar/{token}.ics", handle_calendar)
    app.router.add_get("/calendar/cycles/{cycles}.ics", handle_cycles_calendar)
    token = admin_token
    if token is None:
        token = getattr(services.get_settings(), "admin_token", None)
    if token:
        app.router.add_post("/admin/sweep", _admin_sweep_handler(token))
    else:
        logger.info("reminders: ADMIN_TOKEN unset, POST /admin/sweep is disabled")


def calendar_url(base_url: str, token: str) -> str:
    """The public link of a calendar token (``PUBLIC_BASE_URL`` + ``/calendar/<token>.ics``)."""
    return f"{base_url.rstrip('/')}/calendar/{token}.ics"


async def calendar_link(db: Any, user_id: str, base_url: str, *, lang: str = registry.DEFAULT,
                        locale: Optional[str] = None) -> str:
    """The user's "Add to calendar" link (creating their token on first use)."""
    return calendar_url(base_url, await store.calendar_token(db, user_id, lang, locale))


async def handle_calendar(request: web.Request) -> web.Response:
    token = request.match_info["token"]
    services = request.app[REMINDER_SERVICES]
    if not TOKEN_PATTERN.match(token):
        raise web.HTTPNotFound()
    db = services.get_db()
    owner = await store.token_owner(db, token)
    if owner is None:
        raise web.HTTPNotFound()
    today = datetime.now(timezone.utc).date()
    settings = services.get_settings()
    # a subscription feed: the cycles still to claim on the day it is fetched, so a calendar
    # that refreshes it follows the cycles as they roll over
    # and the person's tracked activities: their claim deadlines and keep-until dates
    activities = await PlanStore(db).activities_of_person(owner["user_id"])
    body = build_calendar(upcoming_deadlines(today), owner["lang"], locale=owner["locale"],
                          convention=getattr(settings, "fy_label_convention", None),
                          activities=activities, today=today)
    return _ics_response(body, "coop-deadlines.ics", "private, max-age=3600")


def _ics_response(body: bytes, filename: str, cache: str) -> web.Response:
    return web.Response(body=body, headers={
        "Content-Type": "text/calendar; charset=utf-8",
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": cache,
        "Referrer-Policy": "no-referrer",
        "X-Robots-Tag": "noindex",
    })


async def handle_cycles_calendar(request: web.Request) -> web.Response:
    """``GET /calendar/cycles/2021-H1,2021-H2.ics?lang=fr&locale=fr-CA``: the deadlines of the
    cycles a card is about (earning halves by the calendar year of their first month, at most
    four). No user data: the same file for everyone who asks."""
    names = request.match_info["cycles"]
    if not CYCLES_PATTERN.match(names):
        raise web.HTTPNotFound()
    lang = request.query.get("lang", "")
    lang = lang if lang in registry.codes() else registry.DEFAULT
    locale = request.query.get("locale")
    locale = locale if locale and LOCALE_PATTERN.match(locale) else None
    cal = calendar()
    cycles = []
    try:
        for name in dict.fromkeys(names.split(",")):
            year, half = name.split("-")
            cycle = cal.cycle(cal.half_named(half, int(year)))
            cal.check_date(cycle.earning.start)  # inside the years the policy covers
            cycles.append(cycle)
    except (CoopError, ValueError):
        raise web.HTTPNotFound() from None
    settings = request.app[REMINDER_SERVICES].get_settings()
    body = build_calendar(cycles, lang, locale=locale,
                          convention=getattr(settings, "fy_label_convention", None))
    return _ics_response(body, f"coop-deadlines-{names.replace(',', '_')}.ics", "public, max-age=86400")


def _admin_sweep_handler(admin_token: str) -> Callable:
    expected = admin_token.encode()

    async def handle_admin_sweep(request: web.Request) -> web.Response:
        header = request.headers.get("Authorization", "")
        scheme, _, credentials = header.partition(" ")
        try:
            # aiohttp decodes header bytes that are not UTF-8 into lone surrogates: no token
            sent = credentials.strip().encode()
        except UnicodeEncodeError:
            sent = b""
        if scheme.lower() != "bearer" or not sent:
            return web.json_response({"error": "authentication required"}, status=401,
                                     headers={"WWW-Authenticate": 'Bearer realm="co-op admin"'})
        if not hmac.compare_digest(sent, expected):
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
            try:
                summary = await task
            except NotLeader:
                return web.json_response({"error": "a sweep is running on another instance"},
                                         status=409)
            return web.json_response(summary.to_dict())
        task.add_done_callback(_log_task_failure)
        return web.json_response({"status": "started", "as_of": as_of.isoformat()}, status=202)

    return handle_admin_sweep


def _log_task_failure(task: asyncio.Task) -> None:
    if not task.cancelled() and isinstance(task.exception(), NotLeader):
        logger.info("reminders: operator sweep not run: another instance is sweeping")
    elif not task.cancelled() and task.exception() is not None:
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
    """Once today's hour has come and today is not swept: sweep if this instance can lead,
    else stand by (retry every ``leader.poll`` seconds: a leader that died is replaced then),
    until a sweep for today has finished; then sleep until tomorrow's hour. While reminders
    due today are unfinished (left pending after transient errors, or held by a sweeper that
    died), come back within ``retry_soon`` seconds (``REMINDER_RETRY_SECONDS``)."""
    while True:
        services.wake.clear()  # a wake-up from now on is for what this round has not seen
        now = clock()
        today = now.date()
        due_today = now >= datetime.combine(today, dtime(hour), tzinfo=timezone.utc)
        wait = None
        if due_today:
            try:
                db = services.get_db()
                last = await store.last_swept(db)
                unfinished = await store.unfinished_due(db, today)
                if last is None or last < today or unfinished:
                    await services.sweep(today, only_if_not_swept=not unfinished)
                unfinished = await store.unfinished_due(db, today)
                if unfinished:
                    logger.info("reminders: %d subscribers' reminders due %s are unfinished; "
                                "sweeping again in %.0f s", unfinished, today, retry_soon)
                    wait = retry_soon
            except asyncio.CancelledError:
                raise
            except NotLeader:
                wait = services.leader.poll
                logger.debug("reminders: another instance leads today's sweep; standing by")
            except Exception:
                logger.exception("reminders: daily sweep for %s failed; retrying in %s",
                                 today, RETRY_AFTER_FAILED_SWEEP)
                wait = RETRY_AFTER_FAILED_SWEEP.total_seconds()
        until_tomorrow = seconds_until(clock(), hour)
        try:  # until tomorrow's hour, a retry, or a wake-up (services.sweep_soon)
            await asyncio.wait_for(services.wake.wait(),
                                   until_tomorrow if wait is None else min(wait, until_tomorrow))
        except asyncio.TimeoutError:
            pass
