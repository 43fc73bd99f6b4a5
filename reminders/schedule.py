"""Which reminders fall due on which day. Pure: dates in, reminder items out.

The offsets are policy data (``reminders/schedule.toml``); the dates they are counted from
come from ``core`` (claiming window, usage period end). Three kinds of reminder:

- ``claim_open``: a claiming window opens (offset: days after it opens);
- ``claim_close``: a claiming window is about to close (days before its last day);
- ``forfeiture``: a usage period is about to end (days before its last day), after which
  unused funds are forfeited.

Every item has a stable key such as ``claim_close:2021-H1:7`` (kind; earning half named by
the calendar year of its first month, here July–December 2021, claimed 16 February – 15 August
2022; offset) so the delivery ledger can refuse a second
delivery of the same reminder.

>>> from datetime import date
>>> [i.key for i in due_reminders(date(2022, 7, 16), date(2022, 7, 15))]
['claim_close:2021-H1:30']
>>> [(i.key, i.deadline.isoformat()) for i in due_reminders(date(2022, 8, 14), date(2022, 8, 13))]
[('claim_close:2021-H1:1', '2022-08-15')]

After downtime only the most relevant missed item per deadline is kept (the 7-day one, not
the 30-day one too), and never one whose deadline is already past:

>>> [i.key for i in due_reminders(date(2022, 8, 10), date(2022, 7, 1))]
['claim_close:2021-H1:7']
>>> [i.key for i in due_reminders(date(2022, 8, 16), date(2022, 8, 1))]
['claim_open:2022-H2:0']
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from core import Cycle, calendar
from core.periods import CoopCalendar

SCHEDULE_PATH = Path(__file__).resolve().parent / "schedule.toml"

KINDS = ("claim_open", "claim_close", "forfeiture")
# Kinds that share a deadline compete in catch-up: the claiming window's last day for both
# claim kinds, the usage period's last day for forfeiture.
_GROUP = {"claim_open": "claim", "claim_close": "claim", "forfeiture": "forfeiture"}
MAX_OFFSET_DAYS = 366


class ScheduleError(ValueError):
    """``schedule.toml`` is unusable; the message names the file and the key."""


@dataclass(frozen=True)
class Schedule:
    claim_opens: tuple[int, ...] = (0,)
    claim_closes_days_before: tuple[int, ...] = (30, 7, 1)
    forfeiture_days_before: tuple[int, ...] = (30,)
    catch_up_days: int = 400
    calendar_alarm_days: int = 7  # the one alarm of each calendar event, days before it


def _offsets(table: dict, section: str, key: str, where: str, *, allow_empty: bool = True) -> tuple[int, ...]:
    if key not in table:
        raise ScheduleError(f"{where}: missing key [{section}].{key} (a list of whole days)")
    value = table[key]
    if not isinstance(value, list) or not all(type(v) is int for v in value):
        raise ScheduleError(f"{where}: [{section}].{key} must be a list of whole days, got {value!r}")
    if not value and not allow_empty:
        raise ScheduleError(f"{where}: [{section}].{key} must not be empty")
    for v in value:
        if not 0 <= v <= MAX_OFFSET_DAYS:
            raise ScheduleError(f"{where}: [{section}].{key} has {v}; offsets must be between 0 and "
                                f"{MAX_OFFSET_DAYS} days")
    if len(set(value)) != len(value):
        raise ScheduleError(f"{where}: [{section}].{key} repeats an offset: {value!r}")
    return tuple(sorted(value, reverse=True))


def parse_schedule(data: dict, where: str = "schedule.toml") -> Schedule:
    """Validate a parsed ``schedule.toml``; raise :class:`ScheduleError` naming the bad key."""
    known = {"reminders": {"claim_opens", "claim_closes_days_before", "forfeiture_days_before",
                           "catch_up_days"},
             "calendar": {"alarm_days_before"}}
    for section, keys in known.items():
        table = data.get(section)
        if not isinstance(table, dict):
            raise ScheduleError(f"{where}: missing table [{section}]")
        unknown = set(table) - keys
        if unknown:
            raise ScheduleError(f"{where}: unknown key(s) in [{section}]: {', '.join(sorted(unknown))}")
    rem, cal = data["reminders"], data["calendar"]
    catch_up = rem.get("catch_up_days")
    if type(catch_up) is not int or not 1 <= catch_up <= 3660:
        raise ScheduleError(f"{where}: [reminders].catch_up_days must be a whole number of days "
                            f"between 1 and 3660, got {catch_up!r}")
    alarm = cal.get("alarm_days_before")
    if type(alarm) is not int or not 0 <= alarm <= 90:
        raise ScheduleError(f"{where}: [calendar].alarm_days_before must be a whole number of days "
                            f"between 0 and 90, got {alarm!r}")
    return Schedule(
        claim_opens=_offsets(rem, "reminders", "claim_opens", where),
        claim_closes_days_before=_offsets(rem, "reminders", "claim_closes_days_before", where),
        forfeiture_days_before=_offsets(rem, "reminders", "forfeiture_days_before", where),
        catch_up_days=catch_up,
        calendar_alarm_days=alarm,
    )


def load_schedule_file(path: Path) -> Schedule:
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except OSError as error:
        raise ScheduleError(f"cannot read {path}: {error}") from error
    except tomllib.TOMLDecodeError as error:
        raise ScheduleError(f"{path}: not valid TOML: {error}") from error
    return parse_schedule(data, str(path))


@lru_cache(maxsize=1)
def load_schedule() -> Schedule:
    """The schedule of ``reminders/schedule.toml`` (read and validated once)."""
    return load_schedule_file(SCHEDULE_PATH)


@dataclass(frozen=True, order=True)
class ReminderItem:
    """One reminder for one cycle, due on ``due_date``, about ``deadline``."""

    due_date: date
    kind: str
    offset: int
    cycle_label: str  # e.g. "2021-H2": earning half, by the calendar year of its first month
    deadline: date  # the day after which the reminder is pointless (claim end / forfeiture)
    cycle: Cycle

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.cycle_label}:{self.offset}"

    @property
    def group(self) -> str:
        """Items of one group compete in catch-up (same cycle, same deadline)."""
        return f"{_GROUP[self.kind]}:{self.cycle_label}"


def cycle_label(cycle: Cycle) -> str:
    return f"{cycle.earning.start.year}-{cycle.earning.name}"


def items_for_cycle(cycle: Cycle, schedule: Schedule) -> list[ReminderItem]:
    """Every reminder of one cycle, in due-date order."""
    label = cycle_label(cycle)
    out = [ReminderItem(cycle.claiming.start + timedelta(days=d), "claim_open", d, label,
                        cycle.claiming.end, cycle) for d in schedule.claim_opens]
    out += [ReminderItem(cycle.claiming.end - timedelta(days=d), "claim_close", d, label,
                         cycle.claiming.end, cycle) for d in schedule.claim_closes_days_before]
    out += [ReminderItem(cycle.forfeiture - timedelta(days=d), "forfeiture", d, label,
                         cycle.forfeiture, cycle) for d in schedule.forfeiture_days_before]
    return sorted(out)


def _cycles_around(day: date, cal: CoopCalendar) -> list[Cycle]:
    """Cycles with a reminder that can be due on ``day`` with its deadline not yet past."""
    half = cal.half_containing(day)
    first = half
    # walk back while the cycle's deadlines can still lie on or after `day`
    while True:
        previous = cal.next_half(first, -1)
        cyc = cal.cycle(previous)
        if max(cyc.claiming.end, cyc.forfeiture) < day:
            break
        first = previous
    # forward: cycles whose earliest reminder can already be due (offsets up to a year)
    last = cal.next_half(half, 3)
    out, h = [], first
    while h.first <= last.first:
        out.append(cal.cycle(h))
        h = cal.next_half(h)
    return out


def due_reminders(as_of: date, last_swept: date | None, *, schedule: Schedule | None = None,
                  cal: CoopCalendar | None = None) -> list[ReminderItem]:
    """Reminders due in ``(last_swept, as_of]`` whose deadline is not past on ``as_of``.

    ``last_swept=None`` means "nothing swept yet": only ``as_of`` itself counts. The look-back
    is capped at ``catch_up_days``. When several items of one deadline fell due in the window
    (downtime), only the latest-due one is kept: one reminder per deadline, the most relevant.
    """
    schedule = schedule or load_schedule()
    cal = cal or calendar()
    if last_swept is None:
        last_swept = as_of - timedelta(days=1)
    last_swept = max(last_swept, as_of - timedelta(days=schedule.catch_up_days))
    if last_swept >= as_of:
        return []
    best: dict[str, ReminderItem] = {}
    for cyc in _cycles_around(as_of, cal):
        for item in items_for_cycle(cyc, schedule):
            if last_swept < item.due_date <= as_of and item.deadline >= as_of:
                kept = best.get(item.group)
                if kept is None or (item.due_date, -item.offset) > (kept.due_date, -kept.offset):
                    best[item.group] = item
    return sorted(best.values())


def next_reminder(after: date, *, schedule: Schedule | None = None,
                  cal: CoopCalendar | None = None) -> ReminderItem | None:
    """The first reminder due strictly after ``after`` (what a confirmation announces).

    >>> next_reminder(date(2022, 7, 15)).key
    'claim_close:2021-H1:30'
    """
    schedule = schedule or load_schedule()
    cal = cal or calendar()
    candidates = [item for cyc in _cycles_around(after, cal) for item in items_for_cycle(cyc, schedule)
                  if item.due_date > after and item.deadline >= item.due_date]
    return min(candidates, default=None)


def urgent_reminders(today: date, *, schedule: Schedule | None = None,
                     cal: CoopCalendar | None = None) -> list[ReminderItem]:
    """The reminders someone who subscribes on ``today`` would otherwise never get: a deadline
    still ahead (on or after ``today``) whose every reminder fell due before ``today`` (closer
    than the usual notice). One per deadline, the latest one due: it is sent at once (on the
    next sweep), exactly once (the ledger's key is the item's). Reminders due on ``today`` or
    later are the sweeps' own.

    >>> [(i.key, i.deadline.isoformat()) for i in urgent_reminders(date(2026, 12, 7))]
    [('forfeiture:2026-H2:30', '2026-12-31')]
    >>> [i.key for i in urgent_reminders(date(2027, 2, 15))]  # the window closes today
    ['claim_close:2026-H2:1']
    >>> urgent_reminders(date(2026, 11, 30))  # the 30-day notice is tomorrow's
    []
    """
    if schedule is None and cal is None:
        return list(_default_urgent(today))  # every card and confirmation of a day asks the same
    return _urgent(today, schedule, cal)


@lru_cache(maxsize=64)
def _default_urgent(today: date) -> tuple[ReminderItem, ...]:
    return tuple(_urgent(today, load_schedule(), calendar()))


def _urgent(today: date, schedule: Schedule | None, cal: CoopCalendar | None) -> list[ReminderItem]:
    schedule = schedule or load_schedule()
    cal = cal or calendar()
    groups: dict[str, list[ReminderItem]] = {}
    for cyc in _cycles_around(today, cal):
        for item in items_for_cycle(cyc, schedule):
            groups.setdefault(item.group, []).append(item)
    out = []
    for items in groups.values():
        if items[0].deadline < today or any(i.due_date >= today for i in items):
            continue
        out.append(max(items, key=lambda i: (i.due_date, -i.offset)))
    return sorted(out)


def _as_cycle(cycle: Cycle | str, cal: CoopCalendar) -> Cycle:
    if isinstance(cycle, Cycle):
        return cycle
    year, name = str(cycle).split("-")
    return cal.cycle(cal.half_named(name, int(year)))


def reminder_ahead(cycles: Iterable[Cycle | str], today: date, *, schedule: Schedule | None = None,
                   cal: CoopCalendar | None = None) -> ReminderItem | None:
    """The first reminder about ``cycles`` (cycles or labels such as ``2026-H2``) that
    someone who subscribes on ``today`` gets, or None when none lies ahead (every deadline of
    those cycles has passed): what decides a card's *Remind me* and what its confirmation
    names. An urgent one (:func:`urgent_reminders`) goes out at once: its ``due_date`` is
    ``today`` here.

    >>> reminder_ahead(["2026-H2"], date(2026, 12, 7)).due_date  # forfeiture on Dec 31: at once
    datetime.date(2026, 12, 7)
    >>> reminder_ahead(["2026-H1"], date(2026, 12, 7)).key  # its claiming period opens Feb 16, 2027
    'claim_open:2026-H1:0'
    >>> reminder_ahead(["2020-H1"], date(2026, 12, 7)) is None  # closed years ago
    True
    """
    if schedule is None and cal is None:
        labels = tuple(sorted({c if isinstance(c, str) else cycle_label(c) for c in cycles}))
        return _default_ahead(labels, today)
    return _ahead(cycles, today, schedule, cal)


@lru_cache(maxsize=256)
def _default_ahead(labels: tuple[str, ...], today: date) -> ReminderItem | None:
    return _ahead(labels, today, None, None)


def _ahead(cycles: Iterable[Cycle | str], today: date, schedule: Schedule | None,
           cal: CoopCalendar | None) -> ReminderItem | None:
    schedule = schedule or load_schedule()
    cal = cal or calendar()
    wanted = {cycle_label(_as_cycle(c, cal)) for c in cycles}
    if not wanted:
        return None
    urgent = [replace(i, due_date=today) for i in urgent_reminders(today, schedule=schedule, cal=cal)
              if i.cycle_label in wanted]
    ahead = [i for label in wanted for i in items_for_cycle(_as_cycle(label, cal), schedule)
             if i.due_date >= today and i.deadline >= i.due_date]
    return min(urgent + ahead, default=None)


def next_by_kind(today: date, *, urgent: bool = True, schedule: Schedule | None = None,
                 cal: CoopCalendar | None = None) -> dict[str, date]:
    """Each kind's next reminder on ``today`` ("my reminders" dates each): the first due on
    or after ``today``; with ``urgent``, one whose usual notice has passed counts as ``today``
    (what someone who subscribes today gets).

    >>> {k: d.isoformat() for k, d in next_by_kind(date(2026, 12, 7)).items()}
    {'claim_open': '2027-02-16', 'claim_close': '2027-01-16', 'forfeiture': '2026-12-07'}
    >>> next_by_kind(date(2026, 12, 7), urgent=False)["forfeiture"].isoformat()
    '2027-05-31'
    """
    schedule = schedule or load_schedule()
    cal = cal or calendar()
    out: dict[str, date] = {}
    for item in urgent_reminders(today, schedule=schedule, cal=cal) if urgent else ():
        out[item.kind] = today
    for cyc in _cycles_around(today, cal):
        for item in items_for_cycle(cyc, schedule):
            if item.due_date >= today and item.deadline >= item.due_date and item.due_date < out.get(item.kind, date.max):
                out[item.kind] = item.due_date
    return {kind: out[kind] for kind in KINDS if kind in out}


def upcoming_deadlines(today: date, *, cal: CoopCalendar | None = None, count: int = 3) -> list[Cycle]:
    """The cycles a partner should have in their calendar on ``today``: every cycle already
    earning or earned whose claiming window has not closed, plus the next one, oldest first."""
    cal = cal or calendar()
    half = cal.half_containing(today)
    out: list[Cycle] = []
    h = half
    while True:
        cyc = cal.cycle(h)
        if cyc.claiming.end < today:
            break
        out.append(cyc)
        h = cal.next_half(h, -1)
    out.reverse()
    out.append(cal.cycle(cal.next_half(half)))
    return out[-count:] if count else out
