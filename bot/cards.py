"""Render an :class:`understanding.reply.Reply` as one Teams message: an Adaptive Card 1.5 that
carries the whole answer, or plain text where a card adds nothing.

One message per answer. The card holds the answer itself (its headline, the explanation, a
FactSet per earning cycle instead of the text's bullet list, links inline), with
``fallbackText`` (the complete plain-text answer, for clients that show no cards) and
``speak`` (the headline, for screen readers and voice). The activity carries no second copy
of the answer: only ``summary``, one line for notifications. A message that held several
questions (``Reply.parts``) is one card with a section per answer. No markdown lists (Teams
mobile renders nested lists badly): a bullet is its own TextBlock.

Buttons:

- that change something are ``Action.Execute`` (Universal Actions) with a ``verb``: "Remind me"
  (``remind``), "Stop reminders" (``unsubscribe``), Yes/No of a confirmation (``confirm``),
  "New link" of the calendar subscription (``calendar_rotate``). Their ``data`` names the card
  (``card``: an id the bot keeps the card under, so the invoke can answer with the refreshed
  card) and when it was issued (``issued``: a card from before "forget my data" is stale);
- that only read are ``Action.OpenUrl`` ("Add to calendar": the .ics of the card's own
  cycles, never for a window already closed; "Open claim page") or, for the next question,
  ``Action.Submit`` with ``verb: "ask"`` / ``"choose"`` (a message-back with the text).

Every word on the card comes from the language packs' gettext catalogues (``card.*`` keys of
``understanding/lang/<code>/messages.po``), through ``understanding.messages``.
"""
from __future__ import annotations

import logging
import os
import re
import time
from datetime import date
from functools import lru_cache
from typing import Any, Iterable, Mapping, Sequence
from urllib.parse import urlencode

from botbuilder.schema import (Activity, ActivityTypes, Attachment, CardAction, SuggestedActions,
                               TextFormatTypes)

from core.redact import log_id
from understanding import messages, registry
from understanding.reply import LinkRef, Reply, Timeline

logger = logging.getLogger(__name__)

__all__ = ["CARD_CONTENT_TYPE", "SCHEMA_URL", "VERSION", "reply_activity", "reply_card", "labels",
           "welcome_activity", "confirm_activity", "text_activity", "card_activity", "CardRenderer",
           "MAX_SUGGESTIONS", "MAX_SUGGESTION_LABEL", "suggestion_label", "execute_actions", "with_reminder_state", "with_status",
           "card_of_activity", "summary_line", "cycle_key", "calendar_file_url", "requester_tag"]

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
SCHEMA_URL = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.5"  # the highest version Teams renders
MAX_SUGGESTIONS = 3  # Teams: at most three suggested actions on a reply
MAX_SUGGESTION_LABEL = 20  # characters a suggested action's label shows in full
MAX_CARD_ACTIONS = 6
CLAIM_LINK_KEY = "create_claim"
STATUS_ID = "status"
CALENDAR_FILE_PATH = "/calendar/cycles/{cycles}.ics"

_URL = re.compile(r"https?://\S+")
_MARKDOWN = re.compile(r"\*\*|__|`")


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


def plain(text: str) -> str:
    """``text`` without markdown emphasis and with URLs left out (for ``speak`` / summaries).

    >>> plain("Claim by **August 15, 2025**: https://example.com/x")
    'Claim by August 15, 2025:'
    """
    out = _MARKDOWN.sub("", _URL.sub("", text))
    return re.sub(r"\s+", " ", out).strip(" –-")


def summary_line(text: str, limit: int = 200) -> str:
    """The first line of ``text``, plain, at most ``limit`` characters (a notification line)."""
    first = next((line for line in (text or "").splitlines() if line.strip()), "")
    line = plain(first.lstrip("-• "))
    return line if len(line) <= limit else line[:limit - 1].rstrip() + "…"


