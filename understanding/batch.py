"""Answering an export of tickets row by row: the one row logic of ``app.py answer`` and of the
support page's batch jobs. Streams: rows are read from and written to text streams one at a
time, so a 50 000-row file is never held in memory.

- CSV: a ``question`` column (any case); other columns are kept as they are; ``answer`` and
  ``error`` are added (``error`` empty unless the row failed), ``facts`` with ``json=True``.
  Every written cell (header included) that a spreadsheet would read as a formula (it starts
  with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) gets a leading ``'``, as OWASP's
  CSV-injection guidance says: the file is opened in Excel by support staff. A cell longer than
  :data:`MAX_CELL_CHARS` makes its row fail (the cell is left out, the row keeps its place).
- JSONL: ``question`` and optional ``lang``, ``today``, ``locale`` keys; ``answer`` is added,
  or ``error`` to a row that failed; a line that is not a JSON object becomes
  ``{"line": n, "raw": ..., "error": ...}``.

>>> import io
>>> from datetime import date
>>> out = io.StringIO()
>>> opts = BatchOptions(today=date(2024, 11, 27), lang="en")
>>> answer_stream("csv", io.StringIO("id,question\\n1,\\n"), out, opts)
BatchResult(rows=1, failed=1)
>>> out.getvalue().splitlines()[1]
'1,,,ValueError: the row has no question'
"""
from __future__ import annotations

import csv
import json
import logging
from dataclasses import dataclass
from datetime import date
from typing import Any, Callable, Iterator, TextIO

logger = logging.getLogger(__name__)

FORMATS = ("csv", "jsonl")
# The csv module's own default field limit: a longer cell is its row's error. Reading allows
# more (up to READ_CELL_CHARS, above the support desk's upload limit), so that such a row is
# read whole, keeps its other cells, and the rows after it are read as they were written.
MAX_CELL_CHARS = 131_072
READ_CELL_CHARS = 1 << 30
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class BatchFormatError(ValueError):
    """The file cannot be answered at all (e.g. a CSV without a ``question`` column)."""


@dataclass(frozen=True)
class BatchOptions:
    """Defaults for rows that do not say: ``lang`` forces every row's language when set."""

    today: date
    lang: str | None = None
    locale: str | None = None
    convention: str | None = None
    json: bool = False


@dataclass(frozen=True)
class BatchResult:
    rows: int
    failed: int


def format_of(filename: str, explicit: str | None = None) -> str:
    """``jsonl`` for .jsonl/.ndjson/.json names, else ``csv`` (an explicit format wins).

    >>> format_of("tickets.JSONL"), format_of("x.csv"), format_of("x.txt", "jsonl")
    ('jsonl', 'csv', 'jsonl')
    """
    if explicit:
        return explicit
    lowered = filename.lower()
    return "jsonl" if lowered.endswith((".jsonl", ".ndjson", ".json")) else "csv"


def _today_of(value: Any, fallback: date) -> date:
    if value in (None, ""):
        return fallback
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(f"today {value!r} is not a date YYYY-MM-DD") from None


def answer_one(row: dict[str, Any], question: Any, opts: BatchOptions,
               respond: Callable[..., Any]) -> Any:
    """The Reply for one row (its own ``lang``/``locale``/``today`` over ``opts``); raises
    ``ValueError`` for a row without a question or with a bad ``today``."""
    if question is not None and not isinstance(question, str):
        raise ValueError("the question is not text")
    if not isinstance(question, str) or not question.strip():
        raise ValueError("the row has no question")
    return respond(question, lang=opts.lang or row.get("lang") or None,
                   locale=row.get("locale") or opts.locale,
                   today=_today_of(row.get("today"), opts.today), convention=opts.convention)


