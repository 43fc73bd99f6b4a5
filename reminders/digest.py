"""The reminder a subscriber gets, as one Teams message: an Adaptive Card and a summary line.

What is due and its dates (a FactSet per item), the proof-of-execution sentence, and buttons:
"Open claim page" and "Add to calendar" (``Action.OpenUrl``: the policy's claim page, the
.ics of the cycles the reminder is about) and "Stop reminders" (``Action.Execute``, verb
``unsubscribe``: stops the reminders of this conversation; the invoke answers with this card
rebuilt by :func:`rebuild` and marked "Reminders off"). The message's ``text`` is one plain
line for the chat preview and notifications; in a channel it @mentions the subscriber (a
Teams ``mention`` entity), as the card does.

>>> from datetime import date
>>> from reminders.schedule import due_reminders
>>> items = due_reminders(date(2022, 8, 8), date(2022, 8, 7))
>>> activity = digest_activity(items, date(2022, 8, 8), "en", "en-US", base_url="https://bot.example")
>>> print(activity["text"])
Co-op reminder: 7 days left to claim co-op funds earned July – December 2021 (FY21 H1; FY22 H1 in Microsoft's fiscal-year naming): the claiming period closes on August 15, 2022.
>>> [a["title"] for a in activity["attachments"][0]["content"]["actions"]]
['Open claim page', 'Add to calendar', 'Stop reminders']
"""
from __future__ import annotations

import re
import time
from datetime import date
from typing import Any, Optional, Sequence
from urllib.parse import urlencode

from core import CoopError, calendar, load_policy
from understanding import messages as catalogue

from . import messages
from .schedule import KINDS, ReminderItem

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
SCHEMA_URL = "http://adaptivecards.io/schemas/adaptive-card.json"
CLAIM_LINK_KEY = "create_claim"
_KEY = re.compile(r"^(claim_open|claim_close|forfeiture):(\d{4})-(H[12]):(\d{1,3})$")


def _t(lang: str, key: str, **values: Any) -> str:
    return catalogue.t(lang, key, **values)


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("**", "")).strip()


def calendar_file_url(base_url: str, cycles: Sequence[str], lang: str, locale: Optional[str]) -> str:
    query = {"lang": lang, **({"locale": locale} if locale else {})}
    return f"{base_url.rstrip('/')}/calendar/cycles/{','.join(cycles)}.ics?{urlencode(query)}"


def _mention(user_id: str, name: str) -> dict:
    return {"type": "mention", "text": f"<at>{name}</at>", "mentioned": {"id": user_id, "name": name}}


def digest_card(items: Sequence[ReminderItem], as_of: date, lang: str, locale: Optional[str] = None,
                convention: str | None = None, *, base_url: str = "", mention: Optional[dict] = None,
                stopped: bool = False, issued: Optional[int] = None) -> dict:
    """The reminder card for ``items`` due on ``as_of``; ``stopped``: after "Stop reminders"."""
    lang = messages._lang(lang)  # noqa: SLF001 - the package's own helper
    items = sorted(items)
    body: list[dict] = []
    if mention:
        body.append({"type": "TextBlock", "wrap": True, "weight": "Bolder",
                     "text": _t(lang, "digest.mention", mention=mention["text"])})
    else:
        body.append({"type": "TextBlock", "wrap": True, "size": "Medium", "weight": "Bolder",
                     "style": "heading", "text": _t(lang, "card.reminder_title")})
    for n, item in enumerate(items):
        cyc = item.cycle
        facts = [{"title": _t(lang, "card.claiming"),
                  "value": _t(lang, "card.range", start=messages.fmt_date(cyc.claiming.start, lang, locale),
                              end=messages.fmt_date(cyc.claiming.end, lang, locale))},
                 {"title": _t(lang, "card.forfeit"), "value": messages.fmt_date(cyc.forfeiture, lang, locale)}]
        if item.kind == "forfeiture":
            facts.reverse()
        body.append({"type": "Container", "separator": n > 0, "spacing": "Medium", "items": [
            {"type": "TextBlock", "wrap": True,
             "text": messages.item_text(item, as_of, lang, locale, convention)},
            {"type": "FactSet", "facts": facts}]})
    if any(i.kind in ("claim_open", "claim_close") for i in items):
        body.append({"type": "TextBlock", "wrap": True, "isSubtle": True, "size": "Small",
                     "text": messages.text(lang, "poe", months=load_policy().retention.poe_months)})
    actions: list[dict] = [{"type": "Action.OpenUrl", "title": _t(lang, "card.claim_page"),
                            "url": load_policy().link(CLAIM_LINK_KEY).url}]
    cycles = list(dict.fromkeys(i.cycle_label for i in items))
    if base_url:
        actions.append({"type": "Action.OpenUrl", "title": _t(lang, "card.calendar"),
                        "url": calendar_file_url(base_url, cycles, lang, locale)})
    data = {"scope": "reminder", "items": [i.key for i in items], "as_of": as_of.isoformat(),
            "issued": int(time.time()) if issued is None else issued}
    if stopped:
        body.append({"type": "TextBlock", "wrap": True, "weight": "Bolder", "separator": True,
                     "id": "status", "text": _t(lang, "card.reminders_off")})
    else:
        stop = {"verb": "unsubscribe", **data}
        actions.append({"type": "Action.Execute", "title": _t(lang, "card.stop"), "verb": "unsubscribe",
                        "data": stop,
                        # clients without Universal Actions send it as a message-back
                        "fallback": {"type": "Action.Submit", "title": _t(lang, "card.stop"),
                                     "data": stop}})
    card: dict[str, Any] = {"type": "AdaptiveCard", "$schema": SCHEMA_URL, "version": "1.5",
                            "body": body, "actions": actions,
                            "fallbackText": messages.digest_text(items, as_of, lang, locale, convention),
                            "speak": summary(items, as_of, lang, locale, convention)}
    card["msteams"] = {"width": "Full", **({"entities": [mention]} if mention else {})}
    return card


