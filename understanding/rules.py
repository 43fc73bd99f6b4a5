"""Rule questions answered from the co-op page's own statements (issue #17, item 4).

A question about what a rule *means* ("what is a usage period?", "how long do we have to
claim, in general?", "c'est quoi la période de demande ?", "why is the claim window shifted?")
is answered with the statements of the co-op page (and of SPEC's rules) that answer it, cited
by the page's section and linked, with no date of today's status. Retrieval is data, not one
intent per question:

- every language pack may hold ``statements.toml``: the page's statements in its language, each
  with an id shared by every language, the page section it is cited from, the link it cites
  (a key of ``core/policy.toml``'s ``[[links.pages]]``) and keywords that help retrieval; a pack
  without the file, or without one of the statements, takes the English statement (as its
  sentences fall back to English);
- :func:`find` ranks the statements with BM25 (Okapi, k1 = 1.2, b = 0.75) over the stemmed
  words and word pairs of each statement and its keywords, in the question's language, after
  the question's dated periods and amounts are masked (they say which cycle, not which rule);
- :func:`asks_meaning` tells a question about what a rule means from one about the partner's
  own dates, with cue words that are data (``[rules]`` in each pack's ``vocab.toml``);
- :func:`answer_rule` builds the :class:`~understanding.reply.Reply` (sentences from the gettext
  catalogues: ``rule.*``).

Public API: :func:`find`, :func:`asks_meaning`, :func:`answer_rule`, :func:`statements`,
:class:`Hit`, :class:`Statement`.

>>> [h.id for h in find("What is a usage period?", "en")][:1]
['usage_period']
>>> [h.id for h in find("ça veut dire quoi, perte des fonds ?", "fr")][:1]
['forfeiture']
>>> asks_meaning("What is a usage period?", "en"), asks_meaning("c'est quoi la période de demande ?", "fr")
(True, True)
>>> asks_meaning("when must we claim the co-op earned in March 2024?", "en")
False
>>> reply = answer_rule("what does forfeited mean", "en")
>>> reply.intent, reply.timelines, reply.data["statements"][0]
('rule', [], 'forfeiture')
"""
from __future__ import annotations

import math
import re
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from core import fold, link

from . import registry, packs
from .fmt import locale_tag
from .messages import t
from .reply import LinkRef, Reply

STATEMENTS_FILE = "statements.toml"
K1, B = 1.2, 0.75  # BM25's usual constants
# a best statement scoring less answers nothing: the lowest best score of a right answer among
# the tests' paraphrases is 2.5 ("what does FY mean in FY26 H2?"), an off-topic "quel temps
# fait-il ?" scores 2.1 (the "temps" of "combien de temps")
MIN_SCORE = 2.3
KEEP_RATIO = 0.6  # further statements are given when they score at least this share of the best one
MAX_HITS = 3
TEXT_WEIGHT = 1  # what each of the statement's own words counts (2 or 3 ranked the paraphrases worse)
KEYWORD_WEIGHT = 1  # what the keywords' words count (each once), beside the statement's own words

# The spans of a message's dates do not depend on the day they are read on; this day only
# lets the period reader resolve relative words ("last month") while it finds them.
_SPAN_DAY = date(2024, 1, 15)


@dataclass(frozen=True)
class Statement:
    """One statement of the co-op page (or of SPEC's rules), in one language."""

    id: str
    lang: str  # the language ``text`` is written in
    text: str
    section: str  # the section's title, in ``lang``
    link: str  # a key of core/policy.toml's [[links.pages]]
    refs: tuple[str, ...] = ()  # the page's sentence ids ("484a9-129") or "SPEC n"
    keywords: tuple[str, ...] = ()
    # a yes-or-no question that names one of these (folded) is answered "no" ("can unused co-op
    # roll over?") or "yes" by this statement: only where the statement itself says so
    no_to: tuple[str, ...] = ()
    yes_to: tuple[str, ...] = ()


