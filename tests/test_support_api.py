"""The support desk over HTTP: the real aiohttp app on loopback, real SQLite/PostgreSQL, bearer
tokens signed by a test key that a loopback issuer publishes in its JWKS."""
from __future__ import annotations

import asyncio
import csv
import io
import json
import logging
import re
import time
from datetime import date

import jwt
import pytest
from aiohttp import ClientSession, DummyCookieJar, web
from aiohttp.test_utils import TestServer
from cryptography.hazmat.primitives.asymmetric import rsa

from config import ConfigError, Settings
from storage import Database
from understanding import Reply, respond
from understanding.reply import LinkRef, Timeline

CLIENT_ID = "11111111-2222-3333-4444-555555555555"
GROUP = "9f0c-support-staff"


class NoBot:
    async def on_turn(self, turn_context):  # the bot is not what these tests are about
        raise AssertionError("no bot turn expected")


# --- a loopback OpenID issuer: discovery + JWKS, keys made here -------------------------------


class Issuer:
    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "test-key-1"
        self.url = ""

    def jwks(self):
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        public.update(kid=self.kid, use="sig", alg="RS256")
        return {"keys": [public]}

    def token(self, *, key=None, kid=None, **claims):
        now = int(time.time())
        body = {"iss": self.url, "aud": CLIENT_ID, "iat": now, "nbf": now, "exp": now + 600,
                "oid": "user-oid-1", "tid": "tenant-1", "name": "Sam Support", "groups": [GROUP]}
        body.update(claims)
        body = {k: v for k, v in body.items() if v is not None}
        return jwt.encode(body, key or self.key, algorithm="RS256", headers={"kid": kid or self.kid})


@pytest.fixture
async def issuer():
    found = Issuer()
    app = web.Application()

    async def discovery(request):
        return web.json_response({
            "issuer": found.url, "authorization_endpoint": f"{found.url}/authorize",
            "token_endpoint": f"{found.url}/token", "jwks_uri": f"{found.url}/jwks"})

    async def jwks(request):
        return web.json_response(found.jwks())

    app.router.add_get("/.well-known/openid-configuration", discovery)
    app.router.add_get("/jwks", jwks)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    found.url = str(server.make_url("")).rstrip("/")
    yield found
    await server.close()


# --- the app ---------------------------------------------------------------------------------


