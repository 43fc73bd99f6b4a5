"""botbuilder ``Storage`` kept in the database, with ETag optimistic concurrency.

    storage = SqlStorage(db)                 # table "bot_state", created on first use
    conversation_state = ConversationState(storage)
    user_state = UserState(storage)

Items are serialized the way botbuilder's Cosmos DB and Blob storages do it (jsonpickle
``Pickler().flatten`` on write, ``Unpickler().restore`` on read), so dicts come back as dicts
and objects such as ``DialogState`` come back as objects: a dialog half-way through continues
after a restart. The JSON is kept as TEXT, not jsonb, because jsonpickle's ``py/id``
back-references depend on key order.

ETags: every write stores a new e_tag and sets it on the written dict (or on an object that
has an ``e_tag`` attribute), and ``read`` returns the stored e_tag. A write carrying an e_tag
succeeds only if the stored item still has that e_tag; otherwise it raises
``EtagConflictError`` (a ``KeyError``, as ``MemoryStorage`` raises). ``None`` or ``"*"``
overwrites unconditionally (botbuilder's contract); ``""`` is refused. Like the HTTP
``If-Match`` the Cosmos and Blob storages use, an e_tag for an item that has since been
deleted is a conflict, so "forget my data" cannot be undone by a turn still in flight.
The e_tag :data:`NEW_ITEM_ETAG` (``SqlStorage.NEW_ITEM_ETAG``) means "only if the item does not
exist yet": a bot that read nothing for a key marks its new state with it, and whoever creates
the item first wins, the other gets the conflict.

A write of one item is a single statement (atomic on its own); several items are written in
one transaction.

Keys longer than 255 characters (a channel's conversation and user ids can be of any length)
are stored as :func:`storage.keys.bounded_key` of the key: its start plus a SHA-256 of the
whole. Callers always use the real key; ``keys()`` lists the stored ones, and a suffix match
in ``delete_matching`` does not reach hashed keys.
"""

from __future__ import annotations

import asyncio
import hashlib
import inspect
import json
import logging
import os
import re
from datetime import datetime, timedelta, timezone
from typing import Any, Awaitable, Callable, Dict, Iterable, List, Optional, Union

from botbuilder.core import Storage
from jsonpickle.pickler import Pickler
from jsonpickle.unpickler import Unpickler

from .db import Database, StorageError, Transaction
from .keys import bounded_key

logger = logging.getLogger(__name__)

_TABLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_CHUNK = 500  # keys per IN (...) list: far below SQLite's and PostgreSQL's parameter limits
# A read stamps ``updated_at`` of items not stamped for this long, so that "not written" and
# "not read" both count as "no turn" for the retention (at most one extra write a day).
TOUCH_AFTER = timedelta(days=1)
_ABSENT = object()  # "the item must not exist yet" (used by update())
# The e_tag a caller puts on an item it read as absent: write it only if it still is.
NEW_ITEM_ETAG = "new-item"


class EtagConflictError(StorageError, KeyError):
    """A write's e_tag no longer matches the stored item; re-read and try again."""

    def __init__(self, key: str, expected: Optional[str], current: Optional[str]) -> None:
        # the key names a conversation or a user: hashed in the message (it reaches logs),
        # as core.redact.log_id does (storage imports no project package)
        shown = "id:" + hashlib.sha256(str(key).encode("utf-8", "surrogatepass")).hexdigest()[:12]
        super().__init__(
            f"Etag conflict on {shown}.\nOriginal: {expected}\r\nCurrent: {current}"
        )
        self.key = key
        self.expected = expected
        self.current = current

    def __str__(self) -> str:  # KeyError would show the message quoted
        return str(self.args[0])


def _etag_of(item: Any) -> Optional[str]:
    if isinstance(item, dict):
        return item.get("e_tag")
    return getattr(item, "e_tag", None)


def _set_etag(item: Any, etag: str) -> None:
    if isinstance(item, dict):
        item["e_tag"] = etag
    elif hasattr(item, "e_tag"):
        item.e_tag = etag


_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))  # built once, not per write


