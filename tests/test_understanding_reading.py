"""Reading the periods partners name, in English and French (understanding/reading.py, words from the language packs)."""
from __future__ import annotations

from datetime import date

import pytest

from core import InvalidDate, OutOfRange, UnreadablePeriod, calendar
from understanding.reading import find_periods, read_period

CAL = calendar()


def span(reading_or_interp):
    i = getattr(reading_or_interp, "primary", reading_or_interp)
    return i.start, i.end


def d(y, m, dd):
    return date(y, m, dd)


# --- each form, EN and FR ------------------------------------------------------------------

@pytest.mark.parametrize("text,start,end", [
    # single dates
    ("15 August 2024", d(2024, 8, 15), d(2024, 8, 15)),
    ("August 15, 2024", d(2024, 8, 15), d(2024, 8, 15)),
    ("15 août 2024", d(2024, 8, 15), d(2024, 8, 15)),
    ("1er juillet 2021", d(2021, 7, 1), d(2021, 7, 1)),
    ("2021-08-16", d(2021, 8, 16), d(2021, 8, 16)),
    ("2000-02-29", d(2000, 2, 29), d(2000, 2, 29)),
    ("31/12/2100", d(2100, 12, 31), d(2100, 12, 31)),  # unambiguous: 31 is no month
    # months
    ("August 2021", d(2021, 8, 1), d(2021, 8, 31)),
    ("Aug 2021", d(2021, 8, 1), d(2021, 8, 31)),
    ("août 2021", d(2021, 8, 1), d(2021, 8, 31)),
    ("aout 2021", d(2021, 8, 1), d(2021, 8, 31)),
    ("février 2024", d(2024, 2, 1), d(2024, 2, 29)),
    ("fevrier 2100", d(2100, 2, 1), d(2100, 2, 28)),
    ("2021-08", d(2021, 8, 1), d(2021, 8, 31)),
    # quarters
    ("Q3 2021", d(2021, 7, 1), d(2021, 9, 30)),
    ("T3 2021", d(2021, 7, 1), d(2021, 9, 30)),
    ("third quarter of 2021", d(2021, 7, 1), d(2021, 9, 30)),
    ("troisième trimestre 2021", d(2021, 7, 1), d(2021, 9, 30)),
    # month ranges
    ("May–Aug 2021", d(2021, 5, 1), d(2021, 8, 31)),
    ("May to August 2021", d(2021, 5, 1), d(2021, 8, 31)),
    ("de mai à août 2021", d(2021, 5, 1), d(2021, 8, 31)),
    ("de mai a aout 2021", d(2021, 5, 1), d(2021, 8, 31)),
    ("Nov - Feb 2022", d(2021, 11, 1), d(2022, 2, 28)),  # crosses a year: from November 2021
    ("July 2020 - June 2021", d(2020, 7, 1), d(2021, 6, 30)),
    # calendar halves
    ("second half of 2021", d(2021, 7, 1), d(2021, 12, 31)),
    ("first half of 2022", d(2022, 1, 1), d(2022, 6, 30)),
    ("2e semestre 2021", d(2021, 7, 1), d(2021, 12, 31)),
    ("le deuxième semestre de 2021", d(2021, 7, 1), d(2021, 12, 31)),
    ("premier semestre 2022", d(2022, 1, 1), d(2022, 6, 30)),
    # FY labels (default = Microsoft's fiscal calendar, SPEC rule 8: named after the year it ends)
    ("FY21 H1", d(2020, 7, 1), d(2020, 12, 31)),
    ("FY21 H2", d(2021, 1, 1), d(2021, 6, 30)),
    ("FY22 H1", d(2021, 7, 1), d(2021, 12, 31)),
    ("FY22 H2", d(2022, 1, 1), d(2022, 6, 30)),
    ("FY2022 H2", d(2022, 1, 1), d(2022, 6, 30)),
    ("H2 FY22", d(2022, 1, 1), d(2022, 6, 30)),
    ("S2 FY22", d(2022, 1, 1), d(2022, 6, 30)),
    # a year
    ("in 2021", d(2021, 1, 1), d(2021, 12, 31)),
])
def test_each_form_reads_to_its_months(text, start, end):
    r = read_period(text)
    assert span(r) == (start, end), text
    assert r.primary.halves[0].start <= start and end <= r.primary.halves[-1].end


