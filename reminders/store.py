"""Subscriptions, calendar tokens, the delivery ledger and the sweep log, on ``storage.db``.

One SQL text serves SQLite and PostgreSQL (``$n`` placeholders, ISO dates as text, booleans
as 0/1, ids as text). Tables (migration ``reminders``):

- ``reminder_subscriptions``: one row per (user, conversation) (unique): reminders asked for in
  the personal chat go there, reminders asked for in a channel go to that channel (with an
  @mention of ``user_name``), and one never replaces the other. Each row holds its
  conversation reference (JSON, refreshed on every turn, NULL once removed), the
  conversation's type, language/locale, ``active`` and why it stopped, and ``swept_through``:
  the last day whose due reminders are already in the ledger for this subscription.
  (Migration versions 8-19 move the old one-row-per-user table to this key, keeping every
  row and its ledger.)
- ``reminder_ledger``: one row per (subscription, reminder key). ``pending`` → ``in_flight``
  (claimed by one sweeper, with a lease) → ``sent`` | ``failed`` | ``skipped``. A row is
  written before its message is sent and marked after, so a crash leaves only ``in_flight``
  rows, which a later sweep re-sends once their lease has expired.
- ``reminder_calendar_tokens``: the unguessable per-user token of the calendar subscription
  (``webcal://``) feed; :func:`rotate_calendar_token` replaces it (the old link stops
  working), :func:`revoke_calendar_token` and :func:`forget_user` delete it.
- ``reminder_sweeps``: one row per sweep run (as-of day, counts).

User and conversation ids are stored (and looked up) as ``storage.keys.bounded_key`` of the
id: over-long ids become a prefix plus a SHA-256, so the indexes never refuse them; the
conversation reference keeps the real id, which is what a reminder is sent to.
"""
from __future__ import annotations

import json
import logging
import secrets
import time
import uuid
import weakref
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any, Iterable, Optional

from core.redact import log_id
from understanding import registry
from storage.db import Database
from storage.keys import bounded_key

from .schedule import KINDS, ReminderItem, Schedule, urgent_reminders

logger = logging.getLogger(__name__)

LEDGER_INSERT_ROWS = 300  # rows per multi-row INSERT (9 parameters a row)

MIGRATION_NAME = "reminders"
MIGRATIONS = [
    """CREATE TABLE reminder_subscriptions (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL UNIQUE,
        conversation_id TEXT NOT NULL,
        tenant_id TEXT NOT NULL DEFAULT '',
        service_url TEXT NOT NULL DEFAULT '',
        reference TEXT,
        lang TEXT NOT NULL DEFAULT 'en',
        locale TEXT,
        tz TEXT,
        active INTEGER NOT NULL DEFAULT 1,
        swept_through TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        deactivated_at TEXT,
        deactivated_reason TEXT)""",
    "CREATE INDEX reminder_subscriptions_conversation ON reminder_subscriptions (conversation_id)",
    "CREATE INDEX reminder_subscriptions_active ON reminder_subscriptions (active, swept_through)",
    """CREATE TABLE reminder_ledger (
        subscription_id TEXT NOT NULL REFERENCES reminder_subscriptions (id) ON DELETE CASCADE,
        reminder_key TEXT NOT NULL,
        kind TEXT NOT NULL,
        offset_days INTEGER NOT NULL,
        cycle TEXT NOT NULL,
        grp TEXT NOT NULL,
        due_date TEXT NOT NULL,
        deadline TEXT NOT NULL,
        planned_for TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending'
            CHECK (state IN ('pending', 'in_flight', 'sent', 'failed', 'skipped')),
        lease_owner TEXT,
        lease_until DOUBLE PRECISION,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        sent_at TEXT,
        PRIMARY KEY (subscription_id, reminder_key))""",
    "CREATE INDEX reminder_ledger_state ON reminder_ledger (state, subscription_id)",
    """CREATE TABLE reminder_calendar_tokens (
        user_id TEXT PRIMARY KEY,
        token TEXT NOT NULL UNIQUE,
        lang TEXT NOT NULL DEFAULT 'en',
        locale TEXT,
        created_at TEXT NOT NULL)""",
    """CREATE TABLE reminder_sweeps (
        id TEXT PRIMARY KEY,
        as_of TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        sent INTEGER NOT NULL DEFAULT 0,
        skipped INTEGER NOT NULL DEFAULT 0,
        failed INTEGER NOT NULL DEFAULT 0,
        deactivated INTEGER NOT NULL DEFAULT 0)""",
    # v8-v19: a subscription per (user, conversation) instead of per user. One SQL text for
    # SQLite and PostgreSQL: rebuild both tables (SQLite cannot drop a UNIQUE constraint; the
    # ledger is copied first so dropping the old table cascades into nothing), then rename.
    """CREATE TABLE reminder_subscriptions_v2 (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL,
        conversation_id TEXT NOT NULL,
        conversation_type TEXT NOT NULL DEFAULT '',
        user_name TEXT NOT NULL DEFAULT '',
        tenant_id TEXT NOT NULL DEFAULT '',
        service_url TEXT NOT NULL DEFAULT '',
        reference TEXT,
        lang TEXT NOT NULL DEFAULT 'en',
        locale TEXT,
        tz TEXT,
        active INTEGER NOT NULL DEFAULT 1,
        swept_through TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        deactivated_at TEXT,
        deactivated_reason TEXT,
        UNIQUE (user_id, conversation_id))""",
    """INSERT INTO reminder_subscriptions_v2 (id, user_id, conversation_id, tenant_id, service_url,
           reference, lang, locale, tz, active, swept_through, created_at, updated_at,
           deactivated_at, deactivated_reason)
       SELECT id, user_id, conversation_id, tenant_id, service_url, reference, lang, locale, tz,
              active, swept_through, created_at, updated_at, deactivated_at, deactivated_reason
       FROM reminder_subscriptions""",
    """CREATE TABLE reminder_ledger_v2 (
        subscription_id TEXT NOT NULL REFERENCES reminder_subscriptions_v2 (id) ON DELETE CASCADE,
        reminder_key TEXT NOT NULL,
        kind TEXT NOT NULL,
        offset_days INTEGER NOT NULL,
        cycle TEXT NOT NULL,
        grp TEXT NOT NULL,
        due_date TEXT NOT NULL,
        deadline TEXT NOT NULL,
        planned_for TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending'
            CHECK (state IN ('pending', 'in_flight', 'sent', 'failed', 'skipped')),
        lease_owner TEXT,
        lease_until DOUBLE PRECISION,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        sent_at TEXT,
        PRIMARY KEY (subscription_id, reminder_key))""",
    """INSERT INTO reminder_ledger_v2 (subscription_id, reminder_key, kind, offset_days, cycle, grp,
           due_date, deadline, planned_for, state, lease_owner, lease_until, attempts, last_error,
           created_at, updated_at, sent_at)
       SELECT subscription_id, reminder_key, kind, offset_days, cycle, grp, due_date, deadline,
              planned_for, state, lease_owner, lease_until, attempts, last_error, created_at,
              updated_at, sent_at
       FROM reminder_ledger""",
    "DROP TABLE reminder_ledger",
    "DROP TABLE reminder_subscriptions",
    "ALTER TABLE reminder_subscriptions_v2 RENAME TO reminder_subscriptions",
    "ALTER TABLE reminder_ledger_v2 RENAME TO reminder_ledger",
    "CREATE INDEX reminder_subscriptions_conversation ON reminder_subscriptions (conversation_id)",
    "CREATE INDEX reminder_subscriptions_active ON reminder_subscriptions (active, swept_through)",
    "CREATE INDEX reminder_subscriptions_user ON reminder_subscriptions (user_id)",
    "CREATE INDEX reminder_ledger_state ON reminder_ledger (state, subscription_id)",
    # v24: a subscription made by tracking a plan's activity (reminders.plans.track_plan)
    # carries only the plan's reminders; "remind me" sets it to 1 (the cycles' reminders too)
    "ALTER TABLE reminder_subscriptions ADD COLUMN cycle_reminders INTEGER NOT NULL DEFAULT 1",
]

