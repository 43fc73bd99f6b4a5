"""Hypothesis fuzzing: any string gets an intent or a fallback, never an exception."""
from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from understanding import INTENTS, respond, understand

T = date(2024, 11, 27)
WORDS = ["claim", "deadline", "H1", "H2", "FY21", "2024", "1/2/2024", "60/40", "€", "$", "-5000", "réclamer", "quand",
         "été", "winter", "Q3", "T2", "2021-02-30", "1850", "remind", "OSU", "%", "and for", "et pour", "summer of 2100",
         "Dec 2100", "FY99 H1", "2099", "31/12/2100", "keep", "split", "12,5", "1.000,00", "\u202e", "\u200f", "🎉"]


def check(reply):
    assert reply.intent in INTENTS
    assert isinstance(reply.text, str) and reply.text
    reply.to_dict()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_any_text(text):
    check(respond(text, today=T))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=8).map(" ".join), st.sampled_from([None, "en-US", "fr-FR", "en-GB", "xx", ""]),
       st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)))
def test_domain_word_salad(text, locale, today):
    check(respond(text, locale=locale, today=today))


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=200), st.dictionaries(st.text(max_size=10), st.text(max_size=10)))
def test_any_context(text, context):
    check(respond(text, today=T, context=context))


def test_edge_inputs():
    for text in ["", " ", "\x00\x01\x02\x1b[31m", "🎉" * 1000, "مرحبا متى الموعد النهائي؟ H1 2024", "\u202eH1 2024\u202c",
                 "claim " * 20000, "a" * 100_000, "1/2/2024 " * 5000, None]:
        check(respond(text, today=T))
    assert understand("", today=T).intent == "fallback"
    assert respond("a" * 100_000, today=T).intent == "fallback"
