"""A plan's reminders through the reminders' ledger, leases and sender, on real SQLite and real
PostgreSQL, delivered by the production adapter transport to the fake Teams connector on
loopback: the window-opening reminder once across two sweepers, none for a claimed activity,
the channel's @mention, budgets, "stop reminders", forget-my-data."""

import asyncio
import json
import platform
from datetime import date
from decimal import Decimal

import pytest

from bot.proactive import production_transport
from config import Settings
from fake_connector import reference
from planner import PlanStore, personal_plan, shared_plan
from planner.schedule import PlanDigest
from reminders import StoreReminders, store
from reminders.plans import track_plan
from reminders.sweeper import run_sweep

# msrest asks platform.processor() (which runs `uname -p`) the first time a process builds a
# connector client; asked here, at collection, it is cached before any fast test runs
platform.processor()

FAST = dict(backoff_base=0.02, backoff_cap=0.1, default_retry_after=0.05)
ALICE, BOB = "29:alice", "29:bob"
CHANNEL = "19:general@thread.tacv2"


def render(digest: PlanDigest) -> dict:
    """A renderer as the Teams side's is called: the digest in, a message out (here its data
    as JSON, so the test reads what the sweep handed over)."""
    data = {"notices": [{"key": n.key, "kind": n.kind, "plan_id": n.plan_id,
                         "activity_id": n.activity_id, "deadline": n.deadline.isoformat(),
                         "days_left": n.days_left,
                         "claim_opens": n.part.claim_opens.isoformat() if n.part else None,
                         "added_by": n.activity.added_by if n.activity else None,
                         "unplanned": str(n.unplanned) if n.unplanned is not None else None}
                        for n in digest.notices],
            "mention": list(digest.mention) if digest.mention else None}
    return {"type": "message", "text": json.dumps(data)}


def sent(connector, conversation):
    return [json.loads(a["text"]) for cid, a in connector.delivered if cid == conversation
            and a.get("text", "").startswith("{")]


def channel_ref(url, user_id=ALICE):
    ref = reference(url, CHANNEL, user_id=user_id)
    ref["conversation"]["conversationType"] = "channel"
    return ref


@pytest.fixture
async def db(scratch):
    database = await scratch.connect()
    await store.migrate(database)  # the planner's tables too
    return database


@pytest.fixture
async def sweep(db, transport):
    async def run(as_of, **kwargs):
        return await run_sweep(db, transport, as_of, tenant_rate=100, plan_renderer=render,
                               **{**FAST, **kwargs})
    return run


async def test_window_opening_reminder_once_across_two_sweepers(scratch, connector):
    first, second = await scratch.connect(), await scratch.connect()
    await store.migrate(first)
    plans = PlanStore(first)
    for i in range(30):
        user = f"29:u{i}"
        await track_plan(first, user_id=user, reference=reference(connector.service_url, f"a:{i}", user_id=user),
                         today=date(2027, 1, 5))
        await plans.add(personal_plan(user), name=f"Webinar {i}", start=date(2027, 3, 12),
                        end=date(2027, 3, 12), added_by=user)
    t1 = production_transport(Settings(), timeout=2)
    t2 = production_transport(Settings(), timeout=2)
    try:
        for day in (date(2027, 2, 14), date(2027, 2, 15)):  # nothing due before the window opens
            await run_sweep(first, t1, day, tenant_rate=200, plan_renderer=render, **FAST)
        assert connector.delivered == []
        a, b = await asyncio.gather(
            run_sweep(first, t1, date(2027, 2, 16), tenant_rate=200, plan_renderer=render, **FAST),
            run_sweep(second, t2, date(2027, 2, 16), tenant_rate=200, plan_renderer=render, **FAST))
        again = await run_sweep(second, t2, date(2027, 2, 16), tenant_rate=200, plan_renderer=render, **FAST)
    finally:
        await t1.close()
        await t2.close()
    assert a.sent + b.sent == 30 and again.sent == 0
    assert sorted(connector.counts().values()) == [1] * 30
    [message] = sent(connector, "a:7")
    [notice] = message["notices"]
    assert notice["kind"] == "activity_claim_open" and notice["claim_opens"] == "2027-02-16"
    assert notice["deadline"] == "2027-08-15" and notice["plan_id"] == personal_plan("29:u7")
    assert message["mention"] is None
    assert await store.ledger_counts(first) == {"sent": 30}


