"""Soak run: N minutes of mixed traffic against our bot; no error, bounded memory, no FD leak.

    .venv/bin/python bench/soak.py                    # 10 minutes, SQLite
    .venv/bin/python bench/soak.py --minutes 2 --store postgres
    .venv/bin/python bench/soak.py --minutes 1 --ours-cmd echo --no-card   # harness self-test

Processes (all on 127.0.0.1): our bot (``python app.py``, pinned to CPU 0 on a 2-core
machine), the loopback connector and this script (the load generator, CPU 1).

Traffic, per request drawn at random (weights in :data:`MIX`):

- ``question``: a partner question in a fresh conversation, ``expectReplies``: 200 with a
  message that is not the apology;
- ``connector``: the same through the connector path: 2xx, and the reply reaches the loopback
  connector (checked at the end, by conversation);
- ``follow_up``: a question, then a follow-up in the same conversation ("and for H2?");
- ``card``: a card submit (``text`` null, ``value.verb`` ask / remind / calendar /
  unsubscribe) for a user who keeps coming back;
- ``bad``: one of the bad inputs (malformed JSON, wrong content type, no type / conversation
  / from, unknown type, 100 000 characters, now and then a 3 MB body): its 4xx (or, for
  the valid oddities, 2xx), never a 5xx.

Every ``--sample`` seconds the server's RSS (``VmRSS`` of ``/proc/PID/status``) and open file
descriptors (``/proc/PID/fd``) are sampled. Memory and FDs are compared *idle to idle*: a
baseline after ``--warmup`` seconds of the same traffic (caches, pools and the interpreter
have grown to their working size by then) with the load generator's connections closed, and
the same measure after the run. Pass: no error, RSS end - baseline < ``--rss-bound-mb``
(30 MB), FD end within ``--fd-slack`` (5) of the baseline, the process alive.
Results: a summary on stdout, JSON in ``bench/results/soak-<time>.json``; exit 1 on failure.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shlex
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    APOLOGY_MARKERS, FOLLOW_UPS_EN, FOLLOW_UPS_FR, LOOPBACK, PG_URL, PYTHON, QUESTIONS, REPO_ROOT,
    RESULTS_DIR, Proc, activity, cpu_count, free_port, machine_info, proc_fd_count,
    proc_rss_kb, start_connector,
)

MIX = {"question": 40, "connector": 15, "follow_up": 20, "card": 10, "bad": 15}
CARD_VERBS = [{"verb": "ask", "text": "When can I claim co-op earned in May 2024?"},
              {"verb": "ask", "text": "Quelle est la date limite pour les gains de mars 2025 ?"},
              {"verb": "remind"}, {"verb": "calendar"}, {"verb": "unsubscribe"}]


class Load:
    def __init__(self, args: argparse.Namespace, url: str, connector: str) -> None:
        self.args = args
        self.url = url
        self.connector = connector
        self.rng = random.Random(args.seed)
        self.counts: dict[str, int] = {}
        self.errors: dict[str, int] = {}
        self.samples: list[str] = []
        self.connector_convs: list[str] = []
        self.returning_users = [f"29:soak-user-{i}" for i in range(50)]
        kinds = [k for k in MIX if not (k == "connector" and args.no_connector)
                 and not (k == "card" and args.no_card)]
        self.kinds = kinds
        self.weights = [MIX[k] for k in kinds]

    def fail(self, kind: str, what: str) -> None:
        key = f"{kind}: {what[:120]}"
        self.errors[key] = self.errors.get(key, 0) + 1
        if len(self.samples) < 20:
            self.samples.append(key)

    async def _post(self, session, payload=None, raw=None, ctype="application/json"):
        data = raw if raw is not None else json.dumps(payload).encode()
        async with session.post(self.url, data=data, headers={"Content-Type": ctype}) as resp:
            body = await resp.read()
            return resp.status, body

    def _check_reply(self, kind: str, status: int, body: bytes) -> bool:
        if status != 200:
            self.fail(kind, f"HTTP {status} {body[:80]!r}")
            return False
        try:
            acts = [a for a in json.loads(body).get("activities", []) if a.get("type") == "message"]
        except (ValueError, AttributeError):
            acts = []
        if not acts:
            self.fail(kind, "no message in the reply")
            return False
        if any(m in (a.get("text") or "") for a in acts for m in APOLOGY_MARKERS):
            self.fail(kind, "apology (the turn failed)")
            return False
        return True

    async def one(self, session) -> None:
        kind = self.rng.choices(self.kinds, self.weights)[0]
        self.counts[kind] = self.counts.get(kind, 0) + 1
        lang, text = self.rng.choice(QUESTIONS)
        svc = self.connector + "/"
        if kind == "question":
            status, body = await self._post(session, activity(text, service_url=svc, lang=lang,
                                                               expect_replies=True))
            self._check_reply(kind, status, body)
        elif kind == "connector":
            cid = "a:soak-" + uuid.uuid4().hex
            status, body = await self._post(session, activity(text, service_url=svc, lang=lang,
                                                               conversation_id=cid))
            if 200 <= status < 300:
                self.connector_convs.append(cid)
            else:
                self.fail(kind, f"HTTP {status}")
        elif kind == "follow_up":
            cid, uid = "a:soak-" + uuid.uuid4().hex, "29:soak-" + uuid.uuid4().hex[:16]
            status, body = await self._post(session, activity(
                text, service_url=svc, lang=lang, conversation_id=cid, user_id=uid,
                expect_replies=True))
            if self._check_reply(kind, status, body):
                follow = self.rng.choice(FOLLOW_UPS_FR if lang == "fr" else FOLLOW_UPS_EN)
                status, body = await self._post(session, activity(
                    follow, service_url=svc, lang=lang, conversation_id=cid, user_id=uid,
                    expect_replies=True))
                self._check_reply(kind, status, body)
        elif kind == "card":
            uid = self.rng.choice(self.returning_users)
            cid = "a:soak-personal-" + uid.rsplit("-", 1)[1]
            status, body = await self._post(session, activity(
                None, service_url=svc, conversation_id=cid, user_id=uid, expect_replies=True,
                value=dict(self.rng.choice(CARD_VERBS))))
            self._check_reply(kind, status, body)
        else:
            await self.bad(session)

    async def bad(self, session) -> None:
        base = activity("When can I claim co-op earned in May 2024?", service_url="",
                        expect_replies=True)
        case = self.rng.choice(["malformed", "ctype", "no type", "no conversation", "no from",
                                "unknown type", "long text", "big body"])
        if case == "big body" and self.rng.random() > 0.1:
            case = "malformed"  # a 3 MB body now and then only: it is the loader's CPU too
        allowed = range(400, 500)
        raw, ctype = None, "application/json"
        if case == "malformed":
            raw = b'{"type": "message", "text": '
        elif case == "ctype":
            ctype = "text/plain"
        elif case == "no type":
            base.pop("type")
        elif case == "no conversation":
            base.pop("conversation")
        elif case == "no from":
            base.pop("from")
        elif case == "unknown type":
            base["type"] = "coopNewThing"
            allowed = list(range(400, 500))
        elif case == "long text":
            base["text"] = "When can I claim? " * 5600
            allowed = [200]
        elif case == "big body":
            base["text"] = "x" * (3 * 1024 * 1024)
        status, body = await self._post(session, base if raw is None else None, raw=raw,
                                        ctype=ctype)
        if status not in allowed:
            self.fail(f"bad/{case}", f"HTTP {status} {body[:80]!r}")

    async def run(self, seconds: float) -> float:
        import aiohttp

        started = time.monotonic()
        deadline = started + seconds
        timeout = aiohttp.ClientTimeout(total=60)
        async with aiohttp.ClientSession(timeout=timeout,
                                         connector=aiohttp.TCPConnector(
                                             limit=self.args.concurrency)) as session:
            async def client() -> None:
                while time.monotonic() < deadline:
                    try:
                        await self.one(session)
                    except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as err:
                        self.fail("transport", f"{type(err).__name__}: {err}")
                        await asyncio.sleep(0.1)

            await asyncio.gather(*(client() for _ in range(self.args.concurrency)))
        return time.monotonic() - started

    async def check_connector(self) -> None:
        import aiohttp

        if not self.connector_convs:
            return
        async with aiohttp.ClientSession() as session:
            counts: dict = {}
            for _ in range(50):
                async with session.get(self.connector + "/_counts") as r:
                    counts = await r.json()
                if all(c in counts for c in self.connector_convs):
                    break
                await asyncio.sleep(0.2)
            async with session.get(self.connector + "/_stats") as r:
                stats = await r.json()
        missing = sum(1 for c in self.connector_convs if c not in counts)
        if missing:
            self.errors["connector: no reply at the connector"] = missing
        if stats.get("apologies"):
            self.errors["connector: apology (the turn failed)"] = stats["apologies"]


async def sample_loop(pid: int, every: float, out: list, stop: asyncio.Event) -> None:
    t0 = time.monotonic()
    while not stop.is_set():
        try:
            out.append((round(time.monotonic() - t0, 1), proc_rss_kb(pid), proc_fd_count(pid)))
        except OSError:
            out.append((round(time.monotonic() - t0, 1), -1, -1))
        try:
            await asyncio.wait_for(stop.wait(), timeout=every)
        except asyncio.TimeoutError:
            pass


def idle_sample(pid: int, settle: float = 2.0) -> tuple[int, int]:
    time.sleep(settle)
    return proc_rss_kb(pid), proc_fd_count(pid)


def start_bot(args, tmp: Path, schema_holder: list) -> tuple[Proc, str]:
    port = free_port()
    pin = {0} if args.pin else None
    if args.ours_cmd == "echo":
        proc = Proc("ours", [PYTHON, "bench/echo_bot.py", "--port", str(port)],
                    log_path=tmp / "ours.log", cpus=pin).start()
        proc.wait_ready(f"http://{LOOPBACK}:{port}/api/messages", any_status=True)
        return proc, f"http://{LOOPBACK}:{port}/api/messages"
    if args.store == "sqlite":
        db_url = f"sqlite:///{tmp / 'soak.sqlite3'}"
    else:
        from bench.throughput import _pg_schema, _with_query

        schema = "soak_" + uuid.uuid4().hex[:12]
        _pg_schema("create", schema)
        schema_holder.append(schema)
        db_url = _with_query(PG_URL, search_path=schema)
    env = {"HOST": LOOPBACK, "PORT": str(port), "DATABASE_URL": db_url, "MicrosoftAppId": "",
           "MicrosoftAppPassword": "", "REMINDER_SWEEP_ENABLED": "false",
           "PUBLIC_BASE_URL": f"http://{LOOPBACK}:{port}"}
    if args.ours_cmd.split()[-1:] == ["app.py"]:  # the product: migrate first
        subprocess.run([PYTHON, "app.py", "migrate"], cwd=REPO_ROOT, check=True,
                       env={**os.environ, **env}, stdout=subprocess.DEVNULL)
    proc = Proc("ours", [PYTHON, *shlex.split(args.ours_cmd)], env=env,
                log_path=tmp / "ours.log", cpus=pin).start()
    proc.wait_ready(f"http://{LOOPBACK}:{port}/healthz", timeout=90)
    return proc, f"http://{LOOPBACK}:{port}/api/messages"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--minutes", type=float, default=10)
    p.add_argument("--warmup", type=float, default=60, help="seconds before the baseline (60)")
    p.add_argument("--concurrency", type=int, default=8)
    p.add_argument("--sample", type=float, default=5, help="seconds between samples (5)")
    p.add_argument("--rss-bound-mb", type=float, default=30)
    p.add_argument("--fd-slack", type=int, default=5)
    p.add_argument("--store", choices=("sqlite", "postgres"), default="sqlite")
    p.add_argument("--ours-cmd", default="app.py")
    p.add_argument("--no-connector", action="store_true", help="leave out the connector path")
    p.add_argument("--no-card", action="store_true", help="leave out card submits")
    p.add_argument("--no-pin", action="store_true")
    p.add_argument("--seed", type=int, default=6)
    args = p.parse_args(argv)

    info = machine_info()
    args.pin = not args.no_pin and cpu_count() >= 2
    if args.pin:  # the load generator and the connector on CPU 1, the bot alone on CPU 0
        os.sched_setaffinity(0, {1})
    tmp = Path(tempfile.mkdtemp(prefix="coop-soak-"))
    print(f"machine: {info}\nlogs: {tmp}", file=sys.stderr, flush=True)
    conn_proc, connector = start_connector(tmp)
    schemas: list[str] = []
    bot, url = start_bot(args, tmp, schemas)
    load = Load(args, url, connector)
    samples: list = []
    try:
        print(f"warm-up {args.warmup:.0f}s ...", file=sys.stderr, flush=True)
        asyncio.run(load.run(args.warmup))
        warm_errors = dict(load.errors)
        base_rss, base_fd = idle_sample(bot.pid)
        print(f"baseline (idle): RSS {base_rss / 1024:.1f} MB, {base_fd} FDs; "
              f"soak {args.minutes:g} min ...", file=sys.stderr, flush=True)

        async def soak() -> float:
            stop = asyncio.Event()
            sampler = asyncio.create_task(sample_loop(bot.pid, args.sample, samples, stop))
            elapsed = await load.run(args.minutes * 60)
            stop.set()
            await sampler
            await load.check_connector()
            return elapsed

        elapsed = asyncio.run(soak())
        alive = bot.alive()
        end_rss, end_fd = idle_sample(bot.pid) if alive else (-1, -1)
    finally:
        bot.stop()
        conn_proc.stop()
        if schemas:
            from bench.throughput import _pg_schema

            for schema in schemas:
                _pg_schema("drop", schema)

    requests = sum(load.counts.values())
    peak_rss = max((s[1] for s in samples), default=-1)
    peak_fd = max((s[2] for s in samples), default=-1)
    growth_mb = (end_rss - base_rss) / 1024
    checks = {
        "no error": not load.errors,
        "process alive": alive,
        f"RSS growth < {args.rss_bound_mb:g} MB": alive and growth_mb < args.rss_bound_mb,
        f"FDs back to baseline +-{args.fd_slack}": alive and abs(end_fd - base_fd) <= args.fd_slack,
    }
    summary = {
        "machine": info, "args": vars(args), "elapsed_s": elapsed, "requests": requests,
        "rps": requests / elapsed if elapsed else 0, "mix": load.counts,
        "errors": load.errors, "error_samples": load.samples, "warmup_errors": warm_errors,
        "rss_mb": {"baseline": base_rss / 1024, "peak": peak_rss / 1024,
                   "end": end_rss / 1024, "growth": growth_mb},
        "fds": {"baseline": base_fd, "peak": peak_fd, "end": end_fd},
        "samples": samples, "checks": checks, "loadavg_at_end": os.getloadavg(),
    }
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = RESULTS_DIR / f"soak-{stamp}.json"
    out.write_text(json.dumps(summary, indent=2, default=str))
    print(f"soak {elapsed / 60:.1f} min, {requests} requests ({summary['rps']:.1f}/s), "
          f"mix {load.counts}")
    print(f"RSS MB: baseline {base_rss / 1024:.1f}, peak {peak_rss / 1024:.1f}, "
          f"end {end_rss / 1024:.1f} (growth {growth_mb:+.1f})")
    print(f"FDs: baseline {base_fd}, peak {peak_fd}, end {end_fd}")
    if load.errors:
        print(f"errors: {json.dumps(load.errors, indent=1)}")
    for name, ok in checks.items():
        print(f"  [{'ok' if ok else 'FAIL'}] {name}")
    print(f"JSON: {out}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