@dataclass(frozen=True)
class Hit:
    """A statement found for a question, with its BM25 score (higher is closer)."""

    id: str
    score: float
    statement: Statement

    @property
    def text(self) -> str:
        return self.statement.text

    @property
    def section(self) -> str:
        return self.statement.section

    @property
    def link(self) -> str:
        return self.statement.link


# ------------------------------------------------------------------------------------------
# the statements, per language


def _read_toml(path: Path) -> dict[str, Any]:
    with open(path, "rb") as fh:
        return tomllib.load(fh)


def _pack_file(code: str) -> Path | None:
    folder = registry.pack_path(code)
    path = folder / STATEMENTS_FILE if folder is not None else None
    return path if path is not None and path.is_file() else None


def _parse(code: str, path: Path, base: dict[str, Statement] | None) -> tuple[dict[str, Statement], str]:
    """The statements of one file (id -> Statement) and the page's title; a field a non-English
    statement leaves out (section, link, ref) is the English statement's."""
    data = _read_toml(path)
    sections = data.get("sections") or {}
    title = str((data.get("page") or {}).get("title", ""))
    out: dict[str, Statement] = {}
    for n, item in enumerate(data.get("statements") or []):
        where = f"{path}: statements[{n}]"
        sid = item.get("id")
        if not isinstance(sid, str) or not sid:
            raise ValueError(f"{where} has no id")
        if sid in out:
            raise ValueError(f"{where}: id '{sid}' twice")
        text = item.get("text")
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"{where} ('{sid}') has no text")
        source = (base or {}).get(sid)
        section_key = item.get("section")
        if section_key is not None and section_key not in sections:
            raise ValueError(f"{where} ('{sid}'): section '{section_key}' is not in [sections]")
        section = str(sections[section_key]) if section_key is not None else (source.section if source else "")
        link_key = item.get("link", source.link if source else None)
        if not isinstance(link_key, str):
            raise ValueError(f"{where} ('{sid}') has no link")
        try:
            link(link_key)
        except KeyError:
            raise ValueError(f"{where} ('{sid}'): link '{link_key}' is not a key of core/policy.toml's [[links.pages]]") from None
        refs = tuple(str(r) for r in item.get("ref", source.refs if source else ()))
        keywords = tuple(str(k) for k in item.get("keywords", ()))
        no_to = tuple(fold(str(k)) for k in item.get("no_to", ()))
        yes_to = tuple(fold(str(k)) for k in item.get("yes_to", ()))
        out[sid] = Statement(sid, code, " ".join(text.split()), section, link_key, refs, keywords, no_to, yes_to)
    return out, title


@lru_cache(maxsize=16)
def _load(code: str, gen: int) -> tuple[tuple[Statement, ...], str]:
    english_path = _pack_file(registry.DEFAULT)
    english, english_title = _parse(registry.DEFAULT, english_path, None) if english_path else ({}, "")
    if code == registry.DEFAULT:
        return tuple(english.values()), english_title
    path = _pack_file(code)
    own, title = _parse(code, path, english) if path else ({}, "")
    merged = [own.get(sid, st) for sid, st in english.items()] + [st for sid, st in own.items() if sid not in english]
    return tuple(merged), title or english_title


def statements(lang: str | None) -> list[Statement]:
    """Every statement in the pack of ``lang`` (English where the pack has none), page order.

    >>> [s.id for s in statements("fr")][:3]
    ['applies_to', 'roles', 'coop_definition']
    >>> statements("fr")[0].lang, statements("it")[0].lang
    ('fr', 'en')
    """
    return list(_load(registry.norm_lang(lang), packs.generation())[0])


def page_title(lang: str | None) -> str:
    """The co-op page's title in ``lang`` (``[page] title`` of its ``statements.toml``)."""
    return _load(registry.norm_lang(lang), packs.generation())[1]


# ------------------------------------------------------------------------------------------
# the words of the [rules] tables