class Desk:
    """The product's app (create_app) on loopback; cookies are handled by hand, as a browser
    would send them (aiohttp's jar does not send Secure cookies over http)."""

    def __init__(self, server, http):
        self.server, self.http = server, http
        self.base = str(server.make_url("")).rstrip("/")
        self.cookie = ""
        self.csrf = ""

    async def open_page(self, **headers):
        response = await self.http.get(self.base + "/support", headers=headers, allow_redirects=False)
        if "Set-Cookie" in response.headers:
            self.cookie = response.headers["Set-Cookie"].split(";")[0]
        html = await response.text()
        found = re.search(r'name="csrf-token" content="([^"]+)"', html)
        self.csrf = found.group(1) if found else ""
        return response, html

    def headers(self, csrf=True, **extra):
        out = {"Cookie": self.cookie} if self.cookie else {}
        if csrf and self.csrf:
            out["X-CSRF-Token"] = self.csrf
        out.update(extra)
        return out

    async def post_json(self, path, body, headers):
        response = await self.http.post(self.base + path, json=body, headers=headers)
        return response.status, await response.json()

    async def wait_job(self, job_id, headers, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            response = await self.http.get(f"{self.base}/support/api/jobs/{job_id}", headers=headers)
            job = await response.json()
            if job["status"] in ("done", "failed"):
                return job
            await asyncio.sleep(0.2)
        raise AssertionError(f"job {job_id} not finished: {job}")


@pytest.fixture
async def start_desk(tmp_path):
    started = []

    async def start(env, *, db=None, app=None):
        settings = Settings.from_env({"HOST": "127.0.0.1", "SUPPORT_JOBS_DIR": str(tmp_path / "jobs"),
                                      **env}, dotenv_path=None)
        database = db or await Database.connect(f"sqlite:///{tmp_path / 'desk.sqlite3'}")
        if app is None:
            from app import create_app

            app = create_app(settings, bot=NoBot(), storage=database)
        else:
            app = app(settings, database)
        server = TestServer(app, host="127.0.0.1")
        await server.start_server()
        http = ClientSession(cookie_jar=DummyCookieJar())
        started.append((server, http, database if db is None else None))
        return Desk(server, http)

    yield start
    for server, http, database in started:
        await http.close()
        await server.close()
        if database is not None:
            await database.close()


LOCAL = {"SUPPORT_LOCAL_DEV": "true"}


def oidc_env(issuer):
    return {"SUPPORT_OIDC_ISSUER": issuer.url, "SUPPORT_OIDC_CLIENT_ID": CLIENT_ID,
            "SUPPORT_OIDC_CLIENT_SECRET": "s3cret-value", "SUPPORT_ALLOWED_GROUP": GROUP}


# --- off / local development / configuration -------------------------------------------------


async def test_without_configuration_the_desk_is_off(start_desk):
    desk = await start_desk({})
    for path in ("/support", "/support/login", "/support/static/support.js"):
        assert (await desk.http.get(desk.base + path, allow_redirects=False)).status == 404
    assert (await desk.http.post(desk.base + "/support/api/answer", json={"text": "hi"})).status == 404


def test_local_dev_is_refused_unless_host_is_loopback():
    for host in ("0.0.0.0", "bot.example.org", "10.0.0.4"):
        with pytest.raises(ConfigError, match="SUPPORT_LOCAL_DEV.*loopback"):
            Settings.from_env({"SUPPORT_LOCAL_DEV": "true", "HOST": host}, dotenv_path=None)
    for host in ("localhost", "127.0.0.1", "::1"):
        assert Settings.from_env({"SUPPORT_LOCAL_DEV": "true", "HOST": host},
                                 dotenv_path=None).support_mode == "local"


def test_partial_oidc_configuration_fails_fast():
    with pytest.raises(ConfigError) as err:
        Settings.from_env({"SUPPORT_OIDC_ISSUER": "https://login.microsoftonline.com/t/v2.0"},
                          dotenv_path=None)
    named = {name for name, _ in err.value.problems}
    assert {"SUPPORT_OIDC_CLIENT_ID", "SUPPORT_OIDC_CLIENT_SECRET", "SUPPORT_ALLOWED_GROUP"} <= named
    with pytest.raises(ConfigError, match="https"):
        Settings.from_env({**{"SUPPORT_OIDC_CLIENT_ID": "c", "SUPPORT_OIDC_CLIENT_SECRET": "s",
                              "SUPPORT_ALLOWED_GROUP": "g"},
                           "SUPPORT_OIDC_ISSUER": "http://login.example.org/t"}, dotenv_path=None)
    assert "s3" not in repr(Settings(support_oidc_issuer="https://x/t", support_oidc_client_id="c",
                                     support_oidc_client_secret="s3", support_allowed_group="g"))


async def test_local_dev_page_in_the_browsers_language_and_switchable(start_desk):
    desk = await start_desk(LOCAL)
    response, html = await desk.open_page(**{"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"})
    assert response.status == 200 and '<html lang="fr">' in html and "Message du partenaire" in html
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=Lax" in cookie
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    english = await desk.http.get(desk.base + "/support?lang=en", headers=desk.headers(
        **{"Accept-Language": "fr"}))
    assert '<html lang="en">' in await english.text()
    assert "Partner's message" in await english.text()


async def test_answer_api_with_csrf(start_desk, caplog):
    desk = await start_desk(LOCAL)
    await desk.open_page()
    ticket = "claim deadline for funds earned in August 2021"
    status, body = await desk.post_json("/support/api/answer", {"text": "hi"}, desk.headers(csrf=False))
    assert status == 403 and "CSRF" in body["error"]
    status, body = await desk.post_json("/support/api/answer", {"text": "hi"},
                                        desk.headers(**{"X-CSRF-Token": "forged-" + desk.csrf[7:]}))
    assert status == 403
    with caplog.at_level(logging.INFO):
        status, body = await desk.post_json("/support/api/answer", {"text": ticket, "today": "2022-03-01"},
                                            desk.headers())
    assert status == 200
    expected = respond(ticket, today=date(2022, 3, 1))
    assert body["text"] == expected.text.replace("**", "") and "**" not in body["text"]
    [section] = body["sections"]
    facts = dict(section["facts"])
    assert facts["Claiming period"] == "February 16, 2022 – August 15, 2022"
    assert facts["Status"] == "167 days left to claim"
    assert section["links"][0]["url"].startswith("https://learn.microsoft.com/")
    served = [r.getMessage() for r in caplog.records if "support answer served" in r.getMessage()]
    assert served and re.search(r"user [0-9a-f]{16}", served[0])
    assert not any(ticket in r.getMessage() for r in caplog.records if r.levelno >= logging.INFO)
    # A later "answer as of" day changes the date-dependent facts.
    status, later = await desk.post_json("/support/api/answer", {"text": ticket, "today": "2022-09-01"},
                                         desk.headers())
    assert dict(later["sections"][0]["facts"])["Status"] == "Claiming closed"


async def test_answer_api_rejects_bad_input(start_desk):
    desk = await start_desk(LOCAL)
    await desk.open_page()
    for body, status in (({"text": ""}, 400), ({"text": "x", "today": "2024-13-01"}, 400),
                         ({"text": "x", "today": "1890-01-01"}, 400), ({"text": "x", "lang": "xx"}, 400),
                         ({"text": "x" * 20_001}, 413), ([1, 2], 400)):
        got, _ = await desk.post_json("/support/api/answer", body, desk.headers())
        assert got == status, body
    response = await desk.http.post(desk.base + "/support/api/answer", data=b"{not json",
                                    headers=desk.headers(**{"Content-Type": "application/json"}))
    assert response.status == 400


async def test_several_questions_render_every_answer_in_order(start_desk):
    """The multi-question contract (Reply.parts), with a hand-made Reply: one section per
    part, in order, and the outer text (every answer) ready to paste."""
    tl = Timeline(date(2021, 7, 1), date(2021, 12, 31), date(2022, 1, 1), date(2022, 6, 30),
                  date(2022, 2, 16), date(2022, 8, 15), "H1", "FY21 H1", "FY22 H1", "open",
                  days_left=10)
    first = Reply(lang="fr", intent="claim_deadline", text="Réponse **un**.", timelines=[tl],
                  links=[LinkRef("Créer une demande", "https://learn.microsoft.com/x")])
    second = Reply(lang="fr", intent="poe_retention", text="Réponse deux.",
                   poe_keep_until=date(2026, 3, 12), reading_note="Lu comme une date d'activité.")
    multi = Reply(lang="fr", intent="multi", text="Réponse **un**.\n\nRéponse deux.",
                  timelines=[tl], parts=[first, second])
    asked = []

    def fake_respond(text, **kwargs):
        asked.append((text, kwargs))
        return multi

    def build(settings, database):
        from support.routes import setup

        app = web.Application()
        setup(app, settings, database=lambda: database, respond=fake_respond)
        return app

    desk = await start_desk(LOCAL, app=build)
    await desk.open_page()
    status, body = await desk.post_json("/support/api/answer",
                                        {"text": "deux questions", "today": "2022-08-05", "lang": "fr"},
                                        desk.headers())
    assert status == 200 and asked[0][1]["today"] == date(2022, 8, 5) and asked[0][1]["lang"] == "fr"
    assert body["text"] == "Réponse un.\n\nRéponse deux."
    assert [s["text"] for s in body["sections"]] == ["Réponse un.", "Réponse deux."]
    assert dict(body["sections"][0]["facts"])["Période de demande"] == "16 février 2022 – 15 août 2022"
    assert body["sections"][1]["reading_note"] == "Lu comme une date d'activité."
    assert "12 mars 2026" in dict(body["sections"][1]["facts"])["Conservez les preuves d'exécution jusqu'au"]


# --- OIDC: redirect, bearer tokens ------------------------------------------------------------


async def test_signed_out_page_redirects_to_the_issuer_with_pkce(start_desk, issuer):
    desk = await start_desk(oidc_env(issuer))
    response = await desk.http.get(desk.base + "/support", allow_redirects=False)
    assert response.status == 302 and response.headers["Location"].startswith("/support/login")
    login = await desk.http.get(desk.base + response.headers["Location"], allow_redirects=False)
    location = login.headers["Location"]
    assert login.status == 302 and location.startswith(f"{issuer.url}/authorize?")
    for param in ("response_type=code", f"client_id={CLIENT_ID}", "code_challenge=",
                  "code_challenge_method=S256", "state=", "nonce=", "scope=openid"):
        assert param in location
    assert "__Host-support-login=" in login.headers["Set-Cookie"]
    # A callback that this browser did not start is refused.
    callback = await desk.http.get(desk.base + "/support/auth/callback?code=x&state=y")
    assert callback.status == 400
    # The API without credentials: 401, never the page.
    assert (await desk.http.post(desk.base + "/support/api/answer", json={"text": "x"})).status == 401


async def test_bearer_tokens(start_desk, issuer):
    desk = await start_desk(oidc_env(issuer))
    ticket = {"text": "claim deadline for funds earned in August 2021", "today": "2022-03-01"}

    async def status_with(token):
        status, _ = await desk.post_json("/support/api/answer", ticket,
                                         {"Authorization": f"Bearer {token}"})
        return status

    assert await status_with(issuer.token()) == 200
    assert await status_with(issuer.token(aud=f"api://{CLIENT_ID}")) == 200
    assert await status_with(issuer.token(groups=None, roles=[GROUP])) == 200  # an app role
    assert await status_with(issuer.token(groups=["someone-else"])) == 403
    assert await status_with(issuer.token(exp=int(time.time()) - 3600)) == 401
    assert await status_with(issuer.token(aud="another-app")) == 401
    assert await status_with(issuer.token(iss="https://evil.example/v2.0")) == 401
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert await status_with(issuer.token(key=other)) == 401  # right kid, wrong key
    assert await status_with(issuer.token(key=other, kid="unknown")) == 401
    assert await status_with("not-a-jwt") == 401
    response = await desk.http.post(desk.base + "/support/api/answer", json=ticket,
                                    headers={"Authorization": "Basic dTpw"})
    assert response.status == 401


# --- batch jobs -------------------------------------------------------------------------------


def _csv(n, bad_every=0):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "question", "agent"])
    for i in range(n):
        question = "" if bad_every and i % bad_every == 0 else f"claim deadline for funds earned in May {2001 + i % 40}"
        writer.writerow([i, question, f"agent-{i % 3}"])
    return out.getvalue().encode("utf-8")


