"""Numbers written in words are read as digits (understanding.numbers, text2num)."""
from __future__ import annotations

import doctest
from datetime import date

import pytest

from understanding import numbers, respond
from understanding.numbers import words_to_digits

pytestmark = pytest.mark.fast


def test_doctests():
    assert doctest.testmod(numbers).failed == 0


@pytest.mark.parametrize("text, lang, expected", [
    ("septante-cinq mille euros", "fr", "75000 euros"),  # Swiss and Belgian French
    ("nonante-deux mille francs", "fr", "92000 francs"),
    ("soixante-quinze mille euros", "fr", "75000 euros"),
    ("trente pour cent de co-op", "fr", "30 % de co-op"),
    ("eight thousand five hundred dollars", "en", "8500 dollars"),
    ("thirty per cent co-op", "en", "30 % co-op"),
    ("le vingt-deux mars deux mille vingt-sept", "fr", "le 22 mars 2027"),
    ("the twenty second of march twenty twenty seven", "en", "the 22nd of march 2027"),
    # left as written: no number word, a month's name, a language text2num does not read
    ("un webinaire et une semaine", "fr", "un webinaire et une semaine"),
    ("le 12 sept 2024", "fr", "le 12 sept 2024"),
    ("zweiundzwanzig", "xx", "zweiundzwanzig"),
])
def test_words_to_digits(text, lang, expected):
    assert words_to_digits(text, lang) == expected


@pytest.mark.parametrize("text, coop", [
    ("On a généré septante-cinq mille euros d'incentives éligibles, répartition 60 % remise / 40 % co-op. Ça fait "
     "combien en fonds coop ?", "30000.00"),
    ("we earned eighty thousand dollars of eligible incentives with a 60/40 split, how much co-op is that?", "32000.00"),
])
def test_an_amount_in_words_is_split(text, coop):
    reply = respond(text, today=date(2026, 12, 7))
    assert reply.data["intent"] == "split" and reply.data["coop"] == coop


def test_a_date_dictated_in_words_is_read():
    reply = respond("we ran a webinar on the twenty second of march twenty twenty seven when do we claim it",
                    today=date(2026, 12, 7))
    assert [t.claim_end for t in reply.timelines] == [date(2027, 8, 15)]
