"""Scale-out, for real: PostgreSQL, three ``python app.py`` instances on loopback behind HAProxy
(Debian's package; ``scripts/setup.sh --e2e`` installs it), the fake Teams connector.

1. 600 partners opt in to reminders over chat (a "Remind me" card submit) through the balancer,
   spread over the three instances.
2. The three are restarted with the daily sweep on: at start-up all three want to sweep the same
   day at once. One leads (the advisory lock), two stand by; the tenant rate is 20 messages/s
   shared by all. Half-way, the leading instance is SIGKILLed; a standby takes over.
3. At the connector: every partner got exactly one reminder, nothing twice; no five-second
   window holds more than 5 x 20 x 1.1 messages, no one-second window more than 2 x 20; the
   rest was delivered within a minute of the kill.

Bounded: every wait has a deadline; the test stops by itself (about a minute).
"""

import asyncio
import json
import os
import re
import shutil
import signal
import socket
import sys
import time
import urllib.request
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from fake_connector import FakeConnector
from reminders.schedule import due_reminders
from storage.testing import POSTGRES_TEST_URL, scratch_database

pytestmark = [pytest.mark.postgres, pytest.mark.process]

REPO = Path(__file__).resolve().parent.parent
HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"
SUBSCRIBERS = 600
RATE = 20.0
ADMIN = "scale-out-admin-token-0123"
TENANT = "tenant-scale"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def opt_in_day(today: date) -> date:
    """A day the subscriptions start from (set in the database) such that today's sweep has something
    due for everyone: the latest day before today with reminders due in (day - 1, today]."""
    for back in range(1, 400):
        day = today - timedelta(days=back)
        if due_reminders(today, day - timedelta(days=1)):
            return day
    raise AssertionError("no reminder due within 400 days")


def haproxy_config(port: int, backends: list[int]) -> str:
    servers = "\n".join(f"    server bot{i} 127.0.0.1:{p} check inter 500ms"
                        for i, p in enumerate(backends))
    return f"""global
    maxconn 2000
defaults
    mode http
    timeout connect 5s
    timeout client 60s
    timeout server 60s
frontend bots
    bind 127.0.0.1:{port}
    default_backend bots
backend bots
    balance roundrobin
    option httpchk GET /readyz
{servers}
"""