async def test_batch_job_over_bearer_token_csv_and_jsonl(start_desk, issuer):
    desk = await start_desk(oidc_env(issuer))
    auth = {"Authorization": f"Bearer {issuer.token()}"}
    response = await desk.http.post(desk.base + "/support/api/jobs?filename=export.csv&today=2024-11-27",
                                    data=_csv(300, bad_every=50), headers=auth)
    assert response.status == 202
    job = await desk.wait_job((await response.json())["id"], auth)
    assert job["status"] == "done" and job["total"] == 300 and job["done"] == 300 and job["failed"] == 6
    result = await desk.http.get(desk.base + job["result_url"], headers=auth)
    assert result.status == 200 and "export-answered.csv" in result.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(await result.text())))
    assert [int(r["id"]) for r in rows] == list(range(300))
    assert "February 15, 2003" in rows[1]["answer"] and rows[1]["agent"] == "agent-1" and not rows[1]["error"]
    assert rows[0]["error"] == "ValueError: the row has no question" and not rows[0]["answer"]

    jsonl = b'{"question": "FY21 H2 deadline", "lang": "fr"}\nnot json\n{"question": "H1 deadline", "today": "2025-03-01"}\n'
    response = await desk.http.post(desk.base + "/support/api/jobs?filename=t.jsonl&today=2024-11-27",
                                    data=jsonl, headers=auth)
    job = await desk.wait_job((await response.json())["id"], auth)
    lines = [json.loads(x) for x in (await (await desk.http.get(desk.base + job["result_url"],
                                                              headers=auth)).text()).splitlines()]
    assert len(lines) == 3 and "15 février 2022" in lines[0]["answer"]  # Microsoft's FY21 H2 (SPEC rule 8)
    assert "invalid JSON" in lines[1]["error"] and "August 15, 2025" in lines[2]["answer"]

    # The job list is the caller's; another user sees neither the list nor the job.
    listed = await (await desk.http.get(desk.base + "/support/api/jobs", headers=auth)).json()
    assert len(listed["jobs"]) == 2
    stranger = {"Authorization": f"Bearer {issuer.token(oid='someone-else')}"}
    assert (await desk.http.get(f"{desk.base}/support/api/jobs/{job['id']}", headers=stranger)).status == 404
    assert (await desk.http.get(desk.base + job["result_url"], headers=stranger)).status == 404
    assert (await (await desk.http.get(desk.base + "/support/api/jobs", headers=stranger)).json())["jobs"] == []