def test_labels_read_as_microsoft_names_the_co_op_pages_rows():
    # SPEC rule 8's table: Microsoft's label (column 2) -> the earning period (column 1)
    for label, start in [("FY21 H1", d(2020, 7, 1)), ("FY21 H2", d(2021, 1, 1)),
                         ("FY22 H1", d(2021, 7, 1)), ("FY22 H2", d(2022, 1, 1))]:
        r = read_period(label)
        assert r.kind == "fy_half" and r.half_name == label[-2:]
        assert r.primary.halves == (CAL.half_containing(start),)
        assert r.primary.reading == "fy_microsoft"
        assert r.alternatives == ()  # never the 2020 labelling as a second reading: it is a year off


def test_the_2020_labelling_as_a_setting_keeps_microsofts_reading_beside_it():
    for label, start in [("FY20 H1", d(2020, 7, 1)), ("FY20 H2", d(2021, 1, 1)),
                         ("FY21 H1", d(2021, 7, 1)), ("FY21 H2", d(2022, 1, 1))]:
        r = read_period(label, convention="seed")
        assert r.primary.halves == (CAL.half_containing(start),) and r.primary.reading == "fy_seed"
    r = read_period("FY21 H2", convention="seed")
    assert [span(a) for a in r.alternatives] == [(d(2021, 1, 1), d(2021, 6, 30))]  # Microsoft's FY21 H2
    assert r.alternatives[0].reading == "fy_microsoft"


@pytest.mark.parametrize("text", ["FY22 H2", "FY 22 H2", "fy22h2", "FY'22 H2", "FY2022-H2", "H2 of FY22", "2H FY22", "FY22 2H"])
def test_two_and_four_digit_fy_labels_and_spellings(text):
    assert span(read_period(text)) == (d(2022, 1, 1), d(2022, 6, 30))


def test_half_with_a_calendar_year_names_the_other_reading():
    r = read_period("H1 2021")  # the H1 whose months lie in 2021, or Microsoft's FY21 H1: a year apart, asked
    assert r.half_name == "H1" and r.ambiguous
    assert [span(a) for a in r.candidates] == [(d(2021, 7, 1), d(2021, 12, 31)), (d(2020, 7, 1), d(2020, 12, 31))]
    r = read_period("H1 2021", convention="seed")  # the 2020 labelling: one reading, the others beside it
    assert span(r) == (d(2021, 7, 1), d(2021, 12, 31)) and (d(2020, 7, 1), d(2020, 12, 31)) in [span(a) for a in r.alternatives]
    # "H2 2021": the H2 whose months lie in 2021 is Microsoft's FY21 H2 too: one reading
    r = read_period("H2 2021")
    assert span(r) == (d(2021, 1, 1), d(2021, 6, 30)) and r.alternatives == ()


def test_fiscal_half_without_a_year_needs_today():
    r = read_period("H1")
    assert r.ambiguous and r.needs_today and r.candidates == ()
    r = read_period("H1", today=d(2021, 8, 16))
    # the H1 earnings whose window has not closed: Jul–Dec 2021; Jul–Dec 2020 closed yesterday
    assert span(r) == (d(2021, 7, 1), d(2021, 12, 31))
    assert [span(a) for a in r.alternatives] == [(d(2020, 7, 1), d(2020, 12, 31))]
    r = read_period("H1", today=d(2021, 8, 15))
    assert span(r) == (d(2020, 7, 1), d(2020, 12, 31)) and r.alternatives == ()


# --- ambiguity ---------------------------------------------------------------------------

