"""Issue #19: answers a partner can act on at a glance (walked through on 7 December 2026).

- The headline is the truth today: a claim deadline that has passed says so first ("Too late"),
  with what can still be done; one that opens later says when; one ahead says how many days are
  left. The same in French, on the card, in its plain text and in ``speak``.
- Subscribing schedules the deadlines closer than their usual notice (funds forfeited on
  31 December: the 30-day reminder was due on 1 December): sent on the next sweep, once.
- *Remind me* only where a reminder lies ahead for the card's cycles; its confirmation names
  that reminder's date. "My reminders" dates every kind.
- Each fact once: one PoE line per activity; a general PoE question in a ticket gets the rule.

The bot tests go over the real HTTP endpoint (``POST /api/messages``) of the product app, its
replies and the reminders going to the fake Teams connector (``tests/fake_connector.py``); the
server's clock is set to 7 December 2026, 10:00 UTC.
"""
from __future__ import annotations

import asyncio
import copy
import platform
from datetime import date, datetime, timezone

import pytest
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import given, settings as hsettings, strategies as st

import app
from bot import cards
from bot.proactive import production_transport
from config import Settings
from core import calendar
from reminders import run_sweep, store
from reminders.schedule import (Schedule, items_for_cycle, load_schedule, next_by_kind, reminder_ahead,
                                urgent_reminders)
from understanding import respond
from product_app import product_on_sqlite

# msrest's user agent asks platform.platform() once per process (it runs `uname -p`): asked
# here, at collection, so that a fast test run alone starts no process
platform.platform()

TODAY = date(2026, 12, 7)
NOW = datetime(2026, 12, 7, 10, 0, tzinfo=timezone.utc)
CARD = "application/vnd.microsoft.card.adaptive"
PERSONAL = "a:1Xyz-personal"
FAST = dict(backoff_base=0.02, backoff_cap=0.1, default_retry_after=0.05)

WEBINAR_EN = "we ran a webinar on 12 March 2026, when must we claim it?"
WEBINAR_FR = "nous avons organisé un webinaire le 12 mars 2026, quand devons-nous le réclamer ?"


# ------------------------------------------------------------------ the answer itself (unit)


def test_a_past_deadline_says_too_late_first_with_what_can_still_be_done():
    r = respond(WEBINAR_EN, today=TODAY)
    first = r.text.split("\n")[0]
    assert first.startswith("**Too late**: the claim window for this activity closed on **August 15, 2026**.")
    assert "is **August 15, 2026**" not in r.text  # never "the last day ... is" a day gone by
    assert "Nothing more can be claimed for it" in first  # what can still be done
    assert "February 15, 2027" not in r.text  # no date a partner could take for this activity's


def test_a_past_deadline_says_too_late_first_in_french():
    r = respond(WEBINAR_FR, today=TODAY)
    first = r.text.split("\n")[0]
    assert r.lang == "fr"
    assert first.startswith("**Trop tard** : la période de demande de cette activité s'est terminée le "
                            "**15 août 2026**.")
    assert "Plus rien ne peut être réclamé" in first


def test_a_deadline_ahead_says_how_many_days_are_left_and_a_later_window_when_it_opens():
    ahead = respond("deadline for co-op earned in March 2026", today=TODAY)
    assert ahead.text.split("\n")[0] == ("The last day to claim co-op earned in January – June 2026 is "
                                         "**February 15, 2027** (70 days left).")
    later = respond("claim window for co-op earned in October 2026", today=TODAY)
    assert later.text.split("\n")[0].startswith("Co-op earned in July – December 2026 can be claimed from "
                                                "**February 16, 2027** (in 71 days)")
    planned = respond("we plan a webinar in March 2027, when do we claim it?", today=TODAY)
    assert planned.text.startswith("**Not open yet**: the claim window for this activity opens on "
                                   "**February 16, 2027** (in 71 days)")
    fr = respond("jusqu'à quand réclamer la co-op gagnée en mars 2026 ?", today=TODAY)
    assert "**15 février 2027** (il reste 70 jours)" in fr.text.split("\n")[0]


def test_earnings_whose_window_closed_say_too_late_and_a_verdict_is_not_repeated():
    r = respond("last day to claim co-op earned in March 2025?", today=TODAY)
    assert r.text.startswith("**Too late**: the claiming period for co-op earned in January – June 2025 "
                             "closed on **February 15, 2026**.")
    still = respond("we did a webinar in october 2025, can we still claim it?", today=TODAY)
    assert still.text.startswith("No: the claiming window closed on February 15, 2026. An activity in "
                                 "October 2025 fell in the usage period")
    assert still.text.count("February 15, 2026") == 3  # the verdict, the sentence's window, the bullet