def _encode(item: Any) -> str:
    flat = Pickler().flatten(item)
    if isinstance(flat, dict):
        flat.pop("e_tag", None)  # kept in its own column
    return _JSON.encode(flat)


def _decode(document: str, etag: str) -> Any:
    data = json.loads(document)
    if isinstance(data, dict):
        data["e_tag"] = etag
    # safe=True: never eval() a py/repr tag; classes are still imported by name, as botbuilder does.
    return Unpickler(safe=True).restore(data)


def _unique_keys(keys: Iterable[str]) -> List[str]:
    unique = list(dict.fromkeys(keys))
    for key in unique:
        if not isinstance(key, str):
            raise TypeError(f"storage keys are strings, got {type(key).__name__}: {key!r}")
    return unique


def migration(table: str = "bot_state") -> tuple[str, list[str]]:
    """The (name, statements) migration of a state table (``python app.py migrate`` applies
    the product's; :meth:`SqlStorage.initialize` applies it too, once per object)."""
    return f"bot_storage:{table}", [
        f"CREATE TABLE {table} ("
        " storage_key TEXT PRIMARY KEY,"
        " etag TEXT NOT NULL,"
        " document TEXT NOT NULL,"
        " updated_at TEXT NOT NULL)"
    ]


class SqlStorage(Storage):
    """botbuilder ``Storage`` in a ``Database`` table (default ``bot_state``)."""

    NEW_ITEM_ETAG = NEW_ITEM_ETAG

    def __init__(self, db: Database, *, table: str = "bot_state") -> None:
        if not _TABLE_NAME.match(table):
            raise ValueError(f"bad table name {table!r}: use lowercase letters, digits, _")
        self._db = db
        self._table = table
        self._ready = False
        self._ready_lock = asyncio.Lock()

    @property
    def table(self) -> str:
        return self._table

    async def initialize(self) -> None:
        """Create the table if needed (also done on first use; call it to fail fast at start)."""
        if self._ready:
            return
        async with self._ready_lock:
            if self._ready:
                return
            await self._db.migrate(*migration(self._table))
            self._ready = True

    # ------------------------------------------------------------------ Storage

    async def read(self, keys: List[str]) -> Dict[str, object]:
        """Return the stored items among ``keys`` (unknown keys are simply absent)."""
        if keys is None:
            raise StorageError("Keys are required when reading")
        unique = _unique_keys(keys)
        if not unique:
            return {}
        stored = {bounded_key(key): key for key in unique}
        rows = await self._fetch_rows(list(stored))
        stale = (datetime.now(timezone.utc) - TOUCH_AFTER).isoformat(timespec="milliseconds")
        touch = [key for key, row in rows.items() if row[2] < stale]
        if touch:
            await self._touch(touch)
        return {stored[key]: _decode(document, etag) for key, (etag, document, _at) in rows.items()}

    async def _touch(self, keys: List[str]) -> None:
        now = datetime.now(timezone.utc).isoformat(timespec="milliseconds")
        for start in range(0, len(keys), _CHUNK):
            chunk = keys[start : start + _CHUNK]
            marks = ", ".join(f"${n}" for n in range(2, len(chunk) + 2))
            await self._db.execute(
                f"UPDATE {self._table} SET updated_at = $1 WHERE storage_key IN ({marks})",
                now, *chunk)

    async def expire(self, older_than: timedelta) -> int:
        """Delete the items no turn has read or written for ``older_than`` (the retention
        job); returns how many, and reclaims their space (:meth:`compact`)."""
        await self.initialize()
        cutoff = (datetime.now(timezone.utc) - older_than).isoformat(timespec="milliseconds")
        deleted = await self._db.execute(f"DELETE FROM {self._table} WHERE updated_at < $1", cutoff)
        if deleted:
            logger.info("SqlStorage: %d item(s) of %s expired (no turn for %s)", deleted,
                        self._table, older_than)
            await self.compact()
        return deleted

    async def compact(self) -> None:
        """Make deleted items physically go away now where the engine allows it
        (``Database.reclaim``: the SQLite WAL emptied; see there)."""
        await self._db.reclaim()

    async def write(self, changes: Dict[str, object]) -> None:
        """Store every change, all or nothing; raise ``EtagConflictError`` on a stale e_tag."""
        if changes is None:
            raise StorageError("Changes are required when writing")
        if not changes:
            return
        plan = []
        for key, item in changes.items():
            if not isinstance(key, str):
                raise TypeError(f"storage keys are strings, got {type(key).__name__}: {key!r}")
            expected = _etag_of(item)
            if expected == "":
                raise StorageError(f"SqlStorage.write(): etag missing for {key!r}")
            plan.append((bounded_key(key), item, _encode(item), expected))
        await self.initialize()
        new_etags = {}
        if len(plan) == 1:  # one statement is atomic by itself: no BEGIN/COMMIT round trips
            key, _item, document, expected = plan[0]
            new_etags[key] = await self._write_one(self._db, key, document, expected)
        else:
            async with self._db.transaction() as tx:
                for key, _item, document, expected in plan:
                    new_etags[key] = await self._write_one(tx, key, document, expected)
        for key, item, _document, _expected in plan:
            _set_etag(item, new_etags[key])

    async def delete(self, keys: List[str]) -> None:
        """Remove the items with these keys; unknown keys are ignored."""
        if keys is None:
            raise StorageError("Keys are required when deleting")
        unique = list(dict.fromkeys(bounded_key(key) for key in _unique_keys(keys)))
        if not unique:
            return
        await self.initialize()
        for start in range(0, len(unique), _CHUNK):
            chunk = unique[start : start + _CHUNK]
            marks = ", ".join(f"${n}" for n in range(1, len(chunk) + 1))
            await self._db.execute(
                f"DELETE FROM {self._table} WHERE storage_key IN ({marks})", *chunk
            )

    # ------------------------------------------------------------------ extras

    async def keys(self, prefix: str = "", *, suffix: str = "") -> List[str]:
        """Stored keys starting with ``prefix`` and ending with ``suffix`` (exact case), sorted."""
        where, args = self._key_filter(prefix, suffix)
        await self.initialize()
        rows = await self._db.fetch(
            f"SELECT storage_key FROM {self._table} WHERE {where}", *args
        )
        return sorted(row["storage_key"] for row in rows)

    async def delete_matching(self, *, prefix: str = "", suffix: str = "") -> int:
        """Delete the items whose key starts with ``prefix`` and ends with ``suffix``.

        For "forget my data": ``suffix=f"/users/{user_id}"`` matches the user's ``UserState``
        (``{channel}/users/{user}``) and every ``PrivateConversationState``
        (``{channel}/conversations/{c}/users/{user}``); ``ConversationState`` is
        ``{channel}/conversations/{c}``. Beware a bare prefix ``{channel}/users/{user}``: it
        also matches longer user ids that start the same. Returns how many were deleted.
        """
        if not prefix and not suffix:
            raise ValueError("give a prefix or a suffix; refusing to delete every item")
        where, args = self._key_filter(prefix, suffix)
        await self.initialize()
        deleted = await self._db.execute(f"DELETE FROM {self._table} WHERE {where}", *args)
        logger.info("SqlStorage: deleted %d item(s) from %s by key pattern", deleted, self._table)
        return deleted

    async def delete_prefix(self, prefix: str) -> int:
        """``delete_matching(prefix=prefix)``."""
        return await self.delete_matching(prefix=prefix)

    async def update(
        self,
        key: str,
        change: Callable[[Optional[Any]], Union[Any, Awaitable[Any]]],
        *,
        attempts: int = 5,
    ) -> Any:
        """Read ``key``, write ``change(item)`` back if nobody wrote in between, else retry.

        ``change`` gets the stored item (``None`` if there is none) and returns the item to
        store (it may be async). Creation is guarded too: if two callers create the same key,
        one of them retries. After ``attempts`` conflicts the last ``EtagConflictError``
        is raised. Returns the item written, carrying its new e_tag. An item that comes back
        unchanged is not written (its e_tag stays, so turns that read it do not conflict).
        """
        if attempts < 1:
            raise ValueError("attempts must be at least 1")
        key = bounded_key(key)
        for attempt in range(1, attempts + 1):
            stored = (await self._fetch_rows([key])).get(key)
            # The stored e_tag, not the item's: change() may drop it, and a non-dict has none.
            if stored is None:
                expected, current = _ABSENT, None
            else:
                expected, current = stored[0], _decode(stored[1], stored[0])
            item = change(current)
            if inspect.isawaitable(item):
                item = await item
            if item is None:
                raise TypeError("update(): change() must return the item to store")
            document = _encode(item)
            if stored is not None and document == stored[1]:
                return item  # unchanged: no write, so no e_tag change for others to trip on
            try:
                etag = await self._write_one(self._db, key, document, expected)
            except EtagConflictError:
                if attempt == attempts:
                    raise
                logger.debug("SqlStorage.update(%r): conflict, attempt %d", key, attempt)
                continue
            _set_etag(item, etag)
            return item
        raise AssertionError("unreachable")

    # ------------------------------------------------------------------ internals

    @staticmethod
    def _key_filter(prefix: str, suffix: str) -> tuple:
        """A WHERE clause matching keys exactly by prefix/suffix on both engines.

        Not LIKE: SQLite's LIKE ignores ASCII case and both treat % and _ specially.
        """
        conditions, args = ["1 = 1"], []
        if prefix:
            args += [len(prefix), prefix]
            conditions.append(f"substr(storage_key, 1, ${len(args) - 1}) = ${len(args)}")
        if suffix:
            args += [len(suffix), suffix]
            n, s = len(args) - 1, len(args)
            conditions.append(
                f"length(storage_key) >= ${n}"
                f" AND substr(storage_key, length(storage_key) - ${n} + 1) = ${s}"
            )
        return " AND ".join(conditions), args

    async def _fetch_rows(self, keys: List[str]) -> Dict[str, tuple]:
        """``{key: (etag, document, updated_at)}`` for the stored ones among ``keys``."""
        await self.initialize()
        found: Dict[str, tuple] = {}
        for start in range(0, len(keys), _CHUNK):
            chunk = keys[start : start + _CHUNK]
            marks = ", ".join(f"${n}" for n in range(1, len(chunk) + 1))
            rows = await self._db.fetch(
                f"SELECT storage_key, etag, document, updated_at FROM {self._table}"
                f" WHERE storage_key IN ({marks})",
                *chunk,
            )
            for row in rows:
                found[row["storage_key"]] = (row["etag"], row["document"], row["updated_at"])
        return found

    async def _write_one(self, tx: Union[Transaction, Database], key: str, document: str,
                         expected: Any) -> str:
        """Write one item with one statement on ``tx`` (a transaction, or the database itself
        for a lone write); return its new e_tag or raise EtagConflictError."""
        if expected == NEW_ITEM_ETAG:
            expected = _ABSENT
        etag = os.urandom(16).hex()  # 32 random hex digits
        now = datetime.now(timezone.utc).isoformat(timespec="milliseconds")
        table = self._table
        if expected is None or expected == "*":
            await tx.execute(
                f"INSERT INTO {table} (storage_key, etag, document, updated_at)"
                " VALUES ($1, $2, $3, $4)"
                " ON CONFLICT (storage_key) DO UPDATE SET etag = excluded.etag,"
                " document = excluded.document, updated_at = excluded.updated_at",
                key, etag, document, now,
            )
            return etag
        if expected is _ABSENT:
            written = await tx.execute(
                f"INSERT INTO {table} (storage_key, etag, document, updated_at)"
                " VALUES ($1, $2, $3, $4) ON CONFLICT (storage_key) DO NOTHING",
                key, etag, document, now,
            )
            expected = None
        else:
            written = await tx.execute(
                f"UPDATE {table} SET etag = $2, document = $3, updated_at = $4"
                " WHERE storage_key = $1 AND etag = $5",
                key, etag, document, now, expected,
            )
        if written == 1:
            return etag
        current = await tx.fetchval(f"SELECT etag FROM {table} WHERE storage_key = $1", key)
        logger.debug("SqlStorage: e_tag conflict on %r (had %s, stored %s)", key, expected, current)
        raise EtagConflictError(key, expected, current)
