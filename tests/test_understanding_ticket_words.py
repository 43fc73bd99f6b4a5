"""Fifth round of issue #17/#21: what the words around a date in a real ticket say about it.

Automatic replies, separators other clients write, a word that is a day only in another
language, Korean/Japanese dates, comparisons, stated deadlines about use and retention, papers'
own verbs, calendar quarters said so, messages half in one language. Each expected day or
deadline is computed here from the rules, never read from the bot.
"""
from __future__ import annotations

from datetime import date

import pytest

from understanding import mail, respond, understand
from understanding.reading import find_periods

DEC7 = date(2026, 12, 7)


def _claim_end_of_activity(day: date) -> date:
    return date(day.year + 1, 2, 15) if day.month >= 7 else date(day.year, 8, 15)


def _days(u) -> list[date]:
    return [r.primary.day or r.primary.start for r in u.slots.periods if r.primary is not None]


# --- automatic replies and separators --------------------------------------------------------

AUTO_REPLIES = [
    ("Automatic reply: RE: Surface launch\n\nI'm on parental leave until 2027-03-31. For co-op questions "
     "please contact marketing@example.com.\n\n________________________________\nFrom: Hannah Price\n"
     "Sent: Friday, December 4, 2026 4:55 PM\nSubject: Surface launch\n\nHi both, our Surface launch event "
     "was on 23 July 2026. What's the last day to claim it?\nThanks, Hannah"),
    ("Réponse automatique : Salon\n\nJe suis absent du 18/12/2026 au 04/01/2027 inclus.\n\n"
     "-----Message d'origine-----\nDe : Aurélie\nEnvoyé : lundi 7 décembre 2026 09:00\nObjet : Salon\n\n"
     "Notre salon a eu lieu le 23 juillet 2026, jusqu'à quand le réclamer ?"),
    ("Abwesenheitsnotiz: Messe\n\nIch bin bis zum 08.01.2027 nicht im Büro.\n\n---- original ----\n"
     "Unsere Messe war am 23.07.2026. Bis wann können wir sie einreichen?"),
]


@pytest.mark.parametrize("text", AUTO_REPLIES)
def test_an_automatic_replys_dates_are_no_ones_question(text):
    u = understand(text, today=DEC7)
    assert _days(u) == [date(2026, 7, 23)]
    reply = respond(text, today=DEC7)
    assert {tl.claim_end for tl in reply.timelines} == {_claim_end_of_activity(date(2026, 7, 23))}


def test_a_separator_quotequail_does_not_know_still_starts_an_older_message():
    text = "Thanks, see below\n\n---- original ----\nOur webinar was on 3 March 2026, can we still claim it?"
    msgs = mail.split(text)
    assert len(msgs) == 2 and "webinar" in msgs[1].text


# --- words of another language ----------------------------------------------------------------

def test_a_day_word_of_another_language_is_no_date():
    # "hier" is French for yesterday and German for here
    u = understand("Hallo, hier die Zeile aus SAP: Messe am 12.11.2026. Bis wann Co-op-Antrag?", today=DEC7,
                   locale="de-DE")
    assert _days(u) == [date(2026, 11, 12)]
    u = understand("on a fait le webinaire hier, date limite ?", today=DEC7)
    assert _days(u) == [date(2026, 12, 6)]


@pytest.mark.parametrize("text", ["2027년 1월 15일", "2027年1月15日", "2027 년 1 월 15 일"])
def test_korean_japanese_and_chinese_dates(text):
    (r,) = find_periods(f"Our seminar will be at {text} in Busan", today=DEC7)
    assert r.primary.day == date(2027, 1, 15)


def test_a_message_half_in_another_language_is_read_by_both_models():
    text = ("Petite question rapide avant les fêtes 🎄 Nos fonds co-op gagnés entre juillet et décembre 2026 — "
            "until when can we use them, and until when can we claim?")
    reply = respond(text, today=DEC7)
    # earned July – December 2026: used January – June 2027, claimed until 15 August 2027
    assert {(tl.usage_end, tl.claim_end) for tl in reply.timelines} == {(date(2027, 6, 30), date(2027, 8, 15))}


# --- what the words around a date make it -----------------------------------------------------

@pytest.mark.parametrize("text", [
    "Kann mir jemand sagen bis wann wir das einreichen muessen? Ich will nicht wieder zu spaet sein wie letztes Jahr.",
    "Which window do I claim the workshop of 21 January 2027 in? Don't want to miss it like last year.",
])
def test_last_year_in_a_comparison_is_no_period(text):
    u = understand(text, today=DEC7)
    assert not any(r.primary is not None and r.primary.start.year == 2025 for r in u.slots.periods)


