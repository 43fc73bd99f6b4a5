"""Operations: ``python app.py migrate`` (idempotent; the server refuses a PostgreSQL schema behind),
``GET /metrics`` moving with real traffic, JSON logs with the correlation id."""

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

import app
from config import Settings
from fake_connector import FakeConnector

REPO = Path(__file__).resolve().parent.parent
ADMIN = "operator-token-0123456789"


def run_app(*args, url, **env):
    return subprocess.run([sys.executable, str(REPO / "app.py"), *args], cwd=REPO,
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "DATABASE_URL": url, **env})


@pytest.mark.process
@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def test_migrate_twice_is_a_no_op_and_the_server_refuses_a_shared_schema_behind(tmp_path, backend):
    from storage.testing import POSTGRES_TEST_URL, scratch_database

    base = f"sqlite:///{tmp_path / 'coop.sqlite3'}" if backend == "sqlite" else POSTGRES_TEST_URL
    async with scratch_database(base) as scratch:
        url = base if scratch.schema is None else f"{base}?search_path={scratch.schema}"
        if backend == "postgres":  # an SQLite schema is the server's own (test_http_app.py)
            refused = run_app("serve", url=url, PORT="1", REMINDER_SWEEP_ENABLED="false")
            assert refused.returncode == 2
            assert "schema is behind" in refused.stderr and "python app.py migrate" in refused.stderr

        first = run_app("migrate", url=url)
        assert first.returncode == 0 and first.stdout.startswith("migrated:"), first.stderr
        db = await scratch.connect()
        tables = await db.fetch("SELECT name, version, checksum FROM schema_migrations "
                                "ORDER BY name, version")
        second = run_app("migrate", url=url)
        assert second.returncode == 0, second.stderr
        assert second.stdout.strip() == "the schema is up to date"
        assert await db.fetch("SELECT name, version, checksum FROM schema_migrations "
                              "ORDER BY name, version") == tables
        assert {t["name"] for t in tables} >= {"reminders", "coordination", "bot_storage:bot_state"}


async def test_metrics_move_with_real_traffic(product_db_url, fake_channel):
    settings = Settings(database_url=product_db_url, reminder_sweep_enabled=False,
                        admin_token=ADMIN)
    client = TestClient(TestServer(app.create_app(settings), host="127.0.0.1"))
    await client.start_server()
    auth = {"Authorization": f"Bearer {ADMIN}"}
    try:
        assert (await client.get("/metrics")).status == 401
        before = await (await client.get("/metrics", headers=auth)).text()
        assert "coop_turns_total" not in before or 'coop_turns_total{status="200"}' not in before
        for text in ("When must I claim H1 2021 funds?", "hello"):
            response = await client.post("/api/messages", json=fake_channel.activity(text))
            assert response.status == 200
        assert (await client.post("/api/messages", data=b"{", headers={
            "Content-Type": "application/json"})).status == 400
        assert (await client.get("/readyz")).status == 200
        after = await (await client.get("/metrics", headers=auth)).text()
    finally:
        await client.close()
    samples = _samples(after)
    assert samples[('coop_turns_total', 'status="200"')] == 2
    assert samples[('coop_turns_total', 'status="400"')] == 1
    assert samples[('coop_errors_total', 'kind="BadRequest"')] == 1
    assert samples[('coop_turn_seconds_count', '')] == 3
    assert samples[('coop_db_statement_seconds_count', 'dialect="sqlite"')] > 0


async def test_metrics_count_reminders_and_rate_waits(db, tmp_path):
    """A sweep through the server's reminder services moves the reminder counters."""
    from datetime import date

    import ops
    import services
    from bot.adapter import create_adapter
    from fake_connector import reference
    from reminders import store
    from reminders.http import REMINDER_SERVICES
    from aiohttp import web

    metrics = ops.Metrics()
    async with FakeConnector() as connector:
        for i in range(3):
            await store.subscribe(db, user_id=f"29:u{i}", today=date(2022, 8, 1),
                                  reference=reference(connector.service_url, f"c{i}"))
        await db.migrate(*services.product_migrations()[2])
        adapter = create_adapter(Settings())
        application = web.Application()
        settings = Settings(tenant_rate_per_sec=20, reminder_sweep_enabled=False)
        services.mount_reminders(application, settings, adapter, observe=metrics.reminder)
        services.database_ready(application, settings, db, on_rate_wait=metrics.rate_wait)
        try:
            summary = await application[REMINDER_SERVICES].sweep(date(2022, 8, 8))
        finally:
            await adapter.close()
    assert summary.sent == 3
    samples = _samples(metrics.exposition()[0].decode())
    assert samples[('coop_reminders_total', 'outcome="sent"')] == 3
    assert samples[('coop_rate_limit_waits_total', '')] >= 1  # 3 sends at 20/s wait in turn


def test_json_logs_carry_the_correlation_id():
    import io

    from bot import CorrelationIdFilter, correlation_id
    from ops import JsonFormatter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(CorrelationIdFilter())
    logger = logging.getLogger("test.jsonlogs")
    logger.addHandler(handler)
    logger.propagate = False  # a root handler an earlier test configured must not write here too
    token = correlation_id.set("abc123")
    try:
        logger.warning("hello %s", "world")
        try:
            raise ValueError("boom")
        except ValueError:
            logger.exception("it failed")
    finally:
        correlation_id.reset(token)
        logger.removeHandler(handler)
    first, second = (json.loads(line) for line in stream.getvalue().strip().splitlines())
    assert first["message"] == "hello world" and first["correlation_id"] == "abc123"
    assert first["level"] == "WARNING" and first["logger"] == "test.jsonlogs"
    assert second["level"] == "ERROR" and "ValueError: boom" in second["exception"]
    assert Settings(log_format="JSON").log_format == "json"


def _samples(exposition: str) -> dict:
    out = {}
    for line in exposition.splitlines():
        if not line or line.startswith("#"):
            continue
        name_labels, _, value = line.rpartition(" ")
        name, _, labels = name_labels.partition("{")
        out[(name, labels.rstrip("}"))] = float(value)
    return out
