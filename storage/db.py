"""A small async database layer: SQLite (aiosqlite) or PostgreSQL (asyncpg), chosen by URL.

    db = await Database.connect("postgresql://bot@db.internal/coop")   # or sqlite:///..., or None
    await db.execute("INSERT INTO notes (id, body) VALUES ($1, $2)", 1, "hello")
    rows = await db.fetch("SELECT id, body FROM notes WHERE id = $1", 1)  # [{'id': 1, 'body': 'hello'}]
    async with db.transaction() as tx:
        await tx.execute("UPDATE notes SET body = $2 WHERE id = $1", 1, "bye")
    await db.close()

Callers write one SQL text for both engines with PostgreSQL ``$n`` placeholders; on SQLite
they become SQLite's numbered ``?n`` (so ``$1`` may be repeated and ``$10`` is not ``$1``
followed by ``0``). Portable SQL means: ``CAST(x AS TEXT)`` rather than ``x::text``,
``INSERT ... ON CONFLICT``, timestamps stored as ISO text or integers, booleans as 0/1.

URLs:
- ``None`` or ``""``: the SQLite file ``<repo>/data/coop.sqlite3``.
- ``sqlite:///relative/path.sqlite3`` (relative to the repository root, never the current
  directory), ``sqlite:////absolute/path.sqlite3``, ``sqlite:///:memory:``.
- ``postgresql://user:pass@host:5432/db`` or ``postgres://...`` (pooled).
- ``postgresql+asyncpg://`` and ``sqlite+aiosqlite://`` are accepted as the same; other drivers not.

Every call is bounded: a statement (with its wait for a pooled connection or for SQLite's
one connection) that has not finished within ``statement_timeout`` seconds raises
:class:`DatabaseTimeout` (a ``ConnectError``), and opening a connection gives up after
``connect_timeout``; a stalled network therefore turns into a prompt error, not a hang.
``await db.ping()`` checks the database answers (what ``GET /readyz`` asks);
:func:`connect_with_retry` waits, with a clear log line per attempt, for a database that is
not up yet (start-up).

SQLite runs one connection per ``Database`` (WAL, busy_timeout, foreign keys on); statements
from concurrent tasks take turns, and ``transaction()`` starts with ``BEGIN IMMEDIATE`` so
writers from other processes serialize too. That connection lives in aiosqlite's thread, and a
statement handed to it costs ~0.15 ms of CPU in hand-offs (ten times the statement itself), so
a statement outside a transaction first runs on the event loop's thread, on a second
connection whose ``busy_timeout`` is 0: it never waits there. If the database is locked by a
writer (another process), it goes to the thread's connection, which waits up to
``busy_timeout``. ``PRAGMA`` statements always go to the thread's connection (they describe
it), and so does everything on ``:memory:`` (a second connection would be another database). On PostgreSQL a transaction is an ordinary
READ COMMITTED transaction: a read-modify-write there needs an atomic statement (``SET n = n + 1``)
or a conditional ``UPDATE ... WHERE version = $n``, which is also what works on SQLite.

A pooled PostgreSQL connection goes back to the pool without asyncpg's default reset query
(``pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL``, one more round trip after every
statement): what runs through a ``Database`` leaves no session state behind (no ``SET``,
``LISTEN``, held cursor or session lock), a transaction left open is still rolled back by
asyncpg on release, and :meth:`advisory_lock`, the one user of session state, runs the full
reset itself before it gives its connection back.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import hashlib
import logging
import re
import sqlite3
import time
import urllib.parse
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, AsyncIterator, Callable, Optional, Sequence

import aiosqlite
import asyncpg

logger = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = REPO_ROOT / "data" / "coop.sqlite3"

_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")

DEFAULT_STATEMENT_TIMEOUT = 5.0  # seconds; DB_STATEMENT_TIMEOUT_SECONDS in config
# asyncpg's own per-statement timeout fires first and asks the server to cancel the query;
# ours, this much later, also bounds the wait for a pooled connection and its release.
_OUTER_SLACK = 0.5


# --------------------------------------------------------------------------- errors


class StorageError(Exception):
    """Base class for every error raised by the ``storage`` package."""


class ConfigError(StorageError):
    """The database URL or an option is unusable (the message names the masked URL)."""


class ConnectError(StorageError):
    """The database could not be reached or opened (the message names the masked URL)."""


class DatabaseTimeout(ConnectError):
    """The database did not answer within the statement timeout (stalled network or server)."""


class QueryError(StorageError):
    """A statement failed; the driver's exception is the ``__cause__``."""


class IntegrityError(QueryError):
    """A constraint (unique, foreign key, not null, check) rejected a statement."""


class MigrationError(StorageError):
    """A migration that was already applied has been edited since."""


