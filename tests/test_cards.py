"""Adaptive Card rendering of Reply objects (schema 1.5 basics, text fallback, verbs)."""
from __future__ import annotations

from datetime import date

from bot.cards import (CARD_CONTENT_TYPE, SCHEMA_URL, confirm_activity, reply_activity, reply_card,
                       welcome_activity)
from understanding import respond
from understanding.reply import LinkRef, Reply, Timeline

ELEMENTS = {"TextBlock", "FactSet"}
ACTIONS = {"Action.Submit", "Action.OpenUrl"}


def _check_card(card: dict) -> None:
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.5" and card["$schema"] == SCHEMA_URL
    for element in card["body"]:
        assert element["type"] in ELEMENTS
        if element["type"] == "TextBlock":
            assert element["wrap"] is True and element["text"]
        else:
            assert all(set(f) == {"title", "value"} and f["title"] and f["value"] for f in element["facts"])
    for action in card.get("actions", []):
        assert action["type"] in ACTIONS and action["title"]
        if action["type"] == "Action.Submit":
            assert isinstance(action["data"], dict) and action["data"]["verb"] in (
                "remind", "calendar", "ask", "choose", "unsubscribe")
            assert "msteams" not in action["data"]  # plain object data: Teams posts it as value, no text
        else:
            assert action["url"].startswith("https://")
    assert len(card.get("actions", [])) <= 6


def _timeline() -> Timeline:
    return Timeline(earning_start=date(2024, 7, 1), earning_end=date(2024, 12, 31),
                    usage_start=date(2025, 1, 1), usage_end=date(2025, 6, 30),
                    claim_start=date(2025, 2, 16), claim_end=date(2025, 8, 15), half="H1",
                    fy_label="FY24 H1", fy_label_other="FY25 H1", claim_state="open", days_left=167,
                    usage_state="in_use")


def test_hand_built_reply_renders_timeline_facts_and_buttons():
    reply = Reply(lang="en", intent="claim_deadline", text="Claim by **August 15, 2025**.",
                  title="Co-op deadlines", timelines=[_timeline()], poe_keep_until=date(2027, 3, 1),
                  links=[LinkRef("Create a claim", "https://learn.microsoft.com/partner-center/create-incentives-claims",
                                 "create_claim")],
                  suggestions=["Remind me before my deadlines", "What is FY21 H1?"])
    activity = reply_activity(reply, "en-GB")
    assert activity.text == reply.text  # reads well without the card
    card = activity.attachments[0].content
    assert activity.attachments[0].content_type == CARD_CONTENT_TYPE
    _check_card(card)
    facts = {f["title"]: f["value"] for e in card["body"] if e["type"] == "FactSet" for f in e["facts"]}
    assert facts["Claiming period"] == "16 February 2025 – 15 August 2025"  # en-GB order
    assert facts["Status"] == "167 days left to claim"
    assert facts["Fiscal half"] == "FY24 H1 (also named FY25 H1)"
    assert facts["Unused funds forfeited after"] == "30 June 2025"
    assert any("Keep proof of execution until **1 March 2027**" in e.get("text", "") for e in card["body"])
    titles = [a["title"] for a in card["actions"]]
    assert titles[:3] == ["Remind me", "Add to calendar", "Open claim page"]
    remind = card["actions"][0]["data"]
    assert remind["verb"] == "remind" and remind["claim_end"] == "2025-08-15"
    assert [a.value for a in activity.suggested_actions.actions] == reply.suggestions
    assert all(a.type == "imBack" for a in activity.suggested_actions.actions)


def test_french_reply_has_french_labels_and_dates():
    tl = _timeline()
    reply = Reply(lang="fr", intent="claim_deadline", text="…", timelines=[tl])
    card = reply_card(reply, "en-US")  # French answer for an en-US user: French formats
    _check_card(card)
    facts = {f["title"]: f["value"] for e in card["body"] if e["type"] == "FactSet" for f in e["facts"]}
    assert facts["Période de demande"] == "16 février 2025 – 15 août 2025"
    assert [a["title"] for a in card["actions"]][:2] == ["Me le rappeler", "Ajouter au calendrier"]


def test_upcoming_and_closes_today_states():
    from dataclasses import replace

    lab = lambda tl: {f["title"]: f["value"] for e in reply_card(Reply("en", "x", "t", timelines=[tl]))["body"]
                      if e["type"] == "FactSet" for f in e["facts"]}["Status"]
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
                     "What is FY21 H1?", "help", "How do I submit a claim?"):
        reply = respond(question, locale="en-US", today=date(2025, 3, 1))
        activity = reply_activity(reply, "en-US")
        assert activity.text == reply.text
        card = reply_card(reply, "en-US")
        if card is not None:
            _check_card(card)


def test_welcome_and_confirm_cards():
    welcome = welcome_activity(Reply("en", "welcome", "Hi! I answer co-op questions.",
                                     suggestions=["What is FY21 H1?"]))
    card = welcome.attachments[0].content
    _check_card(card)
    assert card["actions"][0]["data"] == {"verb": "ask", "text": "What is FY21 H1?"}
    confirm = confirm_activity("Sure?", "fr")
    _check_card(confirm.attachments[0].content)
    assert [a.title for a in confirm.suggested_actions.actions] == ["Oui", "Non"]
