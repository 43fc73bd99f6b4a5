"""Shared pieces of the benchmarks and the robustness tests: processes, activities, numbers.

Nothing here imports the product: the bench drives ``python app.py`` as a black box over HTTP,
exactly as Teams (or the Bot Framework Emulator) would, so it measures what a deployment gets.

- :class:`Proc`: a subprocess (our bot, the stock echo bot, the loopback connector, a load
  worker) with its own log file, optional CPU pinning, readiness wait, RSS/FD/CPU sampling and a
  clean stop.
- :func:`activity`: a Teams-shaped message activity (``channelId: msteams``, ``from``,
  ``recipient``, ``conversation`` with tenant, ``serviceUrl``, ``locale``, ``localTimestamp``).
- :data:`QUESTIONS`: realistic partner questions in English and French, with dates and periods.
- :func:`summarize`: requests/s, p50/p99 from raw latencies.
"""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
VENV_PYTHON = REPO_ROOT / ".venv" / "bin" / "python"
PYTHON = str(VENV_PYTHON if VENV_PYTHON.exists() else Path(sys.executable))
LOOPBACK = "127.0.0.1"
PG_URL = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")

TENANT_ID = "72f988bf-86f1-41af-91ab-2d7cd011db47"
BOT_ID = "28:00000000-0000-0000-0000-00000000b07e"

# ---------------------------------------------------------------------------- questions

# Written for the bench: the kind of thing partners type, with dates, periods, amounts, typos
# and both languages. Not the dev-questions verbatim (those are the acceptance set).
QUESTIONS_EN: tuple[str, ...] = (
    "We earned co-op in September 2023, when does the claim window open?",
    "what's the last day to claim funds earned in March 2022",
    "Is the claiming period open right now for H2 2024 earnings?",
    "Our CSP co-op from Q4 2021 - when do we have to spend it by?",
    "usage period for money earned Feb 2025?",
    "If we earned funds in December 2019, were they forfeited already?",
    "When does the FY24 H2 claiming period end?",
    "We ran a webinar on 15 May 2023. How long must we keep the invoices?",
    "How long do I keep proof of execution for an event on 2024-02-29?",
    "We got 12,500 USD in incentives at a 60/40 split, how much is co-op?",
    "Is OSA Sell paid out as co-op?",
    "Can co-op pay for Microsoft certification exams for our team?",
    "Which role do I need in Partner Center to submit a co-op claim?",
    "What happens if our co-op balance is below the threshold at the end of the half?",
    "Earnings from July to December 2022: usage and claim dates please",
    "claim deadline for H1 funds",
    "When can we start claiming what we earn this month?",
    "we earned co-op on 3/10/2024, which half is that",
    "Do Surface co-op funds follow the same claim window as CSP?",
    "How do I create a claim for a trade show we sponsored in October 2025?",
    "Is the hosting program eligible for co-op or is it CPOR?",
    "When are funds from the January-June 2026 half forfeited?",
    "What's the claim window for FY22 H1 in the Microsoft fiscal year naming?",
    "our earning period was Aug 2020 - can we still claim?",
    "help",
)
QUESTIONS_FR: tuple[str, ...] = (
    "Nous avons gagné des fonds co-op en septembre 2023, quand s'ouvre la période de demande ?",
    "Quelle est la date limite de réclamation pour les gains de mars 2022 ?",
    "La période de demande est-elle ouverte pour les gains du S2 2024 ?",
    "Jusqu'à quand pouvons-nous utiliser les fonds gagnés en février 2025 ?",
    "Les fonds gagnés en décembre 2019 sont-ils déjà perdus ?",
    "Combien de temps garder les factures d'un salon du 12 octobre 2023 ?",
    "Avec 8 000 € d'incitations et une répartition 60/40, quelle est la part co-op ?",
    "OSU Microsoft 365 est-il payé en co-op ?",
    "Quel rôle faut-il pour soumettre une demande co-op ?",
    "Que se passe-t-il si nos gains co-op sont sous le seuil ?",
    "Période d'utilisation des gains de juillet à décembre 2022 ?",
    "date limite pour les fonds H1",
    "Peut-on financer des certifications Microsoft avec la co-op ?",
    "Quand se termine la période de demande FY23 H2 ?",
    "aide",
)
QUESTIONS: tuple[tuple[str, str], ...] = tuple(
    [("en", q) for q in QUESTIONS_EN] + [("fr", q) for q in QUESTIONS_FR]
)
# Follow-ups that only make sense after a first question in the same conversation.
FOLLOW_UPS_EN = ("and for May 2024?", "what about H2?", "and the forfeiture date?",
                 "same for 2027", "thanks")
