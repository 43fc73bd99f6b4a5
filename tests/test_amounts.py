"""Amounts in every format partners type, numbers that are not amounts, and splits from either
side and worked backwards (issue #17, item 3). The forms are the list ``eval.amount_forms``
measures the readers on."""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from babel.numbers import format_currency, format_decimal
from hypothesis import given, settings, strategies as st

from core.reading import fold
from eval.amount_forms import AMOUNTS, NOT_AMOUNTS, read_slots
from understanding import respond
from understanding.slots import extract, parse_number

T = date(2026, 12, 7)
NNBSP, NBSP = "\u202f", "\u00a0"


def slots(text: str, lang: str = "en", locale: str | None = None):
    return extract(text, fold(text), lang=lang, locale=locale, today=T, convention=None)


# --- forms -> values -------------------------------------------------------------------------


@pytest.mark.parametrize("text, lang, locale, value, currency, form", AMOUNTS,
                         ids=[f"{n}:{row[5]}" for n, row in enumerate(AMOUNTS)])
def test_an_amount_is_read_with_its_currency(text, lang, locale, value, currency, form):
    assert read_slots(text, lang, locale) == (value, currency)


@pytest.mark.parametrize("text, lang, locale, what", NOT_AMOUNTS, ids=[row[3] for row in NOT_AMOUNTS])
def test_numbers_that_are_not_amounts(text, lang, locale, what):
    assert read_slots(text, lang, locale) == (None, None), what


def test_the_amount_text_and_span_are_the_whole_amount():
    s = slots("On a 12 500 $ CA de co-op.", "fr", "fr-CA")
    assert s.amount_text == "12 500 $ CA" and s.amount_span == (5, 16)
    s = slots("We had $12.5k co-op earned.")
    assert s.amount_text == "$12.5k"


def test_negative_amounts_are_refused():
    assert slots("co-op of -3000 at 60/40").amount_error is not None
    assert slots("moins 3 000 € de co-op", "fr", "fr-FR").amount_error is not None


def test_parse_number_reads_either_locales_separators():
    assert parse_number("5,000", "en") == Decimal("5000")
    assert parse_number("5 000,50", "fr") == Decimal("5000.50")
    assert parse_number("8'000.-", "en") == Decimal("8000")
    assert parse_number("1.250.000,5", "fr") == Decimal("1250000.5")
    assert parse_number("1,2345", "fr") == Decimal("1.2345")


MONEY = st.decimals(min_value=0, max_value=10 ** 10, places=2, allow_nan=False, allow_infinity=False)
LOCALES = {"en-US": "en", "fr-FR": "fr", "fr-CH": "fr", "de-CH": "en"}
FRAMES = {"en": "We earned {} in incentives last half.", "fr": "On a gagné {} d'incentives au dernier semestre."}


@settings(max_examples=300, deadline=None)
@given(value=MONEY, locale=st.sampled_from(sorted(LOCALES)), currency=st.sampled_from([None, "EUR", "CHF", "USD", "GBP", "CAD"]))
def test_any_amount_babel_writes_reads_back_to_itself(value, locale, currency):
    """Whatever Babel writes for a locale (its grouping and decimal signs, NBSP and narrow NBSP,
    the Swiss apostrophe, the currency before or after) reads back to the same amount."""
    tag = locale.replace("-", "_")
    written = format_currency(value, currency, locale=tag) if currency else format_decimal(value, locale=tag)
    lang = LOCALES[locale]
    s = slots(FRAMES[lang].format(written), lang, locale)
    assert (s.amount, s.currency) == (value, currency), written


@settings(max_examples=100, deadline=None)
@given(n=st.integers(0, 100), space=st.sampled_from(["", " ", NBSP, NNBSP]))
def test_a_percentage_is_never_an_amount(n, space):
    assert slots(f"we get {n}{space}% of it").amount is None


@settings(max_examples=100, deadline=None)
@given(year=st.integers(1990, 2100))
def test_a_bare_year_is_never_an_amount(year):
    assert slots(f"what about {year}?").amount is None
    assert slots(f"SQL Server {year} event").amount is None


