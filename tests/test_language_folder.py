"""A fourth language is a folder of data, end to end: a tiny Dutch pack written into a temporary
folder and named by ``COOP_LANG_PATH`` (the configuration, as an operator would) gives, in
Dutch and with no Python file changed, an answer card, a reminder message, a calendar file and
the support desk's page (picked from the browser's Accept-Language over a real HTTP server);
its dates, month names and the language's own name come from Babel's CLDR data."""
from __future__ import annotations

import json
from datetime import date

import pytest

from test_support_api import LOCAL, start_desk  # noqa: F401 (fixture)
from understanding import registry

TODAY = date(2024, 11, 27)

# the words understanding needs to know the language (months, a few words that mark it)
_NL_VOCAB = '''
[months]
1 = ["januari"]
2 = ["februari"]
3 = ["maart"]
4 = ["april"]
5 = ["mei"]
6 = ["juni"]
7 = ["juli"]
8 = ["augustus"]
9 = ["september"]
10 = ["oktober"]
11 = ["november"]
12 = ["december"]
[detect]
strong = ["wanneer", "moeten", "we", "ons", "onze", "tot", "wanneer", "indienen", "verdiend", "het", "een"]
'''

# a few sentences; every other one falls back to English
_NL_PO = '''msgid ""
msgstr ""
"Language: nl\\n"
"Plural-Forms: nplurals=2; plural=(n != 1)\\n"
"Content-Type: text/plain; charset=utf-8\\n"

msgctxt "card.remind"
msgid "Remind me"
msgstr "Herinner me"

msgctxt "digest.title"
msgid "**Co-op reminder**"
msgstr "**Co-op-herinnering**"

msgctxt "ics.calname"
msgid "Co-op funds deadlines"
msgstr "Deadlines co-opfondsen"

msgctxt "support.heading"
msgid "Co-op Assistant support desk"
msgstr "Helpdesk van de Co-op-assistent"

msgctxt "support.switch_to"
msgid "Show this page in English"
msgstr "Deze pagina in het Nederlands tonen"
'''


@pytest.fixture
def dutch(tmp_path, monkeypatch):
    """The pack folder ``<tmp>/packs/nl``, registered from ``COOP_LANG_PATH`` by the settings."""
    from config import Settings

    root = tmp_path / "packs"
    folder = root / "nl"
    folder.mkdir(parents=True)
    (folder / "vocab.toml").write_text(_NL_VOCAB, "utf-8")
    (folder / "messages.po").write_text(_NL_PO, "utf-8")
    assert "nl" not in registry.codes()
    settings = Settings.from_env({"COOP_LANG_PATH": str(root)}, dotenv_path=None)
    try:
        assert settings.register_language_packs() == ["nl"]
        yield root
    finally:
        registry.unregister(root)
    assert "nl" not in registry.codes()


def test_the_registry_knows_the_folder_and_its_locale_facts_from_cldr(dutch):
    nl = registry.language("nl-BE")
    assert nl.code == "nl" and nl.folder == dutch / "nl"
    assert nl.default_locale == "nl-NL" and nl.day_first and nl.date_order == "dmy"
    assert (nl.decimal_symbol, nl.group_symbol) == (",", ".")
    assert nl.plural(1) == "one" and nl.plural(3) == "other"
    assert nl.name() == "Nederlands" and nl.name("fr") == "Néerlandais"
    assert registry.negotiate("nl-NL,nl;q=0.9,en;q=0.5") == "nl"
    assert registry.date_order("nl-NL") == "dmy"


def test_the_registry_carries_each_languages_catalogue_and_teams_strings(dutch):
    from pathlib import Path

    teams = Path(__file__).resolve().parent.parent / "teams"
    manifest = json.loads((teams / "manifest.json").read_text("utf-8"))
    localized = manifest["localizationInfo"]["additionalLanguages"]
    assert localized
    for entry in localized:  # every localization of the manifest is a registered language's
        language = registry.language(entry["languageTag"])
        assert language.code != registry.DEFAULT and language.teams_path.name == entry["file"]
        assert language.teams_strings() == json.loads((teams / entry["file"]).read_text("utf-8"))
        assert language.catalogue_path.is_file()
    nl = registry.language("nl")
    assert nl.catalogue_path == dutch / "nl" / "messages.po" and nl.teams_path is None and nl.teams_strings() == {}


def test_an_answer_card_in_the_new_language(dutch):
    from bot import cards
    from understanding import respond

    reply = respond("Wanneer moeten we het webinar van 12 maart 2024 indienen?", lang="nl", locale="nl-NL",
                    today=date(2024, 4, 2))  # its claiming window is open: the card offers a reminder
    assert reply.lang == "nl" and reply.timelines
    card = json.dumps(cards.reply_card(reply, "nl-NL"), ensure_ascii=False)
    assert "Herinner me" in card and "Remind me" not in card
    # the claiming window, in Dutch by Babel (CLDR): the deadline of an activity of March 2024
    assert "16 februari 2024 – 15 augustus 2024" in card


def test_a_reminder_message_and_a_calendar_file_in_the_new_language(dutch):
    from reminders.ics import build_calendar
    from reminders.messages import digest_text
    from reminders.schedule import due_reminders, upcoming_deadlines

    items = due_reminders(date(2024, 8, 8), date(2024, 7, 1))
    assert items
    text = digest_text(items, date(2024, 8, 8), "nl", "nl-NL")
    assert text.startswith("**Co-op-herinnering**") and "augustus 2024" in text

    ics = build_calendar(upcoming_deadlines(TODAY), "nl", locale="nl-NL").decode("utf-8")
    assert "X-WR-CALNAME:Deadlines co-opfondsen" in ics
    assert "juli – december" in ics.replace("\r\n ", "")  # month names from CLDR, in Dutch


async def test_the_support_desk_speaks_the_new_language_from_the_browsers_choice(dutch, start_desk):  # noqa: F811
    desk = await start_desk({**LOCAL, "COOP_LANG_PATH": str(dutch)})
    response = await desk.http.get(desk.base + "/support", headers={"Accept-Language": "nl-NL,nl;q=0.9,en;q=0.5"},
                                   allow_redirects=False)
    html = await response.text()
    assert response.status == 200
    assert '<html lang="nl">' in html and "Helpdesk van de Co-op-assistent" in html
    assert '<option value="nl">Nederlands</option>' in html  # the answer language, named by CLDR
    assert 'hreflang="en"' in html and 'hreflang="fr"' in html  # the page in each other language
    response = await desk.http.get(desk.base + "/support", headers={"Accept-Language": "fr-CA,fr;q=0.9"},
                                   allow_redirects=False)
    french = await response.text()
    assert '<html lang="fr">' in french and 'aria-label="Deze pagina in het Nederlands tonen">Nederlands</a>' in french


def test_the_registrys_doctests_pass():
    import doctest

    result = doctest.testmod(registry)
    assert result.attempted >= 10 and result.failed == 0