# --------------------------------------------------------------------------- URLs


def mask_url(url: Optional[str]) -> str:
    """Return ``url`` with its password replaced by ``***`` (fit for logs and errors).

    >>> mask_url("postgresql://bot:s3cret@db:5432/coop?password=x&sslmode=require")
    'postgresql://bot:***@db:5432/coop?password=***&sslmode=require'
    """
    if not url:
        return repr(url)
    scheme, sep, rest = url.partition("://")
    if sep:
        authority_end = len(rest)
        for stop in ("?", "#"):
            index = rest.find(stop)
            if index != -1:
                authority_end = min(authority_end, index)
        at = rest.rfind("@", 0, authority_end)
        if at != -1 and ":" in rest[:at]:
            user = rest[: rest.index(":")]
            rest = f"{user}:***{rest[at:]}"
        url = scheme + sep + rest
    return re.sub(r"([?&]password=)[^&#]*", r"\1***", url, flags=re.IGNORECASE)


def _password_of(url: str) -> Optional[str]:
    try:
        return urllib.parse.urlsplit(url).password
    except ValueError:
        return None


@dataclass(frozen=True)
class _Target:
    dialect: str  # "sqlite" or "postgres"
    url: str
    path: Optional[Path] = None  # SQLite file, or None for :memory:


def _parse_url(url: Optional[str]) -> _Target:
    """Decide the engine and, for SQLite, the file from a database URL."""
    if url is None or not url.strip():
        return _Target("sqlite", f"sqlite:///{DEFAULT_SQLITE_PATH}", DEFAULT_SQLITE_PATH)
    url = url.strip()
    scheme, sep, rest = url.partition("://")
    # SQLAlchemy-style "postgresql+asyncpg://" / "sqlite+aiosqlite://" name our own drivers.
    scheme, _, driver = scheme.lower().partition("+")
    drivers = {"sqlite": "aiosqlite", "postgresql": "asyncpg", "postgres": "asyncpg"}
    if not sep or scheme not in drivers or driver not in ("", drivers[scheme]):
        raise ConfigError(
            f"unsupported database URL {mask_url(url)}: expected sqlite:///path, "
            "postgresql://... or postgres://..."
        )
    if scheme in ("postgresql", "postgres"):
        return _Target("postgres", f"postgresql://{rest}")
    if not rest.startswith("/"):
        raise ConfigError(
            f"bad SQLite URL {mask_url(url)}: expected sqlite:///relative/path, "
            "sqlite:////absolute/path or sqlite:///:memory: (no host)"
        )
    raw_path = rest[1:]
    if "?" in raw_path or "#" in raw_path:
        raise ConfigError(f"bad SQLite URL {mask_url(url)}: query parameters are not supported")
    raw_path = urllib.parse.unquote(raw_path)
    if not raw_path:
        raise ConfigError(f"bad SQLite URL {mask_url(url)}: no file path")
    if raw_path == ":memory:":
        return _Target("sqlite", url, None)
    path = Path(raw_path)
    if not path.is_absolute():
        path = REPO_ROOT / path
    return _Target("sqlite", url, path)


# --------------------------------------------------------------------------- placeholders

_SQL_TOKEN = re.compile(
    r"""
      '(?:[^']|'')*'          # string literal ('' escapes a quote)
    | "(?:[^"]|"")*"          # quoted identifier
    | --[^\n]*                # line comment
    | /\*.*?\*/               # block comment
    | (?<![\w$])\$(?P<n>\d+)  # $n placeholder (not part of an identifier such as a$1)
    | (?P<q>\?)               # a bare ? (SQLite style): refused, it would shift the numbering
    """,
    re.VERBOSE | re.DOTALL,
)


@functools.lru_cache(maxsize=1024)
def sqlite_placeholders(sql: str) -> str:
    """Translate PostgreSQL ``$n`` placeholders to SQLite ``?n``, leaving literals alone.

    >>> sqlite_placeholders("SELECT '$1', $1, $10 -- $2")
    "SELECT '$1', ?1, ?10 -- $2"
    """

    def replace(match: re.Match) -> str:
        if match.group("q"):
            raise QueryError(f"write $1, $2, ... placeholders, not '?': {sql[:200]!r}")
        number = match.group("n")
        if number is None:
            return match.group(0)
        if int(number) == 0:
            raise QueryError(f"placeholders start at $1, found $0: {sql[:200]!r}")
        return f"?{int(number)}"

    return _SQL_TOKEN.sub(replace, sql)


# --------------------------------------------------------------------------- execution

# The databases whose transaction the current task (or a task it spawned) is inside.
# The session (see Database.session) the current task opened: [database, connection or None, task].
_SESSION: contextvars.ContextVar[Optional[list]] = contextvars.ContextVar("coop_db_session", default=None)
_IN_TRANSACTION: contextvars.ContextVar[tuple] = contextvars.ContextVar(
    "storage_in_transaction", default=()
)


