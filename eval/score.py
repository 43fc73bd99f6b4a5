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

Keys of the issue #9 held-out set (``eval/heldout/``):

- ``forbid_dates``: ISO dates the answer must not state anywhere in its text (the
  half-year-wrong deadline of a date whose role is clear); stating one is a wrong deadline;
- ``keep_until``: the PoE keep-until date the answer must state (a date check, named apart so
  reports can say which fact was missing);
- ``verdict``: ``"yes"``/``"no"``: the answer's first word is Yes/No (English) or Oui/Non (French);
- ``intent_fallback``: the reply's ``intent`` is ``"fallback"``;
- ``no_action``: ``reply.action`` is None (and so is every part's);
- ``action``: the exact action the reply asks the bot to run;
- ``parts``: the minimum number of questions answered (``len(reply.parts)``, 1 for a single reply).

Keys of issue #17's held-out set (``eval/heldout17/``, format in its ``FORMAT.md``):

- ``mentions`` entries may be lists of alternatives (any one of them is enough);
- ``months``: ``"YYYY-MM"`` months the answer names (the month's name in the answer's language
  and the year);
- ``other_language``: the message is in a language the bot does not speak: the answer names
  English and French (in any of a few languages' words for them) and states no date; the
  answer's language is not checked;
- ``any_of``: alternative ``expect`` objects, the row passes when one of them does (a wrong
  deadline is counted only when every alternative states one);
- a multi-turn case's turn may carry its own ``lang``.

Multi-turn rows (``eval/heldout/multiturn.jsonl``) hold ``turns``: ``[{"text", "expect"}, ...]``;
each turn is answered with the previous turn's ``reply.context`` as ``context=``, as the bot does,
and a case is right when every turn is.

A **wrong deadline** is a claim-end or forfeiture date the answer states (in ``Reply.timelines``
or ``Reply.data["mentioned_deadlines"]``) that is not allowed for the question: allowed are the
``dates``, ``deadlines_ok`` and the deadlines of the expected ``halves`` by the seed's table
(earnings of July–December Y: claim until Aug 15 Y+1, forfeited after June 30 Y+1; of
January–June Y: claim until Feb 15 Y+1, forfeited after December 31 Y). This expansion is
written here from the seed's table, independently of ``core``.

Run: ``python -m eval.score [-v]`` scores the issue #9 held-out set (per language and per
category; ``-v`` prints the failing rows with their answers); ``--old`` the first held-out set,
``--dev`` the dev sets, ``FILES...`` any eval files (those three print every failure, as before).
If a module ``eval.classifier_report`` exists, its ``main()`` is called after the scores
(``--no-classifier`` skips it).
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
# issue #9: written before the classifier was trained (see eval/README.md)
HELDOUT_DIR = HERE / "heldout"
HELDOUT = [HELDOUT_DIR / "en.jsonl", HELDOUT_DIR / "fr.jsonl"]
MULTITURN = HELDOUT_DIR / "multiturn.jsonl"
# issue #17: written by helper sessions from SPEC and the co-op page only (see eval/README.md)
HELDOUT17_DIR = HERE / "heldout17"
CATEGORIES17 = ("thread", "distractor", "format", "rows", "voice", "rule", "amount", "relative", "plan", "fy",
                "injection", "other_language", "offtopic")
CATEGORIES = ("activity", "plan", "ticket", "messy", "fr_forms", "relative", "earnings", "rules", "offtopic")
DEFAULT_TODAY = date(2024, 11, 27)
# The sets before issue #17 were written when SPEC rule 8 followed the co-op page's 2020 table
# ("FY20 H1" = July - December 2020); they are scored with that labelling, which stays a setting.
# Issue #17's set is scored with the default: Microsoft's fiscal calendar.
EARLIER_SETS_CONVENTION = "seed"

_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " "})


#: rows left out because they were written when the assistant did not speak their language
#: (an ``other_language`` row in German, written before issue #21 added German): id -> language
RETIRED: dict[str, str] = {}


def _spoken(code: Any) -> bool:
    from understanding import packs

    return isinstance(code, str) and code.split("-")[0].lower() in packs.available()


