"""Throughput and latency of our bot against the stock Bot Framework echo bot, same run.

    .venv/bin/python bench/throughput.py                      # both stores, both paths, 15 s/cell
    .venv/bin/python bench/throughput.py --store sqlite --duration 10
    .venv/bin/python bench/throughput.py --only stock         # just the baseline
    .venv/bin/python bench/throughput.py --ours-cmd echo      # harness self-test: echo vs echo

What runs (every piece its own process, all on 127.0.0.1):

- ``bench/loopback_connector.py``: the Bot Connector stand-in the replies are posted to;
- ``bench/echo_bot.py``: the stock echo bot (BotBuilder-Samples 02.echo-bot, unmodified
  ``CloudAdapter``);
- our bot: ``python app.py`` with ``HOST=127.0.0.1``, ``PORT``, ``DATABASE_URL`` = a fresh
  SQLite file, or PostgreSQL with a fresh schema (``?search_path=bench_<random>``, dropped
  afterwards), ``REMINDER_SWEEP_ENABLED=false`` (a sweep is not a turn);
- one load worker per cell (``throughput.py worker``), a fresh process each time.

CPU placement on a 2-core machine: the bot under load is pinned to CPU 0 and has it to itself
(only one bot is loaded at a time; the idle one costs nothing); the load worker and the
loopback connector share CPU 1. PostgreSQL's backends are not pinned. Without pinning, the load
generator and the connector would steal the bot's core and both bots would look slower by an
amount that depends on the generator, not on the bot. ``--no-pin`` turns it off.

Each cell: a warm-up (not measured), then ``--concurrency`` clients send realistic partner
questions (EN/FR, with dates and periods, :data:`bench.common.QUESTIONS`) for ``--duration``
seconds or ``--max-requests`` requests, each in a fresh conversation (new conversation and user
id per request, ``channelId: msteams``). Two paths:

- ``connector``: the reply is posted to ``serviceUrl`` (the loopback connector). A request counts
  as good when the HTTP answer is 2xx *and* its reply reached the connector; ``reply p50/p99``
  is the time from sending the request to the reply's arrival at the connector (a bot that
  acknowledges first and replies later is measured on what the user sees).
- ``expect``: ``deliveryMode: "expectReplies"``; good when the answer is 200 with at least one
  message activity in the body.

The stock ``CloudAdapter`` answers every expectReplies request with HTTP 500 (it runs the whole
turn, then fails to serialise the already-serialised ``ExpectedReplies`` dict:
``AttributeError: 'dict' object has no attribute 'is_xml_model'`` in ``serializer_helper``).
That cell is still measured and reported as ``known defect``; its rate of 500s is an upper
bound for a working stock expectReplies (the turn's work is all done before the crash). Our
expect path is compared with both that bound and the stock connector path. The known-defect
cell does not fail the run; any other failed request does (exit 1).

Each cell also records, per CPU, the share of its time the hypervisor gave to other guests
(``steal`` in /proc/stat, printed as ``steal 5%/33%`` for CPU 0 / CPU 1): on a shared host it
moves a cell's rate by as much as the code does, so a ratio whose two cells saw very
different steal is not a measurement of the code.

Results: a table on stdout and JSON in ``bench/results/throughput-<time>.json``.
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
    APOLOGY_MARKERS, LOOPBACK, PG_URL, PYTHON, QUESTIONS, REPO_ROOT, RESULTS_DIR, Proc, activity, cpu_count,
    free_port, http_get, machine_info, proc_cpu_seconds, summarize,
)

TARGET_RATIO = 4.0  # issue #9: the turn throughput stays >= 4x the stock echo bot
TARGET_P99_MS = 100.0
KNOWN_STOCK_EXPECT_ERROR = "HTTP 500"


# ============================================================================ worker (load)


async def _load(args: argparse.Namespace) -> dict:
    import aiohttp

    expect = args.path == "expect"
    rng = random.Random(args.seed)
    url = args.url
    service_url = args.service_url
    headers = {"Content-Type": "application/json"}
    timeout = aiohttp.ClientTimeout(total=30)
    connector = aiohttp.TCPConnector(limit=args.concurrency)

    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

        async def one(record: bool, sent: dict, lat: list, fail_lat: list, errors: dict,
                      samples: list) -> None:
            lang, text = rng.choice(QUESTIONS)
            cid = "a:bench-" + uuid.uuid4().hex
            data = json.dumps(activity(text, service_url=service_url, lang=lang,
                                       conversation_id=cid, expect_replies=expect)).encode()
            t0 = time.monotonic()
            problem = None
            try:
                async with session.post(url, data=data, headers=headers) as resp:
                    raw = await resp.read()
                    status = resp.status
                t1 = time.monotonic()
                if expect:
                    if status != 200:
                        problem = f"HTTP {status}"
                    else:
                        try:
                            body = json.loads(raw)
                            acts = [a for a in body.get("activities") or []
                                    if isinstance(a, dict) and a.get("type") == "message"]
                        except (ValueError, AttributeError):
                            acts = None
                        if not acts:
                            problem = "200 without a message activity"
                        elif any(m in (a.get("text") or "") for a in acts
                                 for m in APOLOGY_MARKERS):
                            problem = "apology (the turn failed)"
                elif not 200 <= status < 300:
                    problem = f"HTTP {status}"
            except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as err:
                t1 = time.monotonic()
                problem = f"{type(err).__name__}"
                raw = str(err).encode()
            if not record:
                return
            if problem is None:
                lat.append(t1 - t0)
                if not expect:
                    sent[cid] = t0
            else:
                fail_lat.append(t1 - t0)
                errors[problem] = errors.get(problem, 0) + 1
                if len(samples) < 5:
                    samples.append(f"{problem}: {raw[:300].decode(errors='replace')}")

        async def phase(seconds: float, limit: int, record: bool) -> tuple:
            sent: dict = {}
            lat: list = []
            fail_lat: list = []
            errors: dict = {}
            samples: list = []
            started = time.monotonic()
            deadline = started + seconds
            budget = [limit]

            async def client() -> None:
                while time.monotonic() < deadline and budget[0] > 0:
                    budget[0] -= 1
                    await one(record, sent, lat, fail_lat, errors, samples)

            await asyncio.gather(*(client() for _ in range(args.concurrency)))
            return time.monotonic() - started, sent, lat, fail_lat, errors, samples

        if args.connector_url:
            async with session.post(args.connector_url + "/_reset") as r:
                await r.read()
        await phase(args.warmup, 10**9, record=False)
        if args.connector_url:
            await asyncio.sleep(0.2)
            async with session.post(args.connector_url + "/_reset") as r:
                await r.read()

        cpu0 = proc_cpu_seconds(args.bot_pid) if args.bot_pid else None
        elapsed, sent, lat, fail_lat, errors, samples = await phase(
            args.duration, args.max_requests, record=True)
        cpu1 = proc_cpu_seconds(args.bot_pid) if args.bot_pid else None

        result = summarize(lat, elapsed)
        result.update(elapsed_s=elapsed, errors=sum(errors.values()), error_kinds=errors,
                      error_samples=samples)
        if fail_lat:
            failed = summarize(fail_lat, elapsed)
            result["failed_rps"] = failed["rps"]
            result["failed_p50_ms"] = failed["p50_ms"]
            result["failed_p99_ms"] = failed["p99_ms"]
        total = len(lat) + len(fail_lat)
        if cpu0 is not None and total:
            result["bot_cpu_ms_per_request"] = (cpu1 - cpu0) * 1000 / total
            result["bot_cpu_util"] = (cpu1 - cpu0) / elapsed

        if not expect and args.connector_url:
            # Every acknowledged request must have its reply at the connector.
            deadline = time.monotonic() + 10
            counts: dict = {}
            while time.monotonic() < deadline:
                async with session.get(args.connector_url + "/_counts") as r:
                    counts = await r.json()
                if all(cid in counts for cid in sent):
                    break
                await asyncio.sleep(0.2)
            missing = [cid for cid in sent if cid not in counts]
            async with session.get(args.connector_url + "/_stats") as r:
                apologies = (await r.json()).get("apologies", 0)
            if apologies:
                result["errors"] += apologies
                result["error_kinds"]["apology (the turn failed)"] = apologies
            reply_lat = sorted(counts[cid][1] - t0 for cid, t0 in sent.items() if cid in counts)
            if reply_lat:
                r = summarize(reply_lat, elapsed)
                result["reply_p50_ms"] = r["p50_ms"]
                result["reply_p99_ms"] = r["p99_ms"]
            if missing:
                result["errors"] += len(missing)
                result["error_kinds"]["no reply at the connector"] = len(missing)
                # A request without its reply is not a good request.
                result["requests"] -= len(missing)
                result["rps"] = result["requests"] / elapsed
        return result


def worker_main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="throughput.py worker")
    p.add_argument("--url", required=True)
    p.add_argument("--service-url", required=True)
    p.add_argument("--connector-url", default="")
    p.add_argument("--path", choices=("connector", "expect"), required=True)
    p.add_argument("--duration", type=float, default=15)
    p.add_argument("--warmup", type=float, default=3)
    p.add_argument("--concurrency", type=int, default=16)
    p.add_argument("--max-requests", type=int, default=100_000)
    p.add_argument("--bot-pid", type=int, default=0)
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args(argv)
    result = asyncio.run(_load(args))
    json.dump(result, sys.stdout)
    return 0


# ============================================================================ orchestration


def _pg_schema(action: str, schema: str) -> None:
    import asyncpg

    async def run() -> None:
        conn = await asyncpg.connect(PG_URL, timeout=10)
        try:
            if action == "create":
                await conn.execute(f'CREATE SCHEMA "{schema}"')
            else:
                await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        finally:
            await conn.close()

    asyncio.run(run())


def _with_query(url: str, **params: str) -> str:
    sep = "&" if "?" in url else "?"
    return url + sep + "&".join(f"{k}={v}" for k, v in params.items())


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.tmp = Path(tempfile.mkdtemp(prefix="coop-bench-"))
        pin = not args.no_pin and cpu_count() >= 2
        self.bot_cpus = {0} if pin else None
        self.load_cpus = {1} if pin else None
        self.procs: list[Proc] = []
        self.schemas: list[str] = []

    def log(self, msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    def start(self, name: str, cmd: list[str], env: dict, ready_url: str, cpus,
              any_status: bool = False) -> Proc:
        proc = Proc(name, cmd, env=env, log_path=self.tmp / f"{name}.log", cpus=cpus).start()
        self.procs.append(proc)
        proc.wait_ready(ready_url, timeout=90, any_status=any_status)
        return proc

    def start_connector(self) -> str:
        port = free_port()
        self.start("connector", [PYTHON, "bench/loopback_connector.py", "--port", str(port)], {},
                   f"http://{LOOPBACK}:{port}/healthz", self.load_cpus)
        return f"http://{LOOPBACK}:{port}"

    def start_echo(self, name: str) -> tuple[Proc, str]:
        port = free_port()
        env = {"MicrosoftAppId": "", "MicrosoftAppPassword": ""}
        proc = self.start(name, [PYTHON, "bench/echo_bot.py", "--port", str(port)], env,
                          f"http://{LOOPBACK}:{port}/api/messages", self.bot_cpus,
                          any_status=True)
        return proc, f"http://{LOOPBACK}:{port}/api/messages"

    def start_ours(self, store: str) -> tuple[Proc, str]:
        if self.args.ours_cmd == "echo":
            return self.start_echo(f"ours-echo-{store}")
        port = free_port()
        if store == "sqlite":
            db_url = f"sqlite:///{self.tmp / f'ours-{uuid.uuid4().hex[:8]}.sqlite3'}"
        else:
            schema = "bench_" + uuid.uuid4().hex[:12]
            _pg_schema("create", schema)
            self.schemas.append(schema)
            db_url = _with_query(PG_URL, search_path=schema)
        env = {"HOST": LOOPBACK, "PORT": str(port), "DATABASE_URL": db_url,
               "MicrosoftAppId": "", "MicrosoftAppPassword": "",
               "REMINDER_SWEEP_ENABLED": "false"}
        cmd = [PYTHON, *shlex.split(self.args.ours_cmd)]
        if cmd[-1:] == ["app.py"]:  # the product: migrate first
            subprocess.run([PYTHON, "app.py", "migrate"], cwd=REPO_ROOT, check=True,
                           env={**os.environ, **env}, stdout=subprocess.DEVNULL)
        proc = self.start(f"ours-{store}", cmd, env, f"http://{LOOPBACK}:{port}/healthz",
                          self.bot_cpus)
        return proc, f"http://{LOOPBACK}:{port}/api/messages"

    def cell(self, bot: str, store: str, path: str, proc: Proc, url: str,
             connector: str) -> dict:
        a = self.args
        cmd = [PYTHON, str(Path(__file__).resolve()), "worker", "--url", url,
               "--service-url", connector + "/", "--connector-url", connector, "--path", path,
               "--duration", str(a.duration), "--warmup", str(a.warmup),
               "--concurrency", str(a.concurrency), "--max-requests", str(a.max_requests),
               "--bot-pid", str(proc.pid)]
        self.log(f"-- {bot:5} {path:9} {store:8} warm-up {a.warmup}s + {a.duration}s ...")
        loadavg = os.getloadavg()
        ticks_before = _cpu_ticks()
        done = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO_ROOT,
                              preexec_fn=(lambda: os.sched_setaffinity(0, self.load_cpus))
                              if self.load_cpus else None)
        if done.returncode != 0:
            raise RuntimeError(f"load worker failed:\n{done.stderr[-3000:]}")
        result = json.loads(done.stdout)
        result.update(bot=bot, path=path, store=store, loadavg_before=loadavg,
                      bot_alive_after=proc.alive(), steal_pct=_steal(ticks_before, _cpu_ticks()))
        if bot == "stock" and path == "expect" and result["requests"] == 0 and \
                set(result["error_kinds"]) == {KNOWN_STOCK_EXPECT_ERROR}:
            result["known_defect"] = ("stock CloudAdapter: HTTP 500 on expectReplies "
                                      "(serializer_helper on a dict)")
        if not proc.alive():
            result["errors"] += 1
            result["error_kinds"]["bot process died"] = 1
            self.log(proc.log_tail())
        self.log(f"   {_row(result)}")
        return result

    def run(self) -> list[dict]:
        a = self.args
        stores = ["sqlite", "postgres"] if a.store == "both" else [a.store]
        paths = a.paths.split(",")
        results: list[dict] = []
        connector = self.start_connector()
        stock = self.start_echo("stock") if a.only in (None, "stock") else None
        for store in stores:
            ours = self.start_ours(store) if a.only in (None, "ours") else None
            for path in paths:
                # Interleaved per path, so each ratio compares measurements taken minutes apart
                # at most (other work on the machine drifts).
                if stock:
                    r = self.cell("stock", "-", path, *stock, connector)
                    r["paired_with"] = store if ours else None
                    results.append(r)
                if ours:
                    results.append(self.cell("ours", store, path, *ours, connector))
            if ours:
                ours[0].stop()
            if not ours:
                break  # the stock bot has no store: once is enough
        return results

    def close(self) -> None:
        for proc in reversed(self.procs):
            proc.stop()
        for schema in self.schemas:
            try:
                _pg_schema("drop", schema)
            except Exception as err:  # noqa: BLE001 - cleanup must not hide the results
                self.log(f"could not drop schema {schema}: {err}")


def _cpu_ticks() -> dict[str, list[int]]:
    """Per-CPU tick counters of /proc/stat (empty where there is none)."""
    try:
        with open("/proc/stat", encoding="ascii") as fh:
            return {f[0]: [int(x) for x in f[1:]] for f in (line.split() for line in fh)
                    if f and f[0].startswith("cpu") and f[0] != "cpu"}
    except OSError:
        return {}


def _steal(before: dict, after: dict) -> dict[str, float]:
    """Per CPU, the share of the cell's time the hypervisor gave to other guests ("steal",
    the 8th counter): a cell with much of it measured a slower machine than its neighbour."""
    out = {}
    for cpu, b in before.items():
        a = after.get(cpu)
        if a is None or len(a) < 8 or len(b) < 8:
            continue
        total = sum(a) - sum(b)
        if total > 0:
            out[cpu] = round(100.0 * (a[7] - b[7]) / total, 1)
    return out


def _row(r: dict) -> str:
    extra = ""
    if r.get("steal_pct"):
        extra += "  steal " + "/".join(f"{v:.0f}%" for v in r["steal_pct"].values())
    if "reply_p99_ms" in r:
        extra += f"  reply p50 {r['reply_p50_ms']:6.1f} p99 {r['reply_p99_ms']:6.1f}"
    if "bot_cpu_ms_per_request" in r:
        extra += f"  cpu {r['bot_cpu_ms_per_request']:5.2f} ms/req"
    if r.get("failed_rps"):
        extra += f"  failed {r['failed_rps']:7.1f}/s (p50 {r['failed_p50_ms']:.1f} ms)"
    return (f"{r['bot']:5} {r['path']:9} {r['store']:8} {r['rps']:8.1f} req/s  "
            f"p50 {r['p50_ms']:6.1f}  p99 {r['p99_ms']:6.1f} ms  errors {r['errors']}{extra}")


def report(results: list[dict], args: argparse.Namespace) -> tuple[str, list[dict]]:
    lines = [f"{'bot':5} {'path':9} {'store':8} {'req/s':>8}  {'p50 ms':>7} {'p99 ms':>7} "
             f"{'errors':>6}  {'reply p99':>9}  {'cpu/req':>8}  note"]
    for r in results:
        note = r.get("known_defect", "")
        if r.get("failed_rps"):
            note = (note + f"; 500s at {r['failed_rps']:.1f}/s, p50 {r['failed_p50_ms']:.1f} ms"
                    ).lstrip("; ")
        reply = f"{r['reply_p99_ms']:9.1f}" if "reply_p99_ms" in r else f"{'-':>9}"
        cpu = (f"{r['bot_cpu_ms_per_request']:6.2f}ms" if "bot_cpu_ms_per_request" in r
               else f"{'-':>8}")
        p50 = "-" if r["requests"] == 0 else f"{r['p50_ms']:.1f}"
        p99 = "-" if r["requests"] == 0 else f"{r['p99_ms']:.1f}"
        lines.append(f"{r['bot']:5} {r['path']:9} {r['store']:8} {r['rps']:8.1f}  {p50:>7} "
                     f"{p99:>7} {r['errors']:6d}  {reply}  {cpu}  {note}")
    ratios = []
    # Each ours cell is compared with the stock cell measured right before it (same path).
    stock = {(r.get("paired_with"), r["path"]): r for r in results if r["bot"] == "stock"}
    for r in results:
        if r["bot"] != "ours":
            continue
        base = stock.get((r["store"], r["path"]))
        conn = stock.get((r["store"], "connector"))
        entry = {"store": r["store"], "path": r["path"], "ours_rps": r["rps"],
                 "ours_p99_ms": r["p99_ms"]}
        if base and base["requests"]:
            entry["ratio"] = r["rps"] / base["rps"]
            entry["baseline"] = f"stock {r['path']}"
        elif base and base.get("failed_rps"):
            # The stock expectReplies path fails: compare with what it would do at best (its
            # rate of 500s, every turn fully done) and with the stock bot's normal path.
            entry["ratio"] = r["rps"] / base["failed_rps"]
            entry["baseline"] = "stock expectReplies 500-rate (upper bound of a working one)"
            if conn and conn["requests"]:
                entry["ratio_vs_stock_connector"] = r["rps"] / conn["rps"]
        if r["path"] == "connector" and "reply_p99_ms" in r:
            entry["ours_reply_p99_ms"] = r["reply_p99_ms"]
        p99 = max(r["p99_ms"], r.get("reply_p99_ms", 0.0))
        entry["meets_ratio"] = entry.get("ratio", 0) >= TARGET_RATIO
        entry["meets_p99"] = r["requests"] > 0 and p99 <= TARGET_P99_MS
        ratios.append(entry)
    if ratios:
        lines.append("")
        lines.append(f"ours / stock (target >= {TARGET_RATIO:.0f}x, p99 <= {TARGET_P99_MS:.0f} ms"
                     f" at {args.concurrency} concurrent):")
        for e in ratios:
            extra = ""
            if "ratio_vs_stock_connector" in e:
                extra = f" (vs stock connector path: {e['ratio_vs_stock_connector']:.2f}x)"
            ratio = f"{e['ratio']:.2f}x" if "ratio" in e else "n/a"
            lines.append(f"  {e['store']:8} {e['path']:9} {ratio:>7} vs {e.get('baseline', '-')}"
                         f"{extra}  [{'ok' if e['meets_ratio'] else 'MISSED'} ratio, "
                         f"{'ok' if e['meets_p99'] else 'MISSED'} p99]")
    return "\n".join(lines), ratios


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["worker"]:
        return worker_main(argv[1:])
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--duration", type=float, default=15, help="measured seconds per cell (15)")
    p.add_argument("--warmup", type=float, default=3, help="unmeasured seconds per cell (3)")
    p.add_argument("--concurrency", type=int, default=16)
    p.add_argument("--max-requests", type=int, default=100_000,
                   help="bound on the measured requests per cell")
    p.add_argument("--store", choices=("sqlite", "postgres", "both"), default="both")
    p.add_argument("--only", choices=("ours", "stock"), default=None)
    p.add_argument("--paths", default="connector,expect",
                   help="comma-separated: connector, expect")
    p.add_argument("--ours-cmd", default="app.py",
                   help="our bot's command after the interpreter ('echo': the echo bot, to "
                        "test the harness itself)")
    p.add_argument("--no-pin", action="store_true", help="do not pin processes to CPUs")
    p.add_argument("--check-targets", action="store_true",
                   help="exit 2 when a target (ratio, p99) is missed")
    p.add_argument("--out", type=Path, default=None, help="JSON output file")
    args = p.parse_args(argv)
    if any(x not in ("connector", "expect") for x in args.paths.split(",")):
        p.error("--paths takes connector and/or expect")
    if args.only != "stock" and args.ours_cmd != "echo" and \
            not (REPO_ROOT / shlex.split(args.ours_cmd)[0]).exists():
        p.error(f"our bot ({args.ours_cmd}) is not there yet; use --only stock or "
                "--ours-cmd echo to exercise the harness")

    bench = Bench(args)
    info = machine_info()
    bench.log(f"machine: {info}")
    bench.log(f"logs: {bench.tmp}")
    try:
        results = bench.run()
    finally:
        bench.close()
    table, ratios = report(results, args)
    print(table)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    out = args.out or RESULTS_DIR / f"throughput-{stamp}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"machine": info, "loadavg_at_end": os.getloadavg(),
                               "args": {k: str(v) for k, v in vars(args).items()},
                               "pinned": bench.bot_cpus is not None,
                               "results": results, "ratios": ratios}, indent=2))
    print(f"\nJSON: {out}")
    failed = [r for r in results if r["errors"] and not r.get("known_defect")]
    if failed:
        print(f"FAILED: {len(failed)} cell(s) with failed requests", file=sys.stderr)
        return 1
    if args.check_targets and not all(e["meets_ratio"] and e["meets_p99"] for e in ratios):
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
