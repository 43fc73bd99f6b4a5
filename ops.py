"""Operations: Prometheus metrics (``GET /metrics``), JSON logs, optional Azure Monitor export.

Built by the composition root (``app.create_app``); no product package imports this module:
the pieces report through seams they own (``storage.db.STATEMENT_OBSERVERS``, the sweep's
``observe`` callback, the rate limits' ``on_wait``) and an aiohttp middleware times the turns.

Metrics (one registry per application):

==============================================  =============================================
``coop_turns_total{status}``                    ``POST /api/messages`` answered, by HTTP status
``coop_turn_seconds``                           their latency (histogram)
``coop_errors_total{kind}``                     errors by kind: the 4xx/5xx codes of the HTTP
                                                layer (``BadRequest``, ``Unauthorized``, ...),
                                                and ``logged:<logger>`` for every ERROR logged
                                                (a failed turn, a failed sweep, ...)
``coop_reminders_total{outcome}``               digests ``sent``, ``failed``, ``deferred``
                                                (left for the next sweep), ``deactivated``,
                                                ``skipped``
``coop_rate_limit_waits_total``                 sends that waited for the shared tenant or
``coop_rate_limit_wait_seconds_total``          conversation limit, and for how long in all
``coop_db_statement_seconds{dialect}``          database time per statement (histogram)
``coop_db_errors_total{dialect}``               statements that failed
==============================================  =============================================

``LOG_FORMAT=json``: one JSON object per line (``time``, ``level``, ``logger``, ``message``,
``correlation_id``, ``exception``), what Azure Container Apps / App Service log collectors
parse. ``APPLICATIONINSIGHTS_CONNECTION_STRING`` set: traces, requests and logs are exported
with ``azure-monitor-opentelemetry`` when it is installed (an optional dependency, not in
``requirements.txt``; see docs/DEPLOY.md); without it a warning says how to install it.
"""
from __future__ import annotations

import hmac
import json
import logging
import time
from datetime import datetime, timezone
from typing import Any, Callable

from aiohttp import web

log = logging.getLogger("ops")

TURN_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
DB_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0)
MESSAGES_PATH = "/api/messages"


class Metrics:
    """The application's Prometheus metrics, in a registry of their own."""

    def __init__(self) -> None:
        from prometheus_client import CollectorRegistry, Counter, Histogram

        self.registry = CollectorRegistry()
        r = self.registry
        self.turns = Counter("coop_turns", "POST /api/messages answered, by HTTP status",
                             ["status"], registry=r)
        self.turn_seconds = Histogram("coop_turn_seconds", "POST /api/messages latency",
                                      buckets=TURN_BUCKETS, registry=r)
        self.errors = Counter("coop_errors", "errors by kind", ["kind"], registry=r)
        self.reminders = Counter("coop_reminders", "reminder digests by outcome", ["outcome"],
                                 registry=r)
        self.rate_waits = Counter("coop_rate_limit_waits",
                                  "sends that waited for the shared rate limits", registry=r)
        self.rate_wait_seconds = Counter("coop_rate_limit_wait_seconds",
                                         "seconds waited for the shared rate limits", registry=r)
        self.db_seconds = Histogram("coop_db_statement_seconds", "database time per statement",
                                    ["dialect"], buckets=DB_BUCKETS, registry=r)
        self.db_errors = Counter("coop_db_errors", "database statements that failed",
                                 ["dialect"], registry=r)
        self._db_seconds_by_dialect: dict[str, Any] = {}
        self._turns_by_status: dict[int, Any] = {}
        for outcome in ("sent", "failed", "deferred", "deactivated", "skipped"):
            self.reminders.labels(outcome)  # present (at 0) before the first sweep

    # --- what the product's seams call ---

    def reminder(self, outcome: str, n: int = 1) -> None:
        self.reminders.labels(outcome).inc(n)

    def rate_wait(self, seconds: float) -> None:
        self.rate_waits.inc()
        self.rate_wait_seconds.inc(seconds)

    def statement(self, dialect: str, seconds: float, failed: bool) -> None:
        # every statement of every turn comes here: the labelled child is looked up once
        # (prometheus' labels() validates and locks on each call)
        child = self._db_seconds_by_dialect.get(dialect)
        if child is None:
            child = self._db_seconds_by_dialect[dialect] = self.db_seconds.labels(dialect)
        child.observe(seconds)
        if failed:
            self.db_errors.labels(dialect).inc()

    def exposition(self) -> tuple[bytes, str]:
        from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

        return generate_latest(self.registry), CONTENT_TYPE_LATEST


METRICS = web.AppKey("metrics", Metrics)


