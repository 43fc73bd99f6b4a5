"""respond(): compose the answer from the core's facts, in the asker's language and locale.

Decisions (documented in README "Understanding"):
- A question with a period but no clear intent gets the full cycle (earning → usage →
  claim → forfeiture) for that period: the most useful default.
- A period touching several earning halves (a summer, a year, May–Aug) is answered for each
  half, in separate sections; never merged into one deadline.
- A reading that cannot be preferred (03/04/2024 with no locale, "winter 2024") is asked
  back with choices; no date is stated.
- Cycle questions without a period ("what's my deadline?") are answered for the asker's day.
"""
from __future__ import annotations

import re
from functools import lru_cache

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from core import (CoopError, calendar, claim_state, cycle_claimable_on, cycles_for_activity_span, funding_verdict,
                  keep_until, link, load_policy, split, status, usage_state, window_for_half)
from core.periods import Cycle, Half, month_index, month_of
from core.reading import Interpretation, PeriodReading

from .engine import THRESHOLD, YEARLESS_READINGS, Understanding, _says_past, asks_deadline, understand
from .fmt import babel_locale, fmt_date, fmt_money, fmt_percent, locale_tag
from .context import DATE_ROLES, ConversationContext
from .messages import days, error_text, fy_text, has, month_name, t
from .yesno import _said, asks_yes_no
from .recognizer import ACTION_INTENTS, CYCLE_INTENTS, PLAN_INTENTS
from .relative import resolve
from .reply import LinkRef, Reply, Timeline
from . import messages, registry


class _Ctx:
    """What every composer needs: language, locale, today, convention."""

    def __init__(self, u: Understanding) -> None:
        self.u = u
        self.lang = u.lang
        self.locale = locale_tag(u.locale, u.lang)
        self.today = u.today
        self.convention = u.convention
        self.other_convention = next(c for c in load_policy().fy_conventions if c != u.convention)
        self.cal = calendar()

    def t(self, key: str, **kw: Any) -> str:
        return t(self.lang, key, **kw)

    def d(self, day: date) -> str:
        return fmt_date(day, self.locale, self.lang)

    def month_name(self, month: int) -> str:
        return babel_locale(self.locale, self.lang).months["format"]["wide"][month]

    def _span(self, prefix: str, start: date, end: date) -> str:
        a, b = self.month_name(start.month), self.month_name(end.month)
        if (start.year, start.month) == (end.year, end.month):
            return self.t(prefix + ".month", a=a, y=start.year)
        if start.year == end.year:
            return self.t(prefix + ".months", a=a, b=b, y=end.year)
        return self.t(prefix + ".years", a=a, y1=start.year, b=b, y2=end.year)

    def months(self, start: date, end: date) -> str:
        """A span of whole months: "July – December 2020", "août 2021"."""
        return self._span("span", start, end)

    def earning_phrase(self, start: date, end: date) -> str:
        """The months with their preposition: "in July – December 2020", "de juillet à décembre 2020"."""
        return self._span("span_in", start, end)

    def dates(self, start: date, end: date) -> str:
        return f"{self.d(start)} – {self.d(end)}"

    def link(self, key: str) -> LinkRef:
        ln = link(key)
        return LinkRef(t(self.lang, "policy.link." + key), ln.url, key)

    def fy(self, half: Half, convention: str | None = None) -> str:
        return self.cal.fy_label(half, convention or self.convention)

    def days(self, n: int) -> str:
        return days(self.lang, n, self.locale)


# ------------------------------------------------------------------------------------------
# timelines


def make_timeline(c: _Ctx, cyc: Cycle) -> Timeline:
    state = claim_state(cyc, c.today)
    left = (cyc.claiming.end - c.today).days if state == "open" else None
    until = (cyc.claiming.start - c.today).days if state == "upcoming" else None
    return Timeline(cyc.earning.start, cyc.earning.end, cyc.usage.start, cyc.usage.end, cyc.claiming.start,
                    cyc.claiming.end, cyc.earning.name, c.fy(cyc.earning), c.fy(cyc.earning, c.other_convention),
                    state, left, until, usage_state(cyc, c.today), c.convention)


def _claim_state_text(c: _Ctx, tl: Timeline) -> str:
    if tl.claim_state == "open":
        return c.t("state.open_today") if tl.days_left == 0 else c.t("state.open", days=c.days(tl.days_left))
    if tl.claim_state == "upcoming":
        return c.t("state.upcoming", days=c.days(tl.days_until_open))
    return c.t("state.closed")


def _left(c: _Ctx, tl: Timeline) -> str:
    """"70 days left" / "closes today": what is left of an open claim window."""
    if not tl.days_left:
        return c.t("left.today")
    return c.t("left", count=tl.days_left, days=c.days(tl.days_left))


def _state_params(c: _Ctx, tl: Timeline) -> dict[str, str]:
    """The state words a headline may take: ``left`` (open), ``days`` (until it opens)."""
    out = {"left": "", "days": ""}
    if tl.claim_state == "open":
        out["left"] = _left(c, tl)
    elif tl.claim_state == "upcoming" and tl.days_until_open is not None:
        out["days"] = c.days(tl.days_until_open)
    return out


# the intents whose headline is a claim deadline: it says first whether it has passed
_CLAIM_LEADS = ("claim_deadline", "claim_window")


def _lead(c: _Ctx, intent: str, tl: Timeline, what: str | None = None, verdict: bool = False) -> str:
    """The sentence that opens a cycle's answer. A claim deadline says first whether it is
    still ahead on the asker's day (how many days are left), opens later (when), or has passed
    ("Too late: ..."); after a yes/no verdict that already said so, the plain fact."""
    params = dict(
        earning=c.earning_phrase(tl.earning_start, tl.earning_end), months=c.months(tl.earning_start, tl.earning_end),
        earning_dates=c.dates(tl.earning_start, tl.earning_end), claim_start=c.d(tl.claim_start),
        claim_end=c.d(tl.claim_end), usage_start=c.d(tl.usage_start), usage_end=c.d(tl.usage_end),
        half=tl.half, what=what or "", label=what or "", **_state_params(c, tl),
    )
    if intent in _CLAIM_LEADS and tl.claim_state == "closed":
        return c.t("lead.closed_was" if verdict else "lead.closed", **params)
    if intent in _USAGE_LEADS and tl.usage_state == "forfeited":
        return c.t("lead.usage_over", **params)  # the usage period's end has passed: say so first
    key = "lead." + intent  # an intent without a lead sentence ("status") has no such key
    if intent in _CLAIM_LEADS and not verdict:
        key += "." + tl.claim_state
    elif intent in _USAGE_LEADS and tl.usage_state == "in_use":
        params["left"] = _usage_left(c, tl)
        key += ".in_use"
    return c.t(key, **params) if has(c.lang, key) else ""


# the intents whose headline is the usage period's end (unused funds are forfeited after it)
_USAGE_LEADS = ("usage_period", "forfeiture")


def _usage_left(c: _Ctx, tl: Timeline) -> str:
    """What is left of a usage period under way on the asker's day ("24 days left")."""
    n = (tl.usage_end - c.today).days
    return c.t("left.today_usage") if n == 0 else c.t("left", days=c.days(n))


def _role_lead(c: _Ctx, mode: str, intent: str, tl: Timeline, what: str, verdict: bool = False) -> str:
    params = dict(earning=c.earning_phrase(tl.earning_start, tl.earning_end), claim_start=c.d(tl.claim_start),
                  claim_end=c.d(tl.claim_end), usage_start=c.d(tl.usage_start), usage_end=c.d(tl.usage_end), what=what,
                  half=tl.half, **_state_params(c, tl))
    if mode == "activity" and tl.claim_state == "closed":  # the headline is the truth today
        was = c.t("lead.activity.was", **params)
        return was if verdict else c.t("lead.activity.closed", **params) + " " + was
    if mode == "activity" and not verdict:
        return c.t("lead.activity." + tl.claim_state, **params)
    key = f"lead.{mode}.{intent}" if (mode, intent) in _ROLE_LEADS else f"lead.{mode}"
    return c.t(key, **params)


_ROLE_LEADS = {("activity", "claim_deadline"), ("activity", "claim_window")}


def _next_window(c: _Ctx) -> str:
    """What can still be done once a claim window has closed: nothing for that activity or
    those funds; a new activity held from today is claimed in the window open now. No date:
    the open window's last day, beside a closed one, reads like the partner's own deadline
    (the half-year-wrong date the held-out sets forbid)."""
    return c.t("lead.next_window")


