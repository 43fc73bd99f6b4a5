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
from functools import lru_cache

from . import packs

_WORD = re.compile(r"[a-z']+")
_ACCENTS = re.compile(r"[éèêëàâîïôûùüçœÉÈÊÀÇ]")


@lru_cache(maxsize=4)
def _weights(gen: int) -> dict[str, dict[str, int]]:
    """word → {language: weight} from each pack's ``[detect]`` lists (strong 2, weak 1)."""
    out: dict[str, dict[str, int]] = {}
    for p in packs.packs():
        for weight, key in ((2, "detect.strong"), (1, "detect.weak")):
            for word in p.get(key) or []:
                out.setdefault(word, {}).setdefault(p.code, weight)
    return out


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
    if "fr" in out:
        out["fr"] += 2 * min(len(_ACCENTS.findall(raw)), 3)
    return out


def scores(folded: str, raw: str) -> tuple[int, int]:
    s = all_scores(folded, raw)
    return s.get("en", 0), s.get("fr", 0)


def detect(text: str, locale: str | None = None, folded: str | None = None) -> tuple[str, str]:
    """(lang, source): source is "text" when the words decided, "locale" otherwise."""
    if folded is None:
        from core import fold

        folded = fold(text)
    s = all_scores(folded, text)
    ranked = sorted(s.items(), key=lambda kv: -kv[1])
    if ranked and ranked[0][1] >= 2 and (len(ranked) == 1 or ranked[0][1] != ranked[1][1]):
        return ranked[0][0], "text"
    loc = (locale or "").lower()[:2]
    if loc in s:
        return loc, "locale"
    return "en", "locale"
