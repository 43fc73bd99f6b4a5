"""The activity side of the cycle (core/activity.py): examples from SPEC rule 7 "Activities and
claims" and issue 9, then properties over 2000–2100 against an independent oracle.

The oracle works on real dates with ``dateutil.relativedelta``: an activity's usage period is
the fiscal half containing its day, and its earnings are the half six months before, so the
oracle cycle of an activity on D is ``oracle_cycle(D - 6 months)`` (the earning-side oracle of
tests/core_strategies.py), never core's month indices.
"""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st

import core
from core import (ActivityFacts, DateRange, FundingVerdict, OutOfRange, activity_facts, calendar, cycle_claimable_on,
                  cycle_for_activity, cycles_for_activity_span, funding_verdict, funding_verdicts_for_span, keep_until,
                  split_activity_span)
from core_strategies import FIRST_DAY, LAST_DAY, ONE_DAY, any_day, oracle_claimable, oracle_cycle

CAL = calendar()


def oracle_activity(day: date):
    """The oracle cycle that pays for an activity on ``day``: earned six months before."""
    return oracle_cycle(day - relativedelta(months=6))


def oracle_usage(day: date) -> tuple[date, date]:
    """The fiscal half containing ``day``, by the seed's words (H2 = Jan–Jun, H1 = Jul–Dec)."""
    if day.month <= 6:
        return date(day.year, 1, 1), date(day.year, 6, 30)
    return date(day.year, 7, 1), date(day.year, 12, 31)


def _window(cycle):
    return cycle.claiming.start, cycle.claiming.end


# --- examples -------------------------------------------------------------------------------

def test_the_webinar_of_12_march_2024_is_claimed_in_2024_not_2025():
    c = cycle_for_activity(date(2024, 3, 12))
    assert (c.usage.start, c.usage.end) == (date(2024, 1, 1), date(2024, 6, 30))
    assert (c.earning.start, c.earning.end, c.earning.name) == (date(2023, 7, 1), date(2023, 12, 31), "H1")
    assert _window(c) == (date(2024, 2, 16), date(2024, 8, 15))
    # the earning-date reading is the half-year-late one the issue reports
    assert _window(CAL.cycle_for_date(date(2024, 3, 12))) == (date(2024, 8, 16), date(2025, 2, 15))


def test_an_activity_executed_in_november_2026_is_claimed_by_15_february_2027():
    for day in (date(2026, 11, 1), date(2026, 11, 15), date(2026, 11, 30)):
        c = cycle_for_activity(day)
        assert (c.earning.start, c.earning.end) == (date(2026, 1, 1), date(2026, 6, 30))
        assert c.claiming.end == date(2027, 2, 15)
        assert c.claiming.end != date(2027, 8, 15)  # the earning reading's wrong deadline


def test_the_event_of_15_may_2026():
    c = cycle_for_activity(date(2026, 5, 15))
    assert (c.usage.start, c.usage.end) == (date(2026, 1, 1), date(2026, 6, 30))
    assert (c.earning.start, c.earning.end) == (date(2025, 7, 1), date(2025, 12, 31))
    assert _window(c) == (date(2026, 2, 16), date(2026, 8, 15))


def test_a_campaign_in_may_2027_is_paid_from_july_december_2026_earnings():
    c = cycle_for_activity(date(2027, 5, 1))
    assert (c.earning.start, c.earning.end) == (date(2026, 7, 1), date(2026, 12, 31))
    assert (c.usage.start, c.usage.end) == (date(2027, 1, 1), date(2027, 6, 30))
    assert c.forfeiture == date(2027, 6, 30)
    wrong = CAL.half_containing(date(2027, 5, 1))  # Jan – Jun 2027: earned then, not usable then
    assert c.earning != wrong


@pytest.mark.parametrize("row", [
    # the seed's table: (earning start, usage start, claim start, claim end)
    (date(2020, 7, 1), date(2021, 1, 1), date(2021, 2, 16), date(2021, 8, 15)),
    (date(2021, 1, 1), date(2021, 7, 1), date(2021, 8, 16), date(2022, 2, 15)),
    (date(2021, 7, 1), date(2022, 1, 1), date(2022, 2, 16), date(2022, 8, 15)),
    (date(2022, 1, 1), date(2022, 7, 1), date(2022, 8, 16), date(2023, 2, 15)),
])
def test_every_day_of_a_usage_period_of_the_table_maps_to_its_row(row):
    earning_start, usage_start, claim_start, claim_end = row
    usage_end = usage_start + relativedelta(months=6) - ONE_DAY
    day = usage_start
    while day <= usage_end:
        c = cycle_for_activity(day)
        assert (c.earning.start, c.usage.start, *_window(c)) == row, day
        day += ONE_DAY
    # the days just outside belong to the neighbouring rows
    assert cycle_for_activity(usage_start - ONE_DAY).usage.end == usage_start - ONE_DAY
    assert cycle_for_activity(usage_end + ONE_DAY).usage.start == usage_end + ONE_DAY


