"""Relative periods resolved against a given today (core/relative.py): examples, then
properties over 2000–2100 and offsets −24..24 against an oracle written here with
``dateutil.relativedelta`` on real dates (not core's month indices).
"""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

from core import Half, MonthSpan, OutOfRange, calendar, relative, window_for_half
from core_strategies import FIRST_DAY, LAST_DAY, ONE_DAY, any_day, half_names

CAL = calendar()
offsets = st.integers(-24, 24)
TODAY = date(2026, 12, 1)  # the day the issue was tried on


def span(s) -> tuple[date, date]:
    return s.start, s.end


def in_range(start: date, end: date) -> bool:
    return FIRST_DAY.year <= start.year and end.year <= LAST_DAY.year


def expect(call, start: date, end: date):
    """The oracle's span, or OutOfRange when it leaves the policy's years."""
    if not in_range(start, end):
        with pytest.raises(OutOfRange):
            call()
        return None
    got = call()
    assert span(got) == (start, end)
    return got


# --- oracle ---------------------------------------------------------------------------------

def o_month(today: date, offset: int) -> tuple[date, date]:
    start = today.replace(day=1) + relativedelta(months=offset)
    return start, start + relativedelta(months=1) - ONE_DAY


def o_quarter(today: date, offset: int) -> tuple[date, date]:
    start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1) + relativedelta(months=3 * offset)
    return start, start + relativedelta(months=3) - ONE_DAY


def o_half(today: date, offset: int) -> tuple[date, date, str]:
    start = date(today.year, 1 if today.month <= 6 else 7, 1) + relativedelta(months=6 * offset)
    return start, start + relativedelta(months=6) - ONE_DAY, "H1" if start.month == 7 else "H2"


def o_fiscal_year_start(today: date) -> int:
    return today.year if today.month >= 7 else today.year - 1


def o_named_half(name: str, today: date, which: str) -> tuple[date, date]:
    first_month = 7 if name == "H1" else 1
    starts = [date(y, first_month, 1) for y in range(today.year - 2, today.year + 3)]
    if which == "this":  # the half of that name in today's fiscal year (July – June)
        fy = o_fiscal_year_start(today)
        start = date(fy, 7, 1) if name == "H1" else date(fy + 1, 1, 1)
    elif which == "next":  # the first one that starts after today
        start = min(s for s in starts if s > today)
    else:  # the last one that ended before today
        start = max(s for s in starts if s + relativedelta(months=6) <= today)
    return start, start + relativedelta(months=6) - ONE_DAY


def o_month_of_year(month: int, which, today: date) -> tuple[date, date]:
    probe = today.replace(day=1)
    if which in ("next", "upcoming"):
        if which == "next":
            probe += relativedelta(months=1)
        while probe.month != month:
            probe += relativedelta(months=1)
    elif which in ("last", "recent"):
        if which == "last":
            probe -= relativedelta(months=1)
        while probe.month != month:
            probe -= relativedelta(months=1)
    else:
        probe = date(today.year + which, month, 1)
    return probe, probe + relativedelta(months=1) - ONE_DAY


# --- examples -------------------------------------------------------------------------------

def test_days_yesterday_and_in_two_weeks():
    assert relative.shift_day(TODAY, -1) == date(2026, 11, 30)
    assert relative.shift_day(TODAY, 14) == date(2026, 12, 15)
    assert relative.shift_day(date(2024, 3, 1), -1) == date(2024, 2, 29)
    assert relative.shift_day(TODAY, 0) == TODAY


def test_months_last_next_two_ago_and_from_now():
    assert span(relative.month(TODAY, 0)) == (date(2026, 12, 1), date(2026, 12, 31))
    assert span(relative.month(TODAY, -1)) == (date(2026, 11, 1), date(2026, 11, 30))
    assert span(relative.month(TODAY, 1)) == (date(2027, 1, 1), date(2027, 1, 31))  # le mois prochain
    assert span(relative.month(TODAY, -2)) == (date(2026, 10, 1), date(2026, 10, 31))
    assert span(relative.month(date(2027, 12, 31), 2)) == (date(2028, 2, 1), date(2028, 2, 29))
    assert relative.shift_months(date(2026, 12, 31), 2) == date(2027, 2, 28)
    assert relative.shift_months(date(2024, 2, 29), 12) == date(2025, 2, 28)


