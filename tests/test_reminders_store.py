"""Subscriptions, ledger and sweeps on real SQLite and real PostgreSQL, sending through the
production adapter transport to the fake Teams connector on loopback.

PostgreSQL tests run in their own scratch schema (storage.testing), dropped afterwards.
"""

import asyncio
from datetime import date

import pytest

from config import Settings
from fake_connector import reference
from reminders import store
from reminders.sweeper import next_reminder_date, run_sweep
from bot.proactive import production_transport
from storage.testing import POSTGRES_TEST_URL, scratch_database

FAST = dict(backoff_base=0.02, backoff_cap=0.1, default_retry_after=0.05)


@pytest.fixture
async def db(scratch):
    database = await scratch.connect()
    await store.migrate(database)
    return database


async def add_subscribers(db, connector, n, *, tenants=1, today=date(2022, 8, 1), prefix="c"):
    for i in range(n):
        await store.subscribe(db, user_id=f"29:{prefix}{i}", today=today, lang="en",
                              reference=reference(connector.service_url, f"{prefix}{i}",
                                                  tenant_id=f"tenant-{i % tenants}"))


# --------------------------------------------------------------------------- subscriptions


async def test_subscribe_list_unsubscribe(db, connector):
    ref = reference(connector.service_url, "conv-1")
    sub = await store.subscribe(db, user_id="29:u1", reference=ref, lang="fr", locale="fr-FR",
                                today=date(2022, 8, 1))
    assert (sub.conversation_id, sub.tenant_id, sub.lang, sub.active) == ("conv-1", "tenant-1", "fr", True)
    assert sub.reference == {k: v for k, v in ref.items() if v is not None}
    assert sub.swept_through == date(2022, 7, 31)
    again = await store.subscribe(db, user_id="29:u1", reference=ref, today=date(2022, 8, 5))
    assert again.id == sub.id and again.swept_through == date(2022, 7, 31)  # still active: cursor kept
    assert [s.user_id for s in await store.list_subscriptions(db)] == ["29:u1"]
    assert await store.unsubscribe(db, "29:u1") is True
    assert await store.unsubscribe(db, "29:u1") is False
    assert await store.list_subscriptions(db) == []
    stopped = await store.get_subscription(db, "29:u1")
    assert (stopped.active, stopped.deactivated_reason) == (False, "user")
    back = await store.subscribe(db, user_id="29:u1", reference=ref, today=date(2022, 9, 1))
    assert back.active and back.swept_through == date(2022, 8, 31) and back.deactivated_reason is None


async def test_reference_is_refreshed_on_every_turn(db, connector):
    await store.subscribe(db, user_id="29:u1", reference=reference("https://old/", "conv-1"),
                          today=date(2022, 8, 1))
    assert await store.refresh_reference(db, reference("https://new/", "conv-1")) == 1
    assert await store.refresh_reference(db, reference("https://new/", "conv-1")) == 0  # unchanged
    # a new turn = a new activity id: not a change worth a write
    assert await store.refresh_reference(db, {**reference("https://new/", "conv-1"),
                                              "activityId": "1:abc"}) == 0
    assert await store.refresh_reference(db, reference("https://new/", "other")) == 0
    sub = await store.get_subscription(db, "29:u1")
    assert sub.service_url == "https://new/" and sub.reference["serviceUrl"] == "https://new/"


async def test_uninstall_removes_the_reference(db, connector):
    await store.subscribe(db, user_id="29:u1", reference=reference(connector.service_url, "conv-1"),
                          today=date(2022, 8, 1))
    assert await store.deactivate_conversation(db, "conv-1") == 1
    sub = await store.get_subscription(db, "29:u1")
    assert (sub.active, sub.reference, sub.deactivated_reason) == (False, None, "uninstalled")


async def test_forget_user_deletes_everything(db, connector, transport):
    await add_subscribers(db, connector, 2)
    token = await store.calendar_token(db, "29:c0")
    await run_sweep(db, transport, date(2022, 8, 8), **FAST)
    assert await store.token_owner(db, token)
    gone = await store.forget_user(db, "29:c0")
    assert gone == {"subscriptions": 1, "ledger": 1, "calendar_tokens": 1}
    assert await store.get_subscription(db, "29:c0") is None
    assert await store.token_owner(db, token) is None
    assert await store.get_subscription(db, "29:c1") is not None


