"""``POST /api/messages``: from the socket to ``bot.on_turn(turn_context)``; ``GET /healthz``
(liveness) and ``GET /readyz`` (readiness: the database answers).

Answers, in the order they are checked:

====  ==========================================================================================
415   ``Content-Type`` is not ``application/json``
413   ``Content-Length`` over :data:`MAX_BODY_BYTES` (256 KB; also the application's
      ``client_max_size``; a longer body without that header is refused once read)
401   with ``MicrosoftAppId`` set: no valid Bot Framework token (missing, malformed, wrong
      algorithm, issuer or audience, expired, bad signature), checked *before* the body is
      read (:func:`bot.tokens.verify_bearer`), so an unauthenticated body costs nothing.
      Without an app id (local development) the ``Authorization`` header is ignored.
503   no signing key could be fetched to check the token's signature (the channel retries;
      a failed fetch is remembered for 30 s and logged once)
400   not JSON, not a JSON object, or not an activity: ``type``, ``conversation.id`` and
      ``from.id`` are required strings, ``serviceUrl`` an http(s) URL (required unless
      ``deliveryMode`` is ``expectReplies``), ``text`` a string or null; objects and arrays
      nested more than :data:`MAX_JSON_DEPTH` (64) levels deep (real activities nest fewer
      than 15; everything that walks the activity afterwards relies on this bound)
401   the checks that need the activity, botframework-connector's own: ``serviceurl`` claim
      not matching ``serviceUrl``, channel not endorsed by the signing key
400   an activity type that is not a Bot Framework activity type (botbuilder's
      ``ActivityTypes``; issue #4's bad-input matrix): checked after authentication, never
      passed to the bot. Known types the bot has no handler for are answered 200 as usual.
200   ``expectReplies``: ``{"activities": [...]}`` with every reply of the turn
xxx   invoke: the bot's invoke response status and JSON body (500 when the bot raised,
      501 when it gave none)
200   anything else, once the bot's turn is over (replies were POSTed to ``serviceUrl``)
500   only when the adapter itself fails (logged with the correlation id)
====  ==========================================================================================

A bot that raises does not turn into a 500: the adapter logs it, apologises to the user and the
turn answers as above. Text longer than :data:`MAX_TEXT_CHARS` (5 000) is cut to that length
before the bot sees it (Teams itself caps a message near 28 KB; a 100 000-character paste is
a mistake or an attack, and the first 5 000 characters are plenty to recognise a question).

Every answer carries ``X-Correlation-Id``; errors are JSON ``{"error": {"code", "message"}}``.
"""

from __future__ import annotations

import json
import logging
import re
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from botbuilder.core import Bot
from botbuilder.schema import Activity, ActivityTypes, DeliveryModes
from msrest.exceptions import DeserializationError

from core.redact import bounded, redact_path

from . import correlation_id
from .adapter import CoopAdapter, new_correlation_id
from .tokens import OpenIdMetadataUnavailable, verify_bearer
from .wire import compact_json, model_from_json

log = logging.getLogger(__name__)


@dataclass
class Services:
    """What ``create_app()`` runs on, at ``app[SERVICES]``, for routes and tasks added by others.

    ``bot`` and ``storage`` are filled in at start-up when they are built from settings.
    """

    settings: Any
    adapter: CoopAdapter
    bot: Any = None
    storage: Any = None
    version: str = ""


SERVICES = web.AppKey("services", Services)

MAX_BODY_BYTES = 256 * 1024
MAX_TEXT_CHARS = 5000
MAX_JSON_DEPTH = 64

KNOWN_ACTIVITY_TYPES = frozenset(t.value for t in ActivityTypes)
CORRELATION_HEADER = "X-Correlation-Id"


class _Reject(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def error_response(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"error": {"code": code, "message": message}}, status=status)


async def handle_messages(request: web.Request) -> web.StreamResponse:
    """``POST /api/messages`` for an application made by ``create_app()`` (uses ``app[SERVICES]``)."""
    services = request.app[SERVICES]
    if services.bot is None:  # only between create_app() and the end of start-up
        return error_response(503, "ServiceUnavailable", "the bot is starting")
    return await process_messages(request, services.adapter, services.bot)