def test_quarters():
    assert span(relative.quarter(TODAY)) == (date(2026, 10, 1), date(2026, 12, 31))  # ce trimestre
    assert span(relative.quarter(TODAY, -1)) == (date(2026, 7, 1), date(2026, 9, 30))
    assert span(relative.quarter(TODAY, 1)) == (date(2027, 1, 1), date(2027, 3, 31))
    assert span(relative.quarter(date(2026, 4, 1), 0, kind="fiscal")) == (date(2026, 4, 1), date(2026, 6, 30))
    with pytest.raises(ValueError):
        relative.quarter(TODAY, 0, kind="lunar")


def test_halves_this_last_next():
    this, last, nxt = (relative.half(TODAY, k) for k in (0, -1, 1))
    assert (this.name, *span(this)) == ("H1", date(2026, 7, 1), date(2026, 12, 31))
    assert (last.name, *span(last)) == ("H2", date(2026, 1, 1), date(2026, 6, 30))
    assert (nxt.name, *span(nxt)) == ("H2", date(2027, 1, 1), date(2027, 6, 30))
    assert all(isinstance(h, Half) for h in (this, last, nxt))
    assert this == CAL.half_containing(TODAY)
    # the first half of calendar 2023 is the fiscal H2 Jan – Jun 2023
    cal_half = relative.half(date(2023, 3, 1), 0, kind="calendar")
    assert isinstance(cal_half, Half) and (cal_half.name, *span(cal_half)) == ("H2", date(2023, 1, 1), date(2023, 6, 30))
    with pytest.raises(ValueError):
        relative.half(TODAY, 0, kind="weekly")


def test_named_halves_on_the_day_of_the_issue():
    got = {(n, w): span(relative.named_half(n, TODAY, w)) for n in ("H1", "H2") for w in ("last", "this", "next")}
    assert got == {
        ("H1", "last"): (date(2025, 7, 1), date(2025, 12, 31)),
        ("H1", "this"): (date(2026, 7, 1), date(2026, 12, 31)),
        ("H1", "next"): (date(2027, 7, 1), date(2027, 12, 31)),
        ("H2", "last"): (date(2026, 1, 1), date(2026, 6, 30)),
        ("H2", "this"): (date(2027, 1, 1), date(2027, 6, 30)),
        ("H2", "next"): (date(2027, 1, 1), date(2027, 6, 30)),
    }


def test_named_halves_in_an_h2():
    d = date(2027, 3, 10)  # in H2 Jan – Jun 2027 (fiscal year Jul 2026 – Jun 2027)
    assert span(relative.named_half("h1", d, "this")) == (date(2026, 7, 1), date(2026, 12, 31))
    assert span(relative.named_half("H2", d, "this")) == (date(2027, 1, 1), date(2027, 6, 30))
    assert span(relative.named_half("H2", d, "next")) == (date(2028, 1, 1), date(2028, 6, 30))
    assert span(relative.named_half("H1", d, "next")) == (date(2027, 7, 1), date(2027, 12, 31))
    assert span(relative.named_half("H2", d, "last")) == (date(2026, 1, 1), date(2026, 6, 30))
    assert span(relative.named_half("H1", d, "last")) == (date(2026, 7, 1), date(2026, 12, 31))


def test_named_half_and_a_bare_half_in_a_funds_question():
    """Documented in named_half: "this H1" on 1 Dec 2026 is the half window_for_half takes for a
    bare "H1"; a bare "H2" is last H2 (its window is open), not this fiscal year's H2."""
    assert window_for_half("H1", TODAY).cycle.earning == relative.named_half("H1", TODAY, "this")
    assert window_for_half("H2", TODAY).cycle.earning == relative.named_half("H2", TODAY, "last")


def test_named_half_refuses_unknown_input():
    with pytest.raises(ValueError):
        relative.named_half("H3", TODAY, "this")
    with pytest.raises(ValueError):
        relative.named_half("H1", TODAY, "previous")


