"""Teams' feedback loop: 👍/👎 under every answer, recorded with what the bot read.

Every answer the bot sends carries ``channelData.feedbackLoopEnabled = true``; Teams then shows
👍/👎 under it and sends the member's reaction as a ``message/submitAction`` invoke:

    {"type": "invoke", "name": "message/submitAction", "replyToId": "<the answer's id>",
     "value": {"actionName": "feedback",
               "actionValue": {"reaction": "like" | "dislike",
                               "feedback": "{\\"feedbackText\\": \\"...\\"}"}}}

The Microsoft 365 Agents Playground (0.2.28) sends the comment as the text typed
(``"feedback": "..."``) and no ``replyToId``: its text is kept as the comment, and the
reaction is recorded without the question and answer it cannot name.

To record what was answered, the bot keeps, per conversation, its last
:data:`MAX_ANSWERS` answers keyed by the id the channel gave each message (known only once it
is sent: written behind the turn, :class:`AnswerLog`): the question, the answer, its
language and the reading it took (intent, the dates and their roles, the note when a question
allowed two readings). "Forget my data" deletes that log with the conversation's state, and
the member's feedback with ``FeedbackStore.forget_user``.
"""
from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Mapping, Protocol

__all__ = ["FeedbackPayload", "FeedbackRecorder", "AnswerLog", "answer_record", "reading_of",
           "MAX_ANSWERS", "MAX_COMMENT_CHARS", "enable_feedback"]

MAX_ANSWERS = 20
MAX_COMMENT_CHARS = 2000
MAX_QUESTION_CHARS = 2000
MAX_ANSWER_CHARS = 6000
REACTIONS = ("like", "dislike")
ANSWER_ATTRIBUTE = "coop_answer"  # set on an outgoing activity by the renderer (not serialized)

logger = logging.getLogger(__name__)


class FeedbackRecorder(Protocol):
    """What the bot needs of ``storage.feedback.FeedbackStore``."""

    async def record(self, *, user_id: str, conversation_id: str, reaction: str, comment: str,
                     question: str, answer: str, lang: str, reading: dict, at: datetime) -> int: ...

    async def forget_user(self, user_id: str) -> int: ...


@dataclass(frozen=True)
class FeedbackPayload:
    """The ``value`` of a ``message/submitAction`` invoke, read.

    >>> FeedbackPayload.parse({"actionName": "feedback", "actionValue": {"reaction": "dislike",
    ...     "feedback": '{"feedbackText": "wrong year"}'}})
    FeedbackPayload(reaction='dislike', comment='wrong year')
    >>> FeedbackPayload.parse({"actionName": "feedback", "actionValue": {"reaction": "like",
    ...     "feedback": "clear, thanks"}})     # the Agents Playground sends the text itself
    FeedbackPayload(reaction='like', comment='clear, thanks')
    >>> FeedbackPayload.parse({"actionName": "feedback", "actionValue": {"reaction": "meh"}})
    Traceback (most recent call last):
    ...
    ValueError: 'reaction' must be 'like' or 'dislike'
    """

    reaction: str
    comment: str = ""

    @classmethod
    def parse(cls, value: Any) -> "FeedbackPayload":
        if not isinstance(value, Mapping):
            raise ValueError("the invoke's value must be an object")
        if value.get("actionName") != "feedback":
            raise ValueError("'actionName' must be 'feedback'")
        action = value.get("actionValue")
        if not isinstance(action, Mapping):
            raise ValueError("'actionValue' must be an object")
        reaction = action.get("reaction")
        if reaction not in REACTIONS:
            raise ValueError("'reaction' must be 'like' or 'dislike'")
        feedback = action.get("feedback")
        text: Any = ""
        if isinstance(feedback, str):
            try:
                parsed = json.loads(feedback)
            except (ValueError, RecursionError):  # "[[[[…": deeper than the parser goes
                parsed = None
            # Teams: a JSON object in a string; the Agents Playground (0.2.28): the text as typed
            text = parsed.get("feedbackText", "") if isinstance(parsed, Mapping) else feedback
        elif isinstance(feedback, Mapping):
            text = feedback.get("feedbackText", "")
        elif feedback is not None:
            raise ValueError("'feedback' must be a JSON object with 'feedbackText', or text")
        if not isinstance(text, str):
            raise ValueError("'feedbackText' must be a string")
        return cls(reaction=reaction, comment=text.strip()[:MAX_COMMENT_CHARS])


