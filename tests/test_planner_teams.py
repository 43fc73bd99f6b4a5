"""Issue #20's Teams half over the real HTTP endpoint: the product app (``create_app``) on real
SQLite and PostgreSQL (``scratch``: both), the fake channel on loopback, the real planner store
underneath. A partner tracks activities in English and French (with a cost and a run of days),
lists them, marks one claimed, removes one and sets a budget, by typing and by the cards'
buttons; a channel's plan is one plan for its members; "forget my data" deletes a personal plan
and takes the member's id out of a shared one."""
from __future__ import annotations

import copy
import platform
from datetime import date, datetime, timezone

import pytest
from aiohttp.test_utils import TestClient, TestServer

import app
import bot.teams_bot
import services
from config import Settings
from planner import PlanStore, personal_plan, shared_plan

platform.platform()  # msrest asks once per process (a process): at collection, never inside a test

CARD = "application/vnd.microsoft.card.adaptive"
PERSONAL = "a:1Plan-personal"
CHANNEL = "19:plans@thread.tacv2"
ALICE = {"id": "29:alice-plan", "name": "Alice"}
BOB = {"id": "29:bob-plan", "name": "Bob"}
TODAY = date(2026, 12, 7)


@pytest.fixture
async def product(scratch, fake_channel, monkeypatch):
    # the day these tests are about, whatever day they run (at 23:00 UTC it is already 8 December
    # in Paris, the members' zone): the bot's clock, pinned as test_answers_truth pins it
    monkeypatch.setattr(bot.teams_bot, "_utc_now", lambda: datetime(TODAY.year, TODAY.month, TODAY.day, 9, 0,
                                                                    tzinfo=timezone.utc))
    db = await scratch.connect()
    await services.migrate_database(db)  # what `python app.py migrate` does
    settings = Settings(database_url=scratch.url, reminder_sweep_enabled=False,
                        public_base_url="https://coop.example.test")
    client = TestClient(TestServer(app.create_app(settings, storage=db), host="127.0.0.1"))
    await client.start_server()
    yield client, fake_channel, db
    await client.close()
    await db.close()


def _activity(channel, text=None, conversation=PERSONAL, kind="personal", member=ALICE, locale="en-US", **fields):
    activity = channel.activity(text, **fields)
    activity["conversation"] = {"id": conversation, "tenantId": "tenant-1", "conversationType": kind}
    activity["localTimestamp"] = "2026-12-07T10:00:00+01:00"
    activity["localTimezone"] = "Europe/Paris"
    activity["locale"] = locale
    activity["from"] = member
    return activity


async def _say(client, channel, text, **kw):
    before = len(channel.posted)
    response = await client.post("/api/messages", json=_activity(channel, text, **kw))
    assert response.status == 200
    return channel.posted[before:]


async def _click(client, channel, action, **kw):
    before = len(channel.posted)
    response = await client.post("/api/messages", json=_activity(
        channel, None, type="invoke", name="adaptiveCard/action",
        value={"action": {"type": "Action.Execute", "verb": action["verb"],
                          "data": copy.deepcopy(action["data"])}, "trigger": "manual"}, **kw))
    return response.status, await response.json(), channel.posted[before:]


def _card(activity):
    [attachment] = activity["attachments"]
    assert attachment["contentType"] == CARD
    return attachment["content"]


def _one_card(posted):
    assert len(posted) == 1, [p.get("text") for p in posted]
    return _card(posted[0])


def _buttons(element, title=None):
    """Every Action.Execute of a card (its own and its ActionSets'), optionally by title."""
    out = []
    if isinstance(element, dict):
        if element.get("type") == "Action.Execute" and (title is None or element.get("title") == title):
            out.append(element)
        for value in element.values():
            out.extend(_buttons(value, title))
    elif isinstance(element, list):
        for value in element:
            out.extend(_buttons(value, title))
    return out


def _texts(element):
    out = []
    if isinstance(element, dict):
        if element.get("type") == "TextBlock":
            out.append(element["text"])
        if element.get("type") == "FactSet":
            out += [f"{f['title']}: {f['value']}" for f in element["facts"]]
        for key, value in element.items():
            if key != "facts":
                out.extend(_texts(value))
    elif isinstance(element, list):
        for value in element:
            out.extend(_texts(value))
    return out


def _facts(card):
    out = {}
    for element in card["body"]:
        if element.get("type") == "FactSet":
            out.update({f["title"]: f["value"] for f in element["facts"]})
    return out