def test_years_calendar_and_fiscal():
    assert span(relative.year(TODAY)) == (date(2026, 1, 1), date(2026, 12, 31))
    assert span(relative.year(TODAY, -1)) == (date(2025, 1, 1), date(2025, 12, 31))  # l'an dernier
    assert span(relative.year(TODAY, 1, kind="fiscal")) == (date(2027, 7, 1), date(2028, 6, 30))
    assert span(relative.year(date(2027, 6, 30), 0, kind="fiscal")) == (date(2026, 7, 1), date(2027, 6, 30))
    fy = relative.year(TODAY, 0, kind="fiscal")
    assert CAL.half_at(fy.first).name == "H1" and CAL.next_half(CAL.half_at(fy.first)).end == fy.end
    with pytest.raises(ValueError):
        relative.year(TODAY, 0, kind="academic")


def test_months_of_a_year():
    assert span(relative.month_of_year(10, -1, TODAY)) == (date(2025, 10, 1), date(2025, 10, 31))  # October of last year
    assert relative.month_of_year(3, "next", TODAY).start == date(2027, 3, 1)  # en mars prochain
    assert relative.month_of_year(3, "last", TODAY).start == date(2026, 3, 1)  # last March
    assert relative.month_of_year(12, 0, TODAY).start == date(2026, 12, 1)
    # said in the month itself: next = a year on, last = a year back
    assert relative.month_of_year(12, "next", TODAY).start == date(2027, 12, 1)
    assert relative.month_of_year(12, "last", TODAY).start == date(2025, 12, 1)
    assert relative.month_of_year(1, "next", TODAY).start == date(2027, 1, 1)
    assert relative.month_of_year(11, "last", TODAY).start == date(2026, 11, 1)
    for bad_month in (0, 13, True, "3"):
        with pytest.raises(ValueError):
            relative.month_of_year(bad_month, 0, TODAY)
    with pytest.raises(ValueError):
        relative.month_of_year(3, "previous", TODAY)
    # a bare month: a plan looks ahead, a past activity looks back, both include today's month
    assert relative.month_of_year(9, "upcoming", TODAY).start == date(2027, 9, 1)
    assert relative.month_of_year(12, "upcoming", TODAY).start == date(2026, 12, 1)
    assert relative.month_of_year(3, "recent", TODAY).start == date(2026, 3, 1)
    assert relative.month_of_year(12, "recent", TODAY).start == date(2026, 12, 1)


def test_weeks():
    assert span(relative.week(TODAY)) == (date(2026, 11, 30), date(2026, 12, 6))  # 1 Dec 2026: a Tuesday
    assert span(relative.week(TODAY, -1)) == (date(2026, 11, 23), date(2026, 11, 29))
    assert span(relative.week(date(2026, 12, 6), 1)) == (date(2026, 12, 7), date(2026, 12, 13))  # from a Sunday
    with pytest.raises(OutOfRange):
        relative.week(date(2000, 1, 1), 0)  # that week starts on Monday 27 Dec 1999


def test_results_outside_the_policy_years_are_refused():
    with pytest.raises(OutOfRange):
        relative.shift_day(date(2000, 1, 1), -1)
    with pytest.raises(OutOfRange):
        relative.month(date(2100, 12, 5), 1)
    with pytest.raises(OutOfRange):
        relative.year(date(2100, 8, 1), 0, kind="fiscal")  # Jul 2100 – Jun 2101
    with pytest.raises(OutOfRange):
        relative.named_half("H2", date(2100, 8, 1), "next")  # Jan – Jun 2101
    with pytest.raises(OutOfRange):
        relative.month(date(1999, 12, 31), 0)  # today itself out of range
    assert span(relative.half(date(2100, 8, 1), 0)) == (date(2100, 7, 1), date(2100, 12, 31))


def test_the_spans_are_cores_own_types_that_the_rest_of_core_takes():
    m = relative.month(TODAY, -1)
    assert isinstance(m, MonthSpan) and m.months == 1 and TODAY - timedelta(days=5) in m
    assert CAL.halves_between(relative.quarter(TODAY).first, relative.quarter(TODAY).last) == [CAL.half_containing(TODAY)]
    assert CAL.cycle(relative.half(TODAY, -1)).claiming.end == date(2027, 2, 15)


