"""A short search as the message extension gets it ("webinar 12 March 2027", "FY27 H1",
"mes fonds de juin"): every reading of every period in it, each with its cycle.

    found = search("webinar 12 March 2027", locale="en-US", today=date(2026, 12, 7))
    found.status == "ok"; found.readings[0].role == "activity"

The partner typed into a box labelled "Co-op deadline", so any date in it is about co-op: a
day whose words give it no role is read both ways, as the day an activity was held (its
usage period, claim window and proof keep-until) and as a day co-op was earned (the next
usage period and claim window), activity first; a named role ("webinar", "funds") keeps
only its own reading; a month, a half or an FY label is an earning period unless its words
say an activity was held in it. The periods, their roles and the answer language come from
the engine (:func:`understanding.understand`), the cycles from ``core``: nothing here reads
a date or computes one.

>>> from datetime import date
>>> r = search("webinar 12 March 2027", locale="en-US", today=date(2026, 12, 7))
>>> [(x.role, x.timeline.claim_end.isoformat(), x.keep_until.isoformat()) for x in r.readings]
[('activity', '2027-08-15', '2029-03-12')]
>>> [(x.role, x.timeline.fy_label) for x in search("FY27 H1", today=date(2026, 12, 7)).readings]
[('earnings', 'FY27 H1')]
>>> search("   ", locale="fr-FR", today=date(2026, 12, 7)).status, search("", today=date(2026, 12, 7)).lang
('empty', 'en')
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Iterable

from core import CoopError, calendar, cycles_for_activity_span, keep_until
from core.periods import Cycle
from core.reading import Interpretation, PeriodReading

from . import registry
from .reply import Timeline

__all__ = ["SearchReading", "SearchResult", "search", "MAX_QUERY_CHARS", "MAX_READINGS"]

MAX_QUERY_CHARS = 280  # a compose-box search is a few words; the rest of a longer paste is not read
MAX_READINGS = 10  # results one search returns at most (Teams lists about that many)

ACTIVITY_ROLES = ("activity", "plan")
EARNING_ROLES = ("earnings",)
SKIPPED_ROLES = ("distractor", "asserted")  # an invoice's date, a deadline the text states: no period


@dataclass(frozen=True)
class SearchReading:
    """One reading: ``role`` "activity" (``day`` or ``days`` held, ``keep_until`` its proof
    date) or "earnings"; ``text`` the period as the partner wrote it; ``timeline`` its cycle on
    the asker's day."""

    role: str
    text: str
    timeline: Timeline
    day: date | None = None
    last_day: date | None = None
    keep_until: date | None = None


@dataclass
class SearchResult:
    """``status``: "ok" (``readings`` holds at least one), "empty" (nothing typed),
    "unreadable" (no period in it) or "other_language" (written in ``other_language``, which
    no pack speaks). ``lang`` is the language to answer in."""

    status: str
    lang: str
    locale: str | None
    readings: list[SearchReading] = field(default_factory=list)
    other_language: str | None = None


def _roles_for(role: str | None, interp: Interpretation) -> tuple[str, ...]:
    if role in ACTIVITY_ROLES:
        return ("activity",)
    if role in EARNING_ROLES:
        return ("earnings",)
    if interp.day is not None:
        return ("activity", "earnings")  # a bare day: when it was held, more often than earned
    return ("earnings",)


def _cycles(role: str, interp: Interpretation, days: tuple[date, date] | None) -> list[Cycle]:
    cal = calendar()
    if role == "activity":
        first, last = days or (interp.start, interp.end)
        return cycles_for_activity_span(first, last, cal)
    return [cal.cycle(half) for half in interp.halves]


def _readings(period: PeriodReading, role: str | None, today: date, convention: str) -> Iterable[SearchReading]:
    from .answers import make_timeline  # the answers' own timeline (claim state, FY labels)

    for interp in period.candidates:
        for kind in _roles_for(role, interp):
            for cycle in _cycles(kind, interp, period.days if interp is period.primary else None):
                first, last = (period.days if period.days and interp is period.primary
                               else (interp.start, interp.end))
                yield SearchReading(
                    role=kind, text=period.text, timeline=make_timeline(_TimelineCtx(today, convention), cycle),
                    day=first if kind == "activity" else None,
                    last_day=last if kind == "activity" and last != first else None,
                    keep_until=keep_until(last) if kind == "activity" else None)


class _TimelineCtx:
    """What :func:`understanding.answers.make_timeline` reads of its context."""

    def __init__(self, today: date, convention: str) -> None:
        from core import load_policy

        self.today = today
        self.convention = convention
        self.other_convention = next(c for c in load_policy().fy_conventions if c != convention)
        self.cal = calendar()

    def fy(self, half, convention: str | None = None) -> str:
        return self.cal.fy_label(half, convention or self.convention)


def search(text: str | None, *, lang: str | None = None, locale: str | None = None, today: date,
           convention: str | None = None, limit: int = MAX_READINGS) -> SearchResult:
    """Every reading of ``text`` (see the module), at most ``limit``, in the order written."""
    from .engine import understand

    text = (text if isinstance(text, str) else "")[:MAX_QUERY_CHARS].strip()
    if not text:
        return SearchResult("empty", registry.norm_lang(lang or locale), locale)
    u = understand(text, lang=lang, locale=locale, today=today, convention=convention)
    if u.other_language:
        return SearchResult("other_language", u.lang, locale, other_language=u.other_language)
    readings: list[SearchReading] = []
    seen: set[tuple] = set()
    for periods, roles in _periods(u, text, locale, today):
        for period, role in zip(periods, roles):
            if role in SKIPPED_ROLES or not period.candidates:
                continue
            try:
                found = list(_readings(period, role, today, u.convention))
            except CoopError:  # a period outside the policy's years: no reading of it
                continue
            for reading in found:
                key = (reading.role, reading.timeline.earning_start, reading.day, reading.last_day)
                if key not in seen:
                    seen.add(key)
                    readings.append(reading)
    if not readings:
        return SearchResult("unreadable", u.lang, locale)
    return SearchResult("ok", u.lang, locale, readings[:max(1, limit)])


def _periods(u, text: str, locale: str | None, today: date) -> list[tuple[list[PeriodReading], list]]:
    """(periods, roles) of each question the engine found; for a search that is no question
    to the chat (a bare "12 March 2027", which the chat answers with the honest fallback), the
    periods its reader finds, with the roles its frames give them."""
    from .engine import _roles, message_role, prepare
    from .frames import NOT_PERIODS

    found = [(q.slots.periods, q.roles) for q in (u.questions or [u]) if q.slots.periods]
    if found or u.junk:
        return found
    p = prepare(text, lang=u.lang, locale=locale, today=today, convention=u.convention)
    if not p.slots.periods or p.code:
        return []
    whole = message_role(p.folded)
    roles = [whole if r is None and period.primary is not None and period.primary.day is not None else r
             for period, r in zip(p.slots.periods, _roles(p, today))]
    return [([x for x, r in zip(p.slots.periods, roles) if r not in NOT_PERIODS],
             [r for r in roles if r not in NOT_PERIODS])]
