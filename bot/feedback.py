"""Teams' feedback loop: 👍/👎 under every answer, recorded with what the bot read.

Every answer the bot sends carries ``channelData.feedbackLoopEnabled = true``; Teams then shows
👍/👎 under it and sends the member's reaction as a ``message/submitAction`` invoke:

    {"type": "invoke", "name": "message/submitAction", "replyToId": "<the answer's id>",
     "value": {"actionName": "feedback",
               "actionValue": {"reaction": "like" | "dislike",
                               "feedback": "{\\"feedbackText\\": \\"...\\"}"}}}

To record what was answered, the bot keeps, per conversation, its last
:data:`MAX_ANSWERS` answers keyed by the id the channel gave each message (known only once it
is sent: one small write after the send, :class:`AnswerLog`): the question, the answer, its
language and the reading it took (intent, the dates and their roles, the note when a question
allowed two readings). "Forget my data" deletes that log with the conversation's state, and
the member's feedback with ``FeedbackStore.forget_user``.
"""
from __future__ import annotations

import json
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
        comment = ""
        if feedback is not None and feedback != "":
            if isinstance(feedback, str):
                try:
                    feedback = json.loads(feedback)
                except ValueError:
                    raise ValueError("'feedback' must be a JSON object with 'feedbackText'") from None
            if not isinstance(feedback, Mapping):
                raise ValueError("'feedback' must be a JSON object with 'feedbackText'")
            text = feedback.get("feedbackText", "")
            if not isinstance(text, str):
                raise ValueError("'feedbackText' must be a string")
            comment = text.strip()[:MAX_COMMENT_CHARS]
        return cls(reaction=reaction, comment=comment)


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
    """The last :data:`MAX_ANSWERS` answers of a conversation, keyed by the sent activity's
    id, kept in the bot's storage beside the conversation's state."""

    def __init__(self, states: Any) -> None:
        self.states = states  # storage.bot_storage.TurnStates

    @staticmethod
    def key(turn_context: Any) -> str:
        """``<channel>/answers/<conversation id>`` (beside ``<channel>/conversations/<id>``)."""
        activity = turn_context.activity
        return f"{activity.channel_id}/answers/{getattr(activity.conversation, 'id', '')}"

    async def add(self, turn_context: Any, answers: list[tuple[str, dict]]) -> None:
        if not answers:
            return
        key = self.key(turn_context)
        item = await self.states.read_item(key) or {}
        kept = dict(item.get("answers") or {}) if isinstance(item, dict) else {}
        for activity_id, record in answers:
            kept.pop(activity_id, None)
            kept[activity_id] = record
        while len(kept) > MAX_ANSWERS:
            kept.pop(next(iter(kept)))
        await self.states.write_item(key, {"answers": kept})

    async def find(self, turn_context: Any, activity_id: str | None) -> dict | None:
        if not activity_id:
            return None
        item = await self.states.read_item(self.key(turn_context))
        answers = item.get("answers") if isinstance(item, dict) else None
        record = answers.get(activity_id) if isinstance(answers, dict) else None
        return record if isinstance(record, dict) else None
