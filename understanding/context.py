"""What a conversation remembers between turns, and the follow-up rules that read it.

Every reply carries a :class:`ConversationContext` (as a JSON-safe dict, ``Reply.context``,
which the bot keeps in conversation state); the next turn is understood with it. The follow-up
rules live here, in one place, each named and tried in order by :func:`follow_up`:

``choice``
    an answer to a clarifying question: "the first one", "2", "September 4", "la deuxième";
``pick``
    one item of the list the last message named, by its place: "and the second event?", "et la
    deuxième ?", "und die erste?" (the items are remembered in ``items``);
``shift``
    the last question again for the next or previous month or half: "what about the one after?",
    "et le suivant ?";
``language``
    the last question again in another language: "en français svp", "can you say that in
    English for my manager?";
``correction``
    the last question again with what the message corrects: a year ("sorry, 2025 not 2026",
    "oups, je voulais dire 2027"), a day ("no wait, the 21st"), a whole date or period ("oublie
    ça, c'était en avril 2026"), or the role of its date ("I meant the event happened then").

A rule returns a :class:`Rewrite` (the text to understand, and what to force: the language,
the role of its date) or ``None``. Everything else a follow-up carries ("and for May 2024?",
"and on 30,000?", "how long do I keep the proof for it?") is read by the engine from the fields.

>>> ctx = ConversationContext.from_dict({"intent": "claim_deadline", "lang": "en",
...     "question": "when do we claim our webinar of 12 March 2026?", "period_text": "12 March 2026"})
>>> follow_up("sorry, 2027 not 2026", ctx).text
'when do we claim our webinar of 12 March 2027?'
>>> r = follow_up("et en français ?", ctx); (r.text, r.lang)
('when do we claim our webinar of 12 March 2026?', 'fr')
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any, Callable

from core import CoopError, fold

from . import packs, registry

#: the roles a date keeps across turns (frames.ROLES without the cue-only ones)
DATE_ROLES = ("earnings", "activity", "plan", "submission")


@dataclass
class ConversationContext:
    """The last answer's facts the next turn may build on (all optional, JSON-safe)."""

    intent: str | None = None  # what was asked last
    lang: str | None = None  # the language the conversation is in
    question: str | None = None  # the last question as understood (one question, the thread cleaned)
    period_text: str | None = None  # the partner's words for the period it was about
    period_role: str | None = None  # earnings | activity | plan | submission
    pending: str | None = None  # "clarify" (choices asked) | "split" (a number asked)
    choices: list[str] = field(default_factory=list)
    choice_dates: list[str] = field(default_factory=list)  # ISO start of each choice
    deadlines: list[str] = field(default_factory=list)  # ISO days the last answer gave as deadlines
    items: list[str] = field(default_factory=list)  # the partner's words for each item the last message listed
    split: list[str] | None = None  # [rebate %, co-op %]
    amount: str | None = None
    currency: str | None = None
    amount_role: str | None = None  # which part the amount named: "total" | "coop" | "rebate"
    extra: dict[str, Any] = field(default_factory=dict)  # keys of other layers (a dialog's "awaiting")

    @classmethod
    def from_dict(cls, data: Any) -> "ConversationContext":
        """From stored state; keys of wrong type are dropped, unknown ones kept in ``extra``
        (state written by an older or newer version never breaks a turn)."""
        if isinstance(data, ConversationContext):
            return data
        if not isinstance(data, dict):
            return cls()
        out = cls()
        known = _KNOWN
        for key, value in data.items():
            if key not in known:
                if isinstance(key, str):
                    out.extra[key] = value
                continue
            if key in ("choices", "choice_dates", "deadlines", "items"):
                if isinstance(value, list) and all(isinstance(v, str) for v in value):
                    setattr(out, key, list(value))
            elif key == "split":
                if isinstance(value, (list, tuple)) and len(value) == 2:
                    out.split = [str(v) for v in value]
            elif isinstance(value, str):
                setattr(out, key, value)
            elif key == "amount" and isinstance(value, (int, float)) and not isinstance(value, bool):
                out.amount = str(value)
        if out.period_role not in DATE_ROLES:
            out.period_role = None
        return out

    def to_dict(self) -> dict[str, Any]:
        """The JSON-safe dict kept in conversation state: only what is set."""
        out = {}
        for f in _FIELDS:
            value = getattr(self, f)
            if value not in (None, [], {}):
                out[f] = list(value) if isinstance(value, list) else value
        out.update({k: v for k, v in self.extra.items() if k not in out})
        return out

    def get(self, key: str, default: Any = None) -> Any:
        """Dict-style reading, for callers that still hold the context as a mapping."""
        value = getattr(self, key, None) if key in _KNOWN else self.extra.get(key)
        return default if value in (None, [], {}) else value