async def test_batch_upload_is_refused_when_it_cannot_be_answered(start_desk):
    desk = await start_desk(LOCAL)
    await desk.open_page()
    for data, name, expected in ((b"id,text\n1,hello\n", "t.csv", "question"), (b"", "t.csv", "empty"),
                                 (b"question\n\xff\xfe\n", "t.csv", "UTF-8")):
        response = await desk.http.post(f"{desk.base}/support/api/jobs?filename={name}", data=data,
                                        headers=desk.headers())
        assert response.status == 400 and expected in (await response.json())["error"]
    no_csrf = await desk.http.post(f"{desk.base}/support/api/jobs?filename=t.csv", data=_csv(2),
                                   headers=desk.headers(csrf=False))
    assert no_csrf.status == 403


async def test_multipart_upload_and_server_sent_events(start_desk):
    desk = await start_desk(LOCAL)
    await desk.open_page()
    from aiohttp import FormData

    form = FormData()
    form.add_field("today", "2024-11-27")
    form.add_field("lang", "fr")
    form.add_field("file", _csv(120), filename="tickets.csv", content_type="text/csv")
    response = await desk.http.post(desk.base + "/support/api/jobs", data=form, headers=desk.headers())
    job = await response.json()
    assert response.status == 202 and job["filename"] == "tickets.csv" and job["lang"] == "fr"
    events = await desk.http.get(desk.base + job["events_url"], headers=desk.headers())
    assert events.headers["Content-Type"].startswith("text/event-stream")
    seen = []
    async for line in events.content:
        text = line.decode().strip()
        if text.startswith("data: "):
            seen.append(json.loads(text[6:]))
        if text == "event: end":
            break
    final = await events.content.readline()
    last = json.loads(final.decode()[6:])
    assert last["status"] == "done" and last["percent"] == 100 and last["done"] == 120
    assert all(a["done"] <= b["done"] for a, b in zip(seen, seen[1:]))
    rows = list(csv.DictReader(io.StringIO(await (await desk.http.get(
        desk.base + last["result_url"], headers=desk.headers())).text())))
    assert len(rows) == 120 and "15 février" in rows[1]["answer"]


