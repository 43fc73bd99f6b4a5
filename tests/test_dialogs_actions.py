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
from dialogs import Actions, StoreReminders, TurnInfo
from fake_connector import reference
from reminders import run_sweep, store
from reminders.schedule import next_reminder
from reminders.transport import production_transport
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
