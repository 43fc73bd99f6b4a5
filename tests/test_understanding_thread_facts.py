"""Sixth round of issue #17/#21: which facts of a thread a question rests on.

A newest message that asks its own question but points below ("siehe unten") rests on the older
message's facts when they name an event held or co-op earned; a forwarded or pasted invitation's
date is the event's day; a bracket or a Swiss ".–" ends no sentence; a sentence whose own words
give its date a role is the one a question without a date rests on; absences, payment terms and
RSVP dates are nobody's activity. Every expected deadline is computed here from the rules.
"""
from __future__ import annotations

from datetime import date

import pytest

from understanding import mail, respond, understand
from understanding.frames import segment

DEC7 = date(2026, 12, 7)


def _claim_end_of_activity(day: date) -> date:
    """The last claim day of an activity held on ``day`` (SPEC: usage Jan–Jun → Aug 15 of the
    year, Jul–Dec → Feb 15 of the next)."""
    return date(day.year + 1, 2, 15) if day.month >= 7 else date(day.year, 8, 15)


def _keep_until(day: date) -> date:
    return date(day.year + 2, day.month, day.day)


def _stated(reply) -> set[str]:
    out = set(reply.data.get("deadlines", [])) | set(reply.data.get("keep_until", []))
    for part in reply.parts:
        out |= _stated(part)
    return out


# --- the newest message asks, and points below -----------------------------------------------

POINTING = [
    ("de", "de-CH",
     "Hallo Team\n\nsiehe unten. Bis wann müssen wir das einreichen? Nicht dass wir es verpassen wie letztes Jahr.\n\n"
     "Gruss\nSandra\n\n-----Ursprüngliche Nachricht-----\nVon: Meier Luca <luca.meier@example.ch>\n"
     "Gesendet: Dienstag, 1. Dezember 2026 09:12\nAn: Sandra Huber <sandra.huber@example.ch>\n"
     "Betreff: WG: Partnerabend Bern\n\nHoi Sandra\n\nDer Partnerabend im Hotel Bellevue (Kochergasse 3) hat am "
     "19.10.2026 stattgefunden. Die Rechnung ist vom 02.11.2026 über CHF 9'850.–, zahlbar bis 02.12.2026.\n\n"
     "Kannst du das über Co-op abrechnen? Ich bin ab nächster Woche in den Ferien.\n\nGruss Luca",
     date(2026, 10, 19), [date(2026, 11, 2), date(2026, 12, 2)]),
    ("en", "en-GB",
     "Morning all,\n\nsee below. When is the last day to file it? Don't want to miss it like last year.\n\nAnna\n\n"
     "-----Original Message-----\nFrom: Tom Reed <tom@example.co.uk>\nSent: 1 December 2026 09:12\n"
     "To: Anna Lowe <anna@example.co.uk>\nSubject: FW: Partner evening Leeds\n\nHi Anna,\n\nThe partner evening at "
     "the Queens Hotel (Room 4) was held on 19 October 2026. The invoice is dated 2 November 2026, payable by "
     "2 December 2026.\n\nCan you put it through co-op? I'm on holiday from next week.\n\nTom",
     date(2026, 10, 19), [date(2026, 11, 2), date(2026, 12, 2)]),
]


@pytest.mark.parametrize("lang,locale,text,event,others", POINTING, ids=[p[0] for p in POINTING])
def test_a_question_pointing_below_rests_on_the_event_the_older_message_states(lang, locale, text, event, others):
    reply = respond(text, locale=locale, today=DEC7)
    stated = _stated(reply)
    assert reply.lang == lang
    assert _claim_end_of_activity(event).isoformat() in stated, reply.text
    assert _keep_until(event).isoformat() in stated, reply.text
    for day in others:  # the invoice's date and its payment term are no activity
        assert _keep_until(day).isoformat() not in stated, reply.text


def test_a_comparison_with_last_year_is_no_period_of_the_newest_message():
    assert not mail._names_period("When do we file it? Don't want to miss it like last year.")
    assert not mail._names_period("Bis wann einreichen? Nicht wieder zu spät wie letztes Jahr.")
    assert mail._names_period("When do we file the event of last year?")


