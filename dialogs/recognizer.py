"""A botbuilder :class:`~botbuilder.core.Recognizer` over ``understanding.understand``.

The dialogs ask it what the user means (intents with a score, slots as entities) the way a
LUIS/CLU recognizer would be asked in the samples; the answer text itself is composed by
``understanding.respond``. Today, locale and the previous turn's context come from the
turn (see :mod:`dialogs.turn`), never from a clock read here.
"""
from __future__ import annotations

import dataclasses
import logging
from datetime import date
from decimal import Decimal
from typing import Any, Callable

from botbuilder.core import IntentScore, Recognizer, RecognizerResult, TurnContext

from .turn import turn_info

logger = logging.getLogger(__name__)

__all__ = ["CoopRecognizer", "HELP_INTENTS", "CANCEL_INTENTS"]

HELP_INTENTS = frozenset({"help"})
CANCEL_INTENTS = frozenset({"cancel"})


def _json_safe(value: Any, depth: int = 0) -> Any:
    if depth > 6:
        return str(value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _json_safe(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_json_safe(v, depth + 1) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _json_safe(getattr(value, f.name), depth + 1) for f in dataclasses.fields(value)}
    if isinstance(value, BaseException):
        return str(value)
    return str(value)


class CoopRecognizer(Recognizer):
    """``recognize(turn_context)`` → :class:`RecognizerResult` with ``intents`` (the
    understanding's intent and score), ``entities`` (its slots, JSON-safe) and
    ``properties["understanding"]`` (the object itself, for callers that want more)."""

    def __init__(self, understand: Callable[..., Any] | None = None,
                 context_of: Callable[[TurnContext], Any] | None = None):
        self._understand = understand
        self._context_of = context_of

    async def recognize(self, turn_context: TurnContext, text: str | None = None,
                        context: dict | None = None) -> RecognizerResult:
        info = turn_info(turn_context)
        text = info.text if text is None else text
        if context is None and self._context_of is not None:
            context = await self._context_of(turn_context)
        if not text:
            return RecognizerResult(text="", altered_text=None, intents={"none": IntentScore(1.0)},
                                    entities={}, properties={})
        if self._understand is None:
            from understanding import understand  # noqa: PLC0415 - imported on first use

            self._understand = understand
        result = self._understand(text, locale=info.locale, today=info.today, context=context or None)
        intent = getattr(result, "intent", None) or "none"
        score = getattr(result, "score", None)
        score = float(score) if isinstance(score, (int, float)) else 1.0
        slots = getattr(result, "slots", None)
        entities = _json_safe(slots) if slots is not None else {}
        if not isinstance(entities, dict):
            entities = {"slots": entities}
        properties = {"understanding": result, "lang": getattr(result, "lang", None)}
        return RecognizerResult(text=text, altered_text=None,
                                intents={intent: IntentScore(score=score)},
                                entities=entities, properties=properties)

    @staticmethod
    def top_intent(result: RecognizerResult) -> str:
        return result.get_top_scoring_intent().intent if result.intents else "none"
