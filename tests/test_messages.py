"""The message catalogues: gettext ``.po`` files, one per language pack, kept in step with the
English source (same keys, same ``{placeholders}`` per key), clean by Babel's own checks, and
extendable by a language pack that lives outside the repository."""
from __future__ import annotations

import re
import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from babel.messages.pofile import read_po

from understanding import catalogues, registry, messages
from understanding.catalogues import placeholders

LANG = registry.BUILTIN_ROOT
# Keys whose French sentence words a value differently and so leaves out a placeholder the
# English one uses (the code passes both). Exactly this difference, nothing else, is allowed:
# English echoes the impossible date as 2021-02-30, French writes "le 30 février 2021".
LANGUAGE_SPECIFIC = {"error.invalid_date.days": {"month"}}
# Every built-in catalogue that translates the English one (fr, de, ...): each is held to the
# same checks as the French one.
TRANSLATED = catalogues.translations()


def po(code: str):
    with open(LANG / code / "messages.po", "rb") as fh:
        return read_po(fh)


def entries(code: str) -> dict:
    return {m.context: m for m in po(code) if m.id}


def forms(message) -> tuple[str, ...]:
    return tuple(message.string) if isinstance(message.string, (tuple, list)) else (message.string,)


def ids(message) -> tuple[str, ...]:
    return tuple(message.id) if isinstance(message.id, (tuple, list)) else (message.id,)


@pytest.mark.parametrize("code", TRANSLATED)
def test_both_catalogues_have_the_same_keys(code):
    en, fr = set(entries("en")), set(entries(code))
    assert len(en) > 150
    assert en - fr == set(), f"missing in lang/{code}/messages.po"
    assert fr - en == set(), "missing in lang/en/messages.po"


def test_the_translations_include_french_and_german():
    assert {"fr", "de"} <= set(TRANSLATED)


@pytest.mark.parametrize("code", TRANSLATED)
@pytest.mark.parametrize("key", sorted(entries("en")))
def test_same_placeholders_per_key(key, code):
    en, fr = entries("en")[key], entries(code).get(key)
    assert fr is not None and fr.id == en.id, f"the {code} entry translates another English text"
    for en_form in ids(en):
        for fr_form in forms(fr):
            assert placeholders(en_form) - placeholders(fr_form) <= LANGUAGE_SPECIFIC.get(key, set())
            assert placeholders(fr_form) - placeholders(en_form) == set()


def test_every_template_formats_with_its_own_placeholders():
    for code in ("en", *TRANSLATED):
        for key, message in entries(code).items():
            for template in forms(message):
                values = {name: 1 for name in placeholders(template)}
                assert isinstance(template.format(**values), str), (code, key)


def test_babel_check_is_clean():
    """What `python -m understanding.catalogues check` reports: the template is current (what
    pybabel extract writes now), English msgstr = msgid, French complete, none fuzzy, none stale,
    Babel's checkers (plural count, format strings; those pybabel compile runs) pass."""
    assert catalogues.problems() == []
    for code in ("en", *TRANSLATED):
        cat = po(code)
        assert list(cat.check()) == []
        assert not [m.context for m in cat if m.id and (m.fuzzy or not all(forms(m)))]
        assert cat.plural_forms == {"en": "nplurals=2; plural=(n != 1)", "fr": "nplurals=2; plural=(n > 1)",
                                    "de": "nplurals=2; plural=(n != 1)"}[code]


def test_the_check_reports_what_a_translator_left_undone(tmp_path):
    fr = (LANG / "fr" / "messages.po").read_text(encoding="utf-8")
    fuzzy = fr.replace('msgctxt "welcome"', '#, fuzzy\nmsgctxt "welcome"', 1)
    untranslated = fr.replace('msgstr[1] "{n} jours"', 'msgstr[1] ""', 1)
    assert fuzzy != fr and untranslated != fr
    (tmp_path / "fuzzy.po").write_text(fuzzy, encoding="utf-8")
    (tmp_path / "untranslated.po").write_text(untranslated, encoding="utf-8")
    found = catalogues.problems([tmp_path / "fuzzy.po", tmp_path / "untranslated.po"])
    assert any("[welcome]: fuzzy" in p for p in found)
    assert any("[days]: untranslated" in p for p in found)


def test_plural_forms_follow_babels_rules():
    assert [messages.days("en", n) for n in (0, 1, 2, 80)] == ["0 days", "1 day", "2 days", "80 days"]
    assert [messages.days("fr", n) for n in (0, 1, 2, 80)] == ["0 jour", "1 jour", "2 jours", "80 jours"]
    assert messages.days("en", 26925) == "26,925 days"
    assert messages.days("fr", 26925) == "26\u202f925 jours"
    assert [messages.days("de", n) for n in (0, 1, 2, 80)] == ["0 Tage", "1 Tag", "2 Tage", "80 Tage"]
    assert messages.days("de", 26925) == "26.925 Tage"
    # no hand-made one/many key pairs left
    assert not [k for k in messages.keys() if k.endswith((".one", ".many", "_one", "_other"))
                and k not in ("ics.alarm_one", "digest.claim_close_one")]


