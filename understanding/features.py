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
    toks = tokens(masked)
    counts: Counter = Counter()
    padded = ["<s>"] + toks + ["</s>"]
    for t in toks:
        counts["w:" + t] += 1
    for a, b in zip(padded, padded[1:]):
        counts["w:" + a + " " + b] += 1
    for t in toks:
        if t.startswith("z") and t in _PLACEHOLDERS:
            continue
        w = " " + t + " "
        for n in CHAR_N:
            if len(w) < n:
                continue
            for i in range(len(w) - n + 1):
                counts["c:" + w[i:i + n]] += 1
    return counts


_PLACEHOLDERS = {"zperiod", "zday", "zamount", "zsplit", "zprogram", "zrel"}
