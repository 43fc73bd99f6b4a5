"""One glossary (SPEC "Words the product uses") in every sentence the product writes: the
catalogues themselves, and what text, cards, reminders and calendar files render from them.

Never "the seed" (it is "the co-op page's table" / "le tableau de la page co-op"); French says
période de gains, période d'utilisation, période de demande, perte des fonds, preuve
d'exécution, and no other name for those things."""
from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from understanding import catalogues, registry, respond

ROOT = Path(__file__).resolve().parent.parent
NO_SEED = re.compile(r"\bseed", re.IGNORECASE)
FRENCH = catalogues.glossary(registry.BUILTIN_ROOT / "fr")
ENGLISH = catalogues.glossary(registry.BUILTIN_ROOT / "en")
FRENCH_TERMS = ("période de gains", "période d'utilisation", "période de demande", "perte des fonds",
                "preuve d'exécution")


def catalogue(code: str):
    with open(registry.BUILTIN_ROOT / code / "messages.po", "rb") as fh:
        return read_po(fh)


def strings(code: str) -> dict[str, str]:
    out = {}
    for m in catalogue(code):
        if m.id:
            forms = m.string if isinstance(m.string, (tuple, list)) else (m.string,)
            out[m.context] = " / ".join(forms)
    return out


def french_violations(text: str) -> list[str]:
    return FRENCH.violations(text)


def test_the_glossaries_are_the_specs():
    """The packs' glossary.toml files hold SPEC's words, and what SPEC says never to say."""
    assert tuple(FRENCH.terms) == FRENCH_TERMS
    assert ENGLISH.violations("in the seed's table") and not ENGLISH.violations("the co-op page's table")
    assert catalogues.glossary_problems(registry.BUILTIN_ROOT / "fr" / "messages.po") == []
    assert catalogues.glossary_problems(registry.BUILTIN_ROOT / "en" / "messages.po") == []


def test_check_reports_a_translation_that_leaves_the_glossary(tmp_path):
    import shutil

    shutil.copytree(registry.BUILTIN_ROOT / "fr", tmp_path / "fr", ignore=shutil.ignore_patterns("*.mo"))
    po = tmp_path / "fr" / "messages.po"
    po.write_text(po.read_text(encoding="utf-8").replace('msgstr "Période de gains"', 'msgstr "Période d\'acquisition"'),
                  encoding="utf-8")
    found = catalogues.glossary_problems(po)
    assert len(found) == 1 and "[card.earning]" in found[0] and "période de gains" in found[0]


def test_the_checker_catches_what_it_must():
    assert french_violations("Période d'acquisition") and french_violations("la période de réclamation")
    assert french_violations("Conservation des preuves") and french_violations("le tableau de la page,")
    assert not french_violations("Conservez les preuves d'exécution ; le tableau de la page co-op")
    assert NO_SEED.search("in the seed's table") and not NO_SEED.search("the co-op page's table")


@pytest.mark.parametrize("code", ["en", "fr"])
def test_no_catalogue_says_seed(code):
    """Sentences only: a key may name the convention (``conv.seed``), a reply never does."""
    assert {k: v for k, v in strings(code).items() if NO_SEED.search(v)} == {}
    english = [m.id for m in catalogue(code) if m.id]
    assert [i for i in english if NO_SEED.search(" ".join(i) if isinstance(i, tuple) else i)] == []


def test_french_catalogue_keeps_to_the_glossary():
    fr = strings("fr")
    found = {k: french_violations(v) for k, v in fr.items() if french_violations(v)}
    assert found == {}
    text = " ".join(fr.values()).lower()
    for term in FRENCH_TERMS:
        assert term in text, term
    # the card's, the text's and the calendar's name for the same period are one word
    assert fr["card.earning"] == "Période de gains" and fr["line.earning"].startswith("Période de gains")
    assert fr["card.claiming"] == "Période de demande" and fr["ics.window"].startswith("Période de demande")


def _french_questions() -> list[str]:
    rows = [json.loads(line) for line in (ROOT / "eval" / "questions_fr.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]
    return [r["question"] for r in rows if isinstance(r.get("question"), str)]


def test_rendered_french_text_cards_reminders_and_calendar_keep_to_the_glossary():
    import icalendar

    from bot.cards import reply_activity
    from reminders.ics import build_calendar
    from reminders.messages import digest_text
    from reminders.schedule import due_reminders, upcoming_deadlines

    rendered = []
    for question in _french_questions():
        reply = respond(question, lang="fr", locale="en-US", today=date(2026, 12, 1))
        activity = reply_activity(reply, "en-US")
        rendered.append(reply.text)
        rendered.append(json.dumps([a.content for a in activity.attachments or []], ensure_ascii=False))
    for as_of in (date(2022, 8, 8), date(2022, 8, 15), date(2022, 8, 16), date(2022, 6, 1)):
        items = due_reminders(as_of, as_of - timedelta(days=400))
        assert items
        rendered.append(digest_text(items, as_of, "fr", "en-US"))
    data = build_calendar(upcoming_deadlines(date(2022, 3, 1)), "fr", locale="en-US",
                          stamp=datetime(2022, 3, 1, tzinfo=timezone.utc))
    for event in icalendar.Calendar.from_ical(data).walk():
        for name in ("SUMMARY", "DESCRIPTION", "X-WR-CALNAME"):
            if name in event:
                rendered.append(str(event[name]))
    assert len(rendered) > 300
    bad = [(text[:80], french_violations(text)) for text in rendered if french_violations(text) or NO_SEED.search(text)]
    assert bad == []


def test_english_replies_never_say_seed():
    for question in ("what is FY21 H2?", "when must I claim H2 2021 funds?", "which half is October 2024 in?",
                     "what can I claim right now?"):
        reply = respond(question, lang="en", today=date(2026, 12, 1))
        assert not NO_SEED.search(reply.text), reply.text
        # an FY label is Microsoft's (SPEC rule 8): the 2020 table is not named by default
        assert "co-op page's" not in reply.text
