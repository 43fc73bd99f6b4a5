""""Add to calendar": the co-op deadlines of a partner's periods as an iCalendar file.

For each cycle: the claiming window (an all-day span), the claim deadline (its last day, with
alarms 30/7/1 days before) and the forfeiture date (last day of the usage period, alarm 30 days
before); alarm offsets come from ``reminders/schedule.toml`` ``[calendar]``. UIDs are stable
(``claim-deadline-2021-H1@coop-assistant``), so re-importing the file updates events instead
of duplicating them.

>>> from datetime import date, datetime, timezone
>>> from reminders.schedule import upcoming_deadlines
>>> data = build_calendar(upcoming_deadlines(date(2022, 3, 1)), "en",
...                       stamp=datetime(2022, 3, 1, tzinfo=timezone.utc))
>>> b"DTSTART;VALUE=DATE:20220815" in data and b"TRIGGER:-P7D" in data
True
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Iterable, Optional

from icalendar import Alarm, Calendar, Event

from core import Cycle, calendar

from . import messages
from .schedule import Schedule, cycle_label, load_schedule

PRODID = "-//Co-op Assistant//co-op deadlines//EN"
UID_DOMAIN = "coop-assistant"


def _alarm(days: int, description: str) -> Alarm:
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", description)
    alarm.add("trigger", timedelta(days=-days))
    return alarm


def _alarm_text(names: dict, title: str, days: int) -> str:
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


def build_calendar(cycles: Iterable[Cycle], lang: str = "en", *, locale: Optional[str] = None,
                   convention: str = "seed", schedule: Optional[Schedule] = None,
                   stamp: Optional[datetime] = None) -> bytes:
    """The .ics bytes for ``cycles`` in ``lang`` (titles) — dates are all-day, time-zone free."""
    schedule = schedule or load_schedule()
    stamp = stamp or datetime.now(timezone.utc).replace(microsecond=0)
    names = messages.calendar_names(lang)
    cal = calendar()
    ics = Calendar()
    ics.add("prodid", PRODID)
    ics.add("version", "2.0")
    ics.add("calscale", "GREGORIAN")
    ics.add("method", "PUBLISH")
    ics.add("x-wr-calname", names["calname"])
    day = timedelta(days=1)
    for cyc in cycles:
        label_key = cycle_label(cyc)
        other = "microsoft" if convention == "seed" else "seed"
        label = f"{cal.fy_label(cyc.earning, convention)} / {cal.fy_label(cyc.earning, other)}"
        earning = messages.months_text(cyc.earning.start, cyc.earning.end, lang, locale)
        values = {"earning": earning, "label": label}
        window = _event(f"claim-window-{label_key}", names["window"].format(**values),
                        cyc.claiming.start, cyc.claiming.end + day, stamp)
        ics.add_component(window)
        title = names["deadline"].format(**values)
        deadline = _event(f"claim-deadline-{label_key}", title, cyc.claiming.end,
                          cyc.claiming.end + day, stamp)
        for days in schedule.claim_deadline_alarm_days:
            deadline.add_component(_alarm(days, _alarm_text(names, title, days)))
        ics.add_component(deadline)
        title = names["forfeiture"].format(**values)
        forfeiture = _event(f"forfeiture-{label_key}", title, cyc.forfeiture,
                            cyc.forfeiture + day, stamp)
        for days in schedule.forfeiture_alarm_days:
            forfeiture.add_component(_alarm(days, _alarm_text(names, title, days)))
        ics.add_component(forfeiture)
    return ics.to_ical()