def _retired(row: dict[str, Any]) -> str | None:
    """The language of a row that expects an "I do not speak it" answer in a language the
    assistant now speaks: its expectation no longer holds (not a failure, not a success)."""
    for exp in [row.get("expect", {})] + [t.get("expect", {}) for t in row.get("turns", [])]:
        if _spoken(exp.get("other_language")):
            return exp["other_language"]
    return None


def load(path: Path | str) -> list[dict[str, Any]]:
    rows = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if line.strip():
                row = json.loads(line)
                row.setdefault("_where", f"{Path(path).name}:{n}")
                gone = _retired(row)
                if gone:
                    RETIRED[row.get("id") or row["_where"]] = gone
                    continue
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


def _states_date(text: str, form: str) -> bool:
    """``form`` appears in ``text`` as a whole date (not inside a longer number or date)."""
    return re.search(r"(?<![\w/.-])" + re.escape(form) + r"(?![\w/-]|\.\d)", text) is not None


@lru_cache(maxsize=None)
def _verdict_word(lang: str, verdict: str) -> str:
    """A language's word for yes or no: the first word of its catalogue's verdict sentence."""
    from understanding.messages import t

    return _first_word(t(lang, f"verdict.{verdict}")).casefold()


def _first_word(text: str) -> str:
    m = re.match(r"\W*(\w+)", text)
    return m.group(1) if m else ""


def _actions(reply: Any) -> list[str]:
    found = [reply.action] if reply.action else []
    for part in getattr(reply, "parts", None) or []:
        found += _actions(part)
    return found


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


def month_forms(month: str, locale: str) -> tuple[list[str], str]:
    """(the month's names in the locale, wide and abbreviated; its year) of ``"YYYY-MM"``."""
    y, m = (int(x) for x in month.split("-"))
    loc = _loc(locale)
    names = {loc.months["format"]["wide"][m], loc.months["format"]["abbreviated"][m],
             loc.months["stand-alone"]["wide"][m]}
    return [_norm(n).rstrip(".") for n in names], str(y)


def _months_named(text: str, start: date, end: date, locale: str) -> bool:
    """Whether a period of whole months (the 1st of one month to the last day of another) is
    stated as its months: both month names with the end year, in that order, close together
    ("July – December 2025", "de juillet à décembre 2025", "July 2025 – June 2026")."""
    from calendar import monthrange

    if start.day != 1 or end.day != monthrange(end.year, end.month)[1]:
        return False
    first, _ = month_forms(f"{start.year}-{start.month:02d}", locale)
    last, year = month_forms(f"{end.year}-{end.month:02d}", locale)
    a = "(?:" + "|".join(re.escape(n) for n in first) + ")"
    b = "(?:" + "|".join(re.escape(n) for n in last) + ")"
    y1 = "" if start.year == end.year else r"\s+" + str(start.year)
    return re.search(r"(?<!\w)" + a + y1 + r"\W{1,4}(?:\w+\W+)?" + b + r"\s+" + year + r"(?!\d)", text) is not None


# the words a reply may use for "English" and "French", in the languages partners write in
_NAME_LOCALES = ("en", "fr", "de", "es", "it", "nl", "pt", "pl")


@lru_cache(maxsize=1)
def _language_names() -> list[tuple[str, str]]:
    out = []
    for tag in _NAME_LOCALES:
        names = _loc(tag).languages
        out.append((_norm(names["en"]), _norm(names["fr"])))
    return out


def names_both_languages(text: str) -> bool:
    """Whether ``text`` names English and French (in one of a few languages' words)."""
    return any(en in text and fr in text for en, fr in _language_names())


def check(row: dict[str, Any], reply: Any) -> Verdict:
    """Compare one reply with the row's expected facts (``any_of``: one alternative passes)."""
    exp = row.get("expect", {})
    if "any_of" in exp:
        base = {k: v for k, v in exp.items() if k != "any_of"}
        verdicts = [_check({**row, "expect": {**base, **alt}}, reply) for alt in exp["any_of"]]
        best = next((v for v in verdicts if v.ok), None)
        if best is not None:
            return best
        problems = [f"alternative {n}: " + "; ".join(v.problems) for n, v in enumerate(verdicts, 1)]
        return Verdict(row, reply.text, False, all(v.wrong_deadline for v in verdicts), problems)
    return _check(row, reply)