FOLLOW_UPS_FR = ("et pour mai 2024 ?", "et pour le S2 ?", "et la date de perte des fonds ?",
                 "pareil pour 2027", "merci")

LOCALES = {"en": ("en-US", "America/New_York", -5), "fr": ("fr-FR", "Europe/Paris", 1)}

# ---------------------------------------------------------------------------- activities


def new_conversation_id() -> str:
    return "a:bench-" + uuid.uuid4().hex


def new_user_id() -> str:
    return "29:bench-" + uuid.uuid4().hex[:24]


def activity(text: str | None, *, service_url: str, lang: str = "en",
             conversation_id: str | None = None, user_id: str | None = None,
             expect_replies: bool = False, value: Any = None,
             activity_type: str = "message", now: datetime | None = None) -> dict:
    """A Teams-shaped activity for ``POST /api/messages`` (personal chat)."""
    locale, tz_name, offset = LOCALES.get(lang, LOCALES["en"])
    now = now or datetime.now(timezone.utc)
    local = now.astimezone(timezone(timedelta(hours=offset)))
    user_id = user_id or new_user_id()
    body: dict[str, Any] = {
        "type": activity_type,
        "id": "1" + uuid.uuid4().hex[:15],
        "timestamp": now.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "localTimestamp": local.isoformat(timespec="milliseconds"),
        "localTimezone": tz_name,
        "channelId": "msteams",
        "from": {"id": user_id, "name": "Bench Partner",
                 "aadObjectId": str(uuid.uuid5(uuid.NAMESPACE_URL, user_id))},
        "conversation": {"conversationType": "personal", "tenantId": TENANT_ID,
                         "id": conversation_id or new_conversation_id()},
        "recipient": {"id": BOT_ID, "name": "Co-op Assistant"},
        "textFormat": "plain",
        "locale": locale,
        "entities": [{"type": "clientInfo", "locale": locale, "country": locale[-2:],
                      "platform": "Web", "timezone": tz_name}],
        "channelData": {"tenant": {"id": TENANT_ID}},
    }
    if service_url:  # empty: omitted (fine with expectReplies, which needs none)
        body["serviceUrl"] = service_url
    if text is not None:
        body["text"] = text
    if value is not None:
        body["value"] = value
    if expect_replies:
        body["deliveryMode"] = "expectReplies"
    return body


def reply_texts(response_body: Any) -> list[str]:
    """The texts (and card texts) of the activities of an expectReplies response body."""
    if not isinstance(response_body, dict):
        return []
    out = []
    for act in response_body.get("activities") or []:
        if not isinstance(act, dict) or act.get("type") != "message":
            continue
        if act.get("text"):
            out.append(act["text"])
        for att in act.get("attachments") or []:
            out.append(json.dumps(att.get("content"), ensure_ascii=False))
    return out


# ---------------------------------------------------------------------------- processes


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def http_get(url: str, timeout: float = 2.0) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:  # noqa: S310 - loopback only
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


