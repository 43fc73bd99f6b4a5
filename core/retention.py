"""Proof-of-execution (PoE) retention: keep original documents 24 months after the activity.

An activity on 29 February has no anniversary 24 months later (that year is not a leap
year). The policy's ``leap_day`` says what to do; the product's policy says ``next_day``:
keep until 1 March, so the documents are never kept less than 24 whole months.

>>> from datetime import date
>>> keep_until(date(2022, 7, 4))
datetime.date(2024, 7, 4)
>>> keep_until(date(2024, 2, 29))
datetime.date(2026, 3, 1)
"""
from __future__ import annotations

from datetime import date

from .periods import CoopCalendar, calendar, last_day, month_index, month_of


def keep_until(activity: date, cal: CoopCalendar | None = None) -> date:
    """The day until which PoE originals for an activity on ``activity`` must be kept."""
    cal = cal or calendar()
    cal.check_date(activity)
    rules = cal.policy.retention
    y, m = month_of(month_index(activity.year, activity.month) + rules.poe_months)
    days = last_day(y, m)
    if activity.day <= days:
        return date(y, m, activity.day)
    if rules.leap_day == "month_end":
        return date(y, m, days)
    # next_day: the first day after the missing anniversary
    ny, nm = month_of(month_index(y, m) + 1)
    return date(ny, nm, activity.day - days)
