"""Earning → usage → claiming: the seed's table exactly, then the pattern for 2000–2100.

Expected values come from the seed document's table (English source beside the French) and
from tests/core_strategies.oracle_cycle, a relativedelta restatement of the seed's words.
"""
from __future__ import annotations

import calendar as stdcal
from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta

from core import InvalidDate, OutOfRange, calendar
from core_strategies import ONE_DAY, oracle_cycle

CAL = calendar()

# The seed's table, as printed in the English source column:
# earning | fiscal half-year (seed) | usage | claiming
SEED_TABLE = [
    ((2020, 7, 1), (2020, 12, 31), "FY20 H1", (2021, 1, 1), (2021, 6, 30), (2021, 2, 16), (2021, 8, 15)),
    ((2021, 1, 1), (2021, 6, 30), "FY20 H2", (2021, 7, 1), (2021, 12, 31), (2021, 8, 16), (2022, 2, 15)),
    ((2021, 7, 1), (2021, 12, 31), "FY21 H1", (2022, 1, 1), (2022, 6, 30), (2022, 2, 16), (2022, 8, 15)),
    ((2022, 1, 1), (2022, 6, 30), "FY21 H2", (2022, 7, 1), (2022, 12, 31), (2022, 8, 16), (2023, 2, 15)),
]
# The same halves in Microsoft's fiscal calendar (the year the fiscal year ends).
MICROSOFT_LABELS = ["FY21 H1", "FY21 H2", "FY22 H1", "FY22 H2"]


@pytest.mark.parametrize("row", SEED_TABLE, ids=[r[2] for r in SEED_TABLE])
def test_seed_table_rows_exactly(row):
    e0, e1, label, u0, u1, c0, c1 = (x if isinstance(x, str) else date(*x) for x in row)
    # any day of the earning period gives the same row
    for day in (e0, e0 + timedelta(days=45), e1):
        cyc = CAL.cycle_for_date(day)
        assert (cyc.earning.start, cyc.earning.end) == (e0, e1)
        assert (cyc.usage.start, cyc.usage.end) == (u0, u1)
        assert (cyc.claiming.start, cyc.claiming.end) == (c0, c1)
        assert cyc.forfeiture == u1
        assert CAL.fy_label(cyc.earning, "seed") == label


@pytest.mark.parametrize("row,ms_label", zip(SEED_TABLE, MICROSOFT_LABELS), ids=MICROSOFT_LABELS)
def test_seed_rows_under_microsoft_convention(row, ms_label):
    half = CAL.half_containing(date(*row[0]))
    assert CAL.fy_label(half, "microsoft") == ms_label
    year, name = int(ms_label[2:4]) + 2000, ms_label[-2:]
    assert CAL.half_from_label(year, name, "microsoft") == half
    seed_year = int(row[2][2:4]) + 2000
    assert CAL.half_from_label(seed_year, name, "seed") == half


def test_default_convention_is_microsofts():
    assert CAL.policy.fy_default == "microsoft"  # SPEC rule 8: the page was corrected on 03/10/2021


def test_seed_halves_named_as_in_seed():
    # "H1 ... July 1 - December 31"; "H2 ... January 1 - June 30"
    assert CAL.half_containing(date(2021, 7, 1)).name == "H1"
    assert CAL.half_containing(date(2021, 12, 31)).name == "H1"
    assert CAL.half_containing(date(2021, 1, 1)).name == "H2"
    assert CAL.half_containing(date(2021, 6, 30)).name == "H2"


def _all_months():
    for year in range(2000, 2101):
        for month in range(1, 13):
            yield year, month


def test_every_month_2000_2100_matches_the_oracle():
    checked = 0
    for year, month in _all_months():
        last = stdcal.monthrange(year, month)[1]
        for day in (date(year, month, 1), date(year, month, last)):
            cyc, want = CAL.cycle_for_date(day), oracle_cycle(day)
            assert cyc.earning.name == want.half, day
            assert (cyc.earning.start, cyc.earning.end) == (want.earning_start, want.earning_end), day
            assert (cyc.usage.start, cyc.usage.end) == (want.usage_start, want.usage_end), day
            assert cyc.forfeiture == want.usage_end, day
            assert (cyc.claiming.start, cyc.claiming.end) == (want.claim_start, want.claim_end), day
            assert CAL.label_year(cyc.earning, "seed") == want.seed_fy
            assert CAL.label_year(cyc.earning, "microsoft") == want.microsoft_fy
            checked += 1
    assert checked == 101 * 12 * 2