def test_numeric_dates_by_locale():
    assert read_period("1/2/2024", locale="en-US").primary.day == d(2024, 1, 2)
    assert read_period("1/2/2024", locale="fr-FR").primary.day == d(2024, 2, 1)
    assert read_period("1/2/2024", locale="en_GB").primary.day == d(2024, 2, 1)
    r = read_period("1/2/2024")
    assert r.ambiguous and r.primary is None
    assert sorted(c.day for c in r.candidates) == [d(2024, 1, 2), d(2024, 2, 1)]


def test_numeric_date_across_halves_keeps_the_other_reading():
    # 1/7/2024: Jan 7 (H2) or Jul 1 (H1): the other reading leads to another earning period
    r = read_period("1/7/2024", locale="en-US")
    assert r.primary.day == d(2024, 1, 7)
    assert [a.day for a in r.alternatives] == [d(2024, 7, 1)]
    assert read_period("7/7/2024").primary.day == d(2024, 7, 7)  # same both ways: not ambiguous


@pytest.mark.parametrize("text", ["winter 2024", "hiver 2024"])
def test_winter_is_ambiguous_with_both_candidates(text):
    r = read_period(text)
    assert r.ambiguous
    assert [span(c) for c in r.candidates] == [(d(2023, 12, 1), d(2024, 2, 29)), (d(2024, 12, 1), d(2025, 2, 28))]


def test_summer_is_not_ambiguous():
    assert span(read_period("summer 2024")) == (d(2024, 6, 1), d(2024, 8, 31))
    assert span(read_period("l'été 2024")) == (d(2024, 6, 1), d(2024, 8, 31))


# --- finding periods in a sentence ----------------------------------------------------------

def test_text_with_no_period_gives_nothing():
    assert find_periods("When can I claim my co-op funds?") == []
    assert find_periods("") == []
    assert find_periods("Quand dois-je réclamer mes fonds ?") == []


def test_several_periods_in_a_sentence_in_order():
    found = find_periods("I earned in août 2021 and spent it in Q1 2022, is FY21 H2 right?")
    assert [r.kind for r in found] == ["month", "quarter", "fy_half"]
    assert [r.text for r in found] == ["août 2021", "Q1 2022", "FY21 H2"]


def test_relative_readings_need_today():
    assert read_period("last month").ambiguous
    assert span(read_period("last month", today=d(2021, 1, 15))) == (d(2020, 12, 1), d(2020, 12, 31))
    assert span(read_period("le mois dernier", today=d(2021, 3, 1))) == (d(2021, 2, 1), d(2021, 2, 28))


def test_read_period_with_leftover_words_is_unreadable():
    with pytest.raises(UnreadablePeriod) as err:
        read_period("FY21 H2 please, banana")
    assert "FY21 H2 please, banana" in str(err.value)
    with pytest.raises(UnreadablePeriod):
        read_period("no period here")
    with pytest.raises(UnreadablePeriod, match="several"):
        read_period("Q1 2021 and Q2 2021")


# --- invalid input is a typed error, never a wrong answer -----------------------------------

@pytest.mark.parametrize("text,error,words", [
    ("2021-02-30", InvalidDate, ["2021-02-30", "28 days"]),
    ("30/02/2021", InvalidDate, ["28 days"]),
    ("2100-02-29", InvalidDate, ["2100", "28 days"]),
    ("29 février 2100", InvalidDate, ["28 days"]),
    ("13/13/2020", InvalidDate, ["month"]),
    ("2021-13", InvalidDate, ["month 13"]),
    ("August 1850", OutOfRange, ["1850", "2000", "2100"]),
    ("1/1/2101", OutOfRange, ["2101"]),
    ("Q1 1999", OutOfRange, ["1999"]),
    ("FY1850 H1", OutOfRange, ["1850"]),
])
def test_invalid_periods_are_typed_errors_with_sentences(text, error, words):
    with pytest.raises(error) as err:
        find_periods(f"what about {text}?")
    msg = str(err.value)
    for word in words:
        assert word in msg, (word, msg)
    assert msg[0].isupper() or msg[0].isdigit()
    assert msg.rstrip().endswith(".")