# Conversation types (Teams' conversationType; derived from the id for rows stored before v8).
PERSONAL, CHANNEL, GROUP_CHAT = "personal", "channel", "groupChat"

# Why a subscription stopped.
REASON_USER = "user"                      # "stop reminders"
REASON_UNINSTALLED = "uninstalled"        # conversationUpdate / installationUpdate remove
REASON_BLOCKED = "ConversationBlockedByUser"
REASON_NOT_IN_ROSTER = "BotNotInConversationRoster"
REASON_NOT_FOUND = "NotFound"             # Teams answered 404 for the conversation


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


async def migrate(db: Database) -> list[int]:
    """Create or update the reminder tables (idempotent; safe from several processes), and
    the planner's, whose activities and budgets the sweep reads (``reminders.plans``)."""
    from planner import store as planner_store

    applied = await db.migrate(MIGRATION_NAME, MIGRATIONS)
    await planner_store.migrate(db)
    _MIGRATED.add(db)
    return applied


_MIGRATED: "weakref.WeakSet[Database]" = weakref.WeakSet()


async def ensure_schema(db: Database) -> None:
    """:func:`migrate` once per ``Database`` object. The product no longer calls it: the
    schema is made by ``python app.py migrate`` and checked at start-up."""
    if db not in _MIGRATED:
        await migrate(db)


# --------------------------------------------------------------------------- subscriptions


def conversation_type_of(conversation_id: str, reference: Optional[dict] = None) -> str:
    """``personal`` | ``channel`` | ``groupChat``: the reference's ``conversationType`` when
    it has one, else from the shape of a Teams conversation id.

    >>> conversation_type_of("a:1xyz"), conversation_type_of("19:abc@thread.tacv2")
    ('personal', 'channel')
    >>> conversation_type_of("19:abc@thread.v2")
    'groupChat'
    """
    conversation = (reference or {}).get("conversation") or {}
    kind = conversation.get("conversationType") or conversation.get("conversation_type")
    if kind in (PERSONAL, CHANNEL, GROUP_CHAT):
        return kind
    if conversation_id.startswith("19:"):
        return CHANNEL if "@thread.tacv2" in conversation_id or "@thread.skype" in conversation_id \
            else GROUP_CHAT
    return PERSONAL


