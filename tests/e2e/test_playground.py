"""The product in a Teams-like client: the Agents Playground (channel msteams) in Chromium.

Runs the real bot (``python app.py``), the pinned playground and Debian's Chromium, and reads
only what a person would see on the page.
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from .playground import (
    card_facts,
    card_text,
    click_card_button,
    find_dates,
    send_message,
    traffic_log,
    wait_for_bot_message,
)

QUESTION = "When is the claim deadline for co-op earned in August 2021?"
CLAIM_OPENS = date(2022, 2, 16)
CLAIM_CLOSES = date(2022, 8, 15)


def _has_claim_dates(text: str) -> bool:
    dates = find_dates(text)
    return CLAIM_OPENS in dates and CLAIM_CLOSES in dates


@pytest.mark.e2e
def test_claim_deadline_conversation(chat_page, e2e_artifacts):
    page = chat_page

    # Opening the chat installs the bot: it greets with a card before anything is typed.
    welcome = wait_for_bot_message(page, card=True, timeout=30)
    assert card_text(welcome).strip(), "the welcome card is empty"

    # The question, typed and sent like a person would.
    mark = send_message(page, QUESTION)
    answer = wait_for_bot_message(page, _has_claim_dates, since=mark,
                                  card=True, timeout=30)

    # The claiming window, as rendered on the card: a FactSet row about claiming holds
    # 16 February 2022 and 15 August 2022, in whatever human format Babel wrote them.
    facts = card_facts(answer)
    assert facts, f"the answer card has no FactSet; its text: {card_text(answer)!r}"
    claim_rows = [(t, v) for t, v in facts if re.search(r"claim", t, re.I)]
    assert claim_rows, f"no FactSet row about claiming; rows: {facts}"
    claim_dates = {d for _, v in claim_rows for d in find_dates(v)}
    assert {CLAIM_OPENS, CLAIM_CLOSES} <= claim_dates, (
        f"claiming window should be 2022-02-16 .. 2022-08-15; claim rows read {claim_rows}, "
        f"dates found {sorted(claim_dates)}")

    # A card button, clicked: the bot confirms the reminder.
    mark = click_card_button(page, "Remind me", card=answer)
    confirmation = wait_for_bot_message(page, re.compile(r"remind|subscri", re.I), since=mark,
                                        timeout=30)
    assert confirmation.is_visible()

    # Every activity the playground posted to the bot was accepted (2xx), none failed.
    posted = [row for row in traffic_log(page) if row["to"] == "User Application"]
    assert posted, "the playground's log panel shows no activity posted to the bot"
    failed = [row for row in posted if not 200 <= int(row["status"]) < 300]
    assert not failed, f"the bot answered activities with errors: {failed}"

    page.screenshot(path=str(e2e_artifacts.path("conversation.png")), full_page=True)
