"""The support desk's tables: sessions, pending sign-ins and batch jobs (SQLite or PostgreSQL).

Nothing secret is stored in clear: sessions and pending sign-ins are keyed by the SHA-256 of
the random value in the browser's cookie; users by a hashed id (:func:`user_hash`).
Times are integer seconds since the epoch.
"""
from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import Any

from storage import Database

MIGRATION_NAME = "support"
MIGRATIONS = [
    "CREATE TABLE support_sessions ("
    " key_hash TEXT PRIMARY KEY,"
    " user_hash TEXT NOT NULL,"
    " display_name TEXT NOT NULL,"
    " csrf TEXT NOT NULL,"
    " created_at BIGINT NOT NULL,"
    " expires_at BIGINT NOT NULL)",
    "CREATE TABLE support_logins ("
    " key_hash TEXT PRIMARY KEY,"
    " state TEXT NOT NULL,"
    " verifier TEXT NOT NULL,"
    " nonce TEXT NOT NULL,"
    " return_to TEXT NOT NULL,"
    " expires_at BIGINT NOT NULL)",
    "CREATE TABLE support_jobs ("
    " id TEXT PRIMARY KEY,"
    " owner_hash TEXT NOT NULL,"
    " status TEXT NOT NULL,"  # queued | running | done | failed
    " fmt TEXT NOT NULL,"
    " filename TEXT NOT NULL,"
    " lang TEXT,"
    " today TEXT NOT NULL,"
    " total INTEGER,"
    " done INTEGER NOT NULL DEFAULT 0,"
    " failed INTEGER NOT NULL DEFAULT 0,"
    " out_offset BIGINT NOT NULL DEFAULT 0,"
    " error TEXT,"
    " resumed INTEGER NOT NULL DEFAULT 0,"
    " lease_owner TEXT,"
    " lease_until BIGINT NOT NULL DEFAULT 0,"
    " created_at BIGINT NOT NULL,"
    " updated_at BIGINT NOT NULL)",
    "CREATE INDEX support_jobs_owner ON support_jobs (owner_hash, created_at)",
    # the upload's size, so that a user's quota is a sum over the table (with out_offset)
    "ALTER TABLE support_jobs ADD COLUMN in_bytes BIGINT NOT NULL DEFAULT 0",
]

SESSION_SECONDS = 8 * 3600
LOGIN_SECONDS = 10 * 60
# Pending sign-ins kept at most (the oldest go first): ``GET /support/login`` is open to anyone,
# so besides its rate limit per address and the 10-minute expiry, the table has a ceiling.
MAX_PENDING_LOGINS = 10_000
JOB_COLUMNS = ("id, owner_hash, status, fmt, filename, lang, today, total, done, failed, "
               "out_offset, error, resumed, lease_owner, lease_until, created_at, updated_at")


def now() -> int:
    return int(time.time())


