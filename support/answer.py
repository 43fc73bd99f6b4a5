"""One ticket answered for the support desk: ``understanding.respond`` (the engine of the bot and
the CLI), shaped for the page and the JSON API.

Each section is one question's answer (``Reply.parts`` when the ticket holds several, else the
reply itself): its plain text, the facts it rests on (labels in the answer's language, from
the catalogue the cards use), the PoE keep-until date, the cited pages and the reading note.
"""
from __future__ import annotations

import re
from datetime import date
from typing import Any, Callable

from understanding import messages
from understanding.fmt import fmt_date

_BOLD = re.compile(r"\*\*(.+?)\*\*", re.S)


def plain_text(text: str) -> str:
    """The answer as it is pasted into a ticket: the light markdown's ``**bold**`` removed.

    >>> plain_text("claim from **16 August 2024** to **15 February 2025**.")
    'claim from 16 August 2024 to 15 February 2025.'
    """
    return _BOLD.sub(r"\1", text)


def _count(lang: str, key: str, n: int) -> str:
    """A plural entry of the catalogue (the form the language's plural rule picks for ``n``)."""
    return messages.t(lang, f"card.{key}", count=n, n=n)


def _facts(reply: Any, locale: str | None) -> list[list[str]]:
    lang = reply.lang
    labels = messages.card_labels(lang)

    def d(day: date) -> str:
        return fmt_date(day, locale, lang)

    def span(start: date, end: date) -> str:
        return labels["range"].format(start=d(start), end=d(end))

    facts: list[list[str]] = []
    for tl in reply.timelines:
        facts.append([labels["fy"], messages.fy_text(lang, tl.fy_label, tl.fy_label_other, tl.fy_convention)])
        facts.append([labels["earning"], messages.month_span(lang, tl.earning_start, tl.earning_end, locale)])
        facts.append([labels["usage"], span(tl.usage_start, tl.usage_end)])
        facts.append([labels["forfeit"], d(tl.forfeiture)])
        facts.append([labels["claiming"], span(tl.claim_start, tl.claim_end)])
        if tl.claim_state == "open":
            status = (labels["closes_today"] if tl.days_left == 0
                      else _count(lang, "days_left", tl.days_left or 0))
        elif tl.claim_state == "upcoming":
            status = _count(lang, "opens_in", tl.days_until_open or 0)
        else:
            status = labels["closed"]
        facts.append([labels["status"], status])
    if reply.poe_keep_until is not None:
        facts.append([labels["poe"], d(reply.poe_keep_until)])
    facts += [[label, value] for label, value in reply.facts]
    return facts


def section(reply: Any, locale: str | None = None) -> dict[str, Any]:
    return {
        "lang": reply.lang,
        "intent": reply.intent,
        "title": reply.title,
        "text": plain_text(reply.text),
        "facts": _facts(reply, locale),
        "links": [{"title": link.title, "url": link.url} for link in reply.links],
        "reading_note": reply.reading_note,
        "choices": list(reply.choices),
        "timelines": reply.to_dict()["timelines"],
        "poe_keep_until": reply.poe_keep_until.isoformat() if reply.poe_keep_until else None,
    }


def answer(text: str, *, today: date, lang: str | None = None, locale: str | None = None,
           convention: str | None = None, respond: Callable[..., Any] | None = None) -> dict[str, Any]:
    """The JSON the page renders: ``text`` (every answer in order, ready to paste) and one
    ``sections`` entry per question."""
    if respond is None:
        from understanding import respond
    reply = respond(text, lang=lang, locale=locale, today=today, convention=convention)
    return shape(reply, locale)


def shape(reply: Any, locale: str | None = None) -> dict[str, Any]:
    parts = list(reply.parts) or [reply]
    return {
        "text": plain_text(reply.text),
        "lang": reply.lang,
        "intent": reply.intent,
        "sections": [section(part, locale) for part in parts],
        "reading_note": reply.reading_note,
    }
