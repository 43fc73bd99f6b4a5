"""storage.db against real SQLite (a tmp_path file) and the real PostgreSQL server.

Every PostgreSQL test works in its own ``coop_test_<random>`` schema, dropped afterwards, so
parallel and repeated runs never collide. If the server is down these tests fail, not skip.
"""

import asyncio
import uuid
from pathlib import Path

import pytest

import storage.db
from storage import (
    ConfigError,
    ConnectError,
    Database,
    IntegrityError,
    MigrationError,
    QueryError,
    StorageError,
    mask_url,
    sqlite_placeholders,
)
from storage.testing import POSTGRES_TEST_URL, scratch_database


@pytest.fixture
async def db(scratch):
    return await scratch.connect()


async def make_table(db, name="items"):
    await db.execute(f"CREATE TABLE {name} (id INTEGER PRIMARY KEY, label TEXT NOT NULL)")


# --------------------------------------------------------------------------- placeholders


def test_placeholders_keep_two_digit_numbers_whole():
    assert sqlite_placeholders("VALUES ($1, $10, $2, $1)") == "VALUES (?1, ?10, ?2, ?1)"


def test_placeholders_leave_literals_identifiers_and_comments_alone():
    sql = """SELECT '$1', 'it''s $2', "col$3", a$4, $5 -- $6
    /* $7 */ FROM t WHERE x = $8"""
    assert sqlite_placeholders(sql) == """SELECT '$1', 'it''s $2', "col$3", a$4, ?5 -- $6
    /* $7 */ FROM t WHERE x = ?8"""


def test_placeholders_refuse_question_marks_and_dollar_zero():
    with pytest.raises(QueryError, match=r"\$1, \$2"):
        sqlite_placeholders("SELECT * FROM t WHERE a = ?")
    with pytest.raises(QueryError, match=r"\$0"):
        sqlite_placeholders("SELECT $0")
    assert sqlite_placeholders("SELECT '?' || $1") == "SELECT '?' || ?1"


async def test_ten_and_one_are_different_parameters(db):
    args = [f"v{i}" for i in range(1, 12)]
    row = await db.fetchrow(
        "SELECT CAST($10 AS TEXT) AS ten, CAST($1 AS TEXT) AS one, CAST($11 AS TEXT) AS eleven,"
        " CAST($2 AS TEXT) || CAST($3 AS TEXT) || CAST($4 AS TEXT) || CAST($5 AS TEXT)"
        " || CAST($6 AS TEXT) || CAST($7 AS TEXT) || CAST($8 AS TEXT) || CAST($9 AS TEXT) AS mid,"
        " CAST($1 AS TEXT) AS one_again, '$1' AS literal",
        *args,
    )
    assert row == {
        "ten": "v10",
        "one": "v1",
        "eleven": "v11",
        "mid": "v2v3v4v5v6v7v8v9",
        "one_again": "v1",
        "literal": "$1",
    }


# --------------------------------------------------------------------------- queries


async def test_round_trip_rows_are_dicts(db):
    await make_table(db)
    assert await db.execute("INSERT INTO items (id, label) VALUES ($1, $2), ($3, $4)",
                            1, "one", 2, "two") == 2
    assert await db.fetch("SELECT id, label FROM items ORDER BY id") == [
        {"id": 1, "label": "one"},
        {"id": 2, "label": "two"},
    ]
    assert await db.fetchrow("SELECT label FROM items WHERE id = $1", 2) == {"label": "two"}
    assert await db.fetchrow("SELECT label FROM items WHERE id = $1", 3) is None
    assert await db.fetchval("SELECT count(*) FROM items") == 2
    assert await db.fetchval("SELECT label FROM items WHERE id = $1", 3) is None
    assert await db.execute("UPDATE items SET label = $1 WHERE id > $2", "x", 0) == 2
    assert await db.execute("DELETE FROM items WHERE id = $1", 99) == 0


