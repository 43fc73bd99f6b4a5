"""app.py: the create_app seams (product bot, storage), the CLI dispatch, and `python app.py`
serving for real."""

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
import types
import urllib.request
import weakref
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from botbuilder.core import ActivityHandler

import app
from conftest import migrate_url
from bot.http import SERVICES
from config import Settings

REPO = Path(__file__).resolve().parent.parent


class EchoBot(ActivityHandler):
    async def on_message_activity(self, turn_context):
        await turn_context.send_activity(f"echo: {turn_context.activity.text}")


def product_module(create_bot):
    module = types.ModuleType("bot.teams_bot")
    module.create_bot = create_bot
    return module


def test_missing_product_bot_is_a_clear_startup_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "bot.teams_bot", None)  # import fails as if absent
    with pytest.raises(app.StartupError, match="bot.teams_bot is missing"):
        app.create_app(Settings())


def test_a_bot_without_on_turn_is_refused():
    with pytest.raises(app.StartupError, match="on_turn"):
        app.create_app(Settings(), bot=object())


async def test_product_bot_is_built_at_startup_on_the_database(monkeypatch, product_db_url,
                                                               fake_channel):
    from reminders import StoreReminders
    from storage import SqlStorage

    built = []

    class ProductBot(EchoBot):
        def __init__(self, storage):
            self.storage = storage

        async def on_turn_error(self, turn_context, error):
            pass

    async def create_bot(settings, storage, *, reminders=None):  # may be async
        built.append((settings, storage, reminders))
        return ProductBot(storage)

    monkeypatch.setitem(sys.modules, "bot.teams_bot", product_module(create_bot))
    settings = Settings(database_url=product_db_url,
                        reminder_sweep_enabled=False, public_base_url="https://bot.example")
    application = app.create_app(settings)
    assert built == []  # nothing is opened before start-up
    routes = {r.canonical for r in application.router.resources()}
    assert {"/api/messages", "/healthz", "/calendar/{token}.ics"} <= routes

    client = TestClient(TestServer(application, host="127.0.0.1"))
    await client.start_server()
    try:
        [(got_settings, storage, reminders)] = built
        assert got_settings is settings
        assert isinstance(storage, SqlStorage) and isinstance(reminders, StoreReminders)
        database = application[SERVICES].storage
        assert await database.fetchval("SELECT 41 + 1") == 42  # a live storage.Database
        assert await (await client.get("/healthz")).json() == {
            "status": "ok", "version": "0.1.0", "storage": "sqlite"}
        response = await client.post("/api/messages", json=fake_channel.activity("hi"))
        assert response.status == 200
        assert fake_channel.posted[0]["text"] == "echo: hi"
        services = application[SERVICES]
        assert services.bot.storage is storage
        # the bot's on_turn_error method became the adapter's clean-up hook
        assert services.adapter._turn_error_hook == services.bot.on_turn_error
    finally:
        await client.close()
    with pytest.raises(Exception, match="closed"):
        await database.fetchval("SELECT 1")  # the app closed the database it opened


@pytest.mark.parametrize("delivery_mode", ["normal", "expectReplies"])
async def test_the_real_product_answers_through_the_layer(product_db_url, fake_channel, caplog,
                                                          delivery_mode):
    pytest.importorskip("bot.teams_bot")
    settings = Settings(database_url=product_db_url,
                        reminder_sweep_enabled=False)
    client = TestClient(TestServer(app.create_app(settings), host="127.0.0.1"))
    await client.start_server()
    try:
        activity = fake_channel.activity("When must I claim FY22 H1 funds?",
                                         deliveryMode=delivery_mode)
        response = await client.post("/api/messages", json=activity)
        assert response.status == 200
        replies = (fake_channel.posted if delivery_mode == "normal"
                   else (await response.json())["activities"])
        said = [r.get("text") or "".join(a["content"].get("fallbackText", "")
                                          for a in r.get("attachments") or []) for r in replies]
        assert any(r["type"] == "message" and "2022" in s for r, s in zip(replies, said))
    finally:
        await client.close()
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