def test_the_sections_other_modules_read_are_complete():
    """Card labels, .ics titles and the reminder digest come from the catalogue in both
    languages with the same names (their modules hold no sentences of their own)."""
    for section in (messages.card_labels, messages.calendar_names):
        assert section("en") and set(section("en")) == set(section("fr"))
    assert {"remind", "calendar", "claim_page", "yes", "no"} <= set(messages.card_labels("fr"))
    assert {"calname", "window", "deadline", "forfeiture", "alarm", "alarm_one"} <= set(messages.calendar_names("en"))
    for kind in ("claim_open", "claim_close", "claim_close_one", "claim_close_today", "forfeiture"):
        assert f"digest.{kind}" in messages.keys()


def test_no_sentence_tables_left_outside_the_catalogues():
    import bot.adapter
    import bot.cards
    import dialogs.texts
    import reminders.messages
    import understanding

    assert not hasattr(dialogs.texts, "_PENDING")
    assert not hasattr(bot.cards, "_FALLBACK_LABELS")
    assert not hasattr(bot.adapter, "_FALLBACK_APOLOGY")
    assert not hasattr(reminders.messages, "CATALOGUE") and not hasattr(reminders.messages, "_CAL_NAMES")
    package = registry.BUILTIN_ROOT.parent
    assert not list(package.glob("messages_*.py")), "per-language Python dicts are back"
    assert understanding.__name__ == "understanding"


def test_the_adapters_fallback_apology_is_the_catalogues():
    from types import SimpleNamespace

    from bot.adapter import default_apology

    def turn(locale):
        return SimpleNamespace(activity=SimpleNamespace(locale=locale))

    assert default_apology(turn("fr-CA")) == messages.apology("fr")
    assert default_apology(turn("en-GB")) == default_apology(turn(None)) == messages.apology("en")


# --- language packs ------------------------------------------------------------------------

# An extra pack from a folder, in a language no built-in pack speaks (Swiss German: German
# itself is built in since issue #21).
EXTRA = "gsw"
GERMAN = textwrap.dedent('''\
    msgid ""
    msgstr ""
    "Language: de\\n"
    "Plural-Forms: nplurals=2; plural=(n != 1);\\n"
    "Content-Type: text/plain; charset=UTF-8\\n"

    msgctxt "welcome"
    msgid "Hi!"
    msgstr "Hallo! Ich beantworte Fragen zu den Co-op-Mitteln von Microsoft."

    msgctxt "confirm.unsubscribed"
    msgid "Done"
    msgstr "Erledigt: keine Erinnerungen mehr."

    msgctxt "days"
    msgid "{n} day"
    msgid_plural "{n} days"
    msgstr[0] "{n} Tag"
    msgstr[1] "{n} Tage"
    ''')


@pytest.fixture
def german_pack(tmp_path):
    folder = tmp_path / "packs" / EXTRA
    folder.mkdir(parents=True)
    (folder / "messages.po").write_text(GERMAN, encoding="utf-8")
    codes = registry.register(tmp_path / "packs")
    try:
        yield codes
    finally:
        registry.unregister(tmp_path / "packs")


def test_an_extra_language_pack_is_loaded_from_a_folder(german_pack):
    assert german_pack == [EXTRA]
    assert EXTRA in registry.available() and registry.norm_lang("gsw-CH") == EXTRA
    assert messages.welcome("gsw-CH").startswith("Hallo!")
    assert messages.confirm_unsubscribed(EXTRA) == "Erledigt: keine Erinnerungen mehr."
    assert messages.days(EXTRA, 1) == "1 Tag" and messages.days(EXTRA, 3) == "3 Tage"
    # a key the pack lacks falls back to English, the other packs are untouched
    assert messages.t(EXTRA, "forget_kept") == messages.t("en", "forget_kept") == "OK, I deleted nothing."
    assert messages.welcome("fr").startswith("Bonjour")


def test_a_pack_folder_itself_can_be_registered(tmp_path):
    folder = tmp_path / EXTRA
    folder.mkdir()
    (folder / "messages.po").write_text(GERMAN, encoding="utf-8")
    try:
        assert registry.register(folder) == [EXTRA]
        assert messages.t(EXTRA, "days", count=2, n=2) == "2 Tage"
    finally:
        registry.unregister(folder)
    assert registry.norm_lang(EXTRA) == "en" and messages.days(EXTRA, 2) == "2 days"


def test_the_answer_to_a_question_uses_the_pack(german_pack):
    """The whole answer path reads sentences through the pack: a German asker gets German
    where the pack has it and English elsewhere, never a KeyError."""
    from datetime import date

    from understanding.answers import respond  # noqa: F401  (the composer, not only messages)

    text = messages.list_reminders(EXTRA, [])
    assert text == messages.list_reminders("en", [])
    assert messages.confirm_subscribed(EXTRA, date(2025, 2, 1)).endswith("1. Februar 2025.")


