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
from .reading import alternation as _alt, grammar

AFTER_A_COMMA = 20  # a cue after the date but past a comma is this much farther (another clause)
ROLES = ("earnings", "activity", "plan", "plan_funds", "submission", "distractor")  # cue lists in [roles]
#: roles of a date that is not a period of the question: when an invoice or an order was dated,
#: sent or due ("distractor"); a deadline the message itself states ("asserted")
NOT_PERIODS = ("distractor", "asserted")


@dataclass
class Segment:
    text: str
    start: int  # position in the message
    kind: str  # "question" | "context"


@dataclass(frozen=True)
class _Cues:
    greeting: re.Pattern[str]
    closing: re.Pattern[str]
    question: re.Pattern[str]
    joiner: re.Pattern[str]
    roles: dict[str, re.Pattern[str]]
    past: re.Pattern[str]
    past_weak: frozenset
    submission_verbs: re.Pattern[str]
    request: re.Pattern[str]
    request_inside: re.Pattern[str]
    asked: re.Pattern[str]
    back_refs: re.Pattern[str]
    earnings_after: re.Pattern[str]
    earnings_before: re.Pattern[str]
    submission_after: re.Pattern[str]
    asserted_after: re.Pattern[str]
    asserted: re.Pattern[str]
    deadline_words: re.Pattern[str]
    copula: re.Pattern[str]
    asserted_month: re.Pattern[str]


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
        roles={r: _role_pattern(v, r) for r in ROLES},
        past=re.compile(r"(?<![\w])" + _alt(v.words("roles.activity_past")) + r"(?![\w])"),
        past_weak=frozenset(v.words("roles.activity_past_weak")),
        submission_verbs=re.compile(r"(?<![\w])" + _alt(v.words("roles.submission_verbs")) + r"(?![\w])"),
        request=re.compile(r"^\W*" + _alt(v.words("segment.request_starts")) + r"(?![\w])"),
        request_inside=re.compile(r"(?<![\w])" + _alt(v.words("segment.request_inside")) + r"(?![\w])"),
        asked=re.compile(r"^\W*" + _alt(v.words("segment.asked_nouns")) + r"(?![\w])"),
        back_refs=re.compile(r"(?<![\w'])" + _alt(v.words("segment.back_refs")) + r"(?![\w'])"),
        earnings_after=re.compile(r"^(?:'s)?\s+" + _alt(v.words("roles.earnings_after")) + r"(?![\w])"),
        submission_after=re.compile(r"^\s*,?\s*(?:" + _alt(v.words("roles.submission_after")) + r")(?![\w])"),
        # "bestätige den 31.03.2027 als Frist", "… as the deadline", "… comme date limite"
        asserted_after=re.compile(r"^[\"'”»)\]]*\s*,?\s*(?:" + _alt(v.words("roles.asserted_after")) + r")(?![\w])"),
        earnings_before=re.compile(r"(?<![\w])" + _alt(v.words("roles.earnings_before")) + r"\s+$"),
        asserted=re.compile(r"(?<![\w])" + _alt(v.words("roles.asserted_before")) + r"[\"'”»)\]]*\s*(?:" + _alt(v.words("reading.the"))
                            + r"\s+|on\s+|le\s+)?$"),
        deadline_words=re.compile(r"(?<![\w])" + _alt(v.words("roles.deadline_words")) + r"(?![\w])"),
        asserted_month=re.compile(r"(?<![\w])" + _alt(v.words("roles.asserted_month_before")) + r"\s*(?:"
                                  + _alt(v.words("reading.the")) + r"\s+)?$"),
        copula=re.compile(r"(?<![\w])" + _alt(v.words("roles.copula")) + r"\s*(?:" + _alt(v.words("reading.the"))
                          + r"\s+|on\s+|le\s+)?$|:\s*$"),
    )


def _role_pattern(v, role: str) -> re.Pattern[str]:
    """A role's cue words as whole words, and the endings that make a compound one of them
    (``roles.<role>_compound_ends``: German "Kundenanlass", "Schulungsmaßnahme", "Hausmesse")."""
    pattern = r"(?<![\w])" + _alt(v.words("roles." + role)) + r"(?![\w])"
    ends = v.words(f"roles.{role}_compound_ends")
    if ends:
        pattern += r"|(?<![\w])[^\W\d_]{3,}" + _alt(ends) + r"(?![\w])"
    return re.compile(pattern)


