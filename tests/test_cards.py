"""Adaptive Card rendering of Reply objects: one message per answer (the card carries the answer,
with fallbackText and speak; no second copy in the text), a section per part of a message that
held several questions, Universal Actions on the buttons that change something."""
from __future__ import annotations

from datetime import date

from bot.cards import (CARD_CONTENT_TYPE, SCHEMA_URL, confirm_activity, reply_activity, reply_card,
                       welcome_activity, with_reminder_state)
from understanding import respond
from understanding.reply import LinkRef, Reply, Timeline

ELEMENTS = {"TextBlock", "FactSet", "Container"}
ACTIONS = {"Action.Submit", "Action.OpenUrl", "Action.Execute"}
BASE = "https://coop.example.test"


def _elements(body):
    for element in body:
        yield element
        if element["type"] == "Container":
            yield from _elements(element["items"])


def _check_card(card: dict) -> None:
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.5" and card["$schema"] == SCHEMA_URL
    assert card["fallbackText"] and card["speak"] and "**" not in card["speak"]
    for element in _elements(card["body"]):
        assert element["type"] in ELEMENTS
        if element["type"] == "TextBlock":
            assert element["wrap"] is True and element["text"]
            # no markdown lists (Teams mobile renders them badly): a bullet is its own block
            assert not any(line.lstrip().startswith(("- ", "* ")) for line in element["text"].splitlines())
        elif element["type"] == "FactSet":
            assert all(set(f) == {"title", "value"} and f["title"] and f["value"] for f in element["facts"])
    for action in card.get("actions", []):
        assert action["type"] in ACTIONS and action["title"]
        if action["type"] == "Action.Submit":  # only for the next question: a message-back
            assert action["data"]["verb"] in ("ask", "choose") and action["data"]["text"]
        elif action["type"] == "Action.Execute":  # what changes something
            assert action["verb"] in ("remind", "unsubscribe", "confirm", "calendar", "calendar_rotate")
            assert action["data"]["verb"] == action["verb"] and action["data"]["card"]
            assert isinstance(action["data"]["issued"], int)
        else:
            assert action["url"].startswith(("https://", BASE))
    assert len(card.get("actions", [])) <= 6


def _facts(card):
    return {f["title"]: f["value"] for e in _elements(card["body"]) if e["type"] == "FactSet"
            for f in e["facts"]}


def _texts(card):
    return [e["text"] for e in _elements(card["body"]) if e["type"] == "TextBlock"]


def _timeline() -> Timeline:
    return Timeline(earning_start=date(2024, 7, 1), earning_end=date(2024, 12, 31),
                    usage_start=date(2025, 1, 1), usage_end=date(2025, 6, 30),
                    claim_start=date(2025, 2, 16), claim_end=date(2025, 8, 15), half="H1",
                    fy_label="FY25 H1", fy_label_other="FY24 H1", claim_state="open", days_left=167,
                    usage_state="in_use")


def test_hand_built_reply_renders_timeline_facts_and_buttons():
    reply = Reply(lang="en", intent="claim_deadline",
                  text="Claim by **August 15, 2025**.\n- Claiming period: February 16, 2025 – August 15, 2025\n\n"
                       "Submit or manage a claim: Create a claim – https://learn.microsoft.com/partner-center/create-incentives-claims",
                  title="Co-op deadlines", timelines=[_timeline()], poe_keep_until=date(2027, 3, 1),
                  links=[LinkRef("Create a claim", "https://learn.microsoft.com/partner-center/create-incentives-claims",
                                 "create_claim")],
                  suggestions=["Remind me before my deadlines", "What is FY21 H1?"])
    activity = reply_activity(reply, "en-GB", base_url=BASE)
    # one message: the card carries the answer; beside it only a one-line summary
    assert activity.text is None and activity.summary == "Claim by August 15, 2025."
    assert len(activity.attachments) == 1
    card = activity.attachments[0].content
    assert activity.attachments[0].content_type == CARD_CONTENT_TYPE
    _check_card(card)
    assert card["fallbackText"] == reply.text and card["speak"] == "Claim by August 15, 2025."
    facts = _facts(card)
    assert facts["Claiming period"] == "16 February 2025 – 15 August 2025"  # en-GB order
    assert facts["Status"] == "167 days left to claim"
    # Microsoft's label alone (SPEC rule 8), once: the heading; the row below does not repeat it
    assert "Fiscal half" not in facts and "FY25 H1" in _texts(card)
    assert facts["Unused funds forfeited after"] == "30 June 2025"
    assert facts["Keep proof of execution until"] == "1 March 2027"
    texts = _texts(card)
    assert texts[:2] == ["Co-op deadlines", "Claim by **August 15, 2025**."]
    assert not any("Claiming period:" in t for t in texts)  # the bullet is the FactSet's row now
    assert ("Submit or manage a claim: [Create a claim](https://learn.microsoft.com/partner-center/"
            "create-incentives-claims)") in texts
    titles = [a["title"] for a in card["actions"]]
    assert titles == ["Remind me", "Add to calendar", "Open claim page"]
    remind, calendar = card["actions"][0], card["actions"][1]
    assert remind["type"] == "Action.Execute" and remind["verb"] == "remind" and remind["data"]["cycle"] == "2024-H1"
    assert calendar == {"type": "Action.OpenUrl", "title": "Add to calendar",
                        "url": f"{BASE}/calendar/cycles/2024-H1.ics?lang=en&locale=en-GB"}
    assert [a.value for a in activity.suggested_actions.actions] == reply.suggestions
    assert all(a.type == "imBack" for a in activity.suggested_actions.actions)


