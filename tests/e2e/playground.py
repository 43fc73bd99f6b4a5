"""Drive the Microsoft 365 Agents Playground (a Teams-like web client) against a bot process.

The pieces the fixtures in ``conftest.py`` are built from, usable on their own:

- :func:`start_bot` / :func:`start_playground` start the two servers as process groups and
  wait (bounded) until they answer; :class:`ManagedProcess` stops them with no leftovers.
- :func:`launch_chromium` starts Debian's Chromium through Playwright (never a downloaded one).
- Page helpers: :func:`open_chat`, :func:`send_message`, :func:`wait_for_bot_message`,
  :func:`latest_bot_card`, :func:`card_text`, :func:`card_facts`, :func:`click_card_button`,
  :func:`feedback_buttons`, :func:`give_feedback`, :func:`traffic_log`; and
  :func:`find_dates`, which reads dates written for humans.

Selectors come from the playground's shipped client (``e2e/node_modules/...``, version pinned in
``e2e/package.json``): its Fluent UI class names are generated, so only aria labels, roles and the
Adaptive Cards renderer's ``ac-*`` classes are used. See ``e2e/README.md`` for the quirks.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable, Pattern, Sequence, Union

REPO_ROOT = Path(__file__).resolve().parents[2]
E2E_DIR = REPO_ROOT / "e2e"
OUTPUT_DIR = REPO_ROOT / "test-output" / "e2e"
PLAYGROUND_PACKAGE = E2E_DIR / "node_modules" / "@microsoft" / "m365agentsplayground"
CHROMIUM = Path(os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium"))

# Without the networking switches Chromium keeps calling Google's hosts, which this machine's
# closed network refuses; Playwright adds a fresh temporary --user-data-dir on every launch.
CHROMIUM_ARGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
)

# What the playground shows (its default configuration: no .m365agentsplayground.yml).
USER_NAME = "Alex Wilber"
BOT_NAME = "Test Bot"

# Selectors. A message is the element whose direct child is its "Message header"; the bot's
# messages carry a "Message author" in that header, the user's own messages do not.
_HEADER = '[aria-label="Message header"]'
_AUTHOR = '[aria-label="Message author"]'
BOT_MESSAGE = f"div:has(> {_HEADER} {_AUTHOR})"
USER_MESSAGE = f"div:has(> {_HEADER}):not(:has(> {_HEADER} {_AUTHOR}))"
CARD = ".ac-adaptiveCard"
FACT_TITLE = ".ac-fact-title"
FACT_VALUE = ".ac-fact-value"
COMPOSER = '[role="textbox"][contenteditable="true"]'  # a Lexical editor, not an <input>
SEND_BUTTON_NAME = "Send Message"
# Teams' feedback loop: the 👍/👎 pair the playground shows under a bot message whose activity
# has channelData.feedbackLoopEnabled (a child of the message, after its content); buttons
# named "Like" and "Dislike".
FEEDBACK_BUTTONS = '[aria-label="Feedback Button"]'
REACTION_BUTTONS = {"like": "Like", "dislike": "Dislike"}

Matcher = Union[str, Pattern[str], Callable[[str], bool], None]


class E2EError(AssertionError):
    """The end-to-end environment or the conversation did not do what was expected."""


# --- processes ------------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port that was free a moment ago on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tail(path: Path, lines: int = 40) -> str:
    try:
        text = path.read_text(errors="replace")
    except FileNotFoundError:
        return "(no output)"
    out = text.splitlines()[-lines:]
    return "\n".join(out) if out else "(no output)"


@dataclass
class ManagedProcess:
    """A child started in its own session (process group), output captured to files."""

    name: str
    argv: list[str]
    popen: subprocess.Popen
    stdout_path: Path
    stderr_path: Path

    @classmethod
    def start(cls, name: str, argv: Sequence[str], *, env: dict[str, str], cwd: Path,
              log_dir: Path) -> "ManagedProcess":
        log_dir.mkdir(parents=True, exist_ok=True)
        out, err = log_dir / f"{name}.stdout.log", log_dir / f"{name}.stderr.log"
        with open(out, "wb") as fo, open(err, "wb") as fe:
            try:
                popen = subprocess.Popen(list(argv), env=env, cwd=str(cwd), stdout=fo, stderr=fe,
                                         stdin=subprocess.DEVNULL, start_new_session=True)
            except OSError as e:
                raise E2EError(f"{name}: cannot start {list(argv)!r}: {e}") from e
        return cls(name, list(argv), popen, out, err)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def output_tail(self, lines: int = 40) -> str:
        return (f"--- {self.name} stderr (last {lines} lines) ---\n{_tail(self.stderr_path, lines)}\n"
                f"--- {self.name} stdout (last {lines} lines) ---\n{_tail(self.stdout_path, lines)}")

    def describe_exit(self) -> str:
        return (f"{self.name} exited with code {self.popen.returncode} "
                f"(command: {' '.join(self.argv)})\n{self.output_tail()}")

    def _group_alive(self) -> bool:
        try:
            os.killpg(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True

    def stop(self, grace: float = 5.0) -> None:
        """SIGTERM the whole process group, SIGKILL what is left after ``grace`` seconds."""
        for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(self.pid, sig)
            except ProcessLookupError:
                pass
            deadline = time.monotonic() + wait
            while time.monotonic() < deadline:
                if self.popen.poll() is not None and not self._group_alive():
                    return
                time.sleep(0.05)
        self.popen.poll()
        if self._group_alive():
            raise E2EError(f"{self.name}: process group {self.pid} survived SIGKILL")


def _http_get(url: str, timeout: float = 1.0) -> tuple[int, str]:
    """(status, body) of a GET; raises OSError when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:  # noqa: S310 (localhost only)
            return resp.status, resp.read(65536).decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, ""


