"""Where the dialogs get the sentences they send (they write none themselves).

Every sentence comes from the language packs' gettext catalogues
(``understanding/lang/<code>/messages.po``) through :mod:`understanding.messages`: its helper function
when it has one for the key (``welcome``, ``help_text``, ``confirm_forgotten``...), else the
catalogue entry of that key (``cancelled``, ``forget_confirm``, ``forget_kept``, ``yes_no``,
``reminders_unavailable``).
"""
from __future__ import annotations

import logging
from datetime import date
from typing import Any, Callable

logger = logging.getLogger(__name__)

# our key -> understanding.messages function (called with lang)
_CATALOGUE_FUNCTIONS = {"apology": "apology", "forget_done": "confirm_forgotten", "welcome": "welcome",
                        "help": "help_text"}



def _lang(lang: str | None) -> str:
    from understanding.registry import norm_lang

    return norm_lang(lang)


def _messages() -> Any:
    try:
        from understanding import messages  # type: ignore[attr-defined]
    except ImportError:
        return None
    return messages


def _from_catalogue(name: str) -> Callable[..., str] | None:
    messages = _messages()
    fn = getattr(messages, name, None) if messages is not None else None
    return fn if callable(fn) else None


def text(key: str, lang: str | None, **values: Any) -> str:
    """The sentence ``key`` in ``lang``: ``understanding.messages.<function>(lang, **values)``
    when there is a helper for it, else the catalogue entry ``key`` (KeyError if it has none)."""
    lang = _lang(lang)
    fn = _from_catalogue(_CATALOGUE_FUNCTIONS.get(key, key))
    if fn is not None:
        return fn(lang, **values)
    from understanding import messages

    return messages.t(lang, key, **values)


def suggestions(lang: str | None, keys=("suggest.status", "suggest.howto", "suggest.poe",
                                        "suggest.remind")) -> list[str]:
    """Common questions from the catalogue (welcome card buttons)."""
    from understanding import messages

    lang = _lang(lang)
    return [messages.t(lang, k) for k in keys if messages.has(lang, k)]


def apology(lang: str | None) -> str:
    return text("apology", lang)


def yes_no(answer: str | None, lang: str | None = None) -> bool | None:
    """True for yes, False for no, None when the answer is neither. The words are the
    ``[confirm]`` lists of every language pack's ``vocab.toml`` (a partner may answer in any of
    them: "ja" confirms once a pack says so)."""
    fn = _from_catalogue("yes_no")
    if fn is not None:
        return fn(answer or "", _lang(lang))
    words = [w.strip(".!?,;:«»\"' ").lower() for w in (answer or "").split()]
    words = [w for w in words if w]
    if not words:
        return None
    from understanding import packs

    vocab = packs.vocab()
    if words[0] in vocab.words("confirm.yes"):
        return True
    if words[0] in vocab.words("confirm.no"):
        return False
    return None


# --- reminder confirmations (understanding.messages) ---------------------------------------

# reminders.schedule kinds -> understanding.messages reminder labels
_KIND_LABELS = {"claim_close": "claim_closing", "claim_open": "claim_opening", "forfeiture": "forfeiture"}


def subscribed(lang: str | None, next_date: date | None, locale: str | None = None) -> str:
    from understanding import messages

    return messages.confirm_subscribed(_lang(lang), next_date, locale)


def unsubscribed(lang: str | None) -> str:
    from understanding import messages

    return messages.confirm_unsubscribed(_lang(lang))


def listing(lang: str | None, active: bool, next_item: Any = None, locale: str | None = None) -> str:
    """The reminders a subscription gets (all three kinds): ``next_item`` is each kind's next
    date (a mapping of ``reminders.schedule`` kinds to dates), or the one next reminder (an
    item with ``kind`` and ``due_date``: only that kind is dated)."""
    from understanding import messages

    if not active:
        return messages.list_reminders(_lang(lang), [], locale)
    if isinstance(next_item, dict):
        dates = {_KIND_LABELS.get(kind, kind): day for kind, day in next_item.items()}
    else:
        dates = {_KIND_LABELS.get(getattr(next_item, "kind", ""), ""): getattr(next_item, "due_date", None)}
    items = [{"kind": kind, "next_date": dates.get(kind)}
             for kind in ("claim_closing", "claim_opening", "forfeiture")]
    return messages.list_reminders(_lang(lang), items, locale)


def calendar_link(lang: str | None, url: str) -> str:
    from understanding import messages

    return messages.calendar_offer(_lang(lang), url)


def calendar_feed(lang: str | None, webcal: str, url: str) -> str:
    """The calendar subscription (``webcal://``) and the one-off download, as a sentence."""
    return text("calendar.feed", lang, webcal=webcal, url=url)


def listing_where(lang: str | None, wheres: list[str], next_date: date | None,
                  locale: str | None = None) -> str:
    """"My reminders" when they go to several conversations: one line per conversation."""
    from understanding.fmt import fmt_date

    lang = _lang(lang)
    lines = [text("reminders.list_where", lang, count=len(wheres))]
    for where in (w[:1].upper() + w[1:] for w in wheres):
        if next_date is not None:
            lines.append("- " + text("reminders.item_where", lang, where=where,
                                     date=fmt_date(next_date, locale, lang)))
        else:
            lines.append("- " + text("reminders.item_where_nodate", lang, where=where))
    return "\n".join(lines)