async def test_a_claimed_activity_gets_no_closing_reminder(db, connector, sweep):
    plans = PlanStore(db)
    await track_plan(db, user_id=ALICE, reference=reference(connector.service_url, "a:alice", user_id=ALICE),
                     today=date(2027, 7, 1))
    claimed = await plans.add(personal_plan(ALICE), name="Claimed webinar", start=date(2027, 3, 12),
                              end=date(2027, 3, 12), added_by=ALICE)
    other = await plans.add(personal_plan(ALICE), name="Other webinar", start=date(2027, 3, 13),
                            end=date(2027, 3, 13), added_by=ALICE)
    await plans.mark_claimed(personal_plan(ALICE), claimed.id, on=date(2027, 7, 10))
    await sweep(date(2027, 7, 16))  # 30 days before 15 August
    [message] = sent(connector, "a:alice")
    assert [n["activity_id"] for n in message["notices"]] == [other.id]
    assert message["notices"][0]["kind"] == "activity_claim_close" and message["notices"][0]["days_left"] == 30
    # claimed after the 7-day reminder was planned but before it went out: skipped, not sent
    connector.fail("a:alice", 503, times=50)
    summary = await sweep(date(2027, 8, 8))
    assert summary.retry_later == 1
    await plans.mark_claimed(personal_plan(ALICE), other.id, on=date(2027, 8, 8))
    connector.faults.clear()
    summary = await sweep(date(2027, 8, 8))
    assert summary.sent == 0 and summary.skipped == 1
    assert len(sent(connector, "a:alice")) == 1


async def test_a_channel_plan_reminds_whoever_added_the_activity(db, connector, sweep):
    plans = PlanStore(db)
    team = shared_plan(CHANNEL)
    await track_plan(db, user_id=ALICE, reference=channel_ref(connector.service_url, ALICE),
                     user_name="Alice", today=date(2027, 1, 5))
    await track_plan(db, user_id=BOB, reference=channel_ref(connector.service_url, BOB),
                     user_name="Bob", today=date(2027, 1, 6))
    hers = await plans.add(team, name="Her webinar", start=date(2027, 3, 12), end=date(2027, 3, 12), added_by=ALICE)
    his = await plans.add(team, name="His trade show", start=date(2027, 3, 3), end=date(2027, 3, 5), added_by=BOB)
    await sweep(date(2027, 2, 16))
    messages = sent(connector, CHANNEL)
    assert len(messages) == 2  # one per member, each about their own activity
    by_mention = {m["mention"][1]: [n["activity_id"] for n in m["notices"]] for m in messages}
    assert by_mention == {"Alice": [hers.id], "Bob": [his.id]}
    assert {tuple(m["mention"]) for m in messages} == {(ALICE, "Alice"), (BOB, "Bob")}
    # Bob is forgotten: his activity stays in the plan, its reminder goes to the channel's
    # earliest subscription (Alice's) without an @mention of anyone for it
    service = StoreReminders(db)
    counts = await service.forget_user(BOB)
    assert counts["plan_unattributed"] == 1 and counts["subscriptions"] == 1
    assert (await plans.get(team, his.id)).added_by is None
    await sweep(date(2027, 7, 16))
    [late] = [m for m in sent(connector, CHANNEL) if m["notices"][0]["kind"] == "activity_claim_close"]
    assert sorted(n["activity_id"] for n in late["notices"]) == sorted([hers.id, his.id])
    assert late["mention"] == [ALICE, "Alice"]  # for her own activity
    orphan = [n for n in late["notices"] if n["activity_id"] == his.id][0]
    assert orphan["added_by"] is None


