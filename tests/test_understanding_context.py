"""The conversation context is a typed object (understanding.context.ConversationContext) and
the follow-up rules are named and live in one place (understanding.context.RULES)."""
from __future__ import annotations

import doctest
from datetime import date

import pytest

from understanding import context as ctx_mod
from understanding import respond
from understanding.context import ConversationContext, follow_up
from understanding.messages import t

T = date(2026, 12, 7)


def test_the_module_doctests_pass():
    assert doctest.testmod(ctx_mod).failed == 0


def test_state_of_any_shape_is_read_without_breaking_a_turn():
    c = ConversationContext.from_dict({"intent": "claim_deadline", "choices": "not a list", "split": [60, 40],
                                       "period_role": "nonsense", "awaiting": "amount", 3: "x"})
    assert c.intent == "claim_deadline" and c.choices == [] and c.split == ["60", "40"] and c.period_role is None
    assert c.to_dict() == {"intent": "claim_deadline", "split": ["60", "40"], "awaiting": "amount"}
    assert ConversationContext.from_dict(None) == ConversationContext() and ConversationContext.from_dict([1]).to_dict() == {}


def test_every_reply_carries_the_question_it_answered():
    r = respond("when do we claim our webinar of 12 March 2026?", today=T)
    c = ConversationContext.from_dict(r.context)
    assert c.question == "when do we claim our webinar of 12 March 2026?" and c.period_text == "12 March 2026"
    assert c.intent == "claim_deadline" and c.lang == "en"


def test_the_rules_are_named_and_tried_in_order():
    assert [name for name, _ in ctx_mod.RULES] == ["choice", "pick", "language", "correction", "shift"]


@pytest.mark.parametrize("first, second, want, not_want", [
    ("when do we claim our webinar of 12 March 2026?", "sorry, 2027 not 2026", "August 15, 2027", "August 15, 2026"),
    ("Notre webinaire du 12 mars 2026, date limite ?", "oups, je voulais dire 2027", "15 août 2027", "15 août 2026"),
    ("our booth on 30 June 2027: claim deadline?", "no wait, the 3rd of July 2027", "February 15, 2028", "August 15, 2027"),
    ("Le co-op gagné en octobre 2026 expire quand ?", "oublie ça, c'était en avril 2026", "31 décembre 2026", "30 juin 2027"),
])
def test_a_follow_up_that_corrects_the_date_changes_it_and_keeps_the_question(first, second, want, not_want):
    r1 = respond(first, today=T)
    r2 = respond(second, today=T, context=r1.context)
    assert want in r2.text and not_want not in r2.text, r2.text


@pytest.mark.parametrize("first, second, want, not_want", [
    # the correction is the first sentence; what follows it is no new period ("it's next year")
    ("Our expo stand was on 19/04/2026, can we still claim it?", "Oops, I meant 19/04/2027. It's next year.",
     "August 15, 2027", "February 15, 2028"),
    # a date said after "not" / "pas" is the one being replaced
    ("salon le 29/06/2027, on réclame jusqu'à quand ?", "non pardon c'est le 3 juillet pas le 29 juin", "15 février 2028",
     "15 août 2027"),
    ("roundtable on 5 May 2027, last day to claim?", "sorry, 2028 not 2027", "August 15, 2028", "August 15, 2027"),
    # an ambiguous numeric date is read in the order the corrected date was written (month first here)
    ("Booth on 12/30/2026 - claim deadline?", "oops, it's actually 01/02/2027", "August 15, 2027", "February 15, 2027"),
    # the corrected date's year stays when the correction names only a day and month
    ("atelier le 28/06/2027, date limite ?", "ah non c'est le 2 juillet", "2 juillet 2027", "2 juillet 2026"),
    # a numeric date's year is corrected too
    ("webinar on 22/03/2027, deadline?", "sorry, 2028 not 2027", "March 22, 2028", "March 22, 2027"),
])
def test_a_correction_replaces_the_date_it_denies_with_the_narrowest_it_says(first, second, want, not_want):
    r1 = respond(first, today=T)
    r2 = respond(second, today=T, context=r1.context)
    assert want in r2.text and not_want not in r2.text, r2.text


def test_a_question_after_a_correction_is_asked_of_the_corrected_question():
    r1 = respond("workshop on 28/06/2027, when must we claim?", today=T)
    r2 = respond("no sorry it was 2 July. which funds pay for it then?", today=T, context=r1.context)
    assert "February 15, 2028" in r2.text and "January – June 2027" in r2.text, r2.text


