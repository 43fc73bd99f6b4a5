"""The planner's store on real SQLite and real PostgreSQL (a scratch schema each): round
trips, find, claimed, remove, budgets and totals, views, CSV export, limits, ids refused at
the edge, forget-a-person on both kinds of plan, retention."""

import csv
import doctest
import importlib
import io
from datetime import date, datetime
from decimal import Decimal

import pytest

import planner
from planner import (Activity, Budget, PlanError, PlanLimitError, PlanStore, personal_plan,
                     shared_plan)
from planner import store as plan_store

ME = personal_plan("29:alice")
TEAM = shared_plan("19:team@thread.tacv2")


@pytest.fixture
async def plans(scratch):
    database = await scratch.connect()
    await plan_store.migrate(database)
    return PlanStore(database)


@pytest.mark.parametrize("module", ["planner.facts", "planner.model", "planner.store"])
def test_doctests(module):
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.attempted and not result.failed


def test_plan_ids():
    assert ME == "u:29:alice" and TEAM == "c:19:team@thread.tacv2"
    assert planner.plan_kind(ME) == "personal" and planner.plan_kind(TEAM) == "shared"
    long = personal_plan("29:" + "x" * 1000)
    assert len(long) == 202 and planner.check_plan_id(long) == long
    for bad in ("", "x:1", "u:", "u:a\x00b", None, 7, "u:" + "y" * 300):
        with pytest.raises(PlanError) as err:
            planner.check_plan_id(bad)
        assert err.value.code == "invalid_plan_id"
    with pytest.raises(PlanError):
        personal_plan("")


async def test_add_get_round_trip(plans):
    a = await plans.add(ME, name="  Webinar   Azure ", start=date(2027, 3, 12), end=date(2027, 3, 12),
                        cost="5000", currency="eur", program="CSP", added_by="29:alice")
    assert isinstance(a, Activity) and len(a.id) == 32
    assert (a.name, a.cost, a.currency, a.program, a.added_by, a.claimed_on) == (
        "Webinar Azure", Decimal("5000.00"), "EUR", "CSP", "29:alice", None)
    got = await plans.get(ME, a.id)
    assert got == a and isinstance(got.created_at, datetime)
    assert await plans.get(TEAM, a.id) is None  # another plan never sees it
    assert await plans.activities(ME) == [a]
    assert await plans.activities(TEAM) == []
    bare = await plans.add(TEAM, name="Trade show", start=date(2027, 6, 3), end=date(2027, 6, 5))
    assert (bare.cost, bare.currency, bare.added_by) == (None, None, None)
    assert await plans.get(TEAM, bare.id) == bare


async def test_refusals_are_codes(plans):
    cases = [
        (dict(name="", start=date(2027, 1, 1), end=date(2027, 1, 1)), "name_required"),
        (dict(name="x" * 201, start=date(2027, 1, 1), end=date(2027, 1, 1)), "name_too_long"),
        (dict(name="a", start=date(2027, 1, 2), end=date(2027, 1, 1)), "bad_dates"),
        (dict(name="a", start="2027-01-01", end=date(2027, 1, 1)), "bad_dates"),
        (dict(name="a", start=date(1999, 1, 1), end=date(1999, 1, 1)), "date_out_of_range"),
        (dict(name="a", start=date(2100, 12, 1), end=date(2101, 1, 1)), "date_out_of_range"),
        (dict(name="a", start=date(2027, 1, 1), end=date(2027, 1, 1), cost="-5", currency="EUR"), "bad_amount"),
        (dict(name="a", start=date(2027, 1, 1), end=date(2027, 1, 1), cost="nope", currency="EUR"), "bad_amount"),
        (dict(name="a", start=date(2027, 1, 1), end=date(2027, 1, 1), cost="5"), "currency_required"),
        (dict(name="a", start=date(2027, 1, 1), end=date(2027, 1, 1), currency="EUR"), "bad_amount"),
        (dict(name="a", start=date(2027, 1, 1), end=date(2027, 1, 1), cost="5", currency="€"), "bad_currency"),
        (dict(name="a", start=date(2027, 1, 1), end=date(2027, 1, 1), cost="1e12", currency="EUR"), "amount_too_large"),
        (dict(name="a", start=date(2027, 1, 1), end=date(2027, 1, 1), program="p" * 101), "program_too_long"),
    ]
    for kwargs, code in cases:
        with pytest.raises(PlanError) as err:
            await plans.add(ME, **kwargs)
        assert err.value.code == code, kwargs
    assert await plans.activities(ME) == []
    for bad_id in ("x", "../etc", "A" * 32, None, 5):
        with pytest.raises(PlanError) as err:
            await plans.get(ME, bad_id)
        assert err.value.code == "invalid_activity_id"
    with pytest.raises(PlanError) as err:
        await plans.activities("nope")
    assert err.value.code == "invalid_plan_id"