@dataclass(frozen=True)
class Subscription:
    id: str
    user_id: str
    conversation_id: str
    tenant_id: str
    service_url: str
    reference: Optional[dict]
    lang: str
    locale: Optional[str]
    tz: Optional[str]
    active: bool
    swept_through: date
    created_at: str
    updated_at: str
    deactivated_at: Optional[str]
    deactivated_reason: Optional[str]
    conversation_type: str = PERSONAL
    user_name: str = ""
    cycle_reminders: bool = True  # False: made by tracking a plan, carries only its reminders

    @property
    def personal(self) -> bool:
        return self.conversation_type == PERSONAL

    @classmethod
    def from_row(cls, row: dict) -> "Subscription":
        reference = json.loads(row["reference"]) if row["reference"] else None
        return cls(
            id=row["id"], user_id=row["user_id"], conversation_id=row["conversation_id"],
            tenant_id=row["tenant_id"], service_url=row["service_url"], reference=reference,
            lang=row["lang"], locale=row["locale"], tz=row["tz"], active=bool(row["active"]),
            swept_through=date.fromisoformat(row["swept_through"]),
            created_at=row["created_at"], updated_at=row["updated_at"],
            deactivated_at=row["deactivated_at"], deactivated_reason=row["deactivated_reason"],
            conversation_type=row.get("conversation_type")
            or conversation_type_of(row["conversation_id"], reference),
            user_name=row.get("user_name") or "",
            cycle_reminders=bool(row.get("cycle_reminders", 1)))


def normalize_reference(reference: dict) -> dict:
    """The reference as stored: without the id of the message it was taken from (that changes
    every turn, and a reminder is a new message, not a reply to an old one)."""
    out = {k: v for k, v in reference.items() if v is not None and k not in ("activityId", "activity_id")}
    return out


def reference_fields(reference: dict) -> tuple[str, str, str]:
    """(conversation id, tenant id, service url) of a serialized ``ConversationReference``."""
    conversation = reference.get("conversation") or {}
    conversation_id = conversation.get("id") or ""
    tenant_id = conversation.get("tenantId") or conversation.get("tenant_id") or ""
    service_url = reference.get("serviceUrl") or reference.get("service_url") or ""
    if not conversation_id or not service_url:
        raise ValueError("a conversation reference needs conversation.id and serviceUrl")
    return conversation_id, tenant_id, service_url


async def subscribe(db: Database, *, user_id: str, reference: dict, lang: str = registry.DEFAULT,
                    locale: Optional[str] = None, tz: Optional[str] = None,
                    today: date, conversation_type: Optional[str] = None,
                    user_name: Optional[str] = None) -> Subscription:
    """Opt ``user_id`` in for the conversation of ``reference``.

    ``reference`` is ``TurnContext.get_conversation_reference(activity).serialize()`` (a dict with
    ``conversation.id``, ``conversation.tenantId``, ``serviceUrl``...). One subscription per
    (user, conversation): opting in in a channel adds the channel's and leaves the personal
    one alone. Subscribing again in the same conversation changes nothing but the stored
    reference and language (idempotent); an inactive one is re-activated and starts from
    ``today`` (reminders due today or later; nothing older). ``user_name`` is what a channel
    reminder @mentions.
    """
    reference = normalize_reference(reference)
    conversation_id, tenant_id, service_url = reference_fields(reference)
    kind = conversation_type or conversation_type_of(conversation_id, reference)
    conversation_key, user_key = bounded_key(conversation_id), bounded_key(user_id)
    now = _now()
    start = (today - timedelta(days=1)).isoformat()
    await db.execute(
        """INSERT INTO reminder_subscriptions
               (id, user_id, conversation_id, conversation_type, user_name, tenant_id, service_url,
                reference, lang, locale, tz, active, swept_through, created_at, updated_at,
                cycle_reminders)
           VALUES ($1, $2, $3, $12, $13, $4, $5, $6, $7, $8, $9, 1, $10, $11, $11, 1)
           ON CONFLICT (user_id, conversation_id) DO UPDATE SET
               cycle_reminders = 1,
               tenant_id = excluded.tenant_id, conversation_type = excluded.conversation_type,
               user_name = CASE WHEN excluded.user_name = '' THEN reminder_subscriptions.user_name
                                ELSE excluded.user_name END,
               service_url = excluded.service_url, reference = excluded.reference,
               lang = excluded.lang, locale = excluded.locale, tz = excluded.tz,
               swept_through = CASE WHEN reminder_subscriptions.active = 1
                                    THEN reminder_subscriptions.swept_through
                                    ELSE excluded.swept_through END,
               active = 1, deactivated_at = NULL, deactivated_reason = NULL,
               updated_at = excluded.updated_at""",
        uuid.uuid4().hex, user_key, conversation_key, tenant_id, service_url,
        json.dumps(reference, sort_keys=True), lang, locale, tz, start, now, kind, user_name or "")
    sub = await get_subscription(db, user_id, conversation_id)
    assert sub is not None
    urgent = await plan_urgent(db, sub.id, today)
    logger.info("reminders: %s subscribed (%s conversation %s; %d urgent reminders)", sub.id, kind,
                log_id(conversation_id), urgent)
    return sub


