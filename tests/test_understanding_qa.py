"""The QA round on main (nlu2): tickets keep every question, links that fit, reminders, plain text."""
from __future__ import annotations

import argparse
from datetime import date

import pytest

from understanding import respond
from understanding.frames import segment

T = date(2026, 12, 1)


def test_numbered_lists_are_one_question_per_item():
    text = ("Hello, quick questions: 1) what's the split for CSP? 2) who can submit claims? "
            "3) where do I find the core requirements? Regards, Tom")
    assert [s.text for s in segment(text) if s.kind == "question"] == [
        "what's the split for CSP?", "who can submit claims?", "where do I find the core requirements?"]
    r = respond(text, today=T)
    assert [p.intent for p in r.parts] == ["split", "roles", "how_to_claim"]
    bullets = segment("Hi team,\n- when does H1 2026 expire?\n- who can submit claims?\nThanks")
    assert [s.text for s in bullets if s.kind == "question"] == ["when does H1 2026 expire?", "who can submit claims?"]


def test_a_ticket_numbered_after_its_context_answers_all_three_in_order():
    r = respond("Hello support, we earned co-op in Q3 2026. 1. When does the usage period end? "
                "2. When can we start claiming? 3. What happens to funds we do not use? Thanks", today=T)
    assert [p.intent for p in r.parts] == ["usage_period", "claim_window", "forfeiture"]
    # alone, it asks what the rule is: the page's statement, not today's dates (issue #17)
    alone = respond("What happens to funds we do not use?", today=T)
    assert alone.intent == "rule" and "forfeit" in alone.text and not alone.timelines


def test_french_et_continuation_answers_both():
    r = respond("Bonjour, qu'est-ce que le CPOR ? Et est-ce que OSU Business Applications donne de la co-op ?", today=T)
    assert [p.intent for p in r.parts] == ["how_to_claim", "program_eligibility"]
    assert r.parts[0].text.startswith("CPOR est")


def test_a_link_question_gets_the_page_it_names():
    r = respond("Link to the co-op guidebook please", today=T)
    assert [ln.key for ln in r.links] == ["guidebook"]
    r = respond("what is CPOR?", today=T)
    assert [ln.key for ln in r.links] == ["cpor"] and r.text.startswith("CPOR is")
    r = respond("how do I submit a co-op claim?", today=T)
    assert len(r.links) == 4  # a general how-to still lists every page


def test_dont_remind_me_is_understood_as_stopping_reminders():
    assert respond("Don't remind me", today=T).action == "unsubscribe"
    assert respond("ne me rappelle plus", today=T).action == "unsubscribe"


def test_plain_text_drops_markdown_bold_and_keeps_bullets():
    from understanding.reply import plain

    r = respond("FY27 H1 deadline?", today=T)
    assert "**" in r.text and "**" not in r.plain_text
    assert "\n- " in r.plain_text and r.plain_text == plain(r.text)


def test_batch_answers_are_plain_text_and_a_number_is_not_a_question(tmp_path, capsys):
    import io
    import json

    from cli import answer as answer_cli

    src = tmp_path / "t.jsonl"
    src.write_text('{"question": "FY27 H1 deadline?"}\n{"question": 123}\n{"lang": "en"}\n', encoding="utf-8")
    parser = argparse.ArgumentParser()
    answer_cli.configure_parser(parser)
    args = parser.parse_args([str(src), "--today", "2026-12-01", "--json"])
    answer_cli.run(args, stderr=io.StringIO())
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert "August 15, 2027" in rows[0]["answer"] and "**" not in rows[0]["answer"]
    assert rows[1]["error"].endswith("the question is not text")
    assert rows[2]["error"].endswith("the row has no question")


def test_a_half_that_has_not_begun_says_accrual_has_not_started():
    en = respond("when can I claim co-op earned in January - June 2027?", today=T).text
    assert "not started accruing yet" in en and "still accruing" not in en
    fr = respond("quand réclamer la co-op gagnée de janvier à juin 2027 ?", today=T).text
    assert "n'a pas encore commencé" in fr and "encore en cours d'accumulation" not in fr
    now = respond("when can I claim co-op earned in July - December 2026?", today=T).text
    assert "still accruing" in now  # the half in progress still says so