def test_a_self_contained_question_does_not_take_an_older_date_nobody_gave_a_role():
    # "what can we claim right now": the older part only carries a contract's start, which is no
    # activity: the newest question is answered as asked (today's claiming window)
    text = ("Hello,\n\nForwarding the thread from finance below. What co-op can we claim right now, and until when?\n\n"
            "Rita\n\n---------- Forwarded message ---------\nFrom: Finance <finance@example.pt>\n"
            "Date: 26/11/2026 17:10\nSubject: RE: co-op\n\nInvoice 2026/887 of 2026-11-30 paid. CSP agreement since 01-07-2024.")
    focus = mail.focus(text)
    assert "2024" not in focus.text
    stated = _stated(respond(text, locale="en-GB", today=DEC7))
    assert "2025-02-15" not in stated and "2026-07-01" not in stated


# --- sentences: a bracket, a Swiss ".–" -------------------------------------------------------

def test_a_closing_bracket_after_a_number_is_no_list_item():
    texts = [s.text for s in segment("Der Anlass im Kongresshaus (Claridenstrasse 5) hat am 12.11.2026 stattgefunden. "
                                      "Bis wann einreichen?")]
    assert any("Claridenstrasse 5) hat am 12.11.2026" in t for t in texts), texts
    # a list written on one line still splits
    texts = [s.text for s in segment("Two questions: 1) who can submit claims? 2) what is the split?")]
    assert texts[-2:] == ["who can submit claims?", "what is the split?"]


def test_a_swiss_amount_dash_ends_no_sentence():
    texts = [s.text for s in segment("Die Rechnung ist vom 25.11.2026 über CHF 12'480.–, zahlbar bis 25.12.2026. "
                                      "Bis wann einreichen?")]
    assert any("12'480.–, zahlbar bis 25.12.2026" in t for t in texts), texts


# --- invitations ------------------------------------------------------------------------------

INVITATIONS = [
    ("fr", "fr-FR",
     "Bonjour,\n\nJe te transfère l'invitation. C'est payé par quelle co-op, et la demande c'est jusqu'à quand ?\n\n"
     "Merci\nKarim\n\n-------- Message transféré --------\nObjet : Invitation – Petit-déjeuner Sécurité Microsoft 365\n"
     "Date : jeudi 8 avril 2027, 8h30 – 11h00\nLieu : Hôtel du Parc, Lyon\n"
     "Merci de confirmer avant le 25 mars 2027 – Tél. 04 72 00 00 00",
     date(2027, 4, 8), date(2027, 3, 25)),
    ("en", "en-US",
     "Hi,\n\nForwarding the invite. Which co-op pays for it and what's the last day to claim?\n\nThanks\nKim\n\n"
     "---------- Forwarded message ---------\nSubject: Invitation: Copilot breakfast briefing\n"
     "Date: Thursday, April 8, 2027, 8:30 AM – 11:00 AM\nLocation: Hilton Garden Inn, Austin\n"
     "Please RSVP by March 25, 2027.",
     date(2027, 4, 8), date(2027, 3, 25)),
    ("de", "de-DE",
     "Hallo,\n\nich leite dir die Einladung weiter. Aus welchen Co-op-Mitteln zahlen wir das und bis wann einreichen?\n\n"
     "Danke\nJonas\n\n-------- Weitergeleitete Nachricht --------\nBetreff: Einladung – Copilot-Frühstück\n"
     "Datum: Donnerstag, 8. April 2027, 8:30 – 11:00 Uhr\nOrt: Hotel am Park, Köln\n"
     "Anmeldung bis 25.03.2027 erbeten.",
     date(2027, 4, 8), date(2027, 3, 25)),
]


@pytest.mark.parametrize("lang,locale,text,event,rsvp", INVITATIONS, ids=[i[0] for i in INVITATIONS])
def test_a_forwarded_invitations_date_is_the_event(lang, locale, text, event, rsvp):
    reply = respond(text, locale=locale, today=DEC7)
    stated = _stated(reply)
    assert _claim_end_of_activity(event).isoformat() in stated, reply.text
    assert _keep_until(event).isoformat() in stated, reply.text
    assert _keep_until(rsvp).isoformat() not in stated, reply.text  # the day to answer the invitation by


