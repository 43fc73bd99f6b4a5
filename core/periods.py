"""Fiscal halves, earning periods and the earning → usage → claiming cycle.

Everything is whole calendar months and inclusive dates. A fiscal half is identified by its
first month; the policy says which month starts the fiscal year (July) and where a claiming
window opens and closes relative to the usage period.

>>> cal = calendar()
>>> c = cal.cycle_for_date(date(2020, 8, 1))
>>> c.earning.name, c.earning.start, c.earning.end
('H1', datetime.date(2020, 7, 1), datetime.date(2020, 12, 31))
>>> c.usage.start, c.forfeiture
(datetime.date(2021, 1, 1), datetime.date(2021, 6, 30))
>>> c.claiming.start, c.claiming.end
(datetime.date(2021, 2, 16), datetime.date(2021, 8, 15))
>>> cal.fy_label(c.earning, "seed"), cal.fy_label(c.earning, "microsoft")
('FY20 H1', 'FY21 H1')
"""
from __future__ import annotations

import calendar as _stdcal
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Iterator

from .errors import InvalidDate, OutOfRange
from .policy import Policy, load_policy

MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December")


def month_index(year: int, month: int) -> int:
    """Months since year 0: a total order on months that makes month arithmetic exact."""
    return year * 12 + (month - 1)


def month_of(index: int) -> tuple[int, int]:
    """(year, month) of a month index."""
    return index // 12, index % 12 + 1


def last_day(year: int, month: int) -> int:
    return _stdcal.monthrange(year, month)[1]


@dataclass(frozen=True, order=True)
class DateRange:
    """An inclusive range of days."""

    start: date
    end: date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True, order=True)
class MonthSpan:
    """An inclusive range of whole months, by month index."""

    first: int
    last: int

    @property
    def start(self) -> date:
        y, m = month_of(self.first)
        return date(y, m, 1)

    @property
    def end(self) -> date:
        y, m = month_of(self.last)
        return date(y, m, last_day(y, m))

    @property
    def dates(self) -> DateRange:
        return DateRange(self.start, self.end)

    @property
    def months(self) -> int:
        return self.last - self.first + 1

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.first <= month_index(day.year, day.month) <= self.last

    def month_list(self) -> list[tuple[int, int]]:
        return [month_of(i) for i in range(self.first, self.last + 1)]


@dataclass(frozen=True, order=True)
class Half(MonthSpan):
    """A fiscal half-year: six months, ``H1`` or ``H2``.

    ``fiscal_year`` is the calendar year in which its fiscal year starts (July 2020 → 2020
    for both FY halves July 2020 – June 2021).
    """

    name: str = "H1"
    fiscal_year: int = 0


@dataclass(frozen=True)
class Cycle:
    """One earning period with the usage period and claiming window that follow it."""

    earning: Half
    usage: Half
    claiming: DateRange

    @property
    def forfeiture(self) -> date:
        """Last day of the usage period: earnings unused by its end are forfeited."""
        return self.usage.end


