"""Score the assistant's answers against the facts each question must state.

Each row of an eval file (JSONL) is ``{"lang", "question", "today"?, "locale"?, "expect"}`` with
``expect`` holding hand-computed facts:

- ``dates``: ISO dates the answer text must state (in any Babel date format of the answer's
  locale, or ISO);
- ``periods``: ``[start, end]`` pairs the answer must state (both ends);
- ``mentions``: words the answer must contain (case-insensitive);
- ``numbers``: amounts the answer must state (formatted for the answer's locale);
- ``halves``: earning halves the answer is about, by first month (``"2024-07"`` = July –
  December 2024); the answer's timelines must cover exactly these;
- ``no_dates``: the answer states no cycle and no keep-until date;
- ``clarify``: the answer asks back with choices and states no deadline;
- ``deadlines_ok``: further claim-end/forfeiture dates the answer may state.

A **wrong deadline** is a claim-end or forfeiture date the answer states (in ``Reply.timelines``
or ``Reply.data["mentioned_deadlines"]``) that is not allowed for the question: allowed are the
``dates``, ``deadlines_ok`` and the deadlines of the expected ``halves`` by the seed's table
(earnings of July–December Y: claim until Aug 15 Y+1, forfeited after June 30 Y+1; of
January–June Y: claim until Feb 15 Y+1, forfeited after December 31 Y). This expansion is
written here from the seed's table, independently of ``core``.

Run: ``python -m eval.score [FILES...] [-v]`` (defaults to the held-out sets).
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

HELD_OUT = [HERE / "questions_en.jsonl", HERE / "questions_fr.jsonl"]
DEV = [HERE / "dev_en.jsonl", HERE / "dev_fr.jsonl"]
DEFAULT_TODAY = date(2024, 11, 27)

_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " "})


def load(path: Path | str) -> list[dict[str, Any]]:
    rows = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if line.strip():
                row = json.loads(line)
                row.setdefault("_where", f"{Path(path).name}:{n}")
                rows.append(row)
    return rows


def _norm(text: str) -> str:
    return text.translate(_SPACES).replace("**", "").casefold()


@lru_cache(maxsize=256)
def _loc(tag: str):
    from babel import Locale

    return Locale.parse(tag.replace("-", "_"))


def date_forms(day: date, locale: str) -> list[str]:
    from babel.dates import format_date

    loc = _loc(locale)
    forms = {day.isoformat()}
    for fmt in ("short", "medium", "long", "full"):
        forms.add(format_date(day, fmt, locale=loc))
    if loc.language == "fr":  # "1er juillet 2021" is how French writes the first
        if day.day == 1:
            forms.add(format_date(day, "long", locale=loc).replace("1 ", "1er ", 1))
    return [_norm(f) for f in forms]


def number_forms(value: float | int | str, locale: str) -> list[str]:
    from babel.numbers import format_decimal

    loc = _loc(locale)
    d = Decimal(str(value))
    forms = {format_decimal(d, locale=loc), format_decimal(d, format="#,##0.00", locale=loc), f"{d:f}"}
    if d == d.to_integral_value():
        forms.add(str(int(d)))
    return [_norm(f) for f in forms]


def _contains_number(text: str, form: str) -> bool:
    return re.search(r"(?<![\d.,])" + re.escape(form) + r"(?!\d|[.,]\d)", text) is not None


def half_deadlines(first_month: str) -> tuple[date, date]:
    """(claim end, forfeiture) of an earning half, by the seed's table."""
    y, m = (int(x) for x in first_month.split("-"))
    if m == 7:
        return date(y + 1, 8, 15), date(y + 1, 6, 30)
    if m == 1:
        return date(y + 1, 2, 15), date(y, 12, 31)
    raise ValueError(f"an earning half starts in January or July, not {first_month}")


@dataclass
class Verdict:
    row: dict[str, Any]
    answer: str
    ok: bool
    wrong_deadline: bool
    problems: list[str] = field(default_factory=list)