def _check(row: dict[str, Any], reply: Any) -> Verdict:
    exp = row.get("expect", {})
    problems: list[str] = []
    text = _norm(reply.text)
    locale = reply.data.get("locale") or ("fr-FR" if reply.lang == "fr" else "en-US")
    if exp.get("other_language"):
        if not names_both_languages(text):
            problems.append(f"does not say it answers in English or French ({exp['other_language']} message)")
        exp = {**exp, "no_dates": True}
    elif reply.lang != row["lang"]:
        problems.append(f"answered in {reply.lang}, asked in {row['lang']}")
    for iso in exp.get("dates", []):
        if not any(f in text for f in date_forms(date.fromisoformat(iso), locale)):
            problems.append(f"missing date {iso}")
    for start, end in exp.get("periods", []):
        if _months_named(text, date.fromisoformat(start), date.fromisoformat(end), locale):
            continue  # whole months, named as months ("July – December 2025"): stated
        for iso in (start, end):
            if not any(f in text for f in date_forms(date.fromisoformat(iso), locale)):
                problems.append(f"missing period end {iso} of {start}..{end}")
    for word in exp.get("mentions", []):
        options = word if isinstance(word, list) else [word]
        if not any(_norm(w) in text for w in options):
            problems.append(f"missing mention {word!r}")
    for month in exp.get("months", []):
        names, year = month_forms(month, locale)
        if not (any(re.search(r"(?<!\w)" + re.escape(n) + r"(?!\w)", text) for n in names) and year in text):
            problems.append(f"missing month {month}")
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
    if exp.get("no_dates") and (reply.timelines or reply.poe_keep_until
                                or any(p.timelines or p.poe_keep_until for p in reply.parts)):
        problems.append("states dates but should not")
    if exp.get("clarify") and not reply.choices:
        problems.append("should ask back with choices")
    # issue #9 keys
    forbidden = []
    for iso in exp.get("forbid_dates", []):
        day = date.fromisoformat(iso)
        if day in stated or any(_states_date(text, f) for f in date_forms(day, locale)):
            forbidden.append(iso)
    if forbidden:
        problems.append("WRONG DEADLINE (forbidden) " + ", ".join(forbidden))
    keeps = exp.get("keep_until", [])
    for iso in [keeps] if isinstance(keeps, str) else keeps:  # one date, or one per named activity
        if not any(f in text for f in date_forms(date.fromisoformat(iso), locale)):
            problems.append(f"missing PoE keep-until date {iso}")
    if "verdict" in exp:
        want = _verdict_word(row["lang"], exp["verdict"])
        if _first_word(text) != want:
            problems.append(f"first word {_first_word(text)!r}, expected {want!r}")
    if exp.get("intent_fallback") and reply.intent != "fallback":
        problems.append(f"intent {reply.intent!r}, expected the fallback")
    acts = _actions(reply)
    if exp.get("no_action") and acts:
        problems.append(f"runs action {acts} but should not")
    if "action" in exp and exp["action"] not in acts:
        problems.append(f"action {acts or None}, expected {exp['action']!r}")
    if "parts" in exp and (len(reply.parts) or 1) < exp["parts"]:
        problems.append(f"answers {len(reply.parts) or 1} question(s), expected at least {exp['parts']}")
    return Verdict(row, reply.text, not problems, bool(wrong or forbidden), problems)


def _with_convention(respond: Callable[..., Any] | None, convention: str | None) -> Callable[..., Any] | None:
    """``respond`` (default: the product's) answering with an FY-label ``convention``."""
    if convention is None:
        return respond
    if respond is None:
        from understanding import respond as respond_
        respond = respond_
    import functools

    return functools.partial(respond, convention=convention)


def answer_row(row: dict[str, Any], respond: Callable[..., Any] | None = None, context: dict | None = None):
    if respond is None:
        from understanding import respond as respond_
        respond = respond_
    today = date.fromisoformat(row["today"]) if row.get("today") else DEFAULT_TODAY
    if context is None:  # the call the old sets always made
        return respond(row["question"], locale=row.get("locale"), today=today)
    return respond(row["question"], locale=row.get("locale"), today=today, context=context)