def test_an_invitation_pasted_in_the_body_gives_its_date_to_its_subject():
    lines, _, _ = mail.clean(["Subject: Partner summit", "Date: 12 May 2027 09:00-17:00", "Where: Olympia, London",
                              "When is the last day to claim it?"])
    assert lines[0] == "Partner summit: 12 May 2027 09:00-17:00", lines
    # beside other header lines and no place, "Date:" is a mail header and stays set aside
    lines, _, dropped = mail.clean(["From: Tom <tom@example.com>", "Date: 12 May 2027 09:00", "When is the last day to claim?"])
    assert lines == ["When is the last day to claim?"] and dropped == 2
    # alone, under a flyer's or a form's title, it is the event's date line
    lines, _, _ = mail.clean(["AZURE FORUM 2027", "Date: Tuesday, 11 May 2027", "When do we claim this event?"])
    assert lines[1] == "Date: Tuesday, 11 May 2027", lines


# --- the sentence whose own words give the role ----------------------------------------------

def test_a_question_without_a_date_rests_on_the_sentence_that_says_what_the_date_is():
    # "ab Januar 2027" gets the activity role only from the message as a whole, the workshop's
    # day from its own sentence: "das" is the workshop, and the two are no rows of a list
    reply = respond("Der Workshop hat am 14.10.2026 stattgefunden. Ab Januar 2027 ist Frau Demir zuständig. "
                    "Bis wann müssen wir das einreichen?", locale="de-DE", today=DEC7)
    stated = _stated(reply)
    assert _keep_until(date(2026, 10, 14)).isoformat() in stated, reply.text
    assert "2027-08-15" not in stated and not reply.parts, reply.text  # January 2027's activities


def test_rows_of_a_table_stay_rows_when_only_some_name_their_activity():
    reply = respond("Item | Date | Cost\nPower BI dashboard in a day | Mar 3, 2026 | 2,750\n"
                    "Partner golf day | Aug 20, 2026 | 8,000\n\nlast day to claim each?", locale="en-US", today=DEC7)
    assert len(reply.parts) == 2, reply.text
    assert {"2026-08-15", "2027-02-15"} <= _stated(reply)


@pytest.mark.parametrize("lang,locale,text,distractor", [
    ("en", "en-US", "Our webinar was on 3 November 2026; I'm on vacation until 4 January 2027. Claim deadline?",
     date(2027, 1, 4)),
    ("fr", "fr-FR", "Notre webinaire a eu lieu le 3 novembre 2026 ; je suis en congé jusqu'au 4 janvier 2027. "
     "Date limite de demande ?", date(2027, 1, 4)),
    ("de", "de-DE", "Unser Webinar war am 03.11.2026, die Rechnung ist zahlbar bis 04.01.2027. Bis wann einreichen?",
     date(2027, 1, 4)),
])
def test_absences_and_payment_terms_are_no_activity(lang, locale, text, distractor):
    reply = respond(text, locale=locale, today=DEC7)
    stated = _stated(reply)
    assert _claim_end_of_activity(date(2026, 11, 3)).isoformat() in stated, reply.text
    assert _keep_until(distractor).isoformat() not in stated, reply.text
    assert _claim_end_of_activity(distractor).isoformat() not in stated, reply.text


# --- a day "of" a paper ----------------------------------------------------------------------

def test_a_day_right_after_of_belongs_to_the_paper_named_before_it():
    from core import fold
    from understanding.frames import role_of
    from understanding.reading import find_periods

    def roles(text):
        folded = fold(text)
        return {r.text: role_of(folded, r.start, r.end) for r in find_periods(text)}

    assert roles("- Facture n° F-2027-000101 du 10/01/2027 — événement du 15/12/2026") == {
        "10/01/2027": "distractor", "15/12/2026": "activity"}
    assert roles("Rechnung RE-2026-000311 vom 02.10.2026 – Schulung am 18.09.2026") == {
        "02.10.2026": "distractor", "18.09.2026": "activity"}
    # nothing named before "vom" is a cue: the words after it still read ("Zahlungsziel")
    assert roles("Nummer AN-2026-0931 vom 15.09.2026, Zahlungsziel 30 Tage.")["15.09.2026"] == "distractor"