def timeline_elements(tl: Timeline, locale: str | None, lang: str, lab: Mapping[str, str]) -> list[dict]:
    """A heading and a FactSet for one earning cycle. The heading names the FY label; the
    FactSet repeats it only when it says more (the 2020 table's label beside Microsoft's)."""
    fy = messages.fy_text(lang, tl.fy_label, tl.fy_label_other, tl.fy_convention)
    title = tl.fy_label if tl.half in tl.fy_label else f"{tl.fy_label} · {tl.half}"
    facts = [
        *([{"title": lab["fy"], "value": fy}] if fy != tl.fy_label else []),
        {"title": lab["earning"], "value": messages.month_span(lang, tl.earning_start, tl.earning_end, locale)},
        {"title": lab["usage"], "value": _range(tl.usage_start, tl.usage_end, locale, lang, lab)},
        {"title": lab["claiming"], "value": _range(tl.claim_start, tl.claim_end, locale, lang, lab)},
    ]
    status = _status(tl, lab, lang)
    if status:
        facts.append({"title": lab["status"], "value": status})
    facts.append({"title": lab["forfeit"], "value": _fmt_date(tl.forfeiture, locale, lang)})
    heading = _text_block(title, weight="Bolder", spacing="Medium", separator=True)
    return [heading, {"type": "FactSet", "facts": facts}]


def cycle_key(tl: Timeline) -> str:
    """The cycle of a timeline as the calendar routes name it: the earning half by the calendar
    year of its first month (``2021-H1`` = July–December 2021, as ``reminders.schedule``)."""
    return f"{tl.earning_start.year}-{tl.half}"


_CYCLE_KEY = re.compile(r"^\d{4}-H[12]$")
MAX_CARD_CYCLES = 8


def reminder_date(cycles: Iterable[str], today: date) -> date | None:
    """The day the first reminder about ``cycles`` (``2026-H2``...) reaches someone who
    subscribes on ``today`` (``today`` itself for one whose usual notice has passed), or None
    when no reminder lies ahead for them: :func:`reminders.schedule.reminder_ahead`.

    >>> reminder_date(["2026-H2"], date(2026, 12, 7)), reminder_date(["2020-H1"], date(2026, 12, 7))
    (datetime.date(2026, 12, 7), None)
    """
    from reminders.schedule import reminder_ahead

    item = reminder_ahead(list(cycles), today)
    return item.due_date if item is not None else None


def confirmation_date(data: Mapping[str, Any] | None, today: date, fallback: date | None) -> date | None:
    """What "✓ Reminders on · next on …" names after a card's *Remind me*: the first reminder
    about the card's own cycles (its button's ``cycles``, or the ``cycle`` of older cards) as
    of the click, None when none lies ahead any more; ``fallback`` (the subscription's next
    reminder) for a button that names no cycle.

    >>> confirmation_date({"cycles": ["2020-H1"]}, date(2026, 12, 7), date(2027, 1, 16)) is None
    True
    >>> confirmation_date({}, date(2026, 12, 7), date(2027, 1, 16))
    datetime.date(2027, 1, 16)
    """
    data = data or {}
    cycles = data.get("cycles") if isinstance(data.get("cycles"), list) else [data.get("cycle")]
    cycles = [c for c in cycles[:MAX_CARD_CYCLES] if isinstance(c, str) and _CYCLE_KEY.match(c)]
    if not cycles:
        return fallback
    return reminder_date(cycles, today)


def _reply_today(reply: Reply, timelines: Sequence[Timeline]) -> date | None:
    """The asker's day the answer was composed for (``data["today"]``; else what a timeline's
    day counts give back)."""
    stamp = (reply.data or {}).get("today")
    if isinstance(stamp, str):
        try:
            return date.fromisoformat(stamp)
        except ValueError:
            pass
    for tl in timelines:
        if tl.days_left is not None:
            return date.fromordinal(tl.claim_end.toordinal() - tl.days_left)
        if tl.days_until_open is not None:
            return date.fromordinal(tl.claim_start.toordinal() - tl.days_until_open)
    return None