def test_coop_lang_path_is_read_by_config_and_passed_to_the_registry(tmp_path):
    from config import ConfigError, Settings

    folder = tmp_path / "packs" / EXTRA
    folder.mkdir(parents=True)
    (folder / "messages.po").write_text(GERMAN, encoding="utf-8")
    settings = Settings.from_env({"COOP_LANG_PATH": str(tmp_path / "packs")}, dotenv_path=None)
    assert settings.lang_path == (str(tmp_path / "packs"),)
    try:
        assert settings.register_language_packs() == [EXTRA]
        assert messages.days(EXTRA, 2) == "2 Tage"
    finally:
        registry.unregister(tmp_path / "packs")
    with pytest.raises(ConfigError, match="COOP_LANG_PATH"):
        Settings.from_env({"COOP_LANG_PATH": str(tmp_path / "nowhere")}, dotenv_path=None)


def test_only_config_reads_the_language_pack_variable():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    readers = [p.relative_to(root).as_posix() for p in root.glob("**/*.py")
               if ".venv" not in p.parts and "node_modules" not in p.parts and p.parent.name != "tests"
               and "COOP_LANG_PATH" in p.read_text(encoding="utf-8")
               and ("os.environ" in p.read_text(encoding="utf-8") or "getenv" in p.read_text(encoding="utf-8"))]
    assert readers == ["config.py"]


# --- compiled catalogues ---------------------------------------------------------------------


def test_a_compiled_catalogue_holds_exactly_what_its_po_holds(tmp_path):
    """pybabel compile (scripts/setup.sh) → messages.mo, read without Babel: the same entries
    and plural rule as the .po, so which one is loaded never changes a reply."""
    import shutil

    for code in ("en", "fr"):
        shutil.copytree(LANG / code, tmp_path / code, ignore=shutil.ignore_patterns("*.mo"))
    written = catalogues.compile_all(root=tmp_path)
    assert [p.parent.name for p in written] == ["en", "fr"]
    for code in ("en", "fr"):
        po, mo = catalogues.read(tmp_path / code / "messages.po"), catalogues.read_mo(tmp_path / code / "messages.mo")
        assert po.entries == mo.entries and len(mo.entries) > 150
        assert [po.plural(n) for n in range(5)] == [mo.plural(n) for n in range(5)]


def test_a_stale_or_broken_compiled_catalogue_is_not_used(tmp_path, caplog):
    import os
    import shutil

    shutil.copytree(LANG / "fr", tmp_path / "fr", ignore=shutil.ignore_patterns("*.mo"))
    po = tmp_path / "fr" / "messages.po"
    catalogues.compile_all(root=tmp_path)
    assert catalogues.load(po, "fr").entries["welcome"].startswith("Bonjour")
    # the .po changed after compiling: the .mo is older, the .po wins
    po.write_text(po.read_text(encoding="utf-8").replace('msgstr "Oui"', 'msgstr "Oui !"'), encoding="utf-8")
    mo = po.with_suffix(".mo")
    os.utime(mo, (po.stat().st_mtime - 10, po.stat().st_mtime - 10))
    assert catalogues.load(po, "fr").entries["card.yes"] == "Oui !"
    # a broken .mo: a warning, and the .po
    mo.write_bytes(b"not a catalogue")
    os.utime(mo, (po.stat().st_mtime + 10, po.stat().st_mtime + 10))
    with caplog.at_level("WARNING"):
        assert catalogues.load(po, "fr").entries["card.yes"] == "Oui !"
    assert "cannot read" in caplog.text


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.none(), st.text(max_size=20),
                 st.sampled_from(["fr", "FR", "fr-CA", "fr_FR", "en-GB", "de", "pt-BR", "zz-ZZ", "-", "fr-", "f"])))
def test_any_language_tag_gets_a_pack_and_a_sentence(tag):
    code = registry.norm_lang(tag)
    assert code in registry.available()
    assert messages.t(tag, "welcome") == messages.t(code, "welcome")
    if isinstance(tag, str) and re.match(r"(?i)\s*fr(?:$|[-_])", tag):
        assert code == "fr"


@pytest.mark.parametrize("code", ["en", *TRANSLATED])
def test_the_catalogues_survive_a_babel_round_trip(code):
    """What the commands write is what Babel writes: reading and writing a catalogue back
    changes no byte (so update, port-dicts or a PO editor leave no noise, and no comment line
    is lost: Babel merges repeated comment lines, so each stays one line)."""
    import io

    from babel.messages.pofile import write_po

    raw = (LANG / code / "messages.po").read_bytes()
    buf = io.BytesIO()
    write_po(buf, read_po(io.BytesIO(raw)), width=76, no_location=True, include_previous=True)
    assert buf.getvalue() == raw