def _block(c: _Ctx, tl: Timeline) -> list[str]:
    lines = [
        "- " + c.t("line.earning", months=c.months(tl.earning_start, tl.earning_end),
                   fy=fy_text(c.lang, tl.fy_label, tl.fy_label_other, tl.fy_convention)),
        "- " + c.t("line.usage", start=c.d(tl.usage_start), end=c.d(tl.usage_end)),
        "- " + c.t("line.claim", start=c.d(tl.claim_start), end=c.d(tl.claim_end), state=_claim_state_text(c, tl)),
    ]
    if tl.usage_state == "forfeited":
        lines.append("- " + c.t("line.forfeit_state", text=c.t("usage.forfeited")))
    elif tl.usage_state == "earning" and c.today < tl.earning_start:  # a half that has not begun
        lines.append("- " + c.t("line.forfeit_state", text=c.t("usage.not_started", start=c.d(tl.earning_start))))
    elif tl.usage_state == "earning":
        lines.append("- " + c.t("line.forfeit_state", text=c.t("usage.earning")))
    return lines


def _cycle_data(tls: list[Timeline]) -> list[dict[str, str]]:
    return [{"earning": [tl.earning_start.isoformat(), tl.earning_end.isoformat()],
             "usage": [tl.usage_start.isoformat(), tl.usage_end.isoformat()],
             "claim": [tl.claim_start.isoformat(), tl.claim_end.isoformat()],
             "forfeiture": tl.usage_end.isoformat(), "half": tl.half, "fy_label": tl.fy_label,
             "fy_label_other": tl.fy_label_other, "claim_state": tl.claim_state, "days_left": tl.days_left}
            for tl in tls]


