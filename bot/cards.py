"""Render an :class:`understanding.reply.Reply` as a Teams message: an Adaptive Card 1.5 with
the structured facts and buttons, the complete plain-text answer in ``text`` (so the message
reads well where cards are not shown: notifications, screen readers, the Emulator's
transcript), and suggested actions for the next likely questions.

The card holds what a partner scans: per earning cycle a FactSet (earning → usage → claiming,
days left or "opens in", forfeiture date, the FY label in both conventions), the PoE
keep-until date, and the buttons "Remind me" and "Add to calendar" (``Action.Submit`` with a
``verb`` in ``data``: Teams posts a message activity whose ``value`` is that object and whose
``text`` is empty; no ``msteams`` block is needed for that) and "Open claim page"
(``Action.OpenUrl``). A clarifying question's choices become ``verb: "choose"`` buttons, which
also work in channels, where suggested actions are not shown.

Every word on the card comes from the language packs' gettext catalogues (``card.*`` keys of
``understanding/lang/<code>/messages.po``), through ``understanding.messages``.
"""
from __future__ import annotations

import logging
from datetime import date
from typing import Any, Iterable, Mapping

from botbuilder.schema import (Activity, ActivityTypes, Attachment, CardAction, SuggestedActions,
                               TextFormatTypes)

from understanding import messages
from understanding.reply import LinkRef, Reply, Timeline

logger = logging.getLogger(__name__)

__all__ = ["CARD_CONTENT_TYPE", "SCHEMA_URL", "VERSION", "reply_activity", "reply_card", "labels",
           "welcome_activity", "confirm_activity", "text_activity", "CardRenderer", "MAX_SUGGESTIONS"]

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
SCHEMA_URL = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.5"  # the highest version Teams renders
MAX_SUGGESTIONS = 6
MAX_CARD_ACTIONS = 6
CLAIM_LINK_KEY = "create_claim"

def labels(lang: str) -> Mapping[str, str]:
    """Card labels for ``lang`` (its language pack; English for what it lacks):
    ``understanding.messages.card_labels(lang)``."""
    return messages.card_labels(messages.norm_lang(lang))


def _fmt_date(day: date, locale: str | None, lang: str) -> str:
    from understanding.fmt import fmt_date

    return fmt_date(day, locale, lang)


def _range(start: date, end: date, locale: str | None, lang: str, lab: Mapping[str, str]) -> str:
    return lab["range"].format(start=_fmt_date(start, locale, lang), end=_fmt_date(end, locale, lang))


def _plural(lab: Mapping[str, str], stem: str, n: int, lang: str) -> str:
    """A plural entry of the catalogue: the form Babel's rule for ``lang`` picks for ``n``."""
    return messages.t(lang, f"card.{stem}", count=n, n=n)


def _status(tl: Timeline, lab: Mapping[str, str], lang: str) -> str:
    if tl.claim_state == "open":
        if tl.days_left == 0:
            return lab["closes_today"]
        if tl.days_left is not None:
            return _plural(lab, "days_left", tl.days_left, lang)
    if tl.claim_state == "upcoming" and tl.days_until_open is not None:
        return _plural(lab, "opens_in", tl.days_until_open, lang)
    if tl.claim_state == "closed":
        return lab["closed"]
    return ""


def _text_block(text: str, **extra: Any) -> dict:
    return {"type": "TextBlock", "text": text, "wrap": True, **extra}


