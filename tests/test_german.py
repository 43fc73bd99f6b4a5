"""What the bot says in German (issue #21): every surface that writes words reads them from
``understanding/lang/de/messages.po`` and formats dates and numbers with Babel's German data
(“15. Februar 2027”, “26.925”), with no English sentence left in a German reply.

The answers are composed by the real engine. Until the German understanding pack (vocabulary,
intents, model: the de-read branch) is merged, the answer test reads English questions with a
pack that holds the English understanding data and the German catalogue, in a temporary folder;
the sentences it checks are the catalogue's either way."""
from __future__ import annotations

import shutil
from datetime import date, timedelta

import pytest

from understanding import catalogues, messages

from understanding import registry
from understanding.fmt import fmt_date

EN_WORDS = ("Co-op funds", "claiming period", "Usage period", "Earning period", "Keep the original", "reminder")


def _texts(card, out=None) -> list[str]:
    out = [] if out is None else out
    if isinstance(card, dict):
        for key, value in card.items():
            if key in ("text", "title", "value") and isinstance(value, str):
                out.append(value)
            else:
                _texts(value, out)
    elif isinstance(card, list):
        for value in card:
            _texts(value, out)
    return out


def test_the_german_catalogue_is_complete_and_clean():
    path = registry.BUILTIN_ROOT / "de" / "messages.po"
    assert catalogues.problems([path]) == []
    german = catalogues.read(path, "de")
    english = catalogues.read(registry.BUILTIN_ROOT / "en" / "messages.po", "en")
    assert set(german.entries) == set(english.entries)
    # translated, not copied: a German sentence equals the English one only where the words
    # are the same in both languages
    same = {key for key, text in german.entries.items() if text == english.entries[key]}
    assert same <= SAME_WORDS, sorted(same - SAME_WORDS)


# placeholders only ("{a} – {b} {y}", "{start} – {end}"), "1" for the first of a month, words
# German shares with English ("Status", "Name", "Feedback"), and the support desk's language
# switch, written in the language it switches to (support/page.py links a German page to French)
SAME_WORDS = {"support.switch", "support.switch_label", "card.range", "card.status", "date.first_of_month", "digest.months", "multi.heading",
              "plan.card.status", "plan.form.name", "reminders.item_where_nodate", "rule.term_months",
              "span.month", "span.months", "span.years", "support.job_finished", "support.nav_feedback"}


def test_german_dates_and_plurals_come_from_babel():
    assert fmt_date(date(2027, 2, 15), None, "de") == "15. Februar 2027"
    assert fmt_date(date(2025, 7, 1), "de-AT", "de") == "1. Juli 2025"
    assert [messages.days("de", n) for n in (1, 2)] == ["1 Tag", "2 Tage"]
    assert messages.t("de", "card.days_left", count=1, n=1) == "Noch 1 Tag für den Antrag"
    assert messages.t("de", "card.days_left", count=21, n=21) == "Noch 21 Tage für den Antrag"
    assert messages.confirm_subscribed("de", date(2027, 2, 15)).endswith("Nächste Erinnerung: 15. Februar 2027.")


def test_a_german_reminder_digest_card_and_calendar_file():
    from core import calendar
    from reminders import messages as reminder_messages
    from reminders.digest import digest_card
    from reminders.ics import build_calendar
    from reminders.schedule import due_reminders

    day = date(2025, 8, 14)  # the day before the FY25 H1 claiming period closes
    items = list(due_reminders(day, day - timedelta(days=1)))
    assert items
    text = reminder_messages.digest_text(items, day, "de", "de-DE")
    assert "**Morgen ist der letzte Tag**, um Co-op-Mittel aus dem Verdienstzeitraum Juli – Dezember 2024 " \
           "(FY25 H1) zu beantragen: Der Antragszeitraum endet am 15. August 2025." in text
    assert text.splitlines()[-1] == "Senden Sie „Stoppe die Erinnerungen“, um diese Nachrichten nicht mehr zu erhalten."
    card = _texts(digest_card(items, day, "de", "de-DE"))
    assert "Antragszeitraum" in card and "16. Februar 2025 – 15. August 2025" in card
    assert not [t for t in text.splitlines() + card if any(w in t for w in EN_WORDS)]

    cal = calendar()
    ics = build_calendar([cal.cycle(cal.half_containing(date(2024, 9, 1)))], "de", locale="de-DE")
    ics = ics.decode() if isinstance(ics, bytes) else ics
    unfolded = ics.replace("\r\n ", "").replace("\n ", "")
    assert "X-WR-CALNAME:Fristen für Co-op-Mittel" in unfolded
    assert "SUMMARY:Co-op-Antragsfrist – Mittel aus dem Verdienstzeitraum Juli – Dezember 2024 (FY25 H1)" in unfolded
    assert "Nutzungszeitraum: 1. Januar 2025 – 30. Juni 2025 (nicht genutzte Mittel verfallen nach dem 30. Juni 2025)" \
        in unfolded
    assert not any(w in unfolded for w in EN_WORDS)


def test_the_german_help_card_and_support_desk_page():
    from bot.help_card import help_card
    from support.page import render

    german, english = _texts(help_card("de")), _texts(help_card("en"))
    assert german[0] == "Was ich kann" and "Erinnere mich vor meinen Fristen" in german
    assert not set(german) & set(english)
    page = render("de", user="Anna Muster", csrf="x", today=date(2026, 12, 7), local_dev=False)
    assert '<html lang="de">' in page and "Support-Desk des Co-op-Assistenten" in page
    assert "Fügen Sie das ganze Ticket ein" in page


