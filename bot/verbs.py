"""Card verbs: one handler per ``Action.Execute`` verb, its payload read by a typed model.

The shape of the Microsoft 365 Agents SDK's ``@app.adaptive_cards.action_execute(verb)``:

    verbs = CardVerbs()

    @dataclass(frozen=True)
    class Pin(CardData):
        note: str = ""

        @classmethod
        def parse(cls, data):
            return cls(**cls.stamp(data), note=text_field(data, "note") or "")

    @verbs.action_execute("pin", Pin)
    async def pin(turn: VerbTurn, payload: Pin) -> VerbResult:
        return VerbResult(card=with_status(turn.card_or(payload.note), "Pinned"))

and one button on a card: ``{"type": "Action.Execute", "verb": "pin", "data": {...}}``.

A payload that does not parse raises :class:`PayloadError`: the invoke is answered 400 with
its message, nothing runs. The bot (``bot.teams_bot``) reads the invoke, finds the handler,
parses the payload, checks that the card is not stale, runs the handler and answers with the
card it returns (kept as that card's, or as the clicking member's own view in a group chat
or channel: ``bot.views``), or with its note for the clicker alone. The built-in verbs are at
the end of this module; ``create_bot`` gives each bot its own copy of :data:`BUILTIN`, so a
test can add a verb to one bot.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Generic, Mapping, TypeVar

from botbuilder.core import TurnContext

from understanding import registry

__all__ = ["CardVerbs", "CardData", "PayloadError", "VerbTurn", "VerbResult", "Registered",
           "BUILTIN", "text_field", "Remind", "Unsubscribe", "Calendar", "Confirm", "TextVerb",
           "Refresh", "minimal_card"]

class PayloadError(ValueError):
    """A card action's data is not what its verb takes (answered 400, with this message)."""


def _optional(data: Mapping[str, Any], name: str, kinds: tuple, what: str) -> Any:
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, bool) and bool not in kinds or not isinstance(value, kinds):
        raise PayloadError(f"'{name}' must be {what}")
    return value


def text_field(data: Mapping[str, Any], name: str) -> str | None:
    """``data[name]`` as a string, None when absent; PayloadError when it is something else.

    >>> text_field({"note": "hi"}, "note"), text_field({}, "note")
    ('hi', None)
    >>> text_field({"note": 3}, "note")
    Traceback (most recent call last):
    ...
    bot.verbs.PayloadError: 'note' must be a string
    """
    return _optional(data, name, (str,), "a string")


@dataclass(frozen=True)
class CardData:
    """What every button of a product card carries: the card's id (which card a click
    refreshes), when it was issued (a card older than the conversation's state is stale) and
    its language; ``data`` is the whole of the button's data, as sent."""

    card: str = ""
    issued: int | float | None = None
    lang: str | None = None
    scope: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @staticmethod
    def stamp(data: Mapping[str, Any]) -> dict:
        """The common fields, checked.

        >>> CardData.stamp({"card": "c1", "issued": 17, "lang": "fr", "x": 1})["lang"]
        'fr'
        >>> CardData.stamp({"card": 42})
        Traceback (most recent call last):
        ...
        bot.verbs.PayloadError: 'card' must be a string
        """
        if not isinstance(data, Mapping):
            raise PayloadError("the action's data must be an object")
        lang = text_field(data, "lang")
        return {"card": text_field(data, "card") or "",
                "issued": _optional(data, "issued", (int, float), "a number"),
                "lang": lang if lang in registry.codes() else None,
                "scope": text_field(data, "scope"),
                "data": dict(data)}

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> "CardData":
        return cls(**cls.stamp(data))


@dataclass(frozen=True)
class Remind(CardData):
    """"Remind me": the cycle the card is about (``2026-H1``), when it names one."""

    cycle: str | None = None

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> "Remind":
        return cls(**cls.stamp(data), cycle=text_field(data, "cycle"))


@dataclass(frozen=True)
class Unsubscribe(CardData):
    """"Stop reminders": on an answer card, a "my reminders" card, or a reminder
    (``scope`` "reminder": the reminder card is rebuilt from ``data``)."""


@dataclass(frozen=True)
class Calendar(CardData):
    """"Add to calendar": the cycles the card shows."""

    cycles: tuple[str, ...] = ()

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> "Calendar":
        cycles = _optional(data, "cycles", (list, tuple), "a list of cycle keys") or ()
        if not all(isinstance(c, str) for c in cycles):
            raise PayloadError("'cycles' must be a list of cycle keys")
        return cls(**cls.stamp(data), cycles=tuple(cycles))