def summary(items: Sequence[ReminderItem], as_of: date, lang: str, locale: Optional[str] = None,
            convention: str | None = None) -> str:
    """One plain line: the first (soonest) item, for the chat preview."""
    first = sorted(items)[0]
    return _t(messages._lang(lang), "digest.summary",  # noqa: SLF001
              first=_plain(messages.item_text(first, as_of, lang, locale, convention)))


def digest_activity(items: Sequence[ReminderItem], as_of: date, lang: str, locale: Optional[str],
                    convention: str | None = None, *, base_url: str = "", user_id: str = "",
                    user_name: str = "", conversation_type: str = "personal") -> dict:
    """The proactive message (Bot Framework JSON) for one subscriber's due ``items``."""
    mention = _mention(user_id, user_name) if conversation_type != "personal" and user_id and user_name else None
    line = summary(items, as_of, lang, locale, convention)
    activity: dict[str, Any] = {
        "type": "message", "locale": locale or None, "summary": line,
        "text": f"{mention['text']} {line}" if mention else line,
        "attachments": [{"contentType": CARD_CONTENT_TYPE,
                         "content": digest_card(items, as_of, lang, locale, convention,
                                                base_url=base_url, mention=mention)}]}
    if mention:
        activity["entities"] = [mention]
    return activity


def item_from_key(key: str) -> Optional[ReminderItem]:
    """The :class:`ReminderItem` a ledger key names (``claim_close:2021-H1:7``), or None.

    >>> item_from_key("claim_close:2021-H1:7").due_date
    datetime.date(2022, 8, 8)
    >>> item_from_key("nope") is None
    True
    """
    match = _KEY.match(key or "")
    if not match:
        return None
    kind, year, half, offset = match.group(1), int(match.group(2)), match.group(3), int(match.group(4))
    assert kind in KINDS
    cal = calendar()
    try:
        cyc = cal.cycle(cal.half_named(half, year))
    except (CoopError, ValueError):  # a key from a card: outside the calendar's years
        return None
    from datetime import timedelta

    label = f"{year}-{half}"
    if kind == "claim_open":
        return ReminderItem(cyc.claiming.start + timedelta(days=offset), kind, offset, label,
                            cyc.claiming.end, cyc)
    if kind == "claim_close":
        return ReminderItem(cyc.claiming.end - timedelta(days=offset), kind, offset, label,
                            cyc.claiming.end, cyc)
    return ReminderItem(cyc.forfeiture - timedelta(days=offset), kind, offset, label, cyc.forfeiture, cyc)


def rebuild(data: dict, lang: str, locale: Optional[str] = None, convention: str | None = None, *,
            base_url: str = "", stopped: bool = True) -> Optional[dict]:
    """The reminder card a "Stop reminders" button came from (its ``data``), marked stopped;
    None when the data does not name valid reminders."""
    try:
        as_of = date.fromisoformat(str(data.get("as_of")))
    except ValueError:
        return None
    keys = data.get("items") if isinstance(data.get("items"), list) else []
    items = [i for i in (item_from_key(k) for k in keys[:10] if isinstance(k, str)) if i is not None]
    if not items:
        return None
    return digest_card(items, as_of, lang, locale, convention, base_url=base_url, stopped=stopped,
                       issued=data.get("issued") if isinstance(data.get("issued"), int) else None)
