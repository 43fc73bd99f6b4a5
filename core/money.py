"""The rebate/co-op split and the threshold rule.

>>> from decimal import Decimal
>>> s = split(Decimal("5000"), 60, 40)
>>> s.rebate, s.coop
(Decimal('3000.00'), Decimal('2000.00'))
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from .errors import InvalidAmount, InvalidSplit
from .periods import CoopCalendar, Half, calendar
from .policy import Policy, load_policy

Number = Decimal | int | float | str


def to_amount(value: Number) -> Decimal:
    """A non-negative, finite amount as a Decimal; :class:`InvalidAmount` otherwise."""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise InvalidAmount(f"{value!r} is not an amount of money.", value=str(value)) from exc
    if not amount.is_finite():
        raise InvalidAmount(f"{value!r} is not an amount of money.", value=str(value))
    if amount < 0:
        raise InvalidAmount(f"An amount cannot be negative ({amount}).", value=str(amount))
    return amount


def _percent(value: Number, which: str) -> Decimal:
    try:
        pct = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise InvalidSplit(f"The {which} percentage {value!r} is not a number.", which=which, value=str(value)) from exc
    if not pct.is_finite() or not 0 <= pct <= 100:
        raise InvalidSplit(f"The {which} percentage must be between 0 and 100, not {value}.", which=which, value=str(value))
    return pct


@dataclass(frozen=True)
class Split:
    amount: Decimal
    rebate_percent: Decimal
    coop_percent: Decimal
    rebate: Decimal  # paid on the program's usual pay-out cadence
    coop: Decimal  # accrues as co-op funds


def check_split(rebate_percent: Number, coop_percent: Number) -> tuple[Decimal, Decimal]:
    """Two percentages that add up to 100, or :class:`InvalidSplit` saying why."""
    rebate = _percent(rebate_percent, "rebate")
    coop = _percent(coop_percent, "co-op")
    if rebate + coop != 100:
        raise InvalidSplit(
            f"A split must add up to 100%: {rebate.normalize():f}% rebate + {coop.normalize():f}% co-op is {(rebate + coop).normalize():f}%.",
            rebate=str(rebate), coop=str(coop), total=str(rebate + coop),
        )
    return rebate, coop


def split(amount: Number, rebate_percent: Number, coop_percent: Number, policy: Policy | None = None) -> Split:
    """Split eligible incentive earnings into the rebate part and the co-op part.

    There is no default split: each program's split is in its program guide; the seed's
    60/40 is an example (``policy.split``). Parts are rounded to cents and add up to the amount.
    """
    policy = policy or load_policy()
    value = to_amount(amount)
    rebate_pct, coop_pct = check_split(rebate_percent, coop_percent)
    quantum = Decimal(1).scaleb(-policy.split.money_decimals)
    coop = (value * coop_pct / 100).quantize(quantum, rounding=ROUND_HALF_UP)
    rebate = (value.quantize(quantum, rounding=ROUND_HALF_UP) - coop)
    return Split(value, rebate_pct, coop_pct, rebate, coop)


@dataclass(frozen=True)
class ThresholdOutcome:
    earning: Half
    coop_earnings: Decimal
    threshold: Decimal | None  # None: unknown, it is in the program guide
    converted: bool | None  # None when the threshold is unknown
    converted_on: date  # end of the earning period ("end of the semester")
    converted_to: str  # "rebate"


def threshold_outcome(coop_earnings: Number, earning: Half, threshold: Number | None = None,
                      cal: CoopCalendar | None = None) -> ThresholdOutcome:
    """Co-op earnings below the program's threshold for the earning period are converted to
    rebate at the end of that period. The threshold amount is not in the seed: without it the
    outcome is unknown (``converted is None``) and answers point to the program guide.
    """
    cal = cal or calendar()
    value = to_amount(coop_earnings)
    limit = None if threshold is None else to_amount(threshold)
    converted = None if limit is None else value < limit
    return ThresholdOutcome(earning, value, limit, converted, earning.end, cal.policy.threshold.converted_to)