@dataclass
class Proc:
    """A server subprocess with a log file; ``cpus`` pins it (``sched_setaffinity``)."""

    name: str
    cmd: Sequence[str]
    env: Mapping[str, str] = field(default_factory=dict)
    log_path: Path | None = None
    cpus: Iterable[int] | None = None
    popen: subprocess.Popen | None = None

    def start(self) -> "Proc":
        env = dict(os.environ)
        env.update(self.env)
        env.setdefault("PYTHONUNBUFFERED", "1")
        log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL
        self.popen = subprocess.Popen(list(self.cmd), cwd=REPO_ROOT, env=env, stdout=log,
                                      stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                      start_new_session=True)
        if log is not subprocess.DEVNULL:
            log.close()
        if self.cpus is not None:
            try:
                os.sched_setaffinity(self.popen.pid, set(self.cpus))
            except OSError:
                pass
        return self

    @property
    def pid(self) -> int:
        assert self.popen is not None
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def log_tail(self, chars: int = 4000) -> str:
        if not self.log_path or not self.log_path.exists():
            return ""
        return self.log_path.read_text(errors="replace")[-chars:]

    def wait_ready(self, url: str, timeout: float = 60.0, any_status: bool = False) -> None:
        """Wait until GET ``url`` answers 200 (or anything at all with ``any_status``)."""
        deadline = time.monotonic() + timeout
        last = ""
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeError(f"{self.name} exited with {self.popen.returncode}:\n"
                                   f"{self.log_tail()}")
            try:
                status, _ = http_get(url, timeout=1.0)
                if status == 200 or any_status:
                    return
                last = f"HTTP {status}"
            except OSError as err:
                last = str(err)
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} not ready at {url} after {timeout}s ({last}):\n"
                           f"{self.log_tail()}")

    def stop(self, timeout: float = 10.0) -> int | None:
        if self.popen is None:
            return None
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(5)
        return self.popen.returncode

    def kill9(self) -> None:
        if self.popen is not None and self.popen.poll() is None:
            self.popen.send_signal(signal.SIGKILL)
            self.popen.wait(10)

    # --- /proc sampling (Linux) ----------------------------------------------------------

    def rss_kb(self) -> int:
        return proc_rss_kb(self.pid)

    def fd_count(self) -> int:
        return proc_fd_count(self.pid)

    def cpu_seconds(self) -> float:
        return proc_cpu_seconds(self.pid)