def cues() -> _Cues:
    return _cues(packs.generation())


_SENTENCE = re.compile(r"[^.?!\n]+(?:[.?!]+|\n|$)")
# "(i.e. July to December)", "e.g.": lower-case letters with dots end no sentence
_ABBREVIATION_END = re.compile(r"(?:^|[\s(\[])(?:[a-z]\.){1,3}$")


@lru_cache(maxsize=4)
def _multiplier_end(gen: int) -> re.Pattern[str]:
    """"120 Tsd.", "1,2 Mio.": an amount's abbreviated multiplier (``amounts.multipliers``) ends no sentence."""
    dotted = [w for w in packs.vocab().table("amounts.multipliers") if w.endswith(".")]
    if not dotted:
        return re.compile(r"(?!x)x")
    return re.compile(r"\d\s?(?:" + "|".join(re.escape(w) for w in sorted(dotted, key=len, reverse=True)) + r")$", re.I)


# "3rd of Feb. '27": a year written "'27" starts no sentence
_TWO_DIGIT_YEAR = re.compile(r"['\u2019]\d{2}(?!\d)")


def _ends_with_month_abbreviation(piece: str) -> bool:
    """"… du T3 (juil." / "3rd of Feb.": the dot of a month's abbreviation ends no sentence when
    no word follows it ("juil.–sept.", "Feb. '27"; "le 28 juin. ça change ?" is two)."""
    m = re.search(r"(\w+)\.$", piece)
    return m is not None and fold(m.group(1)) in packs.vocab().months_by_word


def _sentences(text: str) -> list[tuple[int, str]]:
    out = []
    for m in _SENTENCE.finditer(text):
        s = m.group(0)
        if s.strip():
            out.append((m.start(), s))
    # "3,250.50" or "e.g." are not sentence ends: glue pieces that start with a digit or lower case
    merged: list[tuple[int, str]] = []
    for start, s in out:
        if merged and merged[-1][1].rstrip().endswith(".") and (s.lstrip()[:1].isdigit() or _DASH_DIGIT.match(s.lstrip())
                                                                # "CHF 12'480.–, zahlbar": the Swiss ".–" of an amount
                                                                or (s[:1] in "–—-" and merged[-1][1][-2:-1].isdigit())
                                                                or (re.search(r"(?<![\d.])\d{1,2}\.$", merged[-1][1].rstrip())
                                                                    and _day_and_day(packs.generation()).match(" " + s.lstrip())) or (s.lstrip()[:1].islower() and len(merged[-1][1].split()) <= 2)
                                                                or _ABBREVIATION_END.search(merged[-1][1].rstrip())
                                                                or _TWO_DIGIT_YEAR.match(s.lstrip())
                                                                or _multiplier_end(packs.generation()).search(merged[-1][1].rstrip())
                                                                # "vom 28.06. bis 02.07.2027", "am 24.11. haben wir": a
                                                                # day's dots end no sentence before a lower-case word
                                                                or (_DAY_MONTH_DOTS.search(merged[-1][1].rstrip())
                                                                    and s.lstrip()[:1].islower())
                                                                or (re.search(r"(?<![\d.])\d{1,2}\.$", merged[-1][1].rstrip())
                                                                    and _dotted_number_word(packs.generation()).match(' ' + fold(s.lstrip())))
                                                                or (_ends_with_month_abbreviation(merged[-1][1].rstrip())
                                                                    and not s.lstrip()[:1].isalpha())):
            merged[-1] = (merged[-1][0], merged[-1][1] + s)
        else:
            merged.append((start, s))
    return merged


# a day and month written with dots and no year ("28.06.")
_DAY_MONTH_DOTS = re.compile(r"(?<![\d.])\d{1,2}\.\d{1,2}\.$")

# "1.–31. Oktober": a dash and a number after a day's dot continue the same run of days
_DASH_DIGIT = re.compile(r"[–—-]\s*\d")


@lru_cache(maxsize=4)
def _day_and_day(gen: int) -> re.Pattern[str]:
    """"am 9. und 10. Juni", "vom 3. bis 5. März": a range word of the packs
    (``reading.range_sep``) and another day after a day's dot."""
    return re.compile(r"\s+" + _alt(packs.vocab().words("reading.range_sep")) + r"\s+\d{1,2}\.", re.I)