def reading_of(reply: Any) -> dict:
    """What the bot took a question to mean: intent, the dates and their roles (the reply's
    context), the reading note; per question of a ticket."""
    def one(r: Any) -> dict:
        out: dict[str, Any] = {"intent": r.intent}
        context = {k: v for k, v in (r.context or {}).items()
                   if k not in ("question", "lang") and isinstance(v, (str, int, float, bool, type(None)))}
        if context:
            out["context"] = context
        if r.reading_note:
            out["reading_note"] = r.reading_note
        cycles = [tl.fy_label for tl in getattr(r, "timelines", []) if getattr(tl, "fy_label", None)]
        if cycles:
            out["cycles"] = cycles
        return out

    reading = one(reply)
    if reply.parts:
        reading["parts"] = [one(part) for part in reply.parts]
    return reading


def answer_record(question: str, reply: Any) -> dict:
    return {"question": (question or "")[:MAX_QUESTION_CHARS],
            "answer": reply.plain_text[:MAX_ANSWER_CHARS], "lang": reply.lang,
            "reading": reading_of(reply)}


def enable_feedback(activity: Any) -> None:
    """``channelData.feedbackLoopEnabled = true`` on an outgoing message."""
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    activity.channel_data = {**data, "feedbackLoopEnabled": True}


class AnswerLog:
    """The last :data:`MAX_ANSWERS` answers of each conversation, kept by the id the channel
    gave each message, in the bot's storage beside the conversation's state.

    An answer's id is known only once it is sent, after the turn's state was saved: so the
    slot it goes into (``<channel>/answers/<conversation>/<n>``, n counted round in the
    conversation's state, so the log stays bounded without a read) is chosen with the turn,
    and the answers are written behind the turn, many in one write (after
    :data:`FLUSH_DELAY` seconds, and by :meth:`close` at shutdown), which costs a turn next
    to nothing. A lookup sees what is not written yet.
    """

    FLUSH_DELAY = 0.05

    def __init__(self, states: Any) -> None:
        self.states = states  # storage.bot_storage.TurnStates
        self._pending: dict[str, dict] = {}
        self._flushing: "asyncio.Task | None" = None
        self._writing: set[asyncio.Future] = set()  # writes under way (their batch left _pending)

    @staticmethod
    def prefix(turn_context: Any) -> str:
        activity = turn_context.activity
        return f"{activity.channel_id}/answers/{getattr(activity.conversation, 'id', '')}/"

    def keys(self, turn_context: Any) -> list[str]:
        prefix = self.prefix(turn_context)
        return [f"{prefix}{n}" for n in range(MAX_ANSWERS)]

    @staticmethod
    def next_slot(conversation: dict) -> int:
        """The slot of the conversation's next answer (the oldest one's, once all are used)."""
        slot = conversation.get("answer_slot")
        slot = slot if isinstance(slot, int) and 0 <= slot < MAX_ANSWERS else 0
        conversation["answer_slot"] = (slot + 1) % MAX_ANSWERS
        return slot

    async def add(self, turn_context: Any, answers: list[tuple[int, str, dict]]) -> None:
        """Keep ``(slot, activity id, record)`` answers of this conversation: behind the turn
        where the storage writes many at once (``put_many``), else now."""
        prefix = self.prefix(turn_context)
        for slot, activity_id, record in answers:
            self._pending[f"{prefix}{slot}"] = {**record, "id": activity_id}
        if not self.states.batches_writes:
            await self.flush()
            return
        if self._pending and (self._flushing is None or self._flushing.done()):
            self._flushing = asyncio.get_running_loop().create_task(self._flush_later(),
                                                                    name="answer-log")

    async def _flush_later(self) -> None:
        await asyncio.sleep(self.FLUSH_DELAY)
        await self.flush()

    async def flush(self) -> None:
        while self._pending:
            batch, self._pending = self._pending, {}
            written = asyncio.get_running_loop().create_future()
            self._writing.add(written)
            try:
                await self.states.write_items(batch)
            except Exception:  # noqa: BLE001 - a lost log costs a comment's context, not a turn
                logger.exception("could not keep %d answers for feedback", len(batch))
                return
            finally:
                self._writing.discard(written)
                written.set_result(None)

    async def close(self) -> None:
        if self._flushing is not None and not self._flushing.done():
            self._flushing.cancel()
            await asyncio.gather(self._flushing, return_exceptions=True)
        await self.flush()

    async def find(self, turn_context: Any, activity_id: str | None) -> dict | None:
        if not activity_id:
            return None
        keys = self.keys(turn_context)
        for key in keys:
            record = self._pending.get(key)
            if record is not None and record.get("id") == activity_id:
                return record
        for record in (await self.states.read_items(keys)).values():
            if isinstance(record, dict) and record.get("id") == activity_id:
                return record
        return None

    async def forget(self, turn_context: Any) -> list[str]:
        """Drop this conversation's answers not written yet, and wait for the writes already
        under way (their answers are no longer pending: a delete before they land would leave
        them behind); the keys to delete."""
        keys = self.keys(turn_context)
        for key in keys:
            self._pending.pop(key, None)
        while self._writing:
            await asyncio.gather(*self._writing, return_exceptions=True)
        return keys
