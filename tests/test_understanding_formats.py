"""Sixth round of issue #17/#21: dates and amounts in more of the ways partners write them.

Days as ordinal words beside a month ("the third of March", "le premier mars", "am dritten
März"), German number words glued into one ("zweitausendsiebenundzwanzig"), a day of a relative
month ("le 12 mars prochain", "next March 12th"), Indian digit grouping and lakh/crore, thousands
written in the currency ("45 TEUR"), CFA francs. Expected values are computed here."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings, strategies as st

from understanding import engine, respond
from understanding.numbers import words_to_digits
from understanding.slots import parse_number

DEC7 = date(2026, 12, 7)

EN_ORD = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth", "eleventh",
          "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth", "eighteenth", "nineteenth",
          "twentieth"] + [f"twenty-{w}" for w in ["first", "second", "third", "fourth", "fifth", "sixth", "seventh",
                                                   "eighth", "ninth"]] + ["thirtieth", "thirty-first"]
DE_ORD = ["ersten", "zweiten", "dritten", "vierten", "fünften", "sechsten", "siebten", "achten", "neunten", "zehnten",
          "elften", "zwölften", "dreizehnten", "vierzehnten", "fünfzehnten", "sechzehnten", "siebzehnten", "achtzehnten",
          "neunzehnten", "zwanzigsten", "einundzwanzigsten", "zweiundzwanzigsten", "dreiundzwanzigsten",
          "vierundzwanzigsten", "fünfundzwanzigsten", "sechsundzwanzigsten", "siebenundzwanzigsten",
          "achtundzwanzigsten", "neunundzwanzigsten", "dreißigsten", "einunddreißigsten"]


def _days(text: str, lang: str) -> list[date]:
    p = engine.prepare(text, lang=lang, today=DEC7)
    return [r.primary.day for r in p.slots.periods if r.primary is not None and r.primary.day is not None]


@pytest.mark.parametrize("n", range(1, 32))
def test_an_ordinal_word_beside_a_month_is_that_day(n):
    assert _days(f"our webinar was on the {EN_ORD[n - 1]} of January 2027", "en") == [date(2027, 1, n)]
    assert _days(f"webinar January {EN_ORD[n - 1]} 2027", "en") == [date(2027, 1, n)]
    assert _days(f"Unser Webinar war am {DE_ORD[n - 1]} Januar 2027", "de") == [date(2027, 1, n)]


def test_french_first_and_spoken_years():
    assert _days("notre atelier du premier mars deux mille vingt-sept", "fr") == [date(2027, 3, 1)]
    assert _days("wir hatten am zwölften märz zweitausendsiebenundzwanzig eine Messe", "de") == [date(2027, 3, 12)]
    # ordinals that are not days stay words
    assert words_to_digits("a second opinion in March", "en") == "a second opinion in March"
    assert words_to_digits("Zweitausend Gäste in der Zweigstelle", "de") == "2000 Gäste in der Zweigstelle"


def test_a_day_taken_back_in_words_is_replaced():
    reply = respond("hallo wir hatten am zwölften märz zweitausendsiebenundzwanzig eine messe äh nein am dreizehnten "
                    "märz bis wann können wir das einreichen", locale="de-DE", today=DEC7)
    assert reply.data.get("keep_until") == ["2029-03-13"], reply.text  # 13 March 2027 + 24 months


@pytest.mark.parametrize("text,want", [
    ("le 12 mars prochain", date(2027, 3, 12)), ("next March 12th", date(2027, 3, 12)),
    ("le 3 octobre dernier", date(2026, 10, 3)), ("last October 3rd", date(2026, 10, 3)),
    ("am 3. März nächsten Jahres", date(2027, 3, 3)),
])
def test_a_day_of_a_relative_month(text, want):
    from understanding.reading import find_periods

    assert [r.primary.day for r in find_periods(text, today=DEC7)] == [want]


# --- amounts ----------------------------------------------------------------------------------

@settings(max_examples=200)
@given(st.integers(min_value=100_000, max_value=99_99_99_999))
def test_indian_grouping_reads_as_the_number(n):
    digits = str(n)
    head, tail = digits[:-3], digits[-3:]
    groups = []
    while len(head) > 2:
        groups.insert(0, head[-2:])
        head = head[:-2]
    written = ",".join([head] + groups + [tail])  # 12,50,000
    p = engine.prepare(f"we earned INR {written} of incentives, 40% co-op: how much?", lang="en", today=DEC7)
    assert p.slots.amount == Decimal(n) and p.slots.currency == "INR"
    assert parse_number(written) == Decimal(n)


@pytest.mark.parametrize("text,lang,amount,currency", [
    ("earned Rs 3.5 lakh, co-op share 40%?", "en", Decimal(350000), "INR"),
    ("earned 1.2 crore rupees, 30% co-op?", "en", Decimal(12000000), "INR"),
    ("Wir haben 45 TEUR verdient, 40 % Co-op?", "de", Decimal(45000), None),
    ("on a gagné 2 500 000 FCFA, 40 % co-op ?", "fr", Decimal(2500000), "XOF"),
    ("KRW 45,000,000 earned, 40% coop", "en", Decimal(45000000), "KRW"),
])
def test_amounts_written_the_way_partners_write_them(text, lang, amount, currency):
    s = engine.prepare(text, lang=lang, today=DEC7).slots
    assert (s.amount, s.currency) == (amount, currency)


# --- calendar files and text copied from a PDF ------------------------------------------------

def test_a_pasted_calendar_entry_is_read_by_its_start_not_its_stamps():
    text = ("Pasting the invite, can you tell me the claim deadline?\nBEGIN:VEVENT\nDTSTAMP:20261201T101500Z\n"
            "DTSTART;TZID=Europe/Paris:20270312T090000\nDTEND;TZID=Europe/Paris:20270312T120000\n"
            "SUMMARY:Copilot partner breakfast\nCREATED:20261130T080000Z\nEND:VEVENT")
    reply = respond(text, locale="en-GB", today=DEC7)
    stated = {d for r in [reply, *reply.parts] for d in r.data.get("deadlines", []) + (r.data.get("keep_until") or [])}
    assert {"2027-08-15", "2029-03-12"} <= stated, reply.text  # 12 March 2027: usage Jan – Jun 2027
    assert not {"2028-12-01", "2028-11-30"} & stated, reply.text  # the stamps are no activity


def test_a_word_a_line_broke_is_one_word_again():
    reply = respond("Extract from the PDF:\nOur partner sum-\nmit took place on Novem-\nber 12, 2026 in Leeds. "
                    "Claim deadline?", locale="en-US", today=DEC7)
    assert reply.data.get("keep_until") == ["2028-11-12"] and "2027-02-15" in reply.data["deadlines"], reply.text
    # a list's dash at a line start is no broken word
    assert respond("- webinar\n- workshop 3 March 2027, deadline?", locale="en-US", today=DEC7).data["deadlines"] \
        == ["2027-06-30", "2027-08-15"]


@pytest.mark.parametrize("text,lang,want", [
    ("We make one event of Azure the day 27 of january (2027), date limit for the claim?", "en", date(2027, 1, 27)),
    ("slt jsp si c trop tard pr le webi du 3/10 (2026) on peut encore reclamer?", "fr", date(2026, 10, 3)),
    ("Messe am 12.03. (2027), bis wann einreichen?", "de", date(2027, 3, 12)),
])
def test_a_year_in_brackets_after_a_date_is_its_year(text, lang, want):
    u = engine.understand(text, lang=lang, today=DEC7)
    days = [r.primary.day for q in [u, *u.questions] for r in q.slots.periods if r.primary is not None]
    assert want in days, days
    assert engine._bracketed_year("Office (2019) version") == "Office (2019) version"  # no date before it


def test_a_rebate_paid_out_names_the_rebate_part_in_german():
    # 9 000 € of rebate at 60/40: 15 000 € of earnings, 6 000 € of co-op
    from understanding import respond

    reply = respond("Rebate ausgezahlt wurden 9.000,00 €, Split ist 60/40. Wie viel Co-op sollte dann bei uns "
                    "angesammelt sein?", locale="de-DE", today=DEC7)
    assert "6.000,00" in reply.text and "15.000,00" in reply.text, reply.text


@pytest.mark.parametrize("text,want", [
    ("our event of Microsoft Fabric was in 28 of april of 2026", date(2026, 4, 28)),
    ("the event that we realized the day 5 of November of 2026", date(2026, 11, 5)),
    ("notre salon du 5 novembre de 2026", date(2026, 11, 5)),
])
def test_a_year_linked_to_the_month_by_of_keeps_the_day(text, want):
    from understanding.reading import find_periods

    assert [r.primary.day for r in find_periods(text, today=DEC7)] == [want]