# --- which part an amount is ------------------------------------------------------------------


@pytest.mark.parametrize("text, lang, role", [
    ("we got 4 000 co-op at 40 %", "en", "coop"),
    ("we got $4,000 of co-op", "en", "coop"),
    ("our co-op came to 4,000", "en", "coop"),
    ("the rebate was $6,000 at 60%", "en", "rebate"),
    ("we were paid $6,000 of rebate", "en", "rebate"),
    ("on a eu 4 000 de co-op à 40 %", "fr", "coop"),
    ("la remise s'élève à 6 000 €", "fr", "rebate"),
    ("40% co-op of 25000", "en", "total"),
    ("how much co-op is 5000 at 60/40", "en", "total"),
    ("how much co-op on $250,000 of CSP revenue?", "en", "total"),
    ("we earned $10,000 in co-op eligible revenue", "en", "total"),
    ("12 000 € avec 70 % de remise", "fr", "total"),
    ("combien de co-op sur 10 000 € ?", "fr", "total"),
    ("co-op share of 8000 with 60% rebate - 40% co-op?", "en", "total"),
    ("work out the co-op part: 25,500 USD, split 80/20", "en", "total"),
    ("calcule la part co-op : 25 500 €, répartition 80/20", "fr", "total"),
    ("what's the co-op of 8000 at 60/40?", "en", "total"),
])
def test_an_amount_named_as_one_part(text, lang, role):
    assert slots(text, lang).amount_role == role


# --- splits, every direction, in both languages -------------------------------------------------


def ask(text, lang=None, locale=None, context=None):
    return respond(text, lang=lang, locale=locale, today=T, context=context)


GUIDE = "incentives-determined-your-program-eligibility"


@pytest.mark.parametrize("text, locale, coop, rebate, total, shown", [
    # only the co-op share named
    ("40% co-op of 25000", "en-US", "10000.00", "15000.00", "25000", ["10,000", "15,000", "25,000"]),
    ("40 % de co-op sur 25 000 €", "fr-FR", "10000.00", "15000.00", "25000", [f"10{NNBSP}000,00{NBSP}€", f"15{NNBSP}000,00{NBSP}€"]),
    # only the rebate share named
    ("rebate is 70%, we earned 10 000 total, how much co-op?", "en-US", "3000.00", "7000.00", "10000", ["3,000", "7,000"]),
    ("la remise est de 70 %, on a gagné 10 000 € au total, combien de co-op ?", "fr-FR", "3000.00", "7000.00", "10000",
     [f"3{NNBSP}000,00{NBSP}€", f"7{NNBSP}000,00{NBSP}€"]),
    # worked back from the co-op amount
    ("we got 4 000 co-op at 40 %, what were total earnings?", "en-US", "4000.00", "6000.00", "10000.00", ["10,000", "6,000", "4,000"]),
    ("on a eu 4 000 de co-op à 40 %, c'était combien au total ?", "fr-FR", "4000.00", "6000.00", "10000.00",
     [f"10{NNBSP}000", f"6{NNBSP}000"]),
    # ... from the rebate amount
    ("we were paid $6,000 of rebate at 60%, how much co-op did we earn?", "en-US", "4000.00", "6000.00", "10000.00",
     ["$10,000.00", "$4,000.00"]),
    ("on a touché 6 000 € de remise à 60 %, combien de co-op ?", "fr-FR", "4000.00", "6000.00", "10000.00",
     [f"10{NNBSP}000,00{NBSP}€", f"4{NNBSP}000,00{NBSP}€"]),
    # the Québec dollar, backwards
    ("on a eu 8 000 $ de co-op à 40 %, c'était combien au total ?", "fr-CA", "8000.00", "12000.00", "20000.00",
     [f"20{NNBSP}000,00{NBSP}$"]),
])
def test_split_every_direction(text, locale, coop, rebate, total, shown):
    r = ask(text, locale=locale)
    assert r.intent == "split", r.text
    assert (r.data["coop"], r.data["rebate"]) == (coop, rebate) and Decimal(r.data["amount"]) == Decimal(total)
    for s in shown:
        assert s in r.text, (s, r.text)
    assert GUIDE in r.text  # each program's split is in its program guide