@pytest.mark.parametrize("label,convention,words", [
    ("FY2100 H2", "seed", ["FY2100 H2", "January 2101", "2000", "2100"]),
    ("FY00 H1", "microsoft", ["FY2000 H1", "July 1999"]),
    ("FY2100 Q3", "seed", ["2101"]),
])
def test_fy_labels_naming_periods_outside_the_range_are_refused(label, convention, words):
    # FY2100 H2 (seed) is Jan–Jun 2101 and FY00 H1 (Microsoft) is Jul–Dec 1999: outside the
    # years the product answers for, like "January 2101" or "July 1999".
    with pytest.raises(OutOfRange) as err:
        read_period(label, convention=convention)
    for word in words:
        assert word in str(err.value), (word, str(err.value))


def test_fy_label_alternatives_outside_the_range_are_dropped_not_fatal():
    # FY00 H1 (seed) is Jul–Dec 2000; Microsoft's FY00 H1 would be Jul–Dec 1999, outside the range
    r = read_period("FY00 H1", convention="seed")
    assert span(r) == (d(2000, 7, 1), d(2000, 12, 31))
    assert r.alternatives == ()
    r = read_period("FY2100 H2", convention="microsoft")
    assert span(r) == (d(2100, 1, 1), d(2100, 6, 30))
    assert r.alternatives == ()
    r = read_period("FY00 Q1", convention="seed")
    assert span(r) == (d(2000, 7, 1), d(2000, 9, 30)) and r.alternatives == ()
    r = read_period("FY2000", convention="seed")
    assert span(r) == (d(2000, 7, 1), d(2001, 6, 30)) and r.alternatives == ()
    r = read_period("Q3 2100")  # calendar Q3; FY2100 Q3 (seed) would be Jan–Mar 2101
    assert span(r) == (d(2100, 7, 1), d(2100, 9, 30))
    assert all(a.end.year <= 2100 for a in r.alternatives)


@pytest.mark.parametrize("label,convention,start", [
    ("FY1999 H2", "seed", d(2000, 1, 1)),  # the seed-convention label of Jan–Jun 2000
    ("FY2101 H1", "microsoft", d(2100, 7, 1)),  # the Microsoft label of Jul–Dec 2100
])
def test_labels_of_halves_at_the_range_edges_are_read(label, convention, start):
    half = CAL.half_containing(start)
    assert CAL.fy_label(half, convention) == label  # what an answer would write
    assert read_period(label, convention=convention).primary.halves == (half,)


@pytest.mark.parametrize("text,start,end", [
    ("funds earned in 2025-04", "2025-04-01", "2025-04-30"),
    ("claim deadline for 2022 H2", "2022-01-01", "2022-06-30"),
    ("what about in 2023 Q3?", "2023-07-01", "2023-09-30"),
])
def test_a_preposition_before_a_year_month_half_or_quarter_does_not_make_it_a_whole_year(text, start, end):
    found = find_periods(text, locale="en-US")
    assert len(found) == 1 and found[0].kind != "year"
    assert (found[0].primary.start.isoformat(), found[0].primary.end.isoformat()) == (start, end)


@pytest.mark.parametrize("text,start,end", [
    ("co-op earned in Q2 and Q3 2024", "2024-04-01", "2024-09-30"),
    ("T1-T2 2023", "2023-01-01", "2023-06-30"),
    ("Q3 and Q1 2024", "2024-01-01", "2024-09-30"),  # listed out of order: still the span
])
def test_a_list_of_quarters_reads_as_the_months_from_the_first_to_the_last(text, start, end):
    (found,) = find_periods(text)
    assert (found.primary.start.isoformat(), found.primary.end.isoformat()) == (start, end)
    assert found.primary.reading == "calendar_quarter" and found.alternatives  # fiscal readings named


