"""The support desk's routes on the bot's aiohttp app: :func:`setup` is the one call
``create_app`` makes.

Pages: ``GET /support`` (sign-in first), ``GET /support/feedback`` (the partners' 👎 answers),
``GET /support/login``, ``GET /support/auth/callback``,
``POST /support/logout``, ``GET /support/static/{file}``.
API (``docs/SUPPORT.md``): ``POST /support/api/answer``, ``POST /support/api/jobs`` (upload),
``GET /support/api/jobs``, ``GET /support/api/jobs/{id}``, ``GET /support/api/jobs/{id}/events``
(server-sent events), ``GET /support/api/jobs/{id}/result`` (download),
``GET /support/api/feedback`` (JSON, paged by ``before_id``), ``GET /support/api/feedback.jsonl``
(every 👎 as a line shaped like the evaluation rows).

With ``SUPPORT_OIDC_*`` unset and ``SUPPORT_LOCAL_DEV`` false nothing is registered: every
``/support`` URL is a 404.
"""
from __future__ import annotations

import asyncio
import json
import logging
import math
import secrets
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Awaitable, Callable
from urllib.parse import quote

from aiohttp import web

from planner import PlanError, PlanStore, personal_plan, shared_plan
from planner import migrate as plan_migrate
from storage import Database
from storage.feedback import MAX_LIST, FeedbackStore
from storage.feedback import migration as feedback_migration
from understanding import messages, registry

from . import page, store
from .answer import answer as answer_ticket
from .auth import AuthError, Identity, KeysUnavailable, OidcProvider
from .jobs import JobRunner, new_job_id
from .ratelimit import RateLimiter

log = logging.getLogger(__name__)

SESSION_COOKIE = "__Host-support-session"
LOGIN_COOKIE = "__Host-support-login"
LANG_COOKIE = "support-lang"
CSRF_HEADER = "X-CSRF-Token"
MAX_TICKET_CHARS = 20_000
MB = 1024 * 1024
MAX_UPLOAD_BYTES = 200 * MB
UPLOAD_CHUNK = 256 * 1024
SMALL_FIELD = 64  # bytes of a form field that is not the file (lang, today)
SSE_INTERVAL = 0.5
LOCAL_DEV_USER = Identity(store.user_hash("local-dev", "local-dev"), "local development")
STATIC_DIR = Path(__file__).resolve().parent / "static"
STATIC_TYPES = {".js": "text/javascript", ".css": "text/css"}

DESK = web.AppKey("support_desk", object)


class Desk:
    """What the handlers share: settings, the database, the sign-in provider, the job runner."""

    def __init__(self, settings: Any, database: Callable[[], Database | None],
                 provider: OidcProvider | None, respond: Callable[..., Any] | None) -> None:
        self.settings = settings
        self._database = database
        self.provider = provider
        self.respond = respond
        self.owned_db: Database | None = None
        self.runner = JobRunner(lambda: self.db, Path(settings.support_jobs_dir),
                                respond=respond, convention=settings.fy_label_convention,
                                retention_days=settings.support_jobs_retention_days)
        self.login_limit = RateLimiter(settings.support_login_rate_per_minute)

    @property
    def db(self) -> Database:
        db = self.owned_db or self._database()
        if db is None:
            raise RuntimeError("the support desk has no database yet")
        return db

    @property
    def feedback(self) -> FeedbackStore:
        """The partners' 👍/👎 (``storage.FeedbackStore`` on the desk's database)."""
        return FeedbackStore(self.db)

    @property
    def local_dev(self) -> bool:
        return self.provider is None

    @property
    def redirect_uri(self) -> str:
        return f"{self.settings.public_base_url}/support/auth/callback"


