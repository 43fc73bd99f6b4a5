"""``python app.py answer FILE [--out OUT] [--lang en|fr] [--today YYYY-MM-DD] [--locale xx-YY] [--json] [--progress]``

Answers a support export of tickets, one question per row:

- CSV with a ``question`` column (other columns are kept as they are); the output adds an
  ``answer`` and an ``error`` column (empty unless that row failed);
- JSONL with ``question`` and optional ``lang``, ``today``, ``locale`` keys; the output adds
  ``answer`` to each row, or ``error`` to a row that failed.

A row that fails gets its error in its own row and the rest go on. Output goes to stdout or
``--out``; a progress bar updates in place on stderr when stderr is a terminal (or with
``--progress``), plain progress lines otherwise. ``--json`` adds a ``facts`` column/key with
the reply's machine-readable facts (ISO dates). Exit status: 0 all rows answered, 1 some rows
failed, 2 usage error (unreadable file, no ``question`` column, bad ``--today``).
"""
from __future__ import annotations

import argparse
import csv
import logging
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from cli import convention_of, default_today, known_lang, pack_lang, today_arg

logger = logging.getLogger(__name__)


def configure_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="CSV (with a 'question' column) or JSONL file of questions")
    parser.add_argument("--out", type=Path, help="write here instead of stdout")
    parser.add_argument("--format", choices=("csv", "jsonl"), help="input format (default: from the file name)")
    parser.add_argument("--lang", type=pack_lang, help="answer every row in this language (a registered language pack)")
    parser.add_argument("--today", type=today_arg, metavar="YYYY-MM-DD",
                        help="the asker's day for rows without a 'today' (default: this machine's date)")
    parser.add_argument("--locale", metavar="xx-YY", help="locale for rows without a 'locale'")
    parser.add_argument("--convention", choices=("seed", "microsoft"), help="FY label convention")
    parser.add_argument("--json", action="store_true", help="add the reply's facts (ISO dates) to each row")
    parser.add_argument("--progress", action="store_true", help="draw the progress bar even when stderr is not a terminal")


add_arguments = configure_parser


class Progress:
    """A progress bar on stderr: redrawn in place on a terminal, plain lines otherwise."""

    def __init__(self, total: int, stream: TextIO, live: bool, width: int = 30) -> None:
        self.total, self.stream, self.live, self.width = total, stream, live, width
        self.done = 0
        self.failed = 0
        self.started = time.perf_counter()
        self._last_line = -1

    def step(self, failed: bool = False) -> None:
        self.done += 1
        self.failed += failed
        if self.live:
            self._draw()
        else:
            tenth = max(1, self.total // 10)
            if self.done == self.total or self.done % tenth == 0:
                self.stream.write(f"answered {self.done}/{self.total} rows ({self.failed} failed)\n")
                self.stream.flush()

    def _draw(self) -> None:
        frac = self.done / self.total if self.total else 1.0
        filled = int(self.width * frac)
        rate = self.done / max(time.perf_counter() - self.started, 1e-9)
        self.stream.write(f"\r[{'#' * filled}{'.' * (self.width - filled)}] {self.done}/{self.total} "
                          f"{frac:4.0%} {rate:,.0f} rows/s" + (f" {self.failed} failed" if self.failed else ""))
        self.stream.flush()

    def close(self) -> None:
        if self.live:
            self.stream.write("\n")
            self.stream.flush()


def run(args: argparse.Namespace, settings: Any = None, *, stderr: TextIO | None = None) -> int:
    """Answer the file row by row with :mod:`understanding.batch` (the row logic the support
    page's batch jobs share); the file is streamed twice (count, then answer), never loaded whole."""
    from understanding import respond
    from understanding.batch import BatchFormatError, BatchOptions, count_rows, format_of, iter_answers

    stderr = stderr or sys.stderr
    fmt = format_of(args.file.name, args.format)
    opts = BatchOptions(today=args.today or default_today(), lang=known_lang(args.lang), locale=args.locale,
                        convention=convention_of(args, settings), json=args.json)
    live = bool(args.progress or (hasattr(stderr, "isatty") and stderr.isatty()))
    try:
        infile = open(args.file, encoding="utf-8-sig", newline="")
    except OSError as exc:
        print(f"answer: cannot read {args.file}: {exc}", file=stderr)
        return 2
    out: TextIO = sys.stdout
    try:
        try:
            total = count_rows(fmt, infile)
            infile.seek(0)
        except (UnicodeDecodeError, csv.Error) as exc:
            print(f"answer: cannot read {args.file}: {exc}", file=stderr)
            return 2
        if args.out:
            out = open(args.out, "w", encoding="utf-8", newline="")
        progress = Progress(total, stderr, live)
        failed = 0
        try:
            for row_failed in iter_answers(fmt, infile, out, opts, respond=respond):
                failed += row_failed
                progress.step(failed=row_failed)
        except BatchFormatError as exc:
            print(f"answer: {exc}", file=stderr)
            return 2
        progress.close()
    finally:
        infile.close()
        if out is not sys.stdout:
            out.close()
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="answer", description="Answer a CSV or JSONL export of questions.")
    configure_parser(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
