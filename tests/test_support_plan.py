"""A partner's plan on the support desk (issue #20): ``GET /support/api/plan`` over HTTP on the
product's app, real SQLite and PostgreSQL, only behind the desk's own sign-in (the session
of the page, or a bearer token of the allowed group from a loopback issuer); nobody's id in
what it shows."""
from __future__ import annotations

import json
from datetime import date

import pytest

import services
from planner import PlanStore, personal_plan, shared_plan
from test_support_api import LOCAL, issuer, oidc_env, start_desk  # noqa: F401 (fixtures)

PARTNER = "29:partner-plan-1"
CHANNEL = "19:plans@thread.tacv2"


@pytest.fixture
async def plans_db(scratch):
    db = await scratch.connect()
    await services.migrate_database(db)  # as `python app.py migrate` would
    plans = PlanStore(db)
    await plans.add(personal_plan(PARTNER), name="Webinar", start=date(2027, 3, 12), end=date(2027, 3, 12),
                    cost="5000", currency="EUR", added_by=PARTNER)
    await plans.set_budget(personal_plan(PARTNER), date(2026, 7, 1), date(2026, 12, 31), "12000", "EUR")
    await plans.add(shared_plan(CHANNEL), name="Trade show", start=date(2027, 6, 15), end=date(2027, 7, 15),
                    added_by="29:colleague")
    return db


async def test_the_plan_is_shown_only_signed_in(start_desk, plans_db):
    desk = await start_desk(LOCAL, db=plans_db)
    path = f"/support/api/plan?user={PARTNER}&today=2027-05-01"
    assert (await desk.http.get(desk.base + path)).status == 401  # no session: nothing
    await desk.open_page()
    response = await desk.http.get(desk.base + path, headers=desk.headers(csrf=False))
    assert response.status == 200 and response.headers["Cache-Control"] == "no-store"
    body = await response.json()
    [webinar] = body["activities"]
    assert (webinar["name"], webinar["status"], webinar["days_left"]) == ("Webinar", "open", 106)
    assert webinar["windows"] == [{"earning": ["2026-07-01", "2026-12-31"], "usage": ["2027-01-01", "2027-06-30"],
                                   "claim": ["2027-02-16", "2027-08-15"]}]
    assert webinar["keep_until"] == "2029-03-12"
    assert body["totals"] == [{"usage": ["2027-01-01", "2027-06-30"], "planned": {"EUR": "5000.00"},
                               "available": {"EUR": "12000.00"}, "unplanned": {"EUR": "7000.00"}}]
    assert PARTNER not in json.dumps(body) and "added_by" not in json.dumps(body)
    shared = await (await desk.http.get(desk.base + f"/support/api/plan?conversation={CHANNEL}&today=2027-05-01",
                                        headers=desk.headers(csrf=False))).json()
    assert [a["warnings"] for a in shared["activities"]] == [["spans_two_usage_periods"]]
    assert "29:colleague" not in json.dumps(shared)
    for bad in ("", f"?user={PARTNER}&conversation={CHANNEL}", "?user=", f"?user={PARTNER}&today=nope"):
        response = await desk.http.get(desk.base + "/support/api/plan" + bad, headers=desk.headers(csrf=False))
        assert response.status == 400, bad


async def test_the_plan_over_a_bearer_token_of_the_allowed_group_only(start_desk, issuer, plans_db):
    desk = await start_desk(oidc_env(issuer), db=plans_db)
    path = desk.base + f"/support/api/plan?user={PARTNER}"

    async def status_with(token):
        return (await desk.http.get(path, headers={"Authorization": f"Bearer {token}"})).status

    assert await status_with(issuer.token()) == 200
    assert await status_with(issuer.token(groups=["someone-else"])) == 403
    assert await status_with("not-a-jwt") == 401
    assert (await desk.http.get(path)).status == 401