def setup(app: web.Application, settings: Any, *, database: Callable[[], Database | None],
          respond: Callable[..., Any] | None = None) -> None:
    """Register the support desk on ``app`` (nothing when it is off). ``database()`` returns the
    product's ``Database`` once the app has started (or None: the desk then opens its own on
    ``DATABASE_URL``)."""
    mode = settings.support_mode
    if mode == "off":
        log.info("support desk off (set SUPPORT_OIDC_* to turn it on, docs/SUPPORT.md)")
        return
    provider = None
    if mode == "oidc":
        provider = OidcProvider(settings.support_oidc_issuer, settings.support_oidc_client_id,
                                settings.support_oidc_client_secret, settings.support_allowed_group)
    else:
        log.warning("SUPPORT_LOCAL_DEV=true: the support desk at /support is served WITHOUT "
                    "sign-in (HOST %s is a loopback address)", settings.host)
    desk = Desk(settings, database, provider, respond)
    app[DESK] = desk

    async def lifecycle(_app: web.Application):
        if desk._database() is None:
            from storage import Database as Db

            desk.owned_db = await Db.connect(settings.database_url)
        await store.migrate(desk.db)
        # the Feedback view reads the bot's feedback table (a product migration: idempotent)
        await desk.db.migrate(*feedback_migration(desk.db.dialect))
        await plan_migrate(desk.db)  # the plan view reads the planner's tables (idempotent)
        await store.purge_expired(desk.db)
        await desk.runner.start()
        try:
            yield
        finally:
            await desk.runner.stop()
            if provider is not None:
                await provider.close()
            if desk.owned_db is not None:
                await desk.owned_db.close()

    app.cleanup_ctx.append(lifecycle)
    r = app.router
    r.add_get("/support", page_handler)
    r.add_get("/support/", slash_handler)
    r.add_get("/support/feedback", feedback_page_handler)
    r.add_get("/support/static/{name}", static_handler)
    r.add_get("/support/login", login_handler)
    r.add_get("/support/auth/callback", callback_handler)
    r.add_post("/support/logout", logout_handler)
    r.add_post("/support/api/answer", answer_handler)
    r.add_post("/support/api/jobs", upload_handler)
    r.add_get("/support/api/jobs", jobs_handler)
    r.add_get("/support/api/jobs/{job_id}", job_handler)
    r.add_get("/support/api/jobs/{job_id}/events", events_handler)
    r.add_get("/support/api/jobs/{job_id}/result", result_handler)
    r.add_get("/support/api/feedback", feedback_api_handler)
    r.add_get("/support/api/feedback.jsonl", feedback_jsonl_handler)
    r.add_get("/support/api/plan", plan_api_handler)


# --- helpers ---------------------------------------------------------------------------------


def _desk(request: web.Request) -> Desk:
    return request.app[DESK]  # type: ignore[return-value]


def _redirect(location: str) -> web.Response:
    return web.Response(status=302, headers={"Location": location, "Cache-Control": "no-store"})


class Refused(ValueError):
    """A request the API refuses: ``key`` names the catalogue sentence ``support.api.<key>``
    (filled with ``params``); ``str()`` is the English one (for the log)."""

    def __init__(self, key: str, **params: Any) -> None:
        self.key, self.params = key, params
        super().__init__(self.text(registry.DEFAULT))

    def text(self, lang: str | None) -> str:
        return messages.t(lang, "support.api." + self.key, **self.params)


def _api_lang(request: web.Request) -> str:
    """The language of the API's errors: the page's (its cookie), else Accept-Language."""
    cookie = request.cookies.get(LANG_COOKIE, "")
    if cookie in page.languages():
        return cookie
    return page.negotiate(request.headers.get("Accept-Language", ""))


def _error(request: web.Request, status: int, refusal: Exception) -> web.Response:
    """The API's error JSON, in the asker's language when it is a catalogue sentence."""
    message = refusal.text(_api_lang(request)) if isinstance(refusal, (Refused, AuthError)) else str(refusal)
    return web.json_response({"error": message}, status=status, headers={"Cache-Control": "no-store"})


def _retry_after(err: KeysUnavailable) -> str:
    """``Retry-After`` for a 503 while the issuer is down: the rest of the failure memory."""
    return str(max(1, math.ceil(err.retry_after)))


def _set_cookie(response: web.StreamResponse, name: str, value: str, max_age: int) -> None:
    response.set_cookie(name, value, max_age=max_age, path="/", secure=True, httponly=True,
                        samesite="Lax")


def _clear_cookie(response: web.StreamResponse, name: str) -> None:
    response.del_cookie(name, path="/", secure=True, httponly=True, samesite="Lax")


class Caller:
    """Who is asking: ``identity``, and ``session`` when it came with the session cookie."""

    def __init__(self, identity: Identity, session: store.Session | None) -> None:
        self.identity = identity
        self.session = session


def _cookie(request: web.Request, name: str) -> str:
    """A cookie this desk set (random ASCII), or "" when absent or not something it could have
    set (header bytes that are not UTF-8 reach the handler as surrogates)."""
    value = request.cookies.get(name, "")
    return value if value.isascii() else ""


def _same_secret(sent: str, expected: str) -> bool:
    """``sent`` is ``expected`` (constant time); False for anything that is not ASCII
    (``secrets.compare_digest`` raises on it)."""
    return bool(sent) and sent.isascii() and secrets.compare_digest(sent, expected)


