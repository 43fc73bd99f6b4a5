"""Shared test fixtures. Keep each one small and say which tests use it.

Tiers. ``scripts/test.sh --fast`` (``pytest -m fast``) runs, in under a minute, every test
that
- starts no process and no browser (a test that does is marked ``process``, or ``e2e`` for the
  browser tests; a ``fast`` test that starts one anyway fails, naming what it started),
- needs no PostgreSQL server (``postgres``: the SQLite half of a both-databases test is fast),
- is not a Hypothesis property test (``property``, set here: hundreds of examples each),
- does not wait on the clock by design (``slow``: leases, rate limits, Retry-After).
This hook marks the rest ``fast``; the full suite (``scripts/test.sh``, CI) runs everything.
"""

import sys

import pytest


# --- HTTP layer (tests/test_http_*.py) ---------------------------------------------------------


class FakeChannel:
    """A Bot Framework channel connector on loopback: records what the bot sends to serviceUrl.

    ``answers`` is a queue of (status, json_body, headers) to give instead of 200 {"id": ...}.
    """

    def __init__(self):
        self.requests = []
        self.answers = []
        self.service_url = ""

    async def handle(self, request):
        from aiohttp import web

        body = await request.read()
        self.requests.append({
            "method": request.method,
            "path": request.raw_path,
            "authorization": request.headers.get("Authorization"),
            "json": await request.json() if body else None,
        })
        if self.answers:
            status, payload, headers = self.answers.pop(0)
            return web.json_response(payload, status=status, headers=headers)
        return web.json_response({"id": f"sent-{len(self.requests)}"})

    def activity(self, text="hi", **fields):
        """An incoming Teams-like message activity whose replies go to this channel."""
        activity = {
            "type": "message", "id": "in-1", "channelId": "msteams", "locale": "en-US",
            "serviceUrl": self.service_url, "text": text,
            "from": {"id": "29:user-1", "name": "Partner"},
            "recipient": {"id": "28:bot-1", "name": "Co-op Assistant"},
            "conversation": {"id": "a:1Xyz;messageid=1", "tenantId": "tenant-1"},
        }
        activity.update(fields)
        return activity

    @property
    def posted(self):
        """The activities POSTed so far."""
        return [r["json"] for r in self.requests if r["method"] == "POST"]


@pytest.fixture
async def fake_channel():
    from aiohttp import web

    channel = FakeChannel()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", channel.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    channel.service_url = f"http://127.0.0.1:{runner.addresses[0][1]}/amer/"
    yield channel
    await runner.cleanup()


@pytest.fixture
async def bot_client():
    """Factory: ``await bot_client(bot, settings=None, **create_app_kwargs)`` -> a TestClient
    for ``create_app`` on a real loopback socket (settings default to no .env, no credentials)."""
    from aiohttp.test_utils import TestClient, TestServer

    from app import create_app
    from config import Settings

    clients = []

    async def start(bot, settings=None, **kwargs):
        app = create_app(settings or Settings.from_env({}, dotenv_path=None), bot=bot, **kwargs)
        client = TestClient(TestServer(app, host="127.0.0.1"))
        await client.start_server()
        clients.append(client)
        return client

    yield start
    for client in clients:
        await client.close()


@pytest.fixture
def credentials_factory():
    """A botframework-connector credentials factory for app id ``credentials_factory.app_id``
    whose credentials hand out the fixed token ``outbound-token`` instead of asking Azure AD;
    ``created`` counts the credentials made."""
    from botframework.connector.auth import AppCredentials, ServiceClientCredentialsFactory

    class StaticTokenCredentials(AppCredentials):
        def get_access_token(self, force_refresh=False):
            return "outbound-token"

    class StaticCredentialFactory(ServiceClientCredentialsFactory):
        app_id = "00000000-0000-0000-0000-00000000a11d"
        created = 0

        async def is_valid_app_id(self, app_id):
            return app_id == self.app_id

        async def is_authentication_disabled(self):
            return False

        async def create_credentials(self, app_id, oauth_scope, login_endpoint,
                                     validate_authority):
            if app_id != self.app_id:
                raise PermissionError(f"unexpected app id {app_id!r}")
            self.created += 1
            return StaticTokenCredentials(app_id=app_id)

    return StaticCredentialFactory()


# --- databases (storage, reminders and dialogs tests) ------------------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def scratch(request, tmp_path):
    """A throwaway database: an SQLite file, and a scratch schema on the real PostgreSQL server
    (dropped afterwards). ``await scratch.connect()`` opens a ``Database`` on it."""
    from storage.testing import POSTGRES_TEST_URL, scratch_database

    url = f"sqlite:///{tmp_path / 'coop.sqlite3'}" if request.param == "sqlite" else POSTGRES_TEST_URL
    async with scratch_database(url) as place:
        yield place