def check_case(case: dict[str, Any], respond: Callable[..., Any] | None = None) -> Verdict:
    """Answer a multi-turn case turn by turn, each with the previous reply's context."""
    context: dict | None = None
    problems: list[str] = []
    answers: list[str] = []
    wrong = False
    for n, turn in enumerate(case["turns"], 1):
        row = {"lang": turn.get("lang", case["lang"]), "question": turn["text"], "today": case.get("today"),
               "locale": case.get("locale"), "expect": turn.get("expect", {})}
        reply = answer_row(row, respond, context=context if n > 1 else None)
        v = check(row, reply)
        answers.append(f"[turn {n}] {turn['text']!r}\n{reply.text}")
        problems += [f"turn {n}: {p}" for p in v.problems]
        wrong = wrong or v.wrong_deadline
        context = dict(reply.context or {})
    return Verdict(case, "\n".join(answers), not problems, wrong, problems)


@dataclass
class Summary:
    lang: str
    total: int
    right: int
    wrong_deadlines: int
    failures: list[Verdict]
    # category -> (right, total), for the issue #9 set
    by_category: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def percent(self) -> float:
        return 100.0 * self.right / self.total if self.total else 0.0


def evaluate(paths: Iterable[Path | str] = HELD_OUT, respond: Callable[..., Any] | None = None,
             convention: str | None = EARLIER_SETS_CONVENTION) -> dict[str, Summary]:
    respond = _with_convention(respond, convention)
    by_lang: dict[str, list[Verdict]] = {}
    for path in paths:
        for row in load(path):
            verdict = check_case(row, respond) if "turns" in row else check(row, answer_row(row, respond))
            by_lang.setdefault(row["lang"], []).append(verdict)
    return {lang: Summary(lang, len(vs), sum(v.ok for v in vs), sum(v.wrong_deadline for v in vs),
                          [v for v in vs if not v.ok])
            for lang, vs in by_lang.items()}


def _summaries(verdicts: dict[str, list[Verdict]]) -> dict[str, Summary]:
    out = {}
    for lang, vs in verdicts.items():
        cats: dict[str, tuple[int, int]] = {}
        for v in vs:
            cat = v.row.get("category", "?")
            right, total = cats.get(cat, (0, 0))
            cats[cat] = (right + v.ok, total + 1)
        out[lang] = Summary(lang, len(vs), sum(v.ok for v in vs), sum(v.wrong_deadline for v in vs),
                            [v for v in vs if not v.ok], cats)
    return out


def evaluate_heldout(paths: Iterable[Path | str] = HELDOUT, multiturn: Path | str | None = MULTITURN,
                     respond: Callable[..., Any] | None = None,
                     convention: str | None = EARLIER_SETS_CONVENTION) -> dict[str, Summary]:
    """Score the issue #9 held-out set: single questions and multi-turn cases, per language
    (multi-turn cases count in their language under the category ``multiturn``)."""
    respond = _with_convention(respond, convention)
    by_lang: dict[str, list[Verdict]] = {}
    for path in paths:
        for row in load(path):
            by_lang.setdefault(row["lang"], []).append(check(row, answer_row(row, respond)))
    if multiturn is not None:
        for case in load(multiturn):
            by_lang.setdefault(case["lang"], []).append(check_case(case, respond))
    return _summaries(by_lang)


def evaluate_heldout17(directory: Path | str = HELDOUT17_DIR, respond: Callable[..., Any] | None = None
                       ) -> dict[str, Summary]:
    """Score issue #17's held-out set: every ``*.jsonl`` of the folder (rows and multi-turn
    cases), per language and category."""
    by_lang: dict[str, list[Verdict]] = {}
    for path in sorted(Path(directory).glob("*.jsonl")):
        for row in load(path):
            v = check_case(row, respond) if "turns" in row else check(row, answer_row(row, respond))
            if "turns" in row:
                v.row = {**row, "category": "multiturn"}
            by_lang.setdefault(row["lang"], []).append(v)
    return _summaries(by_lang)