def timeline_elements(tl: Timeline, locale: str | None, lang: str, lab: Mapping[str, str]) -> list[dict]:
    """A heading and a FactSet for one earning cycle."""
    fy = lab["fy_both"].format(label=tl.fy_label, other=tl.fy_label_other) \
        if tl.fy_label_other and tl.fy_label_other != tl.fy_label else tl.fy_label
    facts = [
        {"title": lab["fy"], "value": fy},
        {"title": lab["earning"], "value": _range(tl.earning_start, tl.earning_end, locale, lang, lab)},
        {"title": lab["usage"], "value": _range(tl.usage_start, tl.usage_end, locale, lang, lab)},
        {"title": lab["claiming"], "value": _range(tl.claim_start, tl.claim_end, locale, lang, lab)},
    ]
    status = _status(tl, lab, lang)
    if status:
        facts.append({"title": lab["status"], "value": status})
    facts.append({"title": lab["forfeit"], "value": _fmt_date(tl.forfeiture, locale, lang)})
    heading = _text_block(f"{tl.fy_label} · {tl.half}", weight="Bolder", spacing="Medium",
                          separator=True) if tl.half not in tl.fy_label else \
        _text_block(tl.fy_label, weight="Bolder", spacing="Medium", separator=True)
    return [heading, {"type": "FactSet", "facts": facts}]


def _timeline_data(tl: Timeline) -> dict:
    """What a "Remind me" / "Add to calendar" submit needs to know which cycle was meant."""
    return {"half": tl.half, "fy_label": tl.fy_label, "earning_start": tl.earning_start.isoformat(),
            "claim_start": tl.claim_start.isoformat(), "claim_end": tl.claim_end.isoformat()}


def _claim_link(reply: Reply) -> LinkRef | None:
    for link in reply.links:
        if link.key == CLAIM_LINK_KEY:
            return link
    return None


def reply_card(reply: Reply, locale: str | None = None) -> dict | None:
    """The Adaptive Card for ``reply``, or None when the reply has nothing a card adds (no
    timeline, facts, PoE date, link or choice): then the plain text is the whole message."""
    lang = messages.norm_lang(reply.lang)
    lab = labels(lang)
    body: list[dict] = []
    actions: list[dict] = []
    if reply.title:
        body.append(_text_block(reply.title, size="Medium", weight="Bolder", style="heading"))
    if reply.reading_note:
        body.append(_text_block(reply.reading_note, isSubtle=True, size="Small"))
    if reply.facts:
        body.append({"type": "FactSet",
                     "facts": [{"title": str(k), "value": str(v)} for k, v in reply.facts]})
    for tl in reply.timelines:
        body.extend(timeline_elements(tl, locale, lang, lab))
    if reply.poe_keep_until:
        body.append(_text_block(f"{lab['poe']} **{_fmt_date(reply.poe_keep_until, locale, lang)}**",
                                spacing="Medium"))
    if reply.timelines:
        # One remind/calendar pair for the first (the cycle the answer is about).
        target = _timeline_data(reply.timelines[0])
        actions.append({"type": "Action.Submit", "title": lab["remind"],
                        "data": {"verb": "remind", **target}})
        actions.append({"type": "Action.Submit", "title": lab["calendar"],
                        "data": {"verb": "calendar", **target}})
    claim = _claim_link(reply)
    if claim is not None and (reply.timelines or reply.poe_keep_until):
        actions.append({"type": "Action.OpenUrl", "title": lab["claim_page"], "url": claim.url})
    for link in reply.links:
        if link is claim and any(a.get("url") == link.url for a in actions):
            continue
        actions.append({"type": "Action.OpenUrl", "title": link.title, "url": link.url})
    for choice in reply.choices:
        actions.append({"type": "Action.Submit", "title": choice,
                        "data": {"verb": "choose", "text": choice}})
    if not body and not actions:
        return None
    if not body:
        # A card needs something to read: the title, else the answer itself.
        body.append(_text_block(reply.text))
    card: dict[str, Any] = {"type": "AdaptiveCard", "$schema": SCHEMA_URL, "version": VERSION,
                            "body": body}
    if actions:
        card["actions"] = _dedupe(actions)[:MAX_CARD_ACTIONS]
    card["msteams"] = {"width": "Full"}
    return card


def _dedupe(actions: Iterable[dict]) -> list[dict]:
    seen = set()
    out = []
    for action in actions:
        key = (action["type"], action["title"], action.get("url"))
        if key not in seen:
            seen.add(key)
            out.append(action)
    return out


