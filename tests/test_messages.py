"""The message catalogues: one place per language for every user-visible sentence, and the
English and French catalogues in step (same keys, same ``{placeholders}`` per key)."""

import string

import pytest

from understanding import messages, messages_en, messages_fr

# Keys whose French sentence words a value differently and so leaves out a placeholder the
# English one uses (the code passes both). Exactly this difference, nothing else, is allowed:
# English echoes the impossible date as 2021-02-30, French writes "le 30 février 2021".
LANGUAGE_SPECIFIC = {"error.invalid_date.days": {"month"}}


def placeholders(template: str) -> set[str]:
    """The field names a ``str.format`` template uses (``{month:02d}`` → ``month``)."""
    names = set()
    for _, field, _, _ in string.Formatter().parse(template):
        if field is not None:
            names.add(field.split(".")[0].split("[")[0])
    return names


def test_both_catalogues_have_the_same_keys():
    en, fr = set(messages_en.T), set(messages_fr.T)
    assert en - fr == set(), "missing in messages_fr.py"
    assert fr - en == set(), "missing in messages_en.py"


@pytest.mark.parametrize("key", sorted(messages_en.T))
def test_same_placeholders_per_key(key):
    en, fr = placeholders(messages_en.T[key]), placeholders(messages_fr.T.get(key, ""))
    assert en - fr == LANGUAGE_SPECIFIC.get(key, set())
    assert fr - en == set()


def test_every_template_formats_with_its_own_placeholders():
    for catalogue in (messages_en.T, messages_fr.T):
        for key, template in catalogue.items():
            values = {name: 1 for name in placeholders(template)}
            assert isinstance(template.format(**values), str), key


def test_the_sections_other_modules_read_are_complete():
    """Card labels, .ics titles and the reminder digest come from the catalogue in both
    languages with the same names (their modules hold no sentences of their own)."""
    for section in (messages.card_labels, messages.calendar_names):
        assert section("en") and set(section("en")) == set(section("fr"))
    assert {"remind", "calendar", "claim_page", "yes", "no"} <= set(messages.card_labels("fr"))
    assert {"calname", "window", "deadline", "forfeiture", "alarm", "alarm_one"} <= set(messages.calendar_names("en"))
    for kind in ("claim_open", "claim_close", "claim_close_one", "claim_close_today", "forfeiture"):
        assert f"digest.{kind}" in messages_en.T


def test_no_sentence_tables_left_outside_the_catalogues():
    import bot.adapter
    import bot.cards
    import dialogs.texts
    import reminders.messages

    assert not hasattr(dialogs.texts, "_PENDING")
    assert not hasattr(bot.cards, "_FALLBACK_LABELS")
    assert not hasattr(bot.adapter, "_FALLBACK_APOLOGY")
    assert not hasattr(reminders.messages, "CATALOGUE") and not hasattr(reminders.messages, "_CAL_NAMES")


def test_the_adapters_fallback_apology_is_the_catalogues():
    from types import SimpleNamespace

    from bot.adapter import default_apology

    def turn(locale):
        return SimpleNamespace(activity=SimpleNamespace(locale=locale))

    assert default_apology(turn("fr-CA")) == messages.apology("fr")
    assert default_apology(turn("en-GB")) == default_apology(turn(None)) == messages.apology("en")