async def waiting_kinds(db: Database, user_id: str, as_of: date) -> set[str]:
    """The kinds of the user's reminders that the next sweep (for ``as_of``) sends: ledger
    rows still pending or in flight, their deadline not past."""
    rows = await db.fetch(
        """SELECT DISTINCT l.kind FROM reminder_ledger l
           JOIN reminder_subscriptions s ON s.id = l.subscription_id
           WHERE s.user_id = $1 AND s.active = 1 AND l.state IN ('pending', 'in_flight')
             AND l.deadline >= $2""", bounded_key(user_id), as_of.isoformat())
    return {r["kind"] for r in rows if r["kind"] in KINDS}  # a plan's reminders are the plan's


async def ensure_plan_subscription(db: Database, *, user_id: str, reference: dict, today: date,
                                   lang: str = registry.DEFAULT, locale: Optional[str] = None,
                                   tz: Optional[str] = None, conversation_type: Optional[str] = None,
                                   user_name: Optional[str] = None) -> bool:
    """A subscription of ``user_id`` in the conversation of ``reference`` that carries only a
    plan's reminders (``cycle_reminders = 0``), unless one exists (active or stopped: left as
    it is). True when one was made (``reminders.plans.track_plan``)."""
    reference = normalize_reference(reference)
    conversation_id, tenant_id, service_url = reference_fields(reference)
    kind = conversation_type or conversation_type_of(conversation_id, reference)
    now = _now()
    made = await db.execute(
        """INSERT INTO reminder_subscriptions
               (id, user_id, conversation_id, conversation_type, user_name, tenant_id, service_url,
                reference, lang, locale, tz, active, swept_through, created_at, updated_at,
                cycle_reminders)
           VALUES ($1, $2, $3, $12, $13, $4, $5, $6, $7, $8, $9, 1, $10, $11, $11, 0)
           ON CONFLICT (user_id, conversation_id) DO NOTHING""",
        uuid.uuid4().hex, bounded_key(user_id), bounded_key(conversation_id), tenant_id, service_url,
        json.dumps(reference, sort_keys=True), lang, locale, tz,
        (today - timedelta(days=1)).isoformat(), now, kind, user_name or "")
    if made:
        logger.info("reminders: a plan's reminders now go to %s conversation %s", kind,
                    log_id(conversation_id))
    return made > 0


async def subscription_rows(db: Database, subscription_ids: Iterable[str]) -> list[dict]:
    """``id, user_id, conversation_id, conversation_type, cycle_reminders`` of some subscriptions."""
    ids = list(dict.fromkeys(subscription_ids))
    out: list[dict] = []
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ", ".join(f"${i + 1}" for i in range(len(chunk)))
        out += await db.fetch(
            f"""SELECT id, user_id, conversation_id, conversation_type, cycle_reminders
                FROM reminder_subscriptions WHERE id IN ({marks})""", *chunk)
    return out


async def earliest_active(db: Database, conversation_ids: Iterable[str]) -> dict[str, str]:
    """The earliest active subscription (by creation, then id) of each conversation: the one
    that carries what a shared plan has for nobody in particular (``reminders.plans``)."""
    ids = list(dict.fromkeys(conversation_ids))
    out: dict[str, str] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ", ".join(f"${i + 1}" for i in range(len(chunk)))
        rows = await db.fetch(
            f"""SELECT id, conversation_id FROM reminder_subscriptions
                WHERE active = 1 AND conversation_id IN ({marks})
                ORDER BY conversation_id, created_at, id""", *chunk)
        for r in rows:
            out.setdefault(r["conversation_id"], r["id"])
    return out


async def plan_urgent(db: Database, subscription_id: str, today: date,
                      schedule: Optional[Schedule] = None) -> int:
    """Write the ledger rows of the deadlines still ahead whose usual notice has passed
    (:func:`reminders.schedule.urgent_reminders`: funds forfeited in 24 days, the forfeiture
    reminder being 30 days ahead), ``pending`` for the next sweep to send. The ledger's key
    refuses a second row for the same reminder: subscribing again, or a subscriber the sweeps
    already reminded, changes nothing. Returns how many rows were written."""
    items = urgent_reminders(today, schedule=schedule)
    now = _now()
    written = 0
    for item in items:
        written += await db.execute(
            """INSERT INTO reminder_ledger (subscription_id, reminder_key, kind, offset_days, cycle,
                   grp, due_date, deadline, planned_for, state, created_at, updated_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', $10, $10)
               ON CONFLICT (subscription_id, reminder_key) DO NOTHING""",
            subscription_id, item.key, item.kind, item.offset, item.cycle_label, item.group,
            item.due_date.isoformat(), item.deadline.isoformat(), today.isoformat(), now)
    return written


async def get_subscription(db: Database, user_id: str,
                           conversation_id: Optional[str] = None) -> Optional[Subscription]:
    """The user's subscription in ``conversation_id``; without one, the user's personal
    subscription if any, else their most recently changed one."""
    if conversation_id is not None:
        row = await db.fetchrow("SELECT * FROM reminder_subscriptions WHERE user_id = $1 "
                                "AND conversation_id = $2", bounded_key(user_id), bounded_key(conversation_id))
        return Subscription.from_row(row) if row else None
    subs = await user_subscriptions(db, user_id, active_only=False)
    if not subs:
        return None
    return sorted(subs, key=lambda s: (s.personal, s.updated_at), reverse=True)[0]


