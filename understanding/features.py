"""The features the intent classifier sees, computed the same way at training and at run time.

A message is first *masked*: the periods, amounts, splits and programs the slot readers found
become placeholder words (``zperiod``, ``zday``, ``zamount``, ``zsplit``, ``zprogram``), so the
classifier learns how questions are asked, not which dates they name. Then it is cut into
word unigrams and bigrams and character n-grams (3 to 5, inside words padded with spaces),
each counted. Pure Python: the ``ask`` path never imports scikit-learn.

>>> mask("When can I claim Q3 2024?", [(17, 24, "zperiod")])
'when can i claim zperiod?'
>>> sorted(f for f in features("claim it") if f.startswith("w:"))
['w:<s> claim', 'w:claim', 'w:claim it', 'w:it', 'w:it </s>']
"""
from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from core import fold

_TOKEN = re.compile(r"[a-z0-9]+(?:['-][a-z0-9]+)*|[?%$€£]")
_DIGITS = re.compile(r"\d+")
CHAR_N = (3, 4, 5)


def mask(text: str, spans: list[tuple[int, int, str]]) -> str:
    """The folded text with each (start, end, placeholder) span replaced by its placeholder."""
    folded = fold(text)
    out, last = [], 0
    for start, end, word in sorted(spans):
        if start < last:
            continue
        out.append(folded[last:start])
        out.append(f" {word} " if word else " ")
        last = end
    out.append(folded[last:])
    return re.sub(r"\s+", " ", "".join(out)).strip().replace(" ?", "?")


def tokens(masked: str) -> list[str]:
    return [_DIGITS.sub("0", t) for t in _TOKEN.findall(masked)]


def features(masked: str) -> Counter:
    words, spelled = parts(masked)
    for t in spelled:
        words += char_grams(t)
    return Counter(words)


def parts(masked: str) -> tuple[list[str], list[str]]:
    """:func:`features` in two parts: the word features (unigrams and bigrams), and the words
    whose character n-grams (:func:`char_grams`) are features too, once per occurrence."""
    toks = tokens(masked)
    padded = ["<s>"] + toks + ["</s>"]
    names = ["w:" + t for t in toks]
    names += ["w:" + a + " " + b for a, b in zip(padded, padded[1:])]
    return names, [t for t in toks if not (t.startswith("z") and t in _PLACEHOLDERS)]


@lru_cache(maxsize=20_000)
def char_grams(token: str) -> tuple[str, ...]:
    """The character n-gram features of one word (inside the word padded with spaces), in
    order (a gram may come twice); a partner's vocabulary is small, so each word's are cut once."""
    w = " " + token + " "
    return tuple("c:" + w[i:i + n] for n in CHAR_N if len(w) >= n for i in range(len(w) - n + 1))


_PLACEHOLDERS = {"zperiod", "zday", "zamount", "zsplit", "zprogram", "zrel"}