async def _session_caller(request: web.Request) -> Caller | None:
    desk = _desk(request)
    cookie = _cookie(request, SESSION_COOKIE)
    if not cookie:
        return None
    session = await store.get_session(desk.db, cookie)
    if session is None:
        return None
    return Caller(Identity(session.user_hash, session.display_name), session)


async def _api_caller(request: web.Request) -> Caller:
    """The API's caller: a bearer token (scripts) or the session cookie (the page); on a POST
    with the cookie, the CSRF token must come in ``X-CSRF-Token``. Raises AuthError."""
    desk = _desk(request)
    authorization = request.headers.get("Authorization", "")
    if authorization:
        if not authorization.isascii():  # a JWT is ASCII; these bytes were not even UTF-8
            raise AuthError("token_malformed")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthError("bearer_scheme")
        if desk.provider is None:
            raise AuthError("bearer_unconfigured")
        return Caller(await desk.provider.verify_bearer(token.strip()), None)
    caller = await _session_caller(request)
    if caller is None:
        raise AuthError("sign_in_first")
    if request.method == "POST":
        if not _same_secret(request.headers.get(CSRF_HEADER, ""), caller.session.csrf):
            raise AuthError("csrf", 403)
    return caller


def api(handler: Callable[[web.Request, Caller], Awaitable[web.StreamResponse]]):
    async def wrapped(request: web.Request) -> web.StreamResponse:
        try:
            caller = await _api_caller(request)
        except AuthError as err:
            headers = {"WWW-Authenticate": 'Bearer realm="support"'} if err.status == 401 else {}
            log.info("support API refused (%d): %s", err.status, err)
            return web.json_response({"error": err.text(_api_lang(request))}, status=err.status,
                                     headers=headers)
        except KeysUnavailable as err:  # the issuer is down: logged once by the key cache
            return web.json_response(
                {"error": page.text(_api_lang(request), "issuer_unreachable")}, status=503,
                headers={"Retry-After": _retry_after(err), "Cache-Control": "no-store"})
        return await handler(request, caller)

    return wrapped


def _ui_lang(request: web.Request) -> tuple[str, bool]:
    """The page's language: ``?lang=``, else the cookie, else Accept-Language; and whether the
    query asked for it (then the cookie is set)."""
    asked = request.query.get("lang", "")
    if asked in page.languages():
        return asked, True
    cookie = request.cookies.get(LANG_COOKIE, "")
    if cookie in page.languages():
        return cookie, False
    return page.negotiate(request.headers.get("Accept-Language", "")), False


def _today_utc() -> date:
    return datetime.now(timezone.utc).date()


def _parse_today(value: Any) -> date:
    from core import calendar

    if value in (None, ""):
        return _today_utc()
    try:
        day = date.fromisoformat(str(value))
    except ValueError:
        raise Refused("today_format", value=repr(value)) from None
    first, last = calendar().first_day, calendar().last_day
    if not first <= day <= last:
        raise Refused("today_range", first=first.isoformat(), last=last.isoformat())
    return day


def _parse_lang(value: Any) -> str | None:
    if value in (None, "", "auto"):
        return None
    if value not in registry.codes():
        raise Refused("lang")
    return str(value)


# --- page and sign-in ------------------------------------------------------------------------


async def _page_caller(request: web.Request) -> tuple[Caller | None, str | None]:
    """Who is looking at a page: the session's user (or, in local development, a new session
    for the local user: its cookie comes second); (None, None) when they must sign in first."""
    desk = _desk(request)
    caller = await _session_caller(request)
    if caller is not None:
        return caller, None
    if not desk.local_dev:
        return None, None
    new_cookie, session = await store.create_session(desk.db, LOCAL_DEV_USER.user_hash,
                                                     LOCAL_DEV_USER.display_name)
    return Caller(LOCAL_DEV_USER, session), new_cookie


def _page_response(html: str, lang: str, chosen: bool, new_cookie: str | None) -> web.Response:
    response = web.Response(text=html, content_type="text/html", headers=page.SECURITY_HEADERS)
    if new_cookie:
        _set_cookie(response, SESSION_COOKIE, new_cookie, store.SESSION_SECONDS)
    if chosen:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, path="/support",
                            samesite="Lax", secure=True)
    return response


def _sign_in_first(request: web.Request) -> web.Response:
    return _redirect("/support/login?next=" + quote(request.path_qs, safe=""))


async def page_handler(request: web.Request) -> web.StreamResponse:
    desk = _desk(request)
    lang, chosen = _ui_lang(request)
    caller, new_cookie = await _page_caller(request)
    if caller is None:
        return _sign_in_first(request)
    html = page.render(lang, user=caller.identity.display_name, csrf=caller.session.csrf,
                       today=_today_utc(), local_dev=desk.local_dev)
    return _page_response(html, lang, chosen, new_cookie)