async def test_the_server_creates_the_schema_of_a_new_sqlite_database_itself(tmp_path, fake_channel):
    """``python app.py`` on the embedded default (SQLite, one machine) just starts: no
    ``app.py migrate`` first, as ``ask``, ``answer`` and ``notify`` need none."""
    from storage import Database

    url = f"sqlite:///{tmp_path / 'new.sqlite3'}"
    client = TestClient(TestServer(app.create_app(Settings(database_url=url,
                                                           reminder_sweep_enabled=False)),
                                   host="127.0.0.1"))
    await client.start_server()
    try:
        assert (await client.get("/readyz")).status == 200
        response = await client.post("/api/messages", json=fake_channel.activity("remind me"))
        assert response.status == 200
        [reply] = fake_channel.posted
        assert "remind you" in reply["attachments"][0]["content"]["fallbackText"]
    finally:
        await client.close()
    db = await Database.connect(url)
    try:
        assert await db.fetchval("SELECT COUNT(*) FROM reminder_subscriptions") == 1
        import services

        await services.check_schema(db)  # fully migrated: nothing behind
    finally:
        await db.close()


@pytest.mark.postgres
async def test_a_shared_postgres_schema_behind_is_still_refused_at_start_up():
    """Several instances share PostgreSQL: its schema changes by ``app.py migrate`` only."""
    from storage.testing import POSTGRES_TEST_URL, scratch_database

    async with scratch_database(POSTGRES_TEST_URL) as scratch:
        url = f"{POSTGRES_TEST_URL}?search_path={scratch.schema}"
        client = TestClient(TestServer(app.create_app(Settings(database_url=url,
                                                               reminder_sweep_enabled=False)),
                                       host="127.0.0.1"))
        with pytest.raises(app.StartupError, match="app.py migrate"):
            await client.start_server()
        await client.close()
        db = await scratch.connect()
        assert "reminder_subscriptions" not in str(await db.fetch(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = $1",
            scratch.schema))


async def test_storage_passed_in_is_used_and_left_open(monkeypatch):
    class Storage:
        kind = "memory"
        closed = False

        async def close(self):
            self.closed = True

    storage = Storage()
    monkeypatch.setitem(sys.modules, "bot.teams_bot",
                        product_module(lambda settings, given, reminders=None: EchoBot()))
    settings = Settings(reminder_sweep_enabled=False)
    client = TestClient(TestServer(app.create_app(settings, storage=storage), host="127.0.0.1"))
    await client.start_server()
    assert (await (await client.get("/healthz")).json())["storage"] == "memory"
    await client.close()
    assert not storage.closed


# --- CLI dispatch ------------------------------------------------------------------------------


def test_cli_command_module_is_plugged_in_lazily(monkeypatch, capsys):
    calls = []
    command = types.ModuleType("fake_cli_hello")
    command.configure_parser = lambda parser: parser.add_argument("--name")

    def run(args, settings):
        calls.append((args.command, args.name, settings.port))
        print(f"hello {args.name}")
        return 3

    command.run = run
    monkeypatch.setitem(sys.modules, "fake_cli_hello", command)
    monkeypatch.setitem(app.CLI_COMMANDS, "hello", ("fake_cli_hello", "say hello"))
    monkeypatch.setenv("PORT", "4321")
    assert app.main(["hello", "--name", "Ada"]) == 3
    assert calls == [("hello", "Ada", 4321)]
    assert capsys.readouterr().out == "hello Ada\n"


def test_missing_cli_module_is_a_clear_error(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "cli.ask", None)
    assert app.main(["ask", "when must I claim?"]) == 2
    assert "command 'ask' is not available: cli.ask is missing" in capsys.readouterr().err


def test_bad_configuration_stops_the_cli_naming_the_variable(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "bot.teams_bot", None)
    monkeypatch.setenv("PORT", "abc")
    assert app.main([]) == 2
    assert "PORT: must be an integer" in capsys.readouterr().err