def test_a_usage_period_over_says_too_late_and_one_under_way_its_days_left():
    over = respond("when must FY25 H2 funds be used?", today=TODAY)
    assert over.text.startswith("**Too late**: co-op earned in January – June 2025 had to be used between "
                                "July 1, 2025 and **December 31, 2025**")
    fr = respond("jusqu'à quand utiliser les fonds FY25 H2 ?", today=TODAY)
    assert fr.text.startswith("**Trop tard** : la co-op gagnée de janvier à juin 2025 devait être utilisée")
    soon = respond("when are co-op earned in March 2026 forfeited?", today=TODAY)
    assert soon.text.startswith("Co-op earned in January – June 2026 that is not used by **December 31, 2026** "
                                "(24 days left) is forfeited.")


def test_one_poe_line_per_activity():
    r = respond(WEBINAR_EN, today=TODAY)
    assert r.text.count("(PoE)") == 1 and "until **March 12, 2028**" in r.text
    general = respond("when must I claim H1 funds?", today=TODAY)  # no activity named: the rule
    assert general.text.count("(PoE)") == 1 and "24 months after each activity date" in general.text


def test_a_general_poe_question_in_a_ticket_gets_the_general_answer():
    ticket = ("Hi team,\nWe earned co-op in H2 FY25. When is the claim deadline for those funds? "
              "Also, how long do I keep proof of execution?\nThanks, Anna")
    r = respond(ticket, today=TODAY)
    assert [p.intent for p in r.parts] == ["claim_deadline", "poe_retention"]
    poe = r.parts[1]
    assert "24 months after the activity date" in poe.text
    assert poe.poe_keep_until is None and "January – June 2025" not in poe.text  # not one half's activities
    # a named activity's date still gives its own keep-until day
    named = respond("Hello, we held a webinar on 12 March 2026. When must we claim it? And how long "
                    "must we keep PoE documents? Regards", today=TODAY)
    assert named.text.count("(PoE)") == 1 and "March 12, 2028" in named.text


def test_a_reading_note_two_questions_share_is_shown_once():
    r = respond("When must I claim FY26 H1 funds? And when do we have to use them?", today=TODAY)
    assert [p.intent for p in r.parts] == ["claim_deadline", "usage_period"]
    card = cards.reply_card(r, "en-US")
    note = r.parts[0].reading_note
    assert note and r.parts[1].reading_note is None
    assert [t for t in _texts(card) if t == note] == [note]


def test_the_section_heading_is_not_repeated_in_the_row_below_it():
    card = cards.reply_card(respond("claim deadline for FY25 H2", today=TODAY), "en-US")
    assert "FY25 H2" in _texts(card)
    assert all(f["value"] != "FY25 H2" for fs in _factsets(card) for f in fs)


# ------------------------------------------------------------------ reminders (pure)


def test_the_forfeiture_closer_than_its_notice_is_urgent_and_lies_ahead_today():
    [item] = urgent_reminders(TODAY)
    assert (item.kind, item.deadline, item.due_date) == ("forfeiture", date(2026, 12, 31), date(2026, 12, 1))
    assert reminder_ahead(["2026-H2"], TODAY).due_date == TODAY  # sent at once
    assert reminder_ahead(["2026-H1"], TODAY).due_date == date(2027, 2, 16)  # its window opens
    assert reminder_ahead(["2019-H1", "2020-H2"], TODAY) is None  # closed years ago
    assert next_by_kind(TODAY) == {"claim_open": date(2027, 2, 16), "claim_close": date(2027, 1, 16),
                                   "forfeiture": TODAY}


def _oracle_urgent(today: date, schedule: Schedule) -> set[str]:
    """An independent oracle: walk every cycle from 2 years before to 2 after, group its
    reminders by deadline by hand (claim window end, usage period end)."""
    cal = calendar()
    out = set()
    half = cal.half_containing(today)
    for k in range(-5, 5):
        cyc = cal.cycle(cal.next_half(half, k))
        for deadline, kinds in ((cyc.claiming.end, ("claim_open", "claim_close")), (cyc.usage.end, ("forfeiture",))):
            items = [i for i in items_for_cycle(cyc, schedule) if i.kind in kinds]
            if deadline < today or not items or any(i.due_date >= today for i in items):
                continue
            missed = sorted(items, key=lambda i: (i.due_date, -i.offset))
            out.add(missed[-1].key)
    return out


@hsettings(max_examples=300, deadline=None)
@given(today=st.dates(min_value=date(2000, 3, 1), max_value=date(2099, 10, 1)))
@pytest.mark.property
def test_urgent_reminders_match_an_independent_oracle(today):
    schedule = load_schedule()
    got = urgent_reminders(today)
    assert {i.key for i in got} == _oracle_urgent(today, schedule)
    for item in got:  # each one: a deadline still ahead, every notice of it already passed
        assert item.due_date < today <= item.deadline
        assert reminder_ahead([item.cycle_label], today) is not None