async def slash_handler(request: web.Request) -> web.StreamResponse:
    return _redirect("/support")


async def static_handler(request: web.Request) -> web.StreamResponse:
    name = request.match_info["name"]
    path = STATIC_DIR / name
    if "/" in name or name.startswith(".") or path.suffix not in STATIC_TYPES or not path.is_file():
        raise web.HTTPNotFound()
    return web.FileResponse(path, headers={"Content-Type": STATIC_TYPES[path.suffix],
                                           "Cache-Control": "no-cache",
                                           "X-Content-Type-Options": "nosniff"})


def _safe_next(value: str) -> str:
    return value if value.startswith("/support") and not value.startswith("//") else "/support"


async def login_handler(request: web.Request) -> web.StreamResponse:
    desk = _desk(request)
    if desk.local_dev:
        return _redirect("/support")
    wait = desk.login_limit.take(request.remote or "")
    if wait:
        log.info("support sign-in start refused: too many from one address")
        response = _page_error(_ui_lang(request)[0], 429, "too_many_sign_ins")
        response.headers["Retry-After"] = str(max(1, math.ceil(wait)))
        return response
    return_to = _safe_next(request.query.get("next", "/support"))
    try:
        url, login = await desk.provider.start(desk.redirect_uri, return_to)
    except KeysUnavailable as err:  # logged once by the key cache, not once per request
        return web.Response(status=503, text=page.text(_ui_lang(request)[0], "issuer_unreachable"),
                            headers={**page.SECURITY_HEADERS, "Retry-After": _retry_after(err)})
    cookie = await store.create_login(desk.db, login)  # purges expired ones, keeps a ceiling
    response = _redirect(url)
    _set_cookie(response, LOGIN_COOKIE, cookie, store.LOGIN_SECONDS)
    return response


async def callback_handler(request: web.Request) -> web.StreamResponse:
    desk = _desk(request)
    lang, _ = _ui_lang(request)
    if desk.local_dev:
        return _redirect("/support")
    cookie = _cookie(request, LOGIN_COOKIE)
    login = await store.take_login(desk.db, cookie) if cookie else None
    state = request.query.get("state", "")
    if login is None or not _same_secret(state, login.state):
        log.info("support sign-in refused: no pending sign-in for this browser or wrong state")
        return _page_error(lang, 400, "signin_expired")
    if "error" in request.query or not request.query.get("code"):
        log.info("support sign-in refused by the issuer: %s", request.query.get("error", "no code"))
        return _page_error(lang, 403, "signin_refused")
    try:
        identity = await desk.provider.finish(desk.redirect_uri, login, request.query["code"])
    except AuthError as err:
        log.info("support sign-in refused (%d): %s", err.status, err)
        return _page_error(lang, err.status, "not_allowed" if err.status == 403 else "signin_refused")
    session_cookie, _ = await store.create_session(desk.db, identity.user_hash, identity.display_name)
    log.info("support sign-in: user %s", identity.user_hash)
    response = _redirect(login.return_to)
    _set_cookie(response, SESSION_COOKIE, session_cookie, store.SESSION_SECONDS)
    _clear_cookie(response, LOGIN_COOKIE)
    return response


def _page_error(lang: str, status: int, key: str) -> web.Response:
    return web.Response(status=status, text=page.render_error(lang, key), content_type="text/html",
                        headers=page.SECURITY_HEADERS)


async def logout_handler(request: web.Request) -> web.StreamResponse:
    desk = _desk(request)
    lang, _ = _ui_lang(request)
    caller = await _session_caller(request)
    form = await request.post()
    sent = str(form.get("csrf", "")) or request.headers.get(CSRF_HEADER, "")
    if caller is None or not _same_secret(sent, caller.session.csrf):
        return _page_error(lang, 403, "csrf")
    await store.delete_session(desk.db, _cookie(request, SESSION_COOKIE))
    log.info("support sign-out: user %s", caller.identity.user_hash)
    response = _page_error(lang, 200, "signed_out")
    _clear_cookie(response, SESSION_COOKIE)
    return response


# --- API: one ticket -------------------------------------------------------------------------