@dataclass
class BotServer:
    process: ManagedProcess
    host: str
    port: int
    health: str  # "healthz" when GET /healthz answered 200, else "port"

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def messages_url(self) -> str:
        return f"{self.base_url}/api/messages"


def start_bot(argv: Sequence[str], *, env: dict[str, str], cwd: Path, host: str, port: int,
              log_dir: Path, timeout: float = 60.0) -> BotServer:
    """Start a bot server and wait until ``GET /healthz`` answers 200.

    A bot without ``/healthz`` (404/405) counts as ready once its port answers HTTP. Fails with
    the process's output when it exits early or is not ready within ``timeout`` seconds.
    """
    proc = ManagedProcess.start("bot", argv, env=env, cwd=cwd, log_dir=log_dir)
    url = f"http://{host}:{port}/healthz"
    deadline = time.monotonic() + timeout
    last = "no answer yet"
    try:
        while True:
            if not proc.alive():
                raise E2EError(f"the bot exited before it was ready: {proc.describe_exit()}")
            try:
                status, body = _http_get(url)
            except OSError as e:
                last = f"{type(e).__name__}: {e}"
            else:
                if status == 200:
                    return BotServer(proc, host, port, "healthz")
                if status in (404, 405):
                    return BotServer(proc, host, port, "port")
                last = f"HTTP {status} {body[:200]}"
            if time.monotonic() > deadline:
                raise E2EError(f"the bot did not answer GET {url} with 200 within {timeout:.0f}s "
                               f"(last: {last}); command: {' '.join(argv)}\n{proc.output_tail()}")
            time.sleep(0.2)
    except BaseException:
        proc.stop()
        raise


@dataclass
class Playground:
    process: ManagedProcess
    port: int
    bot_endpoint: str
    workdir: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def log_path(self) -> Path:
        return self.workdir / "m365agentsplayground.log"


def playground_cli() -> Path:
    """The pinned playground's entry script (``bin`` of its package.json)."""
    meta = json.loads((PLAYGROUND_PACKAGE / "package.json").read_text())
    bins = meta.get("bin", {})
    rel = bins.get("agentsplayground") if isinstance(bins, dict) else bins
    return PLAYGROUND_PACKAGE / rel


