"""Sixth round of issue #17/#21, from the read half of the new held-out sets: ticket fields, audits
and print deadlines are no activity; funds named "from" a half are the earnings; an activity's
period asked "which funds" gets which earnings pay for it; an activity said to be held keeps its
day; a whole year asked about unsurely gets no cycle. Claim ends computed here from SPEC."""
from __future__ import annotations

from datetime import date

import pytest

from understanding import respond

DEC7 = date(2026, 12, 7)


def _claim_end(day: date) -> date:
    return date(day.year + 1, 2, 15) if day.month >= 7 else date(day.year, 8, 15)


def _keep(day: date) -> str:
    return date(day.year + 2, day.month, day.day).isoformat()


def _stated(reply) -> set[str]:
    out = set()
    for r in [reply, *reply.parts]:
        out |= set(r.data.get("deadlines", [])) | {k for k in (r.data.get("keep_until") or []) if isinstance(k, str)}
        out |= {d for tl in r.timelines for d in (tl.claim_end.isoformat(), tl.usage_end.isoformat())}
    return out


@pytest.mark.parametrize("locale,text,event,other", [
    ("de-DE", "Ticket: SR-55821\nErstellt am: 30.11.2026 08:40\nFällig: 03.02.2027\nKategorie: Co-op\n\nBeschreibung:\n"
              "Partner hatte am 14.10.2026 einen Webcast. Bis wann kann er den Claim einreichen?", date(2026, 10, 14), date(2027, 2, 3)),
    ("de-DE", "Unser Webinar fand am 17.06.2026 statt. Die Prüfung durch den WP läuft noch bis 31.01.2027. Bis wann "
              "können wir die Co-op-Erstattung einreichen?", date(2026, 6, 17), date(2027, 1, 31)),
    ("de-DE", "Anzeige in einer Fachzeitschrift, Erscheinungstag 29.01.2027, Anzeigenschluss war 08.01.2027. Bis wann "
              "einreichen?", date(2027, 1, 29), date(2027, 1, 8)),
    ("fr-FR", "Pour le roadshow qu'on a fait le 26 novembre 2026 : facture du prestataire vidéo n° 88-311 du 30.11.2026. "
              "Jusqu'à quand faire la demande ?", date(2026, 11, 26), date(2026, 11, 30)),
    ("en-US", "Teams rollout at the customer finished 30/11/2026 (not co-op, just for info). Our co-op event is on "
              "04/02/2027. Last day to claim it?", date(2027, 4, 2), date(2026, 11, 30)),
])
def test_ticket_fields_audits_print_deadlines_and_papers_are_no_activity(locale, text, event, other):
    reply = respond(text, locale=locale, today=DEC7)
    stated = _stated(reply)
    assert _claim_end(event).isoformat() in stated, reply.text
    assert _keep(other) not in stated, reply.text


@pytest.mark.parametrize("locale,text,earned_end", [
    ("de-DE", "Dürfen wir die Schulung, die wir im Oktober 2026 gemacht haben, mit den Co-op-Mitteln aus Januar–Juni "
              "2026 bezahlen?", date(2026, 12, 31)),
    ("en-SG", "hi boss, our co-op for Jul-Dec 2026 can use for the open house on 21 March 2027 or not?", date(2027, 6, 30)),
])
def test_funds_named_from_a_half_are_the_earnings(locale, text, earned_end):
    # Jan – Jun 2026 earnings are used Jul – Dec 2026 (an October 2026 training: yes); Jul – Dec 2026
    # earnings are used Jan – Jun 2027 (a March 2027 open house: yes)
    reply = respond(text, locale=locale, today=DEC7)
    assert earned_end.isoformat() in _stated(reply), reply.text
    assert reply.text.split()[0].strip("*.:,") in ("Ja", "Yes"), reply.text


@pytest.mark.parametrize("locale,text,claim_end", [
    ("en-US", "[09:15] Avi: Cybertech booth, 26-28 Jan 2027. [09:16] Avi: bot: which co-op funds pay for it and last "
              "day to claim", "2027-08-15"),
    ("de-DE", "Unser Silvesterempfang für Stammkunden (31.12.2026) wird über Co-op bezahlt. Zählt der noch zum alten "
              "Halbjahr? Und bis wann einreichen?", "2027-02-15"),
])
def test_an_activitys_period_asked_which_funds_gets_the_earnings_that_pay_for_it(locale, text, claim_end):
    reply = respond(text, locale=locale, today=DEC7)
    stated = _stated(reply)
    assert claim_end in stated, reply.text
    # not its own half's cycle as if it were earnings (Jan – Jun 2027: claim until 15 Feb 2028)
    assert "2028-02-15" not in stated and "2027-08-15" not in stated - {claim_end}, reply.text


def test_an_activity_said_to_be_held_keeps_its_day_when_asked_if_it_can_still_be_paid():
    reply = respond("Moin, wir hatten am 12.03. ein Webinar, hab total vergessen das einzureichen. Geht das noch?",
                    locale="de-DE", today=DEC7)
    assert "2026-08-15" in _stated(reply) and "2027-08-15" not in _stated(reply), reply.text


