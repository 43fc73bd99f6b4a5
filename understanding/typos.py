"""Tolerance for misspelt month names ("agust", "febuary", "setpembre"), which core does not read.

A word of 5+ letters that is not a month name (the language packs' ``[months]``) but is one edit (insertion, deletion,
substitution or swap of two neighbours) away from a month name of 5+ letters is replaced by
that month before periods are read. Short months (may, mai, june, juin, july) are left alone:
one edit from them is too often a real word.

>>> correct("claim co-op from agust 2024")
'claim co-op from august 2024'
"""
from __future__ import annotations

import re
from functools import lru_cache

from . import packs

_WORD = re.compile(r"[a-z]{5,}")


@lru_cache(maxsize=4)
def _tables(gen: int) -> tuple[tuple[str, ...], frozenset[str], frozenset[str]]:
    """(month names of 5+ letters, words never corrected, first letters) from the packs."""
    months = tuple(sorted({w for w in packs.vocab().months_by_word if len(w) >= 5}))
    known = set(months)
    for p in packs.packs():
        known.update(p.get("typos.not_months") or [])
    return months, frozenset(known), frozenset(m[0] for m in months)


def _one_edit(a: str, b: str) -> bool:
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1:]


@lru_cache(maxsize=4096)
def _month_for(word: str, gen: int) -> str | None:
    months, known, first = _tables(gen)
    if word in known or word[0] not in first:
        return None
    for month in months:
        if _one_edit(word, month):
            return month
    return None


def correct(text: str, folded: str | None = None) -> str:
    """``text`` with misspelt month names replaced (positions may shift)."""
    if folded is None:
        from core import fold

        folded = fold(text)
    gen = packs.generation()
    out, last = [], 0
    for m in _WORD.finditer(folded):
        month = _month_for(m.group(0), gen)
        if month:
            out.append(text[last:m.start()])
            out.append(month)
            last = m.end()
    if not out:
        return text
    out.append(text[last:])
    return "".join(out)