def test_what_can_i_claim_in_a_period_holding_today_is_the_window_open_now():
    r = respond("What can I claim this quarter?", today=T)
    assert r.data["deadlines"][-1] == "2027-02-15" or "February 15, 2027" in r.text.split("\n")[0]
    assert [tl.earning_start.isoformat() for tl in r.timelines] == ["2026-01-01"]
    fr = respond("Qu'est-ce qu'on peut réclamer ce mois-ci ?", today=T)
    assert [tl.earning_start.isoformat() for tl in fr.timelines] == ["2026-01-01"]
    # a period that does not hold today keeps its earnings reading
    assert [tl.earning_start.isoformat() for tl in respond("when can I claim co-op earned in FY26 H1?", today=T).timelines] \
        == ["2025-07-01"]


def test_forfeiture_at_a_relative_period_is_the_usage_period_ending_then():
    r = respond("which funds are forfeited at the end of this month?", today=T)
    assert r.text.startswith("Co-op earned in January – June 2026 that is not used by **December 31, 2026**")
    assert [tl.earning_start.isoformat() for tl in r.timelines] == ["2026-01-01"] and "activity" not in r.text.split("\n")[0]


def test_a_plan_verdict_says_when_the_other_earnings_reading_turns_it_round():
    # with the 2020 labelling configured, "H2 2026" is the H2 whose months lie in 2026 or that table's FY2026 H2
    r = respond("Can I use my H2 2026 funds for an event in September 2027?", today=T, convention="seed")
    assert r.text.startswith("No:") and "Read that way, the answer is yes" in r.reading_note
    assert "February 15, 2028" in r.reading_note
    fr = respond("Peut-on utiliser nos fonds H2 2026 pour un salon en septembre 2027 ?", today=T, convention="seed")
    assert fr.text.startswith("Non") and "la réponse est oui" in fr.reading_note
    # the same verdict under both readings: no such sentence
    same = respond("Can I use my H2 2026 funds for an event in March 2029?", today=T, convention="seed")
    assert "Read that way" not in (same.reading_note or "")


def test_a_plan_bare_month_looks_ahead_in_verdict_and_note_alike():
    r = respond("Can we use our H1 funds for a conference in September?", today=T)
    assert "September 2027" in r.text.split("\n")[0]
    assert "September 2027" in r.reading_note and "September 2026" not in r.text


def test_fiscal_quarter_alternative_gives_its_deadline_once_per_reply():
    r = respond("Hello support, we earned co-op in Q3 2026. 1. When does the usage period end? "
                "2. When can we start claiming? 3. What happens to funds we do not use? Thanks", today=T)
    assert r.text.count("as a fiscal quarter") == 1
    # Microsoft's fiscal Q3 of 2026 (FY26 Q3) is January - March 2026; as earnings it would be claimed
    # until February 15, 2027, the date the calendar quarter has as an activity: never offered for earnings
    assert "as a fiscal quarter it would be January – March 2026" in r.text
    assert "February 15, 2027" not in r.text


def test_a_calendar_quarter_of_unsure_role_gives_the_fiscal_readings_deadlines_too():
    # the role is unsure: the answer reads "Q1 2025" as earnings and says the activity reading's
    # deadline; the fiscal-quarter readings come with their deadlines, not only their months
    r = respond("what is the claim deadline for Q1 2025", today=T)
    assert "activity is claimed until August 15, 2025" in r.text
    # Microsoft's fiscal Q1 of 2025 (FY25 Q1) is July - September 2024
    assert "as a fiscal quarter it would be July – September 2024 (claim deadline August 15, 2025)" in r.text
    fr = respond("quelle est la date limite pour le T1 2025 ?", today=T)
    assert "juillet – septembre 2024 (date limite de demande : 15 août 2025)" in fr.text, fr.text