def install(app: web.Application, metrics: Metrics, *, admin_token: str | None = None,
            ready: Callable[[], Any] | None = None) -> None:
    """``GET /metrics``, the turn-timing middleware, the database observer and the ERROR-log
    counter on ``app`` (removed again at its cleanup); and a minimal ``GET /readyz`` (the
    database answers ``SELECT 1``) unless the application already has one. ``ready``
    returns the database (None while starting).

    ``/metrics`` is an operator route: it exists only with ``ADMIN_TOKEN`` and answers only
    ``Authorization: Bearer <ADMIN_TOKEN>`` (Prometheus: ``authorization.credentials``)."""
    from storage.db import STATEMENT_OBSERVERS

    @web.middleware
    async def time_turns(request: web.Request, handler: Callable) -> web.StreamResponse:
        if request.path != MESSAGES_PATH:
            return await handler(request)
        started = time.perf_counter()
        try:
            response = await handler(request)
        except web.HTTPException as http_error:
            _count_turn(metrics, http_error.status, "HTTP" + str(http_error.status), started)
            raise
        code = None
        if response.status >= 400 and isinstance(response, web.Response):
            code = _error_code(response.body)
        _count_turn(metrics, response.status, code, started)
        return response

    expected = (admin_token or "").encode()

    async def handle_metrics(request: web.Request) -> web.Response:
        scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
        try:
            # aiohttp decodes header bytes that are not UTF-8 into lone surrogates: no token
            sent = credentials.strip().encode()
        except UnicodeEncodeError:
            sent = b""
        if scheme.lower() != "bearer" or not sent:
            return web.json_response({"error": "authentication required"}, status=401,
                                     headers={"WWW-Authenticate": 'Bearer realm="co-op admin"'})
        if not hmac.compare_digest(sent, expected):
            return web.json_response({"error": "forbidden"}, status=403)
        body, content_type = metrics.exposition()
        return web.Response(body=body, headers={"Content-Type": content_type})

    async def handle_readyz(_request: web.Request) -> web.Response:
        db = ready() if ready is not None else None
        if db is None:
            return web.json_response({"status": "starting"}, status=503)
        try:
            await db.fetchval("SELECT 1")
        except Exception as error:  # any database failure means "not ready", and is logged
            log.warning("readyz: the database does not answer: %s", type(error).__name__)
            return web.json_response({"status": "database unavailable"}, status=503)
        return web.json_response({"status": "ready"})

    app.middlewares.append(time_turns)
    if admin_token:
        app.router.add_get("/metrics", handle_metrics)
    else:
        log.info("ops: ADMIN_TOKEN unset, GET /metrics is disabled")
    if not any(getattr(r, "canonical", None) == "/readyz" for r in app.router.resources()):
        app.router.add_get("/readyz", handle_readyz)
    counter = _ErrorLogCounter(metrics)

    async def observe(_app: web.Application):
        STATEMENT_OBSERVERS.append(metrics.statement)
        logging.getLogger().addHandler(counter)
        try:
            yield
        finally:
            STATEMENT_OBSERVERS.remove(metrics.statement)
            logging.getLogger().removeHandler(counter)

    app.cleanup_ctx.append(observe)


def _count_turn(metrics: Metrics, status: int, code: str | None, started: float) -> None:
    turns = metrics._turns_by_status.get(status)  # noqa: SLF001 - the labelled child, once
    if turns is None:
        turns = metrics._turns_by_status[status] = metrics.turns.labels(str(status))  # noqa: SLF001
    turns.inc()
    metrics.turn_seconds.observe(time.perf_counter() - started)
    if status >= 400:
        metrics.errors.labels(code or f"HTTP{status}").inc()


def _error_code(body: Any) -> str | None:
    try:
        code = json.loads(body)["error"]["code"]
    except (TypeError, ValueError, KeyError):
        return None
    return str(code)[:40] if code else None


class _ErrorLogCounter(logging.Handler):
    def __init__(self, metrics: Metrics) -> None:
        super().__init__(level=logging.ERROR)
        self.metrics = metrics

    def emit(self, record: logging.LogRecord) -> None:
        self.metrics.errors.labels(f"logged:{record.name}"[:60]).inc()


# --- logs -------------------------------------------------------------------------------------


class JsonFormatter(logging.Formatter):
    """One JSON object per record, with the request's correlation id."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(
                timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "correlation_id": getattr(record, "correlation_id", "-"),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_azure_monitor(connection_string: str | None) -> bool:
    """Export to Application Insights when a connection string is set and the optional
    ``azure-monitor-opentelemetry`` package is installed; True when it was configured."""
    if not connection_string:
        return False
    try:
        from azure.monitor.opentelemetry import configure_azure_monitor as configure
    except ImportError:
        log.warning("APPLICATIONINSIGHTS_CONNECTION_STRING is set but azure-monitor-opentelemetry "
                    "is not installed: pip install azure-monitor-opentelemetry (see "
                    "docs/DEPLOY.md); telemetry goes to the logs and /metrics only")
        return False
    configure(connection_string=connection_string)
    log.info("telemetry: exporting to Azure Monitor (Application Insights)")
    return True