def test_several_questions_are_one_card_with_a_section_each():
    from dataclasses import replace

    closed = replace(_timeline(), earning_start=date(2020, 7, 1), claim_state="closed", days_left=None)
    first = Reply("en", "claim_deadline", "Claim by **August 15, 2025**.\n- Earning period: …",
                  title="Co-op deadlines", timelines=[_timeline()],
                  links=[LinkRef("Create a claim", "https://learn.microsoft.com/x", "create_claim")])
    second = Reply("en", "split", "5,000 at 60/40 gives **2,000 of co-op**.", title="Co-op split")
    third = Reply("en", "timeline", "The FY20 H1 cycle.\n- Earning period: …", timelines=[closed])
    outer = Reply("en", "multi", "\n\n".join(r.text for r in (first, second, third)),
                  timelines=first.timelines + third.timelines, parts=[first, second, third])
    activity = reply_activity(outer, "en-US", base_url=BASE)
    assert len(activity.attachments) == 1 and activity.text is None
    card = activity.attachments[0].content
    _check_card(card)
    sections = [e for e in card["body"] if e["type"] == "Container"]
    assert len(sections) == 3 and [s["separator"] for s in sections] == [False, True, True]
    headings = [s["items"][0]["text"] for s in sections]
    assert headings == ["Co-op deadlines", "Co-op split", "Question 3"]
    assert "**2,000 of co-op**" in _texts({"body": sections[1]["items"]})[1]
    assert card["fallbackText"] == outer.text
    # the calendar file covers the card's own cycles, never a closed window
    [calendar] = [a for a in card["actions"] if a["title"] == "Add to calendar"]
    assert "/calendar/cycles/2024-H1.ics" in calendar["url"] and "2020-H1" not in calendar["url"]
    assert card["speak"].startswith("Claim by August 15, 2025.")


def test_no_calendar_button_when_every_window_is_closed():
    from dataclasses import replace

    closed = replace(_timeline(), claim_state="closed", days_left=None)
    card = reply_card(Reply("en", "claim_deadline", "Closed.", timelines=[closed]), base_url=BASE)
    assert "Add to calendar" not in [a["title"] for a in card["actions"]]


def test_french_reply_has_french_labels_and_dates():
    tl = _timeline()
    reply = Reply(lang="fr", intent="claim_deadline", text="…", timelines=[tl])
    card = reply_card(reply, "en-US", base_url=BASE)  # French answer for an en-US user: French formats
    _check_card(card)
    facts = _facts(card)
    assert facts["Période de demande"] == "16 février 2025 – 15 août 2025"
    assert [a["title"] for a in card["actions"]][:2] == ["Me le rappeler", "Ajouter au calendrier"]
    assert card["actions"][1]["url"].endswith("?lang=fr")


def test_upcoming_and_closes_today_states():
    from dataclasses import replace

    lab = lambda tl: _facts(reply_card(Reply("en", "x", "t", timelines=[tl])))["Status"]
    assert lab(replace(_timeline(), days_left=0)) == "Claiming closes today"
    assert lab(replace(_timeline(), claim_state="upcoming", days_left=None, days_until_open=1)) == \
        "Claiming opens in 1 day"