async def test_calendar_token_is_unguessable_stable_and_unique(db):
    a = await store.calendar_token(db, "29:a")
    assert a == await store.calendar_token(db, "29:a", "fr")
    b = await store.calendar_token(db, "29:b")
    assert a != b and len(a) >= 43
    assert (await store.token_owner(db, a))["lang"] == "fr"


# --------------------------------------------------------------------------- sweeps


async def test_every_reminder_once_despite_429_and_injected_faults(db, connector, transport):
    connector.tenant_rate, connector.tenant_burst = 40.0, 4.0
    await add_subscribers(db, connector, 60, tenants=2)
    connector.fail("c1", 403, code="ConversationBlockedByUser")
    connector.fail("c2", 403, code="BotNotInConversationRoster")
    connector.fail("c3", 404, code="ConversationNotFound")
    connector.fail("c4", 502, times=2)
    connector.fail("c5", 503, times=1)
    connector.fail("c6", 412, times=1)
    connector.delay("c7", 3.0, times=1)  # beyond the 2 s client timeout, then fine
    connector.fail("c8", 403, code="Forbidden")  # another 403: failed, not deactivated
    connector.fail("c9", 400, code="BadArgument")
    # The sender is allowed 3x what the connector accepts: 429 + Retry-After must sort it out.
    # max_throttled: how many 429s one send may take depends on the machine's load; this test is
    # about every reminder arriving once, not about when the sender gives up for the day
    summary = await run_sweep(db, transport, date(2022, 8, 8), tenant_rate=60, concurrency=16,
                              max_throttled=200, **FAST)

    counts = connector.counts()
    healthy = [f"c{i}" for i in range(60) if i not in (1, 2, 3, 8, 9)]
    assert {c: counts[c] for c in healthy} == {c: 1 for c in healthy}
    assert not connector.duplicates()
    assert connector.throttled > 0 and summary.throttled > 0
    assert (summary.sent, summary.failed, summary.deactivated, summary.retry_later) == (55, 2, 3, 0)
    for user, reason in [("29:c1", "ConversationBlockedByUser"),
                         ("29:c2", "BotNotInConversationRoster"), ("29:c3", "NotFound")]:
        sub = await store.get_subscription(db, user)
        assert (sub.active, sub.deactivated_reason, sub.reference) == (False, reason, None)
    for user in ("29:c8", "29:c9", "29:c4", "29:c7"):
        assert (await store.get_subscription(db, user)).active
    assert await store.ledger_counts(db) == {"sent": 55, "failed": 2, "skipped": 3}

    again = await run_sweep(db, transport, date(2022, 8, 8), tenant_rate=60, **FAST)
    assert (again.sent, again.failed, again.planned) == (0, 0, 0)
    assert sum(connector.counts().values()) == 55
    text = connector.delivered[0][1]["text"]
    assert "7 days left" in text and "August 15, 2022" in text


async def test_the_digest_goes_to_the_stored_conversation_with_the_app_id(db, connector, transport):
    await add_subscribers(db, connector, 1)
    await run_sweep(db, transport, date(2022, 8, 8), **FAST)
    cid, activity = connector.delivered[0]
    assert cid == "c0" and activity["conversation"]["id"] == "c0"
    assert activity["type"] == "message" and activity["textFormat"] == "markdown"


async def test_one_digest_for_everything_due(db, connector, transport):
    await add_subscribers(db, connector, 1, today=date(2022, 8, 10))
    # 2022-12-01: the Jan-Jun 2022 forfeiture reminder; caught up with the Aug 16 window opening
    summary = await run_sweep(db, transport, date(2022, 12, 1), **FAST)
    assert (summary.sent, summary.items_sent) == (1, 2)
    text = connector.delivered[0][1]["text"]
    assert "is open" in text and "forfeited" in text


async def test_catch_up_after_downtime_without_flooding(db, connector, transport):
    await add_subscribers(db, connector, 3, today=date(2022, 7, 1))
    # down from 2022-07-01 to 2022-08-10: the 30-day (Jul 16) and 7-day (Aug 8) reminders were
    # missed; only the 7-day one is sent, once
    summary = await run_sweep(db, transport, date(2022, 8, 10), **FAST)
    assert (summary.sent, summary.items_sent) == (3, 3)
    assert all("5 days left" in a["text"] for _, a in connector.delivered)
    await run_sweep(db, transport, date(2022, 8, 14), **FAST)  # the 1-day one, next
    assert connector.counts() == {"c0": 2, "c1": 2, "c2": 2}