@api
async def answer_handler(request: web.Request, caller: Caller) -> web.StreamResponse:
    desk = _desk(request)
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return _error(request, 400, Refused("body_json", example='{"text": "...", "lang": "fr", "today": "YYYY-MM-DD"}'))
    if not isinstance(body, dict):
        return _error(request, 400, Refused("body_object"))
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        return _error(request, 400, Refused("text_required"))
    if len(text) > MAX_TICKET_CHARS:
        return _error(request, 413, Refused("text_too_long", max=MAX_TICKET_CHARS))
    try:
        today = _parse_today(body.get("today"))
        lang = _parse_lang(body.get("lang"))
    except ValueError as err:
        return _error(request, 400, err)
    locale = body.get("locale") if isinstance(body.get("locale"), str) else None
    result = answer_ticket(text, today=today, lang=lang, locale=locale,
                           convention=desk.settings.fy_label_convention, respond=desk.respond)
    result["today"] = today.isoformat()
    log.info("support answer served to user %s: intent=%s lang=%s questions=%d",
             caller.identity.user_hash, result["intent"], result["lang"], len(result["sections"]))
    log.debug("support ticket text: %r", text)
    return web.json_response(result, headers={"Cache-Control": "no-store"})


# --- API: batch jobs -------------------------------------------------------------------------


# Job errors the runner records in English from the catalogue (``support.api.<key>``); the
# API shows them in the asker's language. Any other error (a worker's) is shown as it is.
_JOB_ERRORS = ("input_gone",)


def _job_error(error: str | None, lang: str) -> str | None:
    for key in _JOB_ERRORS:
        if error == messages.t(registry.DEFAULT, "support.api." + key):
            return messages.t(lang, "support.api." + key)
    return error


