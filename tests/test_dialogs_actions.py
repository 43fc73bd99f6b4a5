"""The subscribe confirmation names the day the first reminder really arrives.

14 August 2022 is the "1 day left" reminder of the claiming window that closes on 15 August
(co-op earned July – December 2021); the next one after it is the 2022-H2 window opening on
16 August. A subscription made on the 14th starts with the reminders due that day
(``swept_through`` = the 13th), so:

- before the 14th's sweep, that sweep sends it the "1 day left" reminder: the confirmation
  must say 14 August (the schedule alone, "the first reminder after today", said 16 August);
- once the 14th's sweep has run, the 15th's sweep catches the "last day today" reminder up
  (the window is still open then): the confirmation says 15 August.
"""
from __future__ import annotations

from datetime import date


from config import Settings
from dialogs import Actions, TurnInfo
from fake_connector import reference
from reminders import StoreReminders, run_sweep, store
from reminders.schedule import next_reminder
from bot.proactive import production_transport
from understanding import messages

DUE_DAY = date(2022, 8, 14)
FAST = dict(backoff_base=0.02, backoff_cap=0.1, default_retry_after=0.05)


async def _subscribe(db, connector, today: date) -> str:
    actions = Actions(StoreReminders(db))
    info = TurnInfo(today=today, locale="en-US", user_id="29:partner", conversation_id="a:p1")
    return await actions.subscribe(info, "en", reference(connector.service_url, "a:p1"))


async def test_subscribing_on_a_due_day_before_its_sweep_names_today(db, connector):
    assert next_reminder(DUE_DAY).due_date == date(2022, 8, 16)  # what the confirmation used to say
    text = await _subscribe(db, connector, DUE_DAY)
    assert text == messages.confirm_subscribed("en", DUE_DAY, "en-US")
    assert text.endswith("Next reminder: August 14, 2022.")

    # and that is true: the day's sweep reaches the new subscriber
    transport = production_transport(Settings(), timeout=2)
    try:
        summary = await run_sweep(db, transport, DUE_DAY, **FAST)
    finally:
        await transport.close()
    assert summary.sent == 1 and connector.counts() == {"a:p1": 1}


async def test_subscribing_after_the_days_sweep_names_tomorrows_catch_up(db, connector):
    sweep = await store.sweep_started(db, DUE_DAY)
    await store.sweep_finished(db, sweep, 0, 0, 0, 0)
    text = await _subscribe(db, connector, DUE_DAY)
    assert text.endswith("Next reminder: August 15, 2022.")

    transport = production_transport(Settings(), timeout=2)
    try:
        summary = await run_sweep(db, transport, date(2022, 8, 15), **FAST)
    finally:
        await transport.close()
    assert summary.sent == 1 and connector.counts() == {"a:p1": 1}


async def test_on_an_ordinary_day_the_next_due_date(db, connector):
    text = await _subscribe(db, connector, date(2022, 8, 9))
    assert text.endswith("Next reminder: August 14, 2022.")


async def test_refresh_reference_skips_a_reference_stored_recently_and_stays_correct(
        db, connector, monkeypatch):
    calls = []
    now = [1000.0]
    reminders = StoreReminders(db, reference_cache_size=2, reference_cache_seconds=60,
                               clock=lambda: now[0])
    real = store.refresh_reference

    async def counting(database, ref):
        calls.append(ref["conversation"]["id"])
        return await real(database, ref)

    monkeypatch.setattr(store, "refresh_reference", counting)
    old, new = reference("https://old/", "conv-1"), reference("https://new/", "conv-1")
    await reminders.subscribe(user_id="29:u1", reference=old, today=DUE_DAY)
    assert await reminders.refresh_reference(old) == 0 and calls == ["conv-1"]
    assert await reminders.refresh_reference({**old, "activityId": "1:x"}) == 0
    assert calls == ["conv-1"]  # same reference (another message of it): no statement
    assert await reminders.refresh_reference(new) == 1  # changed: written
    assert (await store.get_subscription(db, "29:u1")).service_url == "https://new/"
    await reminders.refresh_reference(reference("https://new/", "conv-2"))
    await reminders.refresh_reference(reference("https://new/", "conv-3"))  # conv-1 dropped (LRU)
    calls.clear()
    await reminders.refresh_reference(new)
    assert calls == ["conv-1"]
    now[0] += 61  # too old: asked again
    await reminders.refresh_reference(new)
    assert calls == ["conv-1", "conv-1"]
    # a subscription change through this object forgets what it saw
    await reminders.subscribe(user_id="29:u2", reference=old, today=DUE_DAY)
    await reminders.refresh_reference(new)
    assert calls[-1] == "conv-1" and len(calls) == 3
    assert (await store.get_subscription(db, "29:u2")).service_url == "https://new/"