async def test_never_a_reminder_for_a_past_deadline(db, connector, transport):
    await add_subscribers(db, connector, 2)
    connector.fail("c0", 503)  # down for ever: the 7-day reminder stays pending
    first = await run_sweep(db, transport, date(2022, 8, 8), max_attempts=2, **FAST)
    assert (first.sent, first.retry_later) == (1, 1)
    connector.faults.clear()
    # next sweep after the deadline (Aug 15): the stale reminder is skipped, not sent
    later = await run_sweep(db, transport, date(2022, 8, 16), **FAST)
    assert later.skipped >= 1
    texts = [a["text"] for cid, a in connector.delivered if cid == "c0"]
    assert texts and all("August 15, 2022" not in t for t in texts)


async def test_a_pending_reminder_is_superseded_by_a_later_one(db, connector, transport):
    await add_subscribers(db, connector, 1)
    connector.fail("c0", 502)
    await run_sweep(db, transport, date(2022, 8, 8), max_attempts=1, **FAST)  # 7-day pending
    connector.faults.clear()
    summary = await run_sweep(db, transport, date(2022, 8, 14), **FAST)
    assert (summary.sent, summary.items_sent, summary.skipped) == (1, 1, 1)
    assert "Last day tomorrow" in connector.delivered[0][1]["text"]


async def test_an_earlier_sweep_never_sends_a_later_reminder_early(db, connector, transport):
    await add_subscribers(db, connector, 1)
    connector.fail("c0", 502)
    await run_sweep(db, transport, date(2022, 8, 8), max_attempts=1, **FAST)  # 7-day pending
    connector.faults.clear()
    early = await run_sweep(db, transport, date(2022, 8, 1), **FAST)  # operator, wrong day
    assert early.sent == 0 and connector.delivered == []
    assert (await run_sweep(db, transport, date(2022, 8, 8), **FAST)).sent == 1


async def test_unsubscribed_users_get_nothing(db, connector, transport):
    await add_subscribers(db, connector, 2)
    await store.unsubscribe(db, "29:c0")
    summary = await run_sweep(db, transport, date(2022, 8, 8), **FAST)
    assert summary.sent == 1 and connector.counts() == {"c1": 1}


async def test_next_reminder_date_for_the_confirmation(db):
    assert await next_reminder_date(db, date(2022, 8, 9)) == date(2022, 8, 14)
    assert await next_reminder_date(db, date(2022, 8, 14)) == date(2022, 8, 14)
    sweep = await store.sweep_started(db, date(2022, 8, 14))
    await store.sweep_finished(db, sweep, 0, 0, 0, 0)
    # today's sweep already ran: caught up tomorrow (the window is still open then)
    assert await next_reminder_date(db, date(2022, 8, 14)) == date(2022, 8, 15)


async def test_an_expired_lease_is_resent_and_a_live_one_is_not(db, connector, transport):
    await add_subscribers(db, connector, 2)
    await run_sweep(db, transport, date(2022, 7, 31), **FAST)  # nothing due, just a cursor
    from reminders.sweeper import plan

    await plan(db, date(2022, 8, 8))
    subs = {s.user_id: s.id for s in await store.list_subscriptions(db)}
    # a crashed sweeper holds both; one lease expired long ago, the other is live
    assert await store.claim(db, subs["29:c0"], "dead", -10, date(2022, 8, 8))
    assert await store.claim(db, subs["29:c1"], "alive", 600, date(2022, 8, 8))
    summary = await run_sweep(db, transport, date(2022, 8, 8), **FAST)
    assert summary.sent == 1 and connector.counts() == {"c0": 1}


@pytest.mark.postgres
async def test_two_sweepers_at_once_on_postgres_deliver_exactly_once(connector):
    async with scratch_database(POSTGRES_TEST_URL) as scratch:
        first, second = await scratch.connect(), await scratch.connect()
        await store.migrate(first)
        await add_subscribers(first, connector, 200, tenants=4)
        t1 = production_transport(Settings(), timeout=2)
        t2 = production_transport(Settings(), timeout=2)
        try:
            a, b = await asyncio.gather(
                run_sweep(first, t1, date(2022, 8, 8), tenant_rate=200, concurrency=16, **FAST),
                run_sweep(second, t2, date(2022, 8, 8), tenant_rate=200, concurrency=16, **FAST))
        finally:
            await t1.close()
            await t2.close()
        # which sweeper wins which rows is up to the scheduler (sometimes one plans them all
        # first); what must hold is that together they deliver each reminder exactly once
        assert a.sent + b.sent == 200
        assert sorted(connector.counts().values()) == [1] * 200
        assert await store.ledger_counts(first) == {"sent": 200}
