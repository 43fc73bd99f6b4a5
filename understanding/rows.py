"""Rows pasted from a spreadsheet, read one activity a row.

Partners paste CSV exports, Excel rows (tab-separated), semicolon exports and Markdown tables,
usually with a header. :func:`tabulate` rewrites such a table as one list item per row, each
keeping the row's words and the dates of the columns whose header does not name something else
(a "Close Date", an "Invoice date", a "Date facture" are distractors: their cells are dropped,
:mod:`understanding.frames`' distractor words). The question after the table is then answered
once per row (:mod:`understanding.engine`).

>>> print(tabulate('''Activity;Date;Cost
... Webinar;12/03/2027;500
... Trade show;2027-09-14;8000
... deadlines per row?'''))
- Activity: Webinar, Date: 12/03/2027, Cost: 500
- Activity: Trade show, Date: 2027-09-14, Cost: 8000
deadlines per row?
>>> print(tabulate('''Opportunity,Close Date,Co-op Activity Date
... OPP-1,2026-06-30,2026-09-17
... OPP-2,2026-11-30,2027-02-25'''))
- Opportunity: OPP-1, Co-op Activity Date: 2026-09-17
- Opportunity: OPP-2, Co-op Activity Date: 2027-02-25
"""
from __future__ import annotations

import csv
import re

from core import fold

_DELIMITERS = ("\t", ";", "|", ",")
_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\b\d{1,2}\s+[A-Za-zéû]{3,}\.?\s+\d{2,4}\b")
_RULE = re.compile(r"^\s*\|?\s*:?-{2,}")  # a Markdown table's |---|---| line
MAX_ROWS = 12


def _cells(line: str, delimiter: str) -> list[str]:
    if delimiter == "|":
        line = line.strip().strip("|")
    try:
        return [c.strip() for c in next(csv.reader([line], delimiter=delimiter, skipinitialspace=True))]
    except (csv.Error, StopIteration):
        return []


def _table(lines: list[str], delimiter: str) -> tuple[int, int] | None:
    """The longest run of lines (start, end) with the same number (2+) of cells, one holding a date."""
    best = None
    i = 0
    while i < len(lines):
        cells = _cells(lines[i], delimiter) if delimiter in lines[i] else []
        if len(cells) < 2:
            i += 1
            continue
        j = i + 1
        while j < len(lines) and (_RULE.match(lines[j]) or (delimiter in lines[j] and len(_cells(lines[j], delimiter)) == len(cells))):
            j += 1
        data = [ln for ln in lines[i:j] if not _RULE.match(ln)]
        if len(data) >= 2 and any(_DATE.search(ln) for ln in data) and (best is None or j - i > best[1] - best[0]):
            best = (i, j)
        i = j
    return best


def _is_header(cells: list[str]) -> bool:
    return not any(_DATE.search(c) or any(ch.isdigit() for ch in c) for c in cells)


def tabulate(text: str) -> str:
    """``text`` with its first pasted table (if any) rewritten as one list item per row."""
    if text.count("\n") < 1 or not any(d in text for d in _DELIMITERS):
        return text
    lines = text.split("\n")
    found = None
    for delimiter in _DELIMITERS:
        span = _table(lines, delimiter)
        if span and (found is None or span[1] - span[0] > found[1][1] - found[1][0]):
            found = (delimiter, span)
    if found is None:
        return text
    delimiter, (start, end) = found
    rows = [_cells(ln, delimiter) for ln in lines[start:end] if not _RULE.match(ln)]
    header = rows[0] if _is_header(rows[0]) else None
    body = rows[1:] if header else rows
    drop = _distractor_columns(header) if header else set()
    items = []
    for row in body[:MAX_ROWS]:
        parts = []
        for n, cell in enumerate(row):
            if not cell or n in drop:
                continue
            parts.append(f"{header[n]}: {cell}" if header and header[n] else cell)
        items.append("- " + ", ".join(parts))
    return "\n".join(lines[:start] + items + lines[end:])


def _distractor_columns(header: list[str]) -> set[int]:
    """Columns whose header names an invoice's, an order's or a closing date, not an activity's."""
    from .frames import cues

    c = cues()
    out = set()
    for n, name in enumerate(header):
        folded = fold(name)
        if c.roles["distractor"].search(folded) and not c.roles["activity"].search(folded):
            out.add(n)
    return out