def _reminder_ahead(keys: Sequence[str], timelines: Sequence[Timeline], today: date | None) -> bool:
    if today is not None:
        return reminder_date(keys, today) is not None
    # a reply without its day (built by hand): a reminder lies ahead while a deadline does
    return any(tl.claim_state != "closed" or tl.usage_state != "forfeited" for tl in timelines)


def calendar_file_url(base_url: str, cycles: Sequence[str], lang: str, locale: str | None) -> str:
    """The .ics of ``cycles`` (``GET /calendar/cycles/<k1>,<k2>.ics``, ``reminders.http``)."""
    query = {"lang": lang}
    if locale:
        query["locale"] = locale
    return (base_url.rstrip("/") + CALENDAR_FILE_PATH.format(cycles=",".join(cycles))
            + "?" + urlencode(query))


def _claim_link(reply: Reply) -> LinkRef | None:
    for link in reply.links:
        if link.key == CLAIM_LINK_KEY:
            return link
    return None


def _inline_links(line: str, links: Iterable[LinkRef]) -> str:
    """``Title – https://...`` / ``Title: https://...`` / a bare URL as a markdown link."""
    for link in links:
        for form in (f"{link.title} – {link.url}", f"{link.title}: {link.url}", f"{link.title} - {link.url}"):
            if form in line:
                line = line.replace(form, f"[{link.title}]({link.url})")
                break
        else:
            if link.url in line and f"]({link.url})" not in line:
                line = line.replace(link.url, f"[{link.title}]({link.url})")
    return line


def _answer_blocks(reply: Reply, has_facts: bool) -> tuple[list[dict], list[dict]]:
    """The answer's own words as TextBlocks, as (headline, the rest): its lines, except the
    bullet list a FactSet shows (``has_facts``); the reading note is subtle; bullets otherwise
    become separate "•" blocks (no markdown lists). The headline is the first paragraph."""
    head: list[dict] = []
    blocks: list[dict] = []
    note = (reply.reading_note or "").strip()
    lines = (reply.text or "").splitlines()
    start = 0
    for start, raw in enumerate(lines):
        if not raw.strip() or raw.strip().startswith(("- ", "• ", "* ")):
            break
        if note and raw.strip() == note:
            head.append(_text_block(note, isSubtle=True, size="Small"))
            note = ""
            continue
        head.append(_text_block(_inline_links(raw.strip(), reply.links)))
    else:
        start = len(lines)
    for raw in lines[start:]:
        line = raw.strip()
        if not line:
            continue
        if note and line == note:
            blocks.append(_text_block(note, isSubtle=True, size="Small"))
            note = ""
            continue
        if line.startswith(("- ", "• ", "* ")):
            if has_facts:
                continue
            line = "• " + line[2:].strip()
            blocks.append(_text_block(_inline_links(line, reply.links), spacing="Small"))
            continue
        blocks.append(_text_block(_inline_links(line, reply.links)))
    if note:
        blocks.append(_text_block(note, isSubtle=True, size="Small"))
    return head, blocks


def _section(reply: Reply, locale: str | None, lang: str, lab: Mapping[str, str], *,
             heading: str | None) -> list[dict]:
    body: list[dict] = []
    if heading:
        body.append(_text_block(heading, size="Medium", weight="Bolder", style="heading"))
    head, rest = _answer_blocks(reply, has_facts=bool(reply.timelines))
    body.extend(head)
    if reply.facts:
        body.append({"type": "FactSet",
                     "facts": [{"title": str(k), "value": str(v)} for k, v in reply.facts]})
    for tl in reply.timelines:
        body.extend(timeline_elements(tl, locale, lang, lab))
    if reply.poe_keep_until:
        day = _fmt_date(reply.poe_keep_until, locale, lang)
        if day not in (reply.text or ""):
            body.append({"type": "FactSet", "facts": [{"title": lab["poe"], "value": day}]})
    if rest and (reply.timelines or reply.facts):
        rest[0] = {**rest[0], "separator": True, "spacing": "Medium"}
    body.extend(rest)
    return body


