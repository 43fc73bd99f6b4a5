"""Security of the running server (issue #6), on ``python app.py`` as a subprocess.

The token cases themselves (missing, malformed, expired, wrong audience, wrong issuer, other
key, unsigned, serviceurl mismatch, ...) are covered in-process by ``tests/test_http_auth.py``
against ``create_app``. Here the same guarantees are checked where only a process shows them:

- the environment really switches authentication on: ``MicrosoftAppId``/``MicrosoftAppPassword``
  in the environment of ``python app.py`` -> missing, malformed, expired and wrong-audience
  tokens are 401 and reach no bot; a valid token passes (control);
- every route the app serves is either one of the known public ones or refuses a request
  without credentials (``POST /admin/sweep`` & co.); no GET with side effects;
- at INFO, the server's log holds no message text, no card value and no token;
- "forget my data" end to end: a user talks, subscribes to reminders, gets reminders
  delivered (ledger rows), gets a calendar link, then forgets; the SQLite file is then read
  directly and nothing mentions that user any more, while another user's data is intact.

Nothing leaves 127.0.0.1: OpenID metadata and signing keys are served on loopback, and the
secured server runs behind a guard that refuses to resolve any other host.
"""
from __future__ import annotations

import json
import os
import re
import sqlite3
import sys
import threading
import time
import urllib.request
import uuid
from datetime import date, datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import jwt
import pytest
from botframework.connector.auth import AuthenticationConstants
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from bench.common import (  # noqa: E402
    APOLOGY_MARKERS, LOOPBACK, PYTHON, RunningApp, activity, connector_replies, http_get,
    new_conversation_id, new_user_id, post, reply_texts, start_connector,
)

NOW = datetime(2025, 3, 10, 14, 0, tzinfo=timezone.utc)  # the sender's clock in the activities

APP_ID = "00000000-0000-0000-0000-0000000005ec"
APP_PASSWORD = "app-password-" + uuid.uuid4().hex
ADMIN_TOKEN = "admin-" + uuid.uuid4().hex + uuid.uuid4().hex
ISSUER = AuthenticationConstants.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER
KID = "security-test-key"
SIGNING_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)

# Runs app.py with the Bot Framework OpenID metadata URL pointed at loopback, and a resolver
# that refuses every host but loopback, so a test can never reach the internet.
LOOPBACK_WRAPPER = """
import os, runpy, socket, sys
_getaddrinfo = socket.getaddrinfo
def _loopback_only(host, *args, **kwargs):
    name = host.decode() if isinstance(host, bytes) else host
    if name not in (None, "127.0.0.1", "localhost", "::1"):
        raise OSError("test guard: no traffic outside loopback (" + str(name) + ")")
    return _getaddrinfo(host, *args, **kwargs)
socket.getaddrinfo = _loopback_only
from botframework.connector.auth import ChannelValidation
ChannelValidation.open_id_metadata_endpoint = os.environ["TEST_OPENID_METADATA_URL"]
sys.argv = ["app.py"]
sys.path.insert(0, os.getcwd())
runpy.run_path("app.py", run_name="__main__")
"""


pytestmark = pytest.mark.process  # real servers and processes

# ------------------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def connector(tmp_path_factory):
    proc, base = start_connector(tmp_path_factory.mktemp("connector"))
    yield base
    proc.stop()


