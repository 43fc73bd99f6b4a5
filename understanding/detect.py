"""Which language a message is written in, cheaply, from each language pack's ``[detect]`` words.

Scores stop-words and domain words of each language over the folded text, plus accents
(é, è, à, ç, ê... are French cues). The channel locale decides only when the text does not
(a tie, or no cue at all: "H1 2021?", "60/40").

>>> detect("Quand puis-je réclamer les fonds ?")
('fr', 'text')
>>> detect("when must I claim H1 funds?")
('en', 'text')
>>> detect("FY21 H2 ?", "fr-FR")
('fr', 'locale')
"""
from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from . import packs, registry

_WORD = re.compile(r"[a-z']+")


@lru_cache(maxsize=4)
def _weights(gen: int) -> dict[str, dict[str, int]]:
    """word → {language: weight} from each pack's ``[detect]`` lists (strong 2, weak 1)."""
    out: dict[str, dict[str, int]] = {}
    for p in packs.packs():
        for weight, key in ((2, "detect.strong"), (1, "detect.weak")):
            for word in p.get(key) or []:
                out.setdefault(word, {}).setdefault(p.code, weight)
    return out


def words_of(code: str, words: Iterable[str], *, strong: bool = False) -> int:
    """How many of ``words`` (folded) are pack ``code``'s detection words (``detect.strong`` and
    ``detect.weak``; only the strong ones with ``strong``)."""
    known = _weights(packs.generation())
    least = 2 if strong else 1
    return sum(1 for w in words if known.get(w, {}).get(code, 0) >= least)


def _apostrophe_langs() -> dict[str, tuple[str, ...]]:
    """Elided forms ("l'", "d'", "qu'") that mark a language: the weak words ending in "'"."""
    return _apostrophe_langs_at(packs.generation())


@lru_cache(maxsize=4)
def _apostrophe_langs_at(gen: int) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for p in packs.packs():
        prefixes = tuple(w for w in (p.get("detect.weak") or []) + (p.get("detect.elisions") or []) if w.endswith("'"))
        if prefixes:
            out[p.code] = prefixes
    return out


def all_scores(folded: str, raw: str) -> dict[str, int]:
    """Each language pack's score for a message (its words, elisions; accents count as French)."""
    weights = _weights(packs.generation())
    elided = _apostrophe_langs()
    out = dict.fromkeys(packs.available(), 0)
    for word in _WORD.findall(folded):
        for code, w in weights.get(word, {}).items():
            out[code] += w
        if "'" in word and len(word) > 2:
            for code, prefixes in elided.items():
                if word.startswith(prefixes):
                    out[code] += 2
    for code, accents in _accents(packs.generation()).items():  # "é", "ç": a language's own letters
        if code in out:
            out[code] += 2 * min(len(accents.findall(raw)), 3)
    return out


@lru_cache(maxsize=4)
def _accents(gen: int) -> dict[str, re.Pattern[str]]:
    """Each pack's ``detect.accents``: letters that mark its language (each counts, up to three)."""
    out = {}
    for p in packs.packs():
        letters = p.get("detect.accents") or ""
        if isinstance(letters, str) and letters:
            out[p.code] = re.compile("[" + re.escape(letters) + "]")
    return out


# ------------------------------------------------------------------------------------------
# a language no pack speaks: lingua, over the packs' languages and those of other_languages.toml

OTHER_LANGUAGES = Path(__file__).resolve().with_name("lang") / "other_languages.toml"
MIN_WORDS = 5  # shorter texts ("ok merci", "Q3 FY27 pls") say too little to tell a language
SURE = 0.9  # lingua's confidence in a language no pack speaks before the bot says so
PACK_WORDS_AT_MOST = 0.35  # ... with at most this share of the words known to the packs ...
OWN_WORDS_AT_LEAST = 2  # ... and this many of that language's frequent words (other_languages.toml)
_LETTER_WORD = re.compile(r"[^\W\d_]{2,}")


@lru_cache(maxsize=1)
def other_languages() -> dict[str, dict]:
    """The notices of ``other_languages.toml``, by ISO 639-1 code."""
    with open(OTHER_LANGUAGES, "rb") as fh:
        return tomllib.load(fh)