class CoopCalendar:
    """The period rules of one policy. Pure: no clock, no I/O."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        rules = policy.periods
        self._fy_offset = rules.fiscal_year_start_month - 1  # month index offset of H1 starts
        self._half = rules.half_months
        self._min = date(policy.min_year, 1, 1)
        self._max = date(policy.max_year, 12, 31)

    # --- validation -------------------------------------------------------------------
    @property
    def first_day(self) -> date:
        return self._min

    @property
    def last_day(self) -> date:
        return self._max

    def check_year(self, year: int) -> int:
        if not self.policy.min_year <= year <= self.policy.max_year:
            raise OutOfRange(
                f"{year} is outside the years I can answer for ({self.policy.min_year}–{self.policy.max_year}).",
                year=year, min_year=self.policy.min_year, max_year=self.policy.max_year,
            )
        return year

    def check_date(self, day: date) -> date:
        self.check_year(day.year)
        return day

    def check_half(self, half: Half) -> Half:
        """A half whose months all lie in the policy's years; :class:`OutOfRange` otherwise."""
        self.check_year(month_of(half.first)[0])
        self.check_year(month_of(half.last)[0])
        return half

    def make_date(self, year: int, month: int, day: int) -> date:
        """A checked date: a typed error for 2021-02-30 or year 1850, never a wrong day."""
        self.check_year(year)
        if not 1 <= month <= 12:
            raise InvalidDate(f"There is no month {month}: months run from 1 to 12.", year=year, month=month, day=day)
        days = last_day(year, month)
        if not 1 <= day <= days:
            raise InvalidDate(
                f"{year}-{month:02d}-{day:02d} does not exist: {MONTHS_EN[month - 1]} {year} has {days} days.",
                year=year, month=month, day=day, days_in_month=days,
            )
        return date(year, month, day)

    # --- halves -------------------------------------------------------------------------
    def half_at(self, first: int) -> Half:
        """The half whose first month has this month index (must be a half boundary)."""
        if (first - self._fy_offset) % self._half:
            raise ValueError(f"month index {first} does not start a fiscal half")
        fy_start_index = first - ((first - self._fy_offset) % 12)
        name = "H1" if fy_start_index == first else "H2"
        return Half(first, first + self._half - 1, name, month_of(fy_start_index)[0])

    def half_of_month(self, year: int, month: int) -> Half:
        i = month_index(year, month)
        return self.half_at(i - ((i - self._fy_offset) % self._half))

    def half_containing(self, day: date) -> Half:
        return self.half_of_month(day.year, day.month)

    def next_half(self, half: Half, steps: int = 1) -> Half:
        return self.half_at(half.first + steps * self._half)

    def halves_between(self, first_month: int, last_month: int) -> list[Half]:
        """Every half that a range of months (by index) touches, in order."""
        out = [self.half_at(first_month - ((first_month - self._fy_offset) % self._half))]
        while out[-1].last < last_month:
            out.append(self.next_half(out[-1]))
        return out

    def half_named(self, name: str, calendar_year: int) -> Half:
        """The half called ``name`` whose months lie in ``calendar_year``.

        With a July fiscal year that is H1 = July–Dec of that year, H2 = Jan–June of it.
        """
        name = name.upper()
        for month in range(1, 13, self._half):
            half = self.half_of_month(calendar_year, month)
            if half.name == name and month_of(half.first)[0] == calendar_year:
                return half
        # fiscal years that do not start in January or July: take the half starting in that year
        for month in range(1, 13):
            half = self.half_of_month(calendar_year, month)
            if half.name == name and month_of(half.first)[0] == calendar_year:
                return half
        raise ValueError(f"no {name} starts in {calendar_year}")

    # --- FY labels ----------------------------------------------------------------------
    def label_year(self, half: Half, convention: str) -> int:
        """The year in an FY label: the year the fiscal year starts (seed) or ends (microsoft)."""
        if convention == "seed":
            return half.fiscal_year
        if convention == "microsoft":
            return month_of(month_index(half.fiscal_year, self._fy_offset + 1) + 11)[0]
        raise ValueError(f"unknown FY label convention {convention!r} (seed or microsoft)")

    def fy_label(self, half: Half, convention: str) -> str:
        """``FY20 H1`` style label; four digits for years outside 2000–2099."""
        year = self.label_year(half, convention)
        digits = f"{year % 100:02d}" if 2000 <= year <= 2099 else str(year)
        return f"FY{digits} {half.name}"

    def half_from_label(self, label_year: int, name: str, convention: str) -> Half:
        """The half an FY label names: ``half_from_label(2021, "H2", "seed")`` is Jan–Jun 2022.

        :class:`OutOfRange` when that half lies outside the policy's years.
        """
        name = name.upper()
        if name not in ("H1", "H2"):
            raise ValueError(f"unknown half {name!r}")
        if convention == "seed":
            start_year = label_year
        elif convention == "microsoft":
            start_year = label_year if self._fy_offset == 0 else label_year - 1
        else:
            raise ValueError(f"unknown FY label convention {convention!r} (seed or microsoft)")
        h1 = self.half_at(month_index(start_year, self._fy_offset + 1))
        half = h1 if name == "H1" else self.next_half(h1)
        try:
            return self.check_half(half)
        except OutOfRange as exc:
            (y0, m0), (y1, m1) = month_of(half.first), month_of(half.last)
            raise OutOfRange(
                f"FY{label_year} {name} ({convention} labels) is {MONTHS_EN[m0 - 1]} {y0} – "
                f"{MONTHS_EN[m1 - 1]} {y1}, outside the years I can answer for "
                f"({self.policy.min_year}–{self.policy.max_year}).",
                **{**exc.params, "label_year": label_year, "half": name, "convention": convention},
            ) from None

    # --- cycles -------------------------------------------------------------------------
    def cycle(self, earning: Half) -> Cycle:
        rules = self.policy.periods
        usage = self.next_half(earning, rules.usage_halves_after_earning)
        oy, om = month_of(usage.first + rules.claim_opens_months_after_usage_start)
        cy, cm = month_of(usage.last + rules.claim_closes_months_after_usage_end)
        return Cycle(earning, usage, DateRange(date(oy, om, rules.claim_opens_day), date(cy, cm, rules.claim_closes_day)))

    def cycle_for_date(self, day: date) -> Cycle:
        """The cycle of earnings accrued on ``day`` (a day of the policy's years)."""
        return self.cycle(self.half_containing(self.check_date(day)))

    def cycle_claimable_on(self, day: date) -> Cycle:
        """The cycle whose claiming window contains ``day`` (windows are contiguous: exactly one)."""
        half = self.half_containing(self.check_date(day))
        for back in range(0, 4):
            cyc = self.cycle(self.next_half(half, -back))
            if day in cyc.claiming:
                return cyc
            if cyc.claiming.end < day:
                break
        raise AssertionError(f"no claiming window contains {day}: the policy's windows have a gap")

    def cycles(self, first: Half, count: int) -> Iterator[Cycle]:
        half = first
        for _ in range(count):
            yield self.cycle(half)
            half = self.next_half(half)


@lru_cache(maxsize=1)
def calendar() -> CoopCalendar:
    """The calendar of the product's policy."""
    return CoopCalendar(load_policy())


def add_days(day: date, days: int) -> date:
    return day + timedelta(days=days)
