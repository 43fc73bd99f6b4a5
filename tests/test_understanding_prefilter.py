"""understanding.prefilter: a grammar rule is skipped only when it cannot match the text."""
from __future__ import annotations

import re
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import fold
from understanding import packs, reading
from understanding.classifier import read_examples
from understanding.prefilter import Prefilter, required

G = reading.grammar()
WORDS = sorted({s for need in G.prefilter.needs if need for s in need})
T = date(2026, 12, 1)


def _skipped_yet_matching(text: str) -> list[int]:
    folded = fold(text)
    return [i for i, (rule, possible) in enumerate(zip(G.rules, G.prefilter.possible(folded)))
            if not possible and rule.pattern.search(folded)]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(WORDS + ["1", "12", "2024", "h1", "q3", "fy24", " ", "-", "/", ".", "of", "de", "l'"])
                | st.text(max_size=6), max_size=12).map(" ".join) | st.text(max_size=80))
def test_no_rule_that_matches_is_skipped(text):
    assert _skipped_yet_matching(text) == []


@pytest.mark.parametrize("code", ["en", "fr"])
def test_the_corpus_reads_the_same_with_and_without_the_prefilter(code, monkeypatch):
    texts = [t for t, _ in read_examples(packs.pack(code))]
    with_it = [repr(_periods(t)) for t in texts]
    monkeypatch.setattr(Prefilter, "possible", lambda self, text: [True] * len(self.needs))
    assert [repr(_periods(t)) for t in texts] == with_it


def _periods(text):
    try:
        return reading.find_periods(text, today=T)
    except Exception as error:  # noqa: BLE001 - an invalid date is a reading too
        return type(error).__name__


def test_requirements_are_read_from_the_pattern():
    assert required(re.compile(r"(?<![\w])h(?P<h>[12])(?![\w])")) == frozenset({"h1", "h2"})  # "h" then [12]: one part
    assert required(re.compile(r"(?:the\s+)?(?:fiscal\s+year|exercice)\s*\d{2}")) == frozenset({"fiscal", "exercice"})
    assert required(re.compile(r"(?:spring|summer)?\s+x")) == frozenset({"x"})
    assert required(re.compile(r"\d+")) is None  # any script's digits
    assert required(re.compile(r"[^a]bc|d")) == frozenset({"bc", "d"})
    assert required(re.compile(r"a|\d")) is None  # one branch needs nothing known
    assert required(re.compile(r"abc", re.IGNORECASE)) is None
    assert required(re.compile(r"(?:ab)*c?")) is None