def test_july_december_2026_funds_cannot_pay_for_an_event_in_august_2027():
    h = CAL.half_containing(date(2026, 7, 1))
    v = funding_verdict(h, date(2027, 8, 20))
    assert isinstance(v, FundingVerdict)
    assert (v.ok, v.reason, v.day, v.earning) == (False, "too_late", date(2027, 8, 20), h)
    assert (v.usage.start, v.usage.end) == (date(2027, 1, 1), date(2027, 6, 30))
    # August 2027 is paid from January – June 2027 earnings
    assert (v.funding_cycle.earning.start, v.funding_cycle.earning.end) == (date(2027, 1, 1), date(2027, 6, 30))
    assert _window(v.funding_cycle) == (date(2027, 8, 16), date(2028, 2, 15))


def test_funding_verdict_at_the_edges_of_the_usage_period():
    h = CAL.half_containing(date(2026, 7, 1))  # usage Jan 1 – Jun 30, 2027
    assert funding_verdict(h, date(2026, 12, 31)).reason == "too_early"
    assert funding_verdict(h, date(2027, 1, 1)).reason == "ok"
    assert funding_verdict(h, date(2027, 6, 30)).reason == "ok"
    assert funding_verdict(h, date(2027, 7, 1)).reason == "too_late"
    ok = funding_verdict(h, date(2027, 5, 10))
    assert ok.ok and ok.funding_cycle.earning == h and ok.funding_cycle == CAL.cycle(h)
    early = funding_verdict(h, date(2026, 9, 1))  # the earnings are still accruing
    assert not early.ok and early.funding_cycle.earning.start == date(2026, 1, 1)


def test_funding_verdict_refuses_a_span_that_is_not_a_fiscal_half():
    with pytest.raises(ValueError):
        funding_verdict(core.MonthSpan(CAL.half_containing(date(2026, 7, 1)).first + 1,
                                       CAL.half_containing(date(2026, 7, 1)).last + 1), date(2027, 1, 1))
    year = core.relative.year(date(2026, 12, 1), 0, kind="fiscal")  # twelve months, not a half
    with pytest.raises(ValueError):
        funding_verdict(year, date(2027, 1, 1))
    # a plain MonthSpan that covers exactly a half is taken as that half
    h = CAL.half_containing(date(2026, 7, 1))
    assert funding_verdict(core.MonthSpan(h.first, h.last), date(2027, 1, 1)).earning == h


def test_a_plan_across_two_usage_periods_is_answered_per_period():
    # a campaign May – July 2027: May/June from Jul–Dec 2026 earnings, July from Jan–Jun 2027
    first, second = cycles_for_activity_span(date(2027, 5, 1), date(2027, 7, 31))
    assert (first.earning.start, first.usage.end) == (date(2026, 7, 1), date(2027, 6, 30))
    assert (second.earning.start, second.usage.start) == (date(2027, 1, 1), date(2027, 7, 1))
    # an event "in September 2027" lies in one usage period
    (one,) = cycles_for_activity_span(date(2027, 9, 1), date(2027, 9, 30))
    assert one == cycle_for_activity(date(2027, 9, 15))
    # a single day, and a span of three usage periods
    assert cycles_for_activity_span(date(2027, 6, 30), date(2027, 6, 30)) == [first]
    assert len(cycles_for_activity_span(date(2027, 6, 30), date(2028, 1, 1))) == 3


def test_a_plan_is_split_at_the_usage_period_boundary_and_judged_per_part():
    parts = split_activity_span(date(2027, 5, 1), date(2027, 7, 31))
    assert [p.days for p in parts] == [DateRange(date(2027, 5, 1), date(2027, 6, 30)),
                                       DateRange(date(2027, 7, 1), date(2027, 7, 31))]
    assert [p.cycle for p in parts] == cycles_for_activity_span(date(2027, 5, 1), date(2027, 7, 31))
    h = CAL.half_containing(date(2026, 7, 1))  # Jul – Dec 2026 funds
    verdicts = funding_verdicts_for_span(h, date(2027, 5, 1), date(2027, 7, 31))
    assert [(v.days.start, v.verdict.ok, v.verdict.reason) for v in verdicts] == [
        (date(2027, 5, 1), True, "ok"), (date(2027, 7, 1), False, "too_late")]
    assert verdicts[1].verdict.funding_cycle.earning.start == date(2027, 1, 1)
    # a plan wholly inside the usage period is one ok part
    (only,) = funding_verdicts_for_span(h, date(2027, 3, 1), date(2027, 3, 31))
    assert only.verdict.ok and only.days == DateRange(date(2027, 3, 1), date(2027, 3, 31))


