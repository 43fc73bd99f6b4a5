"""The planner's commands (issue #20) read from a message: typed, checked, JSON-safe.

The classifier says *which* command a message is (the ``plan_*`` intents, learned from the
packs' ``intents/plan_*.txt`` like every other intent, and acted on only when the message says
it in one of its own words, ``actions.plan_*`` in each ``vocab.toml``); this module reads the
command's pieces from the slots the engine already found, with the same readers as every
question (:mod:`understanding.slots`: dates and runs of days in every format partners type,
amounts and currencies, programs):

    >>> from datetime import date
    >>> from understanding.engine import prepare
    >>> p = prepare("add activity: trade show 3–5 June 2027, 8 000 €", locale="en-US", today=date(2026, 12, 8))
    >>> parse("track", p.text, p.slots, today=date(2026, 12, 8))
    Track(name='trade show', start=datetime.date(2027, 6, 3), end=datetime.date(2027, 6, 5), cost=Decimal('8000'), currency='EUR', program=None)

The activity's name is what the message says besides the command's words, the dates, the
amount and a program clause (``[planner]`` in each ``vocab.toml``: the words at a name's edges
that are not part of it). A day named without a year is the nearest such day: to the asker's
today for a new activity, to the activity's own date for a move (:meth:`Edit.resolved`).

Nothing here stores anything or knows whose plan it is: the bot hands a command to the plan
store (``planner``) through the dialogs' seam.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar, Mapping

from core.periods import month_index
from core.reading import PeriodReading, fold

from . import packs

__all__ = ["PLAN_INTENTS", "Command", "Track", "ListActivities", "MarkClaimed", "Remove", "Edit",
           "SetBudget", "Export", "parse", "from_dict", "nearest_day", "MAX_NAME"]

#: intent -> command kind
PLAN_INTENTS = {"plan_track": "track", "plan_list": "list", "plan_claimed": "claimed",
                "plan_remove": "remove", "plan_edit": "edit", "plan_budget": "budget",
                "plan_export": "export"}
MAX_NAME = 80  # characters of an activity's name
MAX_AMOUNT = Decimal("1000000000")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


def _iso(value: Any) -> date | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise ValueError("a date must be an ISO string")
    return date.fromisoformat(value)


def _amount(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float, Decimal)):
        raise ValueError("an amount must be a number")
    try:
        out = Decimal(str(value))
    except InvalidOperation:
        raise ValueError("an amount must be a number") from None
    if not out.is_finite() or out < 0 or out > MAX_AMOUNT:
        raise ValueError("an amount must be between 0 and 1 000 000 000")
    return out


def _text(value: Any, limit: int = MAX_NAME) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError("a name must be a string")
    return " ".join(value.split())[:limit]


def _currency_code(value: Any) -> str | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str) or not _CURRENCY.match(value.upper()):
        raise ValueError("a currency is a three-letter ISO code")
    return value.upper()


@dataclass(frozen=True)
class Command:
    """A planner command. ``kind`` names it; :meth:`missing` says what it still lacks."""

    kind: ClassVar[str] = ""

    def missing(self) -> tuple[str, ...]:
        return ()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, date):
                value = value.isoformat()
            elif isinstance(value, Decimal):
                value = str(value)
            out[f.name] = value
        return out


@dataclass(frozen=True)
class Track(Command):
    """"track our webinar on 12 March 2027": a new activity (a day, or a run of days)."""

    kind: ClassVar[str] = "track"
    name: str = ""
    start: date | None = None
    end: date | None = None
    cost: Decimal | None = None
    currency: str | None = None
    program: str | None = None  # a program key of core/policy.toml

    def missing(self) -> tuple[str, ...]:
        return tuple(m for m, ok in (("name", bool(self.name)), ("date", self.start is not None)) if not ok)


@dataclass(frozen=True)
class ListActivities(Command):
    """"my activities" / "mes activités"."""

    kind: ClassVar[str] = "list"


@dataclass(frozen=True)
class MarkClaimed(Command):
    """"we claimed the webinar"."""

    kind: ClassVar[str] = "claimed"
    name: str = ""

    def missing(self) -> tuple[str, ...]:
        return () if self.name else ("name",)


@dataclass(frozen=True)
class Remove(Command):
    """"remove the trade show"."""

    kind: ClassVar[str] = "remove"
    name: str = ""

    def missing(self) -> tuple[str, ...]:
        return () if self.name else ("name",)


@dataclass(frozen=True)
class Edit(Command):
    """"move the webinar to 14 March", "the trade show now costs 9 000 €". ``year_given``
    False: the new day was named without a year (:meth:`resolved` puts it in the year nearest
    the activity's own date)."""

    kind: ClassVar[str] = "edit"
    name: str = ""
    start: date | None = None
    end: date | None = None
    cost: Decimal | None = None
    currency: str | None = None
    year_given: bool = True

    def missing(self) -> tuple[str, ...]:
        if not self.name:
            return ("name",)
        return () if self.start is not None or self.cost is not None else ("change",)

    def resolved(self, anchor: date) -> "Edit":
        """The edit with a yearless day moved to the year nearest ``anchor`` (the activity's
        date: "move the webinar of 12 March 2027 to 14 March" means 14 March 2027).

        >>> Edit("webinar", date(2026, 3, 14), date(2026, 3, 14), year_given=False).resolved(date(2027, 3, 12)).start
        datetime.date(2027, 3, 14)
        """
        if self.year_given or self.start is None or self.end is None:
            return self
        start = nearest_day(self.start, anchor)
        return replace(self, start=start, end=start + (self.end - self.start), year_given=True)


@dataclass(frozen=True)
class SetBudget(Command):
    """"we have 20 000 $ of co-op from H2 2026": what an earning half gives to spend
    (``earning_start``: its first day, 1 January or 1 July)."""

    kind: ClassVar[str] = "budget"
    amount: Decimal | None = None
    currency: str | None = None
    earning_start: date | None = None

    def missing(self) -> tuple[str, ...]:
        return tuple(m for m, ok in (("amount", self.amount is not None),
                                     ("period", self.earning_start is not None)) if not ok)


@dataclass(frozen=True)
class Export(Command):
    """"export my activities": the plan as a CSV."""

    kind: ClassVar[str] = "export"


_KINDS: dict[str, type[Command]] = {c.kind: c for c in (Track, ListActivities, MarkClaimed, Remove, Edit,
                                                         SetBudget, Export)}


def from_dict(data: Mapping[str, Any]) -> Command:
    """The command :meth:`Command.to_dict` wrote (a card's button or form sends the same
    shape); ValueError when it is not one.

    >>> from_dict(Track("webinar", date(2027, 3, 12), date(2027, 3, 12)).to_dict()).start
    datetime.date(2027, 3, 12)
    >>> from_dict({"kind": "track", "start": "2027-02-30"})
    Traceback (most recent call last):
    ...
    ValueError: day is out of range for month
    """
    if not isinstance(data, Mapping) or data.get("kind") not in _KINDS:
        raise ValueError("not a planner command")
    cls = _KINDS[data["kind"]]
    values: dict[str, Any] = {}
    for f in fields(cls):
        raw = data.get(f.name)
        if f.name in ("start", "end", "earning_start"):
            values[f.name] = _iso(raw)
        elif f.name in ("cost", "amount"):
            values[f.name] = _amount(raw)
        elif f.name == "currency":
            values[f.name] = _currency_code(raw)
        elif f.name == "year_given":
            values[f.name] = raw is not False
        elif f.name == "program":
            values[f.name] = _text(raw, 40) or None
        else:
            values[f.name] = _text(raw)
    start, end = values.get("start"), values.get("end")
    if start is not None and end is None:
        values["end"] = start
    elif end is not None and start is None:
        values["start"] = end
    if values.get("start") is not None and values["end"] < values["start"]:
        raise ValueError("an activity cannot end before it starts")
    if values.get("earning_start") is not None and (values["earning_start"].day != 1
                                                   or values["earning_start"].month not in (1, 7)):
        raise ValueError("an earning period starts on 1 January or 1 July")
    return cls(**values)


# --------------------------------------------------------------------------- reading a message


def nearest_day(day: date, anchor: date) -> date:
    """``day``'s month and day in the year that puts it nearest ``anchor``.

    >>> nearest_day(date(2026, 3, 12), date(2026, 12, 8))
    datetime.date(2027, 3, 12)
    >>> nearest_day(date(2026, 9, 1), date(2026, 12, 8))
    datetime.date(2026, 9, 1)
    """
    best = day
    for year in (anchor.year - 1, anchor.year, anchor.year + 1):
        try:
            cand = day.replace(year=year)
        except ValueError:  # 29 February
            continue
        if abs((cand - anchor).days) < abs((best - anchor).days):
            best = cand
    return best


def _yearless(p: PeriodReading) -> bool:
    return p.primary is not None and p.primary.reading == "most_recent"


def _between(text: str, a: PeriodReading, b: PeriodReading) -> str:
    start = (a.matched or (a.start, a.end))[1]
    end = (b.matched or (b.start, b.end))[0]
    return fold(text[start:end]).strip() if end >= start else "?"


def _joins_range(gap: str) -> bool:
    """Whether the words between two days make them one run ("June 28 - July 3", "du 3 au 5")."""
    if gap in ("-", "–", "/"):
        return True
    seps = packs.vocab().words("reading.range_sep")
    return gap.strip(" ,") in seps


def _days(text: str, periods: list[PeriodReading], today: date | None,
          *, month_ok: bool) -> tuple[date | None, date | None, bool, list[PeriodReading]]:
    """(first day, last day, whether a year was given, the readings used) of the activity's
    date: a day, a run of days, two days joined by a range word, or (``month_ok``) one month."""
    dated = [p for p in periods if p.primary is not None]
    for i, p in enumerate(dated):
        if p.days is not None:
            return p.days[0], p.days[1], True, [p]
        if p.primary.day is not None:
            first = p.primary.day
            year_given = not _yearless(p)
            used = [p]
            last = first
            nxt = dated[i + 1] if i + 1 < len(dated) else None
            if nxt is not None and nxt.primary.day is not None and _joins_range(_between(text, p, nxt)):
                last = nxt.primary.day
                used.append(nxt)
                year_given = year_given or not _yearless(nxt)
                if first > last and first.replace(year=first.year - 1) <= last:
                    first = first.replace(year=first.year - 1)  # "28 December - 3 January 2027"
            if not year_given and today is not None:
                moved = nearest_day(first, today)
                last, first = moved + (last - first), moved
            if last < first:
                return None, None, year_given, used
            return first, last, year_given, used
        if month_ok and p.kind == "month" and p.primary.months.months == 1:
            return p.primary.months.start, p.primary.months.end, True, [p]
    return None, None, True, []


def _earning_half(periods: list[PeriodReading]) -> tuple[date | None, list[PeriodReading]]:
    for p in periods:
        if p.primary is None:
            continue
        span = p.primary.months
        if span.months == 6 and span.first % 6 == 0:
            return span.start, [p]
    return None, []


# ---- the name


_TOKEN = re.compile(r"(?:(?<![\w'])(?:[ldjmnstc]|qu)'(?=\w))|[\w][\w'-]*|[\"“”«»‘’]")
_QUOTED = re.compile(r"[\"“«‘']\s*([^\"“”«»‘’']{2,80}?)\s*[\"”»’']")


def _phrases(keys: tuple[str, ...]) -> list[tuple[str, ...]]:
    v = packs.vocab()
    out = {tuple(w.split()) for key in keys for w in v.words(key)}
    return sorted(out, key=len, reverse=True)


def _strip_edges(tokens: list[str], stop: list[tuple[str, ...]]) -> tuple[int, int]:
    i, j = 0, len(tokens)
    changed = True
    while changed and i < j:
        changed = False
        for phrase in stop:
            n = len(phrase)
            if n <= j - i and tuple(tokens[i:i + n]) == phrase:
                i += n
                changed = True
                break
        for phrase in stop:
            n = len(phrase)
            if n <= j - i and tuple(tokens[j - n:j]) == phrase:
                j -= n
                changed = True
                break
    return i, j


def _name(text: str, taken: list[tuple[int, int]]) -> str:
    """The activity's name: a quoted name as written, else the longest stretch of the message
    between the dates and amounts, without the command's and linking words at its edges."""
    quoted = _QUOTED.search(text)
    if quoted and not any(a < quoted.end(1) and quoted.start(1) < b for a, b in taken):
        return _text(quoted.group(1))
    folded = fold(text)
    cuts = sorted(taken)
    pieces: list[tuple[int, int]] = []
    at = 0
    for a, b in cuts:
        if a > at:
            pieces.append((at, a))
        at = max(at, b)
    if at < len(text):
        pieces.append((at, len(text)))
    stop = _phrases(("planner.verbs", "planner.fillers"))
    best = ""
    for a, b in pieces:
        for clause in re.split(r"[,;:()!?\n]|\s[-–]\s|\.(?:\s|$)", folded[a:b]):
            offset = folded.find(clause, a, b) if clause else -1
            if offset < 0:
                continue
            found = [(m.start() + offset, m.end() + offset, m.group(0)) for m in _TOKEN.finditer(clause)]
            found = [t for t in found if t[2] not in "\"“”«»‘’"]
            i, j = _strip_edges([t[2] for t in found], stop)
            if i >= j:
                continue
            name = text[found[i][0]:found[j - 1][1]].strip(" '\"’")
            if len(name) > len(best):
                best = name
    return _text(best)


def _program_clause(text: str, programs: list[Any]) -> tuple[str | None, list[tuple[int, int]]]:
    """(the program key, the spans of a clause that only names it: "via CSP", "under the
    Surface program") of the first program the message names."""
    if not programs:
        return None, []
    program = programs[0]
    folded = fold(text)
    names = sorted({fold(a) for a in (program.name, *program.aliases) if a}, key=len, reverse=True)
    alias = "(?:" + "|".join(re.escape(n) for n in names) + ")"
    cues = sorted(packs.vocab().words("planner.program_cues"), key=len, reverse=True)
    cue = "(?:" + "|".join(re.escape(c) for c in cues) + ")" if cues else r"(?!x)x"
    the = "(?:(?:the|le|la|l')\\s*)?"
    pattern = re.compile(r"(?<![\w])(?:" + cue + r"\s+" + the + alias + r"(?:\s+" + cue + r")?|" + the + alias
                         + r"\s+" + cue + r")(?![\w])")
    return program.key, [m.span() for m in pattern.finditer(folded)]


def _edit_date_spans(text: str, periods: list[PeriodReading]) -> list[tuple[int, int]]:
    return [p.matched or (p.start, p.end) for p in periods]


def parse(kind: str, text: str, slots: Any, *, today: date | None = None) -> Command:
    """The command of ``kind`` (a value of :data:`PLAN_INTENTS`) that ``text`` says, from its
    ``slots`` (:class:`understanding.slots.Slots` of the same text)."""
    if kind not in _KINDS:
        raise ValueError(f"unknown planner command {kind!r}")
    periods = list(getattr(slots, "periods", []) or [])
    amount_span = getattr(slots, "amount_span", None)
    amount = getattr(slots, "amount", None)
    currency = getattr(slots, "currency", None)
    if amount is not None and (amount < 0 or amount > MAX_AMOUNT):
        amount = None
    taken = [p.matched or (p.start, p.end) for p in periods]
    if amount_span:
        taken.append(tuple(amount_span))
    if kind == "list":
        return ListActivities()
    if kind == "export":
        return Export()
    if kind == "budget":
        start, _ = _earning_half(periods)
        return SetBudget(amount=amount, currency=currency, earning_start=start)
    program, program_spans = _program_clause(text, list(getattr(slots, "programs", []) or []))
    name = _name(text, taken + program_spans)
    if kind == "claimed":
        return MarkClaimed(name=name)
    if kind == "remove":
        return Remove(name=name)
    if kind == "edit":
        first, last, year_given, _ = _days(text, periods, None, month_ok=False)
        return Edit(name=name, start=first, end=last, cost=amount, currency=currency if amount is not None else None,
                    year_given=year_given)
    first, last, _, _ = _days(text, periods, today, month_ok=True)
    return Track(name=name, start=first, end=last, cost=amount, currency=currency if amount is not None else None,
                 program=program)
