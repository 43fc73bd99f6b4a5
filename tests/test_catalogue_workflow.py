"""The newcomer's workflow, run for real on a copy of the language packs: add a sentence, add a
language, change an English sentence — with the same commands the README names
(``python -m understanding.catalogues update|init|check`` = the functions below)."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from understanding import catalogues, registry, messages

ROOT = Path(__file__).resolve().parent.parent

NEW_SENTENCE = '''
#. {n}: a number of claims.
msgctxt "test.new_sentence"
msgid "You have {n} open claim."
msgid_plural "You have {n} open claims."
msgstr[0] ""
msgstr[1] ""
'''


@pytest.fixture
def packs(tmp_path):
    root = tmp_path / "lang"
    root.mkdir()
    for code in ("en", "fr"):
        shutil.copytree(registry.BUILTIN_ROOT / code, root / code)
    shutil.copy(registry.BUILTIN_ROOT / "messages.pot", root / "messages.pot")
    assert catalogues.problems(root=root) == []
    return root


def entry(path: Path, key: str):
    with open(path, "rb") as fh:
        return next(m for m in read_po(fh) if m.context == key)


def test_add_a_sentence(packs):
    en, fr = packs / "en" / "messages.po", packs / "fr" / "messages.po"
    with open(en, "a", encoding="utf-8") as fh:
        fh.write(NEW_SENTENCE)
    assert catalogues.update(root=packs) == ["fr"]
    # the template has it, English repeats its msgid, French waits for a translator
    assert entry(packs / "messages.pot", "test.new_sentence").auto_comments == ["{n}: a number of claims."]
    assert entry(en, "test.new_sentence").string == ("You have {n} open claim.", "You have {n} open claims.")
    assert entry(fr, "test.new_sentence").string == ("", "")
    # no time stamp that changes on every run (two branches adding sentences would conflict on it)
    for path in (en, fr, packs / "messages.pot"):
        assert f'"POT-Creation-Date: {catalogues.POT_CREATION_DATE}\\n"' in path.read_text(encoding="utf-8")
    assert [p.split("/lang/", 1)[-1] for p in catalogues.problems(root=packs)] == \
        ["fr/messages.po [test.new_sentence]: untranslated"]
    # the translator fills it in (as in any PO editor)
    text = fr.read_text(encoding="utf-8").replace(
        'msgid_plural "You have {n} open claims."\nmsgstr[0] ""\nmsgstr[1] ""',
        'msgid_plural "You have {n} open claims."\nmsgstr[0] "Vous avez {n} demande ouverte."\n'
        'msgstr[1] "Vous avez {n} demandes ouvertes."')
    fr.write_text(text, encoding="utf-8")
    assert catalogues.problems(root=packs) == []
    registry.register(packs)  # the copy now wins over the built-in packs
    try:
        assert messages.t("fr", "test.new_sentence", n=1) == "Vous avez 1 demande ouverte."
        assert messages.t("fr-CA", "test.new_sentence", n=2) == "Vous avez 2 demandes ouvertes."
        assert messages.t("en", "test.new_sentence", n=0) == "You have 0 open claims."
    finally:
        registry.unregister(packs)
    assert not messages.has("fr", "test.new_sentence")


def test_changed_english_arrives_fuzzy_in_the_translation(packs):
    en, fr = packs / "en" / "messages.po", packs / "fr" / "messages.po"
    old = entry(en, "forget_kept")
    en.write_text(en.read_text(encoding="utf-8").replace('msgid "OK, I deleted nothing."',
                                                         'msgid "OK, I deleted nothing at all."'), encoding="utf-8")
    catalogues.update(root=packs)
    message = entry(fr, "forget_kept")
    assert message.fuzzy and message.id == "OK, I deleted nothing at all."
    # the translator sees the English it translated before (pybabel update --previous)
    assert '#| msgid "OK, I deleted nothing."\nmsgctxt "forget_kept"' in fr.read_text(encoding="utf-8")
    assert old.id == "OK, I deleted nothing."
    assert message.string == "D'accord, je n'ai rien supprimé."  # kept for review
    assert [p.split("/lang/", 1)[-1] for p in catalogues.problems(root=packs)] == \
        ["fr/messages.po [forget_kept]: fuzzy (review the translation, then drop the flag)"]
    # until reviewed, the bot shows English rather than a translation of the old sentence
    registry.register(packs)
    try:
        assert messages.t("fr", "forget_kept") == "OK, I deleted nothing at all."
    finally:
        registry.unregister(packs)


def test_add_a_language(packs):
    de = catalogues.init("de", root=packs)
    with open(de, "rb") as fh:
        cat = read_po(fh)
    assert cat.plural_forms == "nplurals=2; plural=(n != 1)"
    assert len([m for m in cat if m.id]) == len([m for m in read_po(open(packs / "messages.pot", "rb")) if m.id])
    found = catalogues.problems(root=packs)
    assert found and all("lang/de/messages.po" in p and "untranslated" in p for p in found)
    # translate one sentence: the pack works at once, English for the rest
    head, tail = de.read_text(encoding="utf-8").split('msgctxt "forget_kept"\n', 1)
    tail = tail.replace('msgstr ""', 'msgstr "OK, ich habe nichts gelöscht."', 1)
    de.write_text(head + 'msgctxt "forget_kept"\n' + tail, encoding="utf-8")
    registry.register(packs / "de")
    try:
        assert messages.t("de", "forget_kept") == "OK, ich habe nichts gelöscht."
        assert messages.t("de", "cancelled") == messages.t("en", "cancelled")
    finally:
        registry.unregister(packs / "de")


@pytest.mark.process
def test_the_commands_run_from_the_repository():
    out = subprocess.run([sys.executable, "-m", "understanding.catalogues", "check"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.strip().endswith("catalogues OK")
    assert "RuntimeWarning" not in out.stderr


def test_port_sentences_a_branch_wrote_in_the_former_dicts(packs, tmp_path):
    """A branch that still edits messages_en.py / messages_fr.py: its new and changed
    sentences come over, what it did not touch stays as it is here, and a sentence both sides
    changed is reported, never overwritten."""
    def table(path, entries):
        path.write_text("T = " + repr(entries) + "\n", encoding="utf-8")
        return path

    base_en = {"welcome": "old welcome", "forget_kept": "OK, I deleted nothing.", "cancelled": "old cancel",
               "conv.seed": "the seed's table (the year the fiscal year starts)"}
    base_fr = {"welcome": "ancien", "forget_kept": "D'accord, je n'ai rien supprimé.", "cancelled": "ancien",
               "conv.seed": "le tableau de la page (l'année où commence l'exercice)"}
    branch_en = dict(base_en, **{"test.added": "A new {thing}.", "forget_kept": "OK, nothing was deleted.",
                                 "conv.seed": "the seed table (start year)", "days_one": "1 day"})
    branch_fr = dict(base_fr, **{"test.added": "Une nouvelle {thing}.", "conv.seed": "le tableau (début)"})
    report = catalogues.port_dicts(table(tmp_path / "en.py", branch_en), table(tmp_path / "fr.py", branch_fr),
                                   table(tmp_path / "base_en.py", base_en), table(tmp_path / "base_fr.py", base_fr),
                                   root=packs)
    assert report[0] == "forget_kept: changed (French now fuzzy: review it)"
    assert report[1].startswith("conv.seed: CONFLICT")
    assert report[2:] == ["test.added: added", "days_one: not ported (empty, or a one/other pair: write a plural entry)"]
    en, fr = packs / "en" / "messages.po", packs / "fr" / "messages.po"
    assert entry(fr, "test.added").string == "Une nouvelle {thing}."
    assert entry(en, "forget_kept").id == "OK, nothing was deleted." and entry(fr, "forget_kept").fuzzy
    assert entry(en, "conv.seed").id == "the co-op page's table (the year the fiscal year starts)"  # ours kept
    assert entry(en, "welcome").id.startswith("Hi!")  # untouched on the branch: ours stays
    assert [p.split("/lang/", 1)[-1] for p in catalogues.problems(root=packs)] == \
        ["fr/messages.po [forget_kept]: fuzzy (review the translation, then drop the flag)"]