def test_plain_reply_is_text_only_and_choices_become_buttons():
    assert reply_card(Reply("en", "thanks", "You're welcome!")) is None
    activity = reply_activity(Reply("en", "thanks", "You're welcome!"))
    assert not activity.attachments and activity.text == "You're welcome!"
    card = reply_card(Reply("en", "timeline", "Which one?", title="Which one?",
                            choices=["March 4, 2024", "April 3, 2024"]))
    _check_card(card)
    assert [a["data"] for a in card["actions"]] == [{"verb": "choose", "text": "March 4, 2024"},
                                                   {"verb": "choose", "text": "April 3, 2024"}]


def test_real_understanding_replies_render_valid_cards():
    for question in ("When must I claim H1 funds?", "Quand dois-je réclamer les fonds H2 ?",
                     "I ran an event on 2024-02-29, how long do I keep the invoice?", "split 5000 60/40",
                     "What is FY21 H1?", "help", "How do I submit a claim?", "What is OSU Microsoft 365?"):
        reply = respond(question, locale="en-US", today=date(2025, 3, 1))
        activity = reply_activity(reply, "en-US", base_url=BASE)
        card = reply_card(reply, "en-US", base_url=BASE)
        if card is None:
            assert activity.text == reply.text and not activity.attachments
            continue
        _check_card(card)
        # the answer is said once: on the card, not again in the text
        assert activity.text is None and "\n" not in (activity.summary or "")
        words = " ".join(_texts(card))
        assert reply.text.splitlines()[0].replace("**", "")[:40] in words.replace("**", "")


def test_split_card_shows_the_amounts():
    reply = respond("5000 at 60/40: how much is co-op?", locale="en-US", today=date(2025, 3, 1))
    card = reply_card(reply, "en-US")
    assert card is not None and any("2,000" in t and "3,000" in t for t in _texts(card))


def test_welcome_and_confirm_cards():
    welcome = welcome_activity(Reply("en", "welcome", "Hi! I answer co-op questions about claim deadlines.",
                                     suggestions=["What is FY21 H1?"]))
    card = welcome.attachments[0].content
    _check_card(card)
    # a short heading, then the welcome as ordinary text (not the whole paragraph in bold)
    assert card["body"][0]["text"] == "Co-op Assistant" and card["body"][0]["weight"] == "Bolder"
    assert card["body"][1]["text"].startswith("Hi!") and "weight" not in card["body"][1]
    assert welcome.text is None
    assert card["actions"][0]["data"] == {"verb": "ask", "text": "What is FY21 H1?"}
    confirm = confirm_activity("Sure?", "fr")
    confirm_card = confirm.attachments[0].content
    _check_card(confirm_card)
    assert [(a["title"], a["verb"], a["data"]["answer"]) for a in confirm_card["actions"]] == [
        ("Oui", "confirm", "yes"), ("Non", "confirm", "no")]
    assert [a.title for a in confirm.suggested_actions.actions] == ["Oui", "Non"]


def test_reminder_state_replaces_the_button():
    card = reply_card(Reply("en", "claim_deadline", "Claim.", timelines=[_timeline()]), base_url=BASE)
    data = card["actions"][0]["data"]
    on = with_reminder_state(card, "en", True, next_date=date(2025, 7, 16), data=data)
    assert on["body"][-1]["text"] == "✓ Reminders on · next on July 16, 2025"
    assert [a["title"] for a in on["actions"]] == ["Stop reminders", "Add to calendar"]
    assert on["actions"][0]["data"]["card"] == data["card"]
    off = with_reminder_state(on, "en", False, data=data)
    assert off["body"][-1]["text"] == "Reminders off" and off["actions"][0]["title"] == "Remind me"
    assert sum(1 for e in off["body"] if e.get("id") == "status") == 1


def test_a_reading_note_is_shown_once():
    note = "“H1” without a year: I took the next H1 earnings."
    reply = Reply("en", "poe_retention", f"Keep the PoE until **July 1, 2028**.\n{note}\nMore.",
                  reading_note=note, poe_keep_until=date(2028, 7, 1))
    texts = _texts(reply_card(reply))
    assert texts.count(note) == 1


def test_the_2020_labelling_as_a_setting_names_microsofts_label_beside_it():
    import dataclasses

    tl = dataclasses.replace(_timeline(), fy_label="FY24 H1", fy_label_other="FY25 H1", fy_convention="seed")
    reply = Reply(lang="en", intent="claim_deadline", text="Claim by **August 15, 2025**.", timelines=[tl])
    facts = _facts(reply_activity(reply, "en-GB", base_url=BASE).attachments[0].content)
    assert facts["Fiscal half"] == "FY24 H1 in the co-op page's 2020 table, FY25 H1 in Microsoft's fiscal calendar"