# a numbered or bulleted list item ("1) …", "2. …", "- …" at a line start): a sentence of its own
# (a number right after a digit's dot is a date's year, "am 12.03.27. Welcher…", no list item)
_LIST_MARK = re.compile(r"(?:(?<=^)|(?<=[\s:;,?!])|(?<=\D\.))\(?\d{1,2}[.)](?=\s+\S)|(?:(?<=^)|(?<=\n))[ \t]*[-•*](?=[ \t]+\S)")


@lru_cache(maxsize=4)
def _dotted_number_word(gen: int) -> re.Pattern[str]:
    """A word that makes a number with a dot before it a day or an ordinal, not a list item nor a
    sentence end ("am 12. März 2027", "1. Halbjahr", "3. Quartal", "KW 12."): the packs' month
    names and half, quarter and week words."""
    v = packs.vocab()
    words = list(v.months_by_word) + v.words("reading.half_words") + v.words("reading.quarter_words") \
        + v.words("reading.week_words")
    return re.compile(r"\s+" + _alt([w.rstrip(".") for w in words if w]) + r"(?![\w])")


_DAY_DOT_BEFORE = re.compile(r"(?<![\d.])\d{1,2}\.$")


def _unlist(text: str) -> str:
    """The list markers replaced by a line break and spaces of the same length (positions kept);
    a day's or an ordinal's dot ("12. März", "1. Halbjahr") is no list marker."""
    folded = fold(text)
    after = _dotted_number_word(packs.generation())

    def mark(m: re.Match[str]) -> str:
        line = text[text.rfind("\n", 0, m.start()) + 1:m.start()]
        if m.group(0).endswith(")") and not m.group(0).startswith("(") and line.count("(") > line.count(")"):
            return m.group(0)  # "(Claridenstrasse 5) hat am …": a bracket closed, no list item
        if m.group(0).endswith(".") and (after.match(folded, m.end()) or _DAY_DOT_BEFORE.search(text, 0, m.start())):
            return m.group(0)  # ("am 24.11. bis wann": the month of a day written with dots)
        if m.group(0).endswith(".") and _day_and_day(packs.generation()).match(text, m.end()):
            return m.group(0)  # ("am 9. und 10. Juni": a day, not an item)
        return "\n" + " " * (len(m.group(0)) - 1)
    return _LIST_MARK.sub(mark, text)


def segment(text: str) -> list[Segment]:
    """The questions and context statements of a message, in order; greetings, thanks and
    signatures dropped. A single sentence is one question; each item of a numbered or
    bulleted list is a sentence of its own.

    >>> [s.text for s in segment("Hi, two questions: 1) who can submit claims? 2) what is the split?")]
    ['two questions:', 'who can submit claims?', 'what is the split?']
    """
    c = cues()
    out: list[Segment] = []
    closed = False
    text = _unlist(text)
    for start, raw in _sentences(text):
        folded = fold(raw)
        if closed and ("?" not in folded and len(folded.split()) <= 4 and not any(ch.isdigit() for ch in folded)):
            continue  # the signature under a "Thanks,"
        m = c.greeting.match(folded)
        if m:
            raw, folded, start = raw[m.end():], folded[m.end():], start + m.end()
            if not folded.strip(" \t\n.,!-"):
                continue
        if c.closing.match(folded) and not c.request.match(folded) and "?" not in folded and len(folded.split()) <= 8:
            closed = True  # what follows a "Thanks," is the signature, unless it asks something
            continue
        closed = False
        is_q = ("?" in folded or bool(c.question.match(folded)) or bool(c.request.match(folded))
                or bool(c.request_inside.search(folded)) or bool(c.asked.match(folded)))
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


def _fuzzy_cues(c: "_Cues", text: str) -> list[tuple[str, int, int]]:
    """Misspelt cue words ("evnt", "semnar", "earnd"): (role, start, end) of each word one
    edit away from an activity or earnings cue of 5+ letters."""
    out = []
    for m in _WORDS.finditer(text):
        role = _fuzzy_role(m.group(0), generation_key())
        if role:
            out.append((role, m.start(), m.end()))
    return out


_WORDS = re.compile(r"[a-z]{4,}")


def generation_key() -> int:
    return packs.generation()


