"""A 50 000-row export answered through the support desk's batch path, end to end.

``python app.py`` runs as a black box (``SUPPORT_LOCAL_DEV=true`` on 127.0.0.1, a scratch SQLite
database and jobs directory). This script writes a CSV of ``--rows`` realistic partner questions
(EN/FR, from ``bench/common.py``), streams it to ``POST /support/api/jobs``, follows the job
until it is done, streams the result from ``GET /support/api/jobs/{id}/result`` to disk and
checks every row came back, in order, with an answer. It reports:

- answering throughput (rows/s between the upload being accepted and the job being done) and
  the end-to-end time (upload + answering + download);
- the server's RSS before the upload, and its peak RSS (``VmHWM``) after the download, and the
  peak RSS of the job's own process (sampled every 0.5 s): if the file were held in memory
  anywhere, a peak would grow with the file;
- what the job costs the bot meanwhile: one client asks the bot (``expectReplies``) one question
  at a time, every 50 ms, for 5 s before the upload and for the whole job; p50/p99 of both.

    .venv/bin/python bench/bench_support_batch.py [--rows 50000] [--json]
"""
from __future__ import annotations

import argparse
import asyncio
import csv
import json
import logging
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (LOOPBACK, PYTHON, QUESTIONS, REPO_ROOT, Proc, activity, free_port,  # noqa: E402
                    summarize)

log = logging.getLogger("bench_support_batch")


def proc_status_kb(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat[stat.rindex(")") + 2:].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def write_export(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["ticket", "lang", "question"])
        for i in range(rows):
            lang, question = QUESTIONS[i % len(QUESTIONS)]
            writer.writerow([f"T{i:06d}", lang, question])


async def probe(http, base: str, stop: asyncio.Event, seconds: float | None = None) -> dict:
    """Ask the bot one question at a time until ``stop`` (or for ``seconds``)."""
    latencies = []
    started = time.perf_counter()
    i = 0
    while not stop.is_set() and (seconds is None or time.perf_counter() - started < seconds):
        lang, question = QUESTIONS[i % len(QUESTIONS)]
        i += 1
        body = activity(question, service_url="http://127.0.0.1:9/", lang=lang, expect_replies=True)
        t0 = time.perf_counter()
        response = await http.post(f"{base}/api/messages", json=body)
        await response.read()
        if response.status != 200:
            raise RuntimeError(f"the bot answered {response.status}")
        latencies.append(time.perf_counter() - t0)
        await asyncio.sleep(0.05)
    figures = summarize(latencies, time.perf_counter() - started)
    return {"requests": figures["requests"], "p50_ms": round(figures["p50_ms"], 1),
            "p99_ms": round(figures["p99_ms"], 1)}


async def run(rows: int, workdir: Path) -> dict:
    import aiohttp

    export = workdir / "export.csv"
    write_export(export, rows)
    port = free_port()
    env = {"HOST": LOOPBACK, "PORT": str(port), "SUPPORT_LOCAL_DEV": "true",
           "DATABASE_URL": f"sqlite:///{(workdir / 'bench.sqlite3').as_posix()}",
           "SUPPORT_JOBS_DIR": str(workdir / "jobs"), "REMINDER_SWEEP_ENABLED": "false",
           "LOG_LEVEL": "WARNING"}
    # the product refuses a schema that is behind: migrate first, as scripts/start.sh does
    subprocess.run([PYTHON, str(REPO_ROOT / "app.py"), "migrate"], cwd=REPO_ROOT, check=True,
                   env={**os.environ, **env}, capture_output=True)
    server = Proc("app", [PYTHON, str(REPO_ROOT / "app.py")], env=env,
                  log_path=workdir / "app.log").start()
    base = f"http://{LOOPBACK}:{port}"
    try:
        server.wait_ready(f"{base}/healthz")
        async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as http:
            page = await http.get(f"{base}/support")
            cookie = page.headers["Set-Cookie"].split(";")[0]
            csrf = re.search(r'name="csrf-token" content="([^"]+)"', await page.text()).group(1)
            headers = {"Cookie": cookie, "X-CSRF-Token": csrf}
            await asyncio.sleep(1.0)
            idle = await probe(http, base, asyncio.Event(), seconds=5.0)
            rss_before = proc_status_kb(server.pid, "VmRSS")
            started = time.perf_counter()
            with export.open("rb") as body:  # aiohttp streams a file object in chunks
                response = await http.post(f"{base}/support/api/jobs?filename=export.csv&today=2026-11-27",
                                           data=body, headers=headers)
            job = await response.json()
            if response.status != 202:
                raise RuntimeError(f"upload refused: {response.status} {job}")
            accepted = time.perf_counter()
            stop_probe = asyncio.Event()
            busy_task = asyncio.create_task(probe(http, base, stop_probe))
            rss_samples = []
            worker_peak = 0  # the job's own process (support/worker.py): its VmHWM, sampled
            while True:
                await asyncio.sleep(0.5)
                rss_samples.append(proc_status_kb(server.pid, "VmRSS"))
                for child in children(server.pid):
                    try:
                        worker_peak = max(worker_peak, proc_status_kb(child, "VmHWM"))
                    except OSError:
                        pass
                job = await (await http.get(f"{base}/support/api/jobs/{job['id']}", headers=headers)).json()
                if job["status"] in ("done", "failed"):
                    break
            answered = time.perf_counter()
            stop_probe.set()
            busy = await busy_task
            if job["status"] != "done":
                raise RuntimeError(f"the job failed: {job}")
            out = workdir / "answered.csv"
            result = await http.get(f"{base}{job['result_url']}", headers=headers)
            with out.open("wb") as f:
                async for chunk in result.content.iter_chunked(256 * 1024):
                    f.write(chunk)
            finished = time.perf_counter()
        peak = proc_status_kb(server.pid, "VmHWM")
        count = 0
        with out.open(encoding="utf-8", newline="") as f:
            for i, row in enumerate(csv.DictReader(f)):
                if row["ticket"] != f"T{i:06d}" or not row["answer"] or row["error"]:
                    raise RuntimeError(f"row {i} is wrong: {row}")
                count += 1
        if count != rows:
            raise RuntimeError(f"{count} rows came back, not {rows}")
        return {
            "rows": rows, "failed": job["failed"],
            "upload_s": round(accepted - started, 2), "answer_s": round(answered - accepted, 2),
            "download_s": round(finished - answered, 2), "total_s": round(finished - started, 2),
            "rows_per_s": round(rows / (answered - accepted), 1),
            "input_mb": round(export.stat().st_size / 1e6, 1), "output_mb": round(out.stat().st_size / 1e6, 1),
            "rss_before_mb": round(rss_before / 1024, 1),
            "rss_max_sampled_mb": round(max(rss_samples) / 1024, 1),
            "peak_rss_mb": round(peak / 1024, 1),
            "worker_peak_rss_mb": round(worker_peak / 1024, 1),
            "bot_idle": idle, "bot_during_job": busy,
        }
    finally:
        server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    with tempfile.TemporaryDirectory(prefix="bench-support-") as tmp:
        figures = asyncio.run(run(args.rows, Path(tmp)))
    if args.json:
        print(json.dumps(figures))
    else:
        for key, value in figures.items():
            print(f"{key:>20}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