async def process_messages(request: web.Request, adapter: CoopAdapter, bot: Bot) -> web.StreamResponse:
    """Run ``bot`` on the request's activity through ``adapter`` (any route may call this)."""
    cid = new_correlation_id()
    token = correlation_id.set(cid)
    started = time.perf_counter()
    try:
        try:
            response = await _process(request, adapter, bot)
        except _Reject as reject:
            log.info("rejected %s %s [cid=%s]", reject.status, reject.code, cid)
            response = error_response(reject.status, reject.code, reject.message)
        except Exception:
            log.exception("processing the activity failed [cid=%s]", cid)
            response = error_response(500, "InternalError",
                                      f"the bot could not process the activity (ref {cid})")
        response.headers[CORRELATION_HEADER] = cid
        log.debug("answered %s in %.1f ms [cid=%s]", response.status,
                  (time.perf_counter() - started) * 1000, cid)
        return response
    finally:
        correlation_id.reset(token)


async def _process(request: web.Request, adapter: CoopAdapter, bot: Bot) -> web.StreamResponse:
    check_request_envelope(request)
    auth_header = request.headers.get("Authorization", "") if adapter.auth_enabled else ""
    if adapter.auth_enabled:
        # The token first: an unauthenticated body is neither read nor parsed.
        await _authenticate(verify_bearer(auth_header, adapter.app_id))
    activity = await read_activity(request)
    authentication = await _authenticate(
        adapter.bot_framework_authentication.authenticate_request(activity, auth_header))

    if activity.type not in KNOWN_ACTIVITY_TYPES:
        log.info("refused activity of unknown type %s [cid=%s]", bounded(activity.type, 40),
                 correlation_id.get())
        raise _Reject(400, "UnknownActivityType", "not a Bot Framework activity type")

    invoke_response = await adapter.process_activity(authentication, activity, bot.on_turn)
    if invoke_response is None:
        return web.Response(status=200)
    status = int(invoke_response.status)
    if invoke_response.body is None:
        return web.Response(status=status)
    return web.json_response(invoke_response.body, status=status, dumps=compact_json)


async def _authenticate(check: Any) -> Any:
    """Await a token check; 503 when no signing key could be fetched (logged once by the key
    cache), 401 for any other failure."""
    try:
        return await check
    except OpenIdMetadataUnavailable:
        log.debug("signing keys unavailable [cid=%s]", correlation_id.get())
        raise _Reject(503, "ServiceUnavailable", "cannot validate tokens right now") from None
    except Exception as err:  # botframework-connector raises PermissionError, jwt errors, ...
        log.warning("unauthorized request [cid=%s]: %s: %s", correlation_id.get(),
                    type(err).__name__, str(err)[:200])
        raise _Reject(401, "Unauthorized", "missing or invalid Bot Framework token") from None


def check_request_envelope(request: web.Request) -> None:
    """What is checked from the headers alone, before the token: content type and length."""
    if request.content_type != "application/json":
        raise _Reject(415, "UnsupportedMediaType", "Content-Type must be application/json")
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        raise _Reject(413, "PayloadTooLarge", f"body over {MAX_BODY_BYTES} bytes")


async def read_activity(request: web.Request) -> Activity:
    """The request's activity, validated; raises :class:`_Reject` with the 4xx to answer."""
    check_request_envelope(request)
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise _Reject(413, "PayloadTooLarge", f"body over {MAX_BODY_BYTES} bytes") from None
    if len(raw) > MAX_BODY_BYTES:
        raise _Reject(413, "PayloadTooLarge", f"body over {MAX_BODY_BYTES} bytes")
    try:
        payload = json.loads(raw)
    except (ValueError, RecursionError):  # includes UnicodeDecodeError
        raise _Reject(400, "BadRequest", "body is not valid JSON") from None

    problem = activity_problem(payload)
    if problem:
        raise _Reject(400, "BadRequest", problem)
    try:
        payload = clean_payload(payload, walk=_needs_walk(raw))
    except TooDeep:
        raise _Reject(400, "BadRequest",
                      f"body nested more than {MAX_JSON_DEPTH} levels deep") from None
    try:
        activity = model_from_json(Activity, payload)  # msrest's Activity.deserialize, faster
    except DeserializationError as err:
        # the message quotes the offending value: not at INFO, it may be the user's
        log.info("activity not deserializable [cid=%s]", correlation_id.get())
        log.debug("deserialization error [cid=%s]: %s", correlation_id.get(), str(err)[:300])
        raise _Reject(400, "BadRequest", "activity has fields of the wrong type") from None

    if activity.text is not None and len(activity.text) > MAX_TEXT_CHARS:
        log.info("text cut from %d to %d characters [cid=%s]", len(activity.text),
                 MAX_TEXT_CHARS, correlation_id.get())
        activity.text = activity.text[:MAX_TEXT_CHARS]
    return activity