async def wait_until_done_at_least(db, job_id, rows, timeout=60):
    from support import store

    deadline = time.monotonic() + timeout
    while True:
        job = await store.get_job(db, job_id)
        assert job["status"] in ("queued", "running"), job
        if job["done"] >= rows:
            return job
        assert time.monotonic() < deadline, job
        await asyncio.sleep(0.05)


@pytest.mark.slow  # waits on the clock by design (fast tier: no)
async def test_a_job_interrupted_by_a_restart_resumes_where_it_stopped(start_desk, tmp_path):
    """A shutdown half-way puts the job back in the queue at its checkpoint; the next instance
    on the same database resumes it, and every row is in the output exactly once."""
    from slow_answers import slow_respond

    db = await Database.connect(f"sqlite:///{tmp_path / 'restart.sqlite3'}")

    def build(settings, database):
        from support.routes import setup

        app = web.Application()
        setup(app, settings, database=lambda: database, respond=slow_respond)
        return app

    try:
        first = await start_desk(LOCAL, db=db, app=build)
        await first.open_page()
        headers = first.headers()
        response = await first.http.post(first.base + "/support/api/jobs?filename=big.csv&today=2024-11-27",
                                         data=_csv(1500), headers=headers)
        job_id = (await response.json())["id"]
        await wait_until_done_at_least(db, job_id, 200)
        await first.server.close()  # the instance stops (cleanly) half-way
        from support import store

        paused = await store.get_job(db, job_id)
        assert paused["status"] == "queued" and 200 <= paused["done"] < 1500
        second = await start_desk(LOCAL, db=db, app=build)
        job = await second.wait_job(job_id, headers)
        assert job["status"] == "done" and job["done"] == 1500 and job["resumed"] == 1
        rows = list(csv.DictReader(io.StringIO(await (await second.http.get(
            second.base + job["result_url"], headers=headers)).text())))
        assert [int(r["id"]) for r in rows] == list(range(1500)) and all(r["answer"] for r in rows)
    finally:
        await db.close()


