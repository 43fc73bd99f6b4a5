"""The intents understanding can return, and the few whole-message cues read from the packs.

Which intent a question has is learned (:mod:`understanding.classifier`, trained from the
packs' ``intents/*.txt``); here are only the intent names and two whole-message checks
whose words are data (``[cancel]`` and ``[followup]`` in each pack's ``vocab.toml``):
a message that is nothing but calling something off, and a fragment continuing the last
question ("and for May 2024?").
"""
from __future__ import annotations

import re
from functools import lru_cache

from . import packs

CYCLE_INTENTS = ("claim_deadline", "claim_window", "usage_period", "forfeiture", "which_half", "fy_label",
                 "timeline", "status")
# the planner's commands (issue #20, understanding.planner) are actions too: a side effect only on
# a clear request of its own, in the command's own words
PLAN_INTENTS = ("plan_track", "plan_list", "plan_claimed", "plan_remove", "plan_edit", "plan_budget", "plan_export")
ACTION_INTENTS = {"subscribe": "subscribe", "unsubscribe": "unsubscribe", "list_reminders": "list_reminders",
                  "calendar": "calendar", "forget": "forget", **{i: i for i in PLAN_INTENTS}}
INTENTS = CYCLE_INTENTS + ("poe_retention", "split", "threshold", "program_eligibility", "fundable", "can_fund", "roles",
                           "how_to_claim", "subscribe", "unsubscribe", "list_reminders", "calendar", "forget",
                           "help", "cancel", "greeting", "thanks", "fallback", "multi", "other_language", "rule") + PLAN_INTENTS
CANCEL_SCORE = 1.0
_NOT_WORD = re.compile(r"[^\w']+")


def _alt(words) -> str:
    ws = sorted({w for w in words if w}, key=len, reverse=True)
    return "(?:" + "|".join(re.escape(w) for w in ws) + ")" if ws else r"(?!x)x"


@lru_cache(maxsize=4)
def _patterns(gen: int) -> tuple[re.Pattern[str], re.Pattern[str]]:
    v = packs.vocab()
    polite = _alt(v.words("cancel.polite"))
    cancel = re.compile(r"^(?:" + polite + r" )*" + _alt(v.words("cancel.phrases")) + r"(?: " + polite + r")*$")
    follow = re.compile(r"^\W*" + _alt(v.words("followup.starts")) + r"(?![\w])")
    return cancel, follow


def is_cancel(folded: str) -> bool:
    """True when the whole message calls off what is going on.

    >>> is_cancel("never mind!"), is_cancel("non, laisse tomber s'il te plait")
    (True, True)
    >>> is_cancel("can i cancel a claim?"), is_cancel("annuler une demande ?")
    (False, False)
    """
    words = _NOT_WORD.sub(" ", folded).strip()
    return bool(words) and len(words) <= 60 and bool(_patterns(packs.generation())[0].match(words))


def is_followup(folded: str) -> bool:
    return bool(_patterns(packs.generation())[1].search(folded)) or len(folded.split()) <= 4