def test_a_question_that_points_back_with_a_weak_reading_of_its_own_is_about_the_one_before():
    # "what if we don't reach it" read alone is a weak forfeiture guess, answered with today's
    # dates; its "it" is the minimum amount asked about just before
    r = respond("is there a minimum co-op amount? what if we don't reach it", today=date(2025, 1, 10))
    assert [p.intent for p in r.parts] == ["threshold", "threshold"]
    assert "rebate" in r.text and "2025" not in r.text  # no date: the threshold has none
    # a sure reading of its own is kept ("and when do we use it?": a usage question)
    r = respond("When must I claim FY26 H1 funds? And when do we have to use them?", today=T)
    assert [p.intent for p in r.parts] == ["claim_deadline", "usage_period"]


@pytest.mark.parametrize("text, intent, first", [
    ("what's the last day to use co-op from last half?", "usage_period", "must be used between"),
    ("dernier jour pour utiliser nos fonds FY27 H1 ?", "usage_period", "doit être utilisée entre"),
    ("URGENT!!! we did a linkedin campaign in octobre 2025, can we still submit???", "claim_deadline",
     "No: the claiming window closed on February 15, 2026."),
    ("on a fait un salon en mai 2026, peut-on encore le réclamer ?", "claim_deadline",
     "Non : la période de demande s'est terminée le 15 août 2026."),
    ("what's the difference between rebate and co-op?", "split", "Microsoft splits eligible incentive earnings"),
    ("c'est quoi la différence entre remise et co-op ?", "split", "Microsoft répartit les revenus d'incentive"),
    ("quel est le délai pour T2 2025 ?", "claim_deadline", "**Trop tard** : la période de demande"),  # closed on T
    ("what's FY27 H1?", "fy_label", "FY27 H1” is July – December 2026"),
    ("c'est quoi FY27 H1 ?", "fy_label", "FY27 H1 » correspond à juillet – décembre 2026"),
    ("when do FY28 H1 funds become available?", "usage_period", "must be used between **January 1, 2028**"),
])
def test_phrasings_added_to_the_corpus_in_the_evening_round(text, intent, first):
    r = respond(text, today=T)
    assert r.intent == intent and first in r.text.split("\n")[0], (r.intent, r.text[:200])


@pytest.mark.parametrize("text, first", [
    ("Hello, we have 8000 of co-op from FY27 H1. We want to do a conference in July 2027. Is that OK? "
     "Also, who in our org can file the claim? Thx", "No: co-op earned in July – December 2026 must be used"),
    ("Bonjour, nous avons de la co-op du S2 2026. Nous voulons faire un salon en mars 2027. Est-ce possible ? "
     "Et qui peut déposer la demande ? Merci", "Oui : la co-op gagnée de juillet à décembre 2026 peut payer"),
])
def test_a_ticket_naming_funds_then_a_plan_then_asking_is_that_ok_gets_a_verdict_and_the_roles(text, first):
    # the funds are named two sentences before the question, the plan one sentence before it;
    # "is that OK?" asks whether the one pays for the other
    r = respond(text, today=T)
    assert [p.intent for p in r.parts] == ["can_fund", "roles"]
    assert r.parts[0].text.startswith(first), r.parts[0].text[:200]
    assert "Incentives" in r.parts[1].text


def test_an_activity_across_two_usage_periods_gets_both_deadlines_under_a_heading_that_says_so():
    r = respond("we ran a roadshow from 25 June to 5 July 2026, what's the claim deadline?", today=T)
    assert r.text.startswith("An activity in June – July 2026 falls in 2 usage periods")
    assert "August 15, 2026" in r.text and "February 15, 2027" in r.text
    fr = respond("Notre roadshow s'est déroulé du 25 juin au 5 juillet 2026, jusqu'à quand le réclamer ?", today=T)
    assert fr.text.startswith("Une activité de juin à juillet 2026 tombe dans 2 périodes d'utilisation"), fr.text[:200]
    assert "15 août 2026" in fr.text and "15 février 2027" in fr.text


