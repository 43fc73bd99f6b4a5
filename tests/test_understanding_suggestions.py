"""The catalogue's own suggestion texts (suggested actions, welcome card buttons) are questions
the bot must understand: clicking one must never get "I can only help with co-op..."."""
from __future__ import annotations

from datetime import date

import pytest

from understanding import messages, respond, understand

T = date(2024, 11, 27)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_suggestion_text_is_recognised(lang):
    """The suggested actions and welcome buttons post these texts back as questions: each must
    reach a useful intent (not fallback), in either locale and after any kind of answer."""
    suggestions = {k: messages.t(lang, k, choice="H1 2024") for k in messages.keys()
                   if k.startswith("suggest.")}
    assert len(suggestions) >= 8
    previous = [None, respond("split 5000", today=T).context, respond("hello", today=T).context,
                respond("how long do I keep invoices?", today=T).context]
    for key, text in suggestions.items():
        for locale in (None, "en-US", "fr-FR"):
            for context in previous:
                u = understand(text, locale=locale, today=T, context=context)
                assert u.intent not in ("fallback", "greeting", "thanks", "cancel"), (key, text, locale, context)
                assert u.lang == lang, (key, text)
        for today in (date(2025, 2, 15), date(2025, 8, 16), date(2026, 1, 1)):  # window edges
            assert respond(text, today=today).intent not in ("fallback", "cancel"), (key, text, today)