@pytest.mark.slow  # waits on the clock by design (fast tier: no)
async def test_a_job_whose_instance_died_is_resumed_once_its_lease_runs_out(start_desk, tmp_path,
                                                                             monkeypatch):
    """A crash: the job is left 'running' (no release) with rows written after its last
    checkpoint; another instance takes it when the lease expires, cuts the output back to the
    checkpoint and finishes it: each row exactly once."""
    from support import jobs as jobs_module, store
    from support.routes import DESK, setup

    from slow_answers import slow_respond

    db = await Database.connect(f"sqlite:///{tmp_path / 'crash.sqlite3'}")

    def build(settings, database):
        app = web.Application()
        setup(app, settings, database=lambda: database, respond=slow_respond)
        app[DESK].runner.lease_seconds = 1
        app[DESK].runner.poll_seconds = 0.2
        return app

    try:
        first = await start_desk(LOCAL, db=db, app=build)
        await first.open_page()
        headers = first.headers()
        response = await first.http.post(first.base + "/support/api/jobs?filename=c.csv&today=2024-11-27",
                                         data=_csv(1200), headers=headers)
        job_id = (await response.json())["id"]
        await wait_until_done_at_least(db, job_id, 150)

        async def no_release(*args, **kwargs):  # the process dies: nothing is handed back
            return None

        monkeypatch.setattr(store, "release_job", no_release)
        await first.server.close()
        crashed = await store.get_job(db, job_id)
        assert crashed["status"] == "running" and crashed["lease_owner"]
        out = tmp_path / "jobs" / f"{job_id}.out"
        with out.open("a", encoding="utf-8") as f:  # rows written after the last checkpoint
            f.write("999999,half a row written when the process died")
        monkeypatch.undo()

        second = await start_desk(LOCAL, db=db, app=build)
        job = await second.wait_job(job_id, headers)
        assert job["status"] == "done" and job["resumed"] == 1
        rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
        assert [int(r["id"]) for r in rows] == list(range(1200)) and all(r["answer"] for r in rows)
        assert jobs_module.LEASE_SECONDS == 30  # the production lease the docs promise
    finally:
        await db.close()