def test_a_span_that_ends_before_it_starts_is_refused():
    with pytest.raises(ValueError, match="before it starts"):
        cycles_for_activity_span(date(2027, 7, 31), date(2027, 5, 1))


def test_the_cycle_of_a_claim_submitted_on_a_day():
    c = cycle_claimable_on(date(2026, 12, 1))
    assert (c.earning.start, *_window(c)) == (date(2026, 1, 1), date(2026, 8, 16), date(2027, 2, 15))
    assert cycle_claimable_on(date(2027, 2, 15)) == c
    assert cycle_claimable_on(date(2027, 2, 16)).earning.start == date(2026, 7, 1)
    assert core.cycle_claimable_on is cycle_claimable_on


def test_activity_facts_give_the_cycle_and_the_poe_keep_until_date():
    f = activity_facts(date(2024, 3, 12))
    assert isinstance(f, ActivityFacts)
    assert f.day == date(2024, 3, 12)
    assert f.cycle == cycle_for_activity(date(2024, 3, 12))
    assert f.keep_until == date(2026, 3, 12)
    assert activity_facts(date(2024, 2, 29)).keep_until == date(2026, 3, 1)  # the policy's leap-day rule


def test_days_outside_the_policy_years_are_refused():
    for day in (date(1999, 12, 31), date(2101, 1, 1)):
        for call in (cycle_for_activity, cycle_claimable_on, activity_facts):
            with pytest.raises(OutOfRange):
                call(day)
        with pytest.raises(OutOfRange):
            funding_verdict(CAL.half_containing(date(2050, 1, 1)), day)
    with pytest.raises(OutOfRange):
        cycles_for_activity_span(date(2100, 12, 1), date(2101, 1, 31))
    # the first activity days of the range are paid from earnings of Jul – Dec 1999
    assert cycle_for_activity(FIRST_DAY).earning.start == date(1999, 7, 1)
    assert cycle_for_activity(LAST_DAY).claiming.end == date(2101, 2, 15)


# --- properties -----------------------------------------------------------------------------

def plain_activity_row(day: date) -> tuple[date, date, date, date, date, date]:
    """(earning start, earning end, usage start, usage end, claim start, claim end) of an
    activity on ``day``, written out from the seed's table with plain dates (fast enough for
    every day of the range)."""
    y = day.year
    if day.month <= 6:  # usage Jan – Jun y, earned Jul – Dec y-1, claimed Feb 16 – Aug 15 y
        return date(y - 1, 7, 1), date(y - 1, 12, 31), date(y, 1, 1), date(y, 6, 30), date(y, 2, 16), date(y, 8, 15)
    return date(y, 1, 1), date(y, 6, 30), date(y, 7, 1), date(y, 12, 31), date(y, 8, 16), date(y + 1, 2, 15)


def plain_claimed_on(day: date) -> tuple[date, date]:
    """The claiming window that contains ``day``, from the same table."""
    y = day.year
    if (day.month, day.day) < (2, 16):
        return date(y - 1, 8, 16), date(y, 2, 15)
    if (day.month, day.day) <= (8, 15):
        return date(y, 2, 16), date(y, 8, 15)
    return date(y, 8, 16), date(y + 1, 2, 15)


def test_every_day_of_2000_2100_against_a_plain_oracle():
    """Exhaustive: all 36 890 days, each against the table written out with plain dates."""
    day = FIRST_DAY
    while day <= LAST_DAY:
        c = cycle_for_activity(day)
        assert (c.earning.start, c.earning.end, c.usage.start, c.usage.end, *_window(c)) == plain_activity_row(day), day
        assert _window(cycle_claimable_on(day)) == plain_claimed_on(day), day
        day += ONE_DAY


@given(any_day)
def test_the_two_oracles_agree(day):
    want = oracle_activity(day)
    assert plain_activity_row(day) == (want.earning_start, want.earning_end, want.usage_start, want.usage_end,
                                       want.claim_start, want.claim_end)
    assert plain_claimed_on(day) == (oracle_claimable(day).claim_start, oracle_claimable(day).claim_end)
    assert oracle_usage(day) == (want.usage_start, want.usage_end)