@dataclass(frozen=True)
class Confirm(CardData):
    """Yes/No of a confirmation card; ``requester`` names the member who asked."""

    answer: str | None = None
    text: str | None = None
    requester: str | None = None

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> "Confirm":
        return cls(**cls.stamp(data), answer=text_field(data, "answer"),
                   text=text_field(data, "text"), requester=text_field(data, "requester"))


@dataclass(frozen=True)
class TextVerb(CardData):
    """A button that asks a question in the user's stead (``ask``, ``choose``)."""

    text: str = ""

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> "TextVerb":
        text = (text_field(data, "text") or "").strip()
        if not text:
            raise PayloadError("'text' must be the question to ask")
        return cls(**cls.stamp(data), text=text)


@dataclass(frozen=True)
class Refresh(CardData):
    """Teams asks for one member's view of a card (``refresh.action``, trigger automatic)."""


P = TypeVar("P", bound=CardData)


@dataclass
class VerbTurn:
    """What a verb handler gets besides its payload: the turn, the sender's turn info
    (``dialogs.TurnInfo``), the language to answer in, the conversation's data, the card the
    button came from as it was kept (None when unknown), and the bot (its ``actions``,
    ``renderer``, ``conversation``...)."""

    turn_context: TurnContext
    info: Any
    lang: str
    conversation: dict
    card_id: str
    stored: dict | None
    bot: Any

    def card_or(self, text: str) -> dict:
        """The kept card, or a minimal card saying ``text``."""
        return self.stored or minimal_card(text)

    async def reference(self) -> dict | None:
        return await self.bot.reference(self.turn_context)


@dataclass
class VerbResult:
    """A handler's answer: the refreshed ``card`` (kept as the card's own unless ``keep`` is
    False), or a ``note`` for the clicking member alone (a message invoke response); for a
    message-back (clients without Universal Actions) ``outcome`` (``dialogs.Outcome``) is
    said as a message when given, else the card."""

    card: dict | None = None
    note: str | None = None
    keep: bool = True
    outcome: Any = None


Handler = Callable[[VerbTurn, Any], Awaitable[VerbResult]]


@dataclass(frozen=True)
class Registered(Generic[P]):
    verb: str
    model: type
    handler: Handler
    stale_check: bool = True  # a card older than the conversation's state changes nothing


class CardVerbs:
    """The registry: verb -> (payload model, handler)."""

    def __init__(self) -> None:
        self._handlers: dict[str, Registered] = {}

    def action_execute(self, verb: str, model: type = CardData, *,
                       stale_check: bool = True) -> Callable[[Handler], Handler]:
        """Register the decorated ``async def handler(turn: VerbTurn, payload)`` for ``verb``;
        ``model.parse(data)`` reads its payload (raising :class:`PayloadError`)."""
        if not isinstance(verb, str) or not verb:
            raise ValueError("a verb is a non-empty string")
        if not callable(getattr(model, "parse", None)):
            raise TypeError(f"{model!r} has no parse(data) classmethod")

        def register(handler: Handler) -> Handler:
            self._handlers[verb] = Registered(verb, model, handler, stale_check)
            return handler

        return register

    def get(self, verb: str | None) -> Registered | None:
        return self._handlers.get(verb) if isinstance(verb, str) else None

    def __contains__(self, verb: object) -> bool:
        return isinstance(verb, str) and verb in self._handlers

    def verbs(self) -> list[str]:
        return list(self._handlers)

    def copy(self) -> "CardVerbs":
        out = CardVerbs()
        out._handlers = dict(self._handlers)
        return out


def minimal_card(text: str) -> dict:
    """A card that only says ``text`` (a click on a card the bot no longer has)."""
    from .cards import SCHEMA_URL, VERSION

    return {"type": "AdaptiveCard", "$schema": SCHEMA_URL, "version": VERSION,
            "body": [{"type": "TextBlock", "text": text, "wrap": True}], "fallbackText": text}


# --------------------------------------------------------------------------- built-in verbs

BUILTIN = CardVerbs()