@pytest.fixture
def german_answers(tmp_path):
    """A ``de`` pack that reads questions with the English understanding data and writes with
    the German catalogue (the built-in one, linked, not copied)."""
    folder = tmp_path / "packs" / "de"
    shutil.copytree(registry.BUILTIN_ROOT / "en", folder, ignore=shutil.ignore_patterns("messages.*"))
    (folder / "messages.po").symlink_to(registry.BUILTIN_ROOT / "de" / "messages.po")
    registry.register(tmp_path / "packs")
    try:
        yield
    finally:
        registry.unregister(tmp_path / "packs")


def test_german_answers_and_their_card(german_answers):
    from bot.cards import reply_card
    from understanding import respond

    today = date(2024, 11, 20)
    reply = respond("When must I claim co-op earned in March 2024?", lang="de", today=today)
    assert reply.lang == "de"
    assert reply.text.startswith("Der letzte Tag, um Co-op-Mittel zu beantragen, die von Januar bis Juni 2024 "
                                 "verdient wurden, ist der **15. Februar 2025** (noch 87 Tage).")
    assert "- Antragszeitraum: 16. August 2024 – 15. Februar 2025 (jetzt offen, noch 87 Tage)" in reply.text

    reply = respond("We ran a webinar on 12 January 2025: when must we claim it?", lang="de", today=today)
    assert "Eine Aktivität am 12. Januar 2025 fällt in den Nutzungszeitraum 1. Januar 2025 – 30. Juni 2025 " \
           "und wird aus Co-op-Mitteln bezahlt, die von Juli bis Dezember 2024 verdient wurden." in reply.text
    assert "bis zum **12. Januar 2027** auf (24 Monate nach dem Datum der Aktivität)" in reply.text
    card = _texts(reply_card(reply, "de-DE"))
    assert {"Verdienstzeitraum", "Nutzungszeitraum", "Antragszeitraum", "Antragszeitraum beginnt in 88 Tagen",
            "Erinnere mich", "Zum Kalender hinzufügen"} <= set(card)

    reply = respond("5000 at 60/40: how much is co-op?", lang="de", today=today)
    assert "ergeben 5.000 berechtigte Incentive-Einnahmen **2.000 Co-op**" in reply.text


# What the German catalogue tells partners to type or click (help card examples, suggested
# actions, commands quoted in sentences), and what each must do. They are German as a partner
# writes to a bot; the German understanding pack (de-read) must read every one of them.
GERMAN_COMMANDS = {
    "help.remind.example1": "subscribe", "suggest.remind": "subscribe",
    "help.remind.example2": "list_reminders", "help.remind.example3": "unsubscribe",
    "help.calendar.example1": "calendar", "suggest.calendar": "calendar",
    "help.forget.example1": "forget", "help.planner.example1": "plan_track", "help.planner.example2": "plan_list",
    "plan.example.budget": "plan_budget", "suggest.status": "status", "suggest.howto": "how_to_claim",
    "suggest.poe": "poe_retention", "suggest.split": "split",
}
GERMAN_QUESTIONS = ("help.ask.example1", "help.ask.example2", "suggest.h1", "suggest.claim")
QUOTED = {"digest.footer": ("Stoppe die Erinnerungen", "unsubscribe"), "confirm.unsubscribed": ("Erinnere mich", "subscribe"),
          "forget_not_yours": ("Vergiss meine Daten", "forget"), "welcome": ("Hilfe", "help"),
          "reminders.none": ("Erinnere mich vor meinen Fristen", "subscribe")}


def test_the_commands_the_german_catalogue_suggests_are_understood():
    from understanding import packs, respond

    for key, (quoted, _) in QUOTED.items():
        assert f"„{quoted}“" in messages.t("de", key), key
    if "de" not in packs.available():
        pytest.skip("no German understanding pack yet (vocabulary, intents, model: the de-read branch)")
    today = date(2026, 12, 1)
    for key, intent in GERMAN_COMMANDS.items():
        text = messages.t("de", key)
        reply = respond(text, today=today)
        assert (reply.lang, reply.intent) == ("de", intent), (key, text)
    for key in GERMAN_QUESTIONS:
        text = messages.t("de", key, choice="H1 2026")
        reply = respond(text, today=today)
        assert reply.lang == "de" and reply.intent not in ("fallback", "unknown", "out_of_scope"), (key, text)
    for key, (quoted, intent) in QUOTED.items():
        assert respond(quoted, today=today, lang="de").intent == intent, (key, quoted)


@pytest.mark.parametrize("text, locale, quoted", [
    ("12.03.2027 – Frist?", "de-DE", "„12.03.2027“"),
    ("12/03/2027 – date limite ?", "fr-FR", "« 12/03/2027 »"),
    ("12 March 2027 - deadline?", "en-GB", "“12 March 2027”"),
])
def test_the_partners_words_are_quoted_with_the_languages_marks(text, locale, quoted):
    from understanding import respond

    reply = respond(text, today=date(2026, 12, 7), locale=locale)
    assert quoted in reply.text
    if not quoted.startswith("“"):
        assert "”" not in reply.text  # no English closing mark (German closes with “, opens with „)


@pytest.mark.parametrize("text, total", [
    ("Wir haben 120 Tsd. € Incentives bei 70/30 Split, wie viel Co-op?", "120.000,00\u00a0€"),
    ("Umsatz 1,2 Mio. € und Split 60/40: wie hoch ist der Co-op-Anteil?", "1.200.000,00\u00a0€"),
])
def test_an_abbreviated_multiplier_keeps_its_amounts_currency(text, total):
    from understanding import respond

    reply = respond(text, today=date(2026, 12, 7), locale="de-DE")
    assert total in reply.text  # "120 Tsd." ended no sentence: the euro sign stays the amount's