async def test_duplicate_key_is_an_integrity_error_on_both(db):
    await make_table(db)
    await db.execute("INSERT INTO items (id, label) VALUES ($1, $2)", 1, "one")
    with pytest.raises(IntegrityError) as caught:
        await db.execute("INSERT INTO items (id, label) VALUES ($1, $2)", 1, "again")
    assert caught.value.__cause__ is not None


async def test_bad_sql_is_a_query_error_naming_the_statement(db):
    with pytest.raises(QueryError, match="no_such_table") as caught:
        await db.fetch("SELECT * FROM no_such_table")
    assert caught.value.__cause__ is not None


async def test_foreign_keys_are_enforced(db):
    await make_table(db)
    await db.execute(
        "CREATE TABLE notes (id INTEGER PRIMARY KEY, item_id INTEGER NOT NULL REFERENCES items(id))"
    )
    with pytest.raises(IntegrityError):
        await db.execute("INSERT INTO notes (id, item_id) VALUES ($1, $2)", 1, 42)


# --------------------------------------------------------------------------- transactions


async def test_transaction_commits(db):
    await make_table(db)
    async with db.transaction() as tx:
        assert tx.dialect == db.dialect
        await tx.execute("INSERT INTO items (id, label) VALUES ($1, $2)", 1, "one")
        assert await tx.fetchval("SELECT count(*) FROM items") == 1
    assert await db.fetch("SELECT id FROM items") == [{"id": 1}]


async def test_transaction_rolls_back_on_error(db):
    await make_table(db)
    with pytest.raises(RuntimeError, match="boom"):
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO items (id, label) VALUES ($1, $2)", 1, "one")
            raise RuntimeError("boom")
    assert await db.fetchval("SELECT count(*) FROM items") == 0


async def test_uncommitted_writes_are_invisible_to_another_connection(scratch):
    db, other = await scratch.connect(), await scratch.connect()
    await make_table(db)
    async with db.transaction() as tx:
        await tx.execute("INSERT INTO items (id, label) VALUES ($1, $2)", 1, "one")
        assert await other.fetchval("SELECT count(*) FROM items") == 0
    assert await other.fetchval("SELECT count(*) FROM items") == 1


async def test_using_the_database_inside_its_own_transaction_is_refused(db):
    await make_table(db)
    with pytest.raises(StorageError, match="tx.execute"):
        async with db.transaction():
            await db.fetchval("SELECT count(*) FROM items")
    with pytest.raises(StorageError, match="tx.execute"):
        async with db.transaction():
            async with db.transaction():
                pass
    # and the database is still usable afterwards
    assert await db.fetchval("SELECT count(*) FROM items") == 0


async def test_transaction_handle_is_dead_after_the_block(db):
    await make_table(db)
    async with db.transaction() as tx:
        pass
    with pytest.raises(StorageError, match="finished"):
        await tx.fetchval("SELECT 1")


async def test_cancelled_task_leaves_no_open_transaction(db):
    await make_table(db)
    inside = asyncio.Event()

    async def hold():
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO items (id, label) VALUES ($1, $2)", 1, "one")
            inside.set()
            await asyncio.Event().wait()  # until cancelled

    task = asyncio.create_task(hold())
    await inside.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await db.fetchval("SELECT count(*) FROM items") == 0
    async with db.transaction() as tx:  # a fresh transaction starts cleanly
        await tx.execute("INSERT INTO items (id, label) VALUES ($1, $2)", 2, "two")
    assert await db.fetch("SELECT id FROM items") == [{"id": 2}]


