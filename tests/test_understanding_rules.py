"""Rule questions answered from the co-op page's statements (understanding/rules.py, issue #17 item 4).

The paraphrases below are this file's own (not taken from an eval set): for every statement
id, questions in English and French that must retrieve it first. The module's doctests run here
too.
"""
from __future__ import annotations

import doctest
import re
import tomllib
from datetime import date
from pathlib import Path

import pytest

from core import link, load_policy
from understanding import packs, respond, rules
from understanding.reply import Reply

LANG = Path(rules.__file__).resolve().parent / "lang"
SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "earn-co-op-funds.fr-FR.md"
TODAY = date(2026, 12, 7)

# statement id -> (English questions, French questions); each must retrieve the id first
PARAPHRASES: dict[str, tuple[list[str], list[str]]] = {
    "applies_to": (
        ["Which portal does the co-op page apply to?", "Where are co-op funds handled, which tool?"],
        ["Sur quel portail s'applique la page co-op ?", "C'est sur quel outil, le co-op ? L'Espace partenaires ?"],
    ),
    "roles": (
        ["Which roles are needed to work on co-op claims?", "who is allowed to claim co-op, what permission do I need?",
         "I can't see the incentives workspace, what access rights are required?"],
        ["Quels rôles faut-il pour travailler sur les demandes co-op ?", "Qui a le droit de faire une demande, quel accès ?",
         "je ne vois pas l'espace incentives, quels droits faut-il ?"],
    ),
    "coop_definition": (
        ["What are co-op funds?", "what is cooperative marketing, in plain words?", "explain co-op to me like I'm new"],
        ["C'est quoi les fonds co-op ?", "que sont les fonds de marketing coopératif ?",
         "expliquez-moi le co-op, comment ça fonctionne en gros"],
    ),
    "programs_examples": (
        ["Which incentive programs earn co-op?", "does CSP or hosting give us co-op, what programs qualify?",
         "examples of programs that generate co-op?"],
        ["Quels programmes d'incentives donnent droit au co-op ?", "le CSP et l'hébergement génèrent-ils du co-op ?",
         "exemples de programmes qui permettent de gagner du co-op"],
    ),
    "uses_marketing": (
        ["What marketing activities can co-op pay for?", "can co-op fund advertising campaigns and events?",
         "what is co-op for, which marketing can we spend it on?"],
        ["Quelles activités marketing le co-op peut-il financer ?", "peut-on payer de la publicité et des événements avec le co-op ?",
         "à quoi sert le co-op côté marketing, notoriété de la marque ?"],
    ),
    "uses_readiness": (
        ["Can co-op pay for Microsoft certification exams?", "is training and readiness eligible for co-op?",
         "can we invest co-op in specializations or a center of excellence?"],
        ["Le co-op peut-il payer des examens de certification Microsoft ?", "les formations sont-elles finançables par le co-op ?",
         "peut-on investir le co-op dans une spécialisation ou un centre d'excellence ?"],
    ),
    "resources_page": (
        ["Where can I learn more about co-op, is there a resources page?", "any more resources or documentation on co-op funds?"],
        ["Où trouver plus d'informations sur les fonds co-op, une page ressources ?", "y a-t-il de la documentation, des ressources sur le co-op ?"],
    ),
    "not_coop_programs": (
        ["Does OSA Sell earn co-op?", "why is there no co-op for OSU Microsoft 365?", "which programs are excluded from co-op claims?"],
        ["Pourquoi pas de co-op pour OSU Microsoft 365 ?", "les programmes OSA sont-ils exclus des demandes co-op ?",
         "quels programmes sont exclus du co-op ?"],
    ),
    "cpor": (
        ["What is CPOR?", "how do we claim for OSU, through a customer association?", "what's the customer association model?"],
        ["C'est quoi le modèle CPOR ?", "comment faire une demande OSU avec une association client ?",
         "qu'est-ce que l'association client CPOR ?"],
    ),
    "split": (
        ["How are co-op funds calculated?", "what is the split between rebate and co-op?", "explain the split percentage"],
        ["Comment les fonds co-op sont-ils calculés ?", "c'est quoi la répartition entre remise et co-op ?",
         "que veut dire le pourcentage de répartition ?"],
    ),
    "rebate_payout": (
        ["When is the rebate portion paid out?", "what's the difference between rebate and co-op, which one is cash?",
         "how is the rebate part paid, on what cadence?"],
        ["Quand la part de remise est-elle versée ?", "quelle différence entre la remise et le co-op, laquelle est payée ?",
         "comment la remise est-elle payée, à quelle cadence de paiement ?"],
    ),
    "split_guide": (
        ["Where do I find the exact split for my program?", "what split percentage applies to our program, where is it written?"],
        ["Où trouver la répartition exacte de mon programme ?", "quel pourcentage exact s'applique à notre programme, où est-ce écrit ?"],
    ),
    "threshold": (
        ["What happens if our co-op is below the threshold?", "what is the threshold rule?",
         "are small co-op amounts converted into rebate?"],
        ["Que se passe-t-il si le co-op est sous le seuil ?", "c'est quoi la règle du seuil ?",
         "un petit montant de co-op est-il converti en remise ?"],
    ),
    "threshold_amount": (
        ["How much is the threshold amount?", "what is the minimum threshold value for co-op?"],
        ["Quel est le montant du seuil ?", "combien vaut le seuil minimum de co-op ?"],
    ),
    "halves": (
        ["What does the H in H1 stand for?", "how is the co-op year divided into halves?", "what are H1 and H2?",
         "What months are in H1?", "is the first half July to December?", "which half starts in July?",
         "What months are in H2?", "is the second half January to June?"],
        ["Que veut dire le H de H1 ?", "comment l'année co-op est-elle divisée en semestres ?", "c'est quoi H1 et H2, des semestres ?",
         "Quels mois sont dans H1 ?", "le premier semestre va-t-il de juillet à décembre ?", "H1 commence en juillet ?",
         "Quels mois sont dans H2 ?", "le second semestre va-t-il de janvier à juin ?"],
    ),
    "earning_period": (
        ["What is an earning period?", "what does accrual period mean?", "explain the earning period"],
        ["C'est quoi la période de gains ?", "que veut dire période d'acquisition ?", "expliquez la période de gains"],
    ),
    "usage_period": (
        ["What is a usage period?", "what does usage period mean for co-op?", "when are we supposed to use the earnings, in general?"],
        ["C'est quoi la période d'utilisation ?", "que signifie période d'utilisation ?",
         "en général, quand doit-on utiliser les gains ?"],
    ),
    "forfeiture": (
        ["What does forfeited mean?", "do unused co-op funds roll over?", "what happens to co-op we don't use?",
         "do we lose the money if it is not spent?"],
        ["Ça veut dire quoi, perte des fonds ?", "les fonds non utilisés sont-ils reportés ?",
         "que deviennent les fonds qu'on n'utilise pas ?", "perd-on l'argent s'il n'est pas dépensé ?"],
    ),
    "claiming_period": (
        ["What is the claiming period?", "How long do we have to claim, in general?", "what does claim period mean?"],
        ["C'est quoi la période de demande ?", "en général, combien de temps a-t-on pour réclamer ?",
         "que signifie période de demande ?"],
    ),
    "periods_extent": (
        ["Do periods include the first and last day of the month?", "does a period end on the last day of its last month?"],
        ["Les périodes incluent-elles le premier et le dernier jour du mois ?",
         "une période finit-elle le dernier jour de son dernier mois ?"],
    ),
    "claim_window": (
        ["Why is the claim window shifted?", "why does claiming open on the 16th and close on the 15th?",
         "why does the claiming period overlap the usage period?"],
        ["Pourquoi la période de demande est-elle décalée ?", "pourquoi la demande s'ouvre le 16 et se termine le 15 ?",
         "pourquoi le décalage entre période d'utilisation et période de demande ?"],
    ),
    "fy_labels": (
        ["What does FY mean in FY26 H2?", "how are fiscal years named?", "explain Microsoft's fiscal year labels"],
        ["Que veut dire FY dans FY26 H2 ?", "comment sont nommés les exercices fiscaux ?",
         "expliquez les libellés d'exercice fiscal de Microsoft"],
    ),
    "fy_labels_2020": (
        ["Why is the old 2020 table one year off?", "why does the table say FY20 when you say FY21?"],
        ["Pourquoi l'ancien tableau de 2020 est-il décalé d'un an ?", "pourquoi le tableau dit FY20 et vous FY21, une correction ?"],
    ),
    "activity_cycle": (
        ["Which funds pay for an activity, in general?", "how does an event's date decide which half pays for it?",
         "explain which claiming period an activity belongs to"],
        ["En général, quels fonds paient une activité ?", "comment la date d'un événement décide-t-elle quel semestre le paie ?",
         "expliquez à quelle période de demande appartient une activité"],
    ),
    "activity_funding": (
        ["Can we use last year's funds for a future event, in general?", "why can't old funds pay for an event next year?"],
        ["En général, peut-on utiliser les fonds de l'an dernier pour un événement futur ?",
         "pourquoi d'anciens fonds ne peuvent-ils pas financer un événement l'an prochain ?"],
    ),
    "claim_submission": (
        ["Can one claim be filed in two claiming periods at once?", "is there a gap or an overlap between claiming periods?"],
        ["Une demande peut-elle être soumise dans deux périodes de demande en même temps ?",
         "y a-t-il un trou ou un chevauchement entre les périodes de demande ?"],
    ),
    "poe": (
        ["What is proof of execution?", "how long do we keep invoices, in general?", "what does PoE mean?"],
        ["C'est quoi la preuve d'exécution ?", "combien de temps garder les factures, en général ?", "que veut dire PoE ?"],
    ),
    "create_claim": (
        ["How do I submit a claim, what's the procedure?", "how can I edit a claim I already submitted?"],
        ["Comment soumettre une demande, quelle est la procédure ?", "comment modifier une demande déjà envoyée ?"],
    ),
    "core_requirements": (
        ["What are the core requirements for activities?", "why was our claim rejected, what criteria apply?"],
        ["Quelles sont les exigences de base pour les activités ?", "pourquoi notre demande a été refusée, quels critères ?"],
    ),
    "guidebook": (
        ["Is there a co-op guidebook?", "where is the PDF with the program details?"],
        ["Y a-t-il un guide de la co-op ?", "où est le PDF avec les détails du programme ?"],
    ),
    "getting_started": (
        ["We're a new partner, how do we get started with incentives?", "first time with incentives, where do I begin?"],
        ["Nous sommes un nouveau partenaire, comment bien commencer avec les incentives ?",
         "première fois avec les incentives, par où commencer ?"],
    ),
}

