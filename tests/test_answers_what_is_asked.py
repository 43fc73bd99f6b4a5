"""Sixth round of issue #17: a question about what a label means gets the months it names, and
no deadline it did not ask for; a question that asks a deadline gets the cycle. Months and
deadlines are computed here from SPEC's rules (rule 8: Microsoft's fiscal year runs July – June
and is named after the year it ends)."""
from __future__ import annotations

from datetime import date

import pytest

from understanding import respond

DEC7 = date(2026, 12, 7)


def _stated(reply) -> set[str]:
    out = set(reply.data.get("deadlines", [])) | {tl.claim_end.isoformat() for tl in reply.timelines} \
        | {tl.usage_end.isoformat() for tl in reply.timelines}
    for part in reply.parts:
        out |= _stated(part)
    return out


def _fy_half(fy: int, half: int) -> tuple[date, date]:
    """Microsoft's FY<fy> H<half>: H1 = July – December of fy-1, H2 = January – June of fy."""
    return (date(fy - 1, 7, 1), date(fy - 1, 12, 31)) if half == 1 else (date(fy, 1, 1), date(fy, 6, 30))


@pytest.mark.parametrize("text,locale,fy,half,month_word", [
    ("what does FY27 H1 mean?", "en-US", 27, 1, "July"),
    ("c'est quoi FY26 H2 en mois ?", "fr-FR", 26, 2, "janvier"),
    ("Was bedeutet FY28 H1?", "de-DE", 28, 1, "Juli"),
])
def test_a_label_asked_for_its_months_gets_its_months_and_no_deadline(text, locale, fy, half, month_word):
    reply = respond(text, locale=locale, today=DEC7)
    start, end = _fy_half(2000 + fy, half)
    assert not _stated(reply), reply.text
    assert month_word in reply.text and str(start.year) in reply.text, reply.text


@pytest.mark.parametrize("text,locale,fy,half", [
    ("FY27 H1: which months, and until when can we claim?", "en-US", 27, 1),
    ("Le FY26 H1, c'est quels mois, et c'était réclamable jusqu'à quand ?", "fr-CA", 26, 1),
    ("Was ist FY27 H2 in Monaten und bis wann kann man die Mittel daraus abrechnen?", "de-DE", 27, 2),
])
def test_a_label_asked_with_a_deadline_gets_its_cycle(text, locale, fy, half):
    reply = respond(text, locale=locale, today=DEC7)
    start, _ = _fy_half(2000 + fy, half)
    claim_end = date(start.year + 1, 2, 15) if start.month == 1 else date(start.year + 1, 8, 15)
    assert claim_end.isoformat() in _stated(reply), reply.text


@pytest.mark.parametrize("text,locale", [
    ("which Microsoft fiscal half are we in today?", "en-GB"),
    ("Welches FY-Halbjahr ist jetzt gerade bei Microsoft?", "de-DE"),
])
def test_the_half_of_today_is_named_with_its_label_and_no_deadline(text, locale):
    reply = respond(text, locale=locale, today=DEC7)
    assert "FY27 H1" in reply.text and not _stated(reply), reply.text  # 7 Dec 2026: Jul–Dec 2026 = FY27 H1
    reply = respond(text, locale=locale, today=date(2027, 3, 1))
    assert "FY27 H2" in reply.text and not _stated(reply), reply.text


def test_rows_of_labels_keep_their_deadlines_when_another_sentence_asks_them():
    reply = respond("- FY26 H1\n- FY26 H2\n- FY27 H1\nBitte je Zeile: welche Monate sind gemeint und bis wann Antrag?",
                    locale="de-DE", today=DEC7)
    assert {"2026-08-15", "2027-02-15", "2027-08-15"} <= _stated(reply), reply.text


# --- every day the message names is another thing's ------------------------------------------

@pytest.mark.parametrize("text,locale,day", [
    ("Launch-Event für Dynamics 365 Release Wave 1 2027 am 27.04.2027, Teams Premium Version 25031.805. "
     "Ab wann und bis wann können wir einreichen?", "de-DE", date(2027, 4, 27)),
])
def test_when_every_day_is_set_aside_the_bot_asks_which_is_the_activitys(text, locale, day):
    reply = respond(text, locale=locale, today=DEC7)
    assert reply.data.get("clarify") and not _stated(reply), reply.text
    assert reply.context.get("choice_dates") == [day.isoformat()]
    # the day chosen back is answered as the activity's: claim until Aug 15 (usage Jan – Jun 2027)
    again = respond(reply.choices[0], locale=locale, today=DEC7, context=reply.context)
    assert "2027-08-15" in _stated(again), again.text


def test_a_status_question_beside_an_invoice_still_gets_todays_windows():
    # "what is open now?" needs no activity: the invoice's day set aside changes nothing
    reply = respond("Invoice INV-2026-0931 dated 15 September 2026 was paid. Which claiming window is open today?",
                    locale="en-US", today=DEC7)
    assert not reply.data.get("clarify") and "2027-02-15" in _stated(reply), reply.text