async def user_subscriptions(db: Database, user_id: str, *,
                             active_only: bool = True) -> list[Subscription]:
    """Every subscription of ``user_id`` (the personal one first), for "my reminders"."""
    sql = "SELECT * FROM reminder_subscriptions WHERE user_id = $1"
    if active_only:
        sql += " AND active = 1"
    subs = [Subscription.from_row(r) for r in await db.fetch(sql + " ORDER BY created_at, id", bounded_key(user_id))]
    return sorted(subs, key=lambda s: not s.personal)


async def list_subscriptions(db: Database, *, active_only: bool = True) -> list[Subscription]:
    sql = "SELECT * FROM reminder_subscriptions"
    if active_only:
        sql += " WHERE active = 1"
    return [Subscription.from_row(r) for r in await db.fetch(sql + " ORDER BY created_at, id")]


async def _skip_pending(tx: Any, where: str, arg: str, reason: str) -> None:
    await tx.execute(
        f"""UPDATE reminder_ledger SET state = 'skipped', last_error = $2, updated_at = $3
            WHERE state = 'pending' AND subscription_id IN
                  (SELECT id FROM reminder_subscriptions WHERE {where} = $1)""",
        arg, f"subscription stopped: {reason}", _now())


async def unsubscribe(db: Database, user_id: str,
                      conversation_id: Optional[str] = None) -> list[Subscription]:
    """"stop reminders": deactivate the user's subscription in ``conversation_id`` (every one
    of the user's when None). Returns the subscriptions that were stopped (empty: there was
    no active one), as they were before."""
    key = None if conversation_id is None else bounded_key(conversation_id)
    subs = [s for s in await user_subscriptions(db, user_id)
            if key is None or s.conversation_id == key]
    stopped = []
    async with db.transaction() as tx:
        for sub in subs:
            changed = await tx.execute(
                """UPDATE reminder_subscriptions SET active = 0, deactivated_at = $2,
                       deactivated_reason = $3, updated_at = $2
                   WHERE id = $1 AND active = 1""", sub.id, _now(), REASON_USER)
            if changed:
                await _skip_pending(tx, "id", sub.id, REASON_USER)
                stopped.append(sub)
    return stopped


async def refresh_reference(db: Database, reference: dict) -> int:
    """Store the latest conversation reference of a conversation (call on every turn).

    Cheap no-op (0) when nobody in that conversation is subscribed. Does not re-activate.
    """
    reference = normalize_reference(reference)
    conversation_id, tenant_id, service_url = reference_fields(reference)
    conversation_id = bounded_key(conversation_id)
    return await db.execute(
        """UPDATE reminder_subscriptions SET reference = $2, service_url = $3,
               tenant_id = CASE WHEN $4 = '' THEN tenant_id ELSE $4 END, updated_at = $5
           WHERE conversation_id = $1 AND active = 1 AND
                 (reference IS NULL OR reference <> $2 OR service_url <> $3)""",
        conversation_id, json.dumps(reference, sort_keys=True), service_url, tenant_id, _now())


#: Conversations per statement of :func:`refresh_references` (4 parameters each).
REFRESH_ROWS = 200


async def refresh_references(db: Database, references: list[dict]) -> int:
    """:func:`refresh_reference` for several conversations (one reference each) in one
    statement per :data:`REFRESH_ROWS`; the number of subscriptions changed."""
    rows: list[Any] = []
    for reference in references:
        reference = normalize_reference(reference)
        conversation_id, tenant_id, service_url = reference_fields(reference)
        rows.append((bounded_key(conversation_id), json.dumps(reference, sort_keys=True),
                     service_url, tenant_id))
    now = _now()
    changed = 0
    for start in range(0, len(rows), REFRESH_ROWS):
        chunk = rows[start:start + REFRESH_ROWS]
        marks = ", ".join(f"(${4 * i + 2}, ${4 * i + 3}, ${4 * i + 4}, ${4 * i + 5})"
                          for i in range(len(chunk)))
        changed += await db.execute(
            f"""UPDATE reminder_subscriptions SET reference = v.column2, service_url = v.column3,
                   tenant_id = CASE WHEN v.column4 = '' THEN reminder_subscriptions.tenant_id
                                    ELSE v.column4 END,
                   updated_at = $1
               FROM (VALUES {marks}) AS v
               WHERE reminder_subscriptions.conversation_id = v.column1
                 AND reminder_subscriptions.active = 1
                 AND (reminder_subscriptions.reference IS NULL
                      OR reminder_subscriptions.reference <> v.column2
                      OR reminder_subscriptions.service_url <> v.column3)""",
            now, *[value for row in chunk for value in row])
    return changed


async def deactivate(db: Database, subscription_id: str, reason: str) -> bool:
    """Stop one subscription and remove its conversation reference (Teams refused it)."""
    async with db.transaction() as tx:
        changed = await tx.execute(
            """UPDATE reminder_subscriptions SET active = 0, reference = NULL,
                   deactivated_at = $2, deactivated_reason = $3, updated_at = $2
               WHERE id = $1 AND active = 1""", subscription_id, _now(), reason)
        await _skip_pending(tx, "id", subscription_id, reason)
    if changed:
        logger.info("reminders: subscription %s deactivated (%s)", subscription_id, reason)
    return changed > 0