async def test_budget_reminders_only_while_part_is_unplanned(db, connector, sweep):
    plans = PlanStore(db)
    mine = personal_plan(ALICE)
    await track_plan(db, user_id=ALICE, reference=reference(connector.service_url, "a:alice", user_id=ALICE),
                     today=date(2027, 1, 5))
    await plans.set_budget(mine, date(2026, 7, 1), date(2026, 12, 31), "12000", "EUR")
    webinar = await plans.add(mine, name="Webinar", start=date(2027, 3, 12), end=date(2027, 3, 12),
                              cost="5000", currency="EUR", added_by=ALICE)
    await sweep(date(2027, 4, 30))  # the webinar's window opened on 16 Feb: caught up
    assert [n["kind"] for m in sent(connector, "a:alice") for n in m["notices"]] == ["activity_claim_open"]
    await sweep(date(2027, 5, 1))  # 60 days before 30 June
    message = sent(connector, "a:alice")[-1]
    [notice] = message["notices"]
    assert (notice["kind"], notice["deadline"], notice["unplanned"]) == ("budget_unplanned", "2027-06-30", "7000.00")
    await plans.update(mine, webinar.id, cost="12000")  # now fully planned
    await sweep(date(2027, 6, 16))  # 14 days before: nothing left unplanned, nothing sent
    assert len(sent(connector, "a:alice")) == 2


async def test_stop_reminders_stops_the_plan_and_tracking_asks_for_no_cycles(db, connector, sweep):
    plans = PlanStore(db)
    sub = await track_plan(db, user_id=ALICE, reference=reference(connector.service_url, "a:alice", user_id=ALICE),
                           today=date(2027, 1, 5))
    assert sub.active and not sub.cycle_reminders
    await plans.add(personal_plan(ALICE), name="Webinar", start=date(2027, 3, 12), end=date(2027, 3, 12),
                    added_by=ALICE)
    # 16 Feb 2027 is also the cycles' own claim_open day: a plan-only subscriber gets only the plan's
    await sweep(date(2027, 2, 16))
    assert len(connector.delivered) == 1 and sent(connector, "a:alice")
    assert await store.unsubscribe(db, ALICE)
    await sweep(date(2027, 7, 16))
    assert len(connector.delivered) == 1
    again = await track_plan(db, user_id=ALICE, reference=reference(connector.service_url, "a:alice", user_id=ALICE),
                             today=date(2027, 7, 17))
    assert not again.active  # tracking never overrides "stop reminders"
    back = await store.subscribe(db, user_id=ALICE, reference=reference(connector.service_url, "a:alice", user_id=ALICE),
                                 today=date(2027, 8, 7))
    assert back.active and back.cycle_reminders
    await sweep(date(2027, 8, 8))  # the 7-day one comes back, with the cycles' digest beside it
    assert len(sent(connector, "a:alice")) == 2
    assert len(connector.delivered) == 3


async def test_without_a_renderer_plan_reminders_wait(db, connector, transport):
    plans = PlanStore(db)
    await track_plan(db, user_id=ALICE, reference=reference(connector.service_url, "a:alice", user_id=ALICE),
                     today=date(2027, 1, 5))
    await plans.add(personal_plan(ALICE), name="Webinar", start=date(2027, 3, 12), end=date(2027, 3, 12),
                    added_by=ALICE)
    summary = await run_sweep(db, transport, date(2027, 2, 16), **FAST)
    assert summary.sent == 0 and summary.retry_later == 1 and connector.delivered == []
    assert await store.ledger_counts(db) == {"pending": 1}
    summary = await run_sweep(db, transport, date(2027, 2, 16), plan_renderer=render, **FAST)
    assert summary.sent == 1 and len(sent(connector, "a:alice")) == 1