async def test_track_in_english_with_a_run_of_days_and_a_cost(product):
    client, channel, db = product
    card = _one_card(await _say(client, channel, "add activity: trade show 3–5 June 2027, 8 000 €"))
    facts = _facts(card)
    assert card["body"][0]["text"] == "Tracked: trade show"
    assert facts["Dates"] == "June 3, 2027 – June 5, 2027"
    assert facts["Cost"] == "€8,000.00"
    assert facts["Paid from co-op earned"] == "July – December 2026"
    assert facts["Usage period"] == "January 1, 2027 – June 30, 2027"
    assert facts["Claim window"] == "February 16, 2027 – August 15, 2027"
    assert facts["Keep proof of execution until"] == "June 5, 2029"  # 24 months after its last day
    assert "Planned for June 3, 2027" in _texts(card)
    assert [b["title"] for b in _buttons(card)] == ["Mark claimed", "Edit", "Remove"]
    assert any(a["type"] == "Action.OpenUrl" and "create-incentives-claims" in a["url"] for a in card["actions"])
    [stored] = await PlanStore(db).activities(personal_plan(ALICE["id"]))
    assert (stored.name, stored.start, stored.end, stored.cost, stored.currency) == (
        "trade show", date(2027, 6, 3), date(2027, 6, 5), 8000, "EUR")


async def test_track_in_french_with_a_cost(product):
    client, channel, db = product
    card = _one_card(await _say(client, channel, "ajoute notre salon du 12 mars 2027, 5 000 €", locale="fr-FR"))
    facts = _facts(card)
    assert card["body"][0]["text"] == "Suivie : salon"
    assert facts["Payée par la co-op gagnée en"] == "juillet – décembre 2026"
    assert facts["Période de demande"] == "16 février 2027 – 15 août 2027"
    assert facts["Garder les preuves d'exécution jusqu'au"] == "12 mars 2029"
    assert facts["Coût"] == "5\u202f000,00\u00a0€"
    assert [b["title"] for b in _buttons(card)] == ["Marquer réclamée", "Modifier", "Retirer"]
    [stored] = await PlanStore(db).activities(personal_plan(ALICE["id"]))
    assert (stored.name, stored.start, stored.cost, stored.currency) == ("salon", date(2027, 3, 12), 5000, "EUR")


async def test_a_question_about_a_date_stays_a_question(product):
    client, channel, db = product
    card = _one_card(await _say(client, channel, "when must I claim our webinar of 12 March 2027?"))
    assert "August 15, 2027" in card["fallbackText"]
    assert await PlanStore(db).activities(personal_plan(ALICE["id"])) == []


async def test_list_mark_claimed_by_typing_and_by_button_then_remove(product):
    client, channel, db = product
    await _say(client, channel, "track our webinar on 12 March 2027")
    await _say(client, channel, "track a campaign on 2 September 2026, $3,000")  # window open on 7 Dec 2026
    listing = _one_card(await _say(client, channel, "my activities"))
    texts = _texts(listing)
    assert listing["body"][0]["text"] == "Activities in your plan"
    assert not any(e.get("id") == "status" for e in listing["body"])  # a plain listing says nothing more
    # by claim window, closing first: the campaign's (Aug 16, 2026 – Feb 15, 2027) before the webinar's
    headings = [t for t in texts if t.startswith("Claim window ") and not t.startswith("Claim window open")]
    assert headings == ["Claim window August 16, 2026 – February 15, 2027",
                        "Claim window February 16, 2027 – August 15, 2027"]
    assert "Claim window open: 70 days left" in texts
    assert "Planned for March 12, 2027" in texts
    assert any(t.startswith("July – December 2026: $3,000.00 planned") for t in texts)

    # typed: "we claimed the campaign"
    after = _one_card(await _say(client, channel, "we claimed the campaign"))
    assert after["body"][-1]["text"] == "Marked claimed: campaign. No more reminders about it."
    assert "Claimed on December 7, 2026" in _texts(after)
    store = PlanStore(db)
    claimed = {a.name: a.claimed_on for a in await store.activities(personal_plan(ALICE["id"]))}
    assert claimed == {"webinar": None, "campaign": date(2026, 12, 7)}

    # a button on the plan: the webinar's "Mark claimed" refreshes the plan card in place
    [button] = [b for b in _buttons(after, "Mark claimed")]
    status, body, posted = await _click(client, channel, button)
    assert status == 200 and posted == []
    refreshed = body["value"]
    assert refreshed["body"][-1]["text"] == "Marked claimed: webinar. No more reminders about it."
    assert _buttons(refreshed, "Mark claimed") == []

    # typed removal; then a Remove button
    gone = _one_card(await _say(client, channel, "remove the campaign"))
    assert gone["body"][-1]["text"] == "Removed: campaign."
    [remove] = _buttons(gone, "Remove")
    status, body, _ = await _click(client, channel, remove)
    assert body["value"]["body"][-1]["text"] == "Removed: webinar."
    assert await store.activities(personal_plan(ALICE["id"])) == []
    assert "Nothing in your plan yet." in body["value"]["fallbackText"]