async def deactivate_conversation(db: Database, conversation_id: str,
                                  reason: str = REASON_UNINSTALLED) -> int:
    """The bot was uninstalled from / removed from a conversation: stop every subscription in
    it and remove the stored references. Returns how many were stopped."""
    conversation_id = bounded_key(conversation_id)
    async with db.transaction() as tx:
        await _skip_pending(tx, "conversation_id", conversation_id, reason)
        changed = await tx.execute(
            """UPDATE reminder_subscriptions SET active = 0, reference = NULL,
                   deactivated_at = $2, deactivated_reason = $3, updated_at = $2
               WHERE conversation_id = $1 AND (active = 1 OR reference IS NOT NULL)""",
            conversation_id, _now(), reason)
    return changed


async def forget_user(db: Database, user_id: str) -> dict[str, int]:
    """"Forget my data": delete the user's subscription, ledger rows and calendar token."""
    user_id = bounded_key(user_id)
    async with db.transaction() as tx:
        ledger = await tx.execute(
            """DELETE FROM reminder_ledger WHERE subscription_id IN
                   (SELECT id FROM reminder_subscriptions WHERE user_id = $1)""", user_id)
        subs = await tx.execute("DELETE FROM reminder_subscriptions WHERE user_id = $1", user_id)
        tokens = await tx.execute("DELETE FROM reminder_calendar_tokens WHERE user_id = $1", user_id)
    logger.info("reminders: forgot a user (%d subscription, %d ledger rows, %d token)",
                subs, ledger, tokens)
    return {"subscriptions": subs, "ledger": ledger, "calendar_tokens": tokens}


# --------------------------------------------------------------------------- calendar tokens


async def calendar_token(db: Database, user_id: str, lang: str = registry.DEFAULT,
                         locale: Optional[str] = None) -> str:
    """The user's calendar token, created on first use (``secrets.token_urlsafe(32)``)."""
    user_id = bounded_key(user_id)
    await db.execute(
        """INSERT INTO reminder_calendar_tokens (user_id, token, lang, locale, created_at)
           VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (user_id) DO UPDATE SET lang = excluded.lang, locale = excluded.locale""",
        user_id, secrets.token_urlsafe(32), lang, locale, _now())
    return await db.fetchval("SELECT token FROM reminder_calendar_tokens WHERE user_id = $1", user_id)


async def rotate_calendar_token(db: Database, user_id: str, lang: str = registry.DEFAULT,
                                locale: Optional[str] = None) -> str:
    """A new calendar token for ``user_id``: the previous link stops working at once."""
    user_id = bounded_key(user_id)
    token = secrets.token_urlsafe(32)
    await db.execute(
        """INSERT INTO reminder_calendar_tokens (user_id, token, lang, locale, created_at)
           VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (user_id) DO UPDATE SET token = excluded.token, lang = excluded.lang,
               locale = excluded.locale, created_at = excluded.created_at""",
        user_id, token, lang, locale, _now())
    logger.info("reminders: a calendar link was rotated")
    return token


async def revoke_calendar_token(db: Database, user_id: str) -> bool:
    """Delete the user's calendar token (the subscription link then answers 404)."""
    return await db.execute("DELETE FROM reminder_calendar_tokens WHERE user_id = $1",
                            bounded_key(user_id)) > 0


async def token_owner(db: Database, token: str) -> Optional[dict]:
    """``{"user_id", "lang", "locale"}`` of a calendar token, or None."""
    return await db.fetchrow(
        "SELECT user_id, lang, locale FROM reminder_calendar_tokens WHERE token = $1", token)


# --------------------------------------------------------------------------- ledger


@dataclass(frozen=True)
class LedgerRow:
    key: str
    kind: str
    offset: int
    cycle: str
    group: str
    due_date: date
    deadline: date
    attempts: int

    @classmethod
    def from_row(cls, row: dict) -> "LedgerRow":
        return cls(row["reminder_key"], row["kind"], row["offset_days"], row["cycle"], row["grp"],
                   date.fromisoformat(row["due_date"]), date.fromisoformat(row["deadline"]),
                   row["attempts"])


async def subscriptions_to_plan(db: Database, as_of: date) -> list[tuple[str, date]]:
    rows = await db.fetch(
        """SELECT id, swept_through FROM reminder_subscriptions
           WHERE active = 1 AND swept_through < $1 ORDER BY id""", as_of.isoformat())
    return [(r["id"], date.fromisoformat(r["swept_through"])) for r in rows]


async def still_to_plan(db: Database, subscription_ids: list[str], as_of: date) -> set[str]:
    """Which of ``subscription_ids`` are still to plan for ``as_of`` (another sweeper may have)."""
    if not subscription_ids:
        return set()
    marks = ", ".join(f"${i}" for i in range(2, len(subscription_ids) + 2))
    rows = await db.fetch(
        f"""SELECT id FROM reminder_subscriptions
            WHERE active = 1 AND swept_through < $1 AND id IN ({marks})""",
        as_of.isoformat(), *subscription_ids)
    return {r["id"] for r in rows}