async def test_sqlite_transactions_of_two_processes_serialize(tmp_path):
    """BEGIN IMMEDIATE: the second writer waits, then reads the first one's result."""
    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    async with scratch_database(url) as place:
        first, second = await place.connect(), await place.connect()
        await first.execute("CREATE TABLE counter (n INTEGER NOT NULL)")
        await first.execute("INSERT INTO counter (n) VALUES (0)")
        first_inside = asyncio.Event()

        async def bump(db, hold_first):
            async with db.transaction() as tx:
                n = await tx.fetchval("SELECT n FROM counter")
                if hold_first:
                    first_inside.set()
                    await asyncio.sleep(0.2)  # the other writer is trying to start meanwhile
                await tx.execute("UPDATE counter SET n = $1", n + 1)

        async def bump_second():
            await first_inside.wait()
            await bump(second, hold_first=False)

        await asyncio.gather(bump(first, hold_first=True), bump_second())
        assert await first.fetchval("SELECT n FROM counter") == 2


# --------------------------------------------------------------------------- migrations

ITEMS_V1 = ["CREATE TABLE items (id INTEGER PRIMARY KEY, label TEXT NOT NULL)"]
ITEMS_V2 = ITEMS_V1 + ["CREATE INDEX items_label ON items (label)"]


async def test_migration_applies_once_then_only_new_versions(db):
    assert await db.migrate("items", ITEMS_V1) == [1]
    assert await db.migrate("items", ITEMS_V1) == []
    assert await db.migrate("items", ITEMS_V2) == [2]
    assert await db.migrate("items", ITEMS_V2) == []
    rows = await db.fetch("SELECT name, version FROM schema_migrations ORDER BY version")
    assert rows == [{"name": "items", "version": 1}, {"name": "items", "version": 2}]


async def test_migration_tolerates_reindenting_but_not_editing(db):
    await db.migrate("items", ITEMS_V1)
    assert await db.migrate("items", ["  CREATE TABLE items (id INTEGER PRIMARY KEY,\n"
                                      "      label TEXT   NOT NULL)\n"]) == []
    with pytest.raises(MigrationError, match="version 1 was edited"):
        await db.migrate("items", ["CREATE TABLE items (id INTEGER PRIMARY KEY, label TEXT)"])


async def test_failed_migration_applies_nothing(db):
    with pytest.raises(QueryError):
        await db.migrate("broken", ITEMS_V1 + ["CREATE TABLE oops (syntax error here"])
    assert await db.migrate("items", ITEMS_V1) == [1]  # the table was not left behind


async def test_migration_rejects_a_bare_string(db):
    with pytest.raises(TypeError):
        await db.migrate("items", ITEMS_V1[0])


async def test_processes_starting_together_apply_each_migration_once(scratch):
    databases = [await scratch.connect() for _ in range(3)]
    results = await asyncio.gather(
        *(db.migrate("items", ITEMS_V2) for db in databases for _ in range(3))
    )
    applied = sorted(version for result in results for version in result)
    assert applied == [1, 2]


# --------------------------------------------------------------------------- URLs and errors


def test_mask_url_hides_passwords_only():
    assert mask_url("postgresql://bot:p%40ss@db:5432/coop") == "postgresql://bot:***@db:5432/coop"
    assert mask_url("postgres://bot@db/coop") == "postgres://bot@db/coop"
    assert mask_url("postgresql://db/coop?user=bot&password=hunter2") == (
        "postgresql://db/coop?user=bot&password=***"
    )
    assert mask_url("postgresql://bot:a/b@c@db/coop") == "postgresql://bot:***@db/coop"


async def test_unsupported_scheme_is_a_config_error_with_masked_url():
    with pytest.raises(ConfigError) as caught:
        await Database.connect("mysql://bot:hunter2@db/coop")
    assert "mysql://bot:***@db/coop" in str(caught.value)
    assert "hunter2" not in str(caught.value)


@pytest.mark.parametrize(
    "url",
    ["sqlite://host/coop.sqlite3", "sqlite:///coop.sqlite3?mode=ro", "sqlite:///", "coop.sqlite3"],
)
async def test_malformed_sqlite_urls_are_config_errors(url):
    with pytest.raises(ConfigError):
        await Database.connect(url)


async def test_schema_option_is_refused_for_sqlite():
    with pytest.raises(ConfigError, match="schema"):
        await Database.connect("sqlite:///:memory:", schema="x")


