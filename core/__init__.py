"""The co-op rules of the seed, exact for any date from 2000 to 2100. Pure Python.

Public API (everything else is private):

- periods: :func:`calendar` → :class:`CoopCalendar` (``cycle_for_date``, ``cycle``,
  ``half_containing``, ``fy_label``, ``half_from_label``, ``cycle_claimable_on``, ``make_date``),
  :class:`Half`, :class:`Cycle`, :class:`DateRange`, :class:`MonthSpan`
- today: :func:`status`, :func:`window_for_half`, :func:`claim_state`, :func:`usage_state`
- reading: :class:`PeriodReading`, :class:`Interpretation`, :func:`fold` (the words partners
  write, and the locale's numeric date order, are read by ``understanding.reading``)
- retention: :func:`keep_until`
- money: :func:`split`, :func:`check_split`, :func:`to_amount`, :func:`threshold_outcome`
- programs: :func:`find_program`, :func:`find_programs`, :func:`coop_programs`,
  :func:`non_coop_programs`, :func:`roles`, :func:`fundable`, :func:`link`
- policy: :func:`load_policy`, :func:`load_policy_file`, :class:`Policy`
- errors: :class:`CoopError` and its subclasses
- activity: :func:`cycle_for_activity`, :func:`funding_verdict` → :class:`FundingVerdict`,
  :func:`cycles_for_activity_span`, :func:`split_activity_span` → :class:`SpanPart`,
  :func:`funding_verdicts_for_span` → :class:`SpanVerdict`, :func:`cycle_claimable_on`,
  :func:`activity_facts` → :class:`ActivityFacts`
- relative (as the module ``core.relative``, structured input only): ``shift_day``,
  ``shift_months``, ``week``, ``month``, ``quarter``, ``half``, ``named_half``, ``year``, ``month_of_year``
"""
from .errors import (CoopError, InvalidAmount, InvalidDate, InvalidSplit, OutOfRange, PolicyError,
                     UnreadablePeriod)
from .money import Split, ThresholdOutcome, check_split, split, threshold_outcome, to_amount
from .periods import CoopCalendar, Cycle, DateRange, Half, MonthSpan, calendar, month_index, month_of
from .policy import Link, Policy, Program, Role, load_policy, load_policy_file, parse_policy
from .programs import coop_programs, find_program, find_programs, fundable, link, non_coop_programs, roles
from .reading import Interpretation, PeriodReading, fold
from .retention import keep_until
from .today import HalfWindow, Status, claim_state, status, usage_state, window_for_half
from . import relative
from .activity import (ActivityFacts, FundingVerdict, SpanPart, SpanVerdict, activity_facts, cycle_claimable_on,
                       cycle_for_activity, cycles_for_activity_span, funding_verdict, funding_verdicts_for_span,
                       split_activity_span)

__all__ = [name for name in dir() if not name.startswith("_")]