# Ids address replies and key stored state: one that is not clean text is refused, never
# altered (an altered id would address another conversation).
ID_FIELDS = (("conversation", "id"), ("from", "id"), ("recipient", "id"), (None, "id"),
             (None, "channelId"), (None, "replyToId"))
_UNCLEAN = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")
MAX_LOCALE_CHARS = 35  # BCP 47 tags in practice; longer ones are dropped


def _id_problem(payload: dict) -> str | None:
    for parent, name in ID_FIELDS:
        holder = payload if parent is None else payload.get(parent)
        value = holder.get(name) if isinstance(holder, dict) else None
        label = name if parent is None else f"{parent}.{name}"
        if value is None:
            continue
        if not isinstance(value, str):
            return f"{label} must be a string"
        if _UNCLEAN.search(value):
            return f"{label} contains characters that are not allowed (NUL, control, lone surrogate)"
    return None


class TooDeep(ValueError):
    """A JSON value nested more than :data:`MAX_JSON_DEPTH` levels deep."""


# What in a JSON body can decode to a NUL or a lone surrogate: a \u escape of either, or
# (json.loads decodes bytes with "surrogatepass") a surrogate's own UTF-8 bytes, or a body
# that is not UTF-8 (UTF-16/32 have NUL bytes in their ASCII characters).
_MAY_NEED_CLEANING = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])|\xed[\xa0-\xbf]|\x00")


def _needs_walk(raw: bytes) -> bool:
    """Whether :func:`clean_payload` must walk the payload parsed from ``raw``: False only when
    no string in it can hold a NUL or a lone surrogate and it cannot nest deeper than
    :data:`MAX_JSON_DEPTH` (it has no more opening brackets than that), i.e. when the walk
    would change nothing and raise nothing. A Teams message has ~15 brackets and no such escape.

    >>> _needs_walk('{"text": "café", "value": [{"x": 1}]}'.encode())
    False
    >>> _needs_walk(rb'{"text": "a\\u0000b"}'), _needs_walk(rb'{"text": "\\uD83D"}')
    (True, True)
    >>> _needs_walk(b"[" * (MAX_JSON_DEPTH + 1) + b"]" * (MAX_JSON_DEPTH + 1))
    True
    """
    return (raw.count(b"{") + raw.count(b"[") > MAX_JSON_DEPTH
            or _MAY_NEED_CLEANING.search(raw) is not None)


def clean_payload(payload: Any, *, walk: bool = True) -> Any:
    """Every string with NUL removed and lone surrogates (invalid UTF-16 halves that no
    database or UTF-8 encoder accepts) replaced by U+FFFD; ``localTimezone`` that is not an
    IANA name and an over-long ``locale`` dropped (the turn falls back to UTC / no locale).
    Raises :class:`TooDeep` for objects or arrays nested more than :data:`MAX_JSON_DEPTH`
    levels (the first walk over the whole payload: recursion here and in whatever walks it
    later stays bounded). ``walk=False`` (the body was checked by :func:`_needs_walk`: the walk
    would find nothing) does only the top-level checks.

    >>> clean_payload({"text": "a" + chr(0) + "b", "value": [{"x": chr(0xD800)}]})
    {'text': 'ab', 'value': [{'x': '�'}]}
    >>> deep = {}
    >>> for _ in range(MAX_JSON_DEPTH + 1): deep = {"x": deep}
    >>> clean_payload({"value": deep})
    Traceback (most recent call last):
    ...
    bot.http.TooDeep: nested more than 64 levels
    """
    from .locale import valid_zone_name

    def clean(value: Any, depth: int) -> Any:
        if isinstance(value, str):
            if "\x00" in value:
                value = value.replace("\x00", "")
            return _LONE_SURROGATE.sub("\ufffd", value) if _LONE_SURROGATE.search(value) else value
        if isinstance(value, (dict, list)) and depth >= MAX_JSON_DEPTH:
            raise TooDeep(f"nested more than {MAX_JSON_DEPTH} levels")
        if isinstance(value, dict):
            return {clean(k, depth): clean(v, depth + 1) for k, v in value.items()}
        if isinstance(value, list):
            return [clean(v, depth + 1) for v in value]
        return value

    if walk:
        payload = clean(payload, 0)
    zone = payload.get("localTimezone")
    if zone is not None and not valid_zone_name(zone):
        log.info("dropped a localTimezone that is not an IANA name [cid=%s]", correlation_id.get())
        payload["localTimezone"] = None
    locale = payload.get("locale")
    if locale is not None and (not isinstance(locale, str) or len(locale) > MAX_LOCALE_CHARS):
        payload["locale"] = None
    return payload