def test_rows_answer_the_event_not_the_invoice_beside_it():
    reply = respond("Récapitulatif :\n- Facture F-7 du 10/01/2027 — événement du 15/12/2026\n"
                    "- Facture F-8 du 02/02/2027 — événement du 28/01/2027\n"
                    "Pour chaque événement, jusqu'à quand déposer la demande ?", locale="fr-FR", today=DEC7)
    stated = _stated(reply)
    assert {_keep_until(date(2026, 12, 15)).isoformat(), _keep_until(date(2027, 1, 28)).isoformat()} <= stated, reply.text
    assert not {_keep_until(date(2027, 1, 10)).isoformat(), _keep_until(date(2027, 2, 2)).isoformat()} & stated, reply.text


# --- a contract's, a licence's, a warranty's dates --------------------------------------------

@pytest.mark.parametrize("locale,text,event", [
    ("en-US", "Our M365 E5 licences renew on 1 March 2027 and the NCE commitment ends 31 May 2027. We held a Copilot "
              "workshop on 14 October 2026. Claim deadline for the workshop?", date(2026, 10, 14)),
    ("de-DE", "Unsere Lizenzen werden am 01.03.2027 verlängert, das NCE-Laufzeitende ist der 31.05.2027. Den "
              "Copilot-Workshop hatten wir am 14.10.2026. Bis wann einreichen?", date(2026, 10, 14)),
    ("fr-FR", "Nos licences sont renouvelées le 1er mars 2027 et l'engagement NCE arrive à échéance le 31 mai 2027. Atelier "
              "Copilot le 14 octobre 2026. Date limite ?", date(2026, 10, 14)),
    ("de-DE", "Garantieende der Demo-Geräte: 15.01.2027. Die Roadshow war am 18.11.2026. Bis wann können wir das "
              "abrechnen?", date(2026, 11, 18)),
])
def test_renewals_commitments_and_warranties_are_no_activity(locale, text, event):
    reply = respond(text, locale=locale, today=DEC7)
    keeps = {k for r in [reply, *reply.parts] for k in (r.data.get("keep_until") or []) if isinstance(k, str)}
    assert keeps == {_keep_until(event).isoformat()}, reply.text
    assert _claim_end_of_activity(event).isoformat() in _stated(reply)


def test_the_first_part_of_a_hyphenated_compound_names_no_activity():
    from core import fold
    from understanding.frames import role_of
    from understanding.reading import find_periods

    for text in ("Garantieende der Demo-Geräte: 15.01.2027.", "Die Event-Location ist ab 15.01.2027 gebucht."):
        folded = fold(text)
        assert [role_of(folded, r.start, r.end) for r in find_periods(text)] != ["activity"], text
    text = "Unser Messe-Stand am 15.01.2027."  # the last part is the activity: still one
    folded = fold(text)
    assert [role_of(folded, r.start, r.end) for r in find_periods(text)] == ["activity"]


@pytest.mark.parametrize("locale,text,event", [
    ("fr-FR", "Pour suite à donner.\n\nDe : Paul <p@example.fr>\nEnvoyé : lundi 30 novembre 2026 09:12\nÀ : Julie\n"
              "Objet : TR: Invitation\n\nQuand : jeudi 8 avril 2027 09:00-11:00 (UTC+01:00) Bruxelles, Paris\n"
              "Où : Hôtel du Parc, Lyon\n\nMerci de confirmer avant le 25 mars 2027.", date(2027, 4, 8)),
    ("de-DE", "Zur Erledigung.\n\nVon: Paul <p@example.de>\nGesendet: Montag, 30. November 2026 09:12\nAn: Julia\n"
              "Betreff: WG: Einladung\n\nWann: Donnerstag, 8. April 2027 09:00-11:00\nWo: Hotel am Park, Köln\n\n"
              "Bitte bestätigen bis 25.03.2027.", date(2027, 4, 8)),
])
def test_a_forwarded_invitation_with_only_a_note_gets_the_events_deadlines(locale, text, event):
    # the newest message asks nothing ("for action"): the invitation it forwards is what to answer
    reply = respond(text, locale=locale, today=DEC7)
    assert _claim_end_of_activity(event).isoformat() in _stated(reply), reply.text
    assert _keep_until(date(2027, 3, 25)).isoformat() not in _stated(reply), reply.text