def _new_card_id() -> str:
    """A fresh card id: 16 random hex digits (what a card's buttons carry back)."""
    return os.urandom(8).hex()


def _stamp(data: dict, card_id: str, issued: int, lang: str | None = None) -> dict:
    out = {**data, "card": card_id, "issued": issued}
    if lang:
        out["lang"] = lang
    return out


def reply_card(reply: Reply, locale: str | None = None, *, base_url: str = "",
               card_id: str | None = None, issued: int | None = None) -> dict | None:
    """The Adaptive Card for ``reply`` (one section per part when ``reply.parts`` is
    non-empty), or None when a card adds nothing (no timeline, facts, PoE date, link, choice
    or part): then the plain text is the whole message."""
    lang = messages.norm_lang(reply.lang)
    lab = labels(lang)
    parts = list(reply.parts)
    if not parts and not (reply.timelines or reply.facts or reply.poe_keep_until or reply.links
                          or reply.choices or reply.reading_note):
        return None
    card_id = card_id or _new_card_id()
    issued = int(time.time()) if issued is None else issued
    body: list[dict] = []
    if parts:
        for n, part in enumerate(parts, start=1):
            section = _section(part, locale, lang, lab, heading=part.title or lab["section"].format(n=n))
            body.append({"type": "Container", "separator": n > 1, "spacing": "Large",
                         "items": section, "id": f"part-{n}"})
        timelines = [tl for part in parts for tl in part.timelines]
        links = [link for part in parts for link in part.links]
        choices: list[str] = []
    else:
        body.extend(_section(reply, locale, lang, lab, heading=reply.title))
        timelines, links, choices = list(reply.timelines), list(reply.links), list(reply.choices)
    actions: list[dict] = []
    if timelines:
        keys = list(dict.fromkeys(cycle_key(tl) for tl in timelines))
        if _reminder_ahead(keys, timelines, _reply_today(reply, timelines)):
            # "Remind me" only where a reminder lies ahead for what the card is about
            actions.append({"type": "Action.Execute", "title": lab["remind"], "verb": "remind",
                            "data": _stamp({"verb": "remind", "cycle": keys[0], "cycles": keys}, card_id,
                                           issued, lang)})
        open_cycles = list(dict.fromkeys(cycle_key(tl) for tl in timelines if tl.claim_state != "closed"))
        if open_cycles and base_url:
            actions.append({"type": "Action.OpenUrl", "title": lab["calendar"],
                            "url": calendar_file_url(base_url, open_cycles, lang,
                                                     _lang_locale(lang, locale))})
        elif open_cycles:  # no public address known: the invoke answers with the user's feed
            actions.append({"type": "Action.Execute", "title": lab["calendar"], "verb": "calendar",
                            "data": _stamp({"verb": "calendar", "cycles": open_cycles}, card_id,
                                           issued, lang)})
    claim = next((link for link in links if link.key == CLAIM_LINK_KEY), None)
    if claim is not None and (timelines or reply.poe_keep_until):
        actions.append({"type": "Action.OpenUrl", "title": lab["claim_page"], "url": claim.url})
    for choice in choices:
        actions.append({"type": "Action.Submit", "title": choice,
                        "data": {"verb": "choose", "text": choice}})
    if not body:
        body.append(_text_block(reply.text))
    card: dict[str, Any] = {"type": "AdaptiveCard", "$schema": SCHEMA_URL, "version": VERSION,
                            "body": body, "fallbackText": reply.text,
                            "speak": plain(_speakable(reply))}
    if actions:
        card["actions"] = _dedupe(actions)[:MAX_CARD_ACTIONS]
    card["msteams"] = {"width": "Full"}
    return card