def _pem(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


@pytest.fixture(scope="module")
def openid():
    """OpenID metadata + JWKS (key KID endorsed for msteams) on a loopback port."""
    jwk = json.loads(RSAAlgorithm.to_jwk(SIGNING_KEY.public_key()))
    jwk.update(kid=KID, use="sig", endorsements=["msteams"])

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            base = f"http://{LOOPBACK}:{self.server.server_address[1]}"
            if self.path.startswith("/.well-known/openidconfiguration"):
                body = {"issuer": ISSUER, "jwks_uri": base + "/keys"}
            elif self.path.startswith("/keys"):
                body = {"keys": [jwk]}
            else:
                self.send_error(404)
                return
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer((LOOPBACK, 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://{LOOPBACK}:{server.server_address[1]}/.well-known/openidconfiguration"
    server.shutdown()


@pytest.fixture(scope="module")
def secured(tmp_path_factory, openid):
    """``python app.py`` with MicrosoftAppId/Password and ADMIN_TOKEN in its environment."""
    workdir = tmp_path_factory.mktemp("secured")
    running = RunningApp(workdir, f"sqlite:///{workdir / 'coop.sqlite3'}",
                         env={"MicrosoftAppId": APP_ID, "MicrosoftAppPassword": APP_PASSWORD,
                              "ADMIN_TOKEN": ADMIN_TOKEN, "LOG_LEVEL": "INFO",
                              "TEST_OPENID_METADATA_URL": openid},
                         cmd=[PYTHON, "-c", LOOPBACK_WRAPPER]).start()
    yield running
    running.stop()


def token(service_url: str, *, key=SIGNING_KEY, **overrides) -> str:
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": APP_ID, "serviceurl": service_url,
              "nbf": now - 10, "iat": now - 10, "exp": now + 3600}
    claims.update(overrides)
    return jwt.encode(claims, _pem(key), algorithm="RS256", headers={"kid": KID})


# ------------------------------------------------------------------------------ authentication


def test_configured_credentials_make_the_server_refuse_bad_tokens(secured, connector):
    service_url = connector + "/"
    past = int(time.time()) - 7200
    cases = {
        "missing": None,
        "malformed": "Bearer not.a.jwt",
        "not bearer": "Basic " + "dXNlcjpwYXNz",
        "expired": "Bearer " + token(service_url, iat=past, nbf=past, exp=past + 600),
        "wrong audience": "Bearer " + token(service_url, aud="11111111-2222-3333-4444-555555555555"),
        "signed by another key": "Bearer " + token(service_url, key=OTHER_KEY),
    }
    for name, authorization in cases.items():
        cid = new_conversation_id()
        headers = {"Authorization": authorization} if authorization else {}
        status, body = secured.post(activity("hi", service_url=service_url, conversation_id=cid),
                                    headers=headers)
        assert status == 401, (name, status, body)
        assert connector_replies(connector, cid, timeout=0.3) == [], name

    # control: the same request with a valid token is served (replies in the body)
    status, body = secured.post(
        activity("Which half is November 2024 in?", service_url=service_url,
                 expect_replies=True, now=NOW),
        headers={"Authorization": "Bearer " + token(service_url)})
    assert status == 200, body
    texts = reply_texts(body)
    assert texts and not any(m in " ".join(texts) for m in APOLOGY_MARKERS), body
    assert secured.healthy()


# ------------------------------------------------------------------------------ routes


PUBLIC_ROUTES = {
    ("POST", "/api/messages"),  # Bot Framework token when MicrosoftAppId is set
    ("GET", "/healthz"),  # no side effects, no data
    ("HEAD", "/healthz"),
    ("GET", "/readyz"),  # the load balancer's probe: no side effects, no data
    ("HEAD", "/readyz"),
    ("GET", "/calendar/{token}.ics"),  # the unguessable per-user token is the credential
    ("HEAD", "/calendar/{token}.ics"),
    ("GET", "/calendar/cycles/{cycles}.ics"),  # public deadlines of named cycles, no user data
    ("HEAD", "/calendar/cycles/{cycles}.ics"),
}


def _routes_of_the_app() -> set[tuple[str, str]]:
    """Every (method, path) ``create_app`` serves with ADMIN_TOKEN set (no start-up needed)."""
    from app import create_app
    from config import Settings

    settings = Settings(admin_token=ADMIN_TOKEN, database_url="sqlite:///:memory:")
    app = create_app(settings)
    routes = set()
    for route in app.router.routes():
        info = route.resource.get_info() if route.resource else {}
        path = info.get("path") or info.get("formatter") or info.get("prefix")
        routes.add((route.method, path))
    return routes


def test_every_non_public_route_needs_credentials(secured):
    routes = _routes_of_the_app()
    assert ("POST", "/admin/sweep") in routes, routes
    others = sorted(r for r in routes if r not in PUBLIC_ROUTES)
    assert others, "expected operator routes"
    for method, path in others:
        url = secured.base + re.sub(r"\{[^}]+\}", "x", path)
        data = None if method in ("GET", "HEAD", "OPTIONS") else b"{}"
        for headers in ({}, {"Authorization": "Bearer wrong-" + uuid.uuid4().hex},
                        {"Authorization": ADMIN_TOKEN}, {"X-Admin-Token": ADMIN_TOKEN}):
            request = urllib.request.Request(url, data=data, method=method,
                                             headers={"Content-Type": "application/json",
                                                      **headers})
            try:
                with urllib.request.urlopen(request, timeout=10) as resp:
                    status = resp.status
            except urllib.error.HTTPError as err:
                status = err.code
            assert status in (401, 403), (method, path, headers.keys(), status)


def test_admin_sweep_with_the_token_runs_and_get_is_refused(secured):
    status, body = post(secured.base + "/admin/sweep?wait=1", {"as_of": "2025-05-31"},
                        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert status == 200, body
    assert http_get(secured.base + "/admin/sweep")[0] == 405


def test_admin_routes_are_absent_without_admin_token(tmp_path):
    running = RunningApp(tmp_path, f"sqlite:///{tmp_path / 'coop.sqlite3'}").start()
    try:
        status, _ = post(running.base + "/admin/sweep", {},
                         headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
        assert status in (404, 405)
        # an unknown calendar token is a plain 404 (and a malformed one too, not a 500)
        assert http_get(running.base + "/calendar/" + "A" * 43 + ".ics")[0] == 404
        assert http_get(running.base + "/calendar/..%2f..%2fetc.ics")[0] == 404
    finally:
        running.stop()


# ------------------------------------------------------------------------------ logs


def test_info_logs_hold_no_message_text_and_no_token(tmp_path, secured, connector):
    """LOG_LEVEL=INFO: send text, card values and tokens carrying unique markers; none may
    appear in the server's log (the secured server's log is checked too)."""
    marker = "zqxmarker" + uuid.uuid4().hex[:12]
    bearer = "eyJhbGciOiJIUzI1NiJ9." + uuid.uuid4().hex + "." + uuid.uuid4().hex
    running = RunningApp(tmp_path, f"sqlite:///{tmp_path / 'coop.sqlite3'}",
                         env={"LOG_LEVEL": "INFO"}).start()
    try:
        auth = {"Authorization": f"Bearer {bearer}"}
        service_url = connector + "/"
        sends = [
            activity(f"When can I claim co-op earned in May 2023? {marker}", service_url="",
                     expect_replies=True, now=NOW),
            activity(f"{marker} " * 30000, service_url="", expect_replies=True, now=NOW),
            activity(None, service_url="", expect_replies=True, now=NOW,
                     value={"verb": "ask", "text": f"help {marker}", "note": marker}),
            activity(marker, service_url=service_url, now=NOW),  # connector path
            activity(marker, service_url="", expect_replies=True, now=NOW,
                     activity_type="unknownType"),
        ]
        for payload in sends:
            running.post(payload, headers=auth)
        # rejected inputs carrying the marker
        bad = activity(marker, service_url="", expect_replies=True, now=NOW)
        bad["from"] = {"id": "29:x", "name": {"nested": 1}}  # fails deserialization
        running.post(bad, headers=auth)
        running.post(raw=f'{{"type": "message", "text": "{marker}'.encode(), headers=auth)
        running.post(raw=json.dumps({"text": marker}).encode(), content_type="text/plain",
                     headers=auth)
        bad_type = activity(marker, service_url="", expect_replies=True, now=NOW)
        bad_type["text"] = {"t": marker}
        running.post(bad_type, headers=auth)
        time.sleep(0.5)
        assert running.healthy()
    finally:
        running.stop()
    log = running.log()
    assert "POST /api/messages" in log or "INFO" in log, "the log is empty: nothing was checked"
    assert marker not in log, _lines_with(log, marker)
    assert bearer not in log and bearer.split(".")[1] not in log, _lines_with(log, bearer[:20])

    # the secured server: its tokens and secrets never reach its log
    service_url = connector + "/"
    valid = token(service_url)
    wrong = token(service_url, aud="someone-else")
    secured.post(activity(marker, service_url=service_url, expect_replies=True, now=NOW),
                 headers={"Authorization": f"Bearer {valid}"})
    secured.post(activity(marker, service_url=service_url, now=NOW),
                 headers={"Authorization": f"Bearer {wrong}"})
    post(secured.base + "/admin/sweep", {}, headers={"Authorization": "Bearer wrong-admin-token"})
    time.sleep(0.5)
    secured_log = secured.log()
    for secret in (valid, wrong, APP_PASSWORD, ADMIN_TOKEN, marker, "wrong-admin-token"):
        assert secret not in secured_log, _lines_with(secured_log, secret[:20])


def _lines_with(log: str, needle: str) -> list[str]:
    return [line[:300] for line in log.splitlines() if needle in line][:5]


# ------------------------------------------------------------------------------ forget my data


def _rows_mentioning(db_path: Path, needles: list[str]) -> dict[str, list]:
    """Every row of every table with a column whose text contains one of ``needles``."""
    found: dict[str, list] = {}
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            for row in conn.execute(f'SELECT * FROM "{table}"'):
                for value in row:
                    text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
                    if any(n in text for n in needles):
                        found.setdefault(table, []).append(tuple(str(v)[:120] for v in row))
                        break
    return found


def _count(db_path: Path, sql: str, *args) -> int:
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
        return conn.execute(sql, args).fetchone()[0]


def test_forget_my_data_leaves_nothing_about_the_user(tmp_path, connector):
    db_path = tmp_path / "coop.sqlite3"
    running = RunningApp(tmp_path, f"sqlite:///{db_path}",
                         env={"ADMIN_TOKEN": ADMIN_TOKEN}).start()
    service_url = connector + "/"
    # ids without ':' or '/' in the distinctive part, so escaping in keys cannot hide them
    tag = uuid.uuid4().hex[:16]
    user = {"id": f"29:forgetme{tag}", "aad": f"aad-forgetme-{tag}",
            "conv": f"a:forgetmeconv{tag}"}
    other = {"id": new_user_id(), "conv": new_conversation_id()}

    def say(who: dict, text: str) -> str:
        payload = activity(text, service_url=service_url, conversation_id=who["conv"],
                           user_id=who["id"], expect_replies=True, now=NOW)
        if "aad" in who:
            payload["from"]["aadObjectId"] = who["aad"]
        status, body = running.post(payload)
        assert status == 200, (text, body)
        texts = reply_texts(body)
        assert texts and not any(m in " ".join(texts) for m in APOLOGY_MARKERS), (text, texts)
        return " ".join(texts)

    try:
        for who in (user, other):
            say(who, "When can I claim co-op earned in May 2024?")
            say(who, "and for H2?")
            say(who, "remind me before my claim deadlines")
        calendar = say(user, "add my deadlines to my calendar")
        links = re.findall(r"https?://[^\s\"')\]]+\.ics", calendar)
        assert links, calendar
        assert http_get(links[0])[0] == 200

        # a sweep on the next reminder's due day delivers reminders: ledger rows exist. (The
        # subscription starts on the server's today, whatever the client's clock says; a day
        # later than UTC's covers every time zone.)
        from reminders.schedule import next_reminder

        due = next_reminder(datetime.now(timezone.utc).date() + timedelta(days=1)).due_date
        status, summary = post(running.base + "/admin/sweep?wait=1", {"as_of": due.isoformat()},
                               headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
        assert status == 200, summary
        subscription = _subscription_id(db_path, user["id"])
        assert subscription, "the user is not subscribed"
        assert _count(db_path, "SELECT COUNT(*) FROM reminder_ledger WHERE subscription_id = ?",
                      subscription) > 0, summary
        assert connector_replies(connector, user["conv"]), "no reminder reached the connector"
        assert _rows_mentioning(db_path, [f"forgetme{tag}"]), "nothing stored: nothing to prove"

        asked = say(user, "forget my data")
        assert "yes" in asked.lower(), asked
        say(user, "yes")
    finally:
        running.stop()

    left = _rows_mentioning(db_path, [f"forgetme{tag}", user["aad"]])
    assert not left, left
    assert _count(db_path, "SELECT COUNT(*) FROM reminder_ledger WHERE subscription_id = ?",
                  subscription) == 0
    # the other user's data is untouched (the search above would have found it)
    assert _rows_mentioning(db_path, [other["id"]]), "the other user's data went too"
    assert _subscription_id(db_path, other["id"])

    running = RunningApp(tmp_path, f"sqlite:///{db_path}",
                         log_path=tmp_path / "app-after.log").start()
    try:
        path = links[0].split("/", 3)[3]
        assert http_get(f"{running.base}/{path}")[0] == 404, "the calendar link still works"
    finally:
        running.stop()


def _subscription_id(db_path: Path, user_id: str):
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
        row = conn.execute("SELECT id FROM reminder_subscriptions WHERE user_id = ?",
                           (user_id,)).fetchone()
    return row[0] if row else None


# ------------------------------------------------------------------------------ stored state


def test_jsonpickle_tags_in_user_input_are_never_executed(tmp_path):
    """State is restored with jsonpickle (storage/bot_storage.py), whose ``py/reduce`` tag calls
    a function. User input carrying such tags (card values, text) in the middle of multi-turn
    dialogs — stored, then read back on the next turn — must stay data."""
    sentinel = tmp_path / "pwned"
    evil = {"py/reduce": [{"py/function": "os.system"}, {"py/tuple": [f"touch {sentinel}"]}]}
    evil_object = {"py/object": "subprocess.Popen", "args": ["touch", str(sentinel)]}
    running = RunningApp(tmp_path, f"sqlite:///{tmp_path / 'coop.sqlite3'}").start()
    try:
        for opener in ("What is the co-op portion with a 60/40 split?", "forget my data"):
            cid, uid = new_conversation_id(), new_user_id()

            def turn(text=None, value=None):
                status, _ = running.post(activity(text, service_url="", conversation_id=cid,
                                                  user_id=uid, expect_replies=True, now=NOW,
                                                  value=value))
                assert status < 500, (opener, text, value)

            turn(opener)
            turn(value={"verb": "ask", "text": "help", **evil})
            turn(value={"verb": "choose", "text": json.dumps(evil), "x": evil_object})
            turn(value=evil)
            turn(json.dumps(evil))
            turn("no" if opener == "forget my data" else "5000")
            turn("and for H2?")
        assert running.healthy()
    finally:
        running.stop()
    assert not sentinel.exists(), "a py/reduce tag from user input was executed"