def test_microsofts_fiscal_year_named_with_microsoft_inside_the_words():
    from understanding.reading import find_periods

    for text in ("les mois de l'exercice fiscal Microsoft 27", "l'exercice fiscal de Microsoft 2027"):
        assert [(r.primary.start, r.primary.end) for r in find_periods(text, today=DEC7)] == [
            (date(2026, 7, 1), date(2027, 6, 30))], text  # FY27 = July 2026 – June 2027 (SPEC rule 8)


@pytest.mark.parametrize("locale,text,event,said", [
    ("en-US", "Boss says our 14 Oct 2026 roadshow claim must be in by 31 December. Colleague says 15 Feb. Who's right?",
     date(2026, 10, 14), date(2026, 2, 15)),
    ("fr-FR", "Pour notre salon du 14 octobre 2026, mon collègue dit 15 février, ma cheffe pense 31 décembre. Qui a raison ?",
     date(2026, 10, 14), date(2026, 2, 15)),
    ("de-DE", "Unsere Roadshow war am 14.10.2026. Der Kollege sagt 15.02., die Chefin meint 31.12. Bis wann müssen wir wirklich einreichen?",
     date(2026, 10, 14), date(2026, 2, 15)),
])
def test_a_day_someone_says_is_the_deadline_is_no_activity(locale, text, event, said):
    reply = respond(text, locale=locale, today=DEC7)
    stated = _stated(reply)
    assert _claim_end_of_activity(event).isoformat() in stated, reply.text
    assert _claim_end_of_activity(said).isoformat() not in stated, reply.text  # 15 Feb read as an event


@pytest.mark.parametrize("locale,text", [
    ("de-DE", "Abschluss unseres Geschäftsjahres ist der 30.09.2027, Zahlungsbedingungen 30 Tage netto. Das Webinar "
              "war am 17.11.2026. Frist?"),
    ("fr-FR", "Clôture de notre exercice le 30/09/2027 ; webinaire le 17/11/2026. Date limite ?"),
    ("en-US", "End of our fiscal year is 30 Sep 2027; webinar held 17 Nov 2026. Deadline?"),
])
def test_the_close_of_the_partners_own_year_is_no_activity(locale, text):
    reply = respond(text, locale=locale, today=DEC7)
    assert _stated(reply) & {"2027-02-15"} and not _stated(reply) & {"2028-02-15", "2029-09-30"}, reply.text


def test_a_forwarded_meeting_with_hier_in_the_newest_message_reads_the_meeting():
    # Outlook's "-----Ursprünglicher Termin-----" starts the forwarded meeting; "hier" is German for
    # here, not French for yesterday, so the newest message names no date of its own
    text = ("Hi, das hier ist unser Webinar, die Kosten laufen über Co-op. Bis wann können wir das abrechnen? Danke, Jana\n\n"
            "-----Ursprünglicher Termin-----\nVon: Vogt, Andreas\nGesendet: Dienstag, 1. Dezember 2026 16:20\n"
            "An: Vertrieb\nBetreff: Partnerwebinar Defender for Business\n"
            "Wann: Donnerstag, 18. Februar 2027 10:00-11:30 (UTC+01:00) Amsterdam, Berlin\nWo: Microsoft Teams-Besprechung\n")
    reply = respond(text, locale="de-DE", today=DEC7)
    assert "2027-08-15" in _stated(reply) and _keep_until(date(2027, 2, 18)).isoformat() in _stated(reply), reply.text