def _error_text(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"


def neutralise(value: Any) -> Any:
    """A CSV cell that a spreadsheet will not run as a formula (OWASP, CSV injection).

    >>> neutralise("=SUM(A1)"), neutralise("-2+3"), neutralise("@cmd"), neutralise("ok")
    ("'=SUM(A1)", "'-2+3", "'@cmd", 'ok')
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _allow_long_cells() -> None:
    """Let the csv module read cells up to READ_CELL_CHARS (a process-wide setting: batches
    run in the CLI or in a job's own process)."""
    if csv.field_size_limit() < READ_CELL_CHARS:
        csv.field_size_limit(READ_CELL_CHARS)


def csv_question_column(fields: list[str]) -> str:
    qcol = next((f for f in fields if f and f.strip().lower() == "question"), None)
    if qcol is None:
        raise BatchFormatError("the CSV has no 'question' column"
                               + (f" (columns: {', '.join(fields)})" if fields else ""))
    return qcol


def count_rows(fmt: str, infile: TextIO) -> int:
    """Rows a file holds (one streaming pass; the stream is left at its end)."""
    if fmt == "jsonl":
        return sum(1 for line in infile if line.strip())
    _allow_long_cells()
    reader = csv.reader(infile)
    next(reader, None)
    return sum(1 for _ in reader)


def _csv(infile: TextIO, out: TextIO, opts: BatchOptions, respond: Callable[..., Any],
         skip: int, write_header: bool) -> Iterator[bool]:
    _allow_long_cells()
    reader = csv.DictReader(infile)
    fields = list(reader.fieldnames or [])
    qcol = csv_question_column(fields)
    extra = ["answer", "error"] + (["facts"] if opts.json else [])
    columns = fields + [c for c in extra if c not in fields]
    rows = csv.writer(out)
    if write_header:
        rows.writerow([neutralise(column) for column in columns])
    for n, row in enumerate(reader, 2):
        if n - 2 < skip:
            continue
        row = dict(row)
        try:
            too_long = [key for key, value in row.items()
                        if isinstance(value, str) and len(value) > MAX_CELL_CHARS]
            for key in too_long:
                row[key] = ""
            if too_long:
                raise ValueError(f"the {too_long[0]!r} cell is longer than {MAX_CELL_CHARS} characters")
            reply = answer_one(row, row.get(qcol), opts, respond)
            row["answer"], row["error"] = reply.plain_text, ""
            if opts.json:
                row["facts"] = json.dumps(reply.to_dict()["data"], ensure_ascii=False)
        except Exception as exc:  # one bad row must not stop the export; it is reported in its row
            logger.warning("CSV line %d failed: %s", n, exc, exc_info=not isinstance(exc, ValueError))
            row["answer"], row["error"] = "", _error_text(exc)
        rows.writerow([neutralise(row.get(column, "")) for column in columns])
        yield bool(row["error"])


def _jsonl(infile: TextIO, out: TextIO, opts: BatchOptions, respond: Callable[..., Any],
           skip: int) -> Iterator[bool]:
    n = 0
    for line in infile:
        if not line.strip():
            continue
        n += 1
        if n <= skip:
            continue
        row: dict[str, Any]
        try:
            loaded = json.loads(line)
            if not isinstance(loaded, dict):
                raise ValueError("the line is not a JSON object")
            row = loaded
        except ValueError as exc:
            logger.warning("line %d is not a JSON object: %s", n, exc)
            row = {"line": n, "raw": line.rstrip("\r\n"), "error": f"invalid JSON: {exc}"}
        else:
            try:
                reply = answer_one(row, row.get("question"), opts, respond)
                row["answer"] = reply.plain_text
                if opts.json:
                    row["facts"] = reply.to_dict()["data"]
            except Exception as exc:  # reported in the row; the rest go on
                logger.warning("line %d failed: %s", n, exc, exc_info=not isinstance(exc, ValueError))
                row["error"] = _error_text(exc)
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
        yield "error" in row


def iter_answers(fmt: str, infile: TextIO, out: TextIO, opts: BatchOptions, *,
                 respond: Callable[..., Any] | None = None, skip: int = 0,
                 write_header: bool = True) -> Iterator[bool]:
    """Answer ``infile`` into ``out`` one row at a time, yielding after each written row whether
    it failed. ``skip`` rows already answered (a resumed job) are read past, not answered;
    ``write_header=False`` when appending to output that already has its CSV header.

    Raises :class:`BatchFormatError` (before any row) when the file cannot be answered.
    """
    if fmt not in FORMATS:
        raise BatchFormatError(f"unknown format {fmt!r}: csv or jsonl")
    if respond is None:
        from . import respond as respond_
        respond = respond_
    if fmt == "jsonl":
        return _jsonl(infile, out, opts, respond, skip)
    return _csv(infile, out, opts, respond, skip, write_header)


def answer_stream(fmt: str, infile: TextIO, out: TextIO, opts: BatchOptions, *,
                  respond: Callable[..., Any] | None = None,
                  on_row: Callable[[bool], None] | None = None) -> BatchResult:
    """Answer every row of ``infile`` into ``out``; ``on_row(failed)`` after each row."""
    rows = failed = 0
    for row_failed in iter_answers(fmt, infile, out, opts, respond=respond):
        rows += 1
        failed += row_failed
        if on_row is not None:
            on_row(row_failed)
    return BatchResult(rows, failed)