async def test_forget_my_data_deletes_the_personal_plan(db, connector):
    plans = PlanStore(db)
    await track_plan(db, user_id=ALICE, reference=reference(connector.service_url, "a:alice", user_id=ALICE),
                     today=date(2027, 1, 5))
    await plans.add(personal_plan(ALICE), name="Webinar", start=date(2027, 3, 12), end=date(2027, 3, 12),
                    added_by=ALICE)
    await plans.set_budget(personal_plan(ALICE), date(2026, 7, 1), date(2026, 12, 31), Decimal(1), "EUR")
    counts = await StoreReminders(db).forget_user(ALICE)
    assert counts["plan_activities"] == 1 and counts["plan_budgets"] == 1 and counts["subscriptions"] == 1
    assert await plans.activities(personal_plan(ALICE)) == [] and await plans.budgets(personal_plan(ALICE)) == []


async def test_the_personal_calendar_feed_has_each_activitys_deadline_and_keep_until(db):
    import icalendar
    from aiohttp import web
    from aiohttp.test_utils import TestClient, TestServer
    from datetime import datetime, timedelta, timezone

    from reminders.http import add_routes, calendar_link

    plans = PlanStore(db)
    today = datetime.now(timezone.utc).date()
    day = today + timedelta(days=40)
    webinar = await plans.add(personal_plan(ALICE), name="Webinaire Azure", start=day, end=day, added_by=ALICE)
    claimed = await plans.add(personal_plan(ALICE), name="Claimed one", start=day, end=day, added_by=ALICE)
    await plans.mark_claimed(personal_plan(ALICE), claimed.id, on=today)
    shared = await plans.add(shared_plan(CHANNEL), name="Team trade show", start=day, end=day, added_by=ALICE)
    await plans.add(shared_plan(CHANNEL), name="Bob's own", start=day, end=day, added_by=BOB)
    await plans.add(personal_plan(BOB), name="Bob's private", start=day, end=day, added_by=BOB)
    app = web.Application()
    add_routes(app, db, settings=Settings())
    client = TestClient(TestServer(app))
    await client.start_server()
    try:
        url = await calendar_link(db, ALICE, "http://localhost:3978", lang="fr", locale="fr-FR")
        response = await client.get(url.removeprefix("http://localhost:3978"))
        assert response.status == 200
        events = {str(e["UID"]): e for e in icalendar.Calendar.from_ical(await response.read()).walk("VEVENT")}
    finally:
        await client.close()
    facts = planner_facts(day)
    mine = {uid: e for uid, e in events.items() if uid.startswith("activity-")}
    assert set(mine) == {
        f"activity-claim-closes-{webinar.id}-{facts.parts[0].cycle_label}@coop-assistant",
        f"activity-keep-until-{webinar.id}@coop-assistant",
        f"activity-keep-until-{claimed.id}@coop-assistant",  # claimed: no deadline, still keep the proof
        f"activity-claim-closes-{shared.id}-{facts.parts[0].cycle_label}@coop-assistant",
        f"activity-keep-until-{shared.id}@coop-assistant",
    }
    deadline = mine[f"activity-claim-closes-{webinar.id}-{facts.parts[0].cycle_label}@coop-assistant"]
    assert deadline.decoded("DTSTART") == facts.claim_closes
    assert str(deadline["SUMMARY"]) == "Date limite de demande co-op – Webinaire Azure"
    keep = mine[f"activity-keep-until-{webinar.id}@coop-assistant"]
    assert keep.decoded("DTSTART") == facts.keep_until
    assert "preuve d'exécution" in str(keep["SUMMARY"]) and "Période de demande" in str(keep["DESCRIPTION"])
    assert not any("Bob" in str(e["SUMMARY"]) for e in events.values())
    assert any("claim-closes-" in uid and not uid.startswith("activity-") for uid in events)  # the cycles stay


def planner_facts(day):
    from planner import activity_facts

    return activity_facts(day, day, day)
