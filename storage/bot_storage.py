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
import contextlib
import hashlib
import inspect
import json
import logging
import os
import pickle
import re
from datetime import datetime, timedelta, timezone
from typing import Any, Awaitable, Callable, Dict, Iterable, List, Optional, Union

from botbuilder.core import ConversationState, Storage, TurnContext, UserState
from botbuilder.core.bot_state import CachedBotState
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


_SCALARS = (str, int, float, bool, type(None))  # exact types: jsonpickle keeps them as they are
_TAG = "py/"  # jsonpickle's tags (py/object, py/id, py/tuple, ...) are keys starting so
_PLAIN_DEPTH = 64  # deeper (never a real state) is left to jsonpickle, whatever it does with it


def _plain(value: Any, seen: set, depth: int = 0) -> bool:
    """True when ``value`` is made of exact dicts with string keys none of which starts like
    a jsonpickle tag, lists, and exact str/int/float/bool/None, with no dict or list met twice
    and at most :data:`_PLAIN_DEPTH` levels: then jsonpickle's ``flatten`` would give an equal
    copy of it (no tag, no ``py/id``) and ``restore`` of that copy an equal value again."""
    kind = type(value)
    if kind is dict or kind is list:
        if id(value) in seen or depth == _PLAIN_DEPTH:
            return False  # shared or cyclic: jsonpickle writes a py/id reference
        seen.add(id(value))
        if kind is dict:
            for key, item in value.items():
                if type(key) is not str or key.startswith(_TAG):
                    return False  # jsonpickle writes other keys by repr(), drops tag-like ones
                if type(item) not in _SCALARS and not _plain(item, seen, depth + 1):
                    return False
        else:
            for item in value:
                if type(item) not in _SCALARS and not _plain(item, seen, depth + 1):
                    return False
        return True
    return kind in _SCALARS


def _encode(item: Any) -> str:
    """The stored JSON of ``item``: jsonpickle's ``flatten`` (botbuilder's format), without the
    e_tag. A state made of plain JSON values only (a conversation answered without a dialog:
    its context, the kept cards as text) is written as it is, the same text without
    jsonpickle's walk (~15 us of a fresh conversation's save)."""
    if type(item) is dict and _plain(item, set()):
        return _JSON.encode({key: value for key, value in item.items() if key != "e_tag"})
    flat = Pickler().flatten(item)
    if isinstance(flat, dict):
        flat.pop("e_tag", None)  # kept in its own column
    return _JSON.encode(flat)


def _decode(document: str, etag: str) -> Any:
    """The item stored as ``document``, with its e_tag. A document without jsonpickle tags is
    its JSON as it is (``restore`` would copy it unchanged, at ~4x the cost of the parse)."""
    data = json.loads(document)
    if isinstance(data, dict):
        data["e_tag"] = etag
    if _plain(data, set()):
        return data
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

    def session(self) -> Any:
        """``async with storage.session():`` a turn's statements on one pooled connection
        (``Database.session``; nothing on SQLite)."""
        return self._db.session()

    async def put_many(self, items: Dict[str, dict]) -> None:
        """Write plain-JSON ``items`` (dicts of JSON values only, no objects) unconditionally,
        last writer wins, in one statement per 100 items: for logs kept beside the state
        (the answers kept for feedback), never for state a turn guards with its e_tag. They
        read back as dicts through :meth:`read`."""
        if not items:
            return
        await self.initialize()
        now = datetime.now(timezone.utc).isoformat(timespec="milliseconds")
        rows = []
        for key, item in items.items():
            if not isinstance(key, str) or not isinstance(item, dict):
                raise TypeError("put_many takes string keys and dict items")
            document = _JSON.encode({k: v for k, v in item.items() if k != "e_tag"})
            rows.append((bounded_key(key), os.urandom(16).hex(), document, now))
        for start in range(0, len(rows), 100):
            part = rows[start:start + 100]
            values = ", ".join(f"(${4 * n + 1}, ${4 * n + 2}, ${4 * n + 3}, ${4 * n + 4})"
                               for n in range(len(part)))
            await self._db.execute(
                f"INSERT INTO {self._table} (storage_key, etag, document, updated_at)"
                f" VALUES {values} ON CONFLICT (storage_key) DO UPDATE SET etag = excluded.etag,"
                " document = excluded.document, updated_at = excluded.updated_at",
                *(value for row in part for value in row))

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


# --------------------------------------------------------------------------- a turn's state


def state_hash(state: Any) -> bytes | str:
    """A value that changes whenever the stored form of ``state`` would.

    botbuilder's ``CachedBotState`` hashes by ``str(jsonpickle.Pickler().flatten(state))``: a
    flatten of the whole state when it is loaded, again for the check at the end of the turn,
    and again after the write (~0.3 ms a turn for a conversation with a card kept). This is the
    ``pickle`` of the state instead (C code; a kept card's JSON text is copied, not escaped),
    which sees every change jsonpickle's does (both read an object's attributes) and more (a
    tuple is not a list, ``1`` is not ``"1"`` as a key). A value pickle refuses makes it fall
    back to botbuilder's own hash for that state. Two equal states whose objects are shared
    differently can pickle differently: that only ever costs a write, never loses one.

    >>> state_hash({"a": 1}) == state_hash({"a": 1}) != state_hash({"a": "1"})
    True
    """
    try:
        return pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError, RecursionError, ValueError):
        return str(Pickler().flatten(state))  # botbuilder's own


class StateCache(CachedBotState):
    """``CachedBotState`` hashed by :func:`state_hash`."""

    def compute_hash(self, obj: object) -> bytes | str:
        return state_hash(obj)


