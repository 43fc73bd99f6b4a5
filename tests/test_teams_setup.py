"""Newcomer set-up for Teams: the start-up warning when credentials are set but calendar links
would point at localhost, and ``scripts/start.sh --playground`` wiring (no browser here: the
browser test is tests/e2e)."""
from __future__ import annotations

import logging
import subprocess
from pathlib import Path

import pytest

import app
from config import Settings

REPO = Path(__file__).resolve().parents[1]
APP_ID = "11111111-2222-3333-4444-555555555555"


class _Bot:
    async def on_turn(self, turn_context):  # pragma: no cover - never called here
        return None


def _warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]


def test_credentials_with_a_localhost_public_url_warn_at_start_up(caplog):
    caplog.set_level(logging.WARNING, logger="app")
    settings = Settings(app_id=APP_ID, app_password="secret-for-test",
                        public_base_url="http://localhost:3978")
    app.create_app(settings, bot=_Bot())
    assert any("PUBLIC_BASE_URL" in m and "localhost:3978" in m for m in _warnings(caplog))


def test_no_warning_with_a_public_url_or_without_credentials(caplog):
    caplog.set_level(logging.WARNING, logger="app")
    app.create_app(Settings(app_id=APP_ID, app_password="secret-for-test",
                            public_base_url="https://coop.contoso.example"), bot=_Bot())
    assert not [m for m in _warnings(caplog) if "PUBLIC_BASE_URL" in m]
    caplog.clear()
    app.create_app(Settings(public_base_url="http://127.0.0.1:3978"), bot=_Bot())
    # local development: the "not authenticated" warning, not the PUBLIC_BASE_URL one
    assert not [m for m in _warnings(caplog) if "PUBLIC_BASE_URL" in m]


@pytest.mark.parametrize("url,local", [("http://localhost:3978", True), ("http://127.0.0.1", True),
                                       ("http://[::1]:8080", True), ("http://0.0.0.0:3978", True),
                                       ("https://bot.localhost", True),
                                       ("https://coop.contoso.example", False),
                                       ("https://10.0.0.5", False)])
def test_is_local_url(url, local):
    assert app.is_local_url(url) is local


@pytest.mark.process
def test_start_script_runs_the_playground_against_the_loopback_bot():
    script = (REPO / "scripts" / "start.sh").read_text()
    assert subprocess.run(["bash", "-n", str(REPO / "scripts" / "start.sh")]).returncode == 0
    assert "--playground" in script and "HOST=127.0.0.1" in script
    assert '-e "http://127.0.0.1:$port/api/messages" -c msteams' in script
    setup = (REPO / "scripts" / "setup.sh").read_text()
    assert '"--playground"' in setup and "npm ci" in setup