@dataclass(frozen=True)
class _Words:
    stopwords: frozenset[str]
    suffixes: tuple[str, ...]
    joined: tuple[tuple[str, str], ...]  # (written, as one word)


def _rules_table(code: str) -> dict[str, Any]:
    try:
        return packs.pack(code).get("rules") or {}
    except KeyError:  # a pack that only translates sentences has no vocab.toml
        return {}


@lru_cache(maxsize=16)
def _words_at(code: str, gen: int) -> _Words:
    table = _rules_table(code) or _rules_table(registry.DEFAULT)
    joined = tuple(sorted(((fold(w), re.sub(r"[\s-]+", "", fold(w))) for w in table.get("joined", [])),
                          key=lambda p: -len(p[0])))
    suffixes = tuple(sorted((fold(s) for s in table.get("suffixes", [])), key=len, reverse=True))
    return _Words(frozenset(fold(w) for w in table.get("stopwords", [])), suffixes, joined)


def _words(code: str) -> _Words:
    return _words_at(code, packs.generation())


_WORD = re.compile(r"[a-z0-9]+")
_CLAUSE = re.compile(r"[,;:.!?()\[\]\"«»“”]|\s[-–—]\s")
MIN_STEM = 3


def _stem(word: str, suffixes: tuple[str, ...]) -> str:
    for suffix in suffixes:
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_STEM:
            return word[: -len(suffix)]
    return word


def terms(text: str, lang: str) -> list[str]:
    """The retrieval terms of a text: its stemmed words without the stop words and numbers
    (a question's dates are masked, so a statement's example dates would only lengthen it),
    then every pair of neighbours among them inside a clause ("usag period": a pair tells the
    usage period from the claiming period).

    >>> terms("What is a usage period?", "en")
    ['usag', 'period', 'usag period']
    >>> terms("C'est quoi la période d'utilisation ?", "fr")
    ['period', 'utilis', 'period utilis']
    """
    w = _words(registry.norm_lang(lang))
    folded = " " + fold(text) + " "
    for written, one in w.joined:
        if written in folded:
            folded = re.sub(r"(?<![a-z0-9])" + re.escape(written) + r"(?![a-z0-9])", one, folded)
    words: list[str] = []
    pairs: list[str] = []
    for clause in _CLAUSE.split(folded):  # a pair never spans a comma: "FY21 H1, January" is no "h1 januar"
        stems = [_stem(word, w.suffixes) for word in _WORD.findall(clause) if word not in w.stopwords and not word.isdigit()]
        stems = [s for s in stems if s not in w.stopwords]
        words += stems
        pairs += [a + " " + b for a, b in zip(stems, stems[1:])]
    return words + pairs


# ------------------------------------------------------------------------------------------
# BM25 over the statements of one language


@dataclass
class _Index:
    statements: tuple[Statement, ...]
    docs: list[Counter] = field(default_factory=list)
    lengths: list[int] = field(default_factory=list)
    idf: dict[str, float] = field(default_factory=dict)
    avg: float = 1.0


@lru_cache(maxsize=16)
def _index_at(code: str, gen: int) -> _Index:
    sts = _load(code, gen)[0]
    index = _Index(sts)
    df: Counter = Counter()
    for st in sts:
        doc = Counter({term: n * TEXT_WEIGHT for term, n in Counter(terms(st.text, code)).items()})
        for term in {term for kw in st.keywords for term in terms(kw, code)}:
            doc[term] += KEYWORD_WEIGHT  # once however many keywords hold it: a list is no vote
        index.docs.append(doc)
        index.lengths.append(sum(doc.values()))
        df.update(doc.keys())
    n = len(sts)
    index.avg = (sum(index.lengths) / n) if n else 1.0
    index.idf = {term: math.log(1 + (n - k + 0.5) / (k + 0.5)) for term, k in df.items()}
    return index