def _cycle_reply(c: _Ctx, intent: str, groups: list[tuple[str, list[Cycle]]], notes: list[str],
                 extra_lines: list[str] | None = None, mentioned: list[date] | None = None,
                 title_key: str = "title.cycle", verdict: bool = False, poe_general: bool = True) -> Reply:
    """groups: (what the partner named, the cycles it touches[, how the date was read:
    "earnings" (default), "activity" or "submission"]). ``verdict``: a yes/no that says
    whether the window is open will open the answer (the headline then states the plain
    fact); ``poe_general``: the general PoE rule (not when each named activity has its own)."""
    out: list[str] = list(extra_lines or [])
    timelines: list[Timeline] = []
    seen: set[date] = set()
    # several cycles in one answer (whatever the groups): each under its own heading
    total = len({cy.earning.start for group in groups for cy in group[1]})
    verdict = verdict and total == 1
    told_next = False
    for group in groups:
        what, cycles = group[0], group[1]
        mode = group[2] if len(group) > 2 else "earnings"
        cycles = [cy for cy in cycles if cy.earning.start not in seen]
        seen.update(cy.earning.start for cy in cycles)
        if not cycles:
            continue
        tls = [make_timeline(c, cy) for cy in cycles]
        timelines.extend(tls)
        if len(tls) > 1:
            key = "multi.activity" if mode == "activity" else "multi"  # an activity spans usage periods
            out.append(_cap(c.t(key, what=what, n=len(tls))))
        for tl in tls:
            if total > 1:
                out.append("")
                out.append(c.t("section", earning=c.earning_phrase(tl.earning_start, tl.earning_end), half=tl.half))
            lead = _lead(c, intent, tl, what, verdict) if mode == "earnings" else \
                _role_lead(c, mode, intent, tl, what, verdict)
            if lead and tl.claim_state == "closed" and not told_next and not verdict and (
                    mode == "activity" or intent in _CLAIM_LEADS):
                lead += " " + _next_window(c)  # what can still be done, once per answer
                told_next = True
            if lead:
                out.append(_cap(lead))
            out.extend(_block(c, tl))
    out.append("")
    out.extend(notes_ for notes_ in notes if notes_)
    if poe_general:
        out.append(c.t("poe_reminder"))
    claim = c.link("create_claim")
    out.append(c.t("claim_link", title=claim.title, url=claim.url))
    text = "\n".join(line for line in _squeeze(out))
    deadlines = sorted({d for tl in timelines for d in (tl.claim_end, tl.usage_end)})
    return Reply(
        lang=c.lang, intent=intent, text=text, title=c.t(title_key), timelines=timelines,
        links=[claim, c.link("guidebook")],
        reading_note=" ".join(n for n in notes if n) or None,
        suggestions=[c.t("suggest.remind"), c.t("suggest.calendar"), c.t("suggest.poe")],
        data={"cycles": _cycle_data(timelines), "deadlines": [d.isoformat() for d in deadlines],
              "mentioned_deadlines": [d.isoformat() for d in (mentioned or [])]},
    )


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _squeeze(lines: list[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        if line == "" and (not out or out[-1] == ""):
            continue
        out.append(line)
    while out and out[-1] == "":
        out.pop()
    return out


# ------------------------------------------------------------------------------------------
# reading notes and clarifying questions


def _note(c: _Ctx, reading: PeriodReading, role: str | None = "earnings") -> tuple[str | None, list[date]]:
    """(the reading note, deadlines it mentions)."""
    p = reading.primary
    if p is None:
        return None, []
    text = reading.text.strip()
    alts = reading.alternatives
    if p.reading == "calendar_placement":
        half = p.halves[0]
        year = half.start.year
        note = c.t("note.calendar_placement", text=text, half=half.name, year=year, months=c.months(half.start, half.end),
                   fy=fy_text(c.lang, c.fy(half), c.fy(half, c.other_convention), c.convention))
        for alt in alts:
            ah = alt.halves[0]
            conv = alt.reading.removeprefix("fy_")
            label = c.fy(ah, conv)
            note += " " + c.t("note.calendar_placement_alt", label=label, alt_choice=label,
                              alt_months=c.months(ah.start, ah.end) + _alt_deadline(c, ah))
        return note, []
    if p.reading == "calendar_half" and alts:
        half = alts[0].halves[0]
        options = c.t("clarify.or").join(c.months(a.start, a.end) + _alt_deadline(c, a.halves[0]) for a in alts)
        return c.t("note.calendar_half", text=text, months=c.months(p.start, p.end), half=half.name, alts=options), []
    if p.reading.startswith("fy_") and reading.kind in ("fy_half", "fy_year", "fy_quarter"):
        # SPEC rule 8: Microsoft's fiscal calendar is what partners mean; the note states the
        # months and never the 2020 table's deadline for the same words (a half-year-wrong date)
        if p.reading == "fy_microsoft" or not alts:
            return c.t("note.fy", text=text, months=c.months(p.start, p.end)), []
        alt = alts[0]  # the 2020 labelling is configured: Microsoft's reading, with its deadlines
        return c.t("note.fy_seed", text=text, months=c.months(p.start, p.end),
                   alt_months=c.months(alt.start, alt.end) + _alt_deadlines(c, alt.halves)), []
    if p.reading == "unclosed_window":
        half = p.halves[0]
        cyc = c.cal.cycle(half)
        key = "note.unclosed_open" if claim_state(cyc, c.today) == "open" else "note.unclosed_upcoming"
        note = c.t(key, text=text, half=half.name, months=c.months(half.start, half.end))
        mentioned = []
        for alt in alts:
            prev = c.cal.cycle(alt.halves[0])
            ago = (c.today - prev.claiming.end).days
            note += " " + c.t("note.recently_closed", half=half.name, earning=c.earning_phrase(prev.earning.start, prev.earning.end),
                              date=c.d(prev.claiming.end), days=c.days(ago))
            mentioned.append(prev.claiming.end)
        return note, mentioned
    if p.reading == "calendar_quarter" and alts:
        as_activity = lambda a: {cy.claiming.end for cy in cycles_for_activity_span(a.start, a.end, c.cal)}  # noqa: E731
        as_earnings = lambda a: {c.cal.cycle(h).claiming.end for h in a.halves}  # noqa: E731
        # never a date this period would have in the other role (the half-year-wrong deadline
        # a partner could take for theirs): the role is clear, only the quarter is not
        wrong_role = as_earnings(p) if role in ("activity", "plan") else as_activity(p)

        def alt_deadline(a: Interpretation) -> str:  # the other reading's deadline, for the date's role
            if role is None:  # the role is unsure: read as the answer reads it, as earnings (the
                ends = sorted(as_earnings(a))  # note beside it gives the activity reading)
            elif role in ("activity", "plan", "earnings"):
                ends = sorted((as_activity(a) if role in ("activity", "plan") else as_earnings(a)) - wrong_role)
            else:
                return ""
            return c.t("note.alt_deadline", date=_join(c, [c.d(d) for d in ends])) if ends else ""

        alt_text = c.t("clarify.or").join(c.months(a.start, a.end) + alt_deadline(a) for a in alts)
        return c.t("note.calendar_quarter", text=text, months=c.months(p.start, p.end), alt_months=alt_text), []
    if p.reading in ("mdy", "dmy") and alts and p.day and alts[0].day:
        if (p.reading == "dmy" and registry.language(c.u.lang).day_first
                and registry.known(c.u.locale) != registry.norm_lang(c.u.lang)):
            # read day-first because of the message's language (engine._reading_locale), not a locale
            return c.t("note.numeric_lang", text=text, date=c.d(p.day), order=c.t("order." + p.reading),
                       alt=c.d(alts[0].day)), []
        return c.t("note.numeric", text=text, date=c.d(p.day), order=c.t("order." + p.reading), locale=c.u.reading_locale,
                   alt=c.d(alts[0].day)), []
    if p.reading == "most_recent":
        return c.t("note.most_recent", text=text if p.day else text.split()[-1],
                   months=c.d(p.day) if p.day else c.months(p.start, p.end)), []
    if p.reading == "nearest":  # (engine._nearest_years: the coming one, a few months ahead)
        return c.t("note.nearest", text=text, months=c.d(p.day) if p.day else c.months(p.start, p.end)), []
    if p.reading == "relative" and p.day is None:
        return c.t("note.relative", text=text, months=c.months(p.start, p.end)), []
    if p.reading == "approximate":
        return c.t("note.approximate", text=text, months=c.months(p.start, p.end)), []
    return None, []


def _alt_deadline(c: _Ctx, half: Half) -> str:
    """" (claim deadline February 15, 2022)": the other reading's deadline, in one breath."""
    return c.t("note.alt_deadline", date=c.d(c.cal.cycle(half).claiming.end))


def _alt_deadlines(c: _Ctx, halves) -> str:
    """" (claim deadline February 15, 2022)", or several joined: one per half of a reading."""
    dates = [c.d(c.cal.cycle(h).claiming.end) for h in halves]
    return c.t("note.alt_deadline", date=_join(c, dates)) if dates else ""


def _choice_text(c: _Ctx, interp: Interpretation) -> str:
    if interp.day:
        return c.d(interp.day)
    s, e = interp.months.start, interp.months.end
    if (s.year, s.month) == (e.year, e.month):
        return f"{c.month_name(s.month)} {s.year}"
    if interp.reading.startswith("fy_") and len(interp.halves) == 1:  # "FY27 H1 (July – December 2026)"
        return f"{c.fy(interp.halves[0], interp.reading.removeprefix('fy_'))} ({c.months(s, e)})"
    return c.t("choice.range", start=f"{c.month_name(s.month)} {s.year}", end=f"{c.month_name(e.month)} {e.year}")


def _clarify(c: _Ctx, intent: str, reading: PeriodReading) -> Reply:
    choices = [_choice_text(c, i) for i in reading.candidates]
    key = "clarify.date" if reading.kind == "date" else "clarify.season"
    text = c.t(key, text=reading.text.strip(), options=c.t("clarify.or").join(f"**{x}**" for x in choices))
    return Reply(lang=c.lang, intent=intent, text=text, title=c.t("title.clarify"), choices=choices,
                 suggestions=list(choices), data={"clarify": True, "choices": choices},
                 context={"choice_dates": [i.start.isoformat() for i in reading.candidates]})


# the questions that need the activity's day: when every day the message names was set aside as
# another thing's, today's windows are no answer to them
_ASIDE_ASKS = {"claim_deadline", "claim_window", "timeline"}


def _which_day(c: _Ctx, intent: str, aside: list[PeriodReading]) -> Reply:
    """The days a message names, all set aside as something else's (an invoice's, an order's, a
    release's): which is the activity's? Asked, with each day as a choice, never a deadline guessed."""
    days = list(dict.fromkeys(r.primary.day for r in aside))[:MAX_ASIDE_CHOICES]
    choices = [c.d(d) for d in days]
    text = c.t("clarify.set_aside", options=c.t("clarify.or").join(f"**{x}**" for x in choices))
    return Reply(lang=c.lang, intent=intent, text=text, title=c.t("title.clarify"), choices=choices,
                 suggestions=list(choices), data={"clarify": True, "choices": choices, "mentioned_deadlines": []},
                 context={"choice_dates": [d.isoformat() for d in days]})


MAX_ASIDE_CHOICES = 4


# ------------------------------------------------------------------------------------------
# composers


def _period_readings(u: Understanding) -> list[PeriodReading]:
    return list(u.slots.periods)


_NOTE_KINDS = {"date", "month", "quarter", "range", "season", "relative"}
_ACTIVITY_INTENTS = {"claim_deadline", "claim_window", "timeline", "usage_period", "forfeiture", "status", "which_half"}


def _role(u: Understanding, i: int) -> str | None:
    return u.roles[i] if i < len(u.roles) else None


def _what(c: _Ctx, r: PeriodReading, start: date | None = None, end: date | None = None) -> str:
    """ "on March 12, 2024" / "in March 2024" / "in July – September 2024" for an activity's dates."""
    p = r.primary
    start, end = start or p.start, end or p.end
    if start == end:
        return c.t("what.on_day", date=c.d(start))
    return c.earning_phrase(start, end)


def _said_held(u: Understanding) -> bool:
    """Whether the message says its activity was held (a past verb of the packs)."""
    return _says_past(u.whole or u.folded)


def _plan_span(c: _Ctx, r: PeriodReading) -> tuple[date, date]:
    """A planned activity's days: a month named without a year is the next one, not the last."""
    p = r.primary
    if p.reading == "most_recent" and p.day is not None:  # "on 15 March": the next 15 March
        day = p.day
        if day < c.today:
            try:
                day = day.replace(year=day.year + 1)
            except ValueError:  # 29 February: next year has none
                day = day.replace(year=day.year + 1, day=28)
        return day, day
    if p.reading == "most_recent":
        return resolve("month_of_year", "upcoming", c.today, c.cal, month=p.months.start.month)
    return p.start, p.end


def _plan_note(c: _Ctx, r: PeriodReading, start: date, end: date) -> str | None:
    """The reading note of a planned activity's date, for the days the answer used: a month or
    day named without a year is the next one (:func:`_plan_span`), and the note says so."""
    p = r.primary
    if p is not None and p.reading == "most_recent" and (start, end) != (p.start, p.end):
        text = r.text.strip()
        return c.t("note.upcoming", text=text if p.day else text.split()[-1],
                   months=c.d(start) if p.day else c.months(start, end))
    note, _ = _note(c, r, "plan")
    return note


def _other_verdict(c: _Ctx, reading: PeriodReading, half: Half, start: date, end: date, ok: bool | None,
                   what: str) -> str:
    """" Read that way, the answer is yes: …" when another reading of the earnings (the FY label
    "FY26 H2" for "H2 2026") would turn the verdict round; nothing when it would not."""
    for alt in reading.alternatives:
        if not alt.halves or alt.halves[0] == half:
            continue
        other = alt.halves[0]
        alt_ok = funding_verdict(other, start, c.cal).ok and funding_verdict(other, end, c.cal).ok
        if alt_ok != ok:
            cyc = c.cal.cycle(other)
            key = "note.verdict_yes" if alt_ok else "note.verdict_no"
            return " " + c.t(key, earning=c.earning_phrase(cyc.earning.start, cyc.earning.end), what=what,
                             usage_start=c.d(cyc.usage.start), usage_end=c.d(cyc.usage.end), claim_end=c.d(cyc.claiming.end))
    return ""


def _asks_still(folded: str) -> bool:
    """"can we still claim it?" / "peut-on encore la réclamer ?": a yes/no question about a
    window (cue words: ``yesno.still`` in each pack's ``vocab.toml``)."""
    return _said(folded, "yesno.still")


def _term_verdict(c: _Ctx) -> str | None:
    """"Is H1 January to June?": yes or no first, from the months the half term covers (core's
    calendar), when the message says which months it thinks the term is and asks yes or no."""
    u = c.u
    if not (u.slots.term_half and len(u.slots.term_months) >= 1 and asks_yes_no(u.folded, intonation=True)):
        return None
    half = c.cal.half_named(u.slots.term_half, 2001)
    first, last = half.start.month, half.end.month
    said = u.slots.term_months
    right = said[0] == first and said[-1] == last if len(said) > 1 else first <= said[0] <= last
    months = c.t("rule.term_months", a=_month_name(c, first), b=_month_name(c, last))
    return c.t("rule.term_yes" if right else "rule.term_no", term=u.slots.term_half, months=months)


def _starts_with_verdict(c: _Ctx, line: str) -> bool:
    """Whether an answer's first line already opens with yes or no (in the answer's language)."""
    first = re.sub(r"^\W+", "", line).split(" ", 1)[0].strip(":.,*").lower()
    words = {c.t(k).strip(" .:").lower() for k in ("verdict.yes", "verdict.no")}
    return first in words


def _month_name(c: _Ctx, month: int) -> str:
    return month_name(c.lang, month, c.locale)


def _window_verdict(c: _Ctx, tl: Timeline, kind: str) -> str:
    """The yes/no that opens an answer about one activity's claim window."""
    if kind == "too_late":
        key = {"open": "too_late.no", "upcoming": "too_late.not_yet"}.get(tl.claim_state, "too_late.yes")
    else:
        key = {"open": "still.yes", "upcoming": "still.not_yet"}.get(tl.claim_state, "still.no")
    return c.t(key, claim_start=c.d(tl.claim_start), claim_end=c.d(tl.claim_end))


def _submission_day(c: _Ctx, r: PeriodReading) -> date | None:
    """The day a claim is submitted: the day named, or today for a period that holds today
    ("what can I claim this quarter?" is a claim sent now)."""
    if r.primary.day:
        return r.primary.day
    if r.primary.start <= c.today <= r.primary.end:
        return c.today
    if r.primary.reading == "most_recent" and r.primary.start.month == r.primary.end.month:
        # "can we claim it already in April?": a claim is sent ahead, in the next April
        month = r.primary.start.month
        year = c.today.year + (1 if month < c.today.month else 0)
        return c.today if (year, month) == (c.today.year, c.today.month) else date(year, month, 1)
    return r.primary.start if r.primary.start > c.today else None


#: a period at least this long (a year) is no answer to a question the bot is unsure of
WHOLE_YEAR_DAYS = 364

#: how many items of a listing message the next turn can point to by place
MAX_ITEMS_REMEMBERED = 12


def answer_cycle(c: _Ctx, intent: str) -> Reply:
    u = c.u
    readings = _period_readings(u)
    for r in readings:
        if r.ambiguous:
            return _clarify(c, intent, r)
    if not readings:
        if u.aside_days and intent in _ASIDE_ASKS:
            return _which_day(c, intent, u.aside_days)
        return answer_now(c, intent)
    if intent in ("fy_label", "timeline") and all((_role(u, i) in (None, "earnings", "plan") and r.kind in ("fy_quarter", "fy_year")
                                     and (_role(u, i) is None or not asks_deadline(u, whole=True))) or (
            intent == "fy_label" and r.kind == "fy_half" and _role(u, i) in (None, "earnings", "plan") and not r.alternatives
            and not asks_deadline(u, whole=True)) for i, r in enumerate(readings)):
        # "which months is FY27 Q3?", "when does FY28 start and end?": the months the label names.
        # A quarter or a year is no earning period, and whether it was earned or spent is not
        # said: a half's deadlines beside it would be a guess. A half asked about for its months
        # only ("what does FY27 H1 mean?") gets its months too: what was asked, no deadline (unless
        # the 2020 labelling is configured: then a label reads two ways, and the cycles tell them apart)
        lines = [_note(c, r, None)[0] for r in readings]
        return Reply(lang=c.lang, intent=intent, text="\n".join(x for x in lines if x), title=c.t("title.cycle"),
                     data={"mentioned_deadlines": []},
                     context={"period_text": readings[0].text.strip(), "period_role": None})
    groups: list[tuple] = []
    notes: list[str] = []
    mentioned: list[date] = []
    keeps: list[tuple[str, date]] = []
    # an activity first, the day a claim is submitted last ("is 15 August too late for our January webinar?")
    order = sorted(range(len(readings)), key=lambda i: {"activity": 0, "plan": 0, "submission": 2}.get(_role(u, i), 1))
    for i in order:
        r = readings[i]
        halves = r.primary.halves
        what = r.text.strip()
        role = _role(u, i)
        # a day nobody said the role of is read as the day of an activity (below)
        day_activity = role is None and r.primary.day is not None and intent in _ACTIVITY_INTENTS - {"status", "which_half"}
        if intent == "forfeiture" and r.kind == "relative" and role != "earnings":
            # "which funds are forfeited at the end of this month?": the earnings whose usage
            # period ends then (else the one in use then)
            start, end = r.primary.start, r.primary.end
            cycles = [cy for cy in cycles_for_activity_span(start, end, c.cal) if start <= cy.usage.end <= end] \
                or cycles_for_activity_span(start, end, c.cal)
            groups.append((what, cycles))
        elif role in ("activity", "plan") and (intent in _ACTIVITY_INTENTS or (
                intent == "fy_label" and r.kind not in ("fy_half", "half", "half_year", "calendar_half"))):
            # (an event "au Q3 FY27" asked what months and until when: the event's cycle)
            start, end = _plan_span(c, r) if role == "plan" else (r.primary.start, r.primary.end)
            what = _what(c, r, start, end)
            groups.append((what, cycles_for_activity_span(start, end, c.cal), "activity"))
            if start == end:  # a named activity day (held or planned): its PoE keep-until date too
                keeps.append((what, keep_until(start, c.cal)))
        elif day_activity:
            # a day nobody said the role of: the day of an activity (co-op is earned over months, an
            # activity is held on a day), with the earnings reading's deadline beside it (SPEC)
            start = end = r.primary.day
            what = _what(c, r, start, end)
            cycles = cycles_for_activity_span(start, end, c.cal)
            groups.append((what, cycles, "activity"))
            keeps.append((what, keep_until(start, c.cal)))
            earned = c.cal.cycle(c.cal.half_containing(start))
            if earned.claiming.end not in {cy.claiming.end for cy in cycles}:
                notes.append(c.t("note.earnings_alt", text=c.t("quote", text=r.text.strip()), date=c.d(earned.claiming.end)))
        elif role == "submission" and _submission_day(c, r) and intent in _ACTIVITY_INTENTS:
            groups.append((c.t("what.sent_on_day", date=c.d(_submission_day(c, r))),
                           [cycle_claimable_on(_submission_day(c, r), c.cal)], "submission"))
        else:
            if intent == "which_half" and r.primary.day:
                what = c.d(r.primary.day)
            groups.append((what, [c.cal.cycle(h) for h in halves]))
            if role is None and r.kind in _NOTE_KINDS and intent in _ACTIVITY_INTENTS - {"status"} and len(readings) == 1:
                alt = cycles_for_activity_span(r.primary.start, r.primary.end, c.cal)[-1]
                notes.append(c.t("note.activity_alt", text=c.t("quote", text=what), date=c.d(alt.claiming.end),
                                 earning=c.earning_phrase(alt.earning.start, alt.earning.end)))
        note, ment = _note(c, r, role if role in ("activity", "plan") and intent in _ACTIVITY_INTENTS else
                           "activity" if day_activity else "earnings" if role == "earnings" else None)
        if role == "plan" and intent in _ACTIVITY_INTENTS:
            note = _plan_note(c, r, *_plan_span(c, r))
        if role == "submission" and _submission_day(c, r) and intent in _ACTIVITY_INTENTS:
            note = None  # the day the claim is sent is said in the answer itself
        if note:
            notes.append(note)
        mentioned.extend(ment)
    if intent in ("which_half", "fy_label") and any(len(g) > 2 and g[2] == "activity" for g in groups):
        # "booth 26-28 Jan 2027: which co-op funds pay for it?", "un événement prévu au Q3 FY27": an
        # activity's period is no earning period; its lead says which earnings pay for it
        intent_lead = "claim_deadline"
    elif intent == "fy_label" and not any(r.kind in ("fy_half",) for r in readings):
        intent_lead = "which_half"
    else:
        intent_lead = intent
    kind = asks_yes_no(u.folded, intonation=True)
    acts = [g for g in groups if len(g) > 2 and g[2] == "activity"]
    subs = [(i, r) for i, r in enumerate(readings) if _role(u, i) == "submission" and _submission_day(c, r)]
    with_verdict = bool(kind) and not u.asserted_days and not (acts and subs and intent in _ACTIVITY_INTENTS) and \
        intent in ("claim_deadline", "claim_window", "status", "timeline")
    extra = []
    if intent == "timeline" and not u.followup and u.score < 0.5 and len(u.folded.split()) > 3:
        if not asks_deadline(u, whole=True) and all(r.primary is not None and (r.primary.end - r.primary.start).days >= WHOLE_YEAR_DAYS
                                         for r in readings):
            # "wann ist dieses Jahr unsere Weihnachtsfeier?": unsure what is asked about a whole year,
            # four deadlines would be a guess; say what can be asked instead
            return answer_simple(c, "fallback")
        extra.append(c.t("fallback.period", what=", ".join(c.t("quote", text=r.text.strip()) for r in readings)))
    reply = _cycle_reply(c, intent_lead, groups, notes, extra, mentioned,
                         title_key="title.activity" if any(len(g) > 2 for g in groups) else "title.cycle",
                         verdict=with_verdict, poe_general=not keeps)
    if keeps:
        lines = reply.text.split("\n")
        at = next((n for n, line in enumerate(lines) if line.startswith("- ")), len(lines))
        for what, keep in keeps:
            lines.insert(at, c.t("poe.activity", what=what, keep=c.d(keep)))
            at += 1
        reply.text = "\n".join(lines)
        reply.poe_keep_until = keeps[0][1]
        reply.data["keep_until"] = [k.isoformat() for _, k in keeps]
    reply.intent = intent
    if acts and subs and intent in _ACTIVITY_INTENTS:
        # "can I add the webinar to the claim I'm filing this week?": the claim sent that day covers
        # the activities of one usage period; yes when this activity's window holds the day
        day = _submission_day(c, subs[0][1])
        cyc = acts[0][1][0]
        key = "submission.yes" if cyc.claiming.start <= day <= cyc.claiming.end else "submission.no"
        reply.text = c.t(key, day=c.d(day), claim_start=c.d(cyc.claiming.start), claim_end=c.d(cyc.claiming.end)) \
            + " " + reply.text
    elif intent in ("claim_deadline", "claim_window", "status", "timeline") and len(reply.timelines) == 1 and kind \
            and not u.asserted_days:  # (a deadline the message states gets its own yes or no)
        reply.text = _window_verdict(c, reply.timelines[0], kind) + " " + reply.text  # yes or no first
    first = readings[0]
    reply.context = {"period_text": _remembered(first), "period_role": _role(u, 0)}
    return reply


def _remembered(r: PeriodReading) -> str:
    """The words of a period kept for the next turn: as written, but a day or month that was said
    without its year is kept with the year it was read in ("im Mai" after 10.02.2027 → 2027-05),
    so "und für die im Oktober?" is near that, not a year away."""
    p = r.primary
    if p is None or p.reading not in YEARLESS_READINGS:
        return r.text.strip()
    if p.day is not None:
        return p.day.isoformat()
    if (p.start.year, p.start.month) == (p.end.year, p.end.month):
        return f"{p.start.year:04d}-{p.start.month:02d}"
    return r.text.strip()


def answer_can_fund(c: _Ctx) -> Reply:
    """"Can I use my H1 funds for an event in September?" → yes or no first, then the dates;
    "which funds pay for a campaign in May 2027?" → the earnings that do."""
    u = c.u
    readings = _period_readings(u)
    for r in readings:
        if r.ambiguous:
            return _clarify(c, "can_fund", r)
    earned = [r for i, r in enumerate(readings) if _role(u, i) == "earnings"
              or (r.kind in ("half", "half_year", "fy_half") and len(readings) > 1)]
    planned = [r for r in readings if r not in earned]
    if not planned:
        if earned and not any(_role(u, i) == "earnings" for i in range(len(readings))):
            planned, earned = earned, []
        else:
            return answer_fundable(c) if not readings else answer_cycle(c, "usage_period")
    r = planned[0]
    # (an activity the message says was held keeps its day: "wir hatten am 12.03. ein Webinar")
    held = _role(u, readings.index(r)) == "activity" and r.primary is not None and _said_held(u)
    start, end = (r.primary.start, r.primary.end) if held else _plan_span(c, r)
    what = _what(c, r, start, end)
    cycles = cycles_for_activity_span(start, end, c.cal)
    lines: list[str] = []
    notes: list[str] = []
    timelines_of = list(cycles)

    def params(cyc) -> dict:
        return dict(earning=c.earning_phrase(cyc.earning.start, cyc.earning.end), usage_start=c.d(cyc.usage.start),
                    usage_end=c.d(cyc.usage.end), claim_start=c.d(cyc.claiming.start), claim_end=c.d(cyc.claiming.end),
                    what=what, half=cyc.earning.name)

    verdict_ok = None
    if earned:
        half = earned[0].primary.halves[0]
        first, last = funding_verdict(half, start, c.cal), funding_verdict(half, end, c.cal)
        asked = c.cal.cycle(half)
        verdict_ok = first.ok and last.ok
        if verdict_ok:
            lines.append(c.t("fund.yes", **params(asked)))
            timelines_of = [asked]
        else:
            reason = first.reason if not first.ok else last.reason
            lines.append(c.t("fund.no_late" if reason == "too_late" else "fund.no_early", **params(asked)))
            for cyc in cycles:
                lines.append(c.t("fund.instead", **params(cyc)))
        note, _ = _note(c, earned[0])
        if note:
            notes.append(note + _other_verdict(c, earned[0], half, start, end, verdict_ok, what))
    else:
        for cyc in cycles:
            lines.append(c.t("fund.which", **params(cyc)))
    note = _plan_note(c, r, start, end)
    if note:
        notes.append(note)
    keep = None
    if start == end and _role(u, readings.index(r)) in ("activity", "plan"):
        keep = keep_until(start, c.cal)  # a named activity date (held or planned): its PoE keep-until date too
        lines.append(c.t("poe.activity", what=what, keep=c.d(keep)))
    tls = [make_timeline(c, cy) for cy in timelines_of]
    out = lines + [""] + [ln for tl in tls for ln in _block(c, tl)] + [""] + notes
    if keep is None:
        out.append(c.t("poe_reminder"))
    claim = c.link("create_claim")
    out.append(c.t("claim_link", title=claim.title, url=claim.url))
    text = "\n".join(_squeeze(out))
    deadlines = sorted({d for tl in tls for d in (tl.claim_end, tl.usage_end)})
    return Reply(lang=c.lang, intent="can_fund", text=text, title=c.t("title.funding"), timelines=tls, poe_keep_until=keep,
                 links=[claim, c.link("core_requirements")], reading_note=" ".join(notes) or None,
                 suggestions=[c.t("suggest.remind"), c.t("suggest.calendar"), c.t("suggest.poe")],
                 data={"cycles": _cycle_data(tls), "deadlines": [d.isoformat() for d in deadlines], "funds": verdict_ok,
                       "mentioned_deadlines": []},
                 context={"period_text": r.text.strip(), "period_role": "plan"})


def answer_now(c: _Ctx, intent: str) -> Reply:
    """Cycle questions without a period: what is open, to be used, accruing on the asker's day."""
    s = status(c.today, c.cal)
    if intent in ("which_half", "fy_label"):
        cyc = c.cal.cycle(s.accruing)
        what = c.d(c.today)
        if intent == "fy_label" and not asks_deadline(c.u, whole=True):
            # "which Microsoft fiscal half are we in?": the half and its label, no deadline unasked
            e = cyc.earning
            text = c.t("lead.which_half", what=what, half=e.name, earning_dates=c.dates(e.start, e.end)) + " " \
                + c.t("note.fy", text=c.fy(e), months=c.months(e.start, e.end))
            return Reply(lang=c.lang, intent=intent, text=text, title=c.t("title.cycle"),
                         data={"mentioned_deadlines": [], "today": c.today.isoformat()},
                         context={"period_text": c.fy(e), "period_role": None})
        return _cycle_reply(c, "which_half", [(what, [cyc])], [])
    lines: list[str] = []
    ow = s.open_window
    if s.days_left == 0:
        lines.append(c.t("status.open_today", today=c.d(c.today), earning=c.earning_phrase(ow.earning.start, ow.earning.end),
                         claim_end=c.d(ow.claiming.end)))
    else:
        lines.append(c.t("status.open", today=c.d(c.today), earning=c.earning_phrase(ow.earning.start, ow.earning.end),
                         claim_end=c.d(ow.claiming.end), days_left=c.days(s.days_left)))
    using = s.using
    lines.append(c.t("status.using", earning=c.earning_phrase(using.earning.start, using.earning.end),
                     usage_end=c.d(using.forfeiture), days=c.days(s.days_to_forfeiture)))
    acc = c.cal.cycle(s.accruing)
    lines.append(c.t("status.accruing", months=c.months(acc.earning.start, acc.earning.end), half=acc.earning.name,
                     claim_start=c.d(acc.claiming.start)))
    lines.append("")
    cycles = [ow] + ([using] if using.earning != ow.earning else [])
    groups = [("", [cy]) for cy in cycles]
    reply = _cycle_reply(c, "status", groups, [], lines, title_key="title.status")
    reply.intent = intent
    reply.data["today"] = c.today.isoformat()
    reply.data["days_left"] = s.days_left
    reply.suggestions = [c.t("suggest.h1"), c.t("suggest.remind"), c.t("suggest.calendar")]
    return reply


def answer_poe(c: _Ctx) -> Reply:
    u = c.u
    readings = _period_readings(u)
    for r in readings:
        if r.ambiguous:
            return _clarify(c, "poe_retention", r)
    lines: list[str] = []
    keep: date | None = None
    data: dict[str, Any] = {}
    notes = []
    for r in readings:
        p = r.primary
        if p.day:
            keep = keep_until(p.day, c.cal)
            lines.append(c.t("poe.date", activity=c.d(p.day), keep=c.d(keep)))
            if p.day.month == 2 and p.day.day == 29 and keep.day != 29:
                lines.append(c.t("poe.leap", keep=c.d(keep)))
            data.setdefault("keep_until", []).append({"activity": p.day.isoformat(), "keep_until": keep.isoformat()})
        else:
            first, last = p.start, p.end
            k1, k2 = keep_until(first, c.cal), keep_until(last, c.cal)
            lines.append(c.t("poe.month", months=c.months(first, last), first=c.d(k1), last=c.d(k2),
                             first_activity=c.d(first), last_activity=c.d(last)))
            data.setdefault("keep_until", []).append({"activity": [first.isoformat(), last.isoformat()],
                                                      "keep_until": [k1.isoformat(), k2.isoformat()]})
        note, _ = _note(c, r)
        if note:
            notes.append(note)
    if not lines:
        lines.append(c.t("poe.none"))
    lines.extend(notes)
    req = c.link("core_requirements")
    lines.append(c.t("howto.requirements", title=req.title, url=req.url))
    ctx = {"period_text": readings[0].text.strip(), "period_role": _role(u, 0)} if readings else {}
    return Reply(lang=c.lang, intent="poe_retention", text="\n".join(lines), title=c.t("title.poe"), context=ctx,
                 poe_keep_until=keep, links=[req], reading_note=" ".join(notes) or None, data=data,
                 suggestions=[c.t("suggest.howto"), c.t("suggest.status")])


def answer_split(c: _Ctx) -> Reply:
    """The rebate and co-op parts of an amount, from either side: the total earnings split by the
    percentages named (both, or only one side: the other is the rest of 100), or the total worked
    back from a co-op or rebate amount ("4 000 of co-op at 40%" -> 10 000). Numbers in the
    answer's locale with the currency named; every answer says where each program's split is."""
    s = c.u.slots
    err = s.split_error or s.amount_error
    if err:
        return error_reply(c, "split", err)
    guide = c.link("program_guide")
    money = lambda v: fmt_money(v, s.currency, c.locale, c.lang)  # noqa: E731
    pct = lambda v: fmt_percent(v, c.locale, c.lang)  # noqa: E731
    role = s.amount_role if s.amount is not None else "total"
    ctx: dict[str, Any] = {}
    if s.amount is not None and s.split:
        r_pct, c_pct = s.split
        shares = dict(rebate_pct=pct(r_pct), coop_pct=pct(c_pct))
        if role == "total":
            result = split(s.amount, r_pct, c_pct)
            text = c.t("split.result", **shares, amount=money(result.amount), coop=money(result.coop), rebate=money(result.rebate))
        else:
            total = _total_from_part(s.amount, c_pct if role == "coop" else r_pct)
            if total is None:  # "4 000 of co-op" with a 0% co-op share: no total gives it
                text = c.t(f"split.zero_{role}", **shares, amount=money(s.amount)) + "\n" + c.t("split.guide", url=guide.url)
                return Reply(lang=c.lang, intent="split", text=text, title=c.t("title.split"), links=[guide],
                             context={"pending": "split"}, suggestions=[c.t("suggest.split")])
            result = split(total, r_pct, c_pct)
            text = c.t(f"split.from_{role}", **shares, part=money(s.amount), amount=money(result.amount),
                       coop=money(result.coop), rebate=money(result.rebate))
        text += "\n" + c.t("split.guide", url=guide.url)
        data = {"amount": str(result.amount), "currency": s.currency, "rebate_percent": str(r_pct),
                "coop_percent": str(c_pct), "rebate": str(result.rebate), "coop": str(result.coop), "given": role}
        # "and on 30,000?": the total is known now, whichever part was given
        ctx = {"split": [str(r_pct), str(c_pct)], "amount": str(result.amount), "currency": s.currency}
        return Reply(lang=c.lang, intent="split", text=text, title=c.t("title.split"), links=[guide], data=data, context=ctx,
                     suggestions=[c.t("suggest.status"), c.t("suggest.h1")])
    programs = [p.name for p in s.programs if p.earns_coop]
    links = [guide]
    if s.split:
        r_pct, c_pct = s.split
        text = c.t("split.need_amount", rebate_pct=pct(r_pct), coop_pct=pct(c_pct))
        ctx = {"pending": "split", "split": [str(r_pct), str(c_pct)]}
    elif s.amount is not None:
        if programs:  # "how much co-op on $250,000 of CSP revenue?": that program's split, never an example's
            text = c.t("split.program_amount", programs=_join(c, programs), amount=money(s.amount), url=guide.url)
        elif role != "total":
            text = c.t(f"split.need_split_{role}", amount=money(s.amount), url=guide.url)
        else:
            text = c.t("split.need_split", amount=money(s.amount), url=guide.url, **_split_example(c))
        ctx = {"pending": "split", "amount": str(s.amount), "currency": s.currency}
        if role != "total":
            ctx["amount_role"] = role
    elif s.programs:  # "what's the split for CSP?": the page does not say; no number is invented
        lines = [c.t("split.program", programs=_join(c, programs), url=guide.url)] if programs else []
        cpor = c.link("cpor")
        for prog in s.programs:
            if not prog.earns_coop:
                lines.append(c.t("program.not_coop", name=prog.name, title=cpor.title, url=cpor.url))
                links.append(cpor)
        text = "\n".join(lines)
        ctx = {"pending": "split"}
    else:
        text = c.t("split.explain", **_split_example(c)) + "\n" + c.t("split.guide", url=guide.url)
        ctx = {"pending": "split"}
    return Reply(lang=c.lang, intent="split", text=text, title=c.t("title.split"), links=list(dict.fromkeys(links)),
                 context=ctx, suggestions=[c.t("suggest.split")])


def _total_from_part(part: Decimal, percent: Decimal) -> Decimal | None:
    """The eligible earnings whose ``percent`` share is ``part``, to the cent (None for a 0%
    share). Split again by :func:`core.split`, that total gives back ``part`` to the cent: the
    rounding error of the total, times a share under 100%, stays under half a cent.

    >>> _total_from_part(Decimal("4000"), Decimal("40")), _total_from_part(Decimal("1000"), Decimal("30"))
    (Decimal('10000.00'), Decimal('3333.33'))
    """
    if not percent:
        return None
    quantum = Decimal(1).scaleb(-load_policy().split.money_decimals)
    return (part * 100 / percent).quantize(quantum, rounding=ROUND_HALF_UP)


def _split_example(c: _Ctx) -> dict[str, str]:
    """The policy's example split, as the sentences show it ("60/40", "60%", "40%")."""
    ex = load_policy().split
    r, k = Decimal(ex.example_rebate_percent), Decimal(ex.example_coop_percent)
    return {"example": f"{ex.example_rebate_percent}/{ex.example_coop_percent}",
            "rebate_pct": fmt_percent(r, c.locale, c.lang), "coop_pct": fmt_percent(k, c.locale, c.lang)}


def answer_threshold(c: _Ctx) -> Reply:
    s = c.u.slots
    if s.amount_error:
        return error_reply(c, "threshold", s.amount_error)
    guide = c.link("program_guide")
    lines = [c.t("threshold.rule")]
    for r in s.periods:
        if r.primary:
            for h in r.primary.halves:
                lines.append(c.t("threshold.period", earning=c.earning_phrase(h.start, h.end), end=c.d(h.end)))
    if s.amount is not None:
        lines.append(c.t("threshold.amount", amount=fmt_money(s.amount, s.currency, c.locale, c.lang)))
    lines.append(c.t("threshold.guide", url=guide.url))
    return Reply(lang=c.lang, intent="threshold", text="\n".join(lines), links=[guide],
                 suggestions=[c.t("suggest.split"), c.t("suggest.status")])


def _join(c: _Ctx, items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + c.t("and") + items[-1]


def answer_program(c: _Ctx) -> Reply:
    s = c.u.slots
    guide, cpor = c.link("program_guide"), c.link("cpor")
    policy = load_policy()
    lines = []
    links = []
    for prog in s.programs:
        if prog.earns_coop:
            lines.append(c.t("program.coop", name=prog.name, url=guide.url))
            links.append(guide)
        else:
            lines.append(c.t("program.not_coop", name=prog.name, title=cpor.title, url=cpor.url))
            links.append(cpor)
    if not lines:
        examples = _join(c, [p.name for p in policy.programs if p.earns_coop])
        excluded = _join(c, [p.name for p in policy.programs if not p.earns_coop])
        lines.append(c.t("program.unknown", examples=examples, excluded=excluded, url=guide.url))
        links = [guide, cpor]
    earns = {p.earns_coop for p in s.programs}
    if len(earns) == 1 and asks_yes_no(c.u.folded, intonation=True):  # "do OSU M365 incentives give co-op?": no first
        lines[0] = c.t("verdict.yes" if earns.pop() else "verdict.no") + " " + lines[0]
    return Reply(lang=c.lang, intent="program_eligibility", text="\n".join(lines), links=list(dict.fromkeys(links)),
                 data={"programs": [{"key": p.key, "earns_coop": p.earns_coop} for p in s.programs]},
                 suggestions=[c.t("suggest.howto"), c.t("suggest.h1")])


def answer_fundable(c: _Ctx) -> Reply:
    lines = [c.t("fundable.intro")]
    if asks_yes_no(c.u.folded, intonation=True) and _said(c.u.folded, "yesno.fundable_uses") and not c.u.slots.programs:
        lines[0] = c.t("verdict.yes") + " " + lines[0]  # "can co-op fund our certifications?": the page says so
    for f in load_policy().fundable:
        lines.append("- " + c.t("policy.fundable." + f.key))
    req = c.link("core_requirements")
    lines.append(c.t("fundable.requirements", title=req.title, url=req.url))
    res = c.link("coop_resources")
    lines.append(c.t("howto.resources", title=res.title, url=res.url))
    return Reply(lang=c.lang, intent="fundable", text="\n".join(lines), links=[req, res],
                 suggestions=[c.t("suggest.howto"), c.t("suggest.h1")])


def answer_roles(c: _Ctx) -> Reply:
    roles = load_policy().roles
    names = {r.key: c.t("policy.role." + r.key) for r in roles}
    text = c.t("roles", admin=names.get("incentives_admin", ""), user=names.get("incentives_user", ""))
    if c.lang != registry.DEFAULT:  # the English role names too: Partner Center may show either
        text += " (" + " / ".join(t(registry.DEFAULT, "policy.role." + r.key) for r in roles) + ")"
    return Reply(lang=c.lang, intent="roles", text=text, data={"roles": [r.key for r in roles]},
                 suggestions=[c.t("suggest.howto")])


_HOWTO_LINKS = ("create_claim", "core_requirements", "guidebook", "cpor")


def _named_links(folded: str) -> list[str]:
    """The pages a question names ("link to the co-op guidebook", "what is CPOR?"): the words
    of each page are data (``[links]`` in every pack's ``vocab.toml``)."""
    from . import packs

    return [key for key in _HOWTO_LINKS if packs.stems_pattern("links." + key).search(folded)]


def answer_howto(c: _Ctx) -> Reply:
    s = c.u.slots
    pages = {key: c.link(key) for key in _HOWTO_LINKS}
    named = _named_links(c.u.folded)
    lines_by = {
        "create_claim": c.t("howto.claim", title=pages["create_claim"].title, url=pages["create_claim"].url),
        "core_requirements": c.t("howto.requirements", title=pages["core_requirements"].title, url=pages["core_requirements"].url),
        "guidebook": c.t("howto.guidebook", title=pages["guidebook"].title, url=pages["guidebook"].url),
        "cpor": c.t("howto.cpor", title=pages["cpor"].title, url=pages["cpor"].url),
    }
    if named:  # rule 10: the page that fits the question, not every page
        keys = named
        lines = [lines_by[k] for k in keys]
        if "cpor" in keys:  # "what is CPOR?": say what it is (rule 2), then where to do it
            lines[keys.index("cpor")] = c.t("howto.cpor_what", title=pages["cpor"].title, url=pages["cpor"].url)
    else:
        cpor_first = any(not p.earns_coop for p in s.programs)
        keys = ["create_claim", "core_requirements", "guidebook"]
        keys = ["cpor"] + keys if cpor_first else keys + ["cpor"]
        lines = [lines_by[k] for k in keys]
    return Reply(lang=c.lang, intent="how_to_claim", text="\n".join(lines), links=[pages[k] for k in keys],
                 suggestions=[c.t("suggest.h1"), c.t("suggest.poe")])


def answer_plan(c: _Ctx, intent: str) -> Reply:
    """A planner command (issue #20): the typed command in ``data["plan"]`` for the bot to run
    (``action`` the intent), or, when it lacks a piece, what to say instead: a new activity
    without its day gets the form (``plan_form``), a command naming no activity the plan to
    pick from (``plan_list``), a budget without its amount or half the way to say it."""
    from .planner import PLAN_INTENTS, parse

    kind = PLAN_INTENTS[intent]
    command = parse(kind, c.u.text, c.u.slots, today=c.u.today)
    missing = command.missing()
    data = {"plan": command.to_dict()}
    name = getattr(command, "name", "")
    if not missing:
        return Reply(lang=c.lang, intent=intent, text=c.t("plan.action." + kind, name=name), action=intent, data=data)
    if kind == "track":
        return Reply(lang=c.lang, intent=intent, text=c.t("plan.ask.date"), action="plan_form", data=data)
    if kind == "budget":
        return Reply(lang=c.lang, intent=intent, text=c.t("plan.ask.budget"), data=data,
                     suggestions=[c.t("plan.example.budget")])
    key = "plan.ask.change" if missing == ("change",) else "plan.ask.which"
    return Reply(lang=c.lang, intent=intent, text=c.t(key, name=name), action="plan_list", data=data)


def answer_action(c: _Ctx, intent: str) -> Reply:
    if intent in PLAN_INTENTS:
        return answer_plan(c, intent)
    action = ACTION_INTENTS[intent]
    return Reply(lang=c.lang, intent=intent, text=c.t("action." + action), action=action)


def _about_reminders(u: Understanding) -> bool:
    """An unsure reading whose best guesses are the reminder actions and whose words say so."""
    from . import packs

    ranked = sorted(u.scores.items(), key=lambda kv: -kv[1])[:3]
    if not any(k in ("unsubscribe", "subscribe", "list_reminders") and v >= 0.05 for k, v in ranked):
        return False
    return packs.stems_pattern("actions.list_reminders", "actions.subscribe").search(u.folded) is not None


def answer_simple(c: _Ctx, intent: str) -> Reply:
    key = {"help": "help", "greeting": "welcome", "thanks": "thanks", "cancel": "cancelled"}.get(intent, "fallback")
    if key == "fallback" and c.u.action_refused:
        key = "fallback.action"  # "send it on its own": never a side effect from inside a ticket
    elif key == "fallback" and not c.u.junk and _about_reminders(c.u):
        key = "fallback.reminders"  # "don't remind me…" read unsurely: how to stop them, no action
    elif key == "fallback" and not c.u.junk and 0 < c.u.score < THRESHOLD:
        key = "fallback.unsure"  # not sure what was asked: say what can be asked, never guess
    sugg = [c.t("suggest.h1"), c.t("suggest.status"), c.t("suggest.poe")]
    return Reply(lang=c.lang, intent=intent, text=c.t(key), suggestions=sugg)


def answer_other_language(c: _Ctx) -> Reply:
    """A message in a language no pack speaks: the notice in that language (when the data has
    it), then the same in the answer's language; never a date."""
    from .detect import notice

    code = c.u.other_language or ""
    lines = [n for n in (notice(code), messages.other_language(c.lang)) if n]
    return Reply(lang=c.lang, intent="other_language", text="\n\n".join(lines),
                 suggestions=[c.t("suggest.h1"), c.t("suggest.status"), c.t("suggest.poe")],
                 data={"other_language": code})


def error_reply(c: _Ctx, intent: str, err: CoopError) -> Reply:
    text = error_text(c.lang, err, c.locale) + " " + c.t("error.retry")
    return Reply(lang=c.lang, intent=intent, text=text, data={"error": err.code, "params": {k: str(v) for k, v in err.params.items()}},
                 suggestions=[c.t("suggest.h1"), c.t("suggest.status")])


# ------------------------------------------------------------------------------------------


def _once(parts: list[Reply]) -> None:
    """One reply states each thing once: a later answer drops a line an earlier one already
    said (a reading note, the PoE reminder, a link) and a block of timeline bullets already
    shown whole (two questions about the same cycle)."""
    seen_lines: set[str] = set()
    seen_blocks: set[tuple[str, ...]] = set()
    seen_notes: set[str] = set()
    poe_answered = any(p.intent == "poe_retention" for p in parts)
    for part in parts:
        if part.reading_note and part.reading_note in seen_notes:
            part.reading_note = None  # two questions that share a reading: its note once
        elif part.reading_note:
            seen_notes.add(part.reading_note)
        lines = part.text.split("\n")
        if poe_answered and part.intent not in ("poe_retention", "rule"):  # the PoE question's own answer says it
            # (a rule question's statements are what it asked: "what is a PoE?" keeps them)
            lines = [ln for ln in lines if "(PoE)" not in ln]
        out: list[str] = []
        i = 0
        while i < len(lines):
            if lines[i].startswith("- "):
                j = i
                while j < len(lines) and lines[j].startswith("- "):
                    j += 1
                block = tuple(lines[i:j])
                if block not in seen_blocks:
                    out.extend(block)
                    seen_blocks.add(block)
                i = j
                continue
            line = lines[i]
            if not line.strip() or line not in seen_lines:
                out.append(line)
                if line.strip():
                    seen_lines.add(line)
            i += 1
        part.text = "\n".join(_squeeze(out)).strip("\n")


def compose_multi(u: Understanding) -> Reply:
    """Several questions in one message: one Reply per question, in order; the outer text holds
    every answer in that order, each under the question it answers, ready to paste back."""
    parts = [compose(q) for q in u.questions]
    _once(parts)
    texts = [part.text for part in parts]
    timelines = [tl for p in parts for tl in p.timelines]
    links = list(dict.fromkeys(ln for p in parts for ln in p.links))
    notes = list(dict.fromkeys(p.reading_note for p in parts if p.reading_note))
    keep = next((p.poe_keep_until for p in parts if p.poe_keep_until), None)
    mentioned = sorted({d for p in parts for d in p.data.get("mentioned_deadlines", [])})

    deadlines = sorted({d for p in parts for d in p.data.get("deadlines", [])})
    last = parts[-1]
    remembered = ConversationContext.from_dict(dict(last.context, intent=last.intent, lang=u.lang))
    remembered.question = u.text.strip()[:MAX_REMEMBERED] or None  # the whole ticket, for "and in French?"
    return Reply(lang=u.lang, intent="multi", text="\n\n".join(texts), title=parts[0].title, timelines=timelines,
                 poe_keep_until=keep, links=links, suggestions=last.suggestions, action=None,
                 reading_note=" ".join(notes) or None, context=remembered.to_dict(),
                 data={"intent": "multi", "lang": u.lang, "locale": locale_tag(u.locale, u.lang),
                       "today": u.today.isoformat(),
                       "questions": [p.intent for p in parts], "deadlines": deadlines, "mentioned_deadlines": mentioned},
                 parts=parts)


MAX_REMEMBERED = 2000  # the last question is remembered as understood, up to this long


def compose(u: Understanding) -> Reply:
    if u.intent == "multi" and u.questions:
        return compose_multi(u)
    c = _Ctx(u)
    intent = u.intent
    if u.set_aside and not u.slots.periods and not u.slots.period_error and (
            intent in CYCLE_INTENTS and intent != "status" or intent in ("poe_retention", "can_fund")):
        # every date named is an invoice's, an order's or a deadline the message states: no cycle
        # to answer for, and never today's status instead
        reply = Reply(lang=c.lang, intent="clarify_date", text=c.t("fallback.set_aside"),
                      suggestions=[c.t("suggest.h1"), c.t("suggest.poe")])
    elif intent in CYCLE_INTENTS:
        if u.slots.period_error:
            reply = error_reply(c, intent, u.slots.period_error)
        elif intent == "status" and not u.slots.periods:
            reply = answer_now(c, "status")
        else:
            reply = answer_cycle(c, "claim_deadline" if intent == "status" else intent)
            reply.intent = intent
    elif intent == "poe_retention":
        reply = error_reply(c, intent, u.slots.period_error) if u.slots.period_error else answer_poe(c)
    elif intent == "split":
        reply = answer_split(c)
    elif intent == "threshold":
        reply = answer_threshold(c)
    elif intent == "program_eligibility":
        reply = answer_program(c)
    elif intent == "can_fund" or (intent == "fundable" and any(r == "plan" for r in u.roles)):
        reply = error_reply(c, intent, u.slots.period_error) if u.slots.period_error else answer_can_fund(c)
    elif intent == "fundable":
        reply = answer_fundable(c)
    elif intent == "roles":
        reply = answer_roles(c)
    elif intent == "how_to_claim":
        reply = answer_howto(c)
    elif intent in ACTION_INTENTS:
        reply = answer_action(c, intent)
    elif intent == "other_language":
        reply = answer_other_language(c)
    elif intent == "rule":
        from .rules import answer_rule

        reply = answer_rule(u.text, u.lang, hits=u.rule_hits, locale=u.locale, today=u.today, verdict=_term_verdict(c))
    else:
        reply = answer_simple(c, intent)
    if "asserted" in u.set_aside and reply.timelines:
        # "the deadline is 31 December, confirm": never; a yes or no stays the first word
        lines = reply.text.split("\n")
        asks = asks_yes_no(u.folded, intonation=True)
        if asks and u.asserted_days and not _starts_with_verdict(c, lines[0]):
            # "my colleague says we have until 15 February 2027, right?": yes only when every day the
            # message states is a deadline of what it asks about (a claim end or a forfeiture date)
            truth = {d for tl in reply.timelines for d in (tl.claim_end, tl.usage_end)}
            right = all(d in truth for d in u.asserted_days)
            lines[0] = c.t("verdict.yes" if right else "verdict.no") + " " + lines[0]
        at = 1 if asks and len(lines) > 1 else 0
        reply.text = "\n".join(lines[:at] + [c.t("note.asserted")] + lines[at:])
    ctx = ConversationContext.from_dict({"intent": intent, "lang": u.lang, **(reply.context or {})})
    ctx.question = u.text.strip()[:MAX_REMEMBERED] or None  # for "say it in French", "sorry, 2025 not 2026"
    # for "why 15 Feb?": a day of the last answer quoted back is that answer, not a new date
    ctx.deadlines = [d for d in reply.data.get("deadlines", []) if isinstance(d, str)][:MAX_DEADLINES_REMEMBERED]
    ctx.items = list(u.items)[:MAX_ITEMS_REMEMBERED]  # for "and the second one?" after a list
    if reply.choices:
        ctx.pending = "clarify"
        ctx.choices = list(reply.choices)
        if u.roles and u.roles[0] in DATE_ROLES:
            ctx.period_role = u.roles[0]  # the answer to the choice keeps what the date was
    reply.context = ctx.to_dict()
    reply.data.setdefault("intent", intent)
    reply.data.setdefault("today", u.today.isoformat())  # the day the answer is true for
    reply.data.setdefault("lang", u.lang)
    reply.data.setdefault("locale", c.locale)
    return reply


#: deadlines of an answer kept for the next turn (an answer about a few cycles states a few)
MAX_DEADLINES_REMEMBERED = 8


def respond(text: str | None, *, lang: str | None = None, locale: str | None = None, today: date,
            context: dict[str, Any] | None = None, convention: str | None = None) -> Reply:
    """Understand one message and compose the answer (see docs/CONTRACTS.md)."""
    u = understand(text, lang=lang, locale=locale, today=today, context=context, convention=convention)
    try:
        return compose(u)
    except CoopError as err:  # e.g. a period that runs past the years the rules answer for
        reply = error_reply(_Ctx(u), u.intent, err)
        reply.context = {"intent": u.intent, "lang": u.lang}
        return reply