class Instance:
    def __init__(self, name: str, env: dict, log_dir: Path):
        self.name = name
        self.port = free_port()
        self.env = {**os.environ, **env, "PORT": str(self.port), "HOST": "127.0.0.1",
                    "PUBLIC_BASE_URL": f"http://127.0.0.1:{self.port}"}
        self.log_path = log_dir / f"{name}.log"
        self.proc = None

    async def start(self):
        log = open(self.log_path, "ab")
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, str(REPO / "app.py"), cwd=REPO, env=self.env,
            stdout=log, stderr=log)
        log.close()

    async def ready(self, deadline: float):
        while time.monotonic() < deadline:
            assert self.proc.returncode is None, f"{self.name} exited: {self.log()[-2000:]}"
            try:
                status, _ = await asyncio.to_thread(http, f"http://127.0.0.1:{self.port}/readyz")
                if status == 200:
                    return
            except OSError:
                pass
            await asyncio.sleep(0.2)
        raise AssertionError(f"{self.name} not ready: {self.log()[-2000:]}")

    async def stop(self, sig=signal.SIGTERM):
        if self.proc is not None and self.proc.returncode is None:
            self.proc.send_signal(sig)
            try:
                await asyncio.wait_for(self.proc.wait(), 20)
            except asyncio.TimeoutError:
                self.proc.kill()
                await self.proc.wait()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def metrics(self) -> str:
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}/metrics",
                                         headers={"Authorization": f"Bearer {ADMIN}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.read().decode()


def http(url: str, payload=None) -> tuple[int, bytes]:
    data = None if payload is None else json.dumps(payload).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def opt_in(service_url: str, i: int, day: date) -> dict:
    return {
        "type": "message", "id": f"in-{i}", "channelId": "msteams", "locale": "en-US",
        "serviceUrl": service_url, "text": None, "value": {"verb": "remind"},
        "deliveryMode": "expectReplies",
        "localTimestamp": f"{day.isoformat()}T12:00:00+00:00",
        "from": {"id": f"29:partner-{i}", "name": "Partner"},
        "recipient": {"id": "28:bot", "name": "Co-op Assistant"},
        "conversation": {"id": f"a:conv-{i}", "tenantId": TENANT, "conversationType": "personal"},
        "channelData": {"tenant": {"id": TENANT}},
    }


def max_in_window(stamps: list[float], width: float) -> int:
    best, start = 0, 0
    for end, t in enumerate(stamps):
        while t - stamps[start] >= width:
            start += 1
        best = max(best, end - start + 1)
    return best


@pytest.mark.skipif(not Path(HAPROXY).exists(), reason="haproxy is not installed "
                    "(scripts/setup.sh --e2e installs Debian's package)")
async def test_three_instances_behind_haproxy_share_the_rate_and_one_sweep(tmp_path):
    today = datetime.now(timezone.utc).date()
    day = opt_in_day(today)
    instances: list[Instance] = []
    haproxy = None
    async with FakeConnector() as connector, scratch_database(POSTGRES_TEST_URL) as scratch:
        url = f"{POSTGRES_TEST_URL}?search_path={scratch.schema}"
        base_env = {"DATABASE_URL": url, "TENANT_RATE_PER_SEC": str(RATE), "ADMIN_TOKEN": ADMIN,
                    "LOG_LEVEL": "INFO", "MicrosoftAppId": "", "MicrosoftAppPassword": "",
                    "REMINDER_SWEEP_HOUR": "0"}
        migrate = await asyncio.create_subprocess_exec(
            sys.executable, str(REPO / "app.py"), "migrate", cwd=REPO,
            env={**os.environ, **base_env}, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE)
        out, err = await asyncio.wait_for(migrate.communicate(), 60)
        assert migrate.returncode == 0, err.decode()
        try:
            # --- 1. opt in over chat, through the balancer --------------------------------
            instances = [Instance(f"optin{i}", {**base_env, "REMINDER_SWEEP_ENABLED": "false"},
                                  tmp_path) for i in range(3)]
            await asyncio.gather(*(inst.start() for inst in instances))
            deadline = time.monotonic() + 60
            await asyncio.gather(*(inst.ready(deadline) for inst in instances))
            lb_port = free_port()
            config = tmp_path / "haproxy.cfg"
            config.write_text(haproxy_config(lb_port, [inst.port for inst in instances]))
            haproxy = await asyncio.create_subprocess_exec(
                HAPROXY, "-db", "-f", str(config), stdout=asyncio.subprocess.DEVNULL,
                stderr=open(tmp_path / "haproxy.log", "wb"))
            balancer = f"http://127.0.0.1:{lb_port}"
            while True:  # the balancer answers once its health checks pass
                try:
                    if (await asyncio.to_thread(http, balancer + "/readyz"))[0] == 200:
                        break
                except OSError:
                    pass
                assert time.monotonic() < deadline and haproxy.returncode is None, \
                    (tmp_path / "haproxy.log").read_text()
                await asyncio.sleep(0.2)

            semaphore = asyncio.Semaphore(12)

            async def subscribe(i: int) -> None:
                async with semaphore:
                    status, body = await asyncio.to_thread(
                        http, balancer + "/api/messages", opt_in(connector.service_url, i, day))
                assert status == 200, body[:300]
                assert json.loads(body)["activities"], body[:300]

            await asyncio.gather(*(subscribe(i) for i in range(SUBSCRIBERS)))
            assert connector.delivered == []  # the confirmations came back in the answers
            per_instance = [_turns(inst.metrics()) for inst in instances]
            assert sum(per_instance) == SUBSCRIBERS and all(n > 0 for n in per_instance), \
                per_instance
            db = await scratch.connect()
            assert await db.fetchval("SELECT COUNT(*) FROM reminder_subscriptions "
                                     "WHERE active = 1") == SUBSCRIBERS
            # as if they had opted in on ``day`` (the server's date is today, whatever the
            # client's clock says): today's sweep then has reminders due for everyone
            await db.execute("UPDATE reminder_subscriptions SET swept_through = $1",
                             (day - timedelta(days=1)).isoformat())
            await asyncio.gather(*(inst.stop() for inst in instances))

            # --- 2. three sweepers at once; the leader is killed half-way -------------------
            instances = [Instance(f"sweeper{i}", {**base_env, "REMINDER_SWEEP_ENABLED": "true"},
                                  tmp_path) for i in range(3)]
            await asyncio.gather(*(inst.start() for inst in instances))
            deadline = time.monotonic() + 60
            while len(connector.delivered) < SUBSCRIBERS // 2:
                assert time.monotonic() < deadline, _logs(instances)
                await asyncio.sleep(0.005)
            # kill between two sends (the slots are 50 ms apart): not while one is in flight
            while time.monotonic() - connector.delivered_at[-1] < 0.015:
                await asyncio.sleep(0.002)
            leaders = [inst for inst in instances if "reminders: sweep " in inst.log()]
            assert len(leaders) == 1, _logs(instances)
            [leader] = leaders
            leader.proc.send_signal(signal.SIGKILL)
            await leader.proc.wait()
            killed_at = time.monotonic()
            sent_before_kill = len(connector.delivered)

            deadline = killed_at + 60
            while len(connector.counts()) < SUBSCRIBERS:
                assert time.monotonic() < deadline, (
                    f"{len(connector.counts())} of {SUBSCRIBERS} delivered a minute after the "
                    f"kill\n{_logs(instances)}")
                await asyncio.sleep(0.05)
            finished_at = time.monotonic()
            await asyncio.sleep(1.0)  # anything sent twice would arrive now

            # --- 3. what the connector saw ---------------------------------------------------
            counts = connector.counts()
            assert len(counts) == SUBSCRIBERS, len(counts)
            assert connector.duplicates() == {}, connector.duplicates()
            stamps = sorted(connector.delivered_at)
            assert max_in_window(stamps, 5.0) <= 5 * RATE * 1.1, max_in_window(stamps, 5.0)
            assert max_in_window(stamps, 1.0) <= 2 * RATE, max_in_window(stamps, 1.0)
            assert 0 < sent_before_kill < SUBSCRIBERS
            assert finished_at - killed_at < 60
            takers = [inst for inst in instances if inst is not leader
                      and "reminders: sweep " in inst.log()]
            assert len(takers) == 1, _logs(instances)  # one standby took over, not two
            _report(stamps, killed_at, finished_at, sent_before_kill)
        finally:
            if haproxy is not None and haproxy.returncode is None:
                haproxy.terminate()
                await haproxy.wait()
            await asyncio.gather(*(inst.stop() for inst in instances))


def _turns(metrics: str) -> int:
    match = re.search(r'^coop_turns_total\{status="200"\} ([0-9.e+]+)$', metrics, re.M)
    return int(float(match.group(1))) if match else 0


def _logs(instances: list[Instance]) -> str:
    return "\n".join(f"--- {inst.name}\n{inst.log()[-1500:]}" for inst in instances)


def _report(stamps, killed_at, finished_at, before):
    import logging

    logging.getLogger(__name__).warning(
        "scale-out: %d delivered in %.1f s, max %d in 5 s, max %d in 1 s; %d before the kill, "
        "the rest %.1f s after it", len(stamps), stamps[-1] - stamps[0],
        max_in_window(stamps, 5.0), max_in_window(stamps, 1.0), before, finished_at - killed_at)
