"""The search-based message extension ("Co-op deadline" in the compose box, the command box,
a message's "…" menu and Microsoft 365 Copilot): ``composeExtension/query`` answered with a
result per reading.

The partner types "webinar 12 March 2027", "FY27 H1" or "mes fonds de juin"; the readings
come from :func:`understanding.search.search` (the engine's periods and roles, ``core``'s
cycles), one result each: a preview (a thumbnail card: title and one line) and the content
Teams inserts into the chat or channel when the partner picks it, a compact Adaptive Card
(the reading, the cycle's facts as the answer cards show them, the PoE keep-until date of an
activity, a link to the claim page; no ``Action.Execute``: the bot need not be in the chat
the card lands in). Nothing typed, nothing readable or a language no pack speaks gets one
result saying what to type: a search never fails with an error.

The invoke's value (``MessagingExtensionQuery``)::

    {"commandId": "coopDeadline", "parameters": [{"name": "searchKeyword", "value": "FY27 H1"}],
     "queryOptions": {"skip": 0, "count": 25}}

and the answer (``MessagingExtensionResponse``)::

    {"composeExtension": {"type": "result", "attachmentLayout": "list", "attachments": [
        {"contentType": "application/vnd.microsoft.card.adaptive", "content": {...},
         "preview": {"contentType": "application/vnd.microsoft.card.thumbnail",
                     "content": {"title": "...", "text": "..."}}}]}}
"""
from __future__ import annotations

import logging
import re
from datetime import date
from http import HTTPStatus
from typing import Any, Mapping

from botbuilder.core import InvokeResponse, TurnContext

from core import link
from understanding import messages
from understanding.fmt import fmt_date, locale_tag
from understanding.search import MAX_QUERY_CHARS, SearchReading, SearchResult, search

from . import cards

logger = logging.getLogger(__name__)

__all__ = ["COMMAND_ID", "PARAMETER", "QUERY_INVOKE", "CARD_MARK", "query_text", "response_body", "reading_card",
           "query", "is_inserted_card"]

QUERY_INVOKE = "composeExtension/query"
COMMAND_ID = "coopDeadline"  # teams/manifest.json composeExtensions[0].commands[0].id
PARAMETER = "searchKeyword"  # ... its one parameter
THUMBNAIL = "application/vnd.microsoft.card.thumbnail"
MAX_RESULTS = 10
CARD_MARK = "coopDeadlineResult"  # the id of an inserted card's title: the card is this extension's
_TAG = re.compile(r"<[^>]{0,2000}>")


def query_text(value: Any) -> str:
    """The searched words of a ``composeExtension/query`` value: the ``searchKeyword``
    parameter (else the first string parameter; ``initialRun`` has none), at most
    :data:`~understanding.search.MAX_QUERY_CHARS` characters; "" for anything else.

    >>> query_text({"commandId": "coopDeadline", "parameters": [{"name": "searchKeyword", "value": " FY27 H1 "}]})
    'FY27 H1'
    >>> query_text({"parameters": [{"name": "initialRun", "value": "true"}]}), query_text("x"), query_text(None)
    ('', '', '')
    """
    if not isinstance(value, Mapping):
        return ""
    parameters = value.get("parameters")
    if not isinstance(parameters, list):
        return ""
    named = [p for p in parameters[:5] if isinstance(p, Mapping) and isinstance(p.get("value"), str)]
    chosen = next((p for p in named if p.get("name") == PARAMETER), None)
    if chosen is None:
        chosen = next((p for p in named if p.get("name") != "initialRun"), None)
    return chosen["value"][:MAX_QUERY_CHARS].strip() if chosen is not None else ""


def _titles(reading: SearchReading, lang: str, locale: str) -> tuple[str, str]:
    """(title, one line) of a reading, in ``lang``."""
    tl = reading.timeline
    d = lambda day: fmt_date(day, locale, lang)  # noqa: E731
    if reading.role == "activity":
        if reading.last_day is not None:
            title = messages.t(lang, "compose.title_activity_span", start=d(reading.day), end=d(reading.last_day))
        else:
            title = messages.t(lang, "compose.title_activity", day=d(reading.day))
        line = messages.t(lang, "compose.line_activity", start=d(tl.claim_start), end=d(tl.claim_end),
                          keep=d(reading.keep_until))
    else:
        months = messages.month_span(lang, tl.earning_start, tl.earning_end, locale)
        title = f"{messages.t(lang, 'compose.title_earnings', months=months)} ({tl.fy_label})"
        line = messages.t(lang, "compose.line_earnings", use_by=d(tl.usage_end), start=d(tl.claim_start),
                          end=d(tl.claim_end))
    return title, line