class _CoopState:
    """What the turn's state needs of a ``BotState`` beyond botbuilder's public methods: to
    put a cache in place (loaded with the other state in one read, or emptied by "forget my
    data"). It lives here, beside the storage whose items it caches, so the bot never touches
    botbuilder's private fields."""

    def put_cache(self: Any, turn_context: TurnContext, cached: CachedBotState) -> None:
        turn_context.turn_state[self._context_service_key] = cached  # noqa: SLF001 - our subclass


class CoopConversationState(_CoopState, ConversationState):
    """botbuilder's ``ConversationState`` with :meth:`put_cache`."""


class CoopUserState(_CoopState, UserState):
    """botbuilder's ``UserState`` with :meth:`put_cache`."""


class TurnStates:
    """A turn's conversation and user state on one storage: loaded together, saved once.

        states = TurnStates(SqlStorage(db))
        async with states.session():
            await states.load(turn_context)
            ...                                  # properties of states.conversation / .user
            await states.save(turn_context)

    With a storage that guards the creation of new items (``NEW_ITEM_ETAG``, as
    :class:`SqlStorage`), both records come from one ``read``; a record that does not exist yet
    is marked with that e_tag, so the end-of-turn save creates it only if it still does not
    exist (two first turns racing, maybe on two instances, cannot silently lose one's
    changes: the loser gets ``EtagConflictError`` and re-runs). User state is written only
    when a turn changes it. Any other botbuilder ``Storage`` (``MemoryStorage``) is loaded the
    way botbuilder does it.
    """

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self.conversation = CoopConversationState(storage)
        self.user = CoopUserState(storage)

    def session(self) -> Any:
        """The storage's ``session()`` (one pooled connection for the turn), when it has one."""
        session = getattr(self.storage, "session", None)
        return session() if callable(session) else contextlib.nullcontext()

    async def load(self, turn_context: TurnContext, *, force: bool = False) -> None:
        new_item = getattr(self.storage, "NEW_ITEM_ETAG", None)
        if new_item is None:
            await self._load_one(self.conversation, turn_context, force)
            await self.user.load(turn_context, force=force)
            return
        keys = [self.conversation.get_storage_key(turn_context),
                self.user.get_storage_key(turn_context)]
        items = await self.storage.read(keys)
        for state, key in zip((self.conversation, self.user), keys):
            if not force and state.get(turn_context):
                continue  # already loaded this turn (BotState.load would keep it too)
            item = items.get(key)
            # As BotState.load(force=True) caches it; an absent item is marked new. The user
            # state's mark is in the hash, so an untouched empty user state is not saved.
            cached = StateCache(item if item is not None else {"e_tag": new_item})
            if item is None and state is self.conversation:
                cached.hash = cached.compute_hash(None)  # as botbuilder: a new record is saved
            state.put_cache(turn_context, cached)

    async def _load_one(self, state: Any, turn_context: TurnContext, force: bool) -> None:
        """Load ``state``. A record that does not exist yet is first created empty through the
        storage's guarded ``update`` (when it has one): botbuilder writes a new record without
        an e_tag, i.e. unconditionally, so two first turns racing would silently lose one's
        changes; with the record created first, the turn's save carries an e_tag and the
        loser of the race gets a conflict (and re-runs) instead."""
        await state.load(turn_context, force=force)
        cached = state.get(turn_context)
        update = getattr(self.storage, "update", None)
        if isinstance(cached, dict) and not cached.get("e_tag") and callable(update):
            key = state.get_storage_key(turn_context)
            await update(key, lambda current: current if current is not None else {})
            await state.load(turn_context, force=True)

    async def reload_conversation(self, turn_context: TurnContext) -> None:
        await self.conversation.load(turn_context, force=True)

    async def save(self, turn_context: TurnContext) -> None:
        await self.conversation.save_changes(turn_context)
        await self.user.save_changes(turn_context)

    async def save_conversation(self, turn_context: TurnContext) -> None:
        await self.conversation.save_changes(turn_context)

    async def forget(self, turn_context: TurnContext, *extra_keys: str) -> None:
        """Delete the user's and this conversation's state (and ``extra_keys``), leave
        unchanged empty caches (the end-of-turn save writes nothing back), and have the storage
        reclaim the space now where it can (on SQLite the deleted rows leave the WAL too)."""
        for state in (self.user, self.conversation):
            await state.delete(turn_context)
            state.put_cache(turn_context, StateCache({}))
        if extra_keys:
            await self.storage.delete(list(extra_keys))
        compact = getattr(self.storage, "compact", None)
        if callable(compact):
            await compact()

    def conversation_key(self, turn_context: TurnContext) -> str:
        return self.conversation.get_storage_key(turn_context)

    def conversation_data(self, turn_context: TurnContext, name: str) -> Any:
        """A property's value in the loaded conversation state (no default made), or None."""
        cached = self.conversation.get(turn_context) or {}
        return cached.get(name) if isinstance(cached, dict) else None

    async def read_items(self, keys: list[str]) -> dict:
        """The items stored under ``keys`` (absent ones left out), in one read."""
        return await self.storage.read(list(keys))

    @property
    def batches_writes(self) -> bool:
        """Whether :meth:`write_items` is one statement for many items (``put_many``)."""
        return callable(getattr(self.storage, "put_many", None))

    async def write_items(self, items: dict) -> None:
        """Write plain-JSON items unconditionally (last writer wins), in one write
        (:meth:`SqlStorage.put_many`; another storage's ``write`` with e_tag ``*``)."""
        put_many = getattr(self.storage, "put_many", None)
        if callable(put_many):
            await put_many(items)
            return
        await self.storage.write({key: {**item, "e_tag": "*"} for key, item in items.items()})

    async def expire(self, older_than: Any) -> int | None:
        expire = getattr(self.storage, "expire", None)
        return await expire(older_than) if callable(expire) else None