def start_playground(bot_endpoint: str, *, workdir: Path, port: int | None = None,
                     channel: str = "msteams", timeout: float = 60.0,
                     extra_args: Sequence[str] = (),
                     extra_env: dict[str, str] | None = None) -> Playground:
    """Start the pinned playground against ``bot_endpoint`` and wait until its web UI answers.

    - ``workdir`` is its current directory: it reads ``.m365agentsplayground.yml`` from there
      (none: its built-in default users and bot) and would write ``devTools/`` there.
    - It opens a browser at start (``open`` -> ``xdg-open``) and exits with code 1 when that
      fails; ``TEAMSAPPTESTER_BROWSER=none`` turns that off, and a no-op ``xdg-open`` first on
      PATH makes sure Debian's real one (which would start a browser) is never run.
    - ``-p`` falls back to a random port when the one asked for is taken, so the port is read
      from its "Listening on N" line.
    - The activities' ``localTimezone`` is this (Node) process's time zone, not the browser's:
      pass ``extra_env={"TZ": "America/Toronto"}`` to change it. ``locale`` is always "en-US".
    """
    node = shutil.which("node")
    if node is None:
        raise E2EError("node is not on PATH")
    workdir.mkdir(parents=True, exist_ok=True)
    shim_dir = workdir / "bin"
    shim_dir.mkdir(exist_ok=True)
    shim = shim_dir / "xdg-open"
    shim.write_text("#!/bin/sh\n# e2e: never open a browser from the playground\nexit 0\n")
    shim.chmod(0o755)
    env = dict(os.environ)
    env.update({
        "PATH": f"{shim_dir}{os.pathsep}{env.get('PATH', '')}",
        "TEAMSAPPTESTER_BROWSER": "none",
        "M365_AGENTS_PLAYGROUND_LOGFILE": str(workdir / "m365agentsplayground.log"),
        "BROWSER": "none",
    })
    env.update(extra_env or {})
    for var in ("M365_AGENTS_PLAYGROUND_CONFIG_PATH", "TEAMS_APP_TEST_TOOL_CONFIG_PATH",
                "M365_AGENTS_PLAYGROUND_SERVICE_URL", "M365_AGENTS_PLAYGROUND_DELIVERY_MODE",
                "M365_AGENTS_PLAYGROUND_CONVERSATION_ID", "BOT_ENDPOINT", "DEFAULT_CHANNEL_ID"):
        env.pop(var, None)
    argv = [node, str(playground_cli()), "-e", bot_endpoint, "-c", channel,
            "-p", str(port or free_port()), "--disable-telemetry", *extra_args]
    proc = ManagedProcess.start("playground", argv, env=env, cwd=workdir, log_dir=workdir)
    deadline = time.monotonic() + timeout
    actual: int | None = None
    last = "no 'Listening on' line yet"
    try:
        while True:
            if not proc.alive():
                raise E2EError(f"the playground exited before it was ready: {proc.describe_exit()}")
            if actual is None:
                m = re.search(r"Listening on (\d+)", proc.stdout_path.read_text(errors="replace"))
                if m:
                    actual = int(m.group(1))
            if actual is not None:
                try:
                    status, body = _http_get(f"http://127.0.0.1:{actual}/")
                except OSError as e:
                    last = f"{type(e).__name__}: {e}"
                else:
                    if status == 200 and "Agents Playground" in body:
                        return Playground(proc, actual, bot_endpoint, workdir)
                    last = f"HTTP {status}"
            if time.monotonic() > deadline:
                raise E2EError(f"the playground's web UI did not answer within {timeout:.0f}s "
                               f"(last: {last})\n{proc.output_tail()}")
            time.sleep(0.2)
    except BaseException:
        proc.stop()
        raise


# --- browser --------------------------------------------------------------------------------


