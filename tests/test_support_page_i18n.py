"""The support desk's words are the catalogues' ``support.*`` entries: the French page says
every one of them in French (and no English sentence of the catalogue), the script's strings
are the French templates, and a language pack without ``support.*`` entries falls back to
English."""
from __future__ import annotations

import json
import re
import textwrap
from datetime import date
from html import unescape

import pytest

from support import page
from understanding import catalogues, registry, messages

TODAY = date(2026, 12, 1)
# the sentences of the sign-in result pages (render_error), not of the desk itself
ERROR_PAGE_KEYS = ("signin_expired", "signin_refused", "not_allowed", "csrf", "signed_out",
                   "too_many_sign_ins")
# "switch_to" is on the desk in the *other* languages' pages (checked apart)
NOT_ON_THE_DESK = ERROR_PAGE_KEYS + ("again", "issuer_unreachable", "local_dev", "switch_to")


def _support_keys() -> list[str]:
    return [key[len("support."):] for key in messages.keys() if key.startswith("support.")]


def _page_keys() -> list[str]:
    """The keys the desk page itself shows (the API's errors are ``support.api.*``)."""
    return [key for key in _support_keys() if not key.startswith("api.") and key not in NOT_ON_THE_DESK]


def _french(key: str) -> str:
    found = catalogues.catalogue("fr").form("support." + key, None)
    assert found, f"support.{key} has no French"
    return found


def _english(key: str) -> str:
    return catalogues.catalogue("en").form("support." + key, None)


def _feedback(id: int, comment: str, reading: dict):
    from datetime import datetime, timezone

    from storage.feedback import Feedback

    return Feedback(id=id, at=datetime(2026, 12, 1, 9, 5, tzinfo=timezone.utc), user_id="29:u",
                    conversation_id="a:c", reaction="dislike", comment=comment, question="Q ?",
                    answer="R.", lang="fr", reading=reading)


def _rendered(lang: str) -> str:
    """Every page of the desk: the tickets page, the Feedback view with two 👎 (one with a
    comment and a reading, one without) on a page that has an older and a newer one, and
    the Feedback view when there is none."""
    user = dict(user="Alex Agent", csrf="token", local_dev=False)
    items = [_feedback(2, "x", {"role": "earning"}), _feedback(1, "", {})]
    return "\n".join((page.render(lang, today=TODAY, **user),
                      page.render_feedback(lang, items=items, older=1, paged=True, **user),
                      page.render_feedback(lang, items=[], older=None, paged=False, **user)))


def _shown(template: str, visible: str) -> bool:
    """Whether the sentence ``template`` is on the page: ``{name}`` is the user's; the words
    around any other placeholder (a date, a time) are there."""
    sentence = template.replace("{name}", "Alex Agent")
    return all(part.strip() in visible for part in re.split(r"\{\w+\}", sentence))


def _script_strings(html: str) -> dict[str, str]:
    found = re.search(r'<script id="strings" type="application/json">(.*?)</script>', html, re.S)
    assert found
    return json.loads(found.group(1).replace("<\\/", "</"))


def _visible(html: str, lang: str | None = None) -> str:
    """The page's text and attribute values (not tag or attribute names), entities decoded,
    the script's JSON left out; with ``lang``, without the links marked as written in another
    language (the switch to the page in English is in English, named by its ``lang``)."""
    html = re.sub(r'<script id="strings".*?</script>', "", html, flags=re.S)
    if lang:
        html = re.sub(r'<a [^>]*\blang="(?!' + lang + r'")[^"]*"[^>]*>[^<]*</a>', "", html)
    html = re.sub(r"<[^>]*>", lambda tag: " ".join(re.findall(r'"([^"]*)"', tag.group(0))) + "\n", html)
    return unescape(html)


def _english_only() -> dict[str, str]:
    """Each support.* English sentence that is not also a French one ("Question {n}" is both;
    "English" is the French page's switch to English)."""
    french = {_french(key) for key in _support_keys()}
    return {key: _english(key) for key in _support_keys() if _english(key) not in french}


