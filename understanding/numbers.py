"""Numbers written in words, as digits: "septante-cinq mille euros" -> "75000 euros", "le
vingt-deux mars deux mille vingt-sept" -> "le 22 mars 2027", "eight thousand five hundred
dollars" -> "8500 dollars".

text2num's ``alpha2digit`` does the reading (it knows "septante", "huitante", "nonante" and the
French and English ways of writing numbers); this module only decides when to call it (a pack
word that starts a number is in the message: ``numbers.words``) and turns the words for per cent
(``numbers.percent``: "pour cent", "per cent") into "%" first, which alpha2digit would read as
"pour 100". A language text2num does not read is left as written.

>>> words_to_digits("On a généré septante-cinq mille euros, trente pour cent en co-op", "fr")
'On a généré 75000 euros, 30 % en co-op'
>>> words_to_digits("the twenty second of march twenty twenty seven", "en")
'the 22nd of march 2027'
>>> words_to_digits("sept webinaires en sept. 2024, le 12 sept 2024, le trois mars deux mille vingt-sept.", "fr")
'7 webinaires en sept. 2024, le 12 sept 2024, le 3 mars 2027.'
>>> words_to_digits("we earned 12,000 dollars", "en")
'we earned 12,000 dollars'
"""
from __future__ import annotations

import logging
import re
from functools import lru_cache

from core import fold

from . import packs

log = logging.getLogger(__name__)



def words_to_digits(text: str, lang: str | None) -> str:
    """``text`` with its numbers written in words as digits (``text`` itself when it has none)."""
    code = (lang or "")[:2].lower()
    if not text or not _reads(code):
        return text
    starts, percent = _patterns(code, packs.generation())
    if starts is None or not starts.search(fold(text)):
        return text
    if percent is not None:
        text = percent.sub(" %", text)
    kept: list[str] = []

    def keep(m: re.Match[str]) -> str:  # "sept. 2024", "12 sept": a month's name, not seven
        kept.append(m.group(0))
        return f"\ue000{len(kept) - 1}\ue001"

    month_like = _month_numbers(code, packs.generation())
    if month_like is not None:
        text = month_like.sub(keep, text)
    try:
        from text_to_num import alpha2digit

        out = _spoken_years(alpha2digit(text, code))
        return re.sub("\ue000(\\d+)\ue001", lambda m: kept[int(m.group(1))], out)
    except Exception:  # noqa: BLE001 - a reader's failure leaves the words as written
        log.debug("alpha2digit could not read a message", exc_info=True)
        return text


_SPOKEN_YEAR = re.compile(r"(?<![\w])(?P<m>[^\W\d_]+\.?),?\s+(?P<a>19|20) (?P<b>\d{2})(?![\w])")


@lru_cache(maxsize=64)
def _reads(code: str) -> bool:
    """Whether text2num reads the language (it refuses one it does not know)."""
    from text_to_num import alpha2digit

    try:
        alpha2digit("", code)
    except ValueError:
        return False
    return True


def _spoken_years(text: str) -> str:
    """A year said in two pairs after a month ("march twenty twenty seven" -> "march 20 27"):
    one number, "march 2027"."""
    months = packs.vocab().months_by_word

    def join(m: re.Match[str]) -> str:
        if fold(m["m"]).rstrip(".") not in months:
            return m.group(0)
        return m.group(0)[:m.start("a") - m.start()] + m["a"] + m["b"]

    return _SPOKEN_YEAR.sub(join, text)


@lru_cache(maxsize=16)
def _month_numbers(code: str, gen: int) -> re.Pattern[str] | None:
    """The number words that are also a month's name ("sept"), beside a digit."""
    if code not in packs.available():
        return None
    both = sorted(set(packs.pack(code).get("numbers.words") or []) & set(packs.vocab().months_by_word))
    if not both:
        return None
    alt = "|".join(re.escape(w) for w in both)
    # ("vingt-sept." ends a number, not the abbreviation of September)
    return re.compile(r"(?i)(?<![\w-])(?:" + alt + r")\.?(?=,?\s*\d)|(?<=\d\s)(?:" + alt + r")\.?(?![\w])|"
                      r"(?<=\d)(?:" + alt + r")\.?(?![\w])|(?<![\w-])(?:" + alt + r")\.(?!\w)")


@lru_cache(maxsize=16)
def _patterns(code: str, gen: int) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
    if code not in packs.available():
        return None, None
    pack = packs.pack(code)
    words = pack.get("numbers.words") or []
    percent = pack.get("numbers.percent") or []
    starts = re.compile(r"(?<![\w])(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + r")(?![\w])") \
        if words else None
    pct = re.compile(r"\s*(?<![\w])(?:" + "|".join(re.escape(w) for w in sorted(percent, key=len, reverse=True)) + r")(?![\w])",
                     re.IGNORECASE) if percent else None
    return starts, pct