@lru_cache(maxsize=8192)
def _fuzzy_role(word: str, gen: int) -> str | None:
    from .typos import _one_edit

    table = _fuzzy_table(gen)
    if word in table["exact"]:
        return None  # an exact cue is found by the patterns themselves
    for role in ("activity", "earnings"):
        for cue in table[role]:
            if abs(len(cue) - len(word)) <= 1 and cue[0] == word[0] and _one_edit(word, cue):
                return role
    return None


#: the packs' lists whose words make a text about co-op: co-op, its money, a deadline, a period of
#: the page or a marketing activity (``understanding.engine._on_topic``, ``understanding.mail``)
TOPIC_KEYS = ("topic.words", "roles.activity", "roles.deadline_words", "amounts.coop_words", "reading.half_words",
              "reading.quarter_words", "reading.fy_words")


def about_coop(folded: str) -> bool:
    """Whether a folded text names one of the :data:`TOPIC_KEYS` words."""
    return packs.words_pattern(*TOPIC_KEYS).search(folded) is not None


def known_words() -> frozenset[str]:
    """The real words the packs list (cues, question words, each language's frequent words and
    ``typos.not_cues``): never read as a misspelling of another."""
    return _fuzzy_table(generation_key())["exact"]


@lru_cache(maxsize=4)
def _fuzzy_table(gen: int) -> dict:
    v = packs.vocab()
    single = lambda key: [w for w in v.words(key) if " " not in w and "-" not in w and len(w) >= 5]  # noqa: E731
    known = set()
    for key in ("roles.activity", "roles.earnings", "roles.activity_past", "roles.plan", "roles.plan_funds",
                "segment.question_words", "detect.strong"):
        known.update(v.words(key))
    for p in packs.packs():
        known.update(p.get("detect.strong") or [])
        known.update(p.get("typos.not_cues") or [])  # "genre" is no typo of "généré"
    return {"activity": single("roles.activity"), "earnings": single("roles.earnings"), "exact": frozenset(known)}


# a sentence ends at . ? ! ; or a line end, but not at the dot of "30.11.2026" or "3.5"
_SENTENCE_END = re.compile(r"[?!;\n]|\.(?!\d)|(?<!\d)\.")


def _sentence_around(folded: str, start: int, end: int) -> tuple[int, int]:
    """The bounds of the sentence holding ``folded[start:end]``."""
    lo = 0
    for m in _SENTENCE_END.finditer(folded, 0, start):
        if not _abbreviation_before_number(folded, m):
            lo = m.end()
    hi = len(folded)
    for m in _SENTENCE_END.finditer(folded, end):
        if not _abbreviation_before_number(folded, m):
            hi = m.start()
            break
    return lo, hi


# "Rechnung (Nr. 2026-1187) folgt bis …", "PO no. 4471 dated …", "réf. 12": a short word's dot
# before a number abbreviates it and ends no sentence
_SHORT_WORD_DOT = re.compile(r"(?<![\w.])[^\W\d_]{1,4}$")
_NUMBER_AHEAD = re.compile(r"\s*\d")


def _abbreviation_before_number(folded: str, m: re.Match[str]) -> bool:
    return (m.group(0) == "." and _NUMBER_AHEAD.match(folded, m.end()) is not None
            and _SHORT_WORD_DOT.search(folded, max(0, m.start() - 6), m.start()) is not None)


_CLAUSE_BACK = re.compile(r"[?!;,\n]|\.(?!\d)|(?<!\d)\.")
_CLAUSE_AHEAD = re.compile(r"[?!;,\n(]|\.(?!\d)|(?<!\d)\.")


def own_year_clause(folded: str, start: int, end: int) -> bool:
    """Whether the period at ``folded[start:end]`` sits in a clause about the partner's own fiscal
    or accounting year (``roles.own_year``): "our FY ends 31 March", "notre exercice comptable
    va du 1er avril au 31 mars"."""
    lo = 0  # ("our FY is … (01.01.2026-31.12.2026)": back across the bracket, not at a date's dots)
    for m in _CLAUSE_BACK.finditer(folded, 0, start):
        lo = m.end()
    m = _CLAUSE_AHEAD.search(folded, end)
    hi = m.start() if m else len(folded)
    if packs.words_pattern("roles.own_year_not").search(folded[max(lo, start - 14):end]):
        return False  # "our Microsoft FY27 H1 co-op: our fiscal year ends …": Microsoft's, named as such
    return packs.words_pattern("roles.own_year").search(folded[lo:start] + " " + folded[end:hi]) is not None