def key_hash(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def user_hash(issuer: str, subject: str) -> str:
    """A stable pseudonymous id for logs and job ownership (never the user's name or id).

    >>> user_hash("https://login.example/t/v2.0", "oid-1") == user_hash("https://login.example/t/v2.0", "oid-1")
    True
    >>> len(user_hash("i", "s"))
    16
    """
    return hashlib.sha256(f"support-user\0{issuer}\0{subject}".encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Session:
    user_hash: str
    display_name: str
    csrf: str
    expires_at: int


@dataclass(frozen=True)
class Login:
    state: str
    verifier: str
    nonce: str
    return_to: str


async def migrate(db: Database) -> None:
    await db.migrate(MIGRATION_NAME, MIGRATIONS)


# --- sessions ----------------------------------------------------------------------------------


async def create_session(db: Database, user: str, display_name: str,
                         seconds: int = SESSION_SECONDS) -> tuple[str, Session]:
    """A new session; returns (the cookie's random value, the session)."""
    cookie = secrets.token_urlsafe(32)
    session = Session(user, display_name, secrets.token_urlsafe(32), now() + seconds)
    await db.execute("DELETE FROM support_sessions WHERE expires_at <= $1", now())
    await db.execute("INSERT INTO support_sessions (key_hash, user_hash, display_name, csrf, "
                     "created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
                     key_hash(cookie), user, display_name, session.csrf, now(), session.expires_at)
    return cookie, session


async def get_session(db: Database, cookie: str) -> Session | None:
    row = await db.fetchrow("SELECT user_hash, display_name, csrf, expires_at FROM support_sessions "
                            "WHERE key_hash = $1 AND expires_at > $2", key_hash(cookie), now())
    return Session(**row) if row else None


async def delete_session(db: Database, cookie: str) -> None:
    await db.execute("DELETE FROM support_sessions WHERE key_hash = $1", key_hash(cookie))


async def purge_expired(db: Database) -> None:
    await db.execute("DELETE FROM support_sessions WHERE expires_at <= $1", now())
    await db.execute("DELETE FROM support_logins WHERE expires_at <= $1", now())


# --- pending sign-ins --------------------------------------------------------------------------


async def create_login(db: Database, login: Login) -> str:
    """Store a pending sign-in (expired ones are purged first, and beyond
    :data:`MAX_PENDING_LOGINS` the oldest are dropped); returns the cookie's random value."""
    cookie = secrets.token_urlsafe(32)
    t = now()
    async with db.transaction() as tx:
        await tx.execute("DELETE FROM support_logins WHERE expires_at <= $1", t)
        await tx.execute("INSERT INTO support_logins (key_hash, state, verifier, nonce, return_to, "
                         "expires_at) VALUES ($1, $2, $3, $4, $5, $6)", key_hash(cookie),
                         login.state, login.verifier, login.nonce, login.return_to,
                         t + LOGIN_SECONDS)
        # the newest first (same second: the one just made first), everything past the cap goes
        await tx.execute(
            "DELETE FROM support_logins WHERE key_hash IN (SELECT key_hash FROM support_logins "
            "ORDER BY expires_at DESC, key_hash = $2 DESC, key_hash LIMIT 1000000000 OFFSET $1)",
            MAX_PENDING_LOGINS, key_hash(cookie))
    return cookie


async def take_login(db: Database, cookie: str) -> Login | None:
    """The pending sign-in of this browser, used once (deleted as it is read)."""
    async with db.transaction() as tx:
        row = await tx.fetchrow("SELECT state, verifier, nonce, return_to FROM support_logins "
                                "WHERE key_hash = $1 AND expires_at > $2", key_hash(cookie), now())
        await tx.execute("DELETE FROM support_logins WHERE key_hash = $1", key_hash(cookie))
    return Login(**row) if row else None


# --- jobs --------------------------------------------------------------------------------------


async def create_job(db: Database, *, job_id: str, owner: str, fmt: str, filename: str,
                     lang: str | None, today: str, in_bytes: int = 0) -> None:
    t = now()
    await db.execute("INSERT INTO support_jobs (id, owner_hash, status, fmt, filename, lang, today, "
                     "created_at, updated_at, in_bytes) "
                     "VALUES ($1, $2, 'queued', $3, $4, $5, $6, $7, $7, $8)",
                     job_id, owner, fmt, filename, lang, today, t, in_bytes)


async def used_bytes(db: Database, owner: str) -> int:
    """What a user's exports take in the jobs folder: the uploads and the results so far."""
    row = await db.fetchrow("SELECT COALESCE(SUM(in_bytes + out_offset), 0) AS n FROM support_jobs "
                            "WHERE owner_hash = $1", owner)
    return int(row["n"]) if row else 0


async def finished_before(db: Database, before: int) -> list[str]:
    """Jobs done or failed before ``before`` (epoch seconds): the retention job's to delete."""
    rows = await db.fetch("SELECT id FROM support_jobs WHERE status IN ('done', 'failed') "
                          "AND updated_at < $1", before)
    return [row["id"] for row in rows]


async def delete_job(db: Database, job_id: str) -> None:
    await db.execute("DELETE FROM support_jobs WHERE id = $1", job_id)


async def get_job(db: Database, job_id: str) -> dict[str, Any] | None:
    return await db.fetchrow(f"SELECT {JOB_COLUMNS} FROM support_jobs WHERE id = $1", job_id)


async def list_jobs(db: Database, owner: str, limit: int = 20) -> list[dict[str, Any]]:
    return await db.fetch(f"SELECT {JOB_COLUMNS} FROM support_jobs WHERE owner_hash = $1 "
                          "ORDER BY created_at DESC, id LIMIT $2", owner, limit)


async def claim_job(db: Database, job_id: str, worker: str, lease_seconds: int) -> bool:
    """Take the job's lease: a queued job, or a running one whose worker stopped renewing."""
    t = now()
    changed = await db.execute(
        "UPDATE support_jobs SET status = 'running', lease_owner = $2, lease_until = $3, "
        "resumed = resumed + CASE WHEN status = 'running' OR done > 0 THEN 1 ELSE 0 END, "
        "updated_at = $4 WHERE id = $1 AND (status = 'queued' OR "
        "(status = 'running' AND lease_until < $4))", job_id, worker, t + lease_seconds, t)
    return changed == 1


async def resumable_jobs(db: Database) -> list[str]:
    rows = await db.fetch("SELECT id FROM support_jobs WHERE status = 'queued' OR "
                          "(status = 'running' AND lease_until < $1) ORDER BY created_at", now())
    return [row["id"] for row in rows]


async def checkpoint(db: Database, job_id: str, worker: str, *, total: int | None, done: int,
                     failed: int, out_offset: int, lease_seconds: int) -> bool:
    """Record progress and renew the lease; False when the lease was lost to another worker."""
    t = now()
    changed = await db.execute(
        "UPDATE support_jobs SET total = $3, done = $4, failed = $5, out_offset = $6, "
        "lease_until = $7, updated_at = $8 WHERE id = $1 AND lease_owner = $2 AND status = 'running'",
        job_id, worker, total, done, failed, out_offset, t + lease_seconds, t)
    return changed == 1


async def finish_job(db: Database, job_id: str, worker: str, *, status: str,
                     error: str | None = None) -> None:
    await db.execute("UPDATE support_jobs SET status = $3, error = $4, lease_owner = NULL, "
                     "lease_until = 0, updated_at = $5 WHERE id = $1 AND lease_owner = $2",
                     job_id, worker, status, error, now())


async def release_job(db: Database, job_id: str, worker: str) -> None:
    """Stop working on a job without finishing it (shutdown): it goes back to the queue, and the
    next instance to start resumes it from its last checkpoint at once."""
    await db.execute("UPDATE support_jobs SET status = 'queued', lease_owner = NULL, lease_until = 0, "
                     "updated_at = $3 WHERE id = $1 AND lease_owner = $2 AND status = 'running'",
                     job_id, worker, now())