def test_every_half_2000_2100_chains_and_windows_tile_time():
    first = CAL.half_containing(date(2000, 1, 1))
    cycles = list(CAL.cycles(first, 2 * 101 + 1))
    assert cycles[0].earning.start == date(2000, 1, 1)
    assert cycles[-2].earning.end == date(2100, 12, 31)  # the last one is only a successor
    for cyc, nxt in zip(cycles, cycles[1:]):
        for period in (cyc.earning, cyc.usage):
            assert period.months == 6
            assert period.start.day == 1
            assert period.start + relativedelta(months=6) - ONE_DAY == period.end
        assert {cyc.earning.name, nxt.earning.name} == {"H1", "H2"}
        # contiguous, non-overlapping earning periods; usage is the next half
        assert cyc.earning.end + ONE_DAY == nxt.earning.start
        assert cyc.usage == nxt.earning
        assert cyc.usage.start == cyc.earning.end + ONE_DAY
        # claiming windows: six months long, contiguous and non-overlapping
        assert cyc.claiming.start + relativedelta(months=6) - ONE_DAY == cyc.claiming.end
        assert 181 <= cyc.claiming.days <= 184
        assert cyc.claiming.end + ONE_DAY == nxt.claiming.start
        # claiming opens inside the usage period and closes after it
        assert cyc.usage.start < cyc.claiming.start <= cyc.usage.end < cyc.claiming.end
        # the earning half's two labels differ by exactly one year
        assert CAL.label_year(cyc.earning, "microsoft") == CAL.label_year(cyc.earning, "seed") + 1


@pytest.mark.parametrize("year", [2000, 2020, 2023, 2099, 2100])
def test_year_end_crosses_halves(year):
    dec31, jan1 = date(year, 12, 31), date(year + 1, 1, 1)
    a = CAL.cycle_for_date(dec31)
    assert a.earning.name == "H1" and a.earning.end == dec31
    assert CAL.fy_label(a.earning, "seed").endswith("H1")
    if year < 2100:
        b = CAL.cycle_for_date(jan1)
        assert b.earning.name == "H2" and b.earning.start == jan1
        assert a.earning.fiscal_year == b.earning.fiscal_year == year  # same fiscal year
        assert b.earning == a.usage


def test_june_30_to_july_1_starts_a_new_fiscal_year():
    a, b = CAL.cycle_for_date(date(2021, 6, 30)), CAL.cycle_for_date(date(2021, 7, 1))
    assert (a.earning.name, b.earning.name) == ("H2", "H1")
    assert CAL.fy_label(a.earning, "seed") == "FY20 H2"
    assert CAL.fy_label(b.earning, "seed") == "FY21 H1"
    assert CAL.fy_label(a.earning, "microsoft") == "FY21 H2"
    assert CAL.fy_label(b.earning, "microsoft") == "FY22 H1"


@pytest.mark.parametrize("leap", [date(2000, 2, 29), date(2024, 2, 29), date(2096, 2, 29)])
def test_leap_days_are_ordinary_h2_days(leap):
    cyc = CAL.cycle_for_date(leap)
    assert cyc.earning.name == "H2"
    assert cyc.earning.start == date(leap.year, 1, 1)
    assert cyc.claiming == CAL.cycle_for_date(date(leap.year, 3, 1)).claiming
    assert CAL.make_date(leap.year, 2, 29) == leap


def test_usage_or_claiming_over_a_leap_february():
    # earning Jul–Dec 2023 → usage Jan–Jun 2024 (Feb has 29 days): window Feb 16 – Aug 15 2024
    cyc = CAL.cycle_for_date(date(2023, 9, 1))
    assert cyc.usage.dates.days == 182
    assert (cyc.claiming.start, cyc.claiming.end) == (date(2024, 2, 16), date(2024, 8, 15))
    # earning Jan–Jun 2023 → claiming Aug 16 2023 – Feb 15 2024
    cyc = CAL.cycle_for_date(date(2023, 3, 1))
    assert (cyc.claiming.start, cyc.claiming.end) == (date(2023, 8, 16), date(2024, 2, 15))


@pytest.mark.parametrize("year", [2001, 2023, 2100])
def test_no_february_29_in_non_leap_years(year):
    with pytest.raises(InvalidDate) as err:
        CAL.make_date(year, 2, 29)
    assert "28 days" in str(err.value)
    assert str(year) in str(err.value)


def test_2000_is_leap_but_2100_is_not():
    assert CAL.make_date(2000, 2, 29) == date(2000, 2, 29)
    with pytest.raises(InvalidDate, match="28 days"):
        CAL.make_date(2100, 2, 29)