def reading_card(reading: SearchReading, lang: str, locale: str) -> dict:
    """The compact card a reading inserts: its title, how the date was read, the cycle's
    facts (:func:`bot.cards.timeline_elements`), the PoE keep-until date of an activity and
    the claim page."""
    lab = cards.labels(lang)
    title, line = _titles(reading, lang, locale)
    facts_block = dict(cards.timeline_elements(reading.timeline, locale, lang, lab)[1])
    facts = list(facts_block["facts"])
    if reading.keep_until is not None:
        facts.append({"title": lab["poe"], "value": fmt_date(reading.keep_until, locale, lang)})
    claim = link(cards.CLAIM_LINK_KEY)
    body = [
        {"type": "TextBlock", "id": CARD_MARK, "text": title, "weight": "Bolder", "wrap": True},
        {"type": "TextBlock", "text": messages.t(lang, f"compose.read_{reading.role}"), "isSubtle": True,
         "spacing": "None", "size": "Small", "wrap": True},
        {"type": "FactSet", "facts": facts},
    ]
    fallback = "\n".join([title, line, *(f"{f['title']}: {f['value']}" for f in facts), claim.url])
    return {"type": "AdaptiveCard", "$schema": cards.SCHEMA_URL, "version": cards.VERSION, "body": body,
            "actions": [{"type": "Action.OpenUrl", "title": lab["claim_page"], "url": claim.url}],
            "fallbackText": fallback, "speak": f"{title}. {line}"}


def _attachment(card: dict, title: str, line: str) -> dict:
    return {"contentType": cards.CARD_CONTENT_TYPE, "content": card,
            "preview": {"contentType": THUMBNAIL, "content": {"title": title, "text": line}}}


def _note(title: str, text: str) -> dict:
    card = {"type": "AdaptiveCard", "$schema": cards.SCHEMA_URL, "version": cards.VERSION,
            "body": [{"type": "TextBlock", "text": title, "weight": "Bolder", "wrap": True},
                     {"type": "TextBlock", "text": text, "wrap": True}],
            "fallbackText": f"{title}\n{text}"}
    return _attachment(card, title, text)


def response_body(found: SearchResult) -> dict:
    """The ``MessagingExtensionResponse`` of a search (see the module)."""
    lang = messages.norm_lang(found.lang)
    locale = locale_tag(found.locale, lang)
    if found.status == "ok":
        attachments = []
        for reading in found.readings[:MAX_RESULTS]:
            title, line = _titles(reading, lang, locale)
            attachments.append(_attachment(reading_card(reading, lang, locale), title, line))
    elif found.status == "other_language":
        attachments = [_note(messages.t(lang, "compose.help_title"), messages.other_language(lang))]
    else:
        title = messages.t(lang, "compose.help_title" if found.status == "empty" else "compose.unreadable_title")
        attachments = [_note(title, messages.t(lang, "compose.help"))]
    return {"composeExtension": {"type": "result", "attachmentLayout": "list", "attachments": attachments}}


async def query(bot: Any, turn_context: TurnContext) -> InvokeResponse:
    """``composeExtension/query``: the readings of the searched words, in the partner's
    language (the words', else the client's), for the partner's day."""
    from dialogs import turn_info

    info = turn_info(turn_context)
    text = query_text(turn_context.activity.value)
    today: date = info.today
    found = search(text, locale=info.locale, today=today, convention=bot.convention)
    logger.info("compose search: %s, %d reading(s)", found.status, len(found.readings))
    return InvokeResponse(status=int(HTTPStatus.OK), body=response_body(found))


def is_inserted_card(activity: Any) -> bool:
    """Whether a message only carries a card this extension inserted (the partner picked a
    result in the bot's own chat, so the bot receives it): nothing to answer. Teams sends such
    a message with the card as its attachment and, as text, only its own markup around it.

    >>> card = {"type": "AdaptiveCard", "body": [{"type": "TextBlock", "id": CARD_MARK, "text": "x"}]}
    >>> from botbuilder.schema import Activity, Attachment
    >>> mine = Attachment(content_type=cards.CARD_CONTENT_TYPE, content=card)
    >>> is_inserted_card(Activity(type="message", text='<span class="inline-compose-card"></span>', attachments=[mine]))
    True
    >>> is_inserted_card(Activity(type="message", text="and when for FY27 H2?", attachments=[mine]))
    False
    """
    if getattr(activity, "type", None) != "message" or not activity.attachments:
        return False
    text = activity.text if isinstance(activity.text, str) else ""
    if _TAG.sub("", text[:20_000]).strip():
        return False
    for attachment in activity.attachments[:8]:
        content = getattr(attachment, "content", None)
        body = content.get("body") if isinstance(content, dict) else None
        if (getattr(attachment, "content_type", None) == cards.CARD_CONTENT_TYPE and isinstance(body, list)
                and body and isinstance(body[0], dict) and body[0].get("id") == CARD_MARK):
            return True
    return False