@given(any_day)
def test_the_usage_period_of_an_activity_contains_its_day(day):
    c = cycle_for_activity(day)
    assert day in c.usage and c.usage.start <= day <= c.usage.end
    assert c.earning.end + ONE_DAY == c.usage.start  # paid from the half just before
    assert c.earning.end < day <= c.forfeiture <= c.claiming.end
    assert c.usage.months == c.earning.months == 6
    # the same cycle as the earning-side rule, asked six months earlier
    earned = day - relativedelta(months=6)
    if earned >= FIRST_DAY:
        assert c == CAL.cycle_for_date(earned)


@given(any_day)
def test_a_claim_submitted_in_the_activity_window_belongs_to_the_activitys_cycle(day):
    c = cycle_for_activity(day)
    for submitted in (c.claiming.start, c.claiming.end, c.claiming.start + timedelta(days=(day.toordinal() % 181))):
        if submitted <= LAST_DAY:
            assert cycle_claimable_on(submitted) == c
    # the next usage period's cycle's window starts the day after this one closes
    following = cycle_for_activity(c.usage.end + ONE_DAY) if c.usage.end < LAST_DAY else None
    if following:
        assert following.claiming.start == c.claiming.end + ONE_DAY
        assert following.earning == c.usage


@given(any_day)
def test_a_claim_submitted_on_a_day_is_in_the_window_containing_that_day(day):
    c = cycle_claimable_on(day)
    want = oracle_claimable(day)
    assert day in c.claiming
    assert (c.earning.start, c.claiming.start, c.claiming.end) == (want.earning_start, want.claim_start, want.claim_end)


@settings(max_examples=300)
@given(any_day, any_day)
def test_funding_verdict_ok_iff_the_day_is_in_the_usage_period(earned_on, day):
    earning = CAL.half_containing(earned_on)
    v = funding_verdict(earning, day)
    want = oracle_cycle(earned_on)
    inside = want.usage_start <= day <= want.usage_end
    assert v.ok is inside
    assert v.reason == ("ok" if inside else "too_early" if day < want.usage_start else "too_late")
    assert (v.usage.start, v.usage.end) == (want.usage_start, want.usage_end)
    assert v.earning == earning and v.day == day
    assert v.funding_cycle == cycle_for_activity(day)
    assert (v.funding_cycle.earning == earning) is inside


@settings(max_examples=300)
@given(any_day, st.integers(0, 1200))
def test_a_span_touches_exactly_the_usage_periods_of_its_days(first, length):
    last = min(first + timedelta(days=length), LAST_DAY)
    cycles = cycles_for_activity_span(first, last)
    assert first in cycles[0].usage and last in cycles[-1].usage
    for a, b in zip(cycles, cycles[1:]):
        assert b.usage.start == a.usage.end + ONE_DAY
    # oracle: the distinct usage halves of the span's days, walked by month starts
    halves, probe = [], date(first.year, first.month, 1)
    while probe <= last:
        u = oracle_usage(probe)
        if not halves or halves[-1] != u:
            halves.append(u)
        probe += relativedelta(months=1)
    assert [(c.usage.start, c.usage.end) for c in cycles] == halves
    # the parts tile the span, each inside its own usage period
    parts = split_activity_span(first, last)
    assert [p.cycle for p in parts] == cycles
    assert parts[0].days.start == first and parts[-1].days.end == last
    assert sum(p.days.days for p in parts) == (last - first).days + 1
    for p in parts:
        assert p.days.start in p.cycle.usage and p.days.end in p.cycle.usage
    for a, b in zip(parts, parts[1:]):
        assert b.days.start == a.days.end + ONE_DAY


@settings(max_examples=200)
@given(any_day, any_day, st.integers(0, 400))
def test_a_plan_is_fundable_iff_every_day_is_in_the_usage_period(earned_on, first, length):
    last = min(first + timedelta(days=length), LAST_DAY)
    earning = CAL.half_containing(earned_on)
    want = oracle_cycle(earned_on)
    verdicts = funding_verdicts_for_span(earning, first, last)
    all_inside = want.usage_start <= first and last <= want.usage_end
    assert all(v.verdict.ok for v in verdicts) is all_inside
    assert sum(v.verdict.ok for v in verdicts) <= 1  # one usage period per earning half
    for v in verdicts:
        assert v.verdict.ok is (want.usage_start <= v.days.start <= want.usage_end)


@given(any_day)
def test_activity_facts_agree_with_their_parts(day):
    f = activity_facts(day)
    assert f.cycle == cycle_for_activity(day) and f.keep_until == keep_until(day)
    assert f.keep_until >= day + relativedelta(months=24)