async def plan_batch(db: Database, batch: Iterable[tuple[str, date, list[ReminderItem]]],
                     as_of: date) -> int:
    """Write the ledger rows of one batch of subscriptions, each in window (swept_through, as_of].

    Compare-and-set on ``swept_through``: of two sweepers planning the same subscription, one
    moves its cursor and writes its rows; the other sees the cursor moved and writes nothing.
    """
    now = _now()
    batch = list(batch)
    if not batch:
        return 0
    written = 0
    async with db.transaction() as tx:
        # one UPDATE for the whole batch (the cursor compare-and-set per row), then one
        # multi-row INSERT per LEDGER_INSERT_ROWS ledger rows: a statement per row made a
        # 10 000-subscriber plan take 16 s on PostgreSQL
        pairs = ", ".join(f"(${2 * i + 2}, ${2 * i + 3})" for i in range(len(batch)))
        args: list[Any] = [as_of.isoformat()]
        for sub_id, swept_through, _ in batch:
            args += [sub_id, swept_through.isoformat()]
        moved_rows = await tx.fetch(
            f"""UPDATE reminder_subscriptions SET swept_through = $1
                FROM (VALUES {pairs}) AS v
                WHERE reminder_subscriptions.id = v.column1
                  AND reminder_subscriptions.swept_through = v.column2
                  AND reminder_subscriptions.active = 1
                RETURNING reminder_subscriptions.id""", *args)
        moved = {r["id"] for r in moved_rows}
        rows = [(sub_id, item) for sub_id, _, items in batch if sub_id in moved
                for item in items]
        for start in range(0, len(rows), LEDGER_INSERT_ROWS):
            chunk = rows[start:start + LEDGER_INSERT_ROWS]
            # row i: $(9i+2) .. $(9i+9) its fields, $(9i+10) the time; $1 the planned day
            marks = ", ".join(
                "(" + ", ".join(f"${9 * i + k}" for k in range(2, 10)) + f", $1, 'pending', "
                f"${9 * i + 10}, ${9 * i + 10})" for i in range(len(chunk)))
            values: list[Any] = [as_of.isoformat()]
            for sub_id, item in chunk:
                values += [sub_id, item.key, item.kind, item.offset, item.cycle_label,
                           item.group, item.due_date.isoformat(), item.deadline.isoformat(),
                           now]
            written += await tx.execute(
                f"""INSERT INTO reminder_ledger (subscription_id, reminder_key, kind, offset_days,
                        cycle, grp, due_date, deadline, planned_for, state, created_at, updated_at)
                    VALUES {marks}
                    ON CONFLICT (subscription_id, reminder_key) DO NOTHING""", *values)
    return written


@dataclass(frozen=True)
class Target:
    subscription_id: str
    tenant_id: str
    conversation_id: str
    reference: dict
    lang: str
    locale: Optional[str]
    user_id: str = ""
    user_name: str = ""
    conversation_type: str = PERSONAL


async def claimable_targets(db: Database, as_of: date, now: Optional[float] = None) -> list[Target]:
    """Active subscriptions with ledger rows due by ``as_of`` to send (pending, or in flight with
    an expired lease)."""
    now = time.time() if now is None else now
    rows = await db.fetch(
        """SELECT s.id, s.tenant_id, s.conversation_id, s.reference, s.lang, s.locale,
                  s.user_id, s.user_name, s.conversation_type
           FROM reminder_subscriptions s
           WHERE s.active = 1 AND s.reference IS NOT NULL AND EXISTS (
               SELECT 1 FROM reminder_ledger l WHERE l.subscription_id = s.id AND l.due_date <= $2
                   AND (l.state = 'pending' OR (l.state = 'in_flight' AND l.lease_until < $1)))
           ORDER BY s.tenant_id, s.id""", now, as_of.isoformat())
    out = []
    for r in rows:
        reference = json.loads(r["reference"])
        out.append(Target(r["id"], r["tenant_id"], r["conversation_id"], reference, r["lang"],
                          r["locale"], r["user_id"], r["user_name"] or "",
                          r["conversation_type"] or conversation_type_of(r["conversation_id"], reference)))
    return out


async def claim(db: Database, subscription_id: str, owner: str, lease_seconds: float,
                as_of: date, now: Optional[float] = None,
                expired_before: Optional[float] = None) -> list[LedgerRow]:
    """Atomically take every sendable row of one subscription that is due by ``as_of`` (an
    operator's sweep for an earlier day never sends a later reminder early) for ``owner``
    until the lease ends.

    One UPDATE ... RETURNING: on PostgreSQL a concurrent claimer waits for the row lock and then
    re-checks the WHERE clause (no longer pending, lease not expired), so it gets nothing; on
    SQLite writers are serialized. Either way each row has one owner at a time.
    """
    now = time.time() if now is None else now
    # rows in flight whose lease ended before this are taken over (default: now; a leading
    # sweep passes infinity: whoever held them has died)
    expired = now if expired_before is None else expired_before
    rows = await db.fetch(
        """UPDATE reminder_ledger SET state = 'in_flight', lease_owner = $2, lease_until = $3,
               attempts = attempts + 1, updated_at = $5
           WHERE subscription_id = $1 AND due_date <= $6
             AND (state = 'pending' OR (state = 'in_flight' AND lease_until < $4))
             AND EXISTS (SELECT 1 FROM reminder_subscriptions s WHERE s.id = $1 AND s.active = 1)
           RETURNING reminder_key, kind, offset_days, cycle, grp, due_date, deadline, attempts""",
        subscription_id, owner, now + lease_seconds, expired, _now(), as_of.isoformat())
    return sorted((LedgerRow.from_row(r) for r in rows), key=lambda r: (r.due_date, r.key))