@pytest.mark.parametrize("text,locale,word", [
    ("On me parle de « PoE » pour notre atelier du 29 février 2028. C'est quoi une PoE ? Et je garde jusqu'à quand ?",
     "fr-FR", "preuve d'exécution"),
    ("Our workshop is on 29 February 2028. What is a PoE? And until when do I keep it?", "en-GB", "proof of execution"),
])
def test_what_a_word_means_after_a_date_is_answered_from_the_page(text, locale, word):
    reply = respond(text, locale=locale, today=DEC7)
    assert word in reply.text.lower(), reply.text
    assert "2030-03-01" in repr([p.data.get("keep_until") for p in [reply, *reply.parts]])  # 29 Feb + 24 months
    # no half's cycle for "what is a PoE?" (29 Feb 2028: usage Jan – Jun 2028, claim until 15 Aug 2028)
    assert not {"2028-12-31", "2029-02-15"} & _stated(reply), reply.text


def test_what_months_a_label_covers_is_months_even_with_a_plan_word():
    # "cover" is a word of paying for a plan; asked of a label's months, the months answer
    reply = respond("what months does FY27 H1 cover?", locale="en-US", today=DEC7)
    assert "July" in reply.text and "2026" in reply.text and not _stated(reply), reply.text


@pytest.mark.parametrize("first,second,locale,word", [
    ("Le salon de Rennes du 1er juillet 2026 : quels fonds co-op le paient et jusqu'à quand réclamer ?",
     "C'est quoi « PoE » dans ta première réponse ?", "fr-FR", "preuve d'exécution"),
    ("Our roadshow was on 1 July 2026: which funds pay for it and until when can we claim?",
     "what does PoE stand for in your answer?", "en-US", "proof of execution"),
])
def test_in_a_conversation_what_a_word_means_is_not_the_last_date_again(first, second, locale, word):
    one = respond(first, locale=locale, today=DEC7)
    two = respond(second, locale=locale, today=DEC7, context=one.context)
    assert word in two.text.lower() and not _stated(two), two.text
    # a question about the same activity still rests on its day (1 July 2026 + 24 months)
    three = respond("and how long do we keep the invoices?", locale="en-US", today=DEC7,
                    context=respond("we held a webinar on 12 March 2026, deadline?", locale="en-US", today=DEC7).context)
    assert "2028-03-12" in repr(three.data.get("keep_until")), three.text


@pytest.mark.parametrize("text,locale,usage_end,claim_end", [
    # Jul – Sep 2026 earnings: used Jan – Jun 2027, claimed until 15 Aug 2027; the partner's own FY26 is no period
    ("Hi, our company FY26 is 1 Apr 2026 to 31 Mar 2027. Finance asks: the co-op we earned in our Q2 (Jul–Sep 2026), "
     "by when must we use it and by when must we claim it?", "en-SG", "2027-06-30", "2027-08-15"),
    ("Bonjour, nos fonds gagnés en juillet–septembre 2026, on doit les utiliser avant quand et on les réclame "
     "jusqu'à quand ?", "fr-FR", "2027-06-30", "2027-08-15"),
])
def test_the_second_ask_of_a_sentence_is_about_what_the_first_named(text, locale, usage_end, claim_end):
    reply = respond(text, locale=locale, today=DEC7)
    stated = _stated(reply)
    assert {usage_end, claim_end} <= stated, reply.text
    assert not {"2026-06-30", "2026-08-15", "2027-02-15"} & stated, reply.text  # FY26's or another half's


@pytest.mark.parametrize("text,locale", [
    ("Do unused funds roll over into the next half?", "en-US"),
    ("Les fonds non utilisés sont-ils reportés au semestre suivant ?", "fr-FR"),
    ("Werden ungenutzte Co-op-Mittel ins nächste Halbjahr übertragen?", "de-DE"),
])
def test_whether_funds_carry_over_is_a_rule_question_beside_a_relative_half(text, locale):
    reply = respond(text, locale=locale, today=DEC7)
    assert reply.intent == "rule" and not _stated(reply), reply.text


@pytest.mark.parametrize("text,locale", [
    ("Bonjour, c'est quoi la période de demande co-op en cours ?", "fr-FR"),
    ("what is the current claiming period?", "en-US"),
    ("Was ist der aktuelle Antragszeitraum?", "de-DE"),
])
def test_the_current_one_asked_is_todays_status_not_what_the_word_means(text, locale):
    # 7 Dec 2026: Jan – Jun 2026 earnings are claimable until 15 Feb 2027
    reply = respond(text, locale=locale, today=DEC7)
    assert "2027-02-15" in _stated(reply), reply.text
    assert respond(text.replace(" en cours", "").replace("current ", "").replace("aktuelle ", ""), locale=locale,
                   today=DEC7).intent == "rule"


@pytest.mark.parametrize("text,locale,first", [
    ("Le salon du 14 octobre 2026 est réclamable jusqu'en janvier ?", "fr-FR", "Oui"),
    ("The roadshow on 14 October 2026 is claimable this month?", "en-US", "Yes"),
    ("Die Messe am 14.03.2026 ist im Dezember abrechenbar?", "de-DE", "Nein"),
])
def test_a_yes_or_no_question_without_a_question_word_gets_yes_or_no_first(text, locale, first):
    # 14 Oct 2026: claimable until 15 Feb 2027 (open on 7 Dec 2026); 14 Mar 2026: closed 15 Aug 2026
    reply = respond(text, locale=locale, today=DEC7)
    assert reply.text.startswith(first), reply.text


def test_a_noun_asked_for_is_no_yes_or_no_question():
    # "last day to claim co-op earned in March 2025?": the day is asked (Jan – Jun 2025: closed 15 Feb 2026)
    reply = respond("last day to claim co-op earned in March 2025?", locale="en-US", today=DEC7)
    assert not reply.text.startswith(("Yes", "No")), reply.text
