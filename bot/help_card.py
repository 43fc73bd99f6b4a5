"""Help as an Adaptive Card: a section per task, each with what it does and examples to send.

    help_activity("fr", "fr-FR")   # "aide": the card in French

Every word comes from the gettext catalogues (``help.*`` keys of
``understanding/lang/<code>/messages.po``). A section is a row of :data:`SECTIONS`: the
planner (issue #20) is the row ``("planner", 2)`` with its ``help.planner.*`` entries. An example is a button that sends it (``Action.Submit``, verb ``ask``:
the same message-back as the answer cards' questions), and at most three suggested actions
with short labels (:data:`bot.cards.MAX_SUGGESTION_LABEL` characters, fully visible) ask the
commonest questions.
"""
from __future__ import annotations

from typing import Any

from botbuilder.schema import Activity, CardAction, SuggestedActions

from understanding import messages

from . import cards

__all__ = ["SECTIONS", "help_card", "help_activity"]

# (section key, number of examples); the order is the card's
SECTIONS: tuple[tuple[str, int], ...] = (
    ("ask", 2),
    ("remind", 3),
    ("calendar", 1),
    ("planner", 2),
    ("forget", 1),
)
# suggested action label key -> the example it sends
SUGGESTIONS = (("help.suggest.ask", "help.ask.example1"),
               ("help.suggest.remind", "help.remind.example1"),
               ("help.suggest.calendar", "help.calendar.example1"))


def _t(lang: str, key: str) -> str:
    return messages.t(lang, key)


def help_card(lang: str) -> dict:
    """The help card in ``lang``: a heading, one line on how to ask, then per task a heading,
    what it does and its examples (each a button that sends it)."""
    lang = messages.norm_lang(lang)
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": _t(lang, "help.title"), "wrap": True, "size": "Medium",
         "weight": "Bolder", "style": "heading"},
        {"type": "TextBlock", "text": _t(lang, "help.intro"), "wrap": True},
    ]
    fallback = [_t(lang, "help.title"), _t(lang, "help.intro")]
    for key, count in SECTIONS:
        examples = [_t(lang, f"help.{key}.example{n}") for n in range(1, count + 1)]
        items: list[dict[str, Any]] = [
            {"type": "TextBlock", "text": _t(lang, f"help.{key}.title"), "wrap": True,
             "weight": "Bolder"},
            {"type": "TextBlock", "text": _t(lang, f"help.{key}.text"), "wrap": True,
             "spacing": "Small", "isSubtle": True},
        ]
        items.append({"type": "ActionSet", "actions": [
            {"type": "Action.Submit", "title": example, "data": {"verb": "ask", "text": example}}
            for example in examples]})
        body.append({"type": "Container", "id": f"help-{key}", "separator": True,
                     "spacing": "Medium", "items": items})
        fallback.append(f"{_t(lang, f'help.{key}.title')}: {_t(lang, f'help.{key}.text')} "
                        + " / ".join(messages.t(lang, "quote", text=e) for e in examples))
    text = "\n".join(fallback)
    return {"type": "AdaptiveCard", "$schema": cards.SCHEMA_URL, "version": cards.VERSION,
            "body": body, "fallbackText": text, "speak": _t(lang, "help.title"),
            "msteams": {"width": "Full"}}


def help_activity(lang: str, locale: str | None = None) -> Activity:
    """The help message: the card, and three short suggested actions."""
    lang = messages.norm_lang(lang)
    card = help_card(lang)
    activity = cards.card_activity(card, _t(lang, "help.title"), lang,
                                   locale if locale and locale[:2].lower() == lang else None)
    activity.suggested_actions = SuggestedActions(actions=[
        CardAction(type="imBack", title=_t(lang, label), value=_t(lang, example))
        for label, example in SUGGESTIONS])
    return activity