def _speakable(reply: Reply) -> str:
    if reply.parts:
        return " ".join(summary_line(p.text) for p in reply.parts)
    return summary_line(reply.text, limit=400)


def _dedupe(actions: Iterable[dict]) -> list[dict]:
    seen = set()
    out = []
    for action in actions:
        key = (action["type"], action["title"], action.get("url"))
        if key not in seen:
            seen.add(key)
            out.append(action)
    return out


def _labels_by_text() -> dict[str, str]:
    return _labels_cached(registry.generation())


@lru_cache(maxsize=4)
def _labels_cached(generation: int) -> dict[str, str]:
    """Each catalogue question (``suggest.<name>``) -> its short label (``suggest_label.<name>``),
    in every registered language."""
    out: dict[str, str] = {}
    for lang in registry.codes():
        for key in messages.keys():
            if key.startswith("suggest_label."):
                question = "suggest." + key[len("suggest_label."):]
                if messages.has(lang, question):
                    out[messages.t(lang, question)] = messages.t(lang, key)
    return out


def suggestion_label(text: str) -> str:
    """The label a suggested action shows for ``text``: the text itself when it fits in
    :data:`MAX_SUGGESTION_LABEL` characters, else the catalogue's short label of that question,
    else its first words and "…" (Teams cuts a longer label at both ends).

    >>> suggestion_label("Remind me before my deadlines")
    'Remind me'
    >>> suggestion_label("H1 2021 (January – June 2021, as the fiscal year says)")
    'H1 2021 (January…'
    """
    if len(text) <= MAX_SUGGESTION_LABEL:
        return text
    label = _labels_by_text().get(text)
    if label and len(label) <= MAX_SUGGESTION_LABEL:
        return label
    cut = text[:MAX_SUGGESTION_LABEL - 1]
    if " " in cut:
        cut = cut[:cut.rindex(" ")]
    return cut.rstrip(" ,;:–-") + "…"


def suggested_actions(texts: Iterable[str]) -> SuggestedActions | None:
    """At most :data:`MAX_SUGGESTIONS` suggested actions; each sends its whole text and shows
    a label that fits (:func:`suggestion_label`)."""
    items = [t for t in dict.fromkeys(texts) if t][:MAX_SUGGESTIONS]
    if not items:
        return None
    return SuggestedActions(actions=[CardAction(type="imBack", title=suggestion_label(t), value=t)
                                     for t in items])


def card_attachment(card: dict) -> Attachment:
    return Attachment(content_type=CARD_CONTENT_TYPE, content=card)


def card_of_activity(activity: Any) -> dict | None:
    """The Adaptive Card an activity carries, or None."""
    for attachment in getattr(activity, "attachments", None) or []:
        content_type = getattr(attachment, "content_type", None)
        if content_type == CARD_CONTENT_TYPE and isinstance(attachment.content, dict):
            return attachment.content
    return None


def with_fallbacks(card: dict) -> dict:
    """``card`` with an ``Action.Submit`` fallback on every ``Action.Execute`` (same title and
    data): a client without Universal Actions sends it as a message-back, which the bot
    handles too (the answer then comes as a message instead of a refreshed card)."""
    actions = card.get("actions")
    if not actions:
        return card
    out = []
    for action in actions:
        if action.get("type") == "Action.Execute" and "fallback" not in action:
            action = {**action, "fallback": {"type": "Action.Submit", "title": action["title"],
                                             "data": dict(action.get("data") or {})}}
        out.append(action)
    return {**card, "actions": out}


def card_activity(card: dict, summary: str, lang: str, locale: str | None = None, *,
                  text: str | None = None) -> Activity:
    """One message with ``card``; ``summary`` is the notification line. ``text`` stays None
    (the card carries the answer) unless the caller wants a preview line beside it."""
    card = with_fallbacks(card)
    return Activity(type=ActivityTypes.message, attachments=[card_attachment(card)],
                    summary=summary or None, text=text,
                    text_format=TextFormatTypes.markdown if text else None,
                    locale=_lang_locale(lang, locale))