def launch_chromium(playwright, *, extra_args: Sequence[str] = ()):
    """Debian's Chromium, headless, through Playwright (``playwright.chromium``)."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                      args=[*CHROMIUM_ARGS, *extra_args])


def only_local_requests(context) -> None:
    """Abort every request that is not to 127.0.0.1/localhost.

    The playground's page asks a Microsoft CDN for Segoe UI fonts and an animation worklet;
    nothing here needs them, and aborting at once keeps the run hermetic.
    """
    local = re.compile(r"^(?:https?|wss?)://(?:127\.0\.0\.1|localhost|\[::1\])(?::\d+)?(?:/|$)")

    def handle(route):
        url = route.request.url
        if local.match(url) or url.startswith(("data:", "blob:", "about:")):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", handle)


# --- page helpers ---------------------------------------------------------------------------


def open_chat(page, playground: Playground, timeout: float = 30.0) -> None:
    """Open the playground's UI (its personal chat with the bot) and wait for the composer.

    Loading the page is what makes the playground send ``installationUpdate`` and
    ``conversationUpdate`` (membersAdded: user and bot) to the bot, on every load.
    """
    page.goto(playground.url, wait_until="domcontentloaded", timeout=timeout * 1000)
    page.locator(COMPOSER).wait_for(state="visible", timeout=timeout * 1000)


def bot_messages(page):
    """Locator of the bot's messages in the conversation, oldest first.

    An activity with text *and* attachments is shown as separate messages: the text first,
    then one message per card.
    """
    return page.locator(BOT_MESSAGE)


def user_messages(page):
    return page.locator(USER_MESSAGE)


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _matches(text: str, contains: Matcher) -> bool:
    if contains is None:
        return True
    if isinstance(contains, str):
        return _normalise(contains).casefold() in _normalise(text).casefold()
    if isinstance(contains, re.Pattern):
        return contains.search(text) is not None
    return bool(contains(text))


def _describe(contains: Matcher) -> str:
    if contains is None:
        return "any bot message"
    if isinstance(contains, re.Pattern):
        return f"a bot message matching /{contains.pattern}/"
    if isinstance(contains, str):
        return f"a bot message containing {contains!r}"
    return f"a bot message satisfying {getattr(contains, '__name__', contains)!r}"


def message_text(message) -> str:
    """The visible text of one message (header, i.e. author and time, left out)."""
    return message.evaluate(
        "(m) => Array.from(m.children).filter(c => c.getAttribute('aria-label') !== 'Message header')"
        ".map(c => c.innerText).join('\\n')")


def bot_message_texts(page) -> list[str]:
    return [message_text(m) for m in bot_messages(page).all()]


def wait_for_bot_message(page, contains: Matcher = None, *, since: int = 0, card: bool = False,
                         timeout: float = 30.0):
    """Wait for a bot message (the ``since``-th or later) whose text matches ``contains``.

    ``contains``: a substring (case- and whitespace-insensitive), a compiled regex or a
    predicate on the text. ``card=True`` only accepts messages showing an Adaptive Card.
    Returns the message's Locator; on timeout fails listing every bot message seen.
    """
    messages = bot_messages(page)
    deadline = time.monotonic() + timeout
    while True:
        count = messages.count()
        for i in range(since, count):
            m = messages.nth(i)
            if card and m.locator(CARD).count() == 0:
                continue
            if _matches(message_text(m), contains):
                return m
        if time.monotonic() > deadline:
            seen = bot_message_texts(page)
            listing = "\n".join(f"  [{i}] {_normalise(t)[:300]}" for i, t in enumerate(seen))
            kind = " with an Adaptive Card" if card else ""
            raise E2EError(f"timed out after {timeout:.0f}s waiting for {_describe(contains)}{kind} "
                           f"(from message #{since}); bot messages seen:\n{listing or '  (none)'}\n"
                           f"{_traffic_summary(page)}")
        page.wait_for_timeout(100)


def send_message(page, text: str, *, timeout: float = 10.0) -> int:
    """Type ``text`` in the composer and press the send button.

    Waits until the message shows in the conversation as the user's. Returns the number of bot
    messages shown before sending: pass it as ``since=`` to :func:`wait_for_bot_message`.
    """
    before = bot_messages(page).count()
    mine = user_messages(page).count()
    box = page.locator(COMPOSER)
    box.click()
    box.press_sequentially(text)
    page.get_by_role("button", name=SEND_BUTTON_NAME, exact=True).click()
    deadline = time.monotonic() + timeout
    while True:
        shown = user_messages(page)
        if any(_matches(message_text(shown.nth(i)), text) for i in range(mine, shown.count())):
            return before
        if time.monotonic() > deadline:
            raise E2EError(f"the message {text!r} did not appear in the conversation within "
                           f"{timeout:.0f}s after pressing {SEND_BUTTON_NAME!r}")
        page.wait_for_timeout(100)


def latest_bot_card(page):
    """The Adaptive Card of the most recent bot message that shows one."""
    cards = bot_messages(page).locator(CARD)
    if cards.count() == 0:
        raise E2EError(f"no bot message shows an Adaptive Card; bot messages: {bot_message_texts(page)}")
    return cards.last


def _card_of(target):
    """``target``: a page (its latest bot card), a message or a card Locator."""
    if hasattr(target, "goto"):
        return latest_bot_card(target)
    inner = target.locator(CARD)
    return inner.last if inner.count() else target  # cards are not nested: no inner card = a card


def card_text(target) -> str:
    """Visible text of a card (``target``: page -> its latest bot card, message or card)."""
    return _card_of(target).inner_text()


def card_facts(target) -> list[tuple[str, str]]:
    """(title, value) rows of every FactSet of a card, in order, text as rendered."""
    card = _card_of(target)
    titles = [_normalise(t) for t in card.locator(FACT_TITLE).all_inner_texts()]
    values = [_normalise(v) for v in card.locator(FACT_VALUE).all_inner_texts()]
    if len(titles) != len(values):
        raise E2EError(f"FactSet titles and values do not pair up: {titles} / {values}")
    return list(zip(titles, values))


def card_buttons(target) -> list[str]:
    return [_normalise(t) for t in _card_of(target).locator(".ac-actionSet button").all_inner_texts()]


def click_card_button(page, title: str, *, card=None, timeout: float = 10.0) -> int:
    """Click the action button ``title`` of ``card`` (default: the latest bot card having one).

    An ``Action.Submit`` is sent to the bot as a message with no text whose ``value`` is the
    action's ``data``. Returns the number of bot messages before the click (for ``since=``).
    """
    before = bot_messages(page).count()
    if card is None:
        scope = bot_messages(page).locator(CARD).filter(
            has=page.get_by_role("button", name=title, exact=True)).last
    else:
        scope = _card_of(card)
    button = scope.get_by_role("button", name=title, exact=True)
    try:
        button.click(timeout=timeout * 1000)
    except Exception as e:  # playwright's TimeoutError, reported with what is there instead
        cards = [scope] if card is not None else bot_messages(page).locator(CARD).all()
        available = [b for c in cards for b in card_buttons(c)]
        raise E2EError(f"no card button {title!r} to click within {timeout:.0f}s "
                       f"(buttons on {'that card' if card is not None else 'the bot cards'}: "
                       f"{available})") from e
    return before


def feedback_buttons(message):
    """The 👍/👎 pair under a bot message (Locator; none when its activity did not enable
    Teams' feedback loop)."""
    return message.locator(f":scope > div > {FEEDBACK_BUTTONS}")


def give_feedback(page, message, reaction: str, comment: str = "", *, timeout: float = 15.0) -> str:
    """Click 👍 (``reaction="like"``) or 👎 (``"dislike"``) under ``message``, type ``comment``
    in the dialog that opens ("What did you like?" / "What went wrong?"), press *Submit* and
    wait for the dialog's outcome; returns its text ("Thank you! ..." once the bot answered the
    ``message/submitAction`` invoke with 200, the playground's error otherwise) and closes it.

    The playground then posts ``{"actionName": "feedback", "actionValue": {"reaction": ...,
    "feedback": <the comment as typed>}}``, with no ``replyToId`` (0.2.28; see e2e/README.md).
    """
    buttons = feedback_buttons(message)
    try:
        buttons.get_by_role("button", name=REACTION_BUTTONS[reaction], exact=True).click(
            timeout=timeout * 1000)
    except Exception as e:  # playwright's TimeoutError, said plainly
        raise E2EError(f"no {REACTION_BUTTONS[reaction]!r} feedback button under the message "
                       f"{_normalise(message_text(message))[:200]!r} within {timeout:.0f}s "
                       f"({buttons.count()} feedback button groups there)") from e
    dialog = page.get_by_role("dialog")
    question = "What did you like?" if reaction == "like" else "What went wrong?"
    dialog.get_by_text(question, exact=True).wait_for(timeout=timeout * 1000)
    if comment:
        dialog.get_by_role("textbox").fill(comment)
    dialog.get_by_role("button", name="Submit", exact=True).click()
    close = dialog.get_by_role("button", name="Close", exact=True)  # the outcome's, not the form's ✕
    close.wait_for(timeout=timeout * 1000)
    outcome = _normalise(dialog.inner_text())
    close.click()
    dialog.wait_for(state="detached", timeout=timeout * 1000)
    return outcome


_TRAFFIC = re.compile(
    r"(Microsoft 365 Agents Playground|User Application)\s*(?:->|→)\s*"
    r"(User Application|Microsoft 365 Agents Playground)\s+(\w+) (\d{3})")


def _traffic_summary(page, last: int = 12) -> str:
    try:
        rows = traffic_log(page)[-last:]
    except Exception as e:  # diagnostics only
        return f"(playground log panel unreadable: {e})"
    lines = [f"  {'-> bot' if r['to'] == 'User Application' else '<- bot'} {r['type']} {r['status']}"
             for r in rows]
    return "playground log panel (HTTP status of each activity):\n" + ("\n".join(lines) or "  (empty)")


def traffic_log(page) -> list[dict[str, object]]:
    """The playground's log panel as (from, to, activity type, HTTP status) rows.

    "Microsoft 365 Agents Playground -> User Application message 201" is an activity posted to
    the bot and the bot's HTTP answer; the other direction is the bot's call to the connector.
    """
    text = page.locator("body").inner_text()
    return [{"from": a, "to": b, "type": t, "status": int(s)} for a, b, t, s in _TRAFFIC.findall(text)]


# --- reading dates written for humans -------------------------------------------------------

_MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
    # French (Babel's "fr" full and abbreviated forms)
    "janvier": 1, "janv": 1, "février": 2, "févr": 2, "mars": 3, "avril": 4, "avr": 4, "mai": 5,
    "juin": 6, "juillet": 7, "juil": 7, "août": 8, "septembre": 9, "octobre": 10, "novembre": 11,
    "décembre": 12, "déc": 12,
}
_MONTH_RE = "|".join(sorted((re.escape(m) for m in _MONTHS), key=len, reverse=True))
_DAY = r"(?P<d>[0-3]?\d)(?:st|nd|rd|th|er)?"
_YEAR = r"(?P<y>(?:19|20|21)\d\d)"
_DATE_PATTERNS = (
    re.compile(r"\b(?P<y>\d{4})-(?P<m>\d\d)-(?P<d>\d\d)\b"),  # 2022-08-15
    re.compile(rf"(?<!\w)(?P<m>{_MONTH_RE})\.?\s+{_DAY}(?![\d:])(?:,?\s+{_YEAR}\b)?", re.I),  # Aug 15, 2022
    re.compile(rf"(?<![\w:]){_DAY}\.?\s+(?:de\s+)?(?P<m>{_MONTH_RE})\.?(?!\w)(?:,?\s+{_YEAR}\b)?", re.I),  # 15 Aug 2022
)


