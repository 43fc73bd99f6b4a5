"""Whether a question asks for yes or no, and how ("is it too late?", "can we still claim it?",
"is H1 January to June?"): the words are ``[yesno]`` in each pack's ``vocab.toml``. Used by
the answers (a verdict first) and by the rule answers (a statement's verdict)."""
from __future__ import annotations

import re
from functools import lru_cache


def _said(folded: str, key: str) -> bool:
    """Whether ``folded`` holds one of the packs' words of ``key`` as whole words."""
    from . import packs

    return packs.words_pattern(key).search(folded) is not None


@lru_cache(maxsize=8)
def _starts_pattern(gen: int) -> re.Pattern[str]:
    from . import packs

    words = sorted(packs.vocab().words("yesno.starts"), key=len, reverse=True)
    return re.compile(r"\W*(?:" + "|".join(re.escape(w) for w in words) + r")(?![\w])" if words else r"(?!x)x")


def asks_yes_no(folded: str, intonation: bool = False) -> str | None:
    """How a question asks for yes or no: "too_late" ("is it too late?": yes when closed),
    "still" ("can we still claim it?"), "yes_no" (it starts with "can", "is", "est-ce que"… or
    ends with "right?"), or None. Words: ``[yesno]`` in each pack's ``vocab.toml``."""
    from . import packs

    if _said(folded, "yesno.too_late"):
        return "too_late"
    if _said(folded, "yesno.still"):
        return "still"
    v = packs.vocab()
    gen = packs.generation()
    sentences = [x.strip() for x in re.split(r"(?<=[.!?\n])\s+", folded) if "?" in x or x is folded]
    starts = _starts_pattern(gen)
    for sentence in sentences or [folded]:
        if starts.match(sentence):
            return "yes_no"
    if any(w in folded for w in v.words("yesno.tags")):
        return "yes_no"
    if intonation:  # "Le programme OSU donne droit au co-op ?": a question without a question word
        # (a noun that is asked for stands for a question word: "last day to claim it?", "Frist?")
        wh = packs.words_pattern("segment.question_words_wh", "segment.asked_nouns")
        for sentence in sentences:
            if sentence.rstrip().endswith("?") and not wh.search(sentence):
                return "yes_no"
    return None
