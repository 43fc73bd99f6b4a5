"""Fifth round of issue #17/#21: which year a date without one is in, runs of days written in
numbers.

Each rule is general (a shape of date, a tense), checked in the packs' languages; the expected
days are computed here from the calendar, never read from the bot.
"""
from __future__ import annotations

from datetime import date

import pytest

from understanding import respond, understand
from understanding.frames import segment
from understanding.reading import find_periods

DEC7 = date(2026, 12, 7)


def _claim_ends(reply) -> set[date]:
    return {tl.claim_end for tl in reply.timelines}


def _claim_end_of_activity(day: date) -> date:
    """Independent of the bot: an activity's usage period is the half it lies in; its claim window
    ends on 15 February after a July–December usage period, 15 August after January–June."""
    return date(day.year + 1, 2, 15) if day.month >= 7 else date(day.year, 8, 15)


# --- a dotted date with a two-digit year ends no list item ------------------------------------

@pytest.mark.parametrize("text, day", [
    ("Unser Azure-Bootcamp ist am 12.03.27. Welcher Claim-Zeitraum?", date(2027, 3, 12)),
    ("Event am 5.11.26. Bis wann einreichen?", date(2026, 11, 5)),
])
def test_a_two_digit_year_after_a_dotted_day_is_the_dates_year(text, day):
    first = segment(text)[0]
    assert first.text.endswith(day.strftime("%y") + "."), first.text  # not cut at "12.03."
    u = understand(text, today=DEC7, locale="de-DE")
    assert [r.primary.day for r in u.slots.periods] == [day]
    assert _claim_ends(respond(text, today=DEC7, locale="de-DE")) == {_claim_end_of_activity(day)}


def test_numbered_items_are_still_items():
    assert [s.text for s in segment("Two questions: 1. who can submit? 2. what is the split?")][-2:] == [
        "who can submit?", "what is the split?"]


# --- runs of days written in numbers -------------------------------------------------------------

@pytest.mark.parametrize("text, locale, first, last", [
    ("vom 28.06. bis 02.07.2027", "de-DE", date(2027, 6, 28), date(2027, 7, 2)),
    ("28.06.-02.07.2027", "de-CH", date(2027, 6, 28), date(2027, 7, 2)),
    ("vom 28.06.2027 bis 02.07.2027", "de-DE", date(2027, 6, 28), date(2027, 7, 2)),
    ("du 28/06 au 02/07/2027", "fr-FR", date(2027, 6, 28), date(2027, 7, 2)),
    ("from 06/28 to 07/02/2027", "en-US", date(2027, 6, 28), date(2027, 7, 2)),
    ("from 06/28 to 07/02/2027", None, date(2027, 6, 28), date(2027, 7, 2)),  # only one order is a date
    ("vom 21.12. bis 06.01.2027", "de-AT", date(2026, 12, 21), date(2027, 1, 6)),  # starts the year before
])
def test_a_run_of_numeric_days_with_the_year_at_its_end_is_one_run(text, locale, first, last):
    (r,) = find_periods(text, locale=locale, today=DEC7)
    assert r.kind == "range" and r.days == (first, last)
    assert r.primary.start == first.replace(day=1)  # the months it covers, for the usage periods
    assert (r.primary.end.year, r.primary.end.month) == (last.year, last.month)


def test_a_run_whose_order_the_locale_does_not_settle_is_asked_back():
    (r,) = find_periods("from 03/04 to 05/06/2027", locale=None, today=DEC7)
    assert r.ambiguous and len(r.alternatives) == 2


def test_a_version_number_is_no_run_of_days():
    assert [r.text for r in find_periods("version 1.2 to 3.4.2027", locale="de-DE", today=DEC7)] == ["3.4.2027"]


def test_a_run_across_two_usage_periods_is_answered_for_both():
    text = "Unsere Aktionswoche läuft vom 28.06. bis 02.07.2027. Welches Claim-Fenster gilt da?"
    reply = respond(text, today=DEC7, locale="de-DE")
    assert _claim_ends(reply) == {_claim_end_of_activity(date(2027, 6, 28)), _claim_end_of_activity(date(2027, 7, 2))}


def test_a_run_of_days_that_is_not_whole_months_is_an_activity():
    # six weeks of a media buy: longer than an event, but co-op is earned by whole months
    text = "Milano media buy (flight 15/09–31/10/2026). Which claim window, and its closing date?"
    reply = respond(text, today=DEC7, locale="en-GB")
    assert _claim_ends(reply) == {_claim_end_of_activity(date(2026, 10, 31))}


# --- a dotted day with a relative year -----------------------------------------------------------

@pytest.mark.parametrize("text, locale, day", [
    ("messe in köln am 8.5. nächstes jahr, bis wann einreichen?", "de-DE", date(2027, 5, 8)),
    ("le salon du 12.03 de l'an prochain, on réclame jusqu'à quand ?", "fr-FR", date(2027, 3, 12)),
    ("am 8.5. letztes Jahr", "de-DE", date(2025, 5, 8)),
])
def test_a_dotted_day_with_next_or_last_year(text, locale, day):
    assert [r.primary.day for r in find_periods(text, locale=locale, today=DEC7)] == [day]


# --- which year a day or month without one is in -------------------------------------------------

