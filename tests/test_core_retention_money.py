"""PoE retention (24 months after the activity) and the rebate/co-op split and threshold."""
from __future__ import annotations

import copy
import inspect
import tomllib
from datetime import date
from decimal import Decimal

import pytest

import core.retention
from core import (CoopCalendar, InvalidAmount, InvalidSplit, OutOfRange, calendar, check_split, parse_policy,
                  split, threshold_outcome, to_amount)
from core import keep_until
from core.policy import DEFAULT_POLICY_PATH

CAL = calendar()


# --- PoE: "keep all of your original documents for 24 months after the activity date" ------

@pytest.mark.parametrize("activity,until", [
    (date(2022, 7, 4), date(2024, 7, 4)),
    (date(2023, 12, 31), date(2025, 12, 31)),
    (date(2021, 1, 31), date(2023, 1, 31)),
    (date(2022, 2, 28), date(2024, 2, 28)),  # 2024 is leap, the 28th still exists
    (date(2024, 2, 29), date(2026, 3, 1)),  # no 29 Feb 2026: 1 March, never less than 24 months
    (date(2000, 2, 29), date(2002, 3, 1)),
    (date(2000, 1, 1), date(2002, 1, 1)),
    (date(2100, 12, 31), date(2102, 12, 31)),  # an in-range activity: the date may lie beyond 2100
])
def test_keep_until(activity, until):
    assert keep_until(activity) == until


def test_leap_day_rule_is_documented_in_retention_module():
    doc = inspect.getdoc(core.retention)
    assert "29 February" in doc and "1 March" in doc


def test_leap_day_month_end_policy_option():
    data = tomllib.loads(DEFAULT_POLICY_PATH.read_text("utf-8"))
    data = copy.deepcopy(data)
    data["retention"]["leap_day"] = "month_end"
    cal = CoopCalendar(parse_policy(data))
    assert keep_until(date(2024, 2, 29), cal) == date(2026, 2, 28)
    assert keep_until(date(2024, 3, 1), cal) == date(2026, 3, 1)


@pytest.mark.parametrize("activity", [date(1999, 12, 31), date(2101, 1, 1)])
def test_keep_until_outside_the_range(activity):
    with pytest.raises(OutOfRange, match=str(activity.year)):
        keep_until(activity)


# --- split: "60% rebate - 40% co-op" is an example, no silent default --------------------------

def test_seed_split_example():
    s = split(Decimal("5000"), 60, 40)
    assert (s.rebate, s.coop) == (Decimal("3000.00"), Decimal("2000.00"))
    assert (s.rebate_percent, s.coop_percent) == (60, 40)
    assert CAL.policy.split.example_rebate_percent == 60 and CAL.policy.split.example_coop_percent == 40


def test_split_has_no_default_percentages():
    params = inspect.signature(split).parameters
    for name in ("rebate_percent", "coop_percent"):
        assert params[name].default is inspect.Parameter.empty
    with pytest.raises(TypeError):
        split(1000)  # type: ignore[call-arg]


@pytest.mark.parametrize("amount,rebate,coop,want_rebate,want_coop", [
    ("1000", 60, 40, "600.00", "400.00"),
    (1234.56, 60, 40, "740.74", "493.82"),  # 493.824 → 493.82; rebate takes the rest
    ("0.01", 50, 50, "0.00", "0.01"),  # half a cent rounds up to co-op, the parts still add up
    ("100", "33.3", "66.7", "33.30", "66.70"),
    ("100", 100, 0, "100.00", "0.00"),
    ("0", 60, 40, "0.00", "0.00"),
])
def test_split_rounding_and_sum(amount, rebate, coop, want_rebate, want_coop):
    s = split(amount, rebate, coop)
    assert (s.rebate, s.coop) == (Decimal(want_rebate), Decimal(want_coop))
    assert s.rebate + s.coop == Decimal(str(amount)).quantize(Decimal("0.01"))


@pytest.mark.parametrize("rebate,coop,words", [
    (70, 40, ["100%", "110%", "70%", "40%"]),
    (50, 40, ["100%", "90%"]),
    (-10, 110, ["between 0 and 100"]),
    ("sixty", 40, ["sixty", "not a number"]),
    (float("nan"), 40, ["between 0 and 100"]),
])
def test_bad_splits_are_typed_errors(rebate, coop, words):
    with pytest.raises(InvalidSplit) as err:
        split(1000, rebate, coop)
    for word in words:
        assert word in str(err.value), (word, str(err.value))
    with pytest.raises(InvalidSplit):
        check_split(rebate, coop)


@pytest.mark.parametrize("amount,words", [
    (-5, ["negative", "-5"]),
    ("-0.01", ["negative"]),
    ("lots", ["lots", "not an amount"]),
    (float("inf"), ["not an amount"]),
    ("NaN", ["not an amount"]),
    (None, ["not an amount"]),
    (True, ["not an amount"]),
])
def test_bad_amounts_are_typed_errors(amount, words):
    with pytest.raises(InvalidAmount) as err:
        split(amount, 60, 40)
    for word in words:
        assert word in str(err.value), (word, str(err.value))
    with pytest.raises(InvalidAmount):
        to_amount(amount)


# --- threshold: below it, co-op is converted to rebate at the end of the earning period -----

def test_threshold_below_is_converted_at_the_end_of_the_earning_period():
    half = CAL.half_containing(date(2021, 3, 1))  # Jan–Jun 2021
    out = threshold_outcome("400", half, "1000")
    assert out.converted is True and out.converted_to == "rebate"
    assert out.converted_on == date(2021, 6, 30)
    assert threshold_outcome("1000", half, "1000").converted is False  # "below" is strict
    assert threshold_outcome("1500", half, 1000).converted is False


def test_threshold_unknown_without_the_program_guide():
    half = CAL.half_containing(date(2021, 9, 1))
    out = threshold_outcome("400", half)
    assert out.threshold is None and out.converted is None
    assert out.converted_on == date(2021, 12, 31)
    assert CAL.policy.threshold.amount_source == "program_guide"


def test_threshold_rejects_negative_amounts():
    half = CAL.half_containing(date(2021, 9, 1))
    with pytest.raises(InvalidAmount, match="negative"):
        threshold_outcome("-1", half, "100")
    with pytest.raises(InvalidAmount, match="negative"):
        threshold_outcome("1", half, "-100")