@pytest.fixture
async def db(tmp_path):
    """An SQLite file with the reminders tables (test_storage.py and test_reminders_store.py
    define their own ``db`` over ``scratch``, on both databases)."""
    from reminders import store
    from storage.db import Database

    database = await Database.connect(f"sqlite:///{tmp_path / 'coop.sqlite3'}")
    await store.migrate(database)
    yield database
    await database.close()


# --- a fake Teams connector on loopback (reminders tests) --------------------------------------


@pytest.fixture
async def connector():
    from fake_connector import FakeConnector

    async with FakeConnector() as fake:
        yield fake


@pytest.fixture
async def transport():
    """The production proactive transport; a generous timeout, as CI machines are loaded."""
    from config import Settings
    from bot.proactive import production_transport

    t = production_transport(Settings(), timeout=2)
    yield t
    await t.close()


# --- the product's schema (tests that start the product app) ----------------------------------


def migrate_url(url):
    """Run ``python app.py migrate`` on ``url`` (the server refuses a PostgreSQL schema that is
    behind; it brings an SQLite one up to date itself)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    repo = Path(__file__).resolve().parent.parent
    subprocess.run([sys.executable, str(repo / "app.py"), "migrate"], cwd=repo, check=True,
                   env={**os.environ, "DATABASE_URL": url}, stdout=subprocess.DEVNULL)
    return url


@pytest.fixture
async def product_db_url(tmp_path):
    """An SQLite file with the product's schema, as ``python app.py migrate`` leaves it
    (migrated in this process: no process started)."""
    from services import migrate_database
    from storage.db import Database

    url = f"sqlite:///{tmp_path / 'coop.sqlite3'}"
    db = await Database.connect(url)
    try:
        await migrate_database(db)
    finally:
        await db.close()
    return url


# --- the suite leaves the checkout as it found it -----------------------------------------------

_CHECKOUT_BEFORE = pytest.StashKey[object]()


def checkout_state(root):
    """What ``git status`` says of the checkout at ``root`` (tracked files changed, files not
    ignored that appeared), with the content of each file it lists; None outside a git
    checkout."""
    import hashlib
    import subprocess

    try:
        status = subprocess.run(["git", "status", "--porcelain=v1", "--untracked-files=all", "-z"],
                                cwd=root, capture_output=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    if status.returncode != 0:
        return None
    state = {}
    for entry in status.stdout.decode("utf-8", "surrogateescape").split("\0"):
        if entry:
            path = root / entry[3:]
            digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "-"
            state[entry[3:]] = (entry[:2], digest)
    return state


def pytest_sessionstart(session):
    from pathlib import Path

    session.stash[_CHECKOUT_BEFORE] = checkout_state(Path(__file__).resolve().parent.parent)


def pytest_sessionfinish(session, exitstatus):
    """A test that writes into the repository (a screenshot over a tracked picture, a log file
    beside the code) fails the run: tests write to temporary folders (the README's pictures are
    refreshed by ``python -m tests.e2e.refresh_docs``, not by the tests)."""
    from pathlib import Path

    before = session.stash.get(_CHECKOUT_BEFORE, None)
    if before is None:
        return
    import os

    after = checkout_state(Path(__file__).resolve().parent.parent) or {}
    changed = sorted(path for path in set(before) | set(after) if before.get(path) != after.get(path))
    if os.environ.get("E2E_SCREENSHOTS") or os.environ.get("UPDATE_SCREENSHOTS"):
        changed = [path for path in changed if not path.startswith("docs/")]  # asked for
    if changed:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_sep("=", "the tests changed the checkout", red=True)
            for path in changed:
                reporter.write_line(f"  {after.get(path, ('gone', ''))[0]} {path}")
        session.exitstatus = 1


# --- tiers: `-m fast` starts no process and no browser ------------------------------------------

_SPAWN_EVENTS = ("subprocess.Popen", "os.system", "os.posix_spawn", "os.fork", "os.forkpty",
                 "os.exec", "os.spawn", "pty.spawn")
_watch: dict = {"on": False, "spawned": []}


def _spawn_audit(event, args):
    if _watch["on"] and event in _SPAWN_EVENTS:
        what = args[1] if event == "subprocess.Popen" and len(args) > 1 else args
        _watch["spawned"].append(f"{event} {str(what)[:120]}")


sys.addaudithook(_spawn_audit)  # process-wide and permanent; idle unless a fast test runs


_NOT_FAST = ("process", "e2e", "postgres", "property", "slow")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if getattr(getattr(item, "obj", None), "is_hypothesis_test", False):
            item.add_marker(pytest.mark.property)
        if not any(item.get_closest_marker(name) for name in _NOT_FAST):
            item.add_marker(pytest.mark.fast)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    _watch["on"] = item.get_closest_marker("fast") is not None
    _watch["spawned"] = []
    try:
        return (yield)
    finally:
        _watch["on"] = False


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if _watch["spawned"] and report.when == "teardown" and item.get_closest_marker("fast"):
        report.outcome = "failed"
        report.longrepr = (f"{item.nodeid} is in the fast tier but started a process: "
                           f"{_watch['spawned'][0]} (mark it @pytest.mark.process)")
    return report