def check(row: dict[str, Any], reply: Any) -> Verdict:
    """Compare one reply with the row's expected facts."""
    exp = row.get("expect", {})
    problems: list[str] = []
    text = _norm(reply.text)
    locale = reply.data.get("locale") or ("fr-FR" if reply.lang == "fr" else "en-US")
    if reply.lang != row["lang"]:
        problems.append(f"answered in {reply.lang}, asked in {row['lang']}")
    for iso in exp.get("dates", []):
        if not any(f in text for f in date_forms(date.fromisoformat(iso), locale)):
            problems.append(f"missing date {iso}")
    for start, end in exp.get("periods", []):
        for iso in (start, end):
            if not any(f in text for f in date_forms(date.fromisoformat(iso), locale)):
                problems.append(f"missing period end {iso} of {start}..{end}")
    for word in exp.get("mentions", []):
        if _norm(word) not in text:
            problems.append(f"missing mention {word!r}")
    for value in exp.get("numbers", []):
        if not any(_contains_number(text, f) for f in number_forms(value, locale)):
            problems.append(f"missing number {value}")
    stated_halves = sorted({f"{tl.earning_start:%Y-%m}" for tl in reply.timelines})
    if "halves" in exp and stated_halves != sorted(exp["halves"]):
        problems.append(f"halves {stated_halves} != expected {sorted(exp['halves'])}")
    stated = {tl.claim_end for tl in reply.timelines} | {tl.usage_end for tl in reply.timelines}
    stated |= {date.fromisoformat(d) for d in reply.data.get("mentioned_deadlines", [])}
    allowed = {date.fromisoformat(d) for d in exp.get("dates", []) + exp.get("deadlines_ok", [])}
    for h in exp.get("halves", []):
        allowed.update(half_deadlines(h))
    if exp.get("no_dates") or exp.get("clarify"):
        allowed = set()
    wrong = sorted(stated - allowed)
    if wrong:
        problems.append("WRONG DEADLINE " + ", ".join(d.isoformat() for d in wrong))
    if exp.get("no_dates") and (reply.timelines or reply.poe_keep_until):
        problems.append("states dates but should not")
    if exp.get("clarify") and not reply.choices:
        problems.append("should ask back with choices")
    return Verdict(row, reply.text, not problems, bool(wrong), problems)


def answer_row(row: dict[str, Any], respond: Callable[..., Any] | None = None):
    if respond is None:
        from understanding import respond as respond_
        respond = respond_
    today = date.fromisoformat(row["today"]) if row.get("today") else DEFAULT_TODAY
    return respond(row["question"], locale=row.get("locale"), today=today)


@dataclass
class Summary:
    lang: str
    total: int
    right: int
    wrong_deadlines: int
    failures: list[Verdict]

    @property
    def percent(self) -> float:
        return 100.0 * self.right / self.total if self.total else 0.0


def evaluate(paths: Iterable[Path | str] = HELD_OUT, respond: Callable[..., Any] | None = None) -> dict[str, Summary]:
    by_lang: dict[str, list[Verdict]] = {}
    for path in paths:
        for row in load(path):
            verdict = check(row, answer_row(row, respond))
            by_lang.setdefault(row["lang"], []).append(verdict)
    return {lang: Summary(lang, len(vs), sum(v.ok for v in vs), sum(v.wrong_deadline for v in vs),
                          [v for v in vs if not v.ok])
            for lang, vs in by_lang.items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("files", nargs="*", type=Path, help="eval JSONL files (default: the held-out sets)")
    ap.add_argument("--dev", action="store_true", help="score the dev sets instead")
    ap.add_argument("-v", "--verbose", action="store_true", help="print each failure with its answer")
    args = ap.parse_args(argv)
    paths = args.files or (DEV if args.dev else HELD_OUT)
    results = evaluate(paths)
    for lang, s in sorted(results.items()):
        print(f"{lang}: {s.right}/{s.total} right ({s.percent:.1f}%), wrong deadlines: {s.wrong_deadlines}")
        for v in s.failures:
            print(f"  FAIL {v.row.get('_where')}: {v.row['question']!r}: {'; '.join(v.problems)}")
            if args.verbose:
                print("    " + v.answer.replace("\n", "\n    "))
    ok = all(s.percent >= 98.0 and s.wrong_deadlines == 0 for s in results.values())
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
