"""Understanding partners' questions and answering them, in English and French. Pure Python.

Public API (docs/CONTRACTS.md):

- :func:`respond` ``(text, *, lang=None, locale=None, today, context=None, convention=None) -> Reply``
- :func:`understand` ``(text, *, lang=None, locale=None, today, context=None, convention=None) -> Understanding``
- :mod:`understanding.messages`: confirmation texts for side-effect intents, ``error_text``
- :class:`Reply`, :class:`Timeline`, :class:`LinkRef` (``understanding.reply``)
- :data:`INTENTS`: every intent name the recogniser can return
"""
from . import messages
from .answers import respond
from .engine import Understanding, understand
from .recognizer import ACTION_INTENTS, CYCLE_INTENTS, INTENTS
from .reply import LinkRef, Reply, Timeline

__all__ = ["respond", "understand", "Understanding", "Reply", "Timeline", "LinkRef", "messages", "INTENTS",
           "CYCLE_INTENTS", "ACTION_INTENTS"]