# ------------------------------------------------------------------ over HTTP


@pytest.fixture
async def product(tmp_path, connector, monkeypatch):
    import bot.teams_bot

    monkeypatch.setattr(bot.teams_bot, "_utc_now", lambda: NOW)
    async with product_on_sqlite(tmp_path) as (client, db):
        yield client, connector, db


def _activity(connector, text, *, lang="en", **fields):
    activity = {
        "type": "message", "id": "in-1", "channelId": "msteams", "locale": "fr-FR" if lang == "fr" else "en-US",
        "serviceUrl": connector.service_url, "text": text,
        "from": {"id": "29:user-1", "name": "Partner"},
        "recipient": {"id": "28:bot-1", "name": "Co-op Assistant"},
        "conversation": {"id": PERSONAL, "tenantId": "tenant-1", "conversationType": "personal"},
        "localTimezone": "Europe/Paris",
    }
    activity.update(fields)
    return activity


async def _say(client, connector, text, **kw):
    before = len(connector.delivered)
    response = await client.post("/api/messages", json=_activity(connector, text, **kw))
    assert response.status == 200
    return [a for _, a in connector.delivered[before:]]


async def _click(client, connector, action):
    invoke = _activity(connector, None, type="invoke", name="adaptiveCard/action",
                       value={"action": {"type": "Action.Execute", "verb": action["verb"],
                                         "data": copy.deepcopy(action["data"])}, "trigger": "manual"})
    response = await client.post("/api/messages", json=invoke)
    assert response.status == 200
    return (await response.json())["value"]


def _card(activity):
    [attachment] = activity["attachments"]
    assert attachment["contentType"] == CARD
    return attachment["content"]


def _elements(items):
    for item in items:
        yield item
        yield from _elements(item.get("items", []))


def _texts(card):
    return [e["text"] for e in _elements(card["body"]) if e["type"] == "TextBlock"]


def _factsets(card):
    return [e["facts"] for e in _elements(card["body"]) if e["type"] == "FactSet"]


def _titles(card):
    return [a["title"] for a in card.get("actions", [])]


@pytest.mark.parametrize("lang, question, headline, speak", [
    ("en", WEBINAR_EN, "**Too late**: the claim window for this activity closed on **August 15, 2026**.",
     "Too late: the claim window for this activity closed on August 15, 2026."),
    ("fr", WEBINAR_FR, "**Trop tard** : la période de demande de cette activité s'est terminée le **15 août 2026**.",
     "Trop tard : la période de demande de cette activité s'est terminée le 15 août 2026."),
])
async def test_a_past_deadlines_card_text_and_speak_say_too_late_first(product, lang, question, headline, speak):
    client, connector, _ = product
    [answer] = await _say(client, connector, question, lang=lang)
    card = _card(answer)
    texts = _texts(card)
    assert texts[1].startswith(headline)  # the headline, right under the card's title
    assert card["fallbackText"].startswith(headline)  # the plain text
    assert card["speak"].startswith(speak)
    assert answer["summary"].startswith(speak)  # the notification line
    # a cycle closed and forfeited: nothing to remind of, so no "Remind me"
    assert "Remind me" not in _titles(card) and "Me le rappeler" not in _titles(card)
    # one PoE line: the activity's own
    assert sum("PoE" in t for t in texts) == 1


async def test_remind_me_only_where_a_reminder_lies_ahead_and_its_confirmation_names_it(product):
    client, connector, db = product
    [closed] = await _say(client, connector, "what was the claim deadline for co-op earned in March 2020?")
    assert "Remind me" not in _titles(_card(closed))
    # co-op earned July - December 2026: its first reminder is its window opening on 16 February
    # 2027 (the subscription's own next one is today's forfeiture reminder: not this card's)
    [later] = await _say(client, connector, "claim window for co-op earned in October 2026")
    remind = next(a for a in _card(later)["actions"] if a["title"] == "Remind me")
    assert remind["data"]["cycles"] == ["2026-H1"]
    refreshed = await _click(client, connector, remind)
    assert refreshed["body"][-1]["text"] == "✓ Reminders on · next on February 16, 2027"
    # the "right now" card: what is most urgent is the forfeiture on 31 December: today
    [now] = await _say(client, connector, "what can I claim right now?")
    remind = next(a for a in _card(now)["actions"] if a["title"] == "Remind me")
    refreshed = await _click(client, connector, remind)
    assert refreshed["body"][-1]["text"] == "✓ Reminders on · next on December 7, 2026"