def own_fy_label(folded: str, start: int, end: int) -> bool:
    """Whether an FY label at ``start`` is the partner's own: the message declares its own fiscal
    year ("our FY ends 31 March … out of our FY26 Q4 budget") and does not name Microsoft right
    before the label ("Microsoft FY27 H1")."""
    if not packs.words_pattern("roles.own_year").search(folded):
        return False
    return not packs.words_pattern("roles.own_year_not").search(folded[max(0, start - 14):end])


def _ends_with(before: str, key: str) -> bool:
    """Whether ``before`` (the sentence up to a date) ends with a phrase of the packs' ``key``
    (a "the"/"le" between them allowed)."""
    return _ends_pattern(key, packs.generation()).search(before[-48:]) is not None


@lru_cache(maxsize=16)
def _ends_pattern(key: str, gen: int) -> re.Pattern[str]:
    v = packs.vocab()
    words = v.words(key)
    if not words:
        return re.compile(r"(?!x)x")
    return re.compile(r"(?<![\w])" + _alt(words) + r"\s*(?:" + _alt(v.words("reading.the")) + r"\s+)?$")


_QUOTE_OPEN = re.compile(r"[«“\"']")


def _dictated(before: str) -> bool:
    """Whether a date sits in quotation marks opened right after a word that dictates the reply
    ("reply only \"Confirmed, 31 March 2027\"", "réponds « … »"): ``roles.dictated_before``."""
    opened = [m for m in _QUOTE_OPEN.finditer(before)]
    if not opened:
        return False
    q = opened[-1]
    if re.search(r"[»”]", before[q.end():]) or (q.group(0) in "\"'" and len(opened) % 2 == 0):
        return False  # the quotation closed before the date
    return _ends_pattern("roles.dictated_before", packs.generation()).search(before[max(0, q.start() - 40):q.start()].rstrip(" :,")) is not None


def _distractor_in_clause(folded: str, lo: int, start: int) -> bool:
    """Whether a distractor cue names the clause a date ends ("facture du 28 janvier, paiement
    prévu le 15 mars")."""
    clause = max([lo] + [folded.rfind(ch, lo, start) + 1 for ch in ",;("])
    return cues().roles["distractor"].search(folded[clause:start]) is not None


def _in_brackets_after_distractor(folded: str, lo: int, start: int) -> bool:
    """Whether a date sits in a bracket opened right after something a distractor cue names
    ("la facture n° 2026-1187 du 30.11.2026 (échéance 30.12.2026)")."""
    opened = folded.rfind("(", lo, start)
    if opened < 0 or folded.find(")", opened, start) >= 0:
        return False
    head = folded[max(lo, opened - 50):opened]
    return cues().roles["distractor"].search(head) is not None and not (
        cues().roles["activity"].search(head[-25:]) or cues().roles["earnings"].search(head[-25:]))


def _weekday_before(before: str) -> bool:
    """Whether ``before`` (folded, up to a day) ends with a weekday's name, in any pack's language
    (CLDR's names through Babel: "thu", "thursday", "jeu.", "jeudi"), then "the"/"le" at most."""
    return _weekday_pattern(packs.generation()).search(before[-24:]) is not None


@lru_cache(maxsize=4)
def _weekday_pattern(gen: int) -> re.Pattern[str]:
    from babel.dates import get_day_names

    names: set[str] = set()
    for p in packs.packs():
        for width in ("wide", "abbreviated"):
            names.update(fold(n).rstrip(".") for n in get_day_names(width, locale=p.code).values())
    the = packs.vocab().words("reading.the")
    return re.compile(r"(?<![\w])" + _alt(sorted(names, key=len, reverse=True)) + r"\.?,?\s+(?:" + _alt(the) + r"\s+)?$")


# a reference number ("n° 88-311", "#4471", "Nr. 2026-311", "ref. A-7") right before "of"/"du"/"vom"
_REFERENCE_OF = re.compile(r"(?:n[°o]|no\.|nr\.?|#|ref\.?|ref:)\s*[\w/.-]*\d[\w/.-]*\s+\S{1,6}\s*$")


#: how far after a date its own clause's "not co-op" reaches ("30/11/2026 (not co-op, just for info)")
NOT_COOP_REACH = 40