def reply_activity(reply: Reply, locale: str | None = None, *, base_url: str = "") -> Activity:
    """The one message for ``reply``: the card when it adds something (no text beside it but
    a one-line ``summary``), else the text; suggested actions for the next likely questions."""
    card = reply_card(reply, locale, base_url=base_url)
    if card is not None:
        activity = card_activity(card, summary_line(reply.text), reply.lang, _answer_locale(reply, locale))
    else:
        activity = Activity(type=ActivityTypes.message, text=reply.text,
                            text_format=TextFormatTypes.markdown, locale=_answer_locale(reply, locale))
    suggestions = suggested_actions(reply.suggestions)
    if suggestions is not None:
        activity.suggested_actions = suggestions
    return activity


def _answer_locale(reply: Reply, locale: str | None) -> str:
    if locale and locale[:2].lower() == reply.lang:
        return locale
    return registry.default_locale(reply.lang)  # CLDR's likely region: fr -> fr-FR


def _lang_locale(lang: str, locale: str | None) -> str | None:
    return locale if locale and locale[:2].lower() == lang else None


def welcome_activity(reply: Reply, locale: str | None = None) -> Activity:
    """The welcome: a card with a short heading, the welcome text and the common questions as
    ``ask`` buttons (the same questions as suggested actions)."""
    lang = messages.norm_lang(reply.lang)
    lab = labels(lang)
    card: dict[str, Any] = {"type": "AdaptiveCard", "$schema": SCHEMA_URL, "version": VERSION,
                            "body": [_text_block(reply.title or lab["welcome_title"], size="Medium",
                                                 weight="Bolder", style="heading"),
                                     *(_text_block(line.strip()) for line in reply.text.splitlines()
                                       if line.strip())],
                            "fallbackText": reply.text, "speak": plain(reply.text),
                            "msteams": {"width": "Full"}}
    asks = [{"type": "Action.Submit", "title": q, "data": {"verb": "ask", "text": q}}
            for q in list(dict.fromkeys(reply.suggestions))[:MAX_CARD_ACTIONS]]
    if asks:
        card["actions"] = asks
    activity = card_activity(card, summary_line(reply.text), lang, _answer_locale(reply, locale))
    suggestions = suggested_actions(reply.suggestions)
    if suggestions is not None:
        activity.suggested_actions = suggestions
    return activity


def requester_tag(user_id: str | None) -> str:
    """What a confirmation card's buttons carry to name the member who asked: a one-way
    name of their user id (the card is seen by everyone in the conversation).

    >>> requester_tag("29:alice") == requester_tag("29:alice") != requester_tag("29:bob")
    True
    """
    return log_id(user_id)


def confirm_card(text: str, lang: str, *, card_id: str | None = None, issued: int | None = None,
                 requester: str | None = None) -> dict:
    """Yes/No buttons under ``text``; with ``requester`` (a user id) the buttons name that
    member (:func:`requester_tag`): a click by anyone else does not answer."""
    lab = labels(lang)
    card_id = card_id or _new_card_id()
    issued = int(time.time()) if issued is None else issued
    buttons = []
    for answer, title in (("yes", lab["yes"]), ("no", lab["no"])):
        data = {"verb": "confirm", "answer": answer, "text": title}
        if requester:
            data["requester"] = requester_tag(requester)
        buttons.append({"type": "Action.Execute", "title": title, "verb": "confirm",
                        "data": _stamp(data, card_id, issued, lang)})
    return {"type": "AdaptiveCard", "$schema": SCHEMA_URL, "version": VERSION,
            "body": [_text_block(line.strip()) for line in text.splitlines() if line.strip()],
            "fallbackText": text, "speak": plain(text), "actions": buttons}