@BUILTIN.action_execute("remind", Remind)
async def remind(turn: VerbTurn, payload: Remind) -> VerbResult:
    """Subscribe the clicking member here; the card says "✓ Reminders on" and its next date."""
    from . import cards

    outcome = await turn.bot.actions.subscribe_outcome(turn.info, turn.lang, await turn.reference())
    card = turn.card_or(outcome.text)
    if not outcome.ok:
        return VerbResult(card=cards.with_status(card, outcome.text), outcome=outcome)
    # the confirmation names this card's own reminder (reminders.schedule.reminder_ahead), not an
    # unrelated next reminder of the member's
    next_date = cards.confirmation_date(payload.data, turn.info.today, outcome.next_date)
    return VerbResult(card=cards.with_reminder_state(card, turn.lang, True, next_date=next_date,
                                                     locale=turn.info.locale, data=payload.data),
                      outcome=outcome)


@BUILTIN.action_execute("unsubscribe", Unsubscribe)
async def unsubscribe(turn: VerbTurn, payload: Unsubscribe) -> VerbResult:
    """Stop the clicking member's reminders here (a reminder card: all of them)."""
    from . import cards

    data = dict(payload.data)
    outcome = await turn.bot.actions.perform("unsubscribe", turn.info, turn.lang, await turn.reference(),
                                             {**data, "scope": payload.scope or "card"})
    if payload.scope == "reminder":
        from reminders.digest import rebuild

        # someone without reminders here (another member of the channel): the card stays as
        # it was and says so
        stopped = outcome.kind == "unsubscribed" and bool(outcome.stopped)
        card = rebuild(data, turn.lang, turn.info.locale, turn.bot.convention,
                       base_url=turn.bot.renderer.base_url, stopped=stopped)
        if card is None:
            return VerbResult(card=minimal_card(outcome.text), keep=False, outcome=outcome)
        return VerbResult(card=card if stopped else cards.with_status(card, outcome.text), keep=False,
                          outcome=outcome)
    if outcome.kind == "unavailable":
        return VerbResult(card=cards.with_status(turn.card_or(outcome.text), outcome.text), outcome=outcome)
    return VerbResult(card=cards.with_reminder_state(turn.card_or(outcome.text), turn.lang, False, data=data),
                      outcome=outcome)


async def _calendar(turn: VerbTurn, payload: CardData, action: str) -> VerbResult:
    from . import cards

    outcome = await turn.bot.actions.perform(action, turn.info, turn.lang, await turn.reference(),
                                             dict(payload.data))
    if outcome.kind == "calendar":
        card = turn.bot.renderer.calendar_card(outcome, turn.lang)
        if action == "calendar_rotate":
            card = cards.with_status(card, cards.labels(turn.lang)["feed_rotated"])
        return VerbResult(card=card, outcome=outcome)
    return VerbResult(card=cards.with_status(turn.card_or(outcome.text), outcome.text), outcome=outcome)


@BUILTIN.action_execute("calendar", Calendar)
async def calendar(turn: VerbTurn, payload: Calendar) -> VerbResult:
    """The member's calendar subscription (and the card's cycles as a file)."""
    return await _calendar(turn, payload, "calendar")


@BUILTIN.action_execute("calendar_rotate", CardData)
async def calendar_rotate(turn: VerbTurn, payload: CardData) -> VerbResult:
    """A new calendar address; the old one stops working."""
    return await _calendar(turn, payload, "calendar_rotate")


@BUILTIN.action_execute("ask", TextVerb)
async def ask(turn: VerbTurn, payload: TextVerb) -> VerbResult:
    """A suggested question: answered as a message, as if typed."""
    await turn.bot.ask(turn.turn_context, turn.info, payload.text)
    return VerbResult(note="", keep=False)


BUILTIN.action_execute("choose", TextVerb)(ask)


@BUILTIN.action_execute("confirm", Confirm, stale_check=False)
async def confirm(turn: VerbTurn, payload: Confirm) -> VerbResult:
    """Yes/No of a confirmation card: the open question gets the answer (its outcome becomes
    the card's last line); an answered question's buttons only say so."""
    return await turn.bot.confirm(turn, payload)


@BUILTIN.action_execute("refresh", Refresh, stale_check=False)
async def refresh(turn: VerbTurn, payload: Refresh) -> VerbResult:
    """Teams asks for the card as this member sees it (``refresh.userIds``): their own view
    after their own click, else the card as sent."""
    from . import views

    card = views.view_of(turn.conversation, turn.card_id, turn.info.user_id)
    return VerbResult(card=card if card is not None else turn.card_or(""), keep=False)