_FIELDS = tuple(f.name for f in fields(ConversationContext) if f.name != "extra")
_KNOWN = frozenset(_FIELDS)


@dataclass(frozen=True)
class Rewrite:
    """What a follow-up rule makes of a message: the text to understand instead, and what it
    fixes (the answer's language, the role of the date)."""

    rule: str
    text: str
    lang: str | None = None
    role: str | None = None


# ------------------------------------------------------------------------------------------
# the rules


def _has(folded: str, *keys: str) -> bool:
    """Whether ``folded`` holds a word of the packs' lists ``keys`` (whole words)."""
    return packs.words_pattern(*keys).search(folded) is not None


def rule_choice(text: str, ctx: ConversationContext, today: date | None = None) -> Rewrite | None:
    """The choice a reply like "the first one" / "la deuxième" / "2" / "September 4" picks from a
    clarifying question ("April 9, 2025 or September 4, 2025?")."""
    choices = ctx.choices
    if ctx.pending != "clarify" or not choices or len(text) > 60:
        return None
    dates = ctx.choice_dates
    if len(dates) == len(choices) and today is not None:
        from .reading import find_periods

        try:
            said = [r.primary for r in find_periods(text, today=today) if r.primary is not None]
        except CoopError:
            said = []
        for interp in said:
            if interp.reading == "most_recent" or interp.day is None:  # a day or month without its year
                picked = [ch for ch, iso in zip(choices, dates) if iso[5:7] == f"{interp.start.month:02d}"
                          and (interp.day is None or iso[8:10] == f"{interp.day.day:02d}")]
                if len(picked) == 1:
                    return Rewrite("choice", picked[0])
    words = set(re.findall(r"[\w']+", fold(text)))
    for n, ordinals in packs.vocab().ordinals.items():
        if n <= len(choices) and (words & set(ordinals) or fold(text).strip(" .!?#") == str(n)):
            return Rewrite("choice", choices[n - 1])
    return None


def _asks_reminder(folded: str) -> bool:
    """Whether a message asks for a reminder or a calendar entry in its own words."""
    return packs.stems_pattern("actions.subscribe", "actions.calendar").search(folded) is not None


def rule_shift(text: str, ctx: ConversationContext, today: date | None = None, convention: str | None = None,
               continuable: frozenset[str] = frozenset()) -> Rewrite | None:
    """"what about the one after?" / "et le suivant ?" / "le mois d'après": the last question
    again, for the next (or previous) month or half, written as months ("2027-01 - 2027-06")."""
    if not ctx.period_text or len(text) > 80 or ctx.intent not in continuable:
        return None
    folded = fold(text)
    step = 1 if _has(folded, "followup.next") else -1 if _has(folded, "followup.previous") else 0
    if not step or _asks_reminder(folded):
        return None  # ("remind me a week before that": a request, not the period before)
    from .reading import find_periods

    try:
        if any(r.kind != "relative" for r in find_periods(text, today=today)):
            return None  # ("und das davor, am 20.11.2026?": the day it names, not the month before)
    except CoopError:
        return None
    from core import calendar
    from core.periods import month_of

    from .slots import extract

    try:
        readings = extract(ctx.period_text[:200], fold(ctx.period_text[:200]), lang=registry.DEFAULT, locale=None, today=today,
                           convention=convention).periods
    except CoopError:
        return None
    if not readings or readings[0].primary is None:
        return None
    interp = readings[0].primary
    if interp.months.last == interp.months.first:  # a month (or a day): the month after
        first = last = interp.months.first + step
    else:  # a half, a quarter...: the half after the first half it touches
        half = calendar().next_half(interp.halves[0], step)
        first, last = half.first, half.last
    (y1, m1), (y2, m2) = month_of(first), month_of(last)
    return Rewrite("shift", f"{y1}-{m1:02d}" if first == last else f"{y1}-{m1:02d} - {y2}-{m2:02d}")


