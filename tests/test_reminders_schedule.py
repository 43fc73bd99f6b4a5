"""reminders.schedule (pure), reminders.messages and reminders.ics: dates in, facts out."""

import doctest
from datetime import date, datetime, timedelta, timezone

import icalendar
import pytest
from hypothesis import given, settings, strategies as st

import reminders.ics
import reminders.messages
import reminders.schedule
from reminders.ics import build_calendar
from reminders.messages import confirm_subscribed, digest_text
from reminders.schedule import (ScheduleError, due_reminders, items_for_cycle, load_schedule,
                                next_reminder, parse_schedule, upcoming_deadlines)

from core import calendar

DAYS = st.dates(min_value=date(2001, 1, 1), max_value=date(2099, 12, 31))


@pytest.mark.parametrize("module", [reminders.schedule, reminders.messages, reminders.ics])
def test_doctests(module):
    assert doctest.testmod(module).failed == 0


def test_schedule_file_holds_the_issue_offsets():
    s = load_schedule()
    assert s.claim_opens == (0,)
    assert s.claim_closes_days_before == (30, 7, 1)
    assert s.forfeiture_days_before == (30,)


def _valid():
    return {"reminders": {"claim_opens": [0], "claim_closes_days_before": [30, 7, 1],
                          "forfeiture_days_before": [30], "catch_up_days": 400},
            "calendar": {"alarm_days_before": 7}}


@pytest.mark.parametrize("section,key,value,match", [
    ("reminders", "claim_closes_days_before", [30, "7"], r"\[reminders\]\.claim_closes_days_before"),
    ("reminders", "forfeiture_days_before", [-1], r"\[reminders\]\.forfeiture_days_before"),
    ("reminders", "claim_opens", 0, r"\[reminders\]\.claim_opens"),
    ("reminders", "catch_up_days", 0, r"\[reminders\]\.catch_up_days"),
    ("calendar", "alarm_days_before", [7], r"\[calendar\]\.alarm_days_before"),
    ("calendar", "alarm_days_before", 400, r"\[calendar\]\.alarm_days_before"),
    ("reminders", "claim_closes_days_befor", [1], r"unknown key.*claim_closes_days_befor"),
])
def test_a_bad_schedule_names_the_key(section, key, value, match):
    data = _valid()
    data[section][key] = value
    with pytest.raises(ScheduleError, match=match):
        parse_schedule(data)


def test_a_missing_key_is_named():
    data = _valid()
    del data["reminders"]["forfeiture_days_before"]
    with pytest.raises(ScheduleError, match=r"missing key \[reminders\]\.forfeiture_days_before"):
        parse_schedule(data)


def test_the_dates_of_one_cycle():
    # Earnings Jul-Dec 2021: usage Jan-Jun 2022, claiming Feb 16 - Aug 15 2022 (seed table).
    cyc = calendar().cycle_for_date(date(2021, 8, 1))
    got = {i.key: i.due_date for i in items_for_cycle(cyc, load_schedule())}
    assert got == {
        "claim_open:2021-H1:0": date(2022, 2, 16),
        "claim_close:2021-H1:30": date(2022, 7, 16),
        "claim_close:2021-H1:7": date(2022, 8, 8),
        "claim_close:2021-H1:1": date(2022, 8, 14),
        "forfeiture:2021-H1:30": date(2022, 5, 31),
    }


def test_a_day_with_two_reminders_gives_both():
    # 2022-12-01: forfeiture of Jan-Jun 2022 earnings (Dec 31 - 30 days)
    keys = [i.key for i in due_reminders(date(2022, 12, 1), date(2022, 11, 30))]
    assert keys == ["forfeiture:2022-H2:30"]
    keys = [i.key for i in due_reminders(date(2022, 12, 1), date(2022, 8, 15))]
    assert keys == ["claim_open:2022-H2:0", "forfeiture:2022-H2:30"]


def test_catch_up_sends_only_the_most_relevant_per_deadline():
    items = due_reminders(date(2022, 8, 14), date(2022, 7, 1))
    assert [i.key for i in items] == ["claim_close:2021-H1:1"]


@settings(max_examples=300, deadline=None)
@given(DAYS, st.integers(min_value=0, max_value=500))
def test_never_a_past_deadline_and_one_item_per_deadline(as_of, gap):
    items = due_reminders(as_of, as_of - timedelta(days=gap))
    assert all(i.deadline >= as_of for i in items)
    assert all(as_of - timedelta(days=gap) < i.due_date <= as_of for i in items)
    assert len({i.group for i in items}) == len(items)
    assert len({i.key for i in items}) == len(items)