async def test_sqlite_file_that_cannot_be_opened_is_a_connect_error(tmp_path):
    blocker = tmp_path / "not_a_dir"
    blocker.write_text("a file where a directory should be")
    with pytest.raises(ConnectError, match="not_a_dir"):
        await Database.connect(f"sqlite:///{blocker / 'coop.sqlite3'}")


@pytest.mark.postgres
async def test_unreachable_server_is_a_connect_error_with_masked_url():
    with pytest.raises(ConnectError) as caught:
        await Database.connect("postgresql://postgres:hunter2@127.0.0.1:1/test",
                               connect_timeout=5)
    message = str(caught.value)
    assert "postgresql://postgres:***@127.0.0.1:1/test" in message
    assert "hunter2" not in message


@pytest.mark.postgres
async def test_missing_database_is_a_connect_error():
    name = f"coop_missing_{uuid.uuid4().hex[:8]}"
    with pytest.raises(ConnectError, match=name):
        await Database.connect(POSTGRES_TEST_URL.rsplit("/", 1)[0] + "/" + name)


@pytest.mark.postgres
async def test_missing_schema_is_a_config_error():
    with pytest.raises(ConfigError, match="coop_no_such_schema"):
        await Database.connect(POSTGRES_TEST_URL, schema="coop_no_such_schema")


@pytest.mark.postgres
async def test_bad_pool_sizes_are_config_errors():
    with pytest.raises(ConfigError, match="min_size"):
        await Database.connect(POSTGRES_TEST_URL, min_size=5, max_size=2)