def suggested_actions(texts: Iterable[str]) -> SuggestedActions | None:
    items = [t for t in dict.fromkeys(texts) if t][:MAX_SUGGESTIONS]
    if not items:
        return None
    return SuggestedActions(actions=[CardAction(type="imBack", title=t, value=t) for t in items])


def card_attachment(card: dict) -> Attachment:
    return Attachment(content_type=CARD_CONTENT_TYPE, content=card)


def reply_activity(reply: Reply, locale: str | None = None) -> Activity:
    """The message for ``reply``: ``text`` = the complete answer, the card when it adds
    something, suggested actions for the next likely questions."""
    activity = Activity(type=ActivityTypes.message, text=reply.text,
                        text_format=TextFormatTypes.markdown, locale=_answer_locale(reply, locale))
    card = reply_card(reply, locale)
    if card is not None:
        activity.attachments = [card_attachment(card)]
    suggestions = suggested_actions(reply.suggestions)
    if suggestions is not None:
        activity.suggested_actions = suggestions
    return activity


def _answer_locale(reply: Reply, locale: str | None) -> str:
    if locale and locale[:2].lower() == reply.lang:
        return locale
    return {"fr": "fr-FR"}.get(reply.lang, "en-US")


def welcome_activity(reply: Reply, locale: str | None = None) -> Activity:
    """The welcome message: ``text`` = the welcome, a card with its title and the common
    questions as ``ask`` buttons (the same questions as suggested actions)."""
    activity = reply_activity(reply, locale)
    lines = [line for line in reply.text.splitlines() if line.strip()]
    heading = reply.title or (lines[0].strip("*# ") if lines else "")
    card: dict[str, Any] = {"type": "AdaptiveCard", "$schema": SCHEMA_URL, "version": VERSION,
                            "body": [_text_block(heading, size="Medium", weight="Bolder", style="heading")],
                            "msteams": {"width": "Full"}}
    asks = [{"type": "Action.Submit", "title": q, "data": {"verb": "ask", "text": q}}
            for q in list(dict.fromkeys(reply.suggestions))[:MAX_CARD_ACTIONS]]
    if asks:
        card["actions"] = asks
    activity.attachments = [card_attachment(card)]
    return activity


def confirm_activity(text: str, lang: str, locale: str | None = None) -> Activity:
    """A yes/no question: the text, and Yes/No buttons that post the answer back as
    ``verb: "choose"`` (so it works in channels), also as suggested actions."""
    lab = labels(lang)
    yes, no = lab["yes"], lab["no"]
    card = {"type": "AdaptiveCard", "$schema": SCHEMA_URL, "version": VERSION,
            "body": [_text_block(text)],
            "actions": [{"type": "Action.Submit", "title": yes, "data": {"verb": "choose", "text": yes}},
                        {"type": "Action.Submit", "title": no, "data": {"verb": "choose", "text": no}}]}
    activity = Activity(type=ActivityTypes.message, text=text, text_format=TextFormatTypes.markdown,
                        attachments=[card_attachment(card)],
                        suggested_actions=suggested_actions([yes, no]),
                        locale=locale if locale and locale[:2].lower() == lang else None)
    return activity


def text_activity(text: str, lang: str, locale: str | None = None) -> Activity:
    return Activity(type=ActivityTypes.message, text=text, text_format=TextFormatTypes.markdown,
                    locale=locale if locale and locale[:2].lower() == lang else None)


class CardRenderer:
    """What the dialogs use to turn replies and sentences into activities (injected, so the
    dialogs do not import ``bot``)."""

    def reply(self, reply: Reply, locale: str | None = None) -> Activity:
        return reply_activity(reply, locale)

    def welcome(self, reply: Reply, locale: str | None = None) -> Activity:
        return welcome_activity(reply, locale)

    def confirm(self, text: str, lang: str, locale: str | None = None) -> Activity:
        return confirm_activity(text, lang, locale)

    def text(self, text: str, lang: str, locale: str | None = None) -> Activity:
        return text_activity(text, lang, locale)