async def test_find_by_words_ignoring_case_and_accents(plans):
    webinar = await plans.add(ME, name="Webinar Azure", start=date(2027, 3, 12), end=date(2027, 3, 12))
    salon = await plans.add(ME, name="Salon Événements Microsoft", start=date(2027, 6, 3), end=date(2027, 6, 5))
    show = await plans.add(ME, name="Trade show Lyon", start=date(2027, 9, 1), end=date(2027, 9, 2))
    other = await plans.add(ME, name="Second webinar", start=date(2027, 4, 1), end=date(2027, 4, 1))
    assert await plans.find(ME, "the webinar") == [webinar, other]
    assert await plans.find(ME, "WEBINAR azure") == [webinar]
    assert await plans.find(ME, "notre salon des evenements") == [salon]
    assert await plans.find(ME, "événement") == [salon]
    assert await plans.find(ME, "remove the trade show") == [show]
    assert await plans.find(ME, "golf") == []
    assert await plans.find(ME, "") == []
    assert await plans.find(TEAM, "webinar") == []


async def test_update_mark_claimed_remove(plans):
    a = await plans.add(ME, name="Webinar", start=date(2027, 3, 12), end=date(2027, 3, 12),
                        cost=100, currency="USD")
    moved = await plans.update(ME, a.id, start=date(2027, 9, 1), end=date(2027, 9, 2), name="Webinar 2")
    assert (moved.name, moved.start, moved.end, moved.cost) == ("Webinar 2", date(2027, 9, 1), date(2027, 9, 2), Decimal("100.00"))
    assert await plans.get(ME, a.id) == moved
    no_cost = await plans.update(ME, a.id, cost=None)
    assert (no_cost.cost, no_cost.currency) == (None, None)
    with pytest.raises(PlanError) as err:
        await plans.update(ME, a.id, plan_id=TEAM)
    assert err.value.code == "unknown_field"
    with pytest.raises(PlanError):
        await plans.update(ME, a.id, end=date(2027, 1, 1))
    claimed = await plans.mark_claimed(ME, a.id, on=date(2028, 1, 10))
    assert claimed.claimed_on == date(2028, 1, 10)
    assert (await plans.get(ME, a.id)).claimed_on == date(2028, 1, 10)
    assert (await plans.mark_claimed(ME, a.id, on=None)).claimed_on is None
    assert await plans.mark_claimed(TEAM, a.id, on=date(2028, 1, 10)) is None
    assert await plans.update(TEAM, a.id, name="x") is None
    assert not await plans.remove(TEAM, a.id)
    assert await plans.remove(ME, a.id)
    assert not await plans.remove(ME, a.id)
    assert await plans.get(ME, a.id) is None


async def test_view_statuses_and_warnings(plans):
    today = date(2027, 5, 20)
    planned = await plans.add(ME, name="Future", start=date(2027, 6, 1), end=date(2027, 6, 1))
    done = await plans.add(ME, name="Done early", start=date(2027, 1, 10), end=date(2027, 1, 10))
    open_ = await plans.add(ME, name="Open", start=date(2027, 3, 12), end=date(2027, 3, 12))
    late = await plans.add(ME, name="Late", start=date(2026, 3, 1), end=date(2026, 3, 1))
    claimed = await plans.add(ME, name="Claimed", start=date(2026, 9, 1), end=date(2026, 9, 1))
    await plans.mark_claimed(ME, claimed.id, on=date(2026, 12, 1))
    spans = await plans.add(ME, name="Campaign", start=date(2027, 6, 15), end=date(2027, 7, 15))
    view = await plans.view(ME, today)
    by_name = {v.activity.name: v for v in view.activities}
    assert by_name["Future"].status == "planned" and by_name["Future"].days_left == (date(2027, 8, 15) - today).days
    assert by_name["Open"].status == "open" and by_name["Open"].days_left == 87
    assert by_name["Late"].status == "too_late" and by_name["Late"].days_left is None
    assert by_name["Late"].warnings == ("window_closed",)
    assert by_name["Claimed"].status == "claimed" and by_name["Claimed"].warnings == ()
    assert by_name["Campaign"].warnings == ("spans_two_usage_periods",)
    assert by_name["Campaign"].status == "planned"
    # a January 2027 activity in the window opening Feb 16, 2027: done before it opens
    early = (await plans.view(ME, date(2027, 2, 1)))
    assert {v.activity.name: v.status for v in early.activities}["Done early"] == "done"
    assert by_name["Done early"].status == "open"
    # sorted by claiming window: the closed ones first, then Feb 16 – Aug 15 2027, then the rest
    names = [v.activity.name for v in view.activities]
    assert names.index("Late") < names.index("Claimed") < names.index("Done early")
    assert names[-1] == "Campaign" or view.activities[-1].facts.claim_closes >= view.activities[-2].facts.claim_closes
    closes = [v.facts.claim_closes for v in view.activities]
    assert closes == sorted(closes)
    assert planned and done and open_ and late and spans