async def _list(db, today: date) -> str:
    actions = Actions(StoreReminders(db))
    info = TurnInfo(today=today, locale="en-US", user_id="29:partner", conversation_id="a:p1")
    return await actions.run("list_reminders", info, "en", None)


async def test_my_reminders_on_a_due_day_names_todays_reminder_until_the_sweep_has_run(db, connector):
    await _subscribe(db, connector, date(2022, 8, 9))
    before = await _list(db, DUE_DAY)
    # every kind with its own date (issue #19: the others used to have none)
    assert "- before a claim window closes: next on August 14, 2022" in before
    assert "- when a claim window opens: next on August 16, 2022" in before
    assert "- before unused funds are forfeited: next on December 1, 2022" in before
    sweep = await store.sweep_started(db, DUE_DAY)
    await store.sweep_finished(db, sweep, 0, 0, 0, 0)
    after = await _list(db, DUE_DAY)
    # today's was delivered: the next closing one is the next window's, 30 days before it closes
    assert "- before a claim window closes: next on January 16, 2023" in after
    assert "August 16, 2022" in after and "August 14, 2022" not in after


async def test_references_refreshed_behind_the_turn_are_written_together_and_on_close(
        db, connector, monkeypatch):
    batches = []
    real = store.refresh_references

    async def counting(database, refs):
        batches.append(sorted(r["conversation"]["id"] for r in refs))
        return await real(database, refs)

    monkeypatch.setattr(store, "refresh_references", counting)
    reminders = StoreReminders(db, reference_flush_seconds=3600)  # only an explicit flush
    for user, conversation in (("29:u1", "conv-1"), ("29:u2", "conv-2"), ("29:u3", "conv-3")):
        await reminders.subscribe(user_id=user, reference=reference("https://old/", conversation),
                                  today=DUE_DAY)
    actions = Actions(reminders)
    for conversation in ("conv-1", "conv-2", "conv-9"):  # conv-9: nobody subscribed there
        await actions.refresh(reference("https://new/", conversation))
    await actions.refresh({**reference("https://newest/", "conv-1"), "tenantId": None})
    assert (await store.get_subscription(db, "29:u1")).service_url == "https://old/"  # held
    await actions.close()  # the server's shutdown: written now, in one statement
    assert batches == [["conv-1", "conv-2", "conv-9"]]
    subs = {u: await store.get_subscription(db, u) for u in ("29:u1", "29:u2", "29:u3")}
    assert subs["29:u1"].service_url == "https://newest/"  # a conversation's latest wins
    assert subs["29:u1"].reference["serviceUrl"] == "https://newest/"
    assert subs["29:u1"].tenant_id == "tenant-1"
    assert subs["29:u2"].service_url == "https://new/"
    assert subs["29:u3"].service_url == "https://old/"  # not refreshed: untouched
    await actions.refresh(reference("https://new/", "conv-2"))  # stored just now: nothing held
    await actions.close()
    assert len(batches) == 1
    # the timer writes them too, and a subscription change writes what is held first
    reminders = StoreReminders(db, reference_flush_seconds=0.01)
    await reminders.refresh_reference_later(reference("https://timer/", "conv-3"))
    await reminders._flushing  # noqa: SLF001 - the flush this call scheduled
    assert (await store.get_subscription(db, "29:u3")).service_url == "https://timer/"
    reminders = StoreReminders(db, reference_flush_seconds=3600)
    await reminders.refresh_reference_later(reference("https://held/", "conv-2"))
    await reminders.unsubscribe("29:u1")
    assert (await store.get_subscription(db, "29:u2")).service_url == "https://held/"
    await reminders.close()


async def test_refresh_references_writes_many_conversations_in_chunks(scratch, monkeypatch):
    db = await scratch.connect()  # SQLite and PostgreSQL: UPDATE ... FROM (VALUES ...) on both
    await store.migrate(db)
    monkeypatch.setattr(store, "REFRESH_ROWS", 2)
    for n in range(5):
        await store.subscribe(db, user_id=f"29:u{n}", reference=reference("https://old/", f"c-{n}"),
                              today=DUE_DAY)
    refs = [reference("https://new/", f"c-{n}") for n in range(5)] + [reference("https://new/", "c-x")]
    assert await store.refresh_references(db, refs) == 5
    assert await store.refresh_references(db, refs) == 0  # unchanged now
    assert {(await store.get_subscription(db, f"29:u{n}")).service_url for n in range(5)} == {
        "https://new/"}
    await db.close()
