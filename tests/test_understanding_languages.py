"""A message in a language no pack speaks gets an honest notice in that language, never a date
(understanding.detect.other_language: lingua over the packs' and other_languages.toml's codes)."""
from __future__ import annotations

from datetime import date

import pytest

from understanding import respond
from understanding.detect import notice, other_language, other_languages

T = date(2026, 12, 7)


@pytest.mark.parametrize("text, code", [
    ("Hola, ¿hasta cuándo podemos reclamar el evento del 15 de marzo de 2027? Gracias", "es"),
    ("Buongiorno, il nostro webinar del 3 novembre 2026 è ancora rimborsabile con i fondi co-op?", "it"),
    ("Goedemorgen, tot wanneer kunnen we de claim indienen voor ons event van 5 februari 2027?", "nl"),
    ("Bom dia, até quando podemos pedir o reembolso do evento de 10 de março de 2027?", "pt"),
    ("Dzień dobry, do kiedy możemy zgłosić wydarzenie z 12 marca 2027?", "pl"),
])
def test_a_language_no_pack_speaks_gets_the_notice_in_it_and_no_date(text, code):
    assert other_language(text) == code
    r = respond(text, today=T)
    assert r.intent == "other_language" and not r.timelines and r.poe_keep_until is None and r.action is None
    assert r.text.startswith(notice(code)) and all(n in r.text.split("\n\n")[-1] for n in ("English", "French", "German"))
    assert "2027" not in r.text and "2026" not in r.text


@pytest.mark.parametrize("text", [
    "when must I claim H1 funds?", "slt c koi la date butoir pr le salon", "wbnr 12/3?? claim by when", "Q3 FY27 pls",
    "ok merci", "URGENT!!! we did a linkedin campaign in octobre 2025, can we still submit???",
    "deadline pour les fonds de mai 2024", "FY26 H2 deadline",
])
def test_english_french_and_short_or_mixed_messages_are_not_another_language(text):
    assert other_language(text) is None


def test_the_notice_answers_in_the_locales_pack_language():
    r = respond("Goedemorgen, tot wanneer kunnen we de claim indienen voor ons event van 5 februari 2027?",
                today=T, locale="fr-BE")
    assert r.lang == "fr" and all(n in r.text.split("\n\n")[-1] for n in ("anglais", "français", "allemand"))


def test_every_notice_names_the_packs_languages():
    for code in other_languages():
        text = notice(code)
        assert text and "{" not in text, code


def test_an_english_mail_with_a_german_legal_footer_is_english():
    text = ("Dear Sirs,\nwe have made a Teams webinar for our customers on 24.11.2026. Until when we must make the claim?\n"
            "With kind regards\nJürgen Brandt\n\n--\nBrandt & Söhne IT GmbH | Königstraße 12 | 70173 Stuttgart\n"
            "Diese E-Mail enthält vertrauliche Informationen. Wenn Sie nicht der richtige Adressat sind, informieren Sie "
            "bitte sofort den Absender.")
    r = respond(text, today=T)
    assert r.intent == "claim_deadline" and "February 15, 2027" in r.text


@pytest.mark.parametrize("text, action", [
    ("Rappelle-moi mes dates limites de co-op", "subscribe"),
    ("Tu peux m'envoyer les échéances dans mon agenda Outlook ? un fichier .ics c'est parfait", "calendar"),
    ("Conformément au RGPD, merci de supprimer toutes les données me concernant.", "forget"),
    ("Quels rappels sont programmés pour moi en ce moment ?", "list_reminders"),
    ("Can you put the co-op deadlines into my Outlook calendar? An .ics is fine.", "calendar"),
])
def test_a_plain_request_runs_its_action_in_french_as_in_english(text, action):
    assert respond(text, today=T).action == action


@pytest.mark.parametrize("text", [
    "Rappelle-moi la différence entre période de gains et période d'utilisation ?",
    "le rappel de la facture Office 365 est arrivé",
    "remind me what a usage period is",
])
def test_a_reminder_word_that_asks_something_else_runs_nothing(text):
    assert respond(text, today=T).action is None


def test_basic_french_questions_that_fell_back_are_answered():
    assert respond("Comment les fonds de co-op marketing sont-ils calculés ?", today=T).intent == "split"
    r = respond("Quels programmes permettent de gagner des fonds co-op ?", today=T)
    assert r.intent in ("program_eligibility", "rule") and "Cloud Solution Provider" in r.text


@pytest.mark.parametrize("text, code", [
    ("Merhaba, 12 Mart 2027 etkinliğimiz için co-op talep son tarihi nedir?", "tr"),
    ("Halo, kapan batas klaim dana co-op untuk acara kami tanggal 3 Maret 2027?", "id"),
    ("Kailan po ang huling araw para i-claim ang co-op ng event namin noong Marso?", "tl"),
    ("Habari, tarehe ya mwisho ya kudai fedha za co-op za tukio letu ni lini?", "sw"),
    ("Xin chào, hạn chót yêu cầu hoàn tiền quỹ co-op cho sự kiện của chúng tôi là khi nào?", "vi"),
    ("Xin chao, han chot de yeu cau hoan tien quy co-op cua chung toi la khi nao vay?", "vi"),
    ("Bună ziua, până când putem depune cererea pentru evenimentul din 12 martie?", "ro"),
])
def test_more_languages_in_latin_letters_get_the_honest_notice_and_no_date(text, code):
    from datetime import date

    from understanding import respond
    from understanding.detect import other_language

    assert other_language(text) == code
    r = respond(text, today=date(2026, 12, 7))
    assert r.intent == "other_language" and not r.timelines and "2027" not in r.text, r.text


@pytest.mark.parametrize("text, locale, lang", [
    ("Webinar am 12.03.2027", "de-CH", "de"),  # one word shared with English does not overrule the client
    ("when is the claim deadline for our webinar of 12 March 2027?", "de-DE", "en"),  # the words do
    ("Bis wann können wir unser Webinar einreichen?", "en-US", "de"),
    ("webinaire le 12/03/2027", "en-US", "fr"),
])
def test_the_clients_language_decides_unless_the_words_clearly_say_another(text, locale, lang):
    assert respond(text, locale=locale, today=T).lang == lang