async def test_budgets_totals_and_named_funds(plans):
    today = date(2027, 1, 5)
    with pytest.raises(PlanError) as err:
        await plans.set_budget(ME, date(2026, 7, 1), date(2026, 9, 30), "20000", "USD")
    assert err.value.code == "not_a_half"
    b = await plans.set_budget(ME, date(2026, 7, 1), date(2026, 12, 31), "20000", "USD")
    assert b == Budget(ME, date(2026, 7, 1), date(2026, 12, 31), Decimal("20000.00"), "USD")
    again = await plans.set_budget(ME, date(2026, 7, 1), date(2026, 12, 31), "12000", "USD")
    assert await plans.budgets(ME) == [again]  # one per half: replaced
    await plans.add(ME, name="Webinar", start=date(2027, 3, 12), end=date(2027, 3, 12), cost="5000", currency="USD")
    await plans.add(ME, name="Ads", start=date(2027, 4, 1), end=date(2027, 4, 30), cost="1000", currency="EUR")
    await plans.add(ME, name="Later", start=date(2027, 9, 1), end=date(2027, 9, 1), cost="300", currency="USD")
    view = await plans.view(ME, today)
    first, second = view.totals
    assert (first.usage_start, first.usage_end) == (date(2027, 1, 1), date(2027, 6, 30))
    assert first.planned == {"USD": Decimal("5000.00"), "EUR": Decimal("1000.00")}
    assert first.available == {"USD": Decimal("12000.00")}
    assert first.unplanned == {"USD": Decimal("7000.00")}  # never converted: EUR is not USD
    assert (second.usage_start, second.available, second.unplanned) == (date(2027, 7, 1), None, None)
    assert second.planned == {"USD": Decimal("300.00")}
    warn = {v.activity.name: v.warnings for v in view.activities}
    assert warn["Webinar"] == () and warn["Later"] == ("outside_named_funds",)
    assert await plans.remove_budget(ME, date(2026, 7, 1))
    assert await plans.budgets(ME) == []
    assert {v.activity.name: v.warnings for v in (await plans.view(ME, today)).activities}["Later"] == ()


async def test_export_csv_neutralises_formulas(plans):
    await plans.add(ME, name="=HYPERLINK(\"http://evil\")", start=date(2027, 3, 12), end=date(2027, 3, 12),
                    cost="5000", currency="EUR", program="+cmd")
    await plans.add(ME, name="@SUM(A1)", start=date(2027, 4, 1), end=date(2027, 4, 1))
    await plans.add(ME, name="-2+3", start=date(2027, 5, 1), end=date(2027, 5, 1))
    await plans.add(ME, name="Plain, \"quoted\"", start=date(2027, 6, 15), end=date(2027, 7, 15))
    text = await plans.export_csv(ME, today=date(2027, 1, 5))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["name"] for r in rows] == ["'=HYPERLINK(\"http://evil\")", "'@SUM(A1)", "'-2+3",
                                         "Plain, \"quoted\""]
    assert rows[0]["program"] == "'+cmd" and rows[0]["cost"] == "5000.00"
    assert rows[0]["claim_opens"] == "2027-02-16" and rows[0]["keep_until"] == "2029-03-12"
    assert rows[3]["warnings"] == "spans_two_usage_periods"
    for row in rows:
        for cell in row.values():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert "added_by" not in text


