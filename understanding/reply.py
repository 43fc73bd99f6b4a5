"""The contract between understanding and its users (the Teams bot, the CLI, reminders).

`understanding.respond(...)` returns a :class:`Reply`: a complete plain-text answer plus the
structured facts a card, a calendar file or ``--json`` output is built from. Everything here is
JSON-serialisable through :meth:`Reply.to_dict` (dates as ISO strings).
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True)
class Timeline:
    """One earning cycle as an answer shows it: earning → usage → claiming, with its state."""

    earning_start: date
    earning_end: date
    usage_start: date
    usage_end: date  # = forfeiture date: unused earnings are forfeited at its end
    claim_start: date
    claim_end: date
    half: str  # "H1" / "H2"
    fy_label: str  # in the configured convention, e.g. "FY20 H1"
    fy_label_other: str  # the same half in the other convention, e.g. "FY21 H1"
    claim_state: str  # "upcoming" | "open" | "closed" on the asker's day
    days_left: int | None = None  # days until claim_end when open (0 = closes today)
    days_until_open: int | None = None  # when upcoming
    usage_state: str = ""  # "earning" | "in_use" | "forfeited"
    fy_convention: str = "microsoft"  # the convention of ``fy_label`` (SPEC rule 8: Microsoft's by default)

    @property
    def forfeiture(self) -> date:
        return self.usage_end


@dataclass(frozen=True)
class LinkRef:
    title: str
    url: str
    key: str = ""


_BOLD = re.compile(r"\*\*(.+?)\*\*", re.S)


def plain(text: str) -> str:
    """A reply's text for a plain-text channel (a batch export, a ticket pasted back): the
    Markdown bold marks dropped, bullets kept as "- " lines, everything else as written.

    >>> plain("Claim by **August 15, 2027**.\\n- Usage: **Jan – Jun 2027**")
    'Claim by August 15, 2027.\\n- Usage: Jan – Jun 2027'
    """
    out = _BOLD.sub(r"\1", text)
    return "\n".join(line.replace("**", "") for line in out.split("\n"))


@dataclass
class Reply:
    lang: str  # a registered pack's code (understanding.registry): the language the answer is written in
    intent: str  # the recogniser's intent name
    text: str  # the complete answer as plain text (light markdown allowed: **bold**, lists)
    title: str | None = None  # a short heading for a card
    timelines: list[Timeline] = field(default_factory=list)
    facts: list[tuple[str, str]] = field(default_factory=list)  # localised label/value pairs
    poe_keep_until: date | None = None  # PoE keep-until date when an activity date was given
    links: list[LinkRef] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)  # next likely questions, localised
    action: str | None = None  # what the bot must do: subscribe, unsubscribe, list_reminders, calendar, forget
    choices: list[str] = field(default_factory=list)  # for a clarifying question: texts the user can send back
    reading_note: str | None = None  # which reading was taken when the question allowed two
    context: dict[str, Any] = field(default_factory=dict)  # JSON-safe, kept in conversation state for follow-ups
    data: dict[str, Any] = field(default_factory=dict)  # machine-readable facts (ISO dates, numbers)
    # A message that holds several questions (a pasted ticket): one Reply per question, in the
    # order asked; ``text`` then holds every answer in that order. Empty for a single question.
    parts: list["Reply"] = field(default_factory=list)

    @property
    def plain_text(self) -> str:
        """``text`` without Markdown (see :func:`plain`)."""
        return plain(self.text)

    def to_dict(self) -> dict[str, Any]:
        def conv(value: Any) -> Any:
            if isinstance(value, date):
                return value.isoformat()
            if isinstance(value, dict):
                return {k: conv(v) for k, v in value.items()}
            if isinstance(value, (list, tuple)):
                return [conv(v) for v in value]
            return value

        out = conv(asdict(self))
        for t, tl in zip(out["timelines"], self.timelines):
            t["forfeiture"] = tl.forfeiture.isoformat()
        out["parts"] = [part.to_dict() for part in self.parts]
        return out
