"""The intent classifier at run time: a linear model over TF-IDF features, in plain Python.

``python -m understanding.train`` learns it with scikit-learn from each language pack's
``intents/*.txt`` and writes ``model.json`` beside them: the classes, the intercepts, and per
feature its IDF and its (class, weight) pairs. Here it is only read and applied, so answering
never imports scikit-learn or NumPy (``app.py ask`` starts in a fraction of a second): each
feature's weights are kept as one row (a tuple) of every class's weight times the feature's
IDF, and a message's scores are the column sums of its features' rows (``zip(*rows)`` and
``sum``, loops in C), scaled once by the TF-IDF norm; then a softmax. A word's character
n-grams are most of a message's features, and partners use few words: per word, the sum of
its n-grams' rows and of their squared IDFs is computed once and kept; a feature that occurs
more than once in a message is then corrected from ``count`` to ``1 + log(count)``.

The model records a hash of the data it was trained from (:func:`data_hash`); a test fails
when the committed model is stale.

The planner's commands (issue #20, ``intents/plan_*.txt``) are a second model beside it,
``planner_model.json``: those intents against one class, :data:`OTHER`, made of every other
utterance. The questions' model is learnt without them, so adding the planner changed none of
its weights; the engine asks the planner's model only for a message that says a command's own
words (``understanding.engine.classify``).
"""
from __future__ import annotations

import hashlib
import json
import logging
import math
import time
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import packs
from .features import char_grams, features, parts

logger = logging.getLogger(__name__)

FORMAT = 2  # bump when features.py changes what a feature is: the models must be retrained
WORD_CACHE_SIZE = 50_000  # words whose n-gram sums a model keeps
PLAN_PREFIX = "plan_"  # the planner's intents (their own model)
OTHER = "other"  # the planner model's class for every utterance that is not a planner command


@dataclass(frozen=True)
class Prediction:
    intent: str
    confidence: float  # the top class's probability
    probabilities: dict[str, float]


class Model:
    def __init__(self, data: dict) -> None:
        self.lang = data["lang"]
        self.classes: list[str] = data["classes"]
        self.intercept: list[float] = data["intercept"]
        self.data_hash: str = data["data_hash"]
        self.format: int = data.get("format", 0)
        self.cv: dict = data.get("cv", {})
        self.idf: dict[str, float] = {}
        # per feature: every class's weight times the feature's IDF (0.0 where it has none)
        self.rows: dict[str, tuple[float, ...]] = {}
        zeros = [0.0] * len(self.classes)
        for name, entry in data["features"].items():
            self.idf[name] = entry[0]
            pairs = entry[1] if len(entry) > 1 else []
            if pairs:
                row = list(zeros)
                for i in range(0, len(pairs), 2):
                    row[pairs[i]] = pairs[i + 1] * entry[0]
                self.rows[name] = tuple(row)
        self._words: dict[str, tuple[tuple[str, ...], tuple[float, ...] | None, float]] = {}

    def _word(self, token: str) -> tuple[tuple[str, ...], tuple[float, ...] | None, float]:
        """A word's n-grams, the sum of their rows (None: none weighs) and of their IDF²."""
        part = self._words.get(token)
        if part is None:
            grams = char_grams(token)
            rows = [self.rows[g] for g in grams if g in self.rows]
            square = sum(self.idf[g] ** 2 for g in grams if g in self.idf)
            part = (grams, tuple(map(sum, zip(*rows))) if rows else None, square)
            if len(self._words) < WORD_CACHE_SIZE:
                self._words[token] = part
        return part

    def word_support(self, masked: str, intent: str) -> float:
        """How much the whole words of a text (not letter fragments) weigh for ``intent``: the
        character n-grams read typos well, but they can also read a request into noise."""
        if intent not in self.classes:
            return 0.0
        k = self.classes.index(intent)
        total = 0.0
        for name in features(masked):
            if name.startswith("w:"):
                row = self.rows.get(name)
                if row is not None:
                    total += row[k] / self.idf[name]
        return total

    def predict(self, masked: str) -> Prediction:
        """The softmax over ``intercept + W · x``, ``x`` the L2-normalised sublinear TF-IDF of
        the message's features (as scikit-learn's ``TfidfTransformer(sublinear_tf=True)``)."""
        words, spelled = parts(masked)
        idf, rows = self.idf, self.rows
        names = list(words)
        picked = []
        norm = 0.0
        for token in spelled:  # every n-gram occurrence counted once here...
            grams, row_sum, square = self._word(token)
            names += grams
            if row_sum is not None:
                picked.append(row_sum)
            norm += square
        for name in words:
            w = idf.get(name)
            if w is not None:
                norm += w * w
                row = rows.get(name)
                if row is not None:
                    picked.append(row)
        if len(set(names)) != len(names):  # ...and a feature seen `count` times weighs 1 + log(count)
            for name, count in Counter(names).items():
                if count > 1 and name in idf:
                    tf = 1.0 + math.log(count)
                    norm += (tf * tf - count) * idf[name] ** 2
                    row = rows.get(name)
                    if row is not None:
                        picked.append(tuple((tf - count) * x for x in row))
        scores = list(self.intercept)
        if norm > 0 and picked:
            inv = 1.0 / math.sqrt(norm)
            scores = [b + inv * sum(col) for b, col in zip(scores, zip(*picked))]
        top = max(scores)
        exps = [math.exp(s - top) for s in scores]
        total = sum(exps)
        probs = {c: e / total for c, e in zip(self.classes, exps)}
        best = max(range(len(scores)), key=scores.__getitem__)
        return Prediction(self.classes[best], exps[best] / total, probs)


