"""The Teams surfaces this branch added write the first of a month "1er" in French (the answer
cards with their sections, the reminder cards, the calendar files' descriptions; i18n's
tests/test_french_dates.py covers the formatter itself): French never writes "1 juillet"."""
from __future__ import annotations

import re
from datetime import date

import icalendar

from bot.cards import reply_activity
from reminders.digest import digest_activity
from reminders.ics import build_calendar
from reminders.schedule import due_reminders, upcoming_deadlines
from understanding import respond

MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
          "octobre", "novembre", "décembre")
BARE_FIRST = re.compile(r"(?<![\d/])1[\s\u00a0\u202f]+(" + "|".join(MONTHS) + r")\b", re.IGNORECASE)


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def test_french_answers_and_cards_write_1er():
    seen_first = False
    for question in ("Quand dois-je réclamer les fonds H1 ?", "Que veut dire FY21 H2 ?",
                     "Que puis-je réclamer maintenant ?"):
        reply = respond(question, locale="en-US", today=date(2026, 12, 1))
        activity = reply_activity(reply, "en-US", base_url="https://bot.example")
        for text in [reply.text, *_strings(activity.attachments[0].content if activity.attachments else {})]:
            assert not BARE_FIRST.search(text), text
            seen_first = seen_first or "1er " in text
    assert seen_first  # the first of a month did come up


def test_french_reminder_cards_and_calendar_write_1er():
    items = due_reminders(date(2022, 12, 1), date(2022, 11, 30))
    activity = digest_activity(items, date(2022, 12, 1), "fr", "fr-FR", base_url="https://bot.example")
    for text in _strings(activity):
        assert not BARE_FIRST.search(text), text
    cal = icalendar.Calendar.from_ical(build_calendar(upcoming_deadlines(date(2026, 12, 1)), "fr"))
    descriptions = [str(e["DESCRIPTION"]) for e in cal.walk("VEVENT")]
    assert any("1er " in d for d in descriptions)
    assert not [d for d in descriptions if BARE_FIRST.search(d)]
