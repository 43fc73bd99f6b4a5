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
    text = _ordinal_days(text, code)
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


@lru_cache(maxsize=16)
def _ordinal_day_pattern(code: str, gen: int) -> re.Pattern[str] | None:
    """An ordinal word of the pack (``numbers.day_ordinals``) right before a month's name (with
    "of" between, in English) or right after one ("March the third")."""
    if code not in packs.available():
        return None
    words = [fold(w) for w in packs.pack(code).get("numbers.day_ordinals") or []]
    if not words:
        return None
    months = sorted(packs.vocab().months_by_word, key=len, reverse=True)
    ords = "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))
    mon = "|".join(re.escape(m) for m in months)
    of = "|".join(re.escape(w) for w in packs.vocab().words("reading.of") + packs.vocab().words("reading.the"))
    return re.compile(rf"(?<![\w])(?:{ords})(?:\s+(?:{of}))?\s+(?:{mon})\.?(?![\w])"
                      rf"|(?<![\w])(?:{mon})\.?\s+(?:(?:{of})\s+)?(?:{ords})(?![\w])")


def _ordinal_days(text: str, code: str) -> str:
    """"the third of March", "le premier mars", "am dritten März": the day as digits ("3rd",
    "1er", "3."), which text2num writes for an ordinal only when told to read small ones too."""
    pattern = _ordinal_day_pattern(code, packs.generation())
    folded = fold(text)
    if pattern is None or len(folded) != len(text):
        return text
    from text_to_num import alpha2digit

    out, last = [], 0
    for m in pattern.finditer(folded):
        out.append(text[last:m.start()])
        try:
            out.append(alpha2digit(text[m.start():m.end()], code, threshold=0))
        except Exception:  # noqa: BLE001 - a reader's failure leaves the words as written
            out.append(text[m.start():m.end()])
        last = m.end()
    out.append(text[last:])
    return "".join(out)


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
    # a language that glues number words into one ("zweitausendsiebenundzwanzig": numbers.glued)
    # starts one at a word's start, whatever follows
    end = "" if pack.get("numbers.glued") else r"(?![\w])"
    starts = re.compile(r"(?<![\w])(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + r")" + end) \
        if words else None
    pct = re.compile(r"\s*(?<![\w])(?:" + "|".join(re.escape(w) for w in sorted(percent, key=len, reverse=True)) + r")(?![\w])",
                     re.IGNORECASE) if percent else None
    return starts, pct