def intent_files(pack: packs.Pack) -> list[Path]:
    return sorted(pack.intents_dir.glob("*.txt")) if pack.intents_dir.is_dir() else []


def read_examples(pack: packs.Pack) -> list[tuple[str, str]]:
    """(utterance, intent) pairs: each ``intents/<intent>.txt`` line, blank lines and ``#``
    comments skipped; ``name.more.txt`` files add lines to the intent ``name``."""
    out = []
    for path in intent_files(pack):
        intent = path.name.split(".")[0]
        for line in path.read_text("utf-8").splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                out.append((line, intent))
    return out


def split_examples(examples: list[tuple[str, str]]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(the questions' examples, the planner's: its commands and every other utterance as
    :data:`OTHER`)."""
    questions = [(t, i) for t, i in examples if not i.startswith(PLAN_PREFIX)]
    planner = [(t, i if i.startswith(PLAN_PREFIX) else OTHER) for t, i in examples]
    return questions, planner


def data_hash(pack: packs.Pack) -> str:
    """SHA-256 over what a model is learnt from: the intent files, the pack's vocab (it decides
    the masking) and the feature format."""
    h = hashlib.sha256(f"format={FORMAT}\n".encode())
    for path in intent_files(pack) + [pack.folder / "vocab.toml"]:
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


@lru_cache(maxsize=16)
def _load(path: str, mtime: float) -> Model | None:
    p = Path(path)
    if not p.is_file():
        return None
    with open(p, encoding="utf-8") as fh:
        return Model(json.load(fh))


RECHECK_SECONDS = 2.0  # how often a model file is looked at again (a retrained one is re-read)
_CHECKED: dict[tuple[int, str, str], tuple[float, Model | None]] = {}


def model(lang: str, which: str = "questions") -> Model | None:
    """The trained model of a language pack (None when the pack has none yet): the questions'
    (``model.json``), or ``which="planner"`` the planner's (``planner_model.json``). The file is
    looked at again (``stat``, ~25 us) at most every :data:`RECHECK_SECONDS`, not per message."""
    key = (packs.generation(), lang, which)
    now = time.monotonic()
    seen = _CHECKED.get(key)
    if seen is not None and now - seen[0] < RECHECK_SECONDS:
        return seen[1]
    try:
        pack = packs.pack(lang)
        p = pack.planner_model_path if which == "planner" else pack.model_path
        found = _load(str(p), p.stat().st_mtime)
    except (KeyError, OSError):
        found = None
    if len(_CHECKED) > 64:
        _CHECKED.clear()
    _CHECKED[key] = (now, found)
    return found