def rule_language(text: str, ctx: ConversationContext, **_: Any) -> Rewrite | None:
    """"en français svp", "can you say that in English for my manager?": the last question
    again, answered in that language (``followup.in_language.<code>`` in the packs)."""
    if not ctx.question or len(text) > 120:
        return None
    folded = fold(text)
    for code in packs.available():
        said = [m.group(0) for m in packs.words_pattern(f"followup.in_language.{code}").finditer(folded)]
        # the language named, and a request to say it again ("redire", "translate") or a phrase of
        # its own ("en français", "in English")
        if said and (_has(folded, "followup.say_again") or any(" " in w for w in said)):
            question = ctx.question
            if ctx.period_text and ctx.period_text not in question:
                # the question was one sentence of a message whose date was in another ("Our
                # roadshow is on 20 April 2027. Until when can we claim?"): that date, with its role
                question = f"{ctx.period_text}: {question}"
            return Rewrite("language", question, lang=code, role=ctx.period_role)
    return None


CORRECTION_WORDS = 14  # a correction is short; a longer message is a question of its own
CORRECTION_CUE_WITHIN = 40  # ... and says it corrects near its start
_YEAR = re.compile(r"(?<![\w/.-])((?:19|20|21)\d{2})(?![\w/.-]|\.\d)")


def rule_correction(text: str, ctx: ConversationContext, today: date | None = None, **_: Any) -> Rewrite | None:
    """The last question again, with what the message corrects (see the module's docstring).

    The correction is the message's first sentence ("oups, je voulais dire 2027 !! c'est
    l'édition de l'an prochain…"); a question asked after it ("ah non c'est le 2 juillet. ça
    change quoi ? c'est payé avec quels fonds ?") is asked again of the corrected question. A
    date said after "not" / "pas" / "instead of" is the wrong one being replaced; of the others
    the narrowest is the correction (a day over the "next year" it falls in). A numeric date the
    message leaves ambiguous ("07/01/2027") is read in the order the corrected date was written
    ("06/30/2027": month first)."""
    if not ctx.question or not ctx.period_text:
        return None
    head, rest = _first_sentence(text)
    if rest.strip() and not re.search(r"\d", head) and _role_said(fold(head)) is None:
        head, rest = text, ""  # "ugh wrong ticket, sorry. it's the trade show in June…": the whole message
    if len(head.split()) > CORRECTION_WORDS:
        return None
    folded = fold(head)
    if not _has(folded[:CORRECTION_CUE_WITHIN], "reading.corrections", "followup.corrections"):
        return None  # a correction says so first ("sorry, …", "oups, je voulais dire …", "no wait, …")
    question, period = ctx.question, ctx.period_text
    asked = f" {rest.strip()}" if "?" in rest else ""  # a question after the correction, asked of it
    # the role said now, else the one the corrected date had ("the roadshow was on 22 Sept 2026" …
    # "sorry, 2025": still the roadshow's day)
    role = _role_said(folded) or (ctx.period_role if ctx.period_role in ("activity", "earnings", "plan") else None)
    years = [m for m in _YEAR.finditer(head) if not _negated(fold(head[:m.start()]))]
    said, ambiguous = _periods_said(head, period, today)
    # ("2025 not 2026!! the Leeds stop was on last year's tour": the year said is the correction,
    # "last year's" only agrees with it)
    whole = [r for r in said if not (r.kind == "year" or _YEAR.fullmatch(r.text.strip()) or (years and r.kind == "relative"))]
    if whole:  # "oublie ça, c'était en avril 2026", "no wait, the 21st of March"
        best = min(whole, key=_breadth)
        new = best.text.strip()
        if best.primary.day is not None and (best.primary.reading == "most_recent" or best.text in ambiguous):
            # "c'est le 2 juillet" after "le 28/06/2027": the corrected date's year; "07/01/2027"
            # read in its order: said as the day it is, so the question cannot be read otherwise
            year = _year_of(period, today)
            day = best.primary.day
            if best.primary.reading == "most_recent" and year is not None:
                try:
                    day = day.replace(year=year)
                except ValueError:
                    return None
            new = day.isoformat()
        if re.fullmatch(r"(?:the\s+|le\s+)?\d{1,2}(?:st|nd|rd|th|er)?", fold(new)) is None:
            return Rewrite("correction", _with_period(question, period, new) + asked, role=role)
    day = re.search(r"(?<![\w/.])(?:the\s+|le\s+)?(\d{1,2})(?:st|nd|rd|th|er)?(?![\w/.:])", folded)
    if years:  # "sorry, 2025 not 2026": the first year said is the right one
        old_years = re.findall(r"(?<!\d)((?:19|20|21)\d{2})(?!\d)", period)  # also "22/03/2027"
        year = years[0].group(1)
        new_period = period.replace(old_years[-1], year) if old_years else f"{period} {year}"
        return Rewrite("correction", _with_period(question, period, new_period) + asked, role=role)
    if day and ctx.period_text:  # "no wait, the 21st": the day changes, the month and year stay
        new_period = re.sub(r"(?<!\d)\d{1,2}(?=(?:st|nd|rd|th|er)?\b(?![/.:-]\d))", day.group(1), period, count=1)
        if new_period != period:
            return Rewrite("correction", _with_period(question, period, new_period) + asked, role=role)
    if role:  # "I meant the event happened then": the same words, the date read as that role
        return Rewrite("correction", question + asked, role=role)
    return None