async def test_a_card_without_universal_actions_confirms_that_cards_reminder_too(product):
    """The Action.Submit fallback of the same button (a client without Universal Actions): a
    message names the card's own reminder, not the subscription's first."""
    client, connector, _ = product
    [later] = await _say(client, connector, "claim window for co-op earned in October 2026")
    remind = next(a for a in _card(later)["actions"] if a["title"] == "Remind me")
    [confirmation] = await _say(client, connector, None, value=remind["fallback"]["data"])
    text = _card(confirmation)["fallbackText"] if confirmation.get("attachments") else confirmation["text"]
    assert "February 16, 2027" in text and "December 7, 2026" not in text


async def test_the_imminent_forfeiture_reminder_is_sent_once(product):
    client, connector, db = product
    [confirmation] = await _say(client, connector, "remind me")
    assert "December 7, 2026" in _card(confirmation)["fallbackText"]  # the next sweep, today
    [listing] = await _say(client, connector, "my reminders")
    listed = _card(listing)["fallbackText"] if listing.get("attachments") else listing["text"]
    assert "before unused funds are forfeited: next on December 7, 2026" in listed
    assert "before a claim window closes: next on January 16, 2027" in listed

    def reminders_sent():
        return [a for cid, a in connector.delivered if cid == PERSONAL and "December 31, 2026" in str(a)
                and "Co-op reminder" in str(a)]

    transport = production_transport(Settings(), timeout=2)
    try:
        first = await run_sweep(db, transport, TODAY, **FAST)
        again = await run_sweep(db, transport, TODAY, **FAST)  # the same day swept twice
        # and two sweepers at once the next day (another instance): still nothing more
        both = await asyncio.gather(run_sweep(db, transport, date(2026, 12, 8), **FAST),
                                    run_sweep(db, transport, date(2026, 12, 8), **FAST))
    finally:
        await transport.close()
    assert first.sent == 1 and again.sent == 0 and sum(s.sent for s in both) == 0
    [reminder] = reminders_sent()
    assert "forfeited" in str(reminder)
    rows = await db.fetch("SELECT reminder_key, state FROM reminder_ledger")
    assert [(r["reminder_key"], r["state"]) for r in rows] == [("forfeiture:2026-H2:30", "sent")]
    # subscribing again changes nothing: the ledger already has it
    await _say(client, connector, "remind me")
    assert await store.plan_urgent(db, (await store.user_subscriptions(db, "29:user-1"))[0].id, TODAY) == 0
    [listing] = await _say(client, connector, "my reminders")
    listed = _card(listing)["fallbackText"] if listing.get("attachments") else listing["text"]
    assert "before unused funds are forfeited: next on May 31, 2027" in listed  # the next one


@hsettings(max_examples=300, deadline=None)
@given(today=st.dates(min_value=date(2000, 3, 1), max_value=date(2099, 10, 1)), shift=st.integers(-6, 4))
@pytest.mark.property
def test_a_reminder_lies_ahead_exactly_while_a_deadline_of_the_cycle_does(today, shift):
    """The card's *Remind me* (reminder_ahead) against the cycle's own dates: a reminder lies
    ahead iff its claiming period or its usage period has not ended on ``today``; never before
    ``today``, never after the deadline it is about."""
    cal = calendar()
    cyc = cal.cycle(cal.next_half(cal.half_containing(today), shift))
    label = f"{cyc.earning.start.year}-{cyc.earning.name}"
    item = reminder_ahead([label], today)
    assert (item is not None) == (max(cyc.claiming.end, cyc.usage.end) >= today)
    if item is not None:
        assert today <= item.due_date <= item.deadline


async def test_an_urgent_reminder_goes_out_at_once_when_todays_sweep_has_run(db, connector, transport):
    """Subscribing after the day's sweep: the server's daily task is woken and sends the
    forfeiture reminder now, once (not tomorrow, when a deadline of today would be gone)."""
    from aiohttp import web

    from fake_connector import reference
    from reminders import StoreReminders
    from reminders.http import REMINDER_SERVICES, start_daily_sweeper

    sweep = await store.sweep_started(db, TODAY)
    await store.sweep_finished(db, sweep, 0, 0, 0, 0)  # today's sweep is over
    web_app = web.Application()
    start_daily_sweeper(web_app, Settings(reminder_sweep_hour=9), db, transport, clock=lambda: NOW)
    client = TestClient(TestServer(web_app, host="127.0.0.1"))
    await client.start_server()
    try:
        service = StoreReminders(db, on_urgent=web_app[REMINDER_SERVICES].sweep_soon)
        await service.subscribe(user_id="29:u1", reference=reference(connector.service_url, "c1"),
                                lang="en", today=TODAY)
        for _ in range(250):
            if connector.delivered:
                break
            await asyncio.sleep(0.02)
        await service.subscribe(user_id="29:u1", reference=reference(connector.service_url, "c1"),
                                lang="en", today=TODAY)  # again: wakes the task, sends nothing
        await asyncio.sleep(0.3)
    finally:
        await client.close()
    assert connector.counts() == {"c1": 1} and "December 31, 2026" in str(connector.delivered[0][1])