# --- properties -----------------------------------------------------------------------------

@given(any_day, st.integers(-800, 800))
def test_shift_day_matches_plain_arithmetic(today, days):
    want = today + timedelta(days=days)
    if FIRST_DAY <= want <= LAST_DAY:
        assert relative.shift_day(today, days) == want
    else:
        with pytest.raises(OutOfRange):
            relative.shift_day(today, days)


@given(any_day, offsets)
def test_shift_months_matches_relativedelta(today, offset):
    want = today + relativedelta(months=offset)  # relativedelta clamps to the month's end too
    if FIRST_DAY.year <= want.year <= LAST_DAY.year:
        assert relative.shift_months(today, offset) == want
    else:
        with pytest.raises(OutOfRange):
            relative.shift_months(today, offset)


@given(any_day, offsets)
def test_month_matches_the_oracle(today, offset):
    got = expect(lambda: relative.month(today, offset), *o_month(today, offset))
    if got is not None and offset == 0:
        assert today in got


@given(any_day, offsets)
def test_quarter_matches_the_oracle(today, offset):
    got = expect(lambda: relative.quarter(today, offset), *o_quarter(today, offset))
    if got is not None:
        assert got.months == 3 and got.start.month in (1, 4, 7, 10)
        # with a July fiscal year, fiscal quarters are the same three-month blocks
        assert relative.quarter(today, offset, kind="fiscal") == got


@given(any_day, offsets, st.sampled_from(["fiscal", "calendar"]))
def test_half_matches_the_oracle(today, offset, kind):
    start, end, name = o_half(today, offset)
    got = expect(lambda: relative.half(today, offset, kind=kind), start, end)
    if got is not None:
        assert isinstance(got, Half) and got.name == name
        assert got.fiscal_year == (start.year if name == "H1" else start.year - 1)


@given(any_day, half_names, st.sampled_from(["this", "last", "next"]))
def test_named_half_matches_the_oracle(today, name, which):
    got = expect(lambda: relative.named_half(name, today, which), *o_named_half(name, today, which))
    if got is not None:
        assert got.name == name
        if which == "next":
            assert got.start > today
        elif which == "last":
            assert got.end < today


@given(any_day, offsets, st.sampled_from(["calendar", "fiscal"]))
def test_year_matches_the_oracle(today, offset, kind):
    first = date(today.year + offset, 1, 1) if kind == "calendar" else date(o_fiscal_year_start(today) + offset, 7, 1)
    got = expect(lambda: relative.year(today, offset, kind=kind), first, first + relativedelta(years=1) - ONE_DAY)
    if got is not None:
        assert got.months == 12


@given(any_day, st.integers(1, 12), st.one_of(st.sampled_from(["next", "last", "upcoming", "recent"]),
                                              st.integers(-24, 24)))
def test_month_of_year_matches_the_oracle(today, month, which):
    got = expect(lambda: relative.month_of_year(month, which, today), *o_month_of_year(month, which, today))
    if got is not None:
        assert got.start.month == month and got.months == 1
        this_month = today.replace(day=1)
        if which == "next":
            assert this_month < got.start <= this_month + relativedelta(months=12)
        elif which == "last":
            assert this_month - relativedelta(months=12) <= got.start < this_month
        elif which == "upcoming":
            assert this_month <= got.start < this_month + relativedelta(months=12)
        elif which == "recent":
            assert this_month - relativedelta(months=12) < got.start <= this_month


@given(any_day, offsets)
def test_week_is_monday_to_sunday_offset_weeks_away(today, offset):
    monday = today - timedelta(days=today.isoweekday() - 1) + timedelta(days=7 * offset)
    sunday = monday + timedelta(days=6)
    if FIRST_DAY <= monday and sunday <= LAST_DAY:
        w = relative.week(today, offset)
        assert (w.start, w.end) == (monday, sunday) and w.days == 7
        assert w.start.isoweekday() == 1 and w.end.isoweekday() == 7
        assert (today + timedelta(weeks=offset)) in w
    else:
        with pytest.raises(OutOfRange):
            relative.week(today, offset)
