"""A message as questions: segmenting a pasted ticket, and the role of each date in it.

:func:`segment` cuts a message into sentences, drops greetings, thanks and signatures, keeps
statements ("we ran a webinar on 12 March 2024") as context and splits sentences that ask two
things ("…, and how long should we keep the invoices?"). :func:`role_of` says what a date is
in its sentence: ``earnings`` ("co-op earned in"), ``activity`` ("our webinar on"), ``plan``
("we will hold an event in"), ``submission`` ("if I file on"), or ``None`` when the words do not
say. Every cue word is data: ``[segment]`` and ``[roles]`` in each pack's ``vocab.toml``.

>>> [s.kind for s in segment("Hi team, we ran a webinar on 12 March 2024. When is the last day to claim, "
...                          "and how long should we keep the invoices? Thanks, Marie")]
['context', 'question', 'question']
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from core import fold

from . import packs

ROLES = ("earnings", "activity", "plan", "plan_funds", "submission")


@dataclass
class Segment:
    text: str
    start: int  # position in the message
    kind: str  # "question" | "context"


def _alt(words) -> str:
    ws = sorted({w for w in words if w}, key=len, reverse=True)
    return "(?:" + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in ws) + ")" if ws else r"(?!x)x"


@dataclass(frozen=True)
class _Cues:
    greeting: re.Pattern[str]
    closing: re.Pattern[str]
    question: re.Pattern[str]
    joiner: re.Pattern[str]
    roles: dict[str, re.Pattern[str]]
    past: re.Pattern[str]
    earnings_after: re.Pattern[str]
    earnings_before: re.Pattern[str]
    submission_after: re.Pattern[str]


@lru_cache(maxsize=4)
def _cues(gen: int) -> _Cues:
    v = packs.vocab()
    greet = _alt(v.words("segment.greetings"))
    close = _alt(v.words("segment.closings"))
    qwords = _alt(v.words("segment.question_words"))
    joiners = _alt(v.words("segment.joiners"))
    return _Cues(
        greeting=re.compile(r"^\W*" + greet + r"(?:\s+[a-z][\w'-]*){0,2}\s*[,!:.\-]+\s*|^\W*" + greet + r"\W*$"),
        closing=re.compile(r"^\W*" + close + r"(?![\w])"),
        question=re.compile(r"^\W*" + qwords + r"(?![\w])"),
        joiner=re.compile(r"(?:,|;)?\s+" + joiners + r"\s+(?=" + qwords + r"(?![\w]))"),
        roles={r: re.compile(r"(?<![\w])" + _alt(v.words("roles." + r)) + r"(?![\w])") for r in ROLES},
        past=re.compile(r"(?<![\w])" + _alt(v.words("roles.activity_past")) + r"(?![\w])"),
        earnings_after=re.compile(r"^(?:'s)?\s+" + _alt(v.words("roles.earnings_after")) + r"(?![\w])"),
        submission_after=re.compile(r"^\s*,?\s*(?:" + _alt(v.words("roles.submission_after")) + r")(?![\w])"),
        earnings_before=re.compile(r"(?<![\w])" + _alt(v.words("roles.earnings_before")) + r"\s+$"),
    )


def cues() -> _Cues:
    return _cues(packs.generation())


_SENTENCE = re.compile(r"[^.?!\n]+(?:[.?!]+|\n|$)")


def _sentences(text: str) -> list[tuple[int, str]]:
    out = []
    for m in _SENTENCE.finditer(text):
        s = m.group(0)
        if s.strip():
            out.append((m.start(), s))
    # "3,250.50" or "e.g." are not sentence ends: glue pieces that start with a digit or lower case
    merged: list[tuple[int, str]] = []
    for start, s in out:
        if merged and merged[-1][1].rstrip().endswith(".") and (s.lstrip()[:1].isdigit() or (s.lstrip()[:1].islower() and len(merged[-1][1].split()) <= 2)):
            merged[-1] = (merged[-1][0], merged[-1][1] + s)
        else:
            merged.append((start, s))
    return merged


def segment(text: str) -> list[Segment]:
    """The questions and context statements of a message, in order; greetings, thanks and
    signatures dropped. A single sentence is one question."""
    c = cues()
    out: list[Segment] = []
    closed = False
    for start, raw in _sentences(text):
        folded = fold(raw)
        if closed:
            break
        m = c.greeting.match(folded)
        if m:
            raw, folded, start = raw[m.end():], folded[m.end():], start + m.end()
            if not folded.strip(" \t\n.,!-"):
                continue
        if c.closing.match(folded) and "?" not in folded and len(folded.split()) <= 8:
            closed = True  # what follows a "Thanks," is the signature
            continue
        is_q = "?" in folded or bool(c.question.match(folded))
        parts = [(start, raw, folded)]
        if is_q:
            parts = []
            last = 0
            for j in c.joiner.finditer(folded):
                parts.append((start + last, raw[last:j.start()], folded[last:j.start()]))
                last = j.end()
            parts.append((start + last, raw[last:], folded[last:]))
        for pstart, praw, pfold in parts:
            if not pfold.strip(" \t\n.,!?-"):
                continue
            kind = "question" if is_q else "context"
            out.append(Segment(praw.strip(), pstart + (len(praw) - len(praw.lstrip())), kind))
    if out and not any(s.kind == "question" for s in out):
        # no sentence asks anything explicitly ("deadline for H1 funds"): the last one is the question
        out[-1].kind = "question"
    return out


def role_of(folded: str, start: int, end: int) -> str | None:
    """The role of the period at ``folded[start:end]`` from the cue words nearest to it in the
    same sentence: a cue before the period counts fully, one after it at two thirds.

    >>> t = "we held a webinar on 12 march 2024"
    >>> role_of(t, 21, len(t))
    'activity'
    >>> t = "i want to run a campaign in may 2027"
    >>> role_of(t, 28, len(t))
    'plan'
    >>> role_of("co-op earned in may 2027", 16, 24)
    'earnings'
    """
    c = cues()
    lo = max(folded.rfind(ch, 0, start) for ch in ".?!;\n") + 1
    hi_c = [folded.find(ch, end) for ch in ".?!;\n"]
    hi = min([h for h in hi_c if h >= 0] or [len(folded)])
    sentence_before, sentence_after = folded[lo:start], folded[end:hi]
    if c.submission_after.match(sentence_after):
        return "submission"  # "is 15 August 2026 too late to submit?"
    if c.earnings_after.match(sentence_after) or c.earnings_before.search(sentence_before[-24:]):
        return "earnings"  # "H1 funds", "Jul-Dec 2026 co-op"
    best: dict[str, float] = {}
    for role, pat in c.roles.items():
        for m in pat.finditer(sentence_before):
            d = len(sentence_before) - m.end()
            best[role] = min(best.get(role, 1e9), d)
        for m in pat.finditer(sentence_after):
            d = m.start() * 1.5 + 4
            best[role] = min(best.get(role, 1e9), d)
    if not best:
        return None
    if "submission" in best and best["submission"] <= 12:
        return "submission"
    if "activity" in best:
        earn = best.get("earnings", 1e9)
        if earn < best["activity"]:
            return "earnings"
        if ("plan" in best or "plan_funds" in best) and not c.past.search(
                sentence_before[max(0, len(sentence_before) - 60):] + " " + sentence_after[:20]):
            return "plan"
        return "activity"
    if "plan_funds" in best and best.get("earnings", 1e9) > best["plan_funds"]:
        return "plan"
    if "earnings" in best:
        return "earnings"
    return None