async def test_french_list_claimed_and_removed(product):
    client, channel, db = product
    await _say(client, channel, "ajoute notre salon du 12 mars 2027, 5 000 €", locale="fr-FR")
    listing = _one_card(await _say(client, channel, "mes activités", locale="fr-FR"))
    assert listing["body"][0]["text"] == "Activités dans votre plan"
    done = _one_card(await _say(client, channel, "on a réclamé le salon", locale="fr-FR"))
    assert done["body"][-1]["text"] == "Marquée réclamée : salon. Plus de rappel à son sujet."
    removed = _one_card(await _say(client, channel, "supprime le salon", locale="fr-FR"))
    assert removed["body"][-1]["text"] == "Retirée : salon."
    assert await PlanStore(db).activities(personal_plan(ALICE["id"])) == []


async def test_a_command_naming_no_known_activity_shows_the_plan_to_pick_from(product):
    client, channel, db = product
    await _say(client, channel, "track our webinar on 12 March 2027")
    await _say(client, channel, "track our webinar on 2 April 2027")
    card = _one_card(await _say(client, channel, "we claimed the webinar"))
    assert card["body"][-1]["text"] == ("Several activities match “webinar”: “webinar” (March 12, 2027), "
                                        "“webinar” (April 2, 2027). Use the buttons of the one you mean.")
    assert len(_buttons(card, "Mark claimed")) == 2
    card = _one_card(await _say(client, channel, "remove the hackathon"))
    assert card["body"][-1]["text"] == "I found no activity called “hackathon” in your plan."
    assert len(await PlanStore(db).activities(personal_plan(ALICE["id"]))) == 2


async def test_move_an_activity_to_a_day_without_a_year(product):
    client, channel, db = product
    await _say(client, channel, "track our webinar on 12 March 2027")
    card = _one_card(await _say(client, channel, "move the webinar to 14 March"))
    assert card["body"][-1]["text"] == "Changed: webinar."
    [stored] = await PlanStore(db).activities(personal_plan(ALICE["id"]))
    assert stored.start == date(2027, 3, 14)  # the 14 March nearest the webinar's own date


async def test_budget_planned_against_available_and_what_is_not_planned(product):
    client, channel, db = product
    card = _one_card(await _say(client, channel, "we have 20 000 € of co-op from H2 2026"))
    # "H2 2026" is the H2 whose months lie in 2026 (January – June 2026), used July – December 2026
    assert card["body"][-1]["text"] == ("Noted: €20,000.00 of co-op earned in January – June 2026, "
                                        "to use in July – December 2026.")
    await _say(client, channel, "track a campaign on 2 September 2026, 8 000 €")
    listing = _one_card(await _say(client, channel, "my activities"))
    assert ("July – December 2026: €8,000.00 planned of €20,000.00 available · €12,000.00 not planned yet"
            in _texts(listing))
    [budget] = await PlanStore(db).budgets(personal_plan(ALICE["id"]))
    assert (budget.earned_start, budget.amount, budget.currency) == (date(2026, 1, 1), 20000, "EUR")
    # an activity outside the funds named gets the warning
    webinar = _one_card(await _say(client, channel, "track our webinar on 12 March 2027"))
    assert any(t.startswith("⚠ Outside the funds you named") for t in _texts(webinar))