@pytest.mark.parametrize("text, stated", [
    ("the usage period for our Jan–Jun 2026 co-op earnings is extended to 31.03.2027. Please confirm.", date(2027, 3, 31)),
    ("whether any balance not utilised by 30 June 2027 remains recoverable", date(2027, 6, 30)),
    ("documents for our co-op event held on 2026-03-15 may be destroyed after 2027-03-15. Just reply confirmed.",
     date(2027, 3, 15)),
    ("Kann ich das noch einreichen, bevor die Frist am 15.02.2027 abläuft?", date(2027, 2, 15)),
])
def test_a_deadline_the_message_states_about_use_or_retention_is_no_period(text, stated):
    u = understand(text, today=DEC7)
    assert stated not in _days(u)
    reply = respond(text, today=DEC7)
    assert not any(stated in (tl.claim_end, tl.usage_end) for tl in reply.timelines if tl.earning_start > date(2026, 7, 1))


@pytest.mark.parametrize("text, day", [
    ("We held customer seminar at COEX on 2026.11.19. Total cost KRW 38,500,000. Invoice received 2026.11.30. "
     "Until when must we submit the claim?", date(2026, 11, 19)),
    ("Booth at KES 2026 on 2026.10.28. Promotion goods shipped 2026.10.20, delivered 2026.10.23. "
     "Last day we can claim co-op for the booth?", date(2026, 10, 28)),
])
def test_what_happened_to_an_invoice_or_goods_is_not_the_activity(text, day):
    reply = respond(text, today=DEC7)
    assert {tl.claim_end for tl in reply.timelines} == {_claim_end_of_activity(day)}


@pytest.mark.parametrize("text", [
    "on prévoit un événement fin T1 2027 (fin mars, trimestre civil)",
    "the roundtable is in Q1 2027 (calendar quarter, so Jan-Mar)",
    "Roadshow im Kalenderquartal Q1 2027",
])
def test_a_quarter_the_message_calls_a_calendar_one_gets_no_fiscal_reading(text):
    (r,) = find_periods(text, today=DEC7)
    assert (r.primary.start, r.primary.end) == (date(2027, 1, 1), date(2027, 3, 31)) and r.alternatives == ()
    # unsaid, fiscal Q1 FY27 (July – September 2026) stays the other reading, given beside it
    (r,) = find_periods("an event in Q1 2027", today=DEC7)
    assert [(a.start, a.end) for a in r.alternatives] == [(date(2026, 7, 1), date(2026, 9, 30))]


def test_a_month_first_day_with_next_year():
    (r,) = find_periods("a watch party with a Surface demo on Feb 7th next year", locale="en-US", today=DEC7)
    assert r.primary.day == date(2027, 2, 7)


def test_the_answer_about_a_calendar_quarter_said_so_gives_no_fiscal_deadline():
    text = ("Bonjour, on prévoit un événement fin T1 2027 (fin mars, trimestre civil). Quels fonds co-op le "
            "financent et jusqu'à quand peut-on réclamer ? Merci")
    reply = respond(text, today=DEC7, locale="fr-FR")
    # January – March 2027 as an activity: claimed until 15 August 2027; as fiscal Q1 FY27 (July –
    # September 2026) it would be 15 February 2027, which a careful answer does not give
    assert date(2027, 8, 15) in {tl.claim_end for tl in reply.timelines}
    assert "15 février 2027" not in reply.text


@pytest.mark.parametrize("text, lang, months", [
    ("Sir, our company FY is April to March. When Microsoft team says \"FY27 Q3\", which months they are meaning?",
     "en", ("January", "March 2027")),
    ("Planning notes: when exactly does Microsoft's FY28 start and end?", "en", ("July 2027", "June 2028")),
    ("le FY27 Q2 correspond à quels mois ?", "fr", ("octobre", "décembre 2026")),
    ("Was heißt FY27 Q3 in Monaten?", "de", ("Januar", "März 2027")),
])
def test_what_an_fy_quarter_or_year_means_is_its_months_without_a_halfs_deadlines(text, lang, months):
    reply = respond(text, today=DEC7)
    assert reply.lang == lang and reply.intent == "fy_label"
    assert all(m in reply.text for m in months)
    assert not reply.timelines  # whether it was earned or spent then is not said: no deadline guessed


def test_an_fy_half_gets_its_cycle_when_a_deadline_is_asked():
    # asked what it is, a half gets its months only (tests/test_answers_what_is_asked.py)
    assert not respond("what is FY24 H2", today=DEC7).timelines
    reply = respond("FY24 H2: which months, and by when was it claimable?", today=DEC7)
    assert [(tl.earning_start, tl.claim_end) for tl in reply.timelines] == [(date(2024, 1, 1), date(2025, 2, 15))]