def confirm_activity(text: str, lang: str, locale: str | None = None, *,
                     requester: str | None = None) -> Activity:
    """A yes/no question: Yes/No buttons (``Action.Execute`` verb ``confirm``; the answer
    updates the card), the same answers as suggested actions for typing clients."""
    lab = labels(lang)
    activity = card_activity(confirm_card(text, lang, requester=requester), summary_line(text),
                             lang, locale)
    activity.suggested_actions = suggested_actions([lab["yes"], lab["no"]])
    return activity


def text_activity(text: str, lang: str, locale: str | None = None) -> Activity:
    return Activity(type=ActivityTypes.message, text=text, text_format=TextFormatTypes.markdown,
                    locale=_lang_locale(lang, locale))


# --------------------------------------------------------------------------- refreshed cards


def execute_actions(card: dict) -> list[dict]:
    return [a for a in card.get("actions", []) if a.get("type") == "Action.Execute"]


def with_status(card: dict, status: str, *, keep_actions: bool = True,
                actions: Sequence[dict] | None = None) -> dict:
    """A copy of ``card`` with ``status`` as its last TextBlock (replacing an earlier status)
    and, when ``actions`` is given, those actions instead of its ``Action.Execute`` ones."""
    out = dict(card)
    body = [e for e in card.get("body", []) if e.get("id") != STATUS_ID]
    body.append(_text_block(status, id=STATUS_ID, weight="Bolder", spacing="Medium", separator=True))
    out["body"] = body
    current = list(card.get("actions", []))
    if actions is not None:
        kept = [a for a in current if a.get("type") != "Action.Execute"]
        current = list(actions) + kept
    elif not keep_actions:
        current = [a for a in current if a.get("type") != "Action.Execute"]
    if current:
        out["actions"] = current[:MAX_CARD_ACTIONS]
    else:
        out.pop("actions", None)
    return out


def with_reminder_state(card: dict, lang: str, on: bool, *, next_date: date | None = None,
                        locale: str | None = None, data: Mapping[str, Any] | None = None) -> dict:
    """``card`` after "Remind me" (``on``: "✓ Reminders on · Stop reminders") or after "Stop
    reminders" (``on`` False: "Reminders off · Remind me")."""
    lab = labels(lang)
    base = {k: v for k, v in (data or {}).items() if k in ("card", "issued", "cycle", "cycles")}
    if on:
        status = (lab["reminders_on_next"].format(date=_fmt_date(next_date, locale, lang))
                  if next_date else lab["reminders_on"])
        button = {"type": "Action.Execute", "title": lab["stop"], "verb": "unsubscribe",
                  "data": {**base, "verb": "unsubscribe"}}
    else:
        status = lab["reminders_off"]
        button = {"type": "Action.Execute", "title": lab["remind"], "verb": "remind",
                  "data": {**base, "verb": "remind"}}
    others = [a for a in execute_actions(card) if a.get("verb") not in ("remind", "unsubscribe")]
    return with_status(card, status, actions=[button, *others])


def subscribed_card(outcome: Any, lang: str, locale: str | None = None) -> dict:
    """"Remind me" said in words: the confirmation, "✓ Reminders on" and a Stop button."""
    card = {"type": "AdaptiveCard", "$schema": SCHEMA_URL, "version": VERSION,
            "body": [_text_block(outcome.text)], "fallbackText": outcome.text,
            "speak": plain(outcome.text)}
    data = _stamp({"verb": "unsubscribe"}, _new_card_id(), int(time.time()), lang)
    return with_reminder_state(card, lang, True, next_date=getattr(outcome, "next_date", None),
                               locale=locale, data=data)