async def test_the_form_adds_an_activity_and_edit_changes_it(product):
    client, channel, db = product
    form = _one_card(await _say(client, channel, "add an activity"))
    [save] = _buttons(form, "Save")
    assert {i["id"] for i in form["body"] if i["type"].startswith("Input.")} == {"name", "start", "end", "program"}
    save = copy.deepcopy(save)
    save["data"].update(name="Partner summit", start="2027-09-14", end="2027-09-15", cost="12000",
                        currency="usd", program="CSP")
    status, body, _ = await _click(client, channel, save)
    card = body["value"]
    assert status == 200 and card["body"][0]["text"] == "Tracked: Partner summit"
    assert _facts(card)["Cost"] == "$12,000.00"
    [stored] = await PlanStore(db).activities(personal_plan(ALICE["id"]))
    assert (stored.start, stored.end, stored.currency, stored.program) == (
        date(2027, 9, 14), date(2027, 9, 15), "USD", "CSP")
    # Edit: the form again, filled in; Save changes the activity
    [edit] = _buttons(card, "Edit")
    _, body, _ = await _click(client, channel, edit)
    filled = body["value"]
    assert filled["body"][0]["text"] == "Edit the activity"
    assert {i["id"]: i.get("value") for i in filled["body"] if i["type"] == "Input.Text"}["name"] == "Partner summit"
    [save] = _buttons(filled, "Save")
    save = copy.deepcopy(save)
    save["data"].update(name="Partner summit", start="2027-10-05", end="", cost="12000", currency="USD")
    _, body, _ = await _click(client, channel, save)
    assert body["value"]["body"][-1]["text"] == "Changed: Partner summit."
    [stored] = await PlanStore(db).activities(personal_plan(ALICE["id"]))
    assert (stored.start, stored.end) == (date(2027, 10, 5), date(2027, 10, 5))
    # a value the plan refuses keeps the form and says why
    save["data"].update(start="2027-10-05", end="2027-10-01")
    _, body, _ = await _click(client, channel, save)
    assert body["value"]["body"][-1]["text"] == "The last day is before the first one."


async def test_an_activity_without_its_day_gets_the_form_filled_in(product):
    client, channel, db = product
    form = _one_card(await _say(client, channel, "track our webinar"))
    assert {i["id"]: i.get("value") for i in form["body"] if i["type"] == "Input.Text"}["name"] == "webinar"
    assert form["body"][-1]["text"].startswith("On which day or days is it?")
    assert await PlanStore(db).activities(personal_plan(ALICE["id"])) == []


async def test_a_button_naming_no_activity_is_a_bad_request(product):
    client, channel, db = product
    card = _one_card(await _say(client, channel, "track our webinar on 12 March 2027"))
    [claim] = _buttons(card, "Mark claimed")
    forged = copy.deepcopy(claim)
    forged["data"]["activity"] = "../../c:19:other"
    status, body, _ = await _click(client, channel, forged)
    assert status == 400 and "activity id" in body["value"]["message"]


async def test_a_channel_plan_is_shared_by_its_members(product):
    client, channel, db = product
    kw = dict(conversation=CHANNEL, kind="channel")
    await _say(client, channel, "track our roadshow on 10 May 2027, 4 000 €", member=ALICE, **kw)
    # Bob sees Alice's activity in the channel's plan, and marks it claimed
    listing = _one_card(await _say(client, channel, "our activities", member=BOB, **kw))
    assert listing["body"][0]["text"] == "Activities in this channel's plan"
    assert any("roadshow" in t for t in _texts(listing))
    [claim] = _buttons(listing, "Mark claimed")
    status, body, _ = await _click(client, channel, claim, member=BOB, **kw)
    assert status == 200 and body["value"]["body"][-1]["text"].startswith("Marked claimed: roadshow")
    store = PlanStore(db)
    [shared] = await store.activities(shared_plan(CHANNEL))
    assert shared.claimed_on == date(2026, 12, 7)
    assert await store.activities(personal_plan(ALICE["id"])) == []  # not Alice's personal plan
    # Alice's own personal chat has her own plan
    personal = _one_card(await _say(client, channel, "my activities", member=ALICE))
    assert "Nothing in your plan yet." in personal["fallbackText"]


async def test_forget_my_data_deletes_the_personal_plan_and_unnames_the_shared_one(product):
    client, channel, db = product
    store = PlanStore(db)
    await _say(client, channel, "track our webinar on 12 March 2027", member=ALICE)
    await _say(client, channel, "we have 20 000 € of co-op from H2 2026", member=ALICE)
    await _say(client, channel, "track our roadshow on 10 May 2027", member=ALICE, conversation=CHANNEL, kind="channel")
    await _say(client, channel, "track our expo on 20 May 2027", member=BOB, conversation=CHANNEL, kind="channel")
    [shared_before] = [a for a in await store.activities(shared_plan(CHANNEL)) if a.name == "roadshow"]
    assert shared_before.added_by is not None
    await _say(client, channel, "forget my data", member=ALICE)
    [done] = await _say(client, channel, "yes", member=ALICE)
    assert done["text"].startswith("Done")
    assert await store.activities(personal_plan(ALICE["id"])) == []
    assert await store.budgets(personal_plan(ALICE["id"])) == []
    by_name = {a.name: a.added_by for a in await store.activities(shared_plan(CHANNEL))}
    assert set(by_name) == {"roadshow", "expo"}  # the channel keeps its activities
    assert by_name["roadshow"] is None and by_name["expo"] is not None  # only Alice's id is gone