def classifier_report_hook() -> None:
    """Print the intent classifier's report (k-fold accuracy, confusion matrix per language)
    when the module ``eval.classifier_report`` exists; its ``main()`` is called without
    arguments. The scorer itself stays independent of the classifier."""
    import importlib
    import importlib.util

    if importlib.util.find_spec("eval.classifier_report") is None:
        return
    importlib.import_module("eval.classifier_report").main()


def print_heldout(results: dict[str, Summary], verbose: bool = False, title: str = "held-out set (issue #9)",
                  categories: tuple[str, ...] = CATEGORIES) -> None:
    cats = [c for c in categories + ("multiturn",) if any(c in s.by_category for s in results.values())]
    cats += sorted({c for s in results.values() for c in s.by_category} - set(cats))
    langs = sorted(results)
    print(title)
    for lang in langs:
        s = results[lang]
        print(f"{lang}: {s.right}/{s.total} right ({s.percent:.1f}%), wrong deadlines: {s.wrong_deadlines}")
    if RETIRED:
        print(f"not scored: {len(RETIRED)} row(s) expecting a refusal in a language now spoken "
              f"({', '.join(sorted(set(RETIRED.values())))})")
        RETIRED.clear()
    print(f"{'category':<10}" + "".join(f"{lang:>14}" for lang in langs))
    for cat in cats:
        cells = []
        for lang in langs:
            right, total = results[lang].by_category.get(cat, (0, 0))
            cells.append(f"{right}/{total}".rjust(14) if total else "-".rjust(14))
        print(f"{cat:<10}" + "".join(cells))
    if verbose:
        for lang in langs:
            for v in results[lang].failures:
                where = v.row.get("id") or v.row.get("_where")
                shown = v.row.get("question") or " / ".join(t["text"] for t in v.row.get("turns", []))
                print(f"  FAIL {where} [{v.row.get('category')}]: {shown!r}: {'; '.join(v.problems)}")
                print("    " + v.answer.replace("\n", "\n    "))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("files", nargs="*", type=Path, help="eval JSONL files (default: the issue #9 held-out set)")
    ap.add_argument("--dev", action="store_true", help="score the dev sets instead")
    ap.add_argument("--old", action="store_true", help="score the first held-out set (questions_en/fr.jsonl)")
    ap.add_argument("--no-classifier", action="store_true", help="do not print the classifier report")
    ap.add_argument("-v", "--verbose", action="store_true", help="print each failure with its answer")
    ap.add_argument("--set", choices=("9", "17", "all"), default="all",
                    help="which held-out set (issue #9's, issue #17's, or both: the default)")
    ap.add_argument("--dir", type=Path, help="score a folder in issue #17's format (e.g. eval/dev17)")
    args = ap.parse_args(argv)
    if args.dir:
        results = evaluate_heldout17(args.dir)
        print_heldout(results, args.verbose, f"{args.dir}", CATEGORIES17)
        return 0
    if args.set == "17" and not (args.files or args.dev or args.old):
        results = evaluate_heldout17()
        print_heldout(results, args.verbose, "held-out set (issue #17)", CATEGORIES17)
        return 0
    if args.set == "all" and not (args.files or args.dev or args.old):
        results17 = evaluate_heldout17()
        print_heldout(results17, args.verbose, "held-out set (issue #17)", CATEGORIES17)
        print()
    if not (args.files or args.dev or args.old):
        results = evaluate_heldout()
        print_heldout(results, args.verbose)
        if not args.no_classifier:
            classifier_report_hook()
        ok = all(s.percent >= 98.0 and s.wrong_deadlines == 0 for s in results.values())
        return 0 if ok else 1
    paths = args.files or (DEV if args.dev else HELD_OUT)
    results = evaluate(paths)
    for lang, s in sorted(results.items()):
        print(f"{lang}: {s.right}/{s.total} right ({s.percent:.1f}%), wrong deadlines: {s.wrong_deadlines}")
        for v in s.failures:
            shown = v.row.get("question") or " / ".join(t["text"] for t in v.row.get("turns", []))
            print(f"  FAIL {v.row.get('_where')}: {shown!r}: {'; '.join(v.problems)}")
            if args.verbose:
                print("    " + v.answer.replace("\n", "\n    "))
    ok = all(s.percent >= 98.0 and s.wrong_deadlines == 0 for s in results.values())
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