def find_dates(text: str) -> list[date]:
    """Every calendar date written in ``text``, in order of appearance.

    Reads ISO dates and English or French dates with the month as a word ("Aug 15, 2022",
    "August 15 2022", "15 Aug 2022", "15 août 2022"). A date written without its year takes the
    year of the next date that has one, as in Babel's intervals "Feb 16 – Aug 15, 2022" and
    "16 Feb – 15 Aug 2022". Purely numeric forms like 02/16/2022 are not read (ambiguous).

    >>> find_dates("Claiming window: Feb 16 – Aug 15, 2022")
    [datetime.date(2022, 2, 16), datetime.date(2022, 8, 15)]
    >>> find_dates("16 February 2022 to 2022-08-15")
    [datetime.date(2022, 2, 16), datetime.date(2022, 8, 15)]
    """
    found: list[tuple[int, int, int, int, int | None]] = []  # start, end, month, day, year
    for pattern in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            month = m.group("m")
            month = int(month) if month.isdigit() else _MONTHS[month.lower().rstrip(".")]
            year = m.group("y")
            found.append((m.start(), m.end(), month, int(m.group("d")), int(year) if year else None))
    found.sort(key=lambda f: (f[0], -(f[1] - f[0])))
    kept: list[tuple[int, int, int, int, int | None]] = []
    for f in found:  # drop overlaps: the earliest, then longest, match wins
        if not kept or f[0] >= kept[-1][1]:
            kept.append(f)
    dates: list[date] = []
    for i, (_, _, month, day, year) in enumerate(kept):
        if year is None:
            year = next((k[4] for k in kept[i + 1:] if k[4] is not None), None)
            if year is None:
                continue
        try:
            dates.append(date(year, month, day))
        except ValueError:
            continue
    return dates


@dataclass
class Artifacts:
    """Where a test's screenshots, page HTML and process logs go (``test-output/e2e/``)."""

    directory: Path = field(default=OUTPUT_DIR)

    def path(self, name: str) -> Path:
        self.directory.mkdir(parents=True, exist_ok=True)
        return self.directory / name