@pytest.mark.parametrize("text, months", [
    ('In der Tabelle auf der Co-op-Seite steht "FY20 H1" für Juli–Dezember 2020.', (date(2020, 7, 1), date(2020, 12, 31))),
    ("le tableau indique « FY20 H1 » pour juillet–décembre 2020", (date(2020, 7, 1), date(2020, 12, 31))),
    ("our own FY27 H1 (Oct 2026 - Mar 2027) budget", (date(2026, 10, 1), date(2027, 3, 31))),
])
def test_an_fy_label_the_message_gives_months_is_those_months(text, months):
    # the page's 2020 table, or the partner's own year: the months are what is meant; Microsoft's
    # reading of the same words (FY20 H1 = July – December 2019) is not answered beside them
    rs = find_periods(text, today=DEC7)
    assert [(r.primary.start, r.primary.end) for r in rs] == [months]
    assert [r.text for r in find_periods("FY27 H1 funds for an event in March 2027", today=DEC7)] == ["FY27 H1", "March 2027"]


@pytest.mark.parametrize("text, code", [
    ("Hola, tuvimos un webinar el 12 de marzo de 2027. ¿Hasta cuándo podemos presentar la reclamación de co-op?", "es"),
    ("Buongiorno, abbiamo fatto un webinar il 3 ottobre 2026, entro quando dobbiamo presentare la richiesta?", "it"),
])
def test_a_message_in_a_language_no_pack_speaks_gets_the_notice_naming_every_pack(text, code):
    for lang, names in (("en", ("English", "French", "German")), ("fr", ("anglais", "français", "allemand")),
                        ("de", ("Englisch", "Französisch", "Deutsch"))):
        reply = respond(text, today=DEC7, lang=lang)
        assert reply.intent == "other_language" and reply.data["other_language"] == code
        assert not reply.timelines
        last = reply.text.split("\n\n")[-1]  # the notice in the answer's language, from the registry
        assert all(n in last for n in names), last


@pytest.mark.parametrize("text", [
    'Re: Reminder: unused co-op funds will be forfeited on 31 December 2026\n\nHi, what does "forfeited" mean '
    "exactly here? Do we get the unused part paid out as rebate instead?\nThanks, Aoife",
    "TR: Newsletter partenaires – décembre 2026\n\nQue veut dire « période d'utilisation » exactement ?",
])
def test_a_reply_subject_over_a_question_of_its_own_is_not_asked(text):
    # the subject names what the older mail was about; the body asks what a word means
    reply = respond(text, today=DEC7)
    assert reply.intent == "rule" and not reply.timelines


def test_a_subject_that_is_the_only_question_is_still_read():
    reply = respond("RE: claim deadline for our webinar of 12 March 2027?\n\nThanks, Sam", today=DEC7)
    assert {tl.claim_end for tl in reply.timelines} == {date(2027, 8, 15)}


@pytest.mark.parametrize("text", [
    "Y'all know a good BBQ joint near Redmond for our 2027-03-04 partner dinner?",
    "Kannst du mir ein Rezept für Käsespätzle für 12 Personen schreiben? Unsere Weihnachtsfeier ist am 18.12.",
    "Tu connais un bon traiteur à Lyon pour notre soirée clients du 12 mars 2027 ?",
])
def test_an_off_topic_request_around_an_event_gets_the_fallback_not_a_cycle(text):
    reply = respond(text, today=DEC7)  # SPEC: an off-topic message that contains a date gets the honest fallback
    assert reply.intent == "fallback" and not reply.timelines


@pytest.mark.parametrize("text", [
    "Notre salon a eu lieu le 3 octobre 2025.",
    "Please we did a Microsoft Teams customer training for 45 participants at our office on 28th October, 2026.",
    "our webinar 12 March 2027",
])
def test_a_statement_about_an_activity_stays_on_topic(text):
    assert respond(text, today=DEC7).timelines


@pytest.mark.parametrize("text, day, role", [
    ("is our webinar from 12 july 2026 too late to submit?", "12 july 2026", "activity"),
    ("is 15 august 2026 too late to submit?", "15 august 2026", "submission"),
    ("le salon du 12 juillet 2026, trop tard pour deposer ?", "12 juillet 2026", "activity"),
])
def test_too_late_after_the_day_of_a_thing_named_is_about_that_thing(text, day, role):
    from core import fold
    from understanding.frames import role_of

    folded = fold(text)
    at = folded.index(day)
    assert role_of(folded, at, at + len(day)) == role


def test_a_month_said_in_a_follow_up_stays_near_the_one_before():
    # "und für die Messe im Mai?" read as May 2027 near 10.02.2027; "und für die im Oktober?" then
    # near May 2027 (October 2027), not the most recent October
    first = respond("Webinar am 10.02.2027 – bis wann?", today=DEC7, locale="de-DE")
    second = respond("und für die Messe im Mai?", today=DEC7, locale="de-DE", context=first.context)
    third = respond("und für die im Oktober?", today=DEC7, locale="de-DE", context=second.context)
    assert {tl.claim_end for tl in third.timelines} == {date(2028, 2, 15)}


def test_come_april_is_the_coming_april():
    (r,) = find_periods("fixin' to throw a customer cookout with a Copilot demo come April", today=DEC7)
    assert (r.primary.start, r.primary.end) == (date(2027, 4, 1), date(2027, 4, 30))
