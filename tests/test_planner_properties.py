"""Property tests (Hypothesis, every day of 2000–2100) of the planner against an oracle written
here from SPEC's words with ``dateutil.relativedelta`` on real dates (``core`` counts months by
index): an activity's funding earnings, usage period, claiming window and keep-until date agree
with it, and no reminder date ever falls after the deadline it announces."""

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from planner import Activity, Budget, activity_facts, view_of
from planner.schedule import (ACTIVITY_CLOSE, ACTIVITY_OPEN, BUDGET_UNPLANNED, activity_reminders,
                              budget_reminders, due_plan_reminders, load_plan_schedule)

FIRST, LAST = date(2000, 1, 1), date(2100, 12, 31)
days = st.dates(min_value=FIRST, max_value=LAST)


def oracle_usage(day: date) -> tuple[date, date]:
    """SPEC rule 6/7: the fiscal half containing ``day`` (H2 = Jan 1 – Jun 30, H1 = Jul 1 –
    Dec 31) is the usage period of an activity on that day (rule 8)."""
    start = date(day.year, 1 if day.month <= 6 else 7, 1)
    return start, start + relativedelta(months=6) - timedelta(days=1)


def oracle_cycle(day: date) -> dict:
    usage_start, usage_end = oracle_usage(day)
    earning_start = usage_start - relativedelta(months=6)  # "the half just before it"
    return {
        "earning": (earning_start, usage_start - timedelta(days=1)),
        "usage": (usage_start, usage_end),
        # the seed's table: from the 16th of the usage period's second month to the 15th of
        # the second month after it ends
        "claim": ((usage_start + relativedelta(months=1)).replace(day=16),
                  (usage_end + relativedelta(months=2)).replace(day=15)),
    }


def oracle_keep_until(day: date) -> date:
    """Rule 9: 24 months after the activity; 29 February has no anniversary, the policy keeps
    until the day after (1 March)."""
    if (day.month, day.day) == (2, 29):
        return date(day.year + 2, 3, 1)
    return day.replace(year=day.year + 2)


def oracle_parts(start: date, end: date) -> list[dict]:
    parts, day = [], start
    while day <= end:
        cycle = oracle_cycle(day)
        parts.append(cycle)
        day = cycle["usage"][1] + timedelta(days=1)
    return parts


spans = st.tuples(days, st.integers(min_value=0, max_value=400)).map(
    lambda t: (t[0], min(LAST, t[0] + timedelta(days=t[1]))))


@settings(max_examples=1500)
@given(spans, days)
def test_facts_agree_with_the_oracle_for_any_dates(span, today):
    start, end = span
    facts = activity_facts(start, end, today)
    parts = oracle_parts(start, end)
    assert [(h.start, h.end) for h in facts.earnings] == [p["earning"] for p in parts]
    assert [(h.start, h.end) for h in facts.usage] == [p["usage"] for p in parts]
    assert [(p.claim_opens, p.claim_closes) for p in facts.parts] == [p["claim"] for p in parts]
    assert (facts.claim_opens, facts.claim_closes) == parts[0]["claim"]
    assert facts.keep_until == oracle_keep_until(end)
    assert facts.spans_two_usage_periods == (len(parts) > 1)
    # each part holds exactly the activity's days inside its usage period
    assert facts.parts[0].days.start == start and facts.parts[-1].days.end == end
    for part, oracle in zip(facts.parts, parts):
        assert oracle["usage"][0] <= part.days.start <= part.days.end <= oracle["usage"][1]
    open_ = [p for p in parts if p["claim"][1] >= today]
    assert (facts.current.claim_closes if facts.current else None) == (open_[0]["claim"][1] if open_ else None)


def _activity(start: date, end: date, claimed: bool = False, created: date = FIRST) -> Activity:
    return Activity("a" * 32, "u:29:x", "x", start, end, Decimal("10"), "EUR", None, "29:x",
                    end if claimed else None, datetime.combine(created, datetime.min.time(), timezone.utc))


@settings(max_examples=1500)
@given(spans)
def test_activity_reminders_never_after_the_deadline_they_announce(span):
    start, end = span
    schedule = load_plan_schedule()
    items = activity_reminders(_activity(start, end))
    parts = oracle_parts(start, end)
    assert len(items) == len(parts) * (len(schedule.claim_opens) + len(schedule.claim_closes_days_before))
    deadlines = {p["claim"][1] for p in parts}
    for item in items:
        assert item.deadline in deadlines  # a claiming window's last day, by the oracle
        assert item.due_date <= item.deadline
        window = next(p["claim"] for p in parts if p["claim"][1] == item.deadline)
        if item.kind == ACTIVITY_OPEN:
            assert item.due_date == window[0] + timedelta(days=item.offset)
        else:
            assert item.kind == ACTIVITY_CLOSE and item.due_date == item.deadline - timedelta(days=item.offset)


halves = st.integers(min_value=2000, max_value=2100).flatmap(
    lambda y: st.sampled_from([(date(y, 1, 1), date(y, 6, 30)), (date(y, 7, 1), date(y, 12, 31))]))


@settings(max_examples=500)
@given(halves)
def test_budget_reminders_never_after_the_usage_period_ends(half):
    usage_end = oracle_usage(half[1] + timedelta(days=1))[1]  # the half after the earnings
    for item in budget_reminders("b" * 32, Budget("u:29:x", half[0], half[1], Decimal(1), "EUR")):
        assert item.kind == BUDGET_UNPLANNED and item.deadline == usage_end
        assert item.due_date == usage_end - timedelta(days=item.offset) <= item.deadline


@settings(max_examples=1500)
@given(spans, days, st.integers(min_value=1, max_value=500), st.booleans(), st.booleans())
def test_what_a_sweep_plans_is_due_and_never_past_its_deadline(span, as_of, back, claimed, budgeted):
    start, end = span
    assume(as_of <= date(2100, 12, 31))
    last_swept = as_of - timedelta(days=back)
    activity = _activity(start, end, claimed)
    budgets = []
    if budgeted:
        earning = oracle_cycle(start)["earning"]
        if earning[0] >= FIRST:
            budgets = [("b" * 32, Budget("u:29:x", earning[0], earning[1], Decimal(100), "EUR"))]
    items = due_plan_reminders([activity], budgets, as_of, last_swept)
    groups = [i.group for i in items]
    assert len(groups) == len(set(groups))  # one per window or budget
    for item in items:
        assert max(last_swept, as_of - timedelta(days=400)) < item.due_date <= as_of <= item.deadline
        if item.kind != BUDGET_UNPLANNED:
            assert not claimed
    # the view agrees with the facts on the same day: a status for every activity
    view = view_of([activity], [b for _, b in budgets], as_of)
    assert view.activities[0].status in ("planned", "done", "open", "claimed", "too_late")
    left = view.activities[0].days_left
    assert left is None or 0 <= left == (view.activities[0].facts.current.claim_closes - as_of).days