def test_default_sqlite_file_is_under_the_repository_not_the_cwd(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    repo = Path(storage.db.__file__).resolve().parents[1]
    assert storage.db._parse_url(None).path == repo / "data" / "coop.sqlite3"
    assert storage.db._parse_url("").path == repo / "data" / "coop.sqlite3"
    assert storage.db._parse_url("sqlite:///var/x.sqlite3").path == repo / "var" / "x.sqlite3"
    assert storage.db._parse_url("sqlite:////srv/x.sqlite3").path == Path("/srv/x.sqlite3")
    assert storage.db._parse_url("sqlite:///:memory:").path is None
    assert storage.db._parse_url("postgres://h/db").dialect == "postgres"


def test_our_own_drivers_may_be_named_in_the_scheme():
    assert storage.db._parse_url("postgresql+asyncpg://u@h/db").url == "postgresql://u@h/db"
    assert storage.db._parse_url("sqlite+aiosqlite:///:memory:").path is None
    for other in ("postgresql+psycopg2://u@h/db", "sqlite+pysqlite:///x.sqlite3"):
        with pytest.raises(ConfigError):
            storage.db._parse_url(other)


async def test_sqlite_is_set_up_for_concurrency(tmp_path):
    path = tmp_path / "nested" / "dir" / "coop.sqlite3"
    async with await Database.connect(f"sqlite:///{path}", busy_timeout=2.5) as db:
        assert db.dialect == "sqlite"
        assert path.exists()
        assert await db.fetchval("PRAGMA journal_mode") == "wal"
        assert await db.fetchval("PRAGMA foreign_keys") == 1
        assert await db.fetchval("PRAGMA busy_timeout") == 2500
        assert await db.fetchval("PRAGMA synchronous") == 1  # NORMAL: WAL's recommended level


async def test_closed_database_refuses_work_and_closes_twice(scratch):
    db = await scratch.connect()
    await db.close()
    await db.close()
    with pytest.raises(StorageError, match="closed"):
        await db.fetchval("SELECT 1")
    with pytest.raises(StorageError, match="closed"):
        async with db.transaction():
            pass


@pytest.mark.postgres
@pytest.mark.parametrize("noticed", [False, True], ids=["at-next-query", "noticed-first"])
async def test_a_dropped_server_connection_is_a_connect_error_and_the_pool_recovers(noticed):
    async with scratch_database(POSTGRES_TEST_URL) as place:
        db = await place.connect(min_size=1, max_size=1)
        admin = await place.connect()
        with pytest.raises(ConnectError, match="lost"):
            async with db.transaction() as tx:
                pid = await tx.fetchval("SELECT pg_backend_pid()")
                await admin.execute("SELECT pg_terminate_backend($1)", pid)
                if noticed:  # give asyncpg time to see the socket close and detach the proxy
                    for _ in range(100):
                        if tx._conn._con is None:
                            break
                        await asyncio.sleep(0.01)
                    assert tx._conn._con is None
                await tx.fetchval("SELECT 1")
        assert await db.fetchval("SELECT 1") == 1  # the next turn gets a fresh connection


# --------------------------------------------------------------------------- PostgreSQL session reset


async def _backend_query(marker: str) -> tuple[str, str]:
    """The last query and state of the server backend whose last query named ``marker``."""
    import asyncpg

    conn = await asyncpg.connect(POSTGRES_TEST_URL)
    try:
        row = await conn.fetchrow("SELECT query, state FROM pg_stat_activity WHERE query LIKE $1 AND pid <> pg_backend_pid()",
                                  f"%{marker}%")
        return (row["query"], row["state"]) if row else ("", "")
    finally:
        await conn.close()


async def test_a_pooled_statement_costs_no_reset_round_trip_and_a_transaction_left_open_still_rolls_back():
    async with scratch_database(POSTGRES_TEST_URL) as place:
        db = await place.connect(min_size=1, max_size=1)
        try:
            marker = "marker_" + uuid.uuid4().hex[:8]
            await db.execute(f"CREATE TABLE {marker} (id INTEGER PRIMARY KEY)")
            await db.fetchval(f"SELECT count(*) /* {marker} */ FROM {marker}")
            query, state = await _backend_query(marker)
            # asyncpg's default reset would be the backend's last query ("SELECT pg_advisory_unlock_all() ...")
            assert query.startswith("SELECT count(*)") and state == "idle"
            conn = await db._pool.acquire()  # noqa: SLF001 - a transaction left open on release
            await conn.execute("BEGIN")
            await conn.execute(f"INSERT INTO {marker} VALUES (1)")
            await db._pool.release(conn)  # noqa: SLF001
            assert await db.fetchval(f"SELECT count(*) FROM {marker}") == 0
        finally:
            await db.close()


async def test_the_advisory_lock_connection_is_reset_before_it_is_reused():
    async with scratch_database(POSTGRES_TEST_URL) as place:
        db = await place.connect(min_size=1, max_size=1)
        other = await place.connect(min_size=1, max_size=1)
        async with db.advisory_lock("job") as held:
            assert held
            async with other.advisory_lock("job") as also:
                assert not also  # held by the first
        async with other.advisory_lock("job") as now:
            assert now  # released at the end of the block
        query, _ = await _backend_query("pg_advisory_unlock_all")
        assert "RESET ALL" in query  # the full reset ran on the lock's connection


# --------------------------------------------------------------------------- SQLite on the loop's thread


async def test_sqlite_statements_run_on_the_loop_thread_and_pragmas_and_transactions_in_aiosqlites(tmp_path, monkeypatch):
    handed = []
    real = storage.db._sqlite_run

    async def counting(conn, sql, args, how):
        handed.append(sql)
        return await real(conn, sql, args, how)

    async with await Database.connect(f"sqlite:///{tmp_path / 'inline.sqlite3'}", busy_timeout=2.5) as db:
        monkeypatch.setattr(storage.db, "_sqlite_run", counting)
        await make_table(db)
        await db.execute("INSERT INTO items (id, label) VALUES ($1, $2)", 1, "one")
        assert await db.fetch("SELECT id, label FROM items") == [{"id": 1, "label": "one"}]
        assert handed == []  # no hand-off to the thread
        assert await db.fetchval("PRAGMA busy_timeout") == 2500  # the thread's connection, as configured
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO items (id, label) VALUES ($1, $2)", 2, "two")
        assert "BEGIN IMMEDIATE" in handed and "COMMIT" in handed
        assert await db.fetchval("SELECT count(*) FROM items") == 2  # the loop's connection sees the thread's commit
        with pytest.raises(IntegrityError):
            await db.execute("INSERT INTO items (id, label) VALUES ($1, $2)", 1, "again")
        with pytest.raises(QueryError, match="no such table"):
            await db.fetch("SELECT * FROM nowhere")


async def test_a_statement_meeting_another_processes_write_lock_waits_in_the_thread_not_on_the_loop(tmp_path):
    import sqlite3

    path = tmp_path / "locked.sqlite3"
    async with await Database.connect(f"sqlite:///{path}", busy_timeout=5) as db:
        await make_table(db)
        other = sqlite3.connect(path, isolation_level=None)  # stands in for another process
        other.execute("BEGIN IMMEDIATE")
        other.execute("INSERT INTO items (id, label) VALUES (1, 'other')")
        write = asyncio.create_task(db.execute("INSERT INTO items (id, label) VALUES ($1, $2)", 2, "ours"))
        ticks = 0
        for _ in range(10):  # the loop keeps running while our write waits for the lock
            await asyncio.sleep(0.02)
            ticks += 1
        assert ticks == 10 and not write.done()
        other.execute("COMMIT")
        other.close()
        assert await write == 1
        assert await db.fetch("SELECT id FROM items ORDER BY id") == [{"id": 1}, {"id": 2}]


async def test_an_in_memory_database_keeps_every_statement_on_its_one_connection():
    async with await Database.connect("sqlite:///:memory:") as db:
        assert db._inline is None  # noqa: SLF001 - a second connection would be another database
        await make_table(db)
        await db.execute("INSERT INTO items (id, label) VALUES ($1, $2)", 1, "one")
        assert await db.fetchval("SELECT label FROM items") == "one"


async def test_a_postgresql_session_runs_its_statements_on_one_connection_and_gives_it_back():
    async with scratch_database(POSTGRES_TEST_URL) as place:
        db = await place.connect(min_size=2, max_size=2)
        await make_table(db)
        outside = {await db.fetchval("SELECT pg_backend_pid()") for _ in range(4)}
        async with db.session():
            pid = await db.fetchval("SELECT pg_backend_pid()")
            assert db._pool.get_idle_size() == db._pool.get_size() - 1  # noqa: SLF001 - one taken
            await db.execute("INSERT INTO items (id, label) VALUES ($1, $2)", 1, "one")
            assert await db.fetchval("SELECT pg_backend_pid()") == pid
            with pytest.raises(QueryError):
                await db.fetch("SELECT * FROM nowhere")
            assert await db.fetchval("SELECT count(*) FROM items") == 1  # a fresh connection after the failure
            # a task started inside does not share the connection (two statements at once would fail)
            other = await asyncio.gather(db.fetchval("SELECT pg_backend_pid()"),
                                         asyncio.create_task(db.fetchval("SELECT pg_sleep(0.05)::text || pg_backend_pid()")))
            assert other[0] and other[1]
            async with db.transaction() as tx:  # a transaction takes its own connection
                await tx.execute("INSERT INTO items (id, label) VALUES ($1, $2)", 2, "two")
        assert db._pool.get_idle_size() == db._pool.get_size()  # noqa: SLF001 - all given back
        assert await db.fetchval("SELECT count(*) FROM items") == 2
        assert outside


async def test_a_sqlite_session_changes_nothing(tmp_path):
    async with await Database.connect(f"sqlite:///{tmp_path / 's.sqlite3'}") as db:
        await make_table(db)
        async with db.session():
            await db.execute("INSERT INTO items (id, label) VALUES ($1, $2)", 1, "one")
        assert await db.fetchval("SELECT count(*) FROM items") == 1