def _shape(rows: list, how: str) -> Any:
    if how == "fetch":
        return [dict(row) for row in rows]
    if not rows:
        return None
    if how == "fetchrow":
        return dict(rows[0])
    return rows[0][0]  # fetchval


def _run_sync(conn: sqlite3.Connection, query: str, args: tuple, how: str) -> Any:
    """One statement on a sqlite3 connection, its cursor closed: the row count or the rows."""
    cursor = conn.execute(query, args)
    try:
        return max(cursor.rowcount, 0) if how == "execute" else cursor.fetchall()
    finally:
        cursor.close()


def _sqlite_error(error: sqlite3.Error, sql: str) -> StorageError:
    kind = IntegrityError if isinstance(error, sqlite3.IntegrityError) else QueryError
    return kind(f"sqlite: {error} -- SQL: {sql[:200]}")


async def _sqlite_run(conn: aiosqlite.Connection, sql: str, args: tuple, how: str) -> Any:
    try:
        # One hand-off to aiosqlite's thread (its ``execute`` + fetch + cursor close make
        # more). ``_execute`` is how aiosqlite itself runs every call in that thread.
        result = await conn._execute(_run_sync, conn._conn, sqlite_placeholders(sql), args, how)  # noqa: SLF001
    except sqlite3.Error as error:
        raise _sqlite_error(error, sql) from error
    return result if how == "execute" else _shape(result, how)


def _pg_rowcount(status: str) -> int:
    last = status.rsplit(" ", 1)[-1] if status else ""
    return int(last) if last.isdigit() else 0


async def _pg_run(conn: Any, sql: str, args: tuple, how: str, url: str) -> Any:
    """Run on an asyncpg Pool or Connection (same method names)."""
    try:
        if how == "status":
            return await conn.execute(sql, *args)
        if how == "execute":
            return _pg_rowcount(await conn.execute(sql, *args))
        if how == "fetch":
            return [dict(row) for row in await conn.fetch(sql, *args)]
        if how == "fetchrow":
            row = await conn.fetchrow(sql, *args)
            return None if row is None else dict(row)
        return await conn.fetchval(sql, *args)
    except asyncpg.IntegrityConstraintViolationError as error:
        raise IntegrityError(f"postgres: {error} -- SQL: {sql[:200]}") from error
    except (asyncpg.PostgresConnectionError, OSError, asyncio.TimeoutError,
            asyncpg.InternalClientError) as error:
        # InternalClientError: asyncpg's protocol state broke, in practice because the server
        # ended the session (e.g. an admin shutdown) just before this query went out.
        raise ConnectError(f"lost {mask_url(url)}: {type(error).__name__}: {error}") from error
    except (asyncpg.PostgresError, asyncpg.InterfaceError) as error:
        if _detached(conn):
            raise ConnectError(f"lost {mask_url(url)}: {type(error).__name__}: {error}") from error
        raise QueryError(f"postgres: {error} -- SQL: {sql[:200]}") from error


def _detached(conn: Any) -> bool:
    """True once asyncpg's pool has taken back the connection of a proxy because it died."""
    return isinstance(conn, asyncpg.pool.PoolConnectionProxy) and conn._con is None


# Called with (dialect, seconds, failed) after every statement run through ``execute`` /
# ``fetch*`` (the metrics' database time); the composition root appends to it.
STATEMENT_OBSERVERS: list[Callable[[str, float, bool], None]] = []


class _Queries:
    """``execute``/``fetch``/``fetchrow``/``fetchval`` on top of one ``_run`` primitive."""

    dialect: str

    async def _run(self, sql: str, args: tuple, how: str) -> Any:
        raise NotImplementedError

    async def _timed(self, sql: str, args: tuple, how: str) -> Any:
        if not STATEMENT_OBSERVERS:
            return await self._run(sql, args, how)
        started = time.perf_counter()
        failed = True
        try:
            result = await self._run(sql, args, how)
            failed = False
            return result
        finally:
            elapsed = time.perf_counter() - started
            for observe in STATEMENT_OBSERVERS:
                observe(self.dialect, elapsed, failed)

    async def execute(self, sql: str, *args: Any) -> int:
        """Run a statement; return the number of rows it changed (0 when it reports none)."""
        return await self._timed(sql, args, "execute")

    async def fetch(self, sql: str, *args: Any) -> list[dict[str, Any]]:
        """Run a query; return every row as a dict."""
        return await self._timed(sql, args, "fetch")

    async def fetchrow(self, sql: str, *args: Any) -> Optional[dict[str, Any]]:
        """Run a query; return its first row as a dict, or None."""
        return await self._timed(sql, args, "fetchrow")

    async def fetchval(self, sql: str, *args: Any) -> Any:
        """Run a query; return the first column of the first row, or None."""
        return await self._timed(sql, args, "fetchval")