@settings(max_examples=40, deadline=None)
@given(DAYS)
def test_daily_sweeps_see_every_reminder_exactly_once(start):
    # A year of daily sweeps without downtime: every scheduled item is due exactly once.
    seen = []
    for n in range(1, 366):
        day = start + timedelta(days=n)
        seen += [i.key for i in due_reminders(day, day - timedelta(days=1))]
    assert len(seen) == len(set(seen))
    cal, schedule = calendar(), load_schedule()
    expected = set()
    h = cal.half_containing(start - timedelta(days=800))
    while h.start <= start + timedelta(days=400):
        for item in items_for_cycle(cal.cycle(h), schedule):
            if start < item.due_date <= start + timedelta(days=365) and item.deadline >= item.due_date:
                expected.add(item.key)
        h = cal.next_half(h)
    assert set(seen) == expected


def test_next_reminder_for_a_confirmation():
    assert next_reminder(date(2022, 8, 8)).due_date == date(2022, 8, 14)
    assert next_reminder(date(2022, 8, 14)).key == "claim_open:2022-H2:0"


def test_digest_in_both_languages_states_dates_labels_and_poe():
    items = due_reminders(date(2022, 8, 8), date(2022, 8, 7))
    en = digest_text(items, date(2022, 8, 8), "en", "en-US")
    assert "7 days left" in en and "August 15, 2022" in en
    assert "FY22 H1" in en and "FY21 H1" not in en and "July – December 2021" in en  # Microsoft's label (SPEC rule 8)
    seed = digest_text(items, date(2022, 8, 8), "en", "en-US", convention="seed")  # the 2020 labelling as a setting
    assert "FY21 H1 in the co-op page's 2020 table, FY22 H1 in Microsoft's fiscal calendar" in seed
    assert "24 months" in en and "stop reminders" in en
    fr = digest_text(items, date(2022, 8, 8), "fr", "fr-FR")
    assert "Plus que 7 jours" in fr and "15 août 2022" in fr and "24 mois" in fr
    assert "juillet à décembre 2021" in fr
    assert "1er" not in fr


def test_last_day_wording():
    items = due_reminders(date(2022, 8, 14), date(2022, 8, 13))
    assert "Last day tomorrow" in digest_text(items, date(2022, 8, 14), "en")
    assert "Dernier jour demain" in digest_text(items, date(2022, 8, 14), "fr")


def test_confirmation_states_the_next_date():
    assert confirm_subscribed("en", date(2022, 8, 14), "en-US").endswith("August 14, 2022.")
    assert "14 août 2022" in confirm_subscribed("fr", date(2022, 8, 14), "fr-FR")


def test_ics_parses_and_carries_the_sample_partner_dates():
    stamp = datetime(2022, 3, 1, tzinfo=timezone.utc)
    cycles = upcoming_deadlines(date(2022, 3, 1))
    data = build_calendar(cycles, "en", stamp=stamp)
    cal = icalendar.Calendar.from_ical(data)
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    assert len(events) == 3 * len(cycles)  # opens, closes, forfeiture: nothing else
    for event in events.values():
        # one day each (no months-long banner), one alarm each, the facts and the claim page
        assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(days=1)
        assert [a.decoded("TRIGGER") for a in event.walk("VALARM")] == [timedelta(days=-7)]
        assert "Claiming period:" in str(event["DESCRIPTION"])
        assert "https://learn.microsoft.com/partner-center/create-incentives-claims" in str(event["DESCRIPTION"])
        assert str(event["URL"]) == "https://learn.microsoft.com/partner-center/create-incentives-claims"
    # Earnings Jul-Dec 2021: claim Feb 16 - Aug 15 2022, forfeiture Jun 30 2022.
    assert events["claim-opens-2021-H1@coop-assistant"].decoded("DTSTART") == date(2022, 2, 16)
    assert events["claim-closes-2021-H1@coop-assistant"].decoded("DTSTART") == date(2022, 8, 15)
    assert events["forfeiture-2021-H1@coop-assistant"].decoded("DTSTART") == date(2022, 6, 30)
    # Jan-Jun 2022 earnings: claim Aug 16 2022 - Feb 15 2023, forfeiture Dec 31 2022.
    assert events["claim-closes-2022-H2@coop-assistant"].decoded("DTSTART") == date(2023, 2, 15)
    assert events["forfeiture-2022-H2@coop-assistant"].decoded("DTSTART") == date(2022, 12, 31)
    # stable: same input, same bytes (UIDs do not change between downloads)
    assert build_calendar(cycles, "en", stamp=stamp) == data
    fr = icalendar.Calendar.from_ical(build_calendar(cycles, "fr", stamp=stamp))
    assert all("co-op" in str(e["SUMMARY"]) for e in fr.walk("VEVENT"))
    assert any("Date limite de demande" in str(e["SUMMARY"]) for e in fr.walk("VEVENT"))
    assert any("Période de demande" in str(e["DESCRIPTION"]) for e in fr.walk("VEVENT"))
    # the lead time is a setting
    other = icalendar.Calendar.from_ical(build_calendar(cycles[:1], "en", stamp=stamp, alarm_days=14))
    assert {a.decoded("TRIGGER") for a in other.walk("VALARM")} == {timedelta(days=-14)}