def _bm25(index: _Index, query: list[str]) -> list[float]:
    q = Counter(query)
    scores = []
    for doc, length in zip(index.docs, index.lengths):
        s = 0.0
        norm = K1 * (1 - B + B * length / index.avg)
        for term, times in q.items():
            tf = doc.get(term)
            if tf:
                s += index.idf[term] * tf * (K1 + 1) / (tf + norm) * times
        scores.append(s)
    return scores


def _slots(text: str, lang: str, today: date | None):
    from .slots import extract

    return extract(text, fold(text), lang=lang, locale=None, today=today or _SPAN_DAY, convention=None)


def _dated(period) -> bool:
    """A period that names a cycle (a year, a day, "FY26 H2", "last month"), not a bare "H1"
    or a month without its year ("is H1 January to June?")."""
    if period.kind == "half":  # "H1", "H2" alone: a name of the page, not a cycle
        return False
    return any(ch.isdigit() for ch in period.text) or period.kind == "relative"


def masked(text: str, lang: str, today: date | None = None) -> str:
    """The text with its dated periods and amounts cut out: they say which cycle is asked
    about, never which rule.

    >>> masked("what does it mean when co-op earned in March 2024 is forfeited?", "en")
    'what does it mean when co-op earned in is forfeited?'
    """
    sl = _slots(text, registry.norm_lang(lang), today)
    spans = [(p.start, p.end) for p in sl.periods if _dated(p)]
    for span in (sl.amount_span, sl.split_span):
        if span:
            spans.append(tuple(span))
    out, last = [], 0
    for start, end in sorted(spans):
        if start < last:
            continue
        out.append(text[last:start])
        last = end
    out.append(text[last:])
    return re.sub(r"\s+", " ", "".join(out)).strip().replace(" ?", "?")


def find(text: str | None, lang: str | None, *, today: date | None = None, k: int = MAX_HITS) -> list[Hit]:
    """The statements that answer ``text`` best, best first: the best one when it scores at
    least :data:`MIN_SCORE`, and up to ``k`` in all that score at least :data:`KEEP_RATIO` of it.

    >>> [h.id for h in find("How long do we have to claim, in general?", "en")][:1]
    ['claiming_period']
    >>> [h.id for h in find("c'est quoi la période de demande ?", "fr")][:1]
    ['claiming_period']
    >>> find("bonjour", "fr")
    []
    """
    if not isinstance(text, str) or not text.strip():
        return []
    code = registry.norm_lang(lang)
    index = _index_at(code, packs.generation())
    if not index.statements:
        return []
    query = terms(masked(text[:2000], code, today), code)
    if not query:
        return []
    scores = _bm25(index, query)
    ranked = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
    best = scores[ranked[0]]
    if best < MIN_SCORE:
        return []
    return [Hit(index.statements[i].id, round(scores[i], 3), index.statements[i])
            for i in ranked[:max(1, k)] if scores[i] >= KEEP_RATIO * best]


# ------------------------------------------------------------------------------------------
# is it a question about what a rule means?


@dataclass(frozen=True)
class _Cues:
    define: re.Pattern[str]
    meaning: re.Pattern[str]
    not_meaning: re.Pattern[str]
    what_is: re.Pattern[str]
    general: re.Pattern[str]
    own: re.Pattern[str]
    now: re.Pattern[str]
    activity: re.Pattern[str]
    acted: re.Pattern[str]
    current: re.Pattern[str]


def _alt(words: list[str]) -> str:
    ws = sorted({fold(w).strip() for w in words if w and w.strip()}, key=len, reverse=True)
    return "(?:" + "|".join(re.escape(w) for w in ws) + ")" if ws else r"(?!x)x"


def _anywhere(words: list[str]) -> re.Pattern[str]:
    return re.compile(r"(?<![\w'])" + _alt(words) + r"(?![\w'])")


