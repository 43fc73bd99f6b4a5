"""Hypothesis properties of core/ over random days 2000-01-01..2100-12-31, checked against
the independent relativedelta oracle in tests/core_strategies.py."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st

from core import CoopError, calendar, keep_until, split, status, window_for_half
from understanding.reading import find_periods, read_period
from core_strategies import (ONE_DAY, any_day, conventions, half_names, month_phrases, oracle_claimable,
                             oracle_cycle, period_like_text)

CAL = calendar()


@settings(max_examples=300)
@given(any_day)
def test_chain_matches_the_oracle(day):
    cyc, want = CAL.cycle_for_date(day), oracle_cycle(day)
    # the day lies in its earning half
    assert cyc.earning.start <= day <= cyc.earning.end
    assert day in cyc.earning
    assert (cyc.earning.start, cyc.earning.end, cyc.earning.name) == (want.earning_start, want.earning_end, want.half)
    # usage = the next half; forfeiture = the usage period's last day
    assert cyc.usage.start == cyc.earning.end + ONE_DAY
    assert cyc.usage == CAL.next_half(cyc.earning)
    assert (cyc.usage.start, cyc.usage.end) == (want.usage_start, want.usage_end)
    assert cyc.forfeiture == cyc.usage.end == want.usage_end
    # claiming: day 16 of the usage period's second month .. day 15 two months after usage ends
    start, end = cyc.claiming.start, cyc.claiming.end
    assert 181 <= cyc.claiming.days <= 184
    assert start == cyc.usage.start + relativedelta(months=1, day=16)
    assert end == cyc.usage.end + relativedelta(months=2, day=15)
    assert (start, end) == (want.claim_start, want.claim_end)


@given(any_day)
def test_exactly_one_window_contains_any_day(day):
    here = CAL.cycle_claimable_on(day)
    assert day in here.claiming
    assert (here.claiming.start, here.claiming.end) == (oracle_claimable(day).claim_start,
                                                        oracle_claimable(day).claim_end)
    before = CAL.cycle(CAL.next_half(here.earning, -1))
    after = CAL.cycle(CAL.next_half(here.earning, 1))
    assert before.claiming.end + ONE_DAY == here.claiming.start
    assert here.claiming.end + ONE_DAY == after.claiming.start
    # no other cycle near the day claims it
    half = CAL.half_containing(day)
    others = [CAL.cycle(CAL.next_half(half, k)) for k in range(-4, 2)]
    assert sum(day in c.claiming for c in others) == 1


@given(any_day, conventions)
def test_fy_label_round_trips_and_conventions_differ_by_one_year(day, convention):
    half = CAL.half_containing(day)
    label = CAL.fy_label(half, convention)
    year = CAL.label_year(half, convention)
    assert label.endswith(half.name) and label.startswith("FY")
    assert CAL.half_from_label(year, half.name, convention) == half
    assert CAL.label_year(half, "microsoft") - CAL.label_year(half, "seed") == 1
    want = oracle_cycle(day)
    assert CAL.label_year(half, "seed") == want.seed_fy
    # the same label names halves one year apart under the two conventions
    other = "microsoft" if convention == "seed" else "seed"
    if date(2001, 1, 1) <= day <= date(2099, 12, 31):  # both halves inside the range
        a = CAL.half_from_label(year, half.name, other)
        shift = relativedelta(years=-1 if other == "microsoft" else 1)
        assert a.start == half.start + shift


@given(any_day)
def test_keep_until_is_24_months_not_less_and_at_most_a_day_more(day):
    until = keep_until(day)
    anniversary = day + relativedelta(months=24)  # clamps 29 Feb to 28 Feb
    assert anniversary <= until <= anniversary + ONE_DAY
    assert until - relativedelta(months=24) >= day - ONE_DAY  # never short of 24 months
    if (day.month, day.day) != (2, 29):
        assert until == anniversary
    else:  # 24 months after a 29 February is never a leap year: 1 March (core/retention.py)
        assert until == date(day.year + 2, 3, 1)


@given(st.decimals(min_value=0, max_value=10**12, places=2, allow_nan=False, allow_infinity=False),
       st.integers(0, 100))
def test_split_parts_sum_to_the_amount(amount, coop_pct):
    parts = split(amount, 100 - coop_pct, coop_pct)
    assert parts.rebate + parts.coop == amount
    assert parts.rebate >= 0 and parts.coop >= 0
    assert abs(parts.coop - amount * coop_pct / 100) <= Decimal("0.005")


@given(any_day)
def test_status_is_consistent_with_the_oracle(day):
    s = status(day)
    assert day in s.accruing
    assert day in s.open_window.claiming
    assert s.days_left == (s.open_window.claiming.end - day).days >= 0
    assert s.open_window.claiming.start == oracle_claimable(day).claim_start
    assert day in s.using.usage and s.next_forfeiture.forfeiture >= day
    assert s.days_to_forfeiture == (s.next_forfeiture.forfeiture - day).days
    assert s.previous_window.claiming.end + ONE_DAY == s.open_window.claiming.start
    assert s.days_since_previous_closed >= 1


@given(any_day, half_names)
def test_window_for_half_is_the_next_unclosed_window_of_that_half(day, name):
    w = window_for_half(name, day)
    assert w.cycle.earning.name == name
    assert w.cycle.claiming.end >= day
    # the previous window of the same half (a year earlier) has closed
    previous = CAL.cycle(CAL.next_half(w.cycle.earning, -2))
    assert previous.claiming.end < day
    if day in w.cycle.claiming:
        assert (w.state, w.days_left, w.days_until_open) == ("open", (w.cycle.claiming.end - day).days, None)
    else:
        assert w.state == "upcoming" and w.days_left is None
        assert w.days_until_open == (w.cycle.claiming.start - day).days > 0
    since = (previous.claiming.end - day).days * -1
    if since <= CAL.policy.recently_closed_days:
        assert w.recently_closed == previous and w.days_since_closed == since
    else:
        assert w.recently_closed is None and w.days_since_closed is None


@settings(max_examples=300)
@given(st.text())
def test_find_periods_raises_only_coop_errors_on_any_text(text):
    try:
        find_periods(text)
    except CoopError:
        pass


@settings(max_examples=300)
@given(period_like_text, st.sampled_from([None, "en-US", "fr-FR"]), st.one_of(st.none(), any_day), conventions)
def test_find_periods_raises_only_coop_errors_on_period_like_text(text, locale, today, convention):
    try:
        readings = find_periods(text, locale=locale, today=today, convention=convention)
    except CoopError as err:
        assert str(err).strip() and err.code
        return
    for r in readings:
        assert text[r.start:r.end] == r.text
        for cand in r.candidates:
            assert cand.months.first <= cand.months.last
            assert cand.halves and cand.halves[0].start <= cand.start <= cand.end <= cand.halves[-1].end


@given(month_phrases())
def test_month_name_and_year_read_as_that_month(phrase):
    text, year, month = phrase
    (reading,) = find_periods(text)
    assert reading.primary.start == date(year, month, 1)
    assert reading.primary.end == date(year, month, 1) + relativedelta(months=1) - ONE_DAY
    assert reading.primary.halves == (CAL.half_containing(date(year, month, 1)),)


@given(any_day, conventions)
def test_the_label_the_product_writes_is_read_back(day, convention):
    """Whatever FY label an answer shows for an in-range half, a partner can quote it back."""
    half = CAL.half_containing(day)
    label = CAL.fy_label(half, convention)
    reading = read_period(label, convention=convention)
    assert reading.primary.halves == (half,)


@given(st.text())
def test_fold_keeps_positions(text):
    """find_periods reports positions in the partner's own text: folding must not move them."""
    from core import fold

    folded = fold(text)
    assert len(folded) == len(text)
    assert fold(folded) == folded