def _first_sentence(text: str) -> tuple[str, str]:
    """(the first sentence, the rest), by the segmenter's sentences (a date's dots, "e.g." or
    "Feb. '27" end no sentence)."""
    from .frames import _sentences

    for start, piece in _sentences(text):
        if piece.strip():
            end = start + len(piece)
            return text[:end], text[end:]
    return text, ""


def _negated(folded_before: str) -> bool:
    """Whether the words right before a date deny it ("not 2026", "pas le 28 juin", "au lieu du
    …"): they end with a phrase of the packs' ``followup.not_before``."""
    from .frames import _ends_with

    return _ends_with(folded_before, "followup.not_before")


def _breadth(r: Any) -> int:
    """How wide a period said is, in days (a day is narrower than the month or year it is in)."""
    p = r.primary
    return (p.end - p.start).days if p is not None else 10**6


def _numeric_order(period: str) -> str | None:
    """A locale of the order a numeric date was written in when its numbers settle it
    ("06/30/2027": month first; "30/06/2027" or "30.06.2027": day first): the registry's
    :func:`~understanding.registry.order_locale`."""
    m = re.search(r"(?<!\d)(\d{1,2})[/.-](\d{1,2})[/.-](?:\d{2}|\d{4})(?!\d)", period)
    if not m:
        return None
    a, b = int(m.group(1)), int(m.group(2))
    if b > 12 >= a:
        return registry.order_locale("mdy")
    if a > 12 >= b or "." in m.group(0):
        return registry.order_locale("dmy")
    return None


def _year_of(period: str, today: date | None) -> int | None:
    """The year of the corrected period ("28/06/2027", "14 octobre 2026"), when it has one."""
    from .reading import find_periods

    try:
        found = find_periods(period, today=today, locale=_numeric_order(period))
    except CoopError:
        return None
    if not found:
        return None
    first = found[0]
    if first.primary is None:  # "03/04/2027" read in no order: its year is the same either way
        years = {a.start.year for a in first.alternatives}
        return years.pop() if len(years) == 1 else None
    if first.primary.reading == "most_recent":
        return None
    return first.primary.start.year