def test_the_french_page_says_every_sentence_in_french():
    html = _rendered("fr")
    visible = _visible(html)
    assert '<html lang="fr">' in html
    shown_by_the_page = [key for key in _page_keys() if key not in page.SCRIPT_KEYS]
    assert len(shown_by_the_page) > 25
    for key in shown_by_the_page:
        assert _shown(_french(key), visible), key
    # the script's templates are the French ones, nothing else
    assert _script_strings(html) == {key: _french(key) for key in page.SCRIPT_KEYS}
    # the switch to each other language is written in that language, and marked so
    assert (f'<a href="/support?lang=en" lang="en" hreflang="en" aria-label="{_english("switch_to")}">English</a>'
            in html)
    assert f'lang="fr" hreflang="fr" aria-label="{_french("switch_to")}">Français</a>' in _rendered("en")


def test_the_french_page_holds_no_english_sentence_of_the_catalogue():
    rendered = _rendered("fr")
    templates = "\n".join(_script_strings(rendered).values())
    html = _visible(rendered, "fr") + re.sub(r"\{\w+\}", "", templates)  # "{done}" is no English word
    english = _english_only()
    assert len(english) > 60  # the page's, the script's and the API's sentences
    for key, sentence in english.items():
        literal = [part for part in re.split(r"\{\w+\}", sentence) if len(part.strip()) > 3]
        for part in literal or [sentence]:
            assert not re.search(r"(?<!\w)" + re.escape(part.strip()) + r"(?!\w)", html), (key, part)


def test_the_french_result_pages_are_french():
    for key in ERROR_PAGE_KEYS:
        html = unescape(page.render_error("fr", key))
        assert _french(key) in html and _french("again") in html and _french("heading") in html
        assert _english(key) not in html and _english("again") not in html


def test_every_sentence_of_the_script_is_a_catalogue_entry():
    from pathlib import Path

    script = (Path(page.__file__).resolve().parent / "static" / "support.js").read_text(encoding="utf-8")
    used = set(re.findall(r'fmt\("(\w+)"', script)) | set(re.findall(r"\bS\.(\w+)", script))
    used |= {"status_" + state for state in ("queued", "running", "done", "failed")}  # S["status_" + …]
    assert used == set(page.SCRIPT_KEYS)
    assert all(messages.has("en", "support." + key) for key in used)
    # no sentence of its own: its only quoted words are ids, attributes and CSS classes
    texts = [s for s in re.findall(r'"([^"\n]*)"', script) if re.search(r"[A-Za-z]{3,} [A-Za-z]{3,}", s)]
    assert set(texts) <= {"use strict", "noopener noreferrer"}, texts


GERMAN = textwrap.dedent('''\
    msgid ""
    msgstr ""
    "Language: de\\n"
    "Plural-Forms: nplurals=2; plural=(n != 1);\\n"
    "Content-Type: text/plain; charset=UTF-8\\n"

    msgctxt "welcome"
    msgid "Hi!"
    msgstr "Hallo!"
    ''')


@pytest.fixture
def german_pack(tmp_path):
    folder = tmp_path / "packs" / "de"
    folder.mkdir(parents=True)
    (folder / "messages.po").write_text(GERMAN, encoding="utf-8")
    registry.register(tmp_path / "packs")
    try:
        yield "de"
    finally:
        registry.unregister(tmp_path / "packs")


def test_a_pack_without_support_entries_falls_back_to_english(german_pack):
    assert messages.welcome("de") == "Hallo!"  # the pack is read
    html = _rendered("de")
    visible = _visible(html)
    for key in _page_keys():
        if key not in page.SCRIPT_KEYS:
            assert _shown(_english(key), visible), key
    assert _script_strings(html) == {key: _english(key) for key in page.SCRIPT_KEYS}
    assert _french("ticket_label") not in visible
    assert page.text("de", "api.csrf") == "missing or wrong CSRF token"
    assert _english("csrf") in unescape(page.render_error("de", "csrf"))
