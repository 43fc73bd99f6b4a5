"""understand(): text → intent + slots + language, with follow-ups from the previous turn."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from core import check_split, fold

from . import recognizer as rec
from .lang import detect
from .slots import Slots, extract
from .typos import correct

MAX_CHARS = 2000  # longer messages are understood from their first 2000 characters

# intents a bare period ("and for May 2024?") can continue
_CONTINUABLE = set(rec.CYCLE_INTENTS) | {"poe_retention", "threshold"}


@dataclass
class Understanding:
    text: str
    intent: str
    slots: Slots
    lang: str  # "en" | "fr": the answer language
    lang_source: str  # "forced" | "text" | "context" | "locale"
    locale: str | None  # the channel/user locale as given
    reading_locale: str | None  # the locale numeric dates were read with (None: ask)
    today: date
    convention: str
    score: float = 0.0
    scores: dict[str, float] = field(default_factory=dict)
    followup: bool = False  # the intent (or slots) came from the previous turn
    folded: str = ""


def _reading_locale(locale: str | None, lang: str, lang_source: str) -> str | None:
    """The locale that orders numeric dates. A message written in French is read day/month
    whatever the client's locale (French never writes month/day: an en-US client typing
    "03/10/2022" in French means 3 October); otherwise the channel locale; English text with
    no locale stays ambiguous (en-US and en-GB disagree), so the answer asks."""
    if lang == "fr" and lang_source in ("text", "forced", "context"):
        return locale if locale and locale.lower().startswith("fr") else "fr-FR"
    if locale:
        return locale
    return None


def understand(text: str | None, *, lang: str | None = None, locale: str | None = None, today: date,
               context: dict[str, Any] | None = None, convention: str | None = None) -> Understanding:
    from core.policy import load_policy

    text = text if isinstance(text, str) else ""
    text = text[:MAX_CHARS]
    folded = fold(text)
    fixed = correct(text, folded)
    if fixed is not text:
        text, folded = fixed, fold(fixed)
    convention = convention or load_policy().fy_default
    if lang and lang.lower()[:2] in ("en", "fr"):
        answer_lang, source = lang.lower()[:2], "forced"
    else:
        answer_lang, source = detect(text, locale, folded)
    ctx_lang = context.get("lang") if isinstance(context, dict) else None
    if source == "locale" and ctx_lang in ("en", "fr"):
        answer_lang, source = ctx_lang, "context"  # a fragment ("mai 2024 ?") keeps the conversation's language
    reading_locale = _reading_locale(locale, answer_lang, source)
    slots = extract(text, folded, lang=answer_lang, locale=reading_locale, today=today, convention=convention)
    scores = rec.score(folded, slots)
    intent, top = rec.best(scores)
    followup = False
    ctx = context if isinstance(context, dict) else {}
    prev = ctx.get("intent")

    # greetings and thanks only when nothing else was asked
    if intent in ("greeting", "thanks"):
        others = [v for k, v in scores.items() if k not in ("greeting", "thanks")]
        if others and max(others) >= rec.THRESHOLD:
            scores = {k: v for k, v in scores.items() if k not in ("greeting", "thanks")}
            intent, top = rec.best(scores)

    # follow-ups: fill a pending split, answer a clarifying choice, continue a cycle question
    if rec.is_cancel(folded):  # "never mind" / "laisse tomber": ends whatever was pending
        intent, top = "cancel", rec.CANCEL_SCORE
        scores = {**scores, "cancel": top}
    elif ctx.get("pending") == "split" and (slots.amount is not None or slots.split or slots.split_error or slots.amount_error) \
            and (top < 3.0 or intent in ("split", "threshold")):
        intent, followup = "split", True
        _merge_split(slots, ctx)
    elif prev in _CONTINUABLE and (slots.periods or slots.period_error) and (
            top < rec.THRESHOLD or intent == "timeline" or (rec.is_followup(folded) and top < 3.0)
            or (ctx.get("pending") == "clarify" and top < 3.0)):
        intent, followup = ("claim_deadline" if prev == "status" else prev), True
    elif top < rec.THRESHOLD:
        intent = "timeline" if (slots.periods or slots.period_error) else "fallback"
    return Understanding(text, intent, slots, answer_lang, source, locale, reading_locale, today, convention,
                         top, dict(scores), followup, folded)


def _merge_split(slots: Slots, ctx: dict[str, Any]) -> None:
    if slots.amount is None and not slots.amount_error and ctx.get("amount") is not None:
        try:
            slots.amount = Decimal(str(ctx["amount"]))
            slots.currency = slots.currency or ctx.get("currency")
        except ArithmeticError:
            pass
    if slots.split is None and not slots.split_error and ctx.get("split"):
        try:
            r, c = ctx["split"]
            slots.split = check_split(Decimal(str(r)), Decimal(str(c)))
        except (ArithmeticError, ValueError, TypeError):
            pass