@settings(max_examples=300, deadline=None)
@given(part=st.decimals(min_value=Decimal("0.01"), max_value=10 ** 9, places=2), coop=st.integers(1, 99),
       side=st.sampled_from(["coop", "rebate"]))
def test_the_total_worked_back_splits_into_the_same_part(part, coop, side):
    """To the cent: whichever part and share, the total worked back from it, split again by
    core.split, gives back that part, and the two parts add up to the total."""
    from core import split
    from understanding.answers import _total_from_part

    rebate = 100 - coop
    total = _total_from_part(part, Decimal(coop if side == "coop" else rebate))
    s = split(total, rebate, coop)
    assert (s.coop if side == "coop" else s.rebate) == part and s.coop + s.rebate == total


def test_a_backwards_answer_names_which_part_it_started_from():
    r = ask("we got 4 000 co-op at 40 %, what were total earnings?")
    assert r.data["given"] == "coop" and r.text.startswith("With a 60% rebate / 40% co-op split, 4,000 of co-op")
    r = ask("on a touché 6 000 € de remise à 60 %, combien de co-op ?")
    assert r.data["given"] == "rebate" and "6\u202f000,00\u00a0€ de remise" in r.text


def test_a_part_with_a_zero_share_cannot_be_worked_back():
    r = ask("we got 4 000 of co-op and the rebate is 100%, what was the total?")
    assert r.intent == "split" and "amount" not in r.data and GUIDE in r.text


def test_a_part_without_its_split_asks_and_the_answer_works_back():
    first = ask("we got $4,000 of co-op, what were our total earnings?")
    assert first.intent == "split" and first.context["pending"] == "split" and first.context["amount_role"] == "coop"
    second = ask("40% co-op", context=first.context)
    assert second.data["amount"] == "10000.00" and second.data["coop"] == "4000.00", second.text


def test_a_followup_amount_after_a_backwards_answer_is_a_total():
    first = ask("we got 4 000 co-op at 40 %, what were total earnings?")
    second = ask("and on 30,000?", context=first.context)
    assert second.data["coop"] == "12000.00" and second.data["given"] == "total"


# --- one program's split: the page does not give it -----------------------------------------------


@pytest.mark.parametrize("text, name", [
    ("what's the split for CSP?", "Cloud Solution Provider"),
    ("what is the rebate/co-op split of the Surface program?", "Surface"),
    ("quelle est la répartition pour le programme Surface ?", "Surface"),
    ("quelle est la répartition remise / co-op pour l'hébergement ?", "Hosting"),
])
def test_a_programs_split_is_never_invented(text, name):
    r = ask(text)
    assert r.intent == "split" and name in r.text and GUIDE in r.text
    assert not re.search(r"\d\s?%|\d+/\d+", r.text), r.text


def test_a_programs_split_with_an_amount_asks_for_the_guides_split():
    r = ask("How much co-op will we get on $250,000 of CSP revenue?")
    assert r.intent == "split" and "$250,000.00" in r.text and "Cloud Solution Provider" in r.text and GUIDE in r.text
    assert not re.search(r"\d\s?%|\d+/\d+", r.text), r.text


@pytest.mark.parametrize("text, coop", [
    ("la remise c'est 70 %, on a gagné 10 000 en tout, combien de co-op", "3000.00"),
    ("slt si j'ai 12,5 k$ de gains incitatifs et que le co-op c 30% ca donne combien", "3750.00"),
])
def test_a_split_said_with_cest_and_asked_how_much(text, coop):
    from datetime import date

    from understanding import respond

    reply = respond(text, today=date(2026, 12, 7))
    assert reply.data["intent"] == "split" and reply.data["coop"] == coop