CASES = [(sid, lang, q) for sid, (en, fr) in PARAPHRASES.items() for lang, qs in (("en", en), ("fr", fr)) for q in qs]
# Misses kept as written, not reworded until they pass: the only word saying which statement
# ("co-op") is on every statement, and "new" is a keyword of getting_started.
KNOWN_MISSES = {"explain co-op to me like I'm new"}

# Written after the data above was tuned on PARAPHRASES, and not tuned on since: measured once
# at 56/62 first (90.3 %) and 60/62 within the hits (96.8 %); the floors below keep that figure honest.
UNTUNED = [
    ('applies_to', 'en', 'Is co-op managed in Partner Center or somewhere else?'),
    ('applies_to', 'fr', 'Le co-op se gère dans quel outil Microsoft ?'),
    ('roles', 'en', 'what role must my colleague have to file co-op claims?'),
    ('roles', 'fr', 'il faut quel rôle pour soumettre une demande co-op ?'),
    ('coop_definition', 'en', 'In short, what does co-op mean at Microsoft?'),
    ('coop_definition', 'fr', "Le co-op Microsoft, c'est quoi exactement ?"),
    ('programs_examples', 'en', 'does Surface earn co-op? which programs give it?'),
    ('programs_examples', 'fr', "quels programmes d'incentives rapportent du co-op ?"),
    ('uses_marketing', 'en', 'what kind of marketing can the funds be used for?'),
    ('uses_marketing', 'fr', 'quelles actions marketing peut-on financer avec le co-op ?'),
    ('uses_readiness', 'en', 'are certifications an eligible use of co-op?'),
    ('uses_readiness', 'fr', 'peut-on utiliser le co-op pour des certifications Microsoft ?'),
    ('resources_page', 'en', 'is there a co-op funds resources page somewhere?'),
    ('resources_page', 'fr', 'existe-t-il une page de ressources sur les fonds co-op ?'),
    ('not_coop_programs', 'en', 'Is OSU Business Applications eligible for co-op?'),
    ('not_coop_programs', 'fr', 'OSU Business Applications donne-t-il droit au co-op ?'),
    ('cpor', 'en', 'explain the CPOR model'),
    ('cpor', 'fr', 'que signifie CPOR ?'),
    ('split', 'en', 'what does the 60/40 split mean?'),
    ('split', 'fr', 'comment se calcule la part co-op des revenus ?'),
    ('rebate_payout', 'en', "is the rebate paid out on the program's normal cadence?"),
    ('rebate_payout', 'fr', 'la remise est-elle payée selon la cadence habituelle ?'),
    ('split_guide', 'en', 'where can I see which percentage my program uses?'),
    ('split_guide', 'fr', 'où voir le pourcentage de répartition de mon programme ?'),
    ('threshold', 'en', 'why were our co-op earnings converted to rebate?'),
    ('threshold', 'fr', 'pourquoi nos gains co-op ont-ils été convertis en remise ?'),
    ('threshold_amount', 'en', 'what is the threshold amount for co-op?'),
    ('threshold_amount', 'fr', 'quel est le montant du seuil de co-op ?'),
    ('halves', 'en', 'what does fiscal half-year mean?'),
    ('halves', 'fr', 'que veut dire semestre fiscal ?'),
    ('earning_period', 'en', 'what is meant by earning period?'),
    ('earning_period', 'fr', 'la période de gains, ça veut dire quoi ?'),
    ('usage_period', 'en', 'how long do we have to use our co-op in general?'),
    ('usage_period', 'fr', 'combien de temps a-t-on pour utiliser le co-op en général ?'),
    ('forfeiture', 'en', 'is unused co-op carried over to the next half?'),
    ('forfeiture', 'fr', 'que se passe-t-il avec le co-op non dépensé ?'),
    ('claiming_period', 'en', 'define claiming period'),
    ('claiming_period', 'fr', 'définition de la période de demande ?'),
    ('periods_extent', 'en', 'does a period run through the last day of its final month?'),
    ('periods_extent', 'fr', "les périodes vont-elles jusqu'au dernier jour du mois ?"),
    ('claim_window', 'en', 'why does claiming start in the middle of the month?'),
    ('claim_window', 'fr', 'pourquoi la période de demande commence-t-elle le 16 ?'),
    ('fy_labels', 'en', 'how does Microsoft name its fiscal years?'),
    ('fy_labels', 'fr', 'comment Microsoft nomme-t-il son exercice fiscal ?'),
    ('fy_labels_2020', 'en', 'why was the FY label in the old table corrected?'),
    ('fy_labels_2020', 'fr', "pourquoi les libellés FY de l'ancien tableau ont-ils été corrigés ?"),
    ('activity_cycle', 'en', "which half's funds pay for an event, generally?"),
    ('activity_cycle', 'fr', 'en général, quel semestre paie une activité ?'),
    ('activity_funding', 'en', 'can funds earned in one half pay for an event outside its usage period?'),
    ('activity_funding', 'fr', "les gains d'un semestre peuvent-ils financer une activité en dehors de sa période d'utilisation ?"),
    ('claim_submission', 'en', 'can claiming periods overlap?'),
    ('claim_submission', 'fr', 'les périodes de demande peuvent-elles se chevaucher ?'),
    ('poe', 'en', 'how long must original documents be kept?'),
    ('poe', 'fr', 'pendant combien de temps conserver les documents originaux ?'),
    ('create_claim', 'en', 'what are the steps to create a co-op claim?'),
    ('create_claim', 'fr', 'quelles sont les étapes pour créer une demande co-op ?'),
    ('core_requirements', 'en', 'what conditions must an activity meet to be claimable?'),
    ('core_requirements', 'fr', 'quelles conditions une activité doit-elle remplir ?'),
    ('guidebook', 'en', 'where is the partner incentives co-op guidebook?'),
    ('guidebook', 'fr', 'où trouver le guide de la co-op des incentives partenaires ?'),
    ('getting_started', 'en', 'how do I get started with Microsoft incentives?'),
    ('getting_started', 'fr', 'par où commencer avec les incentives Microsoft ?'),
]