def proc_rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def proc_fd_count(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


_CLK_TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def proc_cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid`` (all its threads), in seconds."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / _CLK_TCK


# ---------------------------------------------------------------------------- numbers


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of already sorted values (q in 0..100)."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), int(-(-q * len(sorted_values) // 100))))
    return sorted_values[rank - 1]


def summarize(latencies_s: Sequence[float], elapsed_s: float) -> dict:
    values = sorted(latencies_s)
    return {
        "requests": len(values),
        "rps": len(values) / elapsed_s if elapsed_s > 0 else 0.0,
        "p50_ms": percentile(values, 50) * 1000,
        "p90_ms": percentile(values, 90) * 1000,
        "p99_ms": percentile(values, 99) * 1000,
        "max_ms": (values[-1] * 1000) if values else float("nan"),
    }


def machine_info() -> dict:
    info: dict[str, Any] = {"cpus": cpu_count(), "python": sys.version.split()[0]}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu_model"] = line.split(":", 1)[1].strip()
                break
        mem = Path("/proc/meminfo").read_text().splitlines()[0].split()
        info["mem_gb"] = round(int(mem[1]) / 1024 / 1024, 1)
        info["kernel"] = os.uname().release
    except OSError:
        pass
    info["loadavg_at_start"] = os.getloadavg()
    return info


def pick_question(rng: random.Random) -> tuple[str, str]:
    return rng.choice(QUESTIONS)


# ---------------------------------------------------------------------------- the app as a process

APOLOGY_MARKERS = ("Sorry, something went wrong", "Désolé, un problème est survenu")


def post(url: str, payload: Any = None, *, raw: bytes | None = None,
         content_type: str = "application/json", headers: Mapping[str, str] | None = None,
         timeout: float = 30.0) -> tuple[int, Any]:
    """POST JSON (or ``raw`` bytes); returns (status, parsed JSON body or the raw bytes)."""
    data = raw if raw is not None else json.dumps(payload).encode()
    request = urllib.request.Request(url, data=data, method="POST",
                                     headers={"Content-Type": content_type, **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:  # noqa: S310 - loopback
            status, body = resp.status, resp.read()
    except urllib.error.HTTPError as err:
        status, body = err.code, err.read()
    try:
        return status, json.loads(body) if body else None
    except ValueError:
        return status, body


@dataclass
class RunningApp:
    """``python app.py`` on a free loopback port, for tests and the soak run.

    ``env`` is added to a clean local-development environment (no MicrosoftAppId, sweeper off,
    ``LOG_LEVEL`` INFO); ``cmd`` replaces ``[PYTHON, "app.py"]`` (e.g. a wrapper).
    """

    workdir: Path
    database_url: str
    env: Mapping[str, str] = field(default_factory=dict)
    cmd: Sequence[str] | None = None
    port: int = 0
    proc: Proc | None = None
    log_path: Path | None = None

    @property
    def base(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def messages_url(self) -> str:
        return self.base + "/api/messages"

    def start(self, timeout: float = 60.0) -> "RunningApp":
        self.port = free_port()
        self.log_path = self.log_path or self.workdir / "app.log"
        env = {"HOST": LOOPBACK, "PORT": str(self.port), "DATABASE_URL": self.database_url,
               "MicrosoftAppId": "", "MicrosoftAppPassword": "", "LOG_LEVEL": "INFO",
               "REMINDER_SWEEP_ENABLED": "false", "PUBLIC_BASE_URL": f"http://{LOOPBACK}:{self.port}"}
        env.update(self.env)
        if self.database_url:
            # the product refuses a schema that is behind: migrate first, as scripts/start.sh
            subprocess.run([PYTHON, "app.py", "migrate"], cwd=REPO_ROOT, check=True,
                           env={**os.environ, **env}, stdout=subprocess.DEVNULL)
        self.proc = Proc("app", list(self.cmd or [PYTHON, "app.py"]), env=env,
                         log_path=self.log_path).start()
        self.proc.wait_ready(self.base + "/healthz", timeout=timeout)
        return self

    def post(self, payload: Any = None, **kwargs: Any) -> tuple[int, Any]:
        return post(self.messages_url, payload, **kwargs)

    def healthy(self) -> bool:
        try:
            return self.proc is not None and self.proc.alive() and \
                http_get(self.base + "/healthz", timeout=5)[0] == 200
        except OSError:
            return False

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path and \
            self.log_path.exists() else ""

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.stop()

    def kill9(self) -> None:
        if self.proc is not None:
            self.proc.kill9()


def start_connector(workdir: Path) -> tuple[Proc, str]:
    """The loopback connector as a subprocess; returns (process, base URL)."""
    port = free_port()
    proc = Proc("connector", [PYTHON, str(BENCH_DIR / "loopback_connector.py"), "--port", str(port)],
                log_path=workdir / "connector.log").start()
    base = f"http://{LOOPBACK}:{port}"
    proc.wait_ready(base + "/healthz", timeout=30)
    return proc, base


def connector_replies(base: str, conversation_id: str, at_least: int = 1,
                      timeout: float = 10.0) -> list[dict]:
    """The activities the connector received for a conversation, waiting for ``at_least``."""
    deadline = time.monotonic() + timeout
    quoted = urllib.parse.quote(conversation_id, safe="")
    acts: list[dict] = []
    while time.monotonic() < deadline:
        _, body = http_get(f"{base}/_replies/{quoted}")
        acts = json.loads(body)["activities"]
        if len([a for a in acts if a.get("type") == "message"]) >= at_least:
            break
        time.sleep(0.05)
    return acts