def test_a_follow_up_that_corrects_the_role_reads_the_date_so():
    r1 = respond("claim deadline for co-op from March 2026?", today=T)
    assert r1.timelines[0].claim_end == date(2027, 2, 15)  # read as earnings
    r2 = respond("sorry, I meant the event happened then", today=T, context=r1.context)
    assert [tl.claim_end for tl in r2.timelines] == [date(2026, 8, 15)] and "February 15, 2027" not in r2.text


@pytest.mark.parametrize("first, second, lang, want", [
    ("Our webinar was 17 Nov 2026. Claim deadline?", "Peux-tu me le redire en français pour mon collègue ?", "fr",
     "15 février 2027"),
    ("webinaire du 22 janvier 2027, c'est quoi la période de demande ?", "Can you say that in English for my manager?",
     "en", "August 15, 2027"),
])
def test_a_follow_up_asking_for_another_language_answers_the_same_question_in_it(first, second, lang, want):
    r1 = respond(first, today=T)
    r2 = respond(second, today=T, context=r1.context)
    assert r2.lang == lang and want in r2.text


def test_a_new_question_is_never_taken_for_a_correction():
    r1 = respond("when do we claim our webinar of 12 March 2026?", today=T)
    r2 = respond("Our trade show was on 3 October 2026 and it was a success, so when must we claim it?", today=T,
                 context=r1.context)
    assert "February 15, 2027" in r2.text
    assert follow_up("what is a usage period?", ConversationContext.from_dict(r1.context)) is None


@pytest.mark.parametrize("text, first", [
    ("The customer roundtable on 20 November 2026 - still time to claim?", "Yes"),
    ("Our event of Microsoft Fabric was in 28 of april of 2026, it is posible to claim yet?", "No"),
    ("Is it too late to claim our webinar of 3 March 2026?", "Yes, it is too late"),
    ("Is it too late to claim our webinar of 3 November 2026?", "No, it is not too late"),
    ("We did a webinar on 6 December 2026. Can I add it to the claim I'm filing on 10 December 2026?", "Yes"),
    ("Can we claim our booth of 14 February 2027 in the claim we file on 10 February 2027?", "No"),
    ("Do OSU Microsoft 365 incentives give us co-op funds?", "No"),
    ("Can co-op fund our team's Microsoft certifications?", "Yes"),
    ("L'atelier du 20 novembre 2026, il est encore temps ?", "Oui"),
    ("Le programme OSU Business Applications donne droit au co-op ?", "Non"),
])
def test_a_yes_or_no_question_is_answered_yes_or_no_first(text, first):
    r = respond(text, today=T)
    assert r.text.startswith(first), r.text[:160]


@pytest.mark.parametrize("first, again, right", [
    ("the last date for claiming our FY26 H2 co-op?",
     "Why 15 Feb? Our finance head is saying co-op has to be claimed by 30 June, that is what he remembers.",
     date(2027, 2, 15)),
    ("jusqu'à quand réclamer nos fonds gagnés en mars 2026 ?",
     "Pourquoi le 15 février ? Ma cheffe dit que c'est jusqu'au 30 juin.", date(2027, 2, 15)),
])
def test_a_day_of_the_last_answer_quoted_back_is_that_answer_questioned(first, again, right):
    r1 = respond(first, today=T)
    assert right.isoformat() in r1.context["deadlines"]
    r2 = respond(again, today=T, context=r1.context)
    # read as an activity on 15 February 2026, "15 Feb" would give a closed window ending August 15, 2026
    assert [tl.claim_end for tl in r2.timelines] == [right]
    assert r2.text.splitlines()[0] == t(r2.lang, "note.asserted")  # the stated 30 June is checked, never confirmed


@pytest.mark.parametrize("first, again", [
    ("Our roadshow is on 22/03/2027 - last day to claim?", "Brilliant. Could you remind me a week before that deadline?"),
    ("which H2 funds can I still claim right now?", "ok remind me a week before that"),
    ("Notre salon a lieu le 22/03/2027, on réclame jusqu'à quand ?", "Rappelle-moi une semaine avant, stp"),
])
def test_a_reminder_asked_a_week_before_is_a_request_not_the_period_before(first, again):
    r1 = respond(first, today=T)
    r2 = respond(again, today=T, context=r1.context)
    assert r2.action == "subscribe", r2.text


def test_say_it_in_another_language_keeps_the_date_said_in_another_sentence():
    r1 = respond("Unsere Roadshow ist am 20. April 2027. Bis wann können wir die Kosten einreichen?", today=T)
    r2 = respond("Can you give me that in English for my US manager, please?", today=T, context=r1.context)
    assert r2.lang == "en" and [tl.claim_end for tl in r2.timelines] == [date(2027, 8, 15)]
    assert r2.poe_keep_until == date(2029, 4, 20)