@pytest.mark.postgres
async def test_jobs_and_sessions_on_postgresql(start_desk, scratch):
    db = await scratch.connect()
    try:
        desk = await start_desk(LOCAL, db=db)
        await desk.open_page()
        response = await desk.http.post(desk.base + "/support/api/jobs?filename=t.csv&today=2024-11-27",
                                        data=_csv(50), headers=desk.headers())
        job = await desk.wait_job((await response.json())["id"], desk.headers())
        assert job["status"] == "done" and job["done"] == 50
    finally:
        await db.close()


def test_support_doctests():
    import doctest

    from support import answer, page, store

    for module in (answer, page, store):
        result = doctest.testmod(module)
        assert result.attempted and not result.failed, module.__name__


async def test_upload_limit_static_files_and_unreachable_issuer(start_desk, monkeypatch):
    from support import routes

    desk = await start_desk(LOCAL)
    await desk.open_page()
    monkeypatch.setattr(routes, "MAX_UPLOAD_BYTES", 10_000)
    response = await desk.http.post(desk.base + "/support/api/jobs?filename=big.csv", data=_csv(2000),
                                    headers=desk.headers())
    assert response.status == 413
    assert list((desk.server.app[routes.DESK].runner.files.directory).glob("*.in")) == []
    js = await desk.http.get(desk.base + "/support/static/support.js")
    assert js.status == 200 and js.headers["Content-Type"].startswith("text/javascript")
    for name in ("..%2Fpage.py", "page.py", ".hidden.js", "nope.css"):
        assert (await desk.http.get(desk.base + "/support/static/" + name)).status == 404

    down = await start_desk({"SUPPORT_OIDC_ISSUER": "http://127.0.0.1:9/unreachable",
                             "SUPPORT_OIDC_CLIENT_ID": CLIENT_ID, "SUPPORT_OIDC_CLIENT_SECRET": "x",
                             "SUPPORT_ALLOWED_GROUP": GROUP})
    response = await down.http.get(down.base + "/support/login", allow_redirects=False)
    assert response.status == 503


@pytest.mark.process
def test_the_server_refuses_to_start_with_local_dev_on_a_public_host(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SUPPORT_", "Microsoft"))}
    env.update(SUPPORT_LOCAL_DEV="true", HOST="0.0.0.0", PORT="1",
               DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}")
    proc = subprocess.run([sys.executable, str(root / "app.py")], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "SUPPORT_LOCAL_DEV" in proc.stderr and "loopback" in proc.stderr and "0.0.0.0" in proc.stderr


async def test_api_errors_speak_the_askers_language(start_desk):
    """The API's refusals are catalogue sentences (support.api.*): French for a French browser
    (Accept-Language, or the page's language cookie), English otherwise."""
    from understanding import messages

    desk = await start_desk(LOCAL)
    await desk.open_page()
    french = {"Accept-Language": "fr-FR,fr;q=0.9"}
    status, body = await desk.post_json("/support/api/answer", {"text": "hi"}, desk.headers(csrf=False, **french))
    assert status == 403 and body["error"] == messages.t("fr", "support.api.csrf") == "jeton CSRF manquant ou erroné"
    status, body = await desk.post_json("/support/api/answer", {"text": " "}, desk.headers(**french))
    assert status == 400 and body["error"] == messages.t("fr", "support.api.text_required")
    status, body = await desk.post_json("/support/api/answer", {"text": "hi", "today": "1800-01-01"},
                                        desk.headers(Cookie=desk.cookie + "; support-lang=fr"))
    assert status == 400 and body["error"].startswith("today doit être entre le ")
    status, body = await desk.post_json("/support/api/answer", {"text": "hi", "lang": "xx"}, desk.headers())
    assert status == 400 and body["error"] == messages.t("en", "support.api.lang")
    missing = await desk.http.get(desk.base + "/support/api/jobs/nope", headers=desk.headers(**french))
    assert missing.status == 404 and (await missing.json())["error"] == "export introuvable"
