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
    assert [s.conversation_id for s in await store.unsubscribe(db, "29:u1")] == ["conv-1"]
    assert await store.unsubscribe(db, "29:u1") == []
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


@pytest.mark.slow  # waits on the clock by design (fast tier: no)
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
    assert activity["type"] == "message"


def _card(activity):
    [attachment] = activity["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    return attachment["content"]


async def test_a_reminder_is_a_card_with_a_stop_button_and_a_summary_line(db, connector, transport):
    await add_subscribers(db, connector, 1)
    await run_sweep(db, transport, date(2022, 8, 8), base_url="https://bot.example", **FAST)
    activity = connector.delivered[0][1]
    # one plain line for the chat preview: no markdown, no second copy of the card
    assert activity["text"].startswith("Co-op reminder: 7 days left") and "**" not in activity["text"]
    assert "\n" not in activity["text"]
    card = _card(activity)
    assert card["version"] == "1.5" and "7 days left" in card["fallbackText"] and card["speak"]
    facts = {f["title"]: f["value"] for c in card["body"] if c["type"] == "Container"
             for e in c["items"] if e["type"] == "FactSet" for f in e["facts"]}
    assert facts["Claiming period"] == "February 16, 2022 – August 15, 2022"
    buttons = {a["title"]: a for a in card["actions"]}
    assert buttons["Stop reminders"]["type"] == "Action.Execute"
    assert buttons["Stop reminders"]["verb"] == "unsubscribe"
    assert buttons["Stop reminders"]["data"]["items"] == ["claim_close:2021-H1:7"]
    assert buttons["Open claim page"]["url"].startswith("https://learn.microsoft.com/")
    assert buttons["Add to calendar"]["url"].startswith("https://bot.example/calendar/cycles/2021-H1.ics")


async def test_one_digest_for_everything_due(db, connector, transport):
    await add_subscribers(db, connector, 1, today=date(2022, 8, 10))
    # 2022-12-01: the Jan-Jun 2022 forfeiture reminder; caught up with the Aug 16 window opening
    summary = await run_sweep(db, transport, date(2022, 12, 1), **FAST)
    assert (summary.sent, summary.items_sent) == (1, 2)
    text = _card(connector.delivered[0][1])["fallbackText"]
    assert "is open" in text and "forfeited" in text


@pytest.mark.slow  # waits on the clock by design (fast tier: no)
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


# --------------------------------------------------------------------------- per conversation


def _channel_reference(service_url, conversation_id="19:general@thread.tacv2"):
    ref = reference(service_url, conversation_id)
    ref["conversation"]["conversationType"] = "channel"
    return ref


async def test_channel_opt_in_leaves_personal_reminders_intact(db, connector):
    personal = reference(connector.service_url, "a:personal-u1")
    await store.subscribe(db, user_id="29:u1", reference=personal, today=date(2022, 8, 1))
    await store.subscribe(db, user_id="29:u1", reference=_channel_reference(connector.service_url),
                          user_name="Alice", today=date(2022, 8, 2))
    # read back from the database: two rows, the personal one unchanged
    rows = await db.fetch("SELECT conversation_id, conversation_type, user_name, active, swept_through "
                          "FROM reminder_subscriptions WHERE user_id = $1 ORDER BY conversation_id",
                          "29:u1")
    assert [(r["conversation_id"], r["conversation_type"], r["user_name"], r["active"], r["swept_through"])
            for r in rows] == [("19:general@thread.tacv2", "channel", "Alice", 1, "2022-08-01"),
                               ("a:personal-u1", "personal", "", 1, "2022-07-31")]
    subs = await store.user_subscriptions(db, "29:u1")
    assert [s.conversation_type for s in subs] == ["personal", "channel"]
    # clicking "Remind me" again in the channel changes nothing
    await store.subscribe(db, user_id="29:u1", reference=_channel_reference(connector.service_url),
                          user_name="Alice", today=date(2022, 8, 3))
    assert await db.fetchval("SELECT COUNT(*) FROM reminder_subscriptions WHERE user_id = $1", "29:u1") == 2
    # stopping the channel's leaves the personal one
    stopped = await store.unsubscribe(db, "29:u1", "19:general@thread.tacv2")
    assert [s.conversation_type for s in stopped] == ["channel"]
    assert [s.conversation_id for s in await store.user_subscriptions(db, "29:u1")] == ["a:personal-u1"]
    # the sweep sends to both conversations while both are on, the channel's naming the user
    await store.subscribe(db, user_id="29:u1", reference=_channel_reference(connector.service_url),
                          user_name="Alice", today=date(2022, 8, 7))
    targets = await store.claimable_targets(db, date(2022, 8, 8))
    assert targets == []  # nothing planned yet
    summary = await run_sweep(db, production_transport(Settings(), timeout=5), date(2022, 8, 8), **FAST)
    assert summary.sent == 2
    channel = [a for cid, a in connector.delivered if cid == "19:general@thread.tacv2"]
    assert channel and "<at>Alice</at>" in channel[0]["text"]
    assert channel[0]["entities"][0]["mentioned"] == {"id": "29:u1", "name": "Alice"}


async def test_calendar_token_rotate_and_revoke(db):
    first = await store.calendar_token(db, "29:a")
    second = await store.rotate_calendar_token(db, "29:a", "fr")
    assert second != first and await store.token_owner(db, first) is None
    assert (await store.token_owner(db, second))["lang"] == "fr"
    assert await store.calendar_token(db, "29:a") == second  # stable until rotated again
    assert await store.revoke_calendar_token(db, "29:a") is True
    assert await store.token_owner(db, second) is None
    assert await store.revoke_calendar_token(db, "29:a") is False


async def test_migration_keeps_old_one_row_per_user_subscriptions_and_their_ledger(scratch):
    """A database at the old schema (versions 1-7: one row per user) with a subscription and a
    ledger row moves to (user, conversation) keys with both intact."""
    database = await scratch.connect()
    await database.migrate(store.MIGRATION_NAME, store.MIGRATIONS[:7])
    await database.execute(
        """INSERT INTO reminder_subscriptions (id, user_id, conversation_id, tenant_id, service_url,
               reference, lang, active, swept_through, created_at, updated_at)
           VALUES ('s1', '29:old', 'a:old-chat', 't', 'https://smba.example/', '{"conversation": {"id": "a:old-chat"}}',
                   'fr', 1, '2022-08-01', 'x', 'x')""")
    await database.execute(
        """INSERT INTO reminder_ledger (subscription_id, reminder_key, kind, offset_days, cycle, grp,
               due_date, deadline, planned_for, state, created_at, updated_at)
           VALUES ('s1', 'claim_close:2021-H1:7', 'claim_close', 7, '2021-H1', 'claim:2021-H1',
                   '2022-08-08', '2022-08-15', '2022-08-08', 'sent', 'x', 'x')""")
    applied = await store.migrate(database)
    assert applied == list(range(8, len(store.MIGRATIONS) + 1))
    sub = await store.get_subscription(database, "29:old", "a:old-chat")
    assert (sub.id, sub.lang, sub.active, sub.conversation_type) == ("s1", "fr", True, "personal")
    assert await database.fetchval("SELECT state FROM reminder_ledger WHERE subscription_id = 's1'") == "sent"
    # the new key holds, and the ledger still follows its subscription
    await store.subscribe(database, user_id="29:old", reference=_channel_reference("https://smba.example/"),
                          today=date(2022, 8, 9))
    assert len(await store.user_subscriptions(database, "29:old")) == 2
    await store.forget_user(database, "29:old")
    assert await database.fetchval("SELECT COUNT(*) FROM reminder_ledger") == 0
    assert await store.migrate(database) == []  # idempotent
