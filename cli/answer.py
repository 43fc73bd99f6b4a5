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
import io
import json
import logging
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterator, TextIO

from cli import convention_of, default_today, today_arg

logger = logging.getLogger(__name__)


def configure_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="CSV (with a 'question' column) or JSONL file of questions")
    parser.add_argument("--out", type=Path, help="write here instead of stdout")
    parser.add_argument("--format", choices=("csv", "jsonl"), help="input format (default: from the file name)")
    parser.add_argument("--lang", choices=("en", "fr"), help="answer every row in this language")
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


def _today_of(value: Any, fallback: date) -> date:
    if value in (None, ""):
        return fallback
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(f"today {value!r} is not a date YYYY-MM-DD") from None


def _answer(respond: Callable[..., Any], question: Any, *, lang: str | None, locale: str | None, today: date,
            convention: str | None) -> Any:
    if question is not None and not isinstance(question, str):
        raise ValueError("the question is not text")
    if not isinstance(question, str) or not question.strip():
        raise ValueError("the row has no question")
    return respond(question, lang=lang, locale=locale, today=today, convention=convention)


def _csv_rows(text: str) -> tuple[list[str], Iterator[dict[str, str]], int]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    fields = list(reader.fieldnames or [])
    rows = list(reader)
    return fields, iter(rows), len(rows)


def answer_csv(text: str, out: TextIO, respond: Callable[..., Any], opts: dict[str, Any], progress_factory) -> int:
    fields, rows, total = _csv_rows(text)
    qcol = next((f for f in fields if f and f.strip().lower() == "question"), None)
    if qcol is None:
        raise UsageError("the CSV has no 'question' column" + (f" (columns: {', '.join(fields)})" if fields else ""))
    extra = ["answer", "error"] + (["facts"] if opts["json"] else [])
    writer = csv.DictWriter(out, fieldnames=fields + [c for c in extra if c not in fields], extrasaction="ignore")
    writer.writeheader()
    progress = progress_factory(total)
    failed = 0
    for n, row in enumerate(rows, 2):
        row = dict(row)
        try:
            reply = _answer(respond, row.get(qcol), lang=opts["lang"] or (row.get("lang") or None),
                            locale=row.get("locale") or opts["locale"],
                            today=_today_of(row.get("today"), opts["today"]), convention=opts["convention"])
            row["answer"], row["error"] = reply.plain_text, ""
            if opts["json"]:
                row["facts"] = json.dumps(reply.to_dict()["data"], ensure_ascii=False)
        except Exception as exc:  # one bad row must not stop the export; it is reported in its row
            logger.warning("CSV line %d failed: %s", n, exc, exc_info=not isinstance(exc, ValueError))
            row["answer"], row["error"] = "", f"{type(exc).__name__}: {exc}"
            failed += 1
        writer.writerow(row)
        progress.step(failed=bool(row["error"]))
    progress.close()
    return failed


def answer_jsonl(text: str, out: TextIO, respond: Callable[..., Any], opts: dict[str, Any], progress_factory) -> int:
    lines = [line for line in text.splitlines() if line.strip()]
    progress = progress_factory(len(lines))
    failed = 0
    for n, line in enumerate(lines, 1):
        row: dict[str, Any]
        try:
            loaded = json.loads(line)
            if not isinstance(loaded, dict):
                raise ValueError("the line is not a JSON object")
            row = loaded
        except ValueError as exc:
            row = {"line": n, "raw": line, "error": f"invalid JSON: {exc}"}
            logger.warning("line %d is not a JSON object: %s", n, exc)
            failed += 1
        else:
            try:
                reply = _answer(respond, row.get("question"), lang=opts["lang"] or row.get("lang") or None,
                                locale=row.get("locale") or opts["locale"],
                                today=_today_of(row.get("today"), opts["today"]), convention=opts["convention"])
                row["answer"] = reply.plain_text
                if opts["json"]:
                    row["facts"] = reply.to_dict()["data"]
            except Exception as exc:  # reported in the row; the rest go on
                logger.warning("line %d failed: %s", n, exc, exc_info=not isinstance(exc, ValueError))
                row["error"] = f"{type(exc).__name__}: {exc}"
                failed += 1
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
        progress.step(failed="error" in row)
    progress.close()
    return failed


class UsageError(Exception):
    pass


def run(args: argparse.Namespace, settings: Any = None, *, stderr: TextIO | None = None) -> int:
    from understanding import respond

    stderr = stderr or sys.stderr
    fmt = args.format or ("jsonl" if args.file.suffix.lower() in (".jsonl", ".ndjson", ".json") else "csv")
    try:
        text = args.file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"answer: cannot read {args.file}: {exc}", file=stderr)
        return 2
    opts = {"lang": args.lang, "locale": args.locale, "today": args.today or default_today(),
            "convention": convention_of(args, settings), "json": args.json}
    live = bool(args.progress or (hasattr(stderr, "isatty") and stderr.isatty()))

    def progress_factory(total: int) -> Progress:
        return Progress(total, stderr, live)

    out: TextIO
    close = False
    if args.out:
        out = open(args.out, "w", encoding="utf-8", newline="")
        close = True
    else:
        out = sys.stdout
    try:
        handler = answer_jsonl if fmt == "jsonl" else answer_csv
        failed = handler(text, out, respond, opts, progress_factory)
    except UsageError as exc:
        print(f"answer: {exc}", file=stderr)
        return 2
    finally:
        if close:
            out.close()
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="answer", description="Answer a CSV or JSONL export of questions.")
    configure_parser(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