@lru_cache(maxsize=4)
def _cues_at(gen: int) -> _Cues:
    """The cue words of every pack together (partners mix languages, as everywhere else)."""
    lists: dict[str, list[str]] = {}
    for p in packs.packs():
        for key, words in (p.get("rules") or {}).items():
            if isinstance(words, list):
                lists.setdefault(key, []).extend(str(w) for w in words)
    get = lambda key: lists.get(key, [])  # noqa: E731
    articles = _alt(get("articles"))
    # "what is (the) usage period?": a term of the page right after, and the question ends there
    what_is = re.compile(r"(?<![\w'])" + _alt(get("what_is")) + r"\s*(?:" + articles + r"\s*)?" + _alt(get("terms"))
                         + r"(?:\s+(?:exactly|actually|really|exactement|au juste))?\s*(?:[?!.,;:]|$)")
    return _Cues(_anywhere(get("define")), _anywhere(get("meaning")), _anywhere(get("not_meaning")), what_is,
                 _anywhere(get("general")), _anywhere(get("own")), _anywhere(get("now")),
                 _anywhere(packs.vocab().words("roles.activity")),
                 _anywhere(packs.vocab().words("roles.plan") + packs.vocab().words("roles.activity_past")),
                 _anywhere(get("current")))


def _cues() -> _Cues:
    return _cues_at(packs.generation())


def _plain(text: str | None) -> str:
    """``text`` folded, its words that only look like a definition's ("je veux dire") taken out."""
    if not isinstance(text, str) or not text.strip():
        return ""
    return _cues().not_meaning.sub(" ", fold(text[:2000]))


def _current(plain: str) -> bool:
    """Whether a question asks about the one that holds today ("en cours", "current", "aktuell")."""
    c = _cues()
    return bool(plain) and bool(c.current.pattern) and c.current.search(plain) is not None


def asks_current(text: str | None) -> bool:
    """Whether ``text`` asks about the one that holds today ("la période de demande en cours",
    "the current claiming period"): today's status answers it."""
    return _current(_plain(text))


def asks_meaning(text: str | None, lang: str | None = None, *, today: date | None = None) -> bool:
    """Whether ``text`` asks what a rule means (its answer is the page's statements) rather
    than about the partner's own dates (its answer is a cycle). The cue words are the
    ``[rules]`` tables of every pack's ``vocab.toml`` together:

    - never when the message names a dated period ("March 2024", "FY26 H2", "03/10/2022"), an
      amount, or a program ("does OSU M365 earn co-op?" has its own answer);
    - yes when it asks what a word means ("mean", "stand for", "c'est quoi", "veut dire":
      ``define``), even beside a relative period ("roll over into the next half");
    - in a message without any period: yes when it asks what a rule says ("explain", "in
      general", "why", "en général", "pourquoi": ``meaning``), or "what is (the) <a term of
      the page>?" (``what_is`` + ``terms``), or a general question about co-op itself ("do
      unused funds roll over?": ``general``), these two unless it says "my"/"our" (``own``),
      "still"/"now" (``now``) or names an activity that was or will be held ("event planned
      on …": ``[roles] activity`` with ``plan`` or ``activity_past``).

    >>> asks_meaning("why is the claim window shifted?"), asks_meaning("what is the usage period?")
    (True, True)
    >>> asks_meaning("what is the deadline for our H1 funds?"), asks_meaning("what does FY26 H2 mean?")
    (False, False)
    >>> asks_meaning("Do unused co-op funds roll over?"), asks_meaning("is H1 still open?")
    (True, False)
    >>> asks_meaning("Qu'est-ce qu'une période de demande ?"), asks_meaning("Qu'est-ce que je peux réclamer ?")
    (True, False)
    """
    if not isinstance(text, str) or not text.strip():
        return False
    text = text[:2000]
    folded = fold(text)
    code = registry.norm_lang(lang)
    sl = _slots(text, code, today)
    dated = [p for p in sl.periods if _dated(p)]
    if sl.period_error is not None or sl.amount is not None or sl.split or any(p.kind != "relative" for p in dated):
        return False
    if sl.programs:  # "does OSU M365 earn co-op?": that program's own answer (answers.answer_program)
        return False
    c = _cues()
    plain = c.not_meaning.sub(" ", folded)
    if _current(plain):
        return False  # "c'est quoi la période de demande en cours ?": the one open today, not the word
    if c.define.search(plain):
        return True
    if dated:  # "last month", "next half": a question about a cycle unless it asks what a word means
        return False
    if c.meaning.search(plain):
        return True
    if c.own.search(plain) or (c.activity.search(plain) and c.acted.search(plain)):
        return False
    return bool(c.what_is.search(plain)) or (bool(c.general.search(plain)) and not c.now.search(plain))