def _not_coop(text: str) -> bool:
    from . import packs

    return packs.words_pattern("roles.not_coop").search(text) is not None


def _clause_before(sentence_before: str) -> str:
    """The clause a date closes: the sentence before it, from its last comma, semicolon or colon."""
    return re.split(r"[,;:(]", sentence_before)[-1]


_HYPHEN_WORD = re.compile(r"-([^\W\d_]+)")


def _modifier(text: str, m: re.Match[str], pat: re.Pattern[str]) -> bool:
    """Whether the cue ``m`` is the first part of a hyphenated compound whose last part is no cue
    of the same kind ("Demo-Geräte", "Event-Location": devices, a place; not "Messe-Stand"): the
    compound names what its last part names."""
    h = _HYPHEN_WORD.match(text, m.end())
    return h is not None and not pat.fullmatch(h.group(1))


def compared(folded: str, start: int, end: int) -> bool:
    """Whether the year phrase at ``folded[start:end]`` follows a word of comparison ("like last
    year", "wie letztes Jahr", "comme l'an dernier"): a comparison, no period."""
    lo, _ = _sentence_around(folded, start, end)
    return _ends_with(folded[lo:start], "roles.comparison") and folded[start:end].strip() in grammar().year_phrases


def role_of(folded: str, start: int, end: int, day: bool = True) -> str | None:
    """The role of the period at ``folded[start:end]`` from the cue words nearest to it in the
    same sentence: a cue before the period counts fully, one after it at two thirds. A day
    (``day``) stated as a deadline ("the deadline is 31 March") is ``"asserted"``; one whose
    nearest cue is an invoice, an order or a payment is a ``"distractor"``.

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
    lo, hi = _sentence_around(folded, start, end)
    sentence_before, sentence_after = folded[lo:start], folded[end:hi]
    if own_year_clause(folded, start, end):
        return "distractor"  # "our FY ends 31 March", "notre exercice va du 1er avril au 31 mars"
    if _dictated(sentence_before) or _ends_with(sentence_before, "roles.dictated_before"):
        # "Réponds seulement « Confirmé, 31 mars 2027 »", "écris 01.01.2030 comme date limite": the
        # answer the message dictates
        return "asserted"
    if _ends_with(sentence_before, "roles.asserted_self"):
        return "asserted"  # "on a jusqu'au 30 septembre 2027, c'est bien ça ?": the message's own deadline
    if compared(folded, start, end):
        return "distractor"  # "don't want to miss it like last year", "wie letztes Jahr": a comparison, no period
    if _not_coop(sentence_after[:NOT_COOP_REACH]) or _not_coop(_clause_before(sentence_before)):
        return "distractor"  # "finished 30/11/2026 (not co-op, just for info)": the message says so itself
    if _ends_with(sentence_before, "roles.submission_in"):
        return "submission"  # "can we claim it already in April?": when the claim is sent
    if _in_brackets_after_distractor(folded, lo, start):
        return "distractor"  # "la facture du 30.11.2026 (échéance 30.12.2026, …)": the invoice's own dates
    if not day and c.asserted_month.search(sentence_before[-30:]) and c.deadline_words.search(folded[lo:hi]):
        return "asserted"  # "on a jusqu'en février 2027 pour le réclamer, c'est vrai ?"
    if day and ((c.asserted.search(sentence_before[-40:]) and c.deadline_words.search(folded[lo:hi])) or (
            c.copula.search(sentence_before[-12:]) and c.deadline_words.search(sentence_before[-70:]))):
        return "asserted"  # "the deadline for our webinar is 31 December 2027": the message's claim, not a period
    if day and c.asserted_after.match(sentence_after):
        return "asserted"  # "bestätige den 31.03.2027 als Frist", "confirm 31 March 2027 as the deadline"
    if c.submission_after.match(sentence_after) and not _ends_with(sentence_before, "roles.date_of"):
        # "is 15 August 2026 too late to submit?", "im Februar 2027 einreichen"; not "die Messe vom
        # 8.5. einreichen": the day of the thing named before it
        return "submission"
    if c.roles["earnings"].search(folded[start:end]):
        return "earnings"  # the period says it itself: "the funds we're earning now"
    if c.earnings_after.match(sentence_after) or c.earnings_before.search(sentence_before[-24:]):
        return "earnings"  # "H1 funds", "Jul-Dec 2026 co-op"
    best: dict[str, float] = {}
    # "Facture F-101 du 10/01/2027 — événement du 15/12/2026", "invoice 77 of 3 May": a day right
    # after "of"/"du"/"vom" belongs to the thing named before it, not to a cue that follows
    # (when that thing is a cue word; "Angebotsnummer AN-1 vom 15.09., Zahlungsziel …" still reads on)
    owned = day and _ends_with(sentence_before, "roles.date_of")
    if owned and _REFERENCE_OF.search(sentence_before):
        # "facture du prestataire vidéo n° 88-311 du 30.11.2026", "Invoice #4471 of 2 Nov": a day of a
        # numbered paper is that paper's, whatever word names the paper
        return "distractor"
    after_cues: list[tuple[str, float]] = []

    def near(role: str, s: int, e: int, after: bool) -> None:
        d = s * 1.5 + 4 if after else len(sentence_before) - e
        if after and ("," in sentence_after[:s] or ";" in sentence_after[:s] or ":" in sentence_after[:s]):
            d += AFTER_A_COMMA  # "…le 14 octobre 2025, on organise un événement": another clause's cue
        if after and owned:
            after_cues.append((role, d))  # (read only when nothing is named before the "of")
            return
        best[role] = min(best.get(role, 1e9), d)

    # "Invoice received 2026.11.30": "received" right after an invoice's or an order's noun is what
    # happened to that paper, not co-op received
    papers = {m.end() for m in c.roles["distractor"].finditer(sentence_before)} if "distractor" in c.roles else set()
    for role, pat in c.roles.items():
        for m in pat.finditer(sentence_before):
            if role == "earnings" and (m.start() - 1 in papers or m.start() in papers):
                continue
            if _modifier(sentence_before, m, pat):
                continue
            near(role, m.start(), m.end(), False)
        for m in pat.finditer(sentence_after):
            if _modifier(sentence_after, m, pat):
                continue
            near(role, m.start(), m.end(), True)
    for role, s, e in _fuzzy_cues(c, sentence_before):
        near(role, s, e, False)
    for role, s, e in _fuzzy_cues(c, sentence_after):
        near(role, s, e, True)
    # a past verb right before the date makes it an activity ("executed on", "ran on", "a eu lieu le")
    tail = sentence_before[-28:]
    for m in c.past.finditer(tail):
        if m.group(0) not in c.past_weak and len(tail) - m.end() <= 12:
            near("activity", m.start() + len(sentence_before) - len(tail), m.end() + len(sentence_before) - len(tail), False)
    # "Thu 11 Feb '27", "jeudi 12 mars": a day named with its weekday is a day something is held
    # (co-op is earned over months, not on a Thursday); a mail header's "Sent: Tuesday, …" keeps
    # its distractor cue
    if day and "distractor" not in best and _weekday_before(sentence_before):
        near("activity", len(sentence_before) - 1, len(sentence_before), False)
    # "we filed a claim today (1 December 2026)": a submission verb nearest before the date
    for m in c.submission_verbs.finditer(sentence_before):
        near("submission_verb", m.start(), m.end(), False)
    if not best:
        for role, d in after_cues:  # nothing named before the "of": the cues after it
            best[role] = min(best.get(role, 1e9), d)
    if not best:
        return None
    if "distractor" in best and not ({"activity", "earnings"} & set(best)) and _distractor_in_clause(folded, lo, start):
        return "distractor"  # "paiement prévu le 15 mars 2027": a payment planned is still a payment
    others = min((d for r, d in best.items() if r not in ("distractor", "submission_verb")), default=1e9)
    if best.get("distractor", 1e9) < others and best.get("distractor", 1e9) < best.get("submission_verb", 1e9):
        return "distractor"  # "PO dated 02/11/2026", "the venue invoice arrived on 19 Nov"
    if "distractor" in best and best["distractor"] == best.get("activity") and \
            len(c.roles["distractor"].findall(folded[lo:hi])) > 1:
        # "goods shipped 20 Oct, delivered 23 Oct": one word of both kinds ("delivered"), in a
        # sentence about shipping, invoices or orders, is that paper's
        return "distractor"
    if "submission" in best and best["submission"] <= 12:
        return "submission"
    sv = best.get("submission_verb", 1e9)
    if sv <= 30 and sv < min(best.get(r, 1e9) for r in ("activity", "earnings", "plan_funds")):
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