def _periods_said(head: str, period: str, today: date | None) -> tuple[list[Any], set[str]]:
    """The periods a correction says, without those it denies, and the words of those it left
    ambiguous alone ("07/01/2027"), read in the corrected date's order."""
    from .reading import find_periods

    try:
        found = find_periods(head, today=today)
        ambiguous = {r.text for r in found if r.primary is None}
        if ambiguous and (order := _numeric_order(period)):
            found = find_periods(head, today=today, locale=order)
    except CoopError:
        return [], set()
    folded = fold(head)
    out = []
    for r in found:
        if r.primary is None:
            continue
        at = folded.find(fold(r.text))
        if at >= 0 and _negated(folded[:at]):
            continue
        out.append(r)
    return out, ambiguous


def _with_period(question: str, period: str, new_period: str) -> str:
    """The question with its period corrected; a question remembered without its period (the
    date was in a sentence before it) gets the corrected period said before it, in the same
    sentence ("08.07.2027: Bis wann müssen wir die einreichen?"; after its question mark it was
    a sentence of its own)."""
    return question.replace(period, new_period, 1) if period in question else f"{new_period}: {question}"


def _role_said(folded: str) -> str | None:
    """The role a correction gives the date ("the event happened then" → activity)."""
    for role in ("activity", "earnings"):
        if _has(folded, f"followup.role_{role}"):
            return role
    return None


#: the follow-up rules, in the order they are tried
#: the longest message read as a pointer to an item of the last one ("and the second event?")
MAX_PICK = 80


def ordinal_said(folded: str, exclude: list[tuple[int, int]] = ()) -> int | None:
    """The one ordinal ``folded`` says ("the second one", "la deuxième", "die zweite"), None when
    none or several; an ordinal inside ``exclude`` (a date's span) or before a half or a quarter
    word ("second half", "1er trimestre") is none."""
    v = packs.vocab()
    parts = [w for w in v.words("reading.half_words") + v.words("reading.quarter_words") if w]
    after = re.compile(r"\s*(?:" + "|".join(re.escape(w) for w in parts) + r")(?![\w])") if parts else None
    said = set()
    for n, words in v.ordinals.items():
        for w in words:
            for m in re.finditer(r"(?<![\w.])" + re.escape(w) + r"(?![\w])", folded):
                if any(a <= m.start() < b for a, b in exclude) or (after and after.match(folded, m.end())):
                    continue
                said.add(n)
    return said.pop() if len(said) == 1 else None


def rule_pick(text: str, ctx: ConversationContext, today: date | None = None, **_: Any) -> Rewrite | None:
    """"what about the second event?" after a message that listed several: that item, asked the
    way the last question was."""
    if not ctx.items or len(text) > MAX_PICK or ctx.pending == "clarify":
        return None
    from .reading import find_periods

    folded = fold(text)
    try:
        spans = [(r.start, r.end) for r in find_periods(text, today=today)]
    except CoopError:
        return None
    if spans:
        return None  # a date of its own: not a pointer to an item
    n = ordinal_said(folded)
    if n is None or n > len(ctx.items):
        return None
    return Rewrite("pick", ctx.items[n - 1], role=ctx.period_role)


RULES: tuple[tuple[str, Callable[..., Rewrite | None]], ...] = (
    ("choice", rule_choice),
    ("pick", rule_pick),
    ("language", rule_language),
    ("correction", rule_correction),
    ("shift", rule_shift),
)


def follow_up(text: str, ctx: ConversationContext, today: date | None = None, convention: str | None = None,
              continuable: frozenset[str] = frozenset()) -> Rewrite | None:
    """The first rule that applies to ``text`` after the turn ``ctx`` remembers, or None."""
    if not isinstance(text, str) or not text.strip():
        return None
    for name, rule in RULES:
        if name == "choice":
            out = rule(text, ctx, today)
        elif name == "shift":
            out = rule(text, ctx, today, convention, continuable)
        else:
            out = rule(text, ctx, today=today)
        if out is not None:
            return out
    return None
