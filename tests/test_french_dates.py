"""French dates as the French write them ("1er juillet 2025", "15 août 2025"), in every French
date the product writes — text, cards, reminders, calendar files — through the one formatter
(understanding.fmt.fmt_date); and French is formatted in French whatever the client locale
says: the answer's language decides the formatting language, the locale only the region."""
from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta, timezone

import icalendar
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.cards import reply_activity
from reminders.ics import build_calendar
from reminders.messages import digest_text
from reminders.messages import fmt_date as reminder_fmt_date
from reminders.schedule import due_reminders, upcoming_deadlines
from understanding import respond
from understanding.fmt import fmt_date

MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre")
# "1 juillet" (the number one alone before a month); not "11 juillet", "21 juillet", "1er juillet"
BARE_ONE = re.compile(r"(?<![\d])1[\s\u00a0\u202f]+(?:" + "|".join(MONTHS) + r")\b", re.IGNORECASE)
ENGLISH_MONTH = re.compile(r"\b(?:January|February|March|April|May|June|July|August|September|October|"
                           r"November|December)\b")
MONTH_FIRST = re.compile(r"\b(?:" + "|".join(MONTHS) + r") \d{1,2}, \d{4}")  # "juillet 1, 2025"

DAYS = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))
FIRSTS = st.builds(lambda y, m: date(y, m, 1), st.integers(2000, 2100), st.integers(1, 12))
CLIENT_LOCALES = st.sampled_from([None, "en-US", "en-GB", "fr-FR", "fr-CA", "de-DE", "xx"])


def french_ok(text: str) -> None:
    assert not BARE_ONE.search(text), text
    assert not ENGLISH_MONTH.search(text), text
    assert not MONTH_FIRST.search(text), text


def test_the_checks_catch_what_they_must():
    assert BARE_ONE.search("le 1 juillet 2025") and BARE_ONE.search("du 1\u00a0mars")
    assert not BARE_ONE.search("le 1er juillet 2025, le 11 juillet, le 21 mai, 1 jour")
    assert MONTH_FIRST.search("juillet 1, 2025")


def test_the_formatter():
    assert fmt_date(date(2025, 7, 1), "fr-FR", "fr") == "1er juillet 2025"
    assert fmt_date(date(2025, 7, 1), "en-US", "fr") == "1er juillet 2025"
    assert fmt_date(date(2025, 8, 15), "en-US", "fr") == "15 août 2025"
    assert fmt_date(date(2025, 7, 1), "fr-FR", "fr", "full") == "mardi 1er juillet 2025"
    assert fmt_date(date(2025, 7, 1), "fr-FR", "fr", "medium") == "1er juil. 2025"
    assert fmt_date(date(2025, 7, 1), "fr-FR", "fr", "short") == "01/07/2025"  # numeric: day first
    assert fmt_date(date(2025, 7, 1), "en-US", "fr", "short") == "01/07/2025"
    assert fmt_date(date(2025, 7, 1), "en-US", "en") == "July 1, 2025"
    assert fmt_date(date(2025, 7, 1), "en-GB", "en") == "1 July 2025"
    assert fmt_date(date(2025, 7, 1), "fr-FR", "en") == "July 1, 2025"  # the language decides
    assert reminder_fmt_date(date(2025, 7, 1), "fr", "en-US") == "1er juillet 2025"  # the same function


@settings(max_examples=400, deadline=None)
@given(DAYS, CLIENT_LOCALES)
def test_french_dates_never_say_1_mois(day, locale):
    text = fmt_date(day, locale, "fr")
    french_ok(text)
    assert text.startswith("1er ") == (day.day == 1)
    assert fmt_date(day, locale, "fr", "full").count("1er") == (day.day == 1)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(DAYS, FIRSTS), CLIENT_LOCALES)
def test_french_replies_and_cards_never_say_1_mois(day, locale):
    """Replies about a day (its PoE date, its cycle), their cards, in French, for any client
    locale: every date French, and never "1 <mois>"."""
    today = day + timedelta(days=40)
    questions = (f"combien de temps garder les preuves d'une activité du {day.day}/{day.month}/{day.year} ?",
                 f"quand réclamer la co-op gagnée le {day.isoformat()} ?",
                 "que puis-je réclamer maintenant ?")
    for question in questions:
        reply = respond(question, lang="fr", locale=locale, today=today)
        assert reply.lang == "fr"
        french_ok(reply.text)
        card = reply_activity(reply, locale)
        french_ok(json.dumps([a.content for a in card.attachments or []], ensure_ascii=False))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(FIRSTS, CLIENT_LOCALES)
def test_french_reminders_and_calendar_never_say_1_mois(day, locale):
    items = due_reminders(day, day - timedelta(days=200))
    if items:
        french_ok(digest_text(items, day, "fr", locale))
    data = build_calendar(upcoming_deadlines(day), "fr", locale=locale,
                          stamp=datetime(2022, 3, 1, tzinfo=timezone.utc))
    for event in icalendar.Calendar.from_ical(data).walk():
        for name in ("SUMMARY", "DESCRIPTION"):
            if name in event:
                french_ok(str(event[name]))


def test_a_first_of_the_month_in_each_surface():
    """A reply, a card, a reminder and a calendar that hold a first of the month write '1er'."""
    reply = respond("quand réclamer la co-op de juillet 2021 ?", lang="fr", locale="en-US", today=date(2022, 3, 1))
    # (the earning period is written as its months, "juillet – décembre 2021"; the usage period's first day is a date)
    assert "juillet – décembre 2021" in reply.text and "1er janvier 2022" in reply.text
    card = json.dumps(reply_activity(reply, "en-US").attachments[0].content, ensure_ascii=False)
    assert "1er janvier 2022" in card
    digest = digest_text(due_reminders(date(2022, 8, 16), date(2022, 8, 15)), date(2022, 8, 16), "fr", "en-US")
    assert digest and not BARE_ONE.search(digest)


def test_french_text_is_formatted_french_for_an_en_us_client():
    """An en-US client asking in French gets French dates, day first, and French reads a
    numeric date day first (03/10/2022 is 3 October), whatever the locale says."""
    reply = respond("combien de temps garder les preuves d'une activité du 03/10/2022 ?", locale="en-US",
                    today=date(2022, 11, 1))
    assert reply.lang == "fr"
    assert "3 octobre 2022" in reply.text and "3 octobre 2024" in reply.text
    assert "10 mars" not in reply.text.split("\n")[0]
    french_ok(reply.text)
    english = respond("how long do I keep proofs for an activity on 03/10/2022?", locale="en-US",
                      today=date(2022, 11, 1))
    assert "March 10, 2022" in english.text  # English from an en-US client: month first