def _fold_one_character_at_a_time(text: str) -> str:
    """The character-by-character fold the translate table replaced: the oracle."""
    import unicodedata

    dashes = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"), "-")
    quotes = dict.fromkeys(map(ord, "\u2018\u2019\u02bc\u2032\u0060\u00b4"), "'")
    spaces = dict.fromkeys(map(ord, "\u00a0\u202f\u2007\u2009\u200a\u3000\t\r\n\v\f"), " ")
    text = text.translate(dashes).translate(quotes).translate(spaces)
    out = []
    for ch in text:
        if ch.isascii():
            out.append(ch.lower())
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c)).lower()
        out.append(base if len(base) == 1 else (ch.lower() if len(ch.lower()) == 1 else ch))
    return "".join(out)


@settings(max_examples=500)
@given(st.text() | st.text(alphabet="ÉéèêëÀàâäÎïÔöÙûüÇçŒœÆæß–—‘’ \u00a0\u202fİıﬁ\tAZaz09-'"))
def test_fold_is_the_character_by_character_fold(text):
    from core import fold

    assert fold(text) == _fold_one_character_at_a_time(text)


@settings(max_examples=300)
@given(st.text() | st.text(alphabet="OSU-M365 _/hébergement\u00a0ÉßİK"))
def test_alias_key_is_the_unicode_fold_for_any_text(text):
    """alias_key's ASCII shortcut gives what the full casefold + NFKD + strip gives."""
    import re
    import unicodedata

    from core.policy import alias_key

    full = "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))
    assert alias_key(text) == re.sub(r"[\s\-_/]+", " ", full)
