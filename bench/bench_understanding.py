"""Benchmark (not a test): understanding + answer time, and ``ask`` start-to-answer time.

    .venv/bin/python bench/bench_understanding.py [--rounds N] [--ask-runs N]

Measures ``understanding.respond`` over a realistic mix (every held-out and dev eval question,
with its own today/locale), reporting median and p99 per call, against two baselines measured
in the same run on the same questions: a trivial one (``str.lower()`` + one precompiled regex
search) and ``core.find_periods`` alone (the period reading every answer needs). Then runs
``python app.py ask ...`` as a subprocess several times and reports process start to answer.
Targets: median <= 1 ms, p99 <= 5 ms, ask <= 1.5 s.
"""
from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def time_calls(fn, items, rounds: int) -> list[float]:
    out = []
    for _ in range(rounds):
        for item in items:
            t0 = time.perf_counter()
            fn(item)
            out.append(time.perf_counter() - t0)
    return out


def report(name: str, samples: list[float]) -> tuple[float, float]:
    med, p99 = statistics.median(samples) * 1e3, percentile(samples, 99) * 1e3
    print(f"{name:<34} median {med:7.3f} ms   p99 {p99:7.3f} ms   ({len(samples)} calls)")
    return med, p99


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--ask-runs", type=int, default=5)
    args = ap.parse_args(argv)

    from core import CoopError, find_periods
    from eval import score
    from understanding import respond

    rows = [r for p in score.HELD_OUT + score.DEV for r in score.load(p)]
    items = [(r["question"], r.get("locale"), date.fromisoformat(r["today"]) if r.get("today") else score.DEFAULT_TODAY)
             for r in rows]
    for q, loc, today in items:  # warm-up: import-time caches, Babel locale data
        respond(q, locale=loc, today=today)

    trivial = re.compile(r"(?:deadline|claim|date limite|r[ée]clamer)\W+\w+")
    print(f"{len(items)} questions x {args.rounds} rounds")
    report("baseline: lower() + 1 regex", time_calls(lambda it: trivial.search(it[0].lower()), items, args.rounds))
    def periods_only(it):
        try:
            find_periods(it[0], locale=it[1], today=it[2])
        except CoopError:  # 2021-02-30, 1850: the error is the answer
            pass

    report("baseline: core.find_periods", time_calls(periods_only, items, args.rounds))
    med, p99 = report("understand + respond", time_calls(lambda it: respond(it[0], locale=it[1], today=it[2]), items, args.rounds))

    runs = []
    cmd = [sys.executable, str(ROOT / "app.py"), "ask", "When must I claim H1 funds?", "--today", "2024-11-27"]
    for _ in range(args.ask_runs):
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        runs.append(time.perf_counter() - t0)
        if proc.returncode != 0:
            print(f"app.py ask failed ({proc.returncode}): {proc.stderr.strip()[:300]}")
            break
    if runs:
        print(f"{'python app.py ask (start→answer)':<34} median {statistics.median(runs):7.3f} s    max {max(runs):7.3f} s   ({len(runs)} runs)")
    ok = med <= 1.0 and p99 <= 5.0 and (not runs or max(runs) <= 1.5)
    print("targets (median <= 1 ms, p99 <= 5 ms, ask <= 1.5 s):", "met" if ok else "NOT met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