def _job_json(job: dict[str, Any], lang: str = registry.DEFAULT) -> dict[str, Any]:
    total = job["total"]
    done = job["done"]
    percent = 100 if job["status"] == "done" else (int(done * 100 / total) if total else 0)
    out = {k: job[k] for k in ("id", "status", "fmt", "filename", "lang", "today", "total",
                               "done", "failed", "error", "resumed")}
    out["error"] = _job_error(out["error"], lang)
    # when it was uploaded (UTC): two exports of one file are told apart by it
    out["created_at"] = datetime.fromtimestamp(job["created_at"], timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    out["percent"] = percent
    out["result_url"] = f"/support/api/jobs/{job['id']}/result" if job["status"] == "done" else None
    out["events_url"] = f"/support/api/jobs/{job['id']}/events"
    return out


async def _own_job(request: web.Request, caller: Caller) -> dict[str, Any] | None:
    job = await store.get_job(_desk(request).db, request.match_info["job_id"])
    if job is None or job["owner_hash"] != caller.identity.user_hash:
        return None  # another user's job is as absent as a missing one
    return job


@api
async def upload_handler(request: web.Request, caller: Caller) -> web.StreamResponse:
    """The file comes as multipart/form-data (field ``file``; optional fields ``lang``,
    ``today``) or as the raw body (``?filename=tickets.csv&lang=fr&today=...``); it is
    streamed to disk, never held in memory. An upload that does not become a job (refused,
    over the size or the user's quota, or the client gone half-way) leaves no file."""
    desk = _desk(request)
    params: dict[str, str] = dict(request.query)
    job_id = new_job_id()
    path = desk.runner.files.input(job_id)
    await asyncio.to_thread(path.parent.mkdir, parents=True, exist_ok=True)
    filename = params.get("filename", "")
    quota = desk.settings.support_upload_quota_mb * MB
    used = await store.used_bytes(desk.db, caller.identity.user_hash)
    size = 0
    queued = False

    def count(chunk: bytes) -> None:
        nonlocal size
        size += len(chunk)
        if size > MAX_UPLOAD_BYTES:
            raise _TooLarge()
        if used + size > quota:
            raise _OverQuota()

    try:
        if used >= quota:
            raise _OverQuota()
        with open(path, "wb") as f:
            if request.content_type.startswith("multipart/"):
                reader = await request.multipart()
                got_file = False
                while (part := await reader.next()) is not None:
                    if part.name == "file" and not got_file:
                        got_file = True
                        filename = part.filename or filename
                        while chunk := await part.read_chunk(UPLOAD_CHUNK):
                            count(chunk)
                            await asyncio.to_thread(f.write, chunk)
                    elif part.name in ("lang", "today"):
                        params[part.name] = await _small_field(part)
                if not got_file:
                    raise Refused("no_file_field")
            else:
                async for chunk in request.content.iter_chunked(UPLOAD_CHUNK):
                    count(chunk)
                    await asyncio.to_thread(f.write, chunk)
        if size == 0:
            raise Refused("file_empty")
        from understanding.batch import FORMATS, format_of

        fmt = params.get("format") or format_of(filename or "upload.csv")
        if fmt not in FORMATS:
            raise Refused("format")
        today = _parse_today(params.get("today"))
        lang = _parse_lang(params.get("lang"))
        await asyncio.to_thread(_check_header, path, fmt)
        safe_name = Path(filename or f"upload.{fmt}").name[:200]
        await store.create_job(desk.db, job_id=job_id, owner=caller.identity.user_hash, fmt=fmt,
                               filename=safe_name, lang=lang, today=today.isoformat(),
                               in_bytes=size)
        queued = True
    except (_TooLarge, web.HTTPRequestEntityTooLarge):
        return _error(request, 413, Refused("file_too_large", mb=MAX_UPLOAD_BYTES // MB))
    except _OverQuota:
        log.info("support upload refused: user %s is over the quota", caller.identity.user_hash)
        return _error(request, 413, Refused("quota", quota=quota // MB, used=math.ceil(used / MB)))
    except ValueError as err:
        return _error(request, 400, err)
    finally:
        if not queued:  # refused, or the client went away half-way (an error or a cancellation)
            await asyncio.shield(asyncio.to_thread(path.unlink, missing_ok=True))
    desk.runner.wake()
    log.info("support job %s queued by user %s (%s, %d bytes)", job_id, caller.identity.user_hash,
             fmt, size)
    job = await store.get_job(desk.db, job_id)
    return web.json_response(_job_json(job, _api_lang(request)), status=202,
                             headers={"Location": f"/support/api/jobs/{job_id}"})


class _TooLarge(Exception):
    pass


class _OverQuota(Exception):
    pass


async def _small_field(part: Any) -> str:
    """A form field that holds a language or a date: at most SMALL_FIELD bytes of UTF-8, read
    without buffering more (aiohttp's own limit would answer a plain-text 413)."""
    data = bytearray()
    while chunk := await part.read_chunk(SMALL_FIELD + 1):
        data += chunk
        if len(data) > SMALL_FIELD:
            raise Refused("lang") if part.name == "lang" else Refused("today_format", value="…")
    try:
        return data.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise Refused("lang") if part.name == "lang" else Refused("today_format", value="…") from None


def _check_header(path: Path, fmt: str) -> None:
    """Refuse at upload what cannot be answered at all (not UTF-8, no question column)."""
    import csv

    from understanding.batch import csv_question_column

    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            if fmt == "csv":
                header = next(csv.reader(f), [])
                csv_question_column(header)
            else:
                f.readline()
    except UnicodeDecodeError:
        raise Refused("not_utf8") from None
    except csv.Error as err:
        raise Refused("csv_unreadable", error=str(err)) from None


@api
async def jobs_handler(request: web.Request, caller: Caller) -> web.StreamResponse:
    jobs = await store.list_jobs(_desk(request).db, caller.identity.user_hash)
    return web.json_response({"jobs": [_job_json(job, _api_lang(request)) for job in jobs]},
                             headers={"Cache-Control": "no-store"})


@api
async def job_handler(request: web.Request, caller: Caller) -> web.StreamResponse:
    job = await _own_job(request, caller)
    if job is None:
        return _error(request, 404, Refused("no_job"))
    return web.json_response(_job_json(job, _api_lang(request)), headers={"Cache-Control": "no-store"})


@api
async def events_handler(request: web.Request, caller: Caller) -> web.StreamResponse:
    """Server-sent events: one ``progress`` event whenever the job's state changes (and a
    comment every 15 s to keep proxies open), then ``end`` when it is done or failed."""
    job = await _own_job(request, caller)
    if job is None:
        return _error(request, 404, Refused("no_job"))
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream",
                                           "Cache-Control": "no-store", "X-Accel-Buffering": "no"})
    await response.prepare(request)
    db = _desk(request).db
    last = None
    idle = 0.0
    while True:
        state = _job_json(job, _api_lang(request))
        if state != last:
            await response.write(f"event: progress\ndata: {json.dumps(state)}\n\n".encode())
            last, idle = state, 0.0
        elif idle >= 15:
            await response.write(b": keep-alive\n\n")
            idle = 0.0
        if job["status"] in ("done", "failed"):
            await response.write(f"event: end\ndata: {json.dumps(state)}\n\n".encode())
            break
        await asyncio.sleep(SSE_INTERVAL)
        idle += SSE_INTERVAL
        job = await store.get_job(db, job["id"]) or job
    return response


@api
async def result_handler(request: web.Request, caller: Caller) -> web.StreamResponse:
    job = await _own_job(request, caller)
    if job is None:
        return _error(request, 404, Refused("no_job"))
    if job["status"] != "done":
        return _error(request, 409, Refused("job_not_done", status=page.text(_api_lang(request),
                                                                             "status_" + job["status"])))
    path = _desk(request).runner.files.output(job["id"])
    if not path.is_file():
        return _error(request, 410, Refused("result_gone"))
    stem = Path(job["filename"]).stem or "tickets"
    ext = "jsonl" if job["fmt"] == "jsonl" else "csv"
    name = f"{stem}-answered.{ext}"
    ctype = "application/x-ndjson" if ext == "jsonl" else "text/csv"
    return web.FileResponse(path, headers={
        "Content-Type": f"{ctype}; charset=utf-8", "Cache-Control": "no-store",
        "Content-Disposition": f"attachment; filename=\"{quote(name)}\"; filename*=UTF-8''{quote(name)}",
    })


# --- the Feedback view and its API -----------------------------------------------------------

FEEDBACK_PAGE_SIZE = 50
FEEDBACK_JSONL_BATCH = 500


def _feedback_query(request: web.Request, *, default_limit: int) -> tuple[str | None, int, int | None]:
    """``reaction`` (``dislike`` by default, ``like``, or ``all``), ``limit`` (1 to
    ``storage.feedback.MAX_LIST``) and ``before_id`` from the query; ``Refused`` otherwise."""
    reaction = request.query.get("reaction", "dislike")
    if reaction not in ("dislike", "like", "all"):
        raise Refused("feedback_reaction")
    limit, before_id = default_limit, None
    if "limit" in request.query:
        raw = request.query["limit"]
        if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_LIST:
            raise Refused("feedback_limit", max=MAX_LIST)
        limit = int(raw)
    if "before_id" in request.query:
        raw = request.query["before_id"]
        if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
            raise Refused("feedback_before_id")
        before_id = int(raw)
    return (None if reaction == "all" else reaction), limit, before_id


def feedback_line(item: Any) -> dict[str, Any]:
    """A reaction as a line of the JSONL download: the shape of the evaluation rows
    (``question``, ``lang``, ``today``), with the answer given, the reading it took, the
    partner's comment and when (UTC). No user or conversation id: a reviewer needs neither."""
    at = item.at.astimezone(timezone.utc)
    return {"question": item.question, "lang": item.lang, "today": at.date().isoformat(),
            "answer": item.answer, "reading": item.reading, "comment": item.comment,
            "at": at.strftime("%Y-%m-%dT%H:%M:%SZ")}


def _feedback_json(item: Any) -> dict[str, Any]:
    return {"id": item.id, "reaction": item.reaction, **feedback_line(item)}


async def feedback_page_handler(request: web.Request) -> web.StreamResponse:
    desk = _desk(request)
    lang, chosen = _ui_lang(request)
    caller, new_cookie = await _page_caller(request)
    if caller is None:
        return _sign_in_first(request)
    try:
        _, _, before_id = _feedback_query(request, default_limit=FEEDBACK_PAGE_SIZE)
    except Refused:
        before_id = None  # a hand-edited address: the newest page
    items = await desk.feedback.list(reaction="dislike", limit=FEEDBACK_PAGE_SIZE + 1,
                                     before_id=before_id)
    older = items[FEEDBACK_PAGE_SIZE - 1].id if len(items) > FEEDBACK_PAGE_SIZE else None
    log.info("support feedback view shown to user %s (%d answers)", caller.identity.user_hash,
             min(len(items), FEEDBACK_PAGE_SIZE))
    html = page.render_feedback(lang, user=caller.identity.display_name, csrf=caller.session.csrf,
                                local_dev=desk.local_dev, items=items[:FEEDBACK_PAGE_SIZE],
                                older=older, paged=before_id is not None)
    return _page_response(html, lang, chosen, new_cookie)


@api
async def feedback_api_handler(request: web.Request, caller: Caller) -> web.StreamResponse:
    """``{"feedback": [...], "next_before_id": id | null}``: newest first, one page."""
    try:
        reaction, limit, before_id = _feedback_query(request, default_limit=100)
    except Refused as err:
        return _error(request, 400, err)
    items = await _desk(request).feedback.list(reaction=reaction, limit=limit + 1,
                                               before_id=before_id)
    more = len(items) > limit
    items = items[:limit]
    log.info("support feedback listed to user %s (%d)", caller.identity.user_hash, len(items))
    return web.json_response({"feedback": [_feedback_json(item) for item in items],
                              "next_before_id": items[-1].id if more else None},
                             headers={"Cache-Control": "no-store"})


@api
async def feedback_jsonl_handler(request: web.Request, caller: Caller) -> web.StreamResponse:
    """Every 👎 (``?reaction=`` as the JSON API), newest first, one JSON object per line,
    read from the database a batch at a time and streamed."""
    try:
        reaction, _, before_id = _feedback_query(request, default_limit=FEEDBACK_JSONL_BATCH)
    except Refused as err:
        return _error(request, 400, err)
    desk = _desk(request)
    name = f"feedback-{request.query.get('reaction', 'dislike')}-{_today_utc().isoformat()}.jsonl"
    response = web.StreamResponse(headers={
        "Content-Type": "application/x-ndjson; charset=utf-8", "Cache-Control": "no-store",
        "Content-Disposition": f'attachment; filename="{name}"',
        "X-Content-Type-Options": "nosniff"})
    await response.prepare(request)
    lines = 0
    while True:
        batch = await desk.feedback.list(reaction=reaction, limit=FEEDBACK_JSONL_BATCH,
                                         before_id=before_id)
        if not batch:
            break
        await response.write("".join(json.dumps(feedback_line(item), ensure_ascii=False) + "\n"
                                     for item in batch).encode("utf-8"))
        lines += len(batch)
        before_id = batch[-1].id
        if len(batch) < FEEDBACK_JSONL_BATCH:
            break
    await response.write_eof()
    log.info("support feedback downloaded by user %s (%d lines)", caller.identity.user_hash, lines)
    return response


# --- a partner's plan (issue #20) --------------------------------------------------------------

MAX_PLAN_ID_CHARS = 1024


def _plan_of(request: web.Request) -> str:
    """The plan the query names: ``?user=<Teams user id>`` (the personal plan) or
    ``?conversation=<conversation id>`` (a channel's or group chat's), exactly one."""
    user, conversation = request.query.get("user", ""), request.query.get("conversation", "")
    if bool(user) == bool(conversation) or len(user or conversation) > MAX_PLAN_ID_CHARS:
        raise Refused("plan_who")
    try:
        return personal_plan(user) if user else shared_plan(conversation)
    except PlanError:
        raise Refused("plan_who") from None


def plan_json(view: Any) -> dict[str, Any]:
    """A plan view as the API gives it: what the partner sees in Teams, with no one's id
    (who added an activity is not shown)."""
    def money(amounts: Any) -> Any:
        return None if amounts is None else {cur: f"{value:f}" for cur, value in amounts.items()}

    return {
        "activities": [{
            "id": v.activity.id, "name": v.activity.name, "start": v.activity.start.isoformat(),
            "end": v.activity.end.isoformat(),
            "cost": None if v.activity.cost is None else f"{v.activity.cost:f}",
            "currency": v.activity.currency, "program": v.activity.program,
            "claimed_on": v.activity.claimed_on.isoformat() if v.activity.claimed_on else None,
            "status": v.status, "days_left": v.days_left, "warnings": list(v.warnings),
            "windows": [{"earning": [p.earning.start.isoformat(), p.earning.end.isoformat()],
                         "usage": [p.usage.start.isoformat(), p.usage.end.isoformat()],
                         "claim": [p.claim_opens.isoformat(), p.claim_closes.isoformat()]}
                        for p in v.facts.parts],
            "keep_until": v.facts.keep_until.isoformat()} for v in view.activities],
        "totals": [{"usage": [t.usage_start.isoformat(), t.usage_end.isoformat()],
                    "planned": money(t.planned), "available": money(t.available),
                    "unplanned": money(t.unplanned)} for t in view.totals],
        "budgets": [{"earning": [b.earned_start.isoformat(), b.earned_end.isoformat()],
                     "amount": f"{b.amount:f}", "currency": b.currency} for b in view.budgets],
    }


@api
async def plan_api_handler(request: web.Request, caller: Caller) -> web.StreamResponse:
    """``GET /support/api/plan?user=<id>`` or ``?conversation=<id>`` (``&today=YYYY-MM-DD``):
    a partner's plan as they see it on that day, for a ticket about it. Behind the desk's own
    sign-in (session or bearer token, the allowed group), as every other view of the desk."""
    try:
        plan_id = _plan_of(request)
        today = _parse_today(request.query.get("today"))
    except Refused as err:
        return _error(request, 400, err)
    view = await PlanStore(_desk(request).db).view(plan_id, today)
    log.info("support plan view shown to user %s (%d activities)", caller.identity.user_hash,
             len(view.activities))
    return web.json_response({"today": today.isoformat(), **plan_json(view)},
                             headers={"Cache-Control": "no-store"})