def test_several_questions_about_one_cycle_state_each_thing_once():
    r = respond("Our event is next month. Which co-op funds can pay for it and by when must we claim?", today=T)
    assert len(r.parts) == 2
    assert r.text.count("I took “next month” as January 2027") == 1
    assert r.text.count("proof-of-execution") == 1 and r.text.count("https://") == 1
    assert r.text.count("- Usage period:") == 1
    assert "August 15, 2027" in r.parts[1].text  # the second answer still answers
    r = respond("Hi team, we ran a webinar on 12 March 2024. When is the last day we can submit the claim, "
                "and how long should we keep the invoices? Thanks, Marie", today=T)
    assert r.text.count("(PoE)") == 1 and "March 12, 2026" in r.parts[1].text


def test_several_cycles_in_one_answer_each_have_a_heading():
    r = respond("what can I claim today?", today=date(2027, 2, 15))
    assert len(r.timelines) == 2
    assert "**Co-op earned in January – June 2026** (H2)" in r.text
    assert "**Co-op earned in July – December 2026** (H1)" in r.text
    lines = r.text.split("\n")
    for i, line in enumerate(lines):  # never a bullet block straight after another one's last bullet
        if line.startswith("- Earning period") and i > 0:
            assert not lines[i - 1].startswith("- ")


def test_french_numeric_date_note_says_it_was_read_day_first_because_of_the_language():
    q = "Quelle est la date limite pour la co-op gagnée le 03/10/2022 ?"
    us = respond(q, today=T, locale="en-US")
    assert "car le message est en français" in us.reading_note and "fr-FR" not in us.reading_note
    assert "3 octobre 2022" in us.reading_note
    fr = respond(q, today=T, locale="fr-FR")
    assert "paramètres régionaux fr-FR" in fr.reading_note


def test_can_we_still_claim_starts_with_yes_or_no():
    r = respond("We ran a webinar in October of last year, can we still claim it?", today=T)
    assert r.text.startswith("No: the claiming window closed on February 15, 2026.")
    fr = respond("Notre salon a eu lieu en octobre de l'an dernier. Peut-on encore la réclamer ?", today=T)
    assert fr.text.startswith("Non : la période de demande s'est terminée le 15 février 2026.")
    assert respond("We ran a webinar in October 2026, can we still claim it?", today=T).text.startswith(
        "Yes: the claiming window is open until February 15, 2027.")
    assert not respond("We ran a webinar in October 2026, when is the claim deadline?", today=T).text.startswith("Yes")


def test_an_unsure_reminder_request_explains_how_and_does_nothing():
    r = respond("hmm reminders maybe not", today=T)
    assert r.action is None and "unsubscribe" in r.text and "changed nothing" in r.text
    assert respond("unsubscribe", today=T).action == "unsubscribe"  # the way the answer names works
    fr = respond("rappels... bof", today=T)
    assert fr.action is None and "« arrêter les rappels »" in fr.text
    for said, action in (("arrêter les rappels", "unsubscribe"), ("envoie-moi des rappels", "subscribe"),
                         ("mes rappels", "list_reminders")):
        assert respond(said, today=T).action == action  # the phrases the answer gives work
    for said, action in (("unsubscribe", "unsubscribe"), ("remind me", "subscribe"), ("my reminders", "list_reminders")):
        assert respond(said, today=T).action == action


def test_a_status_question_after_a_dated_one_is_about_today():
    """'What can I claim right now?' after a question about FY21 H1 answers for today, not
    for the date of the question before (found in the Teams end-to-end walk)."""
    today = date(2026, 12, 1)
    first = respond("when is the claim deadline for FY21 H1?", today=today)
    again = respond("What can I claim right now?", today=today, context=first.context)
    alone = respond("What can I claim right now?", today=today)
    assert again.intent == alone.intent == "status"
    assert again.text == alone.text
    assert "February 15, 2027" in again.text and "2022" not in again.text