def test_range_edges_are_answered():
    first, last = CAL.cycle_for_date(date(2000, 1, 1)), CAL.cycle_for_date(date(2100, 12, 31))
    assert (first.earning.start, first.claiming.start, first.claiming.end) == (
        date(2000, 1, 1), date(2000, 8, 16), date(2001, 2, 15))
    # the last earning period's usage and claiming run into 2101–2102: computed, not refused
    assert (last.earning.start, last.usage.end, last.claiming.end) == (
        date(2100, 7, 1), date(2101, 6, 30), date(2101, 8, 15))
    assert CAL.make_date(2000, 1, 1) == date(2000, 1, 1)
    assert CAL.make_date(2100, 12, 31) == date(2100, 12, 31)


@pytest.mark.parametrize("year", [1850, 1999, 2101])
def test_years_outside_the_range_are_refused(year):
    with pytest.raises(OutOfRange) as err:
        CAL.make_date(year, 6, 1)
    msg = str(err.value)
    assert str(year) in msg and "2000" in msg and "2100" in msg


def test_month_13_and_day_0_are_invalid_dates():
    with pytest.raises(InvalidDate, match="12"):
        CAL.make_date(2021, 13, 1)
    with pytest.raises(InvalidDate, match="31 days"):
        CAL.make_date(2021, 1, 0)
    with pytest.raises(InvalidDate) as err:
        CAL.make_date(2021, 2, 30)
    assert "2021-02-30" in str(err.value) and "28 days" in str(err.value)


def test_the_cycle_before_and_after():
    here = CAL.half_containing(date(2021, 3, 10))  # Jan–Jun 2021, FY20 H2 (seed)
    before, after = CAL.next_half(here, -1), CAL.next_half(here, 1)
    assert (before.start, before.end) == (date(2020, 7, 1), date(2020, 12, 31))
    assert (after.start, after.end) == (date(2021, 7, 1), date(2021, 12, 31))
    assert CAL.cycle(before).claiming.end + ONE_DAY == CAL.cycle(here).claiming.start
    assert CAL.cycle(here).claiming.end + ONE_DAY == CAL.cycle(after).claiming.start


def test_four_digit_labels_outside_2000_2099():
    jan_2000 = CAL.half_containing(date(2000, 1, 1))
    assert CAL.fy_label(jan_2000, "seed") == "FY1999 H2"
    assert CAL.fy_label(jan_2000, "microsoft") == "FY00 H2"
    dec_2100 = CAL.half_containing(date(2100, 12, 1))
    assert CAL.fy_label(dec_2100, "seed") == "FY2100 H1"
    assert CAL.fy_label(dec_2100, "microsoft") == "FY2101 H1"


def test_unknown_convention_or_half_name_is_an_error():
    half = CAL.half_containing(date(2021, 1, 1))
    with pytest.raises(ValueError, match="seed or microsoft"):
        CAL.fy_label(half, "calendar")
    with pytest.raises(ValueError, match="H3"):
        CAL.half_from_label(2021, "H3", "seed")


@pytest.mark.parametrize("day", [date(1850, 1, 1), date(1999, 12, 31), date(2101, 1, 1)])
def test_cycle_for_date_refuses_days_outside_the_range(day):
    # "year 1850 gives a typed error ... never a wrong answer": the cycle of a day in 1850 is
    # not something the product answers for, whichever public entry point is used
    # (make_date and status already refuse it).
    with pytest.raises(OutOfRange, match=str(day.year)):
        CAL.cycle_for_date(day)
    with pytest.raises(OutOfRange, match=str(day.year)):
        CAL.cycle_claimable_on(day)


@pytest.mark.parametrize("label_year,name,convention,bad_year", [
    (1850, "H1", "seed", 1850),
    (2100, "H2", "seed", 2101),  # Jan–Jun 2101
    (2000, "H1", "microsoft", 1999),  # Jul–Dec 1999
])
def test_half_from_label_refuses_halves_outside_the_range(label_year, name, convention, bad_year):
    with pytest.raises(OutOfRange, match=str(bad_year)):
        CAL.half_from_label(label_year, name, convention)


def test_half_from_label_at_the_range_edges():
    assert CAL.half_from_label(1999, "H2", "seed").start == date(2000, 1, 1)
    assert CAL.half_from_label(2000, "H2", "microsoft").start == date(2000, 1, 1)
    assert CAL.half_from_label(2100, "H1", "seed").end == date(2100, 12, 31)
    assert CAL.half_from_label(2101, "H1", "microsoft").end == date(2100, 12, 31)