@pytest.mark.parametrize("text, start, end", [
    ("from 10 to 20 May 2026", "2026-05-01", "2026-05-31"),
    ("May 10-20, 2026", "2026-05-01", "2026-05-31"),
    ("25 June - 5 July 2026", "2026-06-01", "2026-07-31"),  # across two usage periods
    ("from 28 December to 3 January 2027", "2026-12-01", "2027-01-31"),
    ("du 10 au 20 mai 2026", "2026-05-01", "2026-05-31"),
    ("du 25 juin au 5 juillet 2026", "2026-06-01", "2026-07-31"),
])
def test_a_run_of_days_is_read_as_the_months_it_covers(text, start, end):
    # not as its last day: a run across 30 June is paid from two earning periods
    (found,) = find_periods(text)
    assert (found.primary.start.isoformat(), found.primary.end.isoformat()) == (start, end)


@pytest.mark.parametrize("text", ["from 20 to 10 May 2026", "from 10 to 31 June 2026"])
def test_a_run_of_days_that_cannot_be_is_said_so(text):
    with pytest.raises(InvalidDate):
        find_periods(text)


@pytest.mark.parametrize("text", [
    "FY25 Q3", "Q3 FY25", "3Q FY25", "FY25 3Q", "FY25 T3", "T3 FY25", "le 3e trimestre FY25", "troisième trimestre de l'exercice 2025",
    "the third quarter of FY25", "3rd quarter of fiscal year 2025",
])
def test_a_fiscal_quarter_is_named_as_the_packs_name_quarters(text):
    (found,) = find_periods(text)
    assert found.kind == "fy_quarter", (text, found.kind)
    # FY25 Q3 is January - March 2025 in Microsoft's calendar (the 2020 table's would be 2026: never read)
    readings = {(i.start.isoformat(), i.end.isoformat()) for i in (found.primary, *found.alternatives)}
    assert readings == {("2025-01-01", "2025-03-31")}


@pytest.mark.parametrize("text,start,end", [
    ("early 2024", "2024-01-01", "2024-03-31"),
    ("late 2023", "2023-10-01", "2023-12-31"),
    ("the end of 2022", "2022-10-01", "2022-12-31"),
    ("mid-2023", "2023-05-01", "2023-08-31"),
    ("fin 2023", "2023-10-01", "2023-12-31"),
    ("au début de 2023", "2023-01-01", "2023-03-31"),
])
def test_approximate_parts_of_a_year_are_read_and_marked_approximate(text, start, end):
    (found,) = find_periods(text)
    assert found.primary.reading == "approximate"
    assert (found.primary.start.isoformat(), found.primary.end.isoformat()) == (start, end)


def test_a_month_without_a_year_takes_the_year_of_the_period_beside_it():
    today = date(2026, 11, 27)
    late, november = find_periods("co-op earned in late 2023, say November - use by?", today=today)
    assert november.primary.start == date(2023, 11, 1) and not november.needs_today
    # alone, it is the most recent one, and says so
    (alone,) = find_periods("funds earned in November", today=today)
    assert alone.primary.reading == "most_recent" and alone.primary.start == date(2026, 11, 1)


@pytest.mark.parametrize("text", ["may I claim now?", "I may have missed it", "march on"])
def test_may_and_march_as_words_are_not_months(text):
    assert find_periods(text, today=date(2026, 11, 27)) == []


def test_the_reading_names_the_period_words_not_the_preposition_before_them():
    (year,) = find_periods("when do I claim funds from 2019?")
    assert year.text == "2019" and year.kind == "year"
    (month,) = find_periods("funds earned in August", today=date(2026, 11, 27))
    assert month.text == "August"
    assert read_period("in 2021").text == "2021"  # the preposition is still allowed around it
    (rng,) = find_periods("fonds de mai 2021 à août 2022 ?")
    assert rng.text == "mai 2021 à août 2022"


