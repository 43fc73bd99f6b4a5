"""Fixtures for the browser end-to-end tests: bot process -> Agents Playground -> Chromium.

- ``e2e_bot``: the bot server (default: the product, ``python app.py``; set ``E2E_BOT_CMD`` to
  run another bot, e.g. ``E2E_BOT_CMD="python /tmp/bot.py"``), on a free port of 127.0.0.1,
  with a throwaway SQLite database, ready once ``GET /healthz`` answers.
- ``playground``: the pinned Microsoft 365 Agents Playground (``e2e/``) pointed at it.
- ``e2e_page``: a Playwright page in Debian's Chromium; ``chat_page``: the same page opened
  on the playground's personal chat with the bot.
- ``screenshots``: the folder for a test's pictures of the page (temporary unless
  ``E2E_SCREENSHOTS`` names one: ``python -m tests.e2e.refresh_docs``).
On failure the page's screenshot and HTML and both processes' logs are saved under
``test-output/e2e/``. Missing tools skip the tests locally but fail them when ``CI=true``.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import sys
from pathlib import Path

import pytest

from . import playground as pg

_REPORTS = pytest.StashKey[dict]()
BOT_START_TIMEOUT = float(os.environ.get("E2E_BOT_START_TIMEOUT", "60"))
PLAYGROUND_START_TIMEOUT = float(os.environ.get("E2E_PLAYGROUND_START_TIMEOUT", "60"))


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def missing_tools() -> list[str]:
    """What the end-to-end tests need and this machine lacks (empty when all is there)."""
    missing = []
    if not (pg.CHROMIUM.is_file() and os.access(pg.CHROMIUM, os.X_OK)):
        missing.append(f"Chromium at {pg.CHROMIUM} (Debian package 'chromium')")
    if shutil.which("node") is None:
        missing.append("node on PATH")
    if not (pg.PLAYGROUND_PACKAGE / "package.json").is_file():
        missing.append(f"the Agents Playground in {pg.PLAYGROUND_PACKAGE} (npm ci in e2e/)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the playwright Python package")
    return missing


def require_tools() -> None:
    missing = missing_tools()
    if not missing:
        return
    reason = ("end-to-end tools missing: " + "; ".join(missing)
              + " -- run scripts/setup.sh --e2e")
    if _in_ci():
        pytest.fail(reason + " (CI=true: missing tools are a failure, not a skip)", pytrace=False)
    pytest.skip(reason)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    if report.when == "call" and report.failed:
        # What the servers said is usually the cause: show it beside the failure.
        for name in ("e2e_bot", "playground"):
            server = getattr(item, "funcargs", {}).get(name)
            if server is not None:
                report.sections.append((f"e2e: {name} output", server.process.output_tail(30)))
    return report


def _failed(request) -> bool:
    reports = request.node.stash.get(_REPORTS, {})
    return any(r.failed for r in reports.values())


def _slug(nodeid: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid.split("::", 1)[-1]).strip("_") or "test"


@pytest.fixture
def e2e_tools():
    require_tools()


@pytest.fixture
def e2e_artifacts() -> pg.Artifacts:
    return pg.Artifacts()


@pytest.fixture
def screenshots(tmp_path) -> Path:
    """Where a test's pictures of the page go: a temporary folder (tests never write into the
    repository), or ``E2E_SCREENSHOTS`` when set (``python -m tests.e2e.refresh_docs`` points
    it at ``docs/`` to refresh the README's pictures)."""
    folder = Path(os.environ.get("E2E_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def e2e_bot_command() -> list[str]:
    """The bot server's argv: ``E2E_BOT_CMD`` (shell words) or the product's ``app.py``."""
    override = os.environ.get("E2E_BOT_CMD", "").strip()
    if override:
        return shlex.split(override)
    app = pg.REPO_ROOT / "app.py"
    if not app.is_file():
        pytest.fail(f"the product's entry point {app} does not exist yet "
                    f"(set E2E_BOT_CMD to run the harness against another bot)", pytrace=False)
    return [sys.executable, str(app)]


@pytest.fixture
def e2e_bot_env() -> dict[str, str]:
    """Extra environment for the bot process (override to add settings)."""
    return {}


@pytest.fixture
def e2e_bot(e2e_tools, e2e_bot_command, e2e_bot_env, tmp_path, request):
    host, port = "127.0.0.1", pg.free_port()
    env = dict(os.environ)
    # Local-development mode: the playground sends no token, so no app registration.
    for var in ("MicrosoftAppId", "MicrosoftAppPassword", "MicrosoftAppType", "MicrosoftAppTenantId"):
        env.pop(var, None)
    db = (tmp_path / "e2e.sqlite3").resolve()
    env.update({"PORT": str(port), "HOST": host, "DATABASE_URL": f"sqlite:///{db.as_posix()}",
                "PYTHONUNBUFFERED": "1"})
    env.update(e2e_bot_env)
    # (the product creates the schema of its SQLite database itself, as on a first run)
    server = pg.start_bot(e2e_bot_command, env=env, cwd=pg.REPO_ROOT, host=host, port=port,
                          log_dir=tmp_path / "bot", timeout=BOT_START_TIMEOUT)
    yield server
    try:
        server.process.stop()
    finally:
        if _failed(request):
            _save_logs(request, server.process)


@pytest.fixture
def playground(e2e_bot, tmp_path, request):
    pgd = pg.start_playground(e2e_bot.messages_url, workdir=tmp_path / "playground",
                              timeout=PLAYGROUND_START_TIMEOUT)
    yield pgd
    try:
        pgd.process.stop()
    finally:
        if _failed(request):
            _save_logs(request, pgd.process, extra=[pgd.log_path])


def _save_logs(request, proc: pg.ManagedProcess, extra: list[Path] = ()) -> None:
    slug = _slug(request.node.nodeid)
    for src in (proc.stdout_path, proc.stderr_path, *extra):
        if src.is_file():
            shutil.copyfile(src, pg.Artifacts().path(f"{slug}.{src.name}"))


@pytest.fixture
def e2e_browser(e2e_tools):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = pg.launch_chromium(p)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def e2e_page(e2e_browser, e2e_artifacts, request):
    """A fresh page (1280x900, en-US, UTC) that can only reach localhost."""
    context = e2e_browser.new_context(viewport={"width": 1280, "height": 900},
                                      locale="en-US", timezone_id="UTC")
    pg.only_local_requests(context)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    try:
        if _failed(request):
            slug = _slug(request.node.nodeid)
            try:
                page.screenshot(path=str(e2e_artifacts.path(f"{slug}.png")), full_page=True)
                e2e_artifacts.path(f"{slug}.html").write_text(page.content())
            except Exception as e:  # the page may be gone; the logs are still saved
                sys.stderr.write(f"e2e: could not save the page after the failure: {e}\n")
    finally:
        context.close()


@pytest.fixture
def chat_page(playground, e2e_page):
    """``e2e_page`` opened on the playground's personal chat (the bot was just 'installed').

    The servers are set up before the page, so on failure the page is saved while they still run.
    """
    pg.open_chat(e2e_page, playground)
    return e2e_page