def asks_definition(text: str | None) -> bool:
    """Whether ``text`` asks what a word means ("c'est quoi « PoE » ?", "what does PoE stand
    for?": the packs' ``[rules] define`` cues), with no dated period of its own: even in a
    conversation about a date, that is a question about the word."""
    plain = _plain(text)
    return bool(plain) and bool(_cues().define.search(plain))


# ------------------------------------------------------------------------------------------
# the reply


def _statement_verdict(text: str | None, code: str, hits: list[Hit]) -> str | None:
    """"Can unused co-op roll over?": "No." first, when a found statement says so (its
    ``no_to``/``yes_to`` phrases) and the question asks yes or no."""
    if not text or not hits:
        return None
    from .yesno import asks_yes_no

    folded = fold(text)
    if not asks_yes_no(folded, intonation=True):
        return None
    for h in hits:
        if any(_phrase(folded, w) for w in h.statement.no_to):
            return t(code, "rule.verdict_no")
        if any(_phrase(folded, w) for w in h.statement.yes_to):
            return t(code, "rule.verdict_yes")
    return None


def _phrase(folded: str, phrase: str) -> bool:
    return re.search(r"(?<![\w])" + re.escape(phrase) + r"(?![\w])", folded) is not None


def answer_rule(text: str | None, lang: str | None, *, hits: list[Hit] | None = None, locale: str | None = None,
                today: date | None = None, verdict: str | None = None) -> Reply:
    """The answer to a question about what a rule means: the statements found for it (or
    ``hits``, already found), each cited by its section of the co-op page, then the pages they
    link; no timeline and no date of today's status. With nothing found, it says so and what
    can be asked. A ``verdict`` ("No: H1 is July – December.") comes first.

    >>> r = answer_rule("c'est quoi la période d'utilisation ?", "fr")
    >>> r.lang, r.data["statements"][0], r.links[0].key
    ('fr', 'usage_period', 'guidebook')
    >>> print(answer_rule("what is the split?", "en").text.splitlines()[1])
    - Microsoft calculates eligible incentive earnings using a split percentage, for example 60% rebate and 40% co-op. (section “How co-op funds are calculated”)
    """
    code = registry.norm_lang(lang)
    if hits is None:
        hits = find(text, code, today=today)
    suggestions = [t(code, "suggest.h1"), t(code, "suggest.status"), t(code, "suggest.poe")]
    data: dict[str, Any] = {"intent": "rule", "lang": code, "locale": locale_tag(locale, code),
                            "statements": [h.id for h in hits], "scores": [h.score for h in hits]}
    if not hits:
        return Reply(lang=code, intent="rule", text=t(code, "rule.not_found"), title=t(code, "title.rule"),
                     suggestions=suggestions, data=data)
    verdict = verdict or _statement_verdict(text, code, hits)
    lines = ([verdict] if verdict else []) + [t(code, "rule.intro", page=page_title(code))]
    lines += [t(code, "rule.statement", text=h.text, section=h.section) for h in hits]
    links: list[LinkRef] = []
    for key in dict.fromkeys(h.link for h in hits):
        ln = link(key)
        ref = LinkRef(t(code, "policy.link." + key), ln.url, key)
        links.append(ref)
        lines.append(t(code, "rule.link", title=ref.title, url=ref.url))
    return Reply(lang=code, intent="rule", text="\n".join(lines), title=t(code, "title.rule"), links=links,
                 suggestions=suggestions, data=data)