@pytest.mark.process
def test_cli_dispatch_does_not_import_the_bot_stack(tmp_path):
    # `python app.py ask` must answer fast: the dispatch itself (argparse, settings, logging)
    # may not pull in aiohttp or botbuilder.
    (tmp_path / "fake_ping.py").write_text(
        "import sys\n"
        "def configure_parser(parser): pass\n"
        "def run(args, settings):\n"
        "    print(sorted(m for m in ('aiohttp', 'botbuilder', 'botframework', 'msrest')\n"
        "                 if m in sys.modules))\n")
    code = ("import sys, app; app.CLI_COMMANDS['ping'] = ('fake_ping', 'test'); "
            "sys.exit(app.main(['ping']))")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                            text=True, timeout=60,
                            env={**os.environ, "PYTHONPATH": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


@pytest.mark.process
def test_help_lists_the_commands():
    result = subprocess.run([sys.executable, "app.py", "--help"], cwd=REPO, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0
    for command in ("serve", "ask", "answer", "notify"):
        assert command in result.stdout


# --- `python app.py` serving for real ---------------------------------------------------------


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_json(url, payload=None):
    data = None if payload is None else json.dumps(payload).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.status, json.loads(response.read() or b"null")


@pytest.mark.process
async def test_python_app_py_serves_until_interrupted(tmp_path):
    port = free_port()
    # the product bot does not exist yet: stand one in from the command line
    code = ("import sys, types\n"
            "from botbuilder.core import ActivityHandler\n"
            "class Bot(ActivityHandler):\n"
            "    async def on_message_activity(self, tc):\n"
            "        await tc.send_activity('echo: ' + tc.activity.text)\n"
            "m = types.ModuleType('bot.teams_bot')\n"
            "m.create_bot = lambda settings, storage, reminders=None: Bot()\n"
            "sys.modules['bot.teams_bot'] = m\n"
            "sys.argv = ['app.py']\n"
            "import runpy; runpy.run_path('app.py', run_name='__main__')\n")
    env = {**os.environ, "PORT": str(port), "HOST": "127.0.0.1", "LOG_LEVEL": "INFO",
           "REMINDER_SWEEP_ENABLED": "false",
           "DATABASE_URL": migrate_url(f"sqlite:///{tmp_path / 'coop.sqlite3'}"),
           "MicrosoftAppId": "", "MicrosoftAppPassword": ""}
    process = subprocess.Popen([sys.executable, "-c", code], cwd=REPO, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                status, health = await asyncio.to_thread(http_json, f"{base}/healthz")
                break
            except OSError:
                assert process.poll() is None, process.communicate()[1]
                assert time.monotonic() < deadline, "the server did not start"
                await asyncio.sleep(0.1)
        assert (status, health["status"], health["storage"]) == (200, "ok", "sqlite")
        activity = {"type": "message", "text": "hi", "deliveryMode": "expectReplies",
                    "conversation": {"id": "c1"}, "from": {"id": "u1"}, "channelId": "test"}
        status, body = await asyncio.to_thread(http_json, f"{base}/api/messages", activity)
        assert status == 200 and body["activities"][0]["text"] == "echo: hi"
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    # logging configured: level, logger name, correlation id field, the local-development warning
    assert "WARNING app [-] MicrosoftAppId is not set: local-development mode" in stderr
    assert f"listening on http://127.0.0.1:{port}/api/messages" in stderr
    # the start-up heap was settled before the first request (services.settle_heap)
    assert "INFO services [-] start-up heap settled:" in stderr
    assert stderr.index("start-up heap settled") < stderr.index("POST '/api/messages'")


def test_settle_heap_collects_then_freezes_the_start_up_heap(caplog):
    import gc

    import services

    class Cycle:
        def __init__(self):
            self.me = self

    gc.unfreeze()
    garbage = weakref.ref(Cycle())  # start-up garbage: collected first, never frozen
    kept = Cycle()
    try:
        with caplog.at_level("INFO", logger="services"):
            frozen = services.settle_heap()
        assert garbage() is None
        assert 0 < gc.get_freeze_count() <= frozen  # (frozen objects still die by refcount)
        assert not any(o is kept for o in gc.get_objects())  # out of the collector's rounds
    finally:
        gc.unfreeze()
    assert any(o is kept for o in gc.get_objects())  # unfrozen: an ordinary object again
    assert f"{frozen} objects frozen" in caplog.text