async def renew(db: Database, subscription_id: str, owner: str, lease_seconds: float,
                now: Optional[float] = None) -> int:
    """Extend the lease of the rows ``owner`` still holds (a live sweeper's heartbeat);
    returns how many rows it still holds."""
    now = time.time() if now is None else now
    return await db.execute(
        """UPDATE reminder_ledger SET lease_until = $3
           WHERE subscription_id = $1 AND lease_owner = $2 AND state = 'in_flight'""",
        subscription_id, owner, now + lease_seconds)


_UNFINISHED = """FROM reminder_ledger l JOIN reminder_subscriptions s ON s.id = l.subscription_id
           WHERE s.active = 1 AND s.reference IS NOT NULL AND l.due_date <= $1"""


async def in_flight(db: Database, as_of: date) -> int:
    """Subscribers whose reminders due by ``as_of`` are in flight: claimed by a sweeper that
    is alive (renewing its lease) or died (its lease runs out, then anyone may claim them)."""
    return int(await db.fetchval(
        f"""SELECT COUNT(DISTINCT l.subscription_id) {_UNFINISHED}
            AND l.state = 'in_flight'""", as_of.isoformat()) or 0)


async def unfinished_due(db: Database, as_of: date) -> int:
    """Subscribers with reminders due by ``as_of`` that are not finished yet (pending, or in
    flight): what a sweep should come back for soon."""
    return int(await db.fetchval(
        f"""SELECT COUNT(DISTINCT l.subscription_id) {_UNFINISHED}
            AND l.state IN ('pending', 'in_flight')""", as_of.isoformat()) or 0)


async def mark_keys(db: Database, subscription_id: str, owner: str, keys: Iterable[str],
                    state: str, error: Optional[str] = None) -> None:
    """Finish some claimed rows (e.g. skipped: deadline past, or superseded by a later one)."""
    now = _now()
    for key in keys:
        await db.execute(
            """UPDATE reminder_ledger SET state = $4, last_error = $5, lease_owner = NULL,
                   lease_until = NULL, updated_at = $6
               WHERE subscription_id = $1 AND reminder_key = $2 AND lease_owner = $3
                 AND state = 'in_flight'""",
            subscription_id, key, owner, state, error, now)


async def finish_keys(db: Database, subscription_id: str, owner: str, keys: Iterable[str],
                      state: str, error: Optional[str] = None) -> int:
    """Finish some of the rows held by a claim, in one statement: ``sent`` (with its time),
    ``failed``, ``skipped`` or back to ``pending``. For a claim whose rows go out in more than
    one message (a cycle digest and a plan's reminder)."""
    keys = list(keys)
    if not keys:
        return 0
    marks = ", ".join(f"${i + 6}" for i in range(len(keys)))
    return await db.execute(
        f"""UPDATE reminder_ledger SET state = $3, last_error = $4, lease_owner = NULL,
               lease_until = NULL, updated_at = $5,
               sent_at = CASE WHEN $3 = 'sent' THEN $5 ELSE sent_at END
            WHERE subscription_id = $1 AND lease_owner = $2 AND state = 'in_flight'
              AND reminder_key IN ({marks})""",
        subscription_id, owner, state, error, _now(), *keys)


async def mark_claimed(db: Database, subscription_id: str, owner: str, state: str,
                       error: Optional[str] = None) -> int:
    """Finish every row still held by this claim: ``sent``, ``failed``, or back to ``pending``
    (a transient failure: a later sweep tries again)."""
    now = _now()
    return await db.execute(
        """UPDATE reminder_ledger SET state = $3, last_error = $4, lease_owner = NULL,
               lease_until = NULL, updated_at = $5,
               sent_at = CASE WHEN $3 = 'sent' THEN $5 ELSE sent_at END
           WHERE subscription_id = $1 AND lease_owner = $2 AND state = 'in_flight'""",
        subscription_id, owner, state, error, now)


async def ledger_counts(db: Database) -> dict[str, int]:
    rows = await db.fetch("SELECT state, COUNT(*) AS n FROM reminder_ledger GROUP BY state")
    return {r["state"]: int(r["n"]) for r in rows}


# --------------------------------------------------------------------------- sweep log


async def sweep_started(db: Database, as_of: date) -> str:
    sweep_id = uuid.uuid4().hex
    await db.execute("INSERT INTO reminder_sweeps (id, as_of, started_at) VALUES ($1, $2, $3)",
                     sweep_id, as_of.isoformat(), _now())
    return sweep_id


async def sweep_finished(db: Database, sweep_id: str, sent: int, skipped: int, failed: int,
                         deactivated: int) -> None:
    await db.execute(
        """UPDATE reminder_sweeps SET finished_at = $2, sent = $3, skipped = $4, failed = $5,
               deactivated = $6 WHERE id = $1""",
        sweep_id, _now(), sent, skipped, failed, deactivated)


async def last_swept(db: Database) -> Optional[date]:
    """The latest as-of day of a sweep that finished."""
    value = await db.fetchval(
        "SELECT MAX(as_of) FROM reminder_sweeps WHERE finished_at IS NOT NULL")
    return date.fromisoformat(value) if value else None
