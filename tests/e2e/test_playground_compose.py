"""The message extension in the Agents Playground (0.2.28 has a "Search-Based Message
Extension" panel behind the compose box's "+": it sends ``composeExtension/query`` with the
command id and parameter name typed into it, since it reads no manifest): a partner searches
"webinar 12 March 2027", "FY27 H1" and "mes fonds de juin", sees a result per reading with its one-line preview,
picks the activity and sends it; the chat shows the compact card with core's dates, and the
bot does not answer its own inserted card. A screenshot goes to the temporary folder."""
from __future__ import annotations

import re
from datetime import date

import pytest

from bot import compose
from core import activity_facts, calendar

from .playground import bot_messages, card_facts, user_messages

PANEL = "Search-Based Message Extension"


def _search(page, text: str) -> None:
    box = page.get_by_placeholder("Enter a search term")
    box.fill(text)
    box.press("Enter")


def _open_panel(page) -> None:
    page.get_by_role("button", name="Trigger Message Extension App").click()
    page.get_by_text("Search Command", exact=True).click()
    page.get_by_text(PANEL).wait_for()
    page.get_by_text("Specify Command ID or Parameter").click()
    page.get_by_placeholder("Command ID").fill(compose.COMMAND_ID)
    page.get_by_placeholder("Parameter name").fill(compose.PARAMETER)


@pytest.mark.e2e
def test_the_message_extension_in_the_playground(chat_page, screenshots):
    page = chat_page
    _open_panel(page)
    _search(page, "FY27 H1")
    earned = page.get_by_text("Co-op earned July – December 2026 (FY27 H1)")
    earned.wait_for()
    h1 = calendar().cycle(calendar().half_from_label(2027, "H1", "microsoft"))
    assert h1.claiming.end == date(2027, 8, 15)
    page.get_by_text("Use by June 30, 2027 · claim February 16, 2027 – August 15, 2027").wait_for()

    _search(page, "mes fonds de juin")  # French words: French results, whatever the client's locale
    page.get_by_text(re.compile(r"^Co-op gagnée : janvier – juin \d{4} \(FY\d\d H2\)$")).wait_for()

    _search(page, "webinar 12 March 2027")
    result = page.get_by_text("Activity on March 12, 2027")
    result.wait_for()
    assert page.get_by_text("Co-op earned").count() == 0  # the webinar is an activity only
    facts = activity_facts(date(2027, 3, 12))
    result.first.click()  # Teams puts the card into the compose box
    bots_before = bot_messages(page).count()
    page.get_by_role("button", name="Send Message").click()
    card = user_messages(page).last
    card.get_by_text("Activity on March 12, 2027").wait_for()
    shown = dict(card_facts(card))
    assert shown["Claiming period"] == "February 16, 2027 – August 15, 2027"
    assert facts.cycle.claiming.start == date(2027, 2, 16) and facts.keep_until == date(2029, 3, 12)
    assert shown["Keep proof of execution until"] == "March 12, 2029"
    assert "Open claim page" in card.inner_text()
    page.wait_for_timeout(1500)  # a reply would have come by now
    assert bot_messages(page).count() == bots_before  # the bot does not answer its own card
    page.screenshot(path=str(screenshots / "message-extension.png"))