def listing_card(outcome: Any, lang: str) -> dict:
    """"My reminders": where they go and the next one; "Stop reminders" for this conversation's
    (a Universal Action, the card then says "Reminders off")."""
    blocks = []
    for line in outcome.text.splitlines():
        line = line.strip()
        if line.startswith("- "):
            blocks.append(_text_block("• " + line[2:], spacing="Small"))
        elif line:
            blocks.append(_text_block(line, weight="Bolder") if not blocks else _text_block(line))
    card = {"type": "AdaptiveCard", "$schema": SCHEMA_URL, "version": VERSION, "body": blocks,
            "fallbackText": outcome.text, "speak": plain(outcome.text.splitlines()[0])}
    if getattr(outcome, "here", False):
        card["actions"] = [{"type": "Action.Execute", "title": labels(lang)["stop"], "verb": "unsubscribe",
                            "data": _stamp({"verb": "unsubscribe"}, _new_card_id(),
                                           int(time.time()), lang)}]
    return card


def calendar_card(outcome: Any, lang: str) -> dict:
    """The user's calendar subscription: subscribe (``webcal://``), download once, new link."""
    lab = labels(lang)
    body = [_text_block(lab["calendar"], size="Medium", weight="Bolder", style="heading"),
            _text_block(lab["feed_text"])]
    actions: list[dict] = []
    if outcome.webcal:
        actions.append({"type": "Action.OpenUrl", "title": lab["feed"], "url": outcome.webcal})
    if getattr(outcome, "download_url", ""):
        actions.append({"type": "Action.OpenUrl", "title": lab["download_ics"], "url": outcome.download_url})
        body = body[:1] + [_text_block(outcome.text.split(": http")[0] if ": http" in outcome.text else outcome.text)]
    if outcome.feed_url:
        actions.append({"type": "Action.OpenUrl", "title": lab["download_ics"], "url": outcome.feed_url})
        actions.append({"type": "Action.Execute", "title": lab["feed_rotate"], "verb": "calendar_rotate",
                        "data": _stamp({"verb": "calendar_rotate"}, _new_card_id(),
                                       int(time.time()), lang)})
    return {"type": "AdaptiveCard", "$schema": SCHEMA_URL, "version": VERSION, "body": body,
            "actions": actions, "fallbackText": outcome.text, "speak": plain(lab["feed_text"])}


class CardRenderer:
    """What the dialogs use to turn replies and sentences into activities (injected, so the
    dialogs do not import ``bot``). ``base_url``: the bot's public address (calendar links)."""

    def __init__(self, base_url: str = "") -> None:
        self.base_url = base_url.rstrip("/")

    def reply(self, reply: Reply, locale: str | None = None) -> Activity:
        return reply_activity(reply, locale, base_url=self.base_url)

    def welcome(self, reply: Reply, locale: str | None = None) -> Activity:
        return welcome_activity(reply, locale)

    def confirm(self, text: str, lang: str, locale: str | None = None, *,
                requester: str | None = None) -> Activity:
        return confirm_activity(text, lang, locale, requester=requester)

    def text(self, text: str, lang: str, locale: str | None = None) -> Activity:
        return text_activity(text, lang, locale)

    def card(self, card: dict, summary: str, lang: str, locale: str | None = None) -> Activity:
        return card_activity(card, summary, lang, locale)

    def calendar_card(self, outcome: Any, lang: str) -> dict:
        return calendar_card(outcome, lang)

    def outcome(self, outcome: Any, lang: str, locale: str | None = None) -> Activity:
        """What an action did (``dialogs.actions.Outcome``): a card where it has buttons
        (reminders on → Stop; the calendar subscription), else the sentence."""
        if outcome.kind == "subscribed":
            return card_activity(subscribed_card(outcome, lang, locale), summary_line(outcome.text), lang, locale)
        if outcome.kind == "listing" and getattr(outcome, "here", False):
            return card_activity(listing_card(outcome, lang), summary_line(outcome.text), lang, locale)
        if outcome.kind == "calendar" and (outcome.feed_url or getattr(outcome, "download_url", "")):
            return card_activity(calendar_card(outcome, lang), summary_line(labels(lang)["feed_text"]),
                                 lang, locale)
        return text_activity(outcome.text, lang, locale)