def activity_problem(payload: Any) -> str | None:
    """What makes ``payload`` unusable as an incoming activity, or None.

    >>> activity_problem({"type": "message", "conversation": {"id": "c"}, "from": {"id": "u"},
    ...                   "deliveryMode": "expectReplies"}) is None
    True
    >>> activity_problem({"type": "message", "conversation": {"id": "c"}, "from": {"id": "u"}})
    'serviceUrl is required (an http or https URL)'
    """
    if not isinstance(payload, dict):
        return "body must be a JSON object (an activity)"
    if not _nonempty_str(payload.get("type")):
        return "type is required"
    for field in ("conversation", "from"):
        value = payload.get(field)
        if not isinstance(value, dict) or not _nonempty_str(value.get("id")):
            return f"{field}.id is required"
    problem = _id_problem(payload)
    if problem:
        return problem
    text = payload.get("text")
    if text is not None and not isinstance(text, str):
        return "text must be a string or null"
    delivery_mode = payload.get("deliveryMode")
    if delivery_mode is not None and not isinstance(delivery_mode, str):
        return "deliveryMode must be a string"
    service_url = payload.get("serviceUrl")
    if service_url is not None or delivery_mode != DeliveryModes.expect_replies:
        parts = urlsplit(service_url) if isinstance(service_url, str) else None
        if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
            return "serviceUrl is required (an http or https URL)"
    return None


def _nonempty_str(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


class RedactingAccessLogger(AbstractAccessLogger):
    """aiohttp's access log without secrets: ``METHOD path status bytes ms``, the path
    without its query string and with token-like segments (calendar links) redacted, no
    Referer or User-Agent. ``web.run_app(..., access_log_class=RedactingAccessLogger)``."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        if not self.logger.isEnabledFor(logging.INFO):
            return
        # the path quoted (repr): a decoded %0A cannot start a forged log line
        self.logger.info("%s %s %s %s %.1fms", request.method[:10],
                         bounded(redact_path(request.path), 120), response.status,
                         response.body_length, time * 1000)


async def handle_readyz(request: web.Request) -> web.Response:
    """``GET /readyz``: 200 ``{"status": "ready"}`` when the bot is built and its database
    answers ``ping()`` within its timeout; else 503 (a load balancer sends no traffic here
    meanwhile). The reason is logged, never returned."""
    services = request.app[SERVICES]
    storage = services.storage
    if services.bot is None:
        return web.json_response({"status": "starting"}, status=503)
    ping = getattr(storage, "ping", None)
    if ping is not None:
        try:
            await ping()
        except Exception as err:  # noqa: BLE001 - any failure means "not ready"
            log.warning("readyz: the database does not answer: %s: %s", type(err).__name__,
                        str(err)[:200])
            return web.json_response({"status": "unavailable", "storage": storage_kind(storage)},
                                     status=503)
    return web.json_response({"status": "ready", "storage": storage_kind(storage)})


async def handle_healthz(request: web.Request) -> web.Response:
    """``GET /healthz`` (liveness: the process answers; the database is ``/readyz``'s
    business): ``{"status": "ok", "version": ..., "storage": ...}``."""
    services = request.app[SERVICES]
    return web.json_response({"status": "ok", "version": services.version,
                              "storage": storage_kind(services.storage)})


def storage_kind(storage: Any) -> str:
    """``sqlite``/``postgres`` for a ``storage.Database``; else a ``kind`` or the class name."""
    if storage is None:
        return "none"
    return str(getattr(storage, "dialect", None) or getattr(storage, "kind", None)
               or type(storage).__name__)