async def test_plan_size_limits(plans, monkeypatch):
    monkeypatch.setattr(plan_store, "MAX_ACTIVITIES", 3)
    monkeypatch.setattr(plan_store, "MAX_BUDGETS", 2)
    for i in range(3):
        await plans.add(TEAM, name=f"a{i}", start=date(2027, 1, 1), end=date(2027, 1, 1))
    with pytest.raises(PlanLimitError) as err:
        await plans.add(TEAM, name="one more", start=date(2027, 1, 1), end=date(2027, 1, 1))
    assert (err.value.code, err.value.params) == ("too_many_activities", {"limit": 3})
    await plans.add(ME, name="another plan", start=date(2027, 1, 1), end=date(2027, 1, 1))
    await plans.set_budget(TEAM, date(2026, 1, 1), date(2026, 6, 30), 1, "EUR")
    await plans.set_budget(TEAM, date(2026, 7, 1), date(2026, 12, 31), 1, "EUR")
    await plans.set_budget(TEAM, date(2026, 7, 1), date(2026, 12, 31), 2, "EUR")  # replacing is fine
    with pytest.raises(PlanLimitError) as err:
        await plans.set_budget(TEAM, date(2027, 1, 1), date(2027, 6, 30), 1, "EUR")
    assert err.value.code == "too_many_budgets"


async def test_forget_person_on_both_kinds_of_plan(plans):
    mine = await plans.add(ME, name="Mine", start=date(2027, 3, 12), end=date(2027, 3, 12), added_by="29:alice")
    await plans.set_budget(ME, date(2026, 7, 1), date(2026, 12, 31), 1000, "EUR")
    hers = await plans.add(TEAM, name="Hers", start=date(2027, 3, 12), end=date(2027, 3, 12), added_by="29:alice")
    his = await plans.add(TEAM, name="His", start=date(2027, 3, 13), end=date(2027, 3, 13), added_by="29:bob")
    bobs = await plans.add(personal_plan("29:bob"), name="Bob's", start=date(2027, 3, 12),
                           end=date(2027, 3, 12), added_by="29:bob")
    counts = await plans.forget_person("29:alice")
    assert counts == {"activities": 1, "budgets": 1, "unattributed": 1}
    assert await plans.get(ME, mine.id) is None and await plans.budgets(ME) == []
    assert (await plans.get(TEAM, hers.id)).added_by is None  # the shared plan keeps it
    assert (await plans.get(TEAM, his.id)).added_by == "29:bob"
    assert await plans.get(personal_plan("29:bob"), bobs.id) == bobs
    assert await plans.forget_person("29:alice") == {"activities": 0, "budgets": 0, "unattributed": 0}


async def test_long_user_ids_are_forgotten_too(plans):
    long_user = "29:" + "z" * 600
    plan = personal_plan(long_user)
    await plans.add(plan, name="x", start=date(2027, 3, 12), end=date(2027, 3, 12), added_by=long_user)
    shared = await plans.add(TEAM, name="y", start=date(2027, 3, 12), end=date(2027, 3, 12), added_by=long_user)
    assert (await plans.forget_person(long_user))["activities"] == 1
    assert (await plans.get(TEAM, shared.id)).added_by is None


async def test_retention_keeps_what_still_matters(plans):
    # a webinar on 12 March 2027: claimable until 15 Aug 2027, PoE kept until 12 March 2029
    a = await plans.add(ME, name="Webinar", start=date(2027, 3, 12), end=date(2027, 3, 12))
    await plans.set_budget(ME, date(2026, 7, 1), date(2026, 12, 31), 1000, "EUR")  # claim ends 2027-08-15
    assert await plans.purge_before(date(2027, 8, 15)) == 0
    assert await plans.purge_before(date(2027, 8, 16)) == 1  # the budget
    assert await plans.purge_before(date(2029, 3, 12)) == 0
    assert await plans.get(ME, a.id) is not None
    assert await plans.purge_before(date(2029, 3, 13)) == 1
    assert await plans.activities(ME) == []


async def test_the_retention_job_purges_plans_past_their_last_date(plans):
    import asyncio
    from datetime import timezone

    from storage.retention import run_retention

    old = await plans.add(ME, name="Old", start=date(2027, 3, 12), end=date(2027, 3, 12))  # kept until 2029-03-12
    fresh = await plans.add(ME, name="Fresh", start=date(2028, 3, 12), end=date(2028, 3, 12))
    clock = lambda: datetime(2029, 4, 20, tzinfo=timezone.utc)  # noqa: E731 - cutoff 2029-03-21
    task = asyncio.create_task(run_retention(None, 30, every=0.01, plans=plans, clock=clock))
    try:
        for _ in range(200):
            if [a.id for a in await plans.activities(ME)] == [fresh.id]:
                break
            await asyncio.sleep(0.01)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert [a.id for a in await plans.activities(ME)] == [fresh.id] and old.id != fresh.id