@pytest.mark.parametrize("text, start, end", [
    # ISO weeks, Monday to Sunday, read as the months their days lie in
    ("wk 31 2027", "2027-08-01", "2027-08-31"),
    ("semaine 12 de 2027", "2027-03-01", "2027-03-31"),
    ("2027-W26", "2027-06-01", "2027-07-31"),  # 28 June - 4 July 2027: two usage periods
    # an ISO date-time, dots and dashes day first wherever written, two-digit years
    ("2027-03-15T09:00:00Z", "2027-03-15", "2027-03-15"),
    ("05.11.2026", "2026-11-05", "2026-11-05"),
    ("12-03-26", "2026-03-12", "2026-03-12"),
    ("the 1st of Feb '27", "2027-02-01", "2027-02-01"),
    ("Mar 12th '26", "2026-03-12", "2026-03-12"),
    ("9 Dec 26 lunch&learn", "2026-12-09", "2026-12-09"),
    ("14 nov this yr", "2026-11-14", "2026-11-14"),
    # halves named in words: a fiscal one with its FY, a calendar one with its year
    ("premier semestre de l'exercice financier 2027", "2026-07-01", "2026-12-31"),
    ("FY26, second semestre", "2026-01-01", "2026-06-30"),
    ("second half of fiscal 2026", "2026-01-01", "2026-06-30"),
    ("H2 CY2026", "2026-07-01", "2026-12-31"),
    ("S1 2027", "2027-01-01", "2027-06-30"),
])
def test_the_forms_partners_type_read_to_their_days(text, start, end):
    (r,) = find_periods(text, today=date(2026, 12, 7))
    assert (r.primary.start.isoformat(), r.primary.end.isoformat()) == (start, end), text
    if r.kind in ("calendar_half", "half_year", "fy_half", "week"):
        assert r.alternatives == ()  # "S1 2027" is January - June 2027, nothing else (issue #17)


def test_a_week_without_a_year_is_the_most_recent_one_and_a_week_that_does_not_exist_is_refused():
    (r,) = find_periods("KW 31", today=date(2026, 12, 7))
    assert (r.primary.start, r.primary.end) == (date(2026, 7, 1), date(2026, 8, 31))  # 27 July - 2 August 2026
    with pytest.raises(InvalidDate):
        find_periods("wk 54 2027")


def test_a_slash_date_is_ordered_by_the_locale_else_asked_and_a_dotted_one_never_is():
    assert find_periods("05/11/2026", locale="en-US")[0].primary.day == date(2026, 5, 11)
    assert find_periods("05/11/2026", locale="en-GB")[0].primary.day == date(2026, 11, 5)
    assert find_periods("05/11/2026")[0].ambiguous
    assert find_periods("05.11.2026", locale="en-US")[0].primary.day == date(2026, 11, 5)


def test_product_versions_and_phone_numbers_are_no_periods():
    for text in ("Windows 11 24H2 upgrade", "SQL Server 2022 and Office 2019", "call +44 7700 900123", "v3.2.10"):
        assert find_periods(text, today=date(2026, 12, 7)) == [], text


# --- issue #17, third round: shapes of real writing that are no dates, or are one date -----------

@pytest.mark.parametrize("text", ["Dossier réf. interne 2025-12-31-A", "ticket CLM-2026-04-15 opened", "ref 2026-11-30-B2"])
def test_an_iso_date_inside_a_reference_code_is_no_date(text):
    assert find_periods(text, today=date(2026, 12, 7)) == []


def test_the_next_day_of_a_list_is_not_a_two_digit_year():
    found = find_periods("roadshow stops: 9 Mar, 16 Mar, 23 Mar 2027", today=date(2026, 12, 7))
    assert all(r.primary is None or r.primary.start.year == 2027 for r in found), found


def test_a_two_digit_year_after_an_abbreviated_month_stays_with_its_date():
    from understanding.engine import understand

    u = understand("Roundtable on the 3rd of Feb. '27, when does its claim window open?", today=date(2026, 12, 7))
    assert [r.primary.day for r in u.slots.periods] == [date(2027, 2, 3)]


def test_a_two_digit_year_before_a_bracket_or_dash_is_the_year():
    for text in ["salon le 1er juil. 26 (le jour de la bascule)", "booth 1 Jul 26 — which cycle?"]:
        [r] = find_periods(text, today=date(2026, 12, 7))
        assert r.primary.day == date(2026, 7, 1), text