async def test_export_gives_the_plan_as_csv_with_formula_cells_neutralised(product):
    client, channel, db = product
    # typed, a formula is markup and no command; a form's name is taken as written
    await _say(client, channel, 'track "=HYPERLINK(1)" on 12 March 2027')
    assert await PlanStore(db).activities(personal_plan(ALICE["id"])) == []
    [save] = _buttons(_one_card(await _say(client, channel, "add an activity")), "Save")
    save = copy.deepcopy(save)
    save["data"].update(name="=HYPERLINK(1)", start="2027-03-12")
    await _click(client, channel, save)
    [message] = await _say(client, channel, "export my activities")
    assert message["text"].startswith("The plan as CSV")
    assert "name,start,end,cost" in message["text"]
    assert "'=HYPERLINK(1),2027-03-12,2027-03-12" in message["text"]


async def test_tracking_makes_the_reminders_subscription_and_stop_reminders_says_so(product):
    client, channel, db = product
    await _say(client, channel, "track our webinar on 12 March 2027")
    rows = await db.fetch("SELECT user_id, active, cycle_reminders FROM reminder_subscriptions")
    assert [(r["active"], r["cycle_reminders"]) for r in rows] == [(1, 0)] or \
        [(bool(r["active"]), r["cycle_reminders"]) for r in rows] == [(True, 0)]
    await _say(client, channel, "stop reminders")
    card = _one_card(await _say(client, channel, "track our expo on 20 May 2027"))
    assert card["body"][-1]["text"].startswith("Your reminders are off in this conversation")


async def test_a_reminder_card_mentions_who_added_it_and_its_mark_claimed_works(product, transport):
    """The sweep on the day the webinar's window opens renders the reminder with the Teams
    side's renderer (bot.plan_cards.reminder_activity): in the channel it @mentions Alice, who
    added it; its Mark claimed, clicked by Bob, marks it claimed in the channel's plan."""
    from bot.plan_cards import reminder_activity
    from reminders.sweeper import run_sweep

    client, channel, db = product
    kw = dict(conversation=CHANNEL, kind="channel")
    await _say(client, channel, "track our webinar on 12 March 2027", member=ALICE, **kw)
    before = len(channel.posted)
    summary = await run_sweep(db, transport, date(2027, 2, 16), tenant_rate=100, plan_renderer=reminder_activity,
                              backoff_base=0.02, backoff_cap=0.1, default_retry_after=0.05)
    [reminder] = [a for a in channel.posted[before:] if a.get("attachments")]
    card = _card(reminder)
    assert reminder["entities"] == [{"type": "mention", "text": "<at>Alice</at>",
                                     "mentioned": {"id": ALICE["id"], "name": "Alice"}}]
    assert reminder["text"].startswith("<at>Alice</at> ")
    texts = _texts(card)
    assert texts[0] == "<at>Alice</at>, about an activity you added:"
    assert "You can claim **webinar** from today, until August 15, 2027." in texts
    assert "Claim window: February 16, 2027 – August 15, 2027" in texts
    assert any(a["type"] == "Action.OpenUrl" and "create-incentives-claims" in a["url"] for a in card["actions"])
    [claim] = _buttons(card, "Mark claimed")
    status, body, _ = await _click(client, channel, claim, member=BOB, **kw)
    assert status == 200 and body["value"]["body"][-1]["text"].startswith("Marked claimed: webinar")
    [activity] = await PlanStore(db).activities(shared_plan(CHANNEL))
    assert activity.claimed_on == date(2026, 12, 7)  # the day it was clicked, by the member's clock
    assert summary is not None


async def test_a_personal_reminder_in_french_closing_soon(product, transport):
    from bot.plan_cards import reminder_activity
    from reminders.sweeper import run_sweep

    client, channel, db = product
    await _say(client, channel, "ajoute notre salon du 12 mars 2027, 5 000 €", locale="fr-FR")
    before = len(channel.posted)
    await run_sweep(db, transport, date(2027, 8, 8), tenant_rate=100, plan_renderer=reminder_activity,
                    backoff_base=0.02, backoff_cap=0.1, default_retry_after=0.05)
    cards = [_card(a) for a in channel.posted[before:] if a.get("attachments")]
    texts = [t for c in cards for t in _texts(c)]
    assert "Il reste 7 jours pour réclamer **salon** : la période de demande se termine le 15 août 2027." in texts
    assert not any("<at>" in t for t in texts)  # a personal chat mentions nobody