@pytest.mark.parametrize("text, locale, day", [
    # no word of the past: the coming one, a few weeks or months ahead
    ("our kickoff thing is 9 december, claim deadline?", "en-US", date(2026, 12, 9)),
    ("Unsere Weihnachtsfeier ist am 18.12., bis wann einreichen?", "de-DE", date(2026, 12, 18)),
    ("le séminaire du 12 janvier, on le réclame jusqu'à quand ?", "fr-FR", date(2027, 1, 12)),
    # a past verb: the most recent one
    ("we held the webinar on 9 December, claim deadline?", "en-US", date(2025, 12, 9)),
    ("wir hatten am 17.9. eine Kundenveranstaltung, wann ist die Frist?", "de-DE", date(2026, 9, 17)),
    ("on a fait un webinaire le 3 novembre, jusqu'à quand réclamer ?", "fr-CA", date(2026, 11, 3)),
    # far ahead with no word of the future: still the most recent one (the past is favoured)
    ("the roadshow on 22 April, claim deadline?", "en-GB", date(2026, 4, 22)),
])
def test_a_day_without_a_year_is_the_nearest_one_unless_the_past_is_said(text, locale, day):
    u = understand(text, today=DEC7, locale=locale)
    assert [r.primary.day for r in u.slots.periods] == [day]
    reply = respond(text, today=DEC7, locale=locale)
    assert _claim_ends(reply) == {_claim_end_of_activity(day)}
    assert str(day.year) in reply.text  # the note says which one was taken


def test_earnings_without_a_year_stay_the_most_recent():
    u = understand("co-op earned in February, until when can I claim it?", today=DEC7, locale="en-US")
    assert u.slots.periods[0].primary.start == date(2026, 2, 1)


def test_a_week_number_without_a_year_planned_is_the_coming_one():
    text = "Wir haben in KW 12 eine kleine Roadshow durch Bayern geplant. Welcher Einreichungszeitraum gilt da?"
    reply = respond(text, today=DEC7, locale="de-DE")
    assert _claim_ends(reply) == {date(2027, 8, 15)}  # March 2027: used January – June 2027


# --- the year of a date without one, from the conversation and from the rest of the message -------

def test_a_month_without_a_year_in_a_follow_up_is_near_the_day_talked_about():
    first = respond("Webinar am 10.02.2027 – bis wann?", today=DEC7, locale="de-DE")
    u = understand("und für die Messe im Mai?", today=DEC7, locale="de-DE", context=first.context)
    assert [(r.primary.start, r.primary.end) for r in u.slots.periods] == [(date(2027, 5, 1), date(2027, 5, 31))]


def test_a_correction_of_a_date_said_before_the_question_is_read_with_the_question():
    first = respond("Unsere Messe ist am 24.06.2027. Bis wann müssen wir die einreichen?", today=DEC7, locale="de-DE")
    again = respond("Korrektur: die Messe wurde verschoben, sie ist jetzt am 08.07.2027. Ändert sich was?",
                    today=DEC7, locale="de-DE", context=first.context)
    assert {tl.claim_end for tl in again.timelines} == {_claim_end_of_activity(date(2027, 7, 8))}


def test_a_month_without_a_year_the_message_dates_elsewhere_is_in_that_year():
    text = ("INC0048812 | State: In Progress\nShort description: co-op claim window for Feb event + PoE\n"
            "Description:\nWe ran a Microsoft Security partner breakfast on 18 Feb 2026 in Dubai (42 guests).\n"
            "1) Is it too late to claim it?\n2) How long do we need to keep the invoices?")
    reply = respond(text, today=DEC7)
    ends = {tl.claim_end for part in (reply.parts or [reply]) for tl in part.timelines} | {tl.claim_end for tl in reply.timelines}
    assert ends == {_claim_end_of_activity(date(2026, 2, 18))}  # not February 2027's


def test_a_run_of_numeric_days_joined_by_a_word_needs_the_words_of_a_run():
    # "am 14.10.2026 bis 31.03.2027 Zeit haben": a day, and a deadline the message states
    assert [r.kind for r in find_periods("für den Partnertag am 14.10.2026 bis 31.03.2027 Zeit haben", locale="de-DE",
                                          today=DEC7)] == ["date", "date"]


def test_a_correction_in_words_of_a_numeric_date_read_in_no_order_keeps_its_year():
    # "03/04/2027" (en-US: March 4) corrected to "3 April": the year of the date corrected, either
    # order of it being in 2027, not the most recent 3 April
    first = respond("Our roadshow is on 03/04/2027 — when's the claim deadline?", today=DEC7, locale="en-US")
    again = respond("Sorry, I'm in the UK office — I meant 3 April, not March 4.", today=DEC7, locale="en-US",
                    context=first.context)
    assert {tl.claim_end for tl in again.timelines} == {_claim_end_of_activity(date(2027, 4, 3))}


@pytest.mark.parametrize("text, day", [
    ("our audit of the financial statements of Northgate Systems Ltd for the year ending 31 March 2027", "31 march 2027"),
    ("les comptes annuels de l'exercice clos le 31 mars 2027", "31 mars 2027"),
])
def test_the_partners_own_year_end_is_a_papers_date(text, day):
    from core import fold
    from understanding.frames import role_of

    folded = fold(text)
    at = folded.index(day)
    assert role_of(folded, at, at + len(day)) == "distractor"