def test_doctests():
    result = doctest.testmod(rules, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


# ------------------------------------------------------------------------------------------
# the data


def _file(lang: str) -> dict:
    with open(LANG / lang / "statements.toml", "rb") as fh:
        return tomllib.load(fh)


def test_every_statement_has_paraphrases_in_both_languages():
    ids = [s.id for s in rules.statements("en")]
    assert sorted(ids) == sorted(PARAPHRASES)
    assert all(len(en) >= 2 and len(fr) >= 2 for en, fr in PARAPHRASES.values())


def test_both_languages_state_the_same_statements_with_the_same_citations():
    en, fr = _file("en"), _file("fr")
    assert [s["id"] for s in en["statements"]] == [s["id"] for s in fr["statements"]]
    assert set(en["sections"]) == set(fr["sections"])
    for a, b in zip(en["statements"], fr["statements"]):
        assert (a["section"], a["link"], a["ref"]) == (b["section"], b["link"], b["ref"]), a["id"]
        assert a.get("keywords") and b.get("keywords"), a["id"]
    assert [s.lang for s in rules.statements("fr")] == ["fr"] * len(fr["statements"])


def test_every_statement_cites_a_section_and_a_link_of_the_policy():
    for lang in ("en", "fr"):
        for st in rules.statements(lang):
            assert st.section and st.text and st.refs, st.id
            assert link(st.link).url.startswith("https://"), st.id
            assert all(re.fullmatch(r"484a9-1\d\d|SPEC (?:[1-9]|10)", r) for r in st.refs), st.id


def test_every_spec_rule_is_stated():
    refs = {r for st in rules.statements("en") for r in st.refs}
    assert {f"SPEC {n}" for n in range(1, 11)} <= refs


def test_every_sentence_of_the_page_is_stated():
    """Each sentence of the co-op page (its data-ttu-id) is cited by a statement, but for the
    page's title and section headings."""
    if not SEED.is_file():
        pytest.skip(f"seed document not found at {SEED}")
    ids = set(re.findall(r'data-ttu-id="(484a9-\d+)"', SEED.read_text("utf-8")))
    headings = {"484a9-103", "484a9-116", "484a9-123", "484a9-169"}  # title, "How co-op …", "When to claim …", "Next steps"
    refs = {r for st in rules.statements("en") for r in st.refs}
    assert ids - headings - refs == set()


def test_numbers_of_the_page_are_stated_as_the_page_and_policy_say():
    by_id = {s.id: s for s in rules.statements("en")}
    fr = {s.id: s for s in rules.statements("fr")}
    p = load_policy()
    assert f"{p.split.example_rebate_percent}% rebate" in by_id["split"].text
    assert f"{p.split.example_coop_percent} % de co-op" in fr["split"].text
    assert f"{p.retention.poe_months} months" in by_id["poe"].text and f"{p.retention.poe_months} mois" in fr["poe"].text
    assert "July 1 – December 31" in by_id["halves"].text and "1er juillet au 31 décembre" in fr["halves"].text
    assert "January 1 – June 30" in by_id["halves"].text and "1er janvier au 30 juin" in fr["halves"].text
    assert "FY26 H2" in by_id["fy_labels"].text and "January – June 2026" in by_id["fy_labels"].text
    # where the page is silent it says where to look, and gives no number
    for sid in ("threshold_amount", "split_guide"):
        assert "program guide" in by_id[sid].text and not re.search(r"\d", by_id[sid].text)


def test_french_statements_use_the_products_words():
    with open(LANG / "fr" / "glossary.toml", "rb") as fh:
        glossary = tomllib.load(fh)
    text = " ".join(s.text for s in rules.statements("fr")).lower()
    for avoid in glossary["avoid"]:
        assert not re.search(avoid["pattern"], text, re.I), avoid["use"]
    for term in glossary["terms"]:
        assert term in text.replace("’", "'"), term


# ------------------------------------------------------------------------------------------
# retrieval


@pytest.mark.parametrize("sid,lang,question", [
    pytest.param(*case, marks=pytest.mark.xfail(strict=True, reason="known miss")) if case[2] in KNOWN_MISSES else case
    for case in CASES], ids=[f"{s}-{l}-{n}" for n, (s, l, _) in enumerate(CASES)])
def test_paraphrase_retrieves_its_statement_first(sid, lang, question):
    hits = rules.find(question, lang, today=TODAY)
    assert hits, f"nothing found for {question!r}"
    assert hits[0].id == sid, f"{question!r}: {[(h.id, h.score) for h in hits]}"


def test_retrieval_accuracy_is_reported():
    """The figure README quotes: every paraphrase above, top-1 and within the hits (<= 3)."""
    top1 = sum(1 for sid, lang, q in CASES if (h := rules.find(q, lang, today=TODAY)) and h[0].id == sid)
    within = sum(1 for sid, lang, q in CASES if sid in [h.id for h in rules.find(q, lang, today=TODAY)])
    assert top1 == len(CASES) - len(KNOWN_MISSES) and within >= top1


def test_untuned_paraphrases_keep_their_first_measure():
    top1 = sum(1 for sid, lang, q in UNTUNED if [h.id for h in rules.find(q, lang)][:1] == [sid])
    within = sum(1 for sid, lang, q in UNTUNED if sid in [h.id for h in rules.find(q, lang)])
    assert {s for s, _, _ in UNTUNED} == set(PARAPHRASES)
    assert top1 >= 56 and within >= 60, (top1, within, len(UNTUNED))


def test_hits_are_at_most_three_best_first():
    for sid, lang, q in CASES:
        hits = rules.find(q, lang, today=TODAY)
        assert 1 <= len(hits) <= 3
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
        assert all(h.statement.lang == lang for h in hits)


def test_dates_and_amounts_of_the_question_are_not_words_of_a_rule():
    plain = rules.find("what does forfeited mean?", "en")
    dated = rules.find("what does forfeited mean for co-op earned in March 2024, 5 000 € of it?", "en")
    assert plain[0].id == dated[0].id == "forfeiture"
    assert "2024" not in rules.masked("co-op earned in March 2024", "en")


def test_nothing_found_for_text_about_nothing_on_the_page():
    for text, lang in [("", "en"), ("   ", "fr"), ("hello", "en"), ("reset my Outlook password", "en"),
                       ("quel temps fait-il à Lyon ?", "fr"), (None, "en")]:
        assert rules.find(text, lang) == []


# ------------------------------------------------------------------------------------------
# meaning questions vs. questions about the partner's own dates

MEANING = {
    "en": ["What is a usage period?", "How long do we have to claim, in general?", "why is the claim window shifted?",
           "what does forfeited mean", "what can co-op pay for?", "what is the claiming period?",
           "Explain the threshold to me", "Do unused co-op funds roll over?", "What's PoE?", "what does H1 stand for?",
           "Is H1 January to June?", "what is the difference between rebate and co-op?",
           "what does forfeited mean, does the money move to the next half?", "what kinds of activities can co-op cover?"],
    "fr": ["c'est quoi la période de demande ?", "ça veut dire quoi perte des fonds", "que signifie période d'utilisation ?",
           "en général, combien de temps pour réclamer ?", "pourquoi la période de demande est-elle décalée ?",
           "Qu'est-ce que la preuve d'exécution ?", "quelle est la période de gains ?", "les fonds non utilisés sont-ils reportés ?",
           "à quoi sert le co-op ?", "expliquez-moi le seuil", "Qu'est-ce qu'une preuve d'exécution ?",
           "que signifie perte des fonds, l'argent passe-t-il au semestre suivant ?"],
}
OWN_DATES = {
    "en": ["When must we claim the co-op earned in March 2024?", "our webinar was on 12 May 2026, what's the deadline?",
           "what is the deadline for our H1 funds?", "what does FY26 H2 mean?", "is H1 still open?",
           "what is the claim deadline for last month's event?", "split 5 000 € 60/40", "when must I claim H1 funds?",
           "What can I claim right now?", "How long do we have to claim the Q3 2025 event?",
           "In general, when is the deadline for funds earned in 2025?", "what is my usage period?",
           "when do I have to use the co-op from H2 2025?", "remind me", "what is the deadline?",
           "Trade show planned for the third of March. What is the claiming period?", "why no co-op for OSA?",
           "why can't we claim last month's webinar?"],
    "fr": ["Quand réclamer le co-op gagné en mars 2024 ?", "notre webinaire du 12/05/2026, quelle date limite ?",
           "jusqu'à quand utiliser mes fonds H1 ?", "que veut dire FY26 H2 ?", "la période de demande est-elle encore ouverte ?",
           "combien de temps garder la facture du salon du 03/10/2022 ?", "répartition 5 000 € 60/40",
           "quelle est ma période d'utilisation ?", "Rappelle-moi mes dates limites de co-op",
           "Qu'est-ce qu'on peut demander maintenant ?", "Salon organisé le douze mars. Quelle est la période de demande ?",
           "le CSP donne-t-il droit au co-op ?"],
}


@pytest.mark.parametrize("lang,text", [(lang, q) for lang, qs in MEANING.items() for q in qs])
def test_meaning_questions(lang, text):
    assert rules.asks_meaning(text, lang, today=TODAY)


@pytest.mark.parametrize("lang,text", [(lang, q) for lang, qs in OWN_DATES.items() for q in qs])
def test_questions_about_own_dates_are_not_meaning_questions(lang, text):
    assert not rules.asks_meaning(text, lang, today=TODAY)


def test_i_mean_is_not_a_meaning_question():
    assert not rules.asks_meaning("when do we claim, I mean for H1 funds?", "en")
    assert not rules.asks_meaning("on réclame quand, je veux dire pour les fonds H1 ?", "fr")


# ------------------------------------------------------------------------------------------
# the reply


def test_reply_states_statements_cites_the_page_and_links_without_dates_of_today():
    r = rules.answer_rule("What is a usage period?", "en", today=TODAY)
    assert isinstance(r, Reply) and r.lang == "en" and r.intent == "rule"
    assert r.timelines == [] and r.poe_keep_until is None and "deadlines" not in r.data
    lines = r.text.splitlines()
    assert lines[0] == "The co-op page “Earn cooperative marketing funds” says:"
    assert lines[1].startswith("- You must use the earnings of an earning period") and "(section “When to claim your funds”)" in lines[1]
    assert r.data["statements"][0] == "usage_period"
    assert r.links and r.links[0].key == "guidebook" and r.links[0].url in r.text
    assert "2026" not in r.text and "December 7" not in r.text


def test_french_reply_is_french_with_the_pages_french_section():
    r = rules.answer_rule("ça veut dire quoi, perte des fonds ?", "fr", locale="fr-CA")
    assert r.lang == "fr" and r.data["locale"] == "fr-CA"
    assert r.text.startswith("La page co-op « Bénéficier de fonds marketing coopératifs » dit :")
    assert "perte des fonds" in r.text and "(section « Quand réclamer vos fonds »)" in r.text
    assert r.links[0].title == link(r.links[0].key).fr and "Plus d'informations" in r.text
    assert r.timelines == []


def test_reply_with_hits_given_and_each_link_once():
    hits = rules.find("what can co-op pay for? training too?", "en")
    assert {h.id for h in hits} >= {"uses_marketing", "uses_readiness"}
    r = rules.answer_rule("ignored", "en", hits=hits)
    assert r.data["statements"] == [h.id for h in hits]
    keys = [ln.key for ln in r.links]
    assert keys[0] == "core_requirements" and keys == list(dict.fromkeys(h.link for h in hits))
    assert r.text.count("More:") == len(keys)


def test_reply_when_nothing_is_found_says_so():
    for lang, start in (("en", "I found nothing on the co-op page"), ("fr", "Je n'ai rien trouvé sur la page co-op")):
        r = rules.answer_rule("blue elephants", lang)
        assert r.text.startswith(start) and r.data["statements"] == [] and r.links == [] and r.timelines == []


def test_reply_is_json_serialisable():
    import json

    json.dumps(rules.answer_rule("what is the threshold?", "fr").to_dict())


# ------------------------------------------------------------------------------------------
# a language pack without statements.toml


@pytest.fixture
def german_pack(tmp_path):
    folder = tmp_path / "de"
    folder.mkdir()
    vocab = (LANG / "en" / "vocab.toml").read_text("utf-8")
    vocab = vocab[: vocab.index("\n[rules]")]  # no [rules] either
    (folder / "vocab.toml").write_text(vocab.replace('name = "English"', 'name = "Deutsch"'), "utf-8")
    (folder / "messages.po").write_text('msgid ""\nmsgstr ""\n"Language: de\\n"\n"Content-Type: text/plain; charset=utf-8\\n"\n',
                                        "utf-8")
    code = packs.register(folder)
    yield code
    packs.unregister(code)


def test_a_pack_without_statements_still_works(german_pack):
    assert german_pack == "de"
    sts = rules.statements("de")
    assert len(sts) == len(rules.statements("en")) and {s.lang for s in sts} == {"en"}
    assert rules.page_title("de") == "Earn cooperative marketing funds"
    hits = rules.find("Was bedeutet usage period?", "de")
    assert hits and hits[0].id == "usage_period"
    assert rules.find("Wie ist das Wetter?", "de") == []
    assert rules.asks_meaning("what does forfeited mean", "de") is True
    r = rules.answer_rule("Was bedeutet usage period?", "de")
    assert r.lang == "de" and r.text.startswith("The co-op page") and r.timelines == []
    # the built-in packs are untouched by it
    assert rules.find("c'est quoi la période de demande ?", "fr")[0].statement.lang == "fr"


def test_a_pack_with_some_statements_takes_the_others_from_english(tmp_path):
    folder = tmp_path / "de"
    folder.mkdir()
    (folder / "messages.po").write_text('msgid ""\nmsgstr ""\n"Language: de\\n"\n', "utf-8")
    (folder / "statements.toml").write_text(
        '[page]\ntitle = "Kooperative Marketingmittel verdienen"\n[sections]\nwhen = "Wann Sie Ihre Mittel beantragen"\n'
        '[[statements]]\nid = "usage_period"\nsection = "when"\n'
        'text = "Sie müssen die Einnahmen im folgenden sechsmonatigen Nutzungszeitraum verwenden."\n'
        'keywords = ["nutzungszeitraum", "verwenden"]\n', "utf-8")
    from understanding import langpacks

    langpacks.register(folder)
    try:
        sts = {s.id: s for s in rules.statements("de")}
        assert sts["usage_period"].lang == "de" and sts["usage_period"].link == "guidebook"  # the link is English's
        assert sts["usage_period"].section == "Wann Sie Ihre Mittel beantragen"
        assert sts["forfeiture"].lang == "en"
        assert rules.find("Was ist der Nutzungszeitraum?", "de")[0].id == "usage_period"
        assert rules.page_title("de") == "Kooperative Marketingmittel verdienen"
    finally:
        langpacks.unregister(folder)


def test_a_bad_statements_file_names_what_is_wrong(tmp_path):
    folder = tmp_path / "de"
    folder.mkdir()
    (folder / "messages.po").write_text('msgid ""\nmsgstr ""\n"Language: de\\n"\n', "utf-8")
    (folder / "statements.toml").write_text('[[statements]]\nid = "x"\ntext = "Etwas."\nlink = "nowhere"\n', "utf-8")
    from understanding import langpacks

    langpacks.register(folder)
    try:
        with pytest.raises(ValueError, match="link 'nowhere'"):
            rules.statements("de")
    finally:
        langpacks.unregister(folder)


# --- wired into understanding (the lead's integration) ----------------------------------------

def test_a_question_about_what_a_rule_means_gets_the_pages_statements_never_todays_status():
    from datetime import date as _date

    from understanding import respond

    for text, lang in (("What is a usage period?", "en"), ("How long do we have to claim, in general?", "en"),
                       ("c'est quoi la période de demande ?", "fr"), ("ça veut dire quoi perte des fonds ?", "fr")):
        r = respond(text, today=_date(2026, 12, 7))
        assert r.intent == "rule" and r.lang == lang and not r.timelines, text
        assert "2027" not in r.text and "70 days" not in r.text, text  # no status of today


def test_in_a_ticket_a_rule_word_after_a_dated_activity_asks_about_that_activity():
    from datetime import date as _date

    from understanding import respond

    r = respond("Notre salon professionnel s'est tenu le 18 novembre 2025. Quelle est la période de demande ?",
                today=_date(2026, 12, 1))
    assert r.intent != "rule" and "15 février 2026" in r.text


@pytest.mark.parametrize("text, first", [
    ("Is H1 January to June?", "No: H1 is July – December"),
    ("is H2 jan-jun?", "Yes: H2 is January – June"),
    ("H1 = Jul-Dec right?", "Yes: H1 is July – December"),
    ("H2 c'est bien juillet-décembre ?", "Non : H2 correspond à janvier – juin"),
])
def test_a_half_term_checked_against_months_gets_yes_or_no_first_and_no_date(text, first):
    reply = respond(text, today=date(2026, 12, 7))
    assert reply.text.startswith(first)
    assert reply.data["intent"] == "rule" and not reply.timelines
    assert not re.search(r"\b20\d\d\b", reply.text.split("\n")[0])


def test_months_beside_funds_of_a_half_stay_dates():
    reply = respond("can I use my H1 funds for an event in May?", today=date(2026, 12, 7))
    assert reply.timelines  # a plan: months of a year, answered with its cycle


@pytest.mark.parametrize("text", [
    "What does 'forfeited' actually mean for co-op? Do unused funds roll over into the next half or not?",
    "Do the claim windows overlap? Like could I file an H1 claim and an H2 claim on the same day?",
])
def test_halves_named_as_terms_beside_a_rule_question_get_no_dates(text):
    reply = respond(text, today=date(2026, 12, 7))
    assert all(part.intent == "rule" for part in (reply.parts or [reply])) and not reply.timelines
    assert "2027" not in reply.text


@pytest.mark.parametrize("text, first", [
    ("can unused co-op roll over to the next usage period if we didnt manage to spend it?", "No."),
    ("Do the claim windows overlap?", "No."),
    ("Les périodes de demande se chevauchent-elles ?", "Non."),
    ("what is forfeiture?", "The co-op page"),  # no yes-or-no asked: no verdict
])
def test_a_yes_or_no_rule_question_gets_the_statements_verdict_first(text, first):
    reply = respond(text, today=date(2026, 12, 7))
    assert reply.data["intent"] == "rule" and reply.text.startswith(first)



@pytest.mark.parametrize("text", [
    "What exactly happens to co-op funds we have not used by the end of the usage period? Is there a grace period?",
    "re, c koi la diff entre periode d utilisation et periode de demande ? jcomprend rien",
])
def test_a_dateless_question_about_a_rule_never_gets_todays_status(text):
    reply = respond(text, today=date(2026, 12, 7))
    assert not reply.timelines and "2027" not in reply.text


@pytest.mark.parametrize("text", ["how long until the claiming window closes?", "what's my claim deadline?"])
def test_a_question_about_now_still_gets_todays_status(text):
    assert respond(text, today=date(2026, 12, 7)).timelines


@pytest.mark.parametrize("lang,text", [
    ("en", "If we don't use all co-op money in the usage period, it goes to next half automatically?"),
    ("en", "if we miss the claiming period by a day, is there any grace period?"),
    ("fr", "Si je dépose ma demande un jour après la fin de la période de demande, y a-t-il une tolérance ?"),
    ("fr", "Si nos gains co-op sont en dessous du seuil, on perd tout ?"),
])
def test_a_hypothetical_about_a_rule_gets_the_rule_not_todays_dates(lang, text):
    r = respond(text, lang=lang, today=TODAY)
    assert r.intent in ("rule", "threshold") and r.timelines == [], r.text


def test_an_activity_named_by_a_relative_day_still_gets_its_cycle():
    r = respond("Le webinaire du mois passé, c'est quoi la date limite pour le réclamer ?", lang="fr", today=TODAY)
    assert r.intent != "rule" and {tl.claim_end for tl in r.timelines} == {date(2027, 2, 15)}
