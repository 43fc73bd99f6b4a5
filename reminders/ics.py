""""Add to calendar": the co-op deadlines of some cycles as an iCalendar file.

For each cycle, three all-day events, one day each (no six-month banners): the claiming window
opens, the claiming window closes (the claim deadline), and the last day to use the funds
(after it unused funds are forfeited). Each event has ONE alarm, ``[calendar]
alarm_days_before`` days before it (``reminders/schedule.toml``), a DESCRIPTION with the
cycle's facts (earning, usage and claiming periods, the proof-of-execution retention) and the
claim page, also as the event's URL. UIDs are stable (``claim-closes-2021-H1@coop-assistant``),
so re-importing the file or refreshing a subscription updates events instead of duplicating
them. Two sources use it: the file of a card's own cycles (``GET /calendar/cycles/...``) and
the user's subscription feed (``GET /calendar/<token>.ics``: the cycles still open on the day
it is fetched, so it stays current as cycles roll over).

>>> from datetime import date, datetime, timezone
>>> from reminders.schedule import upcoming_deadlines
>>> data = build_calendar(upcoming_deadlines(date(2022, 3, 1)), "en",
...                       stamp=datetime(2022, 3, 1, tzinfo=timezone.utc))
>>> b"DTSTART;VALUE=DATE:20220815" in data and b"TRIGGER:-P7D" in data
True
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Iterable, Optional

from icalendar import Alarm, Calendar, Event

from core import Cycle, calendar, load_policy
from planner import Activity, activity_facts
from understanding import messages as catalogue, registry

from . import messages
from .schedule import Schedule, cycle_label, load_schedule

PRODID = "-//Co-op Assistant//co-op deadlines//EN"
UID_DOMAIN = "coop-assistant"
CLAIM_LINK_KEY = "create_claim"
REFRESH = timedelta(days=1)  # how often a subscribed calendar should fetch the feed again


def _alarm(days: int, description: str) -> Alarm:
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", description)
    alarm.add("trigger", timedelta(days=-days))
    return alarm


def _alarm_text(names: dict, title: str, days: int) -> str:
    if days == 0:
        return title
    return names["alarm_one" if days == 1 else "alarm"].format(title=title, days=days)


def _event(uid: str, summary: str, start, end_exclusive, stamp: datetime,
           description: str = "") -> Event:
    event = Event()
    event.add("uid", f"{uid}@{UID_DOMAIN}")
    event.add("dtstamp", stamp)
    event.add("summary", summary)
    event.add("dtstart", start)
    event.add("dtend", end_exclusive)
    event.add("transp", "TRANSPARENT")
    if description:
        event.add("description", description)
    return event


def build_calendar(cycles: Iterable[Cycle], lang: str = registry.DEFAULT, *, locale: Optional[str] = None,
                   convention: str | None = None, schedule: Optional[Schedule] = None,
                   stamp: Optional[datetime] = None, alarm_days: Optional[int] = None,
                   activities: Iterable[Activity] = (), today: Optional[date] = None) -> bytes:
    """The .ics bytes for ``cycles`` in ``lang`` (titles, descriptions) — all-day dates, time-zone
    free. ``alarm_days`` overrides the schedule's ``[calendar] alarm_days_before``.

    ``activities`` (a person's tracked activities, ``planner``): for each, the claim deadline
    of each of its claiming windows while it is not marked claimed (an activity across two
    usage periods has one per period), and the last day to keep its proof of execution; only
    dates on or after ``today`` (default: the stamp's day). UIDs are stable per activity and
    window, so an edited activity moves its events instead of adding new ones."""
    schedule = schedule or load_schedule()
    days = schedule.calendar_alarm_days if alarm_days is None else alarm_days
    stamp = stamp or datetime.now(timezone.utc).replace(microsecond=0)
    lang = messages._lang(lang)  # noqa: SLF001 - the package's own helper
    names = messages.calendar_names(lang)
    url = load_policy().link(CLAIM_LINK_KEY).url
    months = load_policy().retention.poe_months
    cal = calendar()
    ics = Calendar()
    ics.add("prodid", PRODID)
    ics.add("version", "2.0")
    ics.add("calscale", "GREGORIAN")
    ics.add("method", "PUBLISH")
    ics.add("x-wr-calname", names["calname"])
    ics.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    ics.add("x-published-ttl", "P1D")
    day = timedelta(days=1)

    def fmt(d):
        return messages.fmt_date(d, lang, locale)

    def span(a, b):
        return catalogue.t(lang, "card.range", start=fmt(a), end=fmt(b))

    for cyc in cycles:
        key = cycle_label(cyc)
        label = messages.fy_labels(cyc, lang, convention)
        earning = messages.months_text(cyc.earning.start, cyc.earning.end, lang, locale)
        values = {"earning": earning, "label": label}
        description = catalogue.t(
            lang, "ics.description", earning=earning, label=label,
            earning_range=span(cyc.earning.start, cyc.earning.end),
            usage_range=span(cyc.usage.start, cyc.usage.end), forfeiture=fmt(cyc.forfeiture),
            claim_range=span(cyc.claiming.start, cyc.claiming.end), months=months, url=url)
        for uid, template, when in ((f"claim-opens-{key}", "window_opens", cyc.claiming.start),
                                    (f"claim-closes-{key}", "deadline", cyc.claiming.end),
                                    (f"forfeiture-{key}", "forfeiture", cyc.forfeiture)):
            title = names[template].format(**values)
            event = _event(uid, title, when, when + day, stamp, description)
            event.add("url", url)
            event.add_component(_alarm(days, _alarm_text(names, title, days)))
            ics.add_component(event)
    today = today or stamp.date()
    for activity in activities:
        facts = activity_facts(activity.start, activity.end, today)
        activity_dates = (fmt(activity.start) if activity.start == activity.end
                          else span(activity.start, activity.end))
        for part in facts.parts:
            description = catalogue.t(
                lang, "ics.activity_description", name=activity.name, activity_dates=activity_dates,
                usage_range=span(part.usage.start, part.usage.end),
                claim_range=span(part.claim_opens, part.claim_closes),
                keep_until=fmt(facts.keep_until), url=url)
            events = []
            if activity.claimed_on is None and part.claim_closes >= today:
                events.append((f"activity-claim-closes-{activity.id}-{part.cycle_label}",
                               names["activity_deadline"], part.claim_closes))
            if part is facts.parts[-1] and facts.keep_until >= today:
                events.append((f"activity-keep-until-{activity.id}", names["activity_keep"],
                               facts.keep_until))
            for uid, template, when in events:
                title = template.format(name=activity.name)
                event = _event(uid, title, when, when + day, stamp, description)
                event.add("url", url)
                event.add_component(_alarm(days, _alarm_text(names, title, days)))
                ics.add_component(event)
    return ics.to_ical()
