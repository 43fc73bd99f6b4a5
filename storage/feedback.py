"""What partners thought of an answer: the 👍/👎 of Teams' feedback loop, kept with the
question, the answer, its language and the reading the bot took, so the support desk can
review the 👎 ones (``GET /support/feedback``) and turn them into held-out or training lines.

    store = FeedbackStore(db)                     # a storage.Database, SQLite or PostgreSQL
    await store.record(user_id="29:1", conversation_id="a:1", reaction="dislike",
                       comment="wrong year", question="when to claim H1 2021?",
                       answer="The last day ...", lang="en", reading={"role": "earning"},
                       at=datetime.now(timezone.utc))          # -> the new row's id
    page = await store.list(reaction="dislike", limit=50)     # newest first
    older = await store.list(before_id=page[-1].id)           # the next page
    await store.forget_user("29:1")                           # "forget my data"
    await store.purge_before(cutoff)                          # the state retention

The table comes from the product's migrations (:func:`migration`, applied by ``python app.py
migrate`` and by the server on SQLite; ``services.product_migrations``): this module never
creates it on the fly. Its id is the database's own counter (SQLite's rowid, a PostgreSQL
identity column), so "newest first" is the order feedback arrived in and paging by
``before_id`` is stable while new feedback comes in.

Sizes are bounded, as everything a client sends: a longer text is cut (and ends with "…"),
over-long user and conversation ids become :func:`storage.keys.bounded_key` (as in every other
table, so "forget my data" finds them), and a reading whose JSON is too long is replaced by
``{"truncated": true}``. Times are stored as UTC ISO text of one fixed width, so that comparing
them as text compares them as times.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any

from .db import Database
from .keys import bounded_key

logger = logging.getLogger(__name__)

__all__ = ["Feedback", "FeedbackStore", "REACTIONS", "MIGRATION_NAME", "migration",
           "MAX_QUESTION_CHARS", "MAX_ANSWER_CHARS", "MAX_COMMENT_CHARS", "MAX_READING_CHARS",
           "MAX_LIST"]

REACTIONS = ("like", "dislike")
MAX_QUESTION_CHARS = 20_000  # the support desk's own ticket limit
MAX_ANSWER_CHARS = 20_000
MAX_COMMENT_CHARS = 4_000
MAX_READING_CHARS = 8_000  # the reading's JSON
MAX_LANG_CHARS = 35  # a BCP 47 tag
MAX_LIST = 1_000  # rows one list() call returns at most

MIGRATION_NAME = "feedback"

_COLUMNS = ("id INTEGER PRIMARY KEY",  # SQLite: the rowid, assigned on insert
            "id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY")  # PostgreSQL
_TABLE = """CREATE TABLE feedback (
        {id},
        at TEXT NOT NULL,
        user_id TEXT NOT NULL,
        conversation_id TEXT NOT NULL,
        reaction TEXT NOT NULL CHECK (reaction IN ('like', 'dislike')),
        comment TEXT NOT NULL,
        question TEXT NOT NULL,
        answer TEXT NOT NULL,
        lang TEXT NOT NULL,
        reading TEXT NOT NULL)"""


def migration(dialect: str) -> tuple[str, list[str]]:
    """The (name, statements) migration of the feedback table on ``dialect`` ("sqlite" or
    "postgres"): the same versions on both, only the id column is spelled per engine.

    >>> name, statements = migration("sqlite")
    >>> name, len(statements) == len(migration("postgres")[1])
    ('feedback', True)
    """
    if dialect not in ("sqlite", "postgres"):
        raise ValueError(f"unknown database dialect {dialect!r}")
    id_column = _COLUMNS[0] if dialect == "sqlite" else _COLUMNS[1]
    return MIGRATION_NAME, [
        _TABLE.format(id=id_column),
        "CREATE INDEX feedback_reaction ON feedback (reaction, id)",
        "CREATE INDEX feedback_user ON feedback (user_id)",
        "CREATE INDEX feedback_at ON feedback (at)",
    ]


@dataclass(frozen=True)
class Feedback:
    """One reaction to one answer, as stored (``at`` in UTC)."""

    id: int
    at: datetime
    user_id: str
    conversation_id: str
    reaction: str
    comment: str
    question: str
    answer: str
    lang: str
    reading: dict


def _utc_text(moment: datetime) -> str:
    """``moment`` as fixed-width UTC text (a naive datetime is read as UTC).

    >>> _utc_text(datetime(2026, 12, 7, 15, 4, 5, tzinfo=timezone.utc))
    '2026-12-07T15:04:05.000000Z'
    """
    if not isinstance(moment, datetime):
        raise TypeError(f"expected a datetime, got {type(moment).__name__}")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _from_utc_text(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)


def _bounded_text(value: Any, limit: int, what: str) -> str:
    """``value`` (a str) cut to ``limit`` characters, the last one "…" when it was cut.

    >>> _bounded_text("abcdef", 4, "x")
    'abc…'
    """
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str, got {type(value).__name__}")
    value = value.replace("\x00", "")  # PostgreSQL text cannot hold NUL
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _key(value: Any, what: str) -> str:
    """An id as every table keys it (:func:`storage.keys.bounded_key`)."""
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str, got {type(value).__name__}")
    return bounded_key(value)


def _json_default(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    return str(value)


def _reading_json(reading: Any) -> str:
    if not isinstance(reading, dict):
        raise TypeError(f"reading must be a dict, got {type(reading).__name__}")
    text = json.dumps(reading, ensure_ascii=False, sort_keys=True, default=_json_default)
    text = text.replace("\\u0000", "")
    if len(text) > MAX_READING_CHARS:
        logger.warning("feedback: a reading of %d characters was stored as truncated", len(text))
        return '{"truncated": true}'
    return text


def _check_reaction(reaction: Any) -> str:
    if reaction not in REACTIONS:
        raise ValueError(f"reaction must be one of {', '.join(REACTIONS)}, got {reaction!r}")
    return reaction


def _row(row: dict[str, Any]) -> Feedback:
    try:
        reading = json.loads(row["reading"])
    except ValueError:
        reading = {}
    return Feedback(id=int(row["id"]), at=_from_utc_text(row["at"]), user_id=row["user_id"],
                    conversation_id=row["conversation_id"], reaction=row["reaction"],
                    comment=row["comment"], question=row["question"], answer=row["answer"],
                    lang=row["lang"], reading=reading if isinstance(reading, dict) else {})


class FeedbackStore:
    """The feedback table of a :class:`storage.Database` (migrated beforehand)."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def record(self, *, user_id: str, conversation_id: str, reaction: str, comment: str,
                     question: str, answer: str, lang: str, reading: dict,
                     at: datetime) -> int:
        """Store one reaction; returns its id. ``reaction``: "like" or "dislike"
        (``ValueError`` otherwise); texts are cut to their bounds (see the module)."""
        reaction = _check_reaction(reaction)
        values = (
            _utc_text(at),
            _key(user_id, "user_id"),
            _key(conversation_id, "conversation_id"),
            reaction,
            _bounded_text(comment, MAX_COMMENT_CHARS, "comment"),
            _bounded_text(question, MAX_QUESTION_CHARS, "question"),
            _bounded_text(answer, MAX_ANSWER_CHARS, "answer"),
            _bounded_text(lang, MAX_LANG_CHARS, "lang"),
            _reading_json(reading),
        )
        new_id = await self._db.fetchval(
            "INSERT INTO feedback (at, user_id, conversation_id, reaction, comment, question,"
            " answer, lang, reading) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            *values)
        logger.info("feedback: a %s was recorded (id %s, lang %s)", reaction, new_id, values[7])
        return int(new_id)

    async def list(self, *, reaction: str | None = "dislike", limit: int = 100,
                   before_id: int | None = None) -> list[Feedback]:
        """Feedback newest first: only ``reaction`` (None: both), at most ``limit`` rows
        (1 to :data:`MAX_LIST`), only ids below ``before_id`` (the next page: the last id of
        the previous one)."""
        if reaction is not None:
            _check_reaction(reaction)
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise ValueError(f"limit must be a positive integer, got {limit!r}")
        if before_id is not None and (isinstance(before_id, bool) or not isinstance(before_id, int)):
            raise ValueError(f"before_id must be an integer, got {before_id!r}")
        where, args = [], []
        if reaction is not None:
            args.append(reaction)
            where.append(f"reaction = ${len(args)}")
        if before_id is not None:
            args.append(before_id)
            where.append(f"id < ${len(args)}")
        args.append(min(limit, MAX_LIST))
        sql = ("SELECT id, at, user_id, conversation_id, reaction, comment, question, answer,"
               " lang, reading FROM feedback"
               + (" WHERE " + " AND ".join(where) if where else "")
               + f" ORDER BY id DESC LIMIT ${len(args)}")
        return [_row(row) for row in await self._db.fetch(sql, *args)]

    async def forget_user(self, user_id: str) -> int:
        """"Forget my data": delete every reaction ``user_id`` gave; returns how many (on
        SQLite the deleted rows are then in no file any more: ``Database.reclaim``)."""
        deleted = await self._db.execute("DELETE FROM feedback WHERE user_id = $1",
                                         _key(user_id, "user_id"))
        logger.info("feedback: forgot a user (%d reactions)", deleted)
        if deleted:
            await self._db.reclaim()  # SQLite: out of the write-ahead log too (Database.reclaim)
        return deleted

    async def purge_before(self, cutoff: datetime) -> int:
        """Delete the feedback given before ``cutoff`` (the retention job); returns how many."""
        deleted = await self._db.execute("DELETE FROM feedback WHERE at < $1", _utc_text(cutoff))
        if deleted:
            logger.info("feedback: %d reactions older than %s deleted (retention)", deleted,
                        _utc_text(cutoff))
            await self._db.reclaim()
        return deleted