class Transaction(_Queries):
    """The handle ``Database.transaction()`` yields; valid only inside its ``async with``."""

    def __init__(self, database: "Database") -> None:
        self._database = database
        self._open = True

    @property
    def dialect(self) -> str:
        return self._database.dialect

    def _check_open(self) -> None:
        if not self._open:
            raise StorageError("this transaction is finished; start a new db.transaction()")


class _SqliteTransaction(Transaction):
    def __init__(self, database: "Database", conn: aiosqlite.Connection) -> None:
        super().__init__(database)
        self._conn = conn

    async def _run(self, sql: str, args: tuple, how: str) -> Any:
        self._check_open()
        async with self._database._bounded():
            return await _sqlite_run(self._conn, sql, args, how)


class _PostgresTransaction(Transaction):
    def __init__(self, database: "Database", conn: Any) -> None:
        super().__init__(database)
        self._conn = conn

    async def _run(self, sql: str, args: tuple, how: str) -> Any:
        self._check_open()
        async with self._database._bounded_pg():
            return await _pg_run(self._conn, sql, args, how, self._database._url)


class Database(_Queries):
    """A connected SQLite or PostgreSQL database; create it with ``await Database.connect(url)``."""

    dialect: str  # "sqlite" or "postgres"

    def __init__(self, url: str) -> None:
        self._url = url
        self._closed = False
        self.statement_timeout: Optional[float] = DEFAULT_STATEMENT_TIMEOUT

    def __repr__(self) -> str:
        return f"<Database {self.dialect} {mask_url(self._url)}>"

    @asynccontextmanager
    async def _bounded(self, what: str = "a statement",
                       seconds: Optional[float] = None) -> AsyncIterator[None]:
        """Raise :class:`DatabaseTimeout` when the block outlives ``seconds`` (default: the
        statement timeout; ``None`` there means no bound)."""
        limit = self.statement_timeout if seconds is None else seconds
        if limit is None:
            yield
            return
        try:
            async with asyncio.timeout(limit):
                yield
        except TimeoutError as error:
            raise DatabaseTimeout(
                f"{mask_url(self._url)} did not answer {what} within {limit:g} s") from error

    async def reclaim(self) -> None:
        """Make deleted rows physically go away now where the engine allows it: on SQLite a
        ``wal_checkpoint(TRUNCATE)`` (with ``secure_delete`` on, the deleted content is then
        in no file any more); on PostgreSQL nothing (autovacuum removes dead rows later)."""

    async def ping(self, timeout: Optional[float] = None) -> None:
        """``SELECT 1`` within ``timeout`` (default: the statement timeout, at most 2 s);
        raises a :class:`StorageError` when the database does not answer. ``GET /readyz``."""
        limit = timeout if timeout is not None else min(self.statement_timeout or 2.0, 2.0)
        async with self._bounded("a ping", limit):
            await self.fetchval("SELECT 1")

    @property
    def url(self) -> str:
        """The URL with its password masked."""
        return mask_url(self._url)

    @classmethod
    async def connect(
        cls,
        url: Optional[str] = None,
        *,
        schema: Optional[str] = None,
        min_size: int = 1,
        max_size: int = 10,
        connect_timeout: float = 10.0,
        busy_timeout: float = 5.0,
        statement_timeout: Optional[float] = None,
    ) -> "Database":
        """Open the database named by ``url`` (``None``: the default SQLite file).

        ``statement_timeout`` (seconds, default :data:`DEFAULT_STATEMENT_TIMEOUT`) bounds every
        call, see the module docstring.
        PostgreSQL only: ``schema`` (an existing schema) becomes the ``search_path``;
        ``min_size``/``max_size`` size the pool; ``connect_timeout`` is in seconds.
        SQLite only: ``busy_timeout`` (seconds) is how long a writer waits for another.
        Raises ``ConfigError`` for a bad URL or option, ``ConnectError`` if unreachable.
        """
        target = _parse_url(url)
        statement_timeout = DEFAULT_STATEMENT_TIMEOUT if statement_timeout is None else statement_timeout
        if not statement_timeout > 0 or not connect_timeout > 0:
            raise ConfigError("statement_timeout and connect_timeout must be positive seconds")
        if target.dialect == "sqlite":
            if schema is not None:
                raise ConfigError(f"schema= is for PostgreSQL; {mask_url(target.url)} is SQLite")
            database = await _SqliteDatabase._open(target, busy_timeout)
        else:
            if schema is not None and not _IDENTIFIER.match(schema):
                raise ConfigError(f"bad schema name {schema!r}: use lowercase letters, digits, _")
            if not 1 <= min_size <= max_size:
                raise ConfigError(f"need 1 <= min_size <= max_size, got {min_size}, {max_size}")
            database = await _PostgresDatabase._open(target, schema, min_size, max_size,
                                                     connect_timeout, statement_timeout)
        database.statement_timeout = statement_timeout
        return database

    async def __aenter__(self) -> "Database":
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await self.close()

    def _check_usable(self) -> None:
        if self._closed:
            raise StorageError(f"{self!r} is closed")
        if self in _IN_TRANSACTION.get():
            raise StorageError(
                "this task is inside db.transaction(); run statements on the transaction "
                "object (tx.execute ...) instead of the database"
            )

    @asynccontextmanager
    async def session(self) -> AsyncIterator[None]:
        """``async with db.session():`` the statements this task runs in the block share one
        pooled connection, taken at the first and given back at the end, instead of one
        pool round (acquire, release: ~0.1 ms of CPU each time) per statement. PostgreSQL
        only (SQLite has one connection anyway); a turn of the bot runs in one. Statements
        are still each their own transaction; ``transaction()`` still takes its own
        connection; a task started inside the block does not use it; after a failed
        statement the connection is given back and the next one takes another."""
        yield

    def transaction(self) -> AbstractAsyncContextManager[Transaction]:
        """``async with db.transaction() as tx:`` commits on success, rolls back on error."""
        raise NotImplementedError

    async def close(self) -> None:
        """Close the connection or pool; safe to call twice."""
        raise NotImplementedError

    async def migrate(self, name: str, statements: Sequence[str]) -> list[int]:
        """Apply ``statements[i]`` as version ``i + 1`` of migration ``name``, each only once.

        Append new statements to evolve a schema; never edit applied ones (that raises
        ``MigrationError``). Pending statements run in one transaction, serialized across
        processes (advisory lock on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite). One
        statement per item. Returns the versions applied now.
        """
        if isinstance(statements, str) or not statements:
            raise TypeError("statements must be a non-empty list of SQL strings")
        if not name:
            raise ValueError("a migration needs a name")
        applied_now: list[int] = []
        async with self.transaction() as tx:
            if self.dialect == "postgres":
                await tx.execute(
                    "SELECT pg_advisory_xact_lock("
                    "hashtext(coalesce(current_schema(), '') || '.schema_migrations'))"
                )
            await tx.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " name TEXT NOT NULL,"
                " version INTEGER NOT NULL,"
                " checksum TEXT NOT NULL,"
                " applied_at TEXT NOT NULL,"
                " PRIMARY KEY (name, version))"
            )
            rows = await tx.fetch(
                "SELECT version, checksum FROM schema_migrations WHERE name = $1", name
            )
            applied = {row["version"]: row["checksum"] for row in rows}
            for version, sql in enumerate(statements, start=1):
                checksum = hashlib.sha256(" ".join(sql.split()).encode()).hexdigest()
                if version in applied:
                    if applied[version] != checksum:
                        raise MigrationError(
                            f"migration {name!r} version {version} was edited after it was "
                            "applied; append a new statement instead"
                        )
                    continue
                await tx.execute(sql)
                await tx.execute(
                    "INSERT INTO schema_migrations (name, version, checksum, applied_at)"
                    " VALUES ($1, $2, $3, $4)",
                    name,
                    version,
                    checksum,
                    datetime.now(timezone.utc).isoformat(timespec="seconds"),
                )
                applied_now.append(version)
        newer = sorted(v for v in applied if v > len(statements))
        if newer:
            logger.warning(
                "migration %r: the database has versions %s this code does not know", name, newer
            )
        if applied_now:
            logger.info("migration %r: applied versions %s on %s", name, applied_now, self)
        return applied_now


    async def migration_status(self, name: str, statements: Sequence[str]) -> tuple[int, int]:
        """``(applied, known)``: how many versions of migration ``name`` the database has, and
        how many this code knows (``len(statements)``). Reads only; no table is created."""
        exists = await self.fetchval(
            "SELECT 1 FROM information_schema.tables WHERE table_name = 'schema_migrations'"
            " AND table_schema = current_schema()"
            if self.dialect == "postgres" else
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
        applied = 0
        if exists:
            applied = int(await self.fetchval(
                "SELECT COUNT(*) FROM schema_migrations WHERE name = $1", name) or 0)
        return applied, len(statements)


class _Busy(Exception):
    """The loop-thread connection found the database locked: run the statement in the thread."""


_BUSY_CODES = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}