@lru_cache(maxsize=4)
def _detector(codes: tuple[str, ...]):
    """A lingua detector over ``codes`` (low-accuracy mode: its small models, enough for the
    sentences it is asked about; models load on first use, ~40 ms each)."""
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    langs = []
    for code in codes:
        try:
            langs.append(Language.from_iso_code_639_1(IsoCode639_1.from_str(code)))
        except ValueError:
            continue  # a pack code lingua does not know: that pack is still detected by its words
    if len(langs) < 2:
        return None
    return LanguageDetectorBuilder.from_languages(*langs).with_low_accuracy_mode().build()


def other_language(text: str) -> str | None:
    """The ISO code of the language ``text`` is written in when no pack speaks it and lingua is
    sure (a sentence of five words or more); else None.

    >>> other_language("gestern hatten wir ein Webinar, bis wann müssen wir es einreichen?")
    'de'
    >>> other_language("when must we claim our webinar of 12 March?"), other_language("Q3 FY27 pls")
    (None, None)
    """
    words = _LETTER_WORD.findall(text or "")
    if len(words) < MIN_WORDS:
        return None
    # the packs' own words first (cheap): a text a third of whose words they know is theirs
    folded = [w.lower() for w in words]
    # (the share is the best single pack's: "de", "la", "un" are French and Spanish alike, and
    # the packs' words merged know too much of a Spanish or Italian sentence to tell)
    in_pack = max((words_of(code, folded) for code in packs.available()), default=0)
    if in_pack > PACK_WORDS_AT_MOST * len(folded):
        return None
    spoken = set(packs.available())
    others = other_languages()
    det = _detector(tuple(sorted(spoken | set(others))))
    if det is None:
        return None
    values = det.compute_language_confidence_values(" ".join(words[:60]))  # the words: dates and numbers say nothing
    if not values:
        return None
    top = values[0]
    code = top.language.iso_code_639_1.name.lower()
    if code in spoken or code not in others or top.value < SURE:
        return None
    # lingua's small models take some English for Danish or Dutch: the guess stands only when
    # the packs' words are few (above) and that language's own frequent words are there
    own = set(others[code].get("words", ()))
    if sum(w in own for w in folded) < OWN_WORDS_AT_LEAST:
        return None
    return code


def notice(code: str) -> str | None:
    """The notice for a message in ``code`` ("Ich antworte nur auf Englisch oder Französisch…"),
    naming the languages of the packs it has names for."""
    entry = other_languages().get(code)
    if not entry:
        return None
    names = [name for pack, name in entry.get("languages", {}).items() if pack in packs.available()]
    if not names:
        return None
    joined = entry.get("join", " / ").join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else names[0]
    return entry["notice"].format(languages=joined)


def warm() -> None:
    """Load the detector's models now (the server calls it at start-up, not on a first message)."""
    other_language("this sentence is here only to load the language models of the detector")


#: the words' score that overrules the client's own language (when it is one the assistant
#: speaks): one shared word ("Webinar am 12.03.2027" from a de-CH client) does not
OVERRULE_LOCALE = 3


def detect(text: str, locale: str | None = None, folded: str | None = None) -> tuple[str, str]:
    """(lang, source): source is "text" when the words decided, "locale" otherwise."""
    if folded is None:
        from core import fold

        folded = fold(text)
    s = all_scores(folded, text)
    ranked = sorted(s.items(), key=lambda kv: -kv[1])
    loc = (locale or "").lower()[:2]
    if ranked and ranked[0][1] >= 2 and (len(ranked) == 1 or ranked[0][1] != ranked[1][1]) and (
            loc not in s or ranked[0][0] == loc or ranked[0][1] >= OVERRULE_LOCALE
            or ranked[0][1] - s[loc] >= OVERRULE_LOCALE):
        return ranked[0][0], "text"
    if loc in s:
        return loc, "locale"
    return registry.DEFAULT, "locale"


def foreign_day_word(r, lang: str) -> bool:
    """Whether period reading ``r`` is only a day word ("hier", "heute") of another pack than
    ``lang``'s: "hier die Zeile aus SAP" names no day in German."""
    from core import fold

    if r.kind != "relative" or " " in r.text.strip():
        return False
    word = fold(r.text.strip())
    own = packs.pack(lang).get("relative.days", {}) if lang in packs.available() else {}
    return word not in own and any(word in pk.get("relative.days", {}) for pk in packs.packs())