def test_a_whole_year_asked_about_unsurely_gets_no_cycle():
    reply = respond("Moin, weißt du, wann dieses Jahr unsere Weihnachtsfeier ist? Letztes Jahr war die am 12.12.",
                    locale="de-DE", today=DEC7)
    assert not _stated(reply), reply.text


def test_a_program_named_beside_an_activity_does_not_take_the_deadline_question():
    reply = respond("Our Surface promotion activity is 10 April 2027 (in planning now). The warranty of our demo "
                    "devices is until 9 April 2028.\n\nPlease tell us: the activity can claim when? Keep documents until when?",
                    locale="en-US", today=DEC7)
    stated = _stated(reply)
    assert "2027-08-15" in stated and _keep(date(2027, 4, 10)) in stated, reply.text  # 10 April 2027: usage Jan – Jun
    assert _keep(date(2028, 4, 9)) not in stated, reply.text  # the demo devices' warranty


def test_a_month_in_the_subject_is_the_day_the_description_names_in_it():
    reply = respond("Short description: Co-op claim window for Nov roadshow?\nDescription:\nHi team, we ran a Copilot "
                    "roadshow in Kuala Lumpur on 18 November 2026, about 70 pax.", locale="en-GB", today=DEC7)
    assert _keep(date(2026, 11, 18)) in _stated(reply), reply.text


def test_a_request_over_a_bulleted_list_gets_one_answer_a_row():
    reply = respond("Dear Team,\nKindly confirm claim last dates for below activities:\n"
                    "• Customer seminar Faisalabad – 19-Dec-2026\n• Trade stand ITCN Asia Karachi – 06-Aug-2026\n"
                    "• Partner breakfast Lahore – 10-Mar-2027\nRegards,\nUsman", locale="en-GB", today=DEC7)
    assert len(reply.parts) == 3, reply.text
    assert {"2027-02-15", "2027-08-15"} <= _stated(reply)


def test_a_scans_letters_read_for_digits():
    reply = respond("text from the scanned flyer:\nAZURE FORUM 2O27\nDate: Tues-\nday, 1l May 2O27\nRSVP by 3O April 2027\n"
                    "when do we claim this event?", locale="en-GB", today=DEC7)
    assert _keep(date(2027, 5, 11)) in _stated(reply) and "2027-08-15" in _stated(reply), reply.text
    assert _keep(date(2027, 4, 30)) not in _stated(reply), reply.text


def test_a_deadline_question_after_a_planned_activity_is_its_deadline_not_the_rule():
    reply = respond("Allô,\nOn planifie une tournée dans l'Est ontarien début avril 2027. Quelle est la date limite pour "
                    "la réclamation?\nMerci!", locale="fr-CA", today=DEC7)
    assert "2027-08-15" in _stated(reply), reply.text  # April 2027: usage Jan – Jun 2027


def test_funds_of_a_program_named_before_whether_they_pay_for_a_plan_is_a_funding_question():
    reply = respond("Bonjour Madame,\nNotre structure a accumulé des fonds co-op au titre du programme Surface sur la "
                    "période allant de janvier à juin 2026. Nous comptons faire une opération d'affichage en février 2027. "
                    "Est-ce que ces fonds-là peuvent couvrir l'opération ?", locale="fr-FR", today=DEC7)
    # Jan – Jun 2026 earnings are used Jul – Dec 2026: a February 2027 campaign is too late for them
    assert reply.text.startswith("Non"), reply.text
    assert "31 décembre 2026" in reply.text, reply.text


def test_a_quebec_tu_question_gets_yes_or_no_first():
    reply = respond("Icitte on a fait notre souper-conférence le 24 septembre 2026. On a-tu encore le temps de soumettre?",
                    locale="fr-CA", today=DEC7)
    assert reply.text.startswith("Oui"), reply.text  # claimable until 15 Feb 2027


@pytest.mark.parametrize("locale,text", [
    ("fr-CA", "Bonjour, on a un événement prévu au Q3 FY27. C'est quels mois, pis on réclame jusqu'à quand? Merci"),
    ("en-US", "We have an event planned in Q3 FY27. Which months is that, and until when do we claim?"),
])
def test_an_event_in_a_fiscal_quarter_asked_its_months_gets_the_events_cycle(locale, text):
    # FY27 Q3 = January – March 2027: usage Jan – Jun 2027, claimed until 15 Aug 2027
    reply = respond(text, locale=locale, today=DEC7)
    stated = _stated(reply)
    assert "2027-08-15" in stated and "2028-02-15" not in stated, reply.text


@pytest.mark.parametrize("text,lang", [
    ("Is the trade show on 19 January 2027 ok to pay from FY27 H1?", "en"),
    ("Können wir die Messe am 19.01.2027 aus FY27 H1 bezahlen? Also bezahlen aus FY27 H1?", "de"),
])
def test_a_half_named_as_what_pays_is_the_earnings(text, lang):
    from understanding import engine

    u = engine.understand(text, lang=lang, today=DEC7)
    roles = {p.text: r for q in [u, *u.questions] for p, r in zip(q.slots.periods, q.roles)}
    assert roles.get("FY27 H1") == "earnings", roles