def _run_inline(conn: sqlite3.Connection, sql: str, args: tuple, how: str) -> Any:
    """One statement on the event loop's own connection (``busy_timeout`` 0, never waits)."""
    try:
        result = _run_sync(conn, sqlite_placeholders(sql), args, how)
    except sqlite3.Error as error:
        if getattr(error, "sqlite_errorcode", None) in _BUSY_CODES:
            raise _Busy from error
        raise _sqlite_error(error, sql) from error
    return result if how == "execute" else _shape(result, how)


class _SqliteDatabase(Database):
    dialect = "sqlite"

    def __init__(self, url: str, conn: aiosqlite.Connection,
                 inline: Optional[sqlite3.Connection] = None) -> None:
        super().__init__(url)
        self._conn = conn
        self._inline = inline  # the event loop's connection (None: every statement in the thread)
        self._lock = asyncio.Lock()  # statements and transactions take turns

    @classmethod
    async def _open(cls, target: _Target, busy_timeout: float) -> "_SqliteDatabase":
        where = ":memory:" if target.path is None else str(target.path)
        try:
            if target.path is not None:
                await asyncio.to_thread(target.path.parent.mkdir, parents=True, exist_ok=True)
            conn = await aiosqlite.connect(where, isolation_level=None, timeout=busy_timeout)
        except (OSError, aiosqlite.Error) as error:
            raise ConnectError(f"cannot open {mask_url(target.url)} ({where}): {error}") from error
        try:
            conn.row_factory = aiosqlite.Row
            await conn.execute_fetchall(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
            await conn.execute_fetchall("PRAGMA foreign_keys = ON")
            # Deleted content is overwritten with zeros (in the pages, and so in the WAL frames
            # written after): what "forget my data" deletes is gone from the file, not only
            # unlinked from the B-tree. ``reclaim()`` then empties the WAL.
            await conn.execute_fetchall("PRAGMA secure_delete = ON")
            mode = (await conn.execute_fetchall("PRAGMA journal_mode = WAL"))[0][0]
            # With WAL, synchronous=NORMAL is SQLite's recommended setting: commits no longer
            # wait for an fsync of the WAL (only checkpoints do). The database cannot be
            # corrupted by it; a process crash (kill -9) loses nothing either, since the WAL is
            # already written to the OS. Only a power loss or OS crash may roll back the last
            # transactions before the next checkpoint. (``:memory:`` ignores it.)
            if str(mode).lower() == "wal":
                await conn.execute_fetchall("PRAGMA synchronous = NORMAL")
        except aiosqlite.Error as error:
            await conn.close()
            raise ConnectError(f"cannot open {mask_url(target.url)} ({where}): {error}") from error
        if target.path is not None and mode.lower() != "wal":
            logger.warning("SQLite %s: journal_mode is %s, not WAL", where, mode)
        inline = None
        if target.path is not None:
            try:
                inline = cls._open_inline(where, str(mode).lower() == "wal")
            except sqlite3.Error as error:
                await conn.close()
                raise ConnectError(f"cannot open {mask_url(target.url)} ({where}): {error}") from error
        logger.info("storage: SQLite at %s", where)
        return cls(target.url, conn, inline)

    @staticmethod
    def _open_inline(where: str, wal: bool) -> sqlite3.Connection:
        """The event loop's connection: the same settings as the thread's, but never waiting."""
        inline = sqlite3.connect(where, isolation_level=None, timeout=0)
        try:
            inline.row_factory = sqlite3.Row
            for pragma in ("busy_timeout = 0", "foreign_keys = ON", "secure_delete = ON") + (
                    ("synchronous = NORMAL",) if wal else ()):
                inline.execute(f"PRAGMA {pragma}").close()
        except sqlite3.Error:
            inline.close()
            raise
        return inline

    async def _run(self, sql: str, args: tuple, how: str) -> Any:
        self._check_usable()
        inline = self._inline is not None and not sql.lstrip()[:6].upper() == "PRAGMA"
        if inline and not self._lock.locked():
            # Runs to the end without yielding, so no other statement or transaction of this
            # Database can start meanwhile: nothing to wait for, nothing to bound.
            try:
                return _run_inline(self._inline, sql, args, how)
            except _Busy:
                inline = False  # locked by another writer: the thread's connection waits for it
        async with self._bounded():
            async with self._lock:
                self._check_usable()
                if inline:  # the connection was busy with a transaction of ours: now it is free
                    try:
                        return _run_inline(self._inline, sql, args, how)
                    except _Busy:
                        pass  # locked by another writer: the thread's connection waits for it
                return await _sqlite_run(self._conn, sql, args, how)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        self._check_usable()
        acquired = False
        try:
            async with self._bounded("(waiting for the connection)"):
                await self._lock.acquire()
                acquired = True
            self._check_usable()
            tx = _SqliteTransaction(self, self._conn)
            token = _IN_TRANSACTION.set(_IN_TRANSACTION.get() + (self,))
            committed = False
            try:
                async with self._bounded():
                    await _sqlite_run(self._conn, "BEGIN IMMEDIATE", (), "execute")
                yield tx
                tx._open = False
                async with self._bounded():
                    await _sqlite_run(self._conn, "COMMIT", (), "execute")
                committed = True
            finally:
                tx._open = False
                _IN_TRANSACTION.reset(token)
                if not committed:
                    # Shielded: a cancelled task must not hand the next one an open transaction.
                    await asyncio.shield(self._roll_back_leftover())
        finally:
            if acquired:  # even when the timeout struck just as the lock was taken
                self._lock.release()

    async def reclaim(self) -> None:
        rows = await self.fetch("PRAGMA wal_checkpoint(TRUNCATE)")  # (busy, frames, done)
        if rows and next(iter(rows[0].values())):
            logger.warning("SQLite: the WAL could not be emptied now (another connection is "
                           "reading); it is at the next checkpoint")

    async def _roll_back_leftover(self) -> None:
        """Roll back whatever transaction is still open once queued statements have run.

        aiosqlite runs statements in order in its thread, and a cancelled ``await`` does not
        stop one already queued (a BEGIN, a COMMIT that failed): this waits for them first.
        """
        await self._conn.execute_fetchall("SELECT 1")
        if self._conn.in_transaction:
            await _sqlite_run(self._conn, "ROLLBACK", (), "execute")

    async def close(self) -> None:
        if self._closed:
            return
        async with self._lock:
            self._closed = True
            if self._inline is not None:
                self._inline.close()
            await self._conn.close()


async def _no_session_state(conn: Any) -> None:
    """The pool's reset after asyncpg's own (which rolls back a transaction left open): none,
    as nothing run through a ``Database`` sets session state (see the module docstring)."""


class _PostgresDatabase(Database):
    dialect = "postgres"

    def __init__(self, url: str, pool: asyncpg.Pool) -> None:
        super().__init__(url)
        self._pool = pool
        self.connect_timeout: float = 10.0

    def _bounded_pg(self, what: str = "a statement") -> AbstractAsyncContextManager[None]:
        """The statement bound plus a little: asyncpg's ``command_timeout`` fires first (and
        cancels the query on the server); this one also bounds the pool's waits."""
        limit = None if self.statement_timeout is None else self.statement_timeout + _OUTER_SLACK
        return self._bounded(what, limit)

    @classmethod
    async def _open(
        cls,
        target: _Target,
        schema: Optional[str],
        min_size: int,
        max_size: int,
        connect_timeout: float,
        statement_timeout: float = DEFAULT_STATEMENT_TIMEOUT,
    ) -> "_PostgresDatabase":
        settings = {"search_path": schema} if schema else {}
        try:
            # The whole pool start (min_size connections) is bounded too: a server that
            # accepts TCP but never answers must not hang start-up.
            pool = await asyncio.wait_for(asyncpg.create_pool(
                dsn=target.url,
                min_size=min_size,
                max_size=max_size,
                timeout=connect_timeout,
                command_timeout=statement_timeout,
                server_settings=settings,
                reset=_no_session_state,
            ), connect_timeout * min_size + _OUTER_SLACK)
        except (OSError, asyncio.TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError,
                ValueError) as error:
            message = f"{type(error).__name__}: {error}"
            password = _password_of(target.url)
            if password:
                message = message.replace(password, "***")
            raise ConnectError(f"cannot connect to {mask_url(target.url)}: {message}") from error
        database = cls(target.url, pool)
        database.statement_timeout = statement_timeout
        database.connect_timeout = connect_timeout
        try:
            if schema and not await database.fetchval(
                "SELECT 1 FROM pg_namespace WHERE nspname = $1", schema
            ):
                raise ConfigError(f"schema {schema!r} does not exist in {mask_url(target.url)}")
        except BaseException:
            await database.close()
            raise
        logger.info("storage: PostgreSQL at %s", mask_url(target.url))
        return database

    async def _run(self, sql: str, args: tuple, how: str) -> Any:
        self._check_usable()
        held = _SESSION.get()
        if held is None or held[0] is not self or held[2] is not asyncio.current_task():
            async with self._bounded_pg():
                return await _pg_run(self._pool, sql, args, how, self._url)
        async with self._bounded_pg():
            if held[1] is None:
                held[1] = await self._pool.acquire(timeout=self.statement_timeout)
            try:
                return await _pg_run(held[1], sql, args, how, self._url)
            except BaseException:
                conn, held[1] = held[1], None  # a cancelled or failed statement: a fresh one next
                await self._release_quietly(conn)
                raise

    async def _release_quietly(self, conn: Any) -> None:
        try:
            await asyncio.shield(self._pool.release(conn, timeout=self.statement_timeout))
        except Exception:  # noqa: BLE001 - the pool discards a connection it cannot reset
            logger.debug("postgres: discarded a session connection", exc_info=True)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[None]:
        outer = _SESSION.get()
        if outer is not None and outer[0] is self and outer[2] is asyncio.current_task():
            yield  # nested: the outer session's connection
            return
        held: list = [self, None, asyncio.current_task()]
        token = _SESSION.set(held)
        try:
            yield
        finally:
            _SESSION.reset(token)
            if held[1] is not None:
                conn, held[1] = held[1], None
                await self._release_quietly(conn)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        self._check_usable()
        try:
            async with self._bounded_pg("(waiting for a connection)"):
                conn = await self._pool.acquire(timeout=self.statement_timeout)
        except DatabaseTimeout:
            raise
        except (OSError, asyncio.TimeoutError, asyncpg.PostgresError,
                asyncpg.InterfaceError) as error:
            raise ConnectError(f"cannot reach {self.url}: {type(error).__name__}: {error}") from error
        tx = _PostgresTransaction(self, conn)
        token = _IN_TRANSACTION.set(_IN_TRANSACTION.get() + (self,))
        failed = False
        try:
            await _pg_run(conn, "BEGIN", (), "execute", self._url)
            yield tx
            tx._open = False
            # COMMIT of an aborted transaction answers ROLLBACK; a deferred constraint raises.
            status = await _pg_run(conn, "COMMIT", (), "status", self._url)
            if status != "COMMIT":
                raise QueryError(
                    "postgres: transaction was rolled back at COMMIT (a statement in it failed)"
                )
        except BaseException:
            failed = True
            raise
        finally:
            tx._open = False
            _IN_TRANSACTION.reset(token)
            # release() resets the connection, which rolls back a transaction left open (error,
            # cancellation mid-query), or discards the connection if the server is gone.
            try:
                # bounded: a connection that cannot be reset in time is terminated
                await self._pool.release(conn, timeout=self.statement_timeout)
            except Exception:
                if not failed:
                    raise
                # Keep the error that ended the transaction; this one is its consequence.
                logger.warning("postgres: discarded a connection that could not be reset "
                               "after a failed transaction", exc_info=True)

    @asynccontextmanager
    async def advisory_lock(self, name: str) -> AsyncIterator[bool]:
        """``async with db.advisory_lock("job") as held:`` tries (never waits for) a session
        advisory lock named ``name`` within the current schema, on a connection of its own
        kept until the block ends. The server releases it when that connection drops (the
        process died), so a crashed holder never keeps it."""
        self._check_usable()
        conn = await self._pool.acquire()
        key = "hashtext(coalesce(current_schema(), '') || '.' || $1)"
        try:
            held = bool(await conn.fetchval(f"SELECT pg_try_advisory_lock({key})", name))
            try:
                yield held
            finally:
                if held:
                    await conn.fetchval(f"SELECT pg_advisory_unlock({key})", name)
        finally:
            try:  # the pool does not reset session state (see the module docstring): here it must
                await conn.execute(conn.get_reset_query())
            except BaseException:
                conn.terminate()  # a connection that cannot be reset is not given to anyone else
                raise
            finally:
                await self._pool.release(conn)

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        await self._pool.close()


async def connect_with_retry(url: Optional[str] = None, *, wait_seconds: float = 60.0,
                             first_delay: float = 0.5, max_delay: float = 5.0,
                             **options: Any) -> Database:
    """``Database.connect(url, **options)``, retried while the database is not reachable yet
    (a server still starting, a network not up): one WARNING line per failed attempt saying
    what failed and when the next attempt is, then ``ConnectError`` once ``wait_seconds`` have
    passed. A bad URL or option (``ConfigError``) is not retried."""
    loop = asyncio.get_running_loop()
    give_up = loop.time() + max(0.0, wait_seconds)
    delay = first_delay
    attempt = 0
    while True:
        attempt += 1
        try:
            database = await Database.connect(url, **options)
        except ConfigError:
            raise
        except ConnectError as error:
            left = give_up - loop.time()
            if left <= 0:
                raise ConnectError(f"database still not reachable after {attempt} attempts "
                                   f"in {wait_seconds:g} s: {error}") from None
            pause = min(delay, left)
            logger.warning("storage: database not reachable yet (attempt %d: %s); retrying in "
                           "%.1f s, giving up in %.0f s", attempt, error, pause, left)
            await asyncio.sleep(pause)
            delay = min(delay * 2, max_delay)
            continue
        if attempt > 1:
            logger.info("storage: database reachable after %d attempts", attempt)
        return database
