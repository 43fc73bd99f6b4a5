"""One reminder sweep: plan what is due into the ledger, then deliver one digest per subscriber.

    summary = await run_sweep(db, transport, date(2022, 8, 8))

1. **Plan.** For each active subscription, the reminders due in ``(swept_through, as_of]``
   (``reminders.schedule.due_reminders``: never a past deadline; after downtime only the most
   relevant item per deadline) are inserted into the ledger as ``pending`` and the
   subscription's ``swept_through`` moves to ``as_of`` in the same transaction
   (compare-and-set, so two sweepers never plan one subscription twice; the ledger's primary
   key refuses a second row for one reminder anyway).
2. **Deliver.** Subscriptions with sendable rows are worked on by a bounded pool. A worker
   *claims* all of one subscription's rows in one atomic UPDATE (state ``in_flight`` with a
   lease), drops rows whose deadline has passed or that a later reminder of the same deadline
   supersedes (``skipped``), sends one digest through the :class:`~reminders.sender.Sender`
   and marks the rows ``sent`` / ``failed`` / back to ``pending`` (transient failure) and
   deactivates the subscription when Teams says the conversation is gone.

A crash between claim and mark leaves ``in_flight`` rows; a later sweep re-claims them once
their lease has expired, so at most the messages in flight at the crash are sent twice.
While a worker holds a claim it renews the lease every ``heartbeat_seconds`` (default a
third of the lease), so a slow send never loses its rows to another sweeper; a sweeper that
dies stops renewing, and its rows are free again within ``lease_seconds`` (default 60).
``wait_for_others`` (what ``app.py notify`` uses) makes a sweep wait that long for rows
another sweeper holds, and take them over when their lease runs out; the summary counts
what is still held elsewhere at the end (``in_flight_elsewhere``) and ``complete`` is False
while anything due is undelivered.
``python -m cli.sweep`` runs one sweep in a process of its own (the SIGKILL tests).
"""
from __future__ import annotations

import asyncio
import logging
import math
import random
import time
import uuid
from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any, Callable, Optional

from core import calendar
from storage.db import Database

from planner.schedule import PlanRenderer, is_plan_kind

from . import plans as plan_reminders
from . import store
from .schedule import ReminderItem, Schedule, due_reminders
from .sender import Outcome, Sender, Transport

logger = logging.getLogger(__name__)

DEFAULT_LEASE_SECONDS = 60.0
SEND_BUDGET_SECONDS = 480.0  # how long one digest's retries may go on (the lease is renewed)
WAIT_POLL_SECONDS = 0.5
DEFAULT_CONCURRENCY = 16
PLAN_BATCH = 200
MAX_CLAIMS_PER_ROW = 8  # a reminder claimed this often without success is given up (failed)


@dataclass
class Summary:
    """What one sweep did. ``sent``/``failed`` count digest messages (one per subscriber),
    ``skipped`` ledger items not sent (deadline passed, superseded), ``deactivated``
    subscriptions stopped because Teams said the conversation is gone. ``retry_later`` (part of
    ``failed``) are digests left pending for the next sweep after transient errors."""

    as_of: str = ""
    planned: int = 0
    sent: int = 0
    items_sent: int = 0
    skipped: int = 0
    failed: int = 0
    retry_later: int = 0
    deactivated: int = 0
    throttled: int = 0
    aborted: bool = False
    in_flight_elsewhere: int = 0  # subscribers whose due reminders another sweeper still holds

    @property
    def complete(self) -> bool:
        """Everything due was delivered or deliberately skipped by the end of this sweep."""
        return not (self.failed or self.in_flight_elsewhere or self.aborted)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "complete": self.complete}

    def line(self) -> str:
        return (f"sweep {self.as_of}: sent {self.sent} ({self.items_sent} reminders), "
                f"skipped {self.skipped}, failed {self.failed} "
                f"(retry later {self.retry_later}), deactivated {self.deactivated}, "
                f"still in flight elsewhere {self.in_flight_elsewhere}")


def _cycle_of(label: str):
    year, name = label.split("-")
    cal = calendar()
    return cal.cycle(cal.half_named(name, int(year)))


def _item(row: store.LedgerRow) -> ReminderItem:
    return ReminderItem(row.due_date, row.kind, row.offset, row.cycle, row.deadline, _cycle_of(row.cycle))


def select_rows(rows: list[store.LedgerRow], as_of: date) -> tuple[list[store.LedgerRow], dict[str, str]]:
    """Which claimed rows go into the digest; the others, with why, are skipped."""
    skipped: dict[str, str] = {}
    best: dict[str, store.LedgerRow] = {}
    for row in rows:
        if row.deadline < as_of:
            skipped[row.key] = f"deadline {row.deadline.isoformat()} passed"
            continue
        kept = best.get(row.group)
        if kept is None or (row.due_date, -row.offset) > (kept.due_date, -kept.offset):
            if kept is not None:
                skipped[kept.key] = f"superseded by {row.key}"
            best[row.group] = row
        else:
            skipped[row.key] = f"superseded by {kept.key}"
    return sorted(best.values(), key=lambda r: (r.due_date, r.key)), skipped


async def plan(db: Database, as_of: date, schedule: Optional[Schedule] = None) -> int:
    """Write the ledger rows due on ``as_of`` for every active subscription; return how many.

    Several sweepers planning at once (``python -m cli.sweep`` processes, or a sweep that took
    over) split the work instead of repeating it: each goes through the batches in its own
    random order and skips the subscriptions another has planned meanwhile.
    """
    todo = await store.subscriptions_to_plan(db, as_of)
    cache: dict[date, list[ReminderItem]] = {}
    # a subscription made by tracking a plan carries only the plan's reminders; every
    # subscription carries the reminders of the plan activities it is responsible for
    # (reminders.plans): both go into the one ledger, under the same compare-and-set
    written = 0
    batches = [todo[start:start + PLAN_BATCH] for start in range(0, len(todo), PLAN_BATCH)]
    random.shuffle(batches)
    for number, chunk in enumerate(batches):
        if number:  # the first batch is fresh; later ones may have been planned by another
            left = await store.still_to_plan(db, [sub_id for sub_id, _ in chunk], as_of)
            chunk = [entry for entry in chunk if entry[0] in left]
        infos = await plan_reminders.subscription_infos(db, [sub_id for sub_id, _ in chunk])
        from_plans = await plan_reminders.due_for(db, infos, dict(chunk), as_of)
        batch = []
        for sub_id, swept_through in chunk:
            if swept_through not in cache:
                cache[swept_through] = due_reminders(as_of, swept_through, schedule=schedule)
            info = infos.get(sub_id)
            items: list[Any] = list(cache[swept_through]) if info is None or info.cycle_reminders else []
            batch.append((sub_id, swept_through, items + from_plans.get(sub_id, [])))
        if batch:
            written += await store.plan_batch(db, batch, as_of)
    return written


def digest_activity(items: list[ReminderItem], as_of: date, lang: str, locale: Optional[str],
                    convention: str | None = None, **options: Any) -> dict:
    """The reminder message: a card with a summary line (:func:`reminders.digest.digest_activity`)."""
    from .digest import digest_activity as card_activity

    return card_activity(items, as_of, lang, locale, convention, **options)


async def run_sweep(db: Database, transport: Transport | Sender, as_of: date, *,
                    tenant_rate: float = 5.0, concurrency: int = DEFAULT_CONCURRENCY,
                    lease_seconds: float = DEFAULT_LEASE_SECONDS, convention: str | None = None,
                    schedule: Optional[Schedule] = None, max_claims: int = MAX_CLAIMS_PER_ROW,
                    reclaim_in_flight: bool = False,
                    observe: Optional[Callable[[str, int], None]] = None,
                    heartbeat_seconds: Optional[float] = None, wait_for_others: float = 0.0,
                    base_url: str = "", plan_renderer: Optional[PlanRenderer] = None,
                    **sender_options: Any) -> Summary:
    """Run one sweep for ``as_of``; safe to rerun and to run on several instances at once.

    ``reclaim_in_flight``: take over rows another sweeper left ``in_flight`` without waiting
    for their lease, for a sweep that leads (``reminders.coordination.SweepLeader``): every
    sweep runs under that leadership, so rows in flight when it is obtained belong to a
    sweeper that died. ``observe(outcome, n)`` is told each digest's outcome as it happens
    (``sent``, ``failed``, ``deferred``, ``deactivated``, ``skipped``) for the metrics.
    ``base_url``: the bot's public address, for the reminder cards' "Add to calendar".
    ``plan_renderer``: the message of a plan's reminders (``planner.schedule.PlanRenderer``,
    the Teams side's); without one, due plan reminders stay pending (logged as an error) for
    a sweep that has one.
    ``sender_options`` go to :class:`~reminders.sender.Sender` (e.g. ``limits=``).
    """
    sender = transport if isinstance(transport, Sender) else Sender(
        transport, tenant_rate=tenant_rate, **sender_options)
    heartbeat = lease_seconds / 3 if heartbeat_seconds is None else heartbeat_seconds
    if not 0 < heartbeat < lease_seconds:
        raise ValueError("need 0 < heartbeat_seconds < lease_seconds")
    summary = Summary(as_of=as_of.isoformat())
    sweep_id = await store.sweep_started(db, as_of)
    summary.planned = await plan(db, as_of, schedule)
    reclaim_before = math.inf if reclaim_in_flight else None
    targets = await store.claimable_targets(db, as_of, now=reclaim_before)
    logger.info("reminders: sweep %s for %s: %d new ledger rows, %d subscribers to message",
                sweep_id[:8], as_of, summary.planned, len(targets))
    stop = asyncio.Event()
    tried: set[str] = set()

    async def deliver_all(batch: list[store.Target]) -> None:
        batch = [t for t in batch if t.subscription_id not in tried]  # once per sweep
        random.shuffle(batch)  # several instances: spread out instead of racing for the same rows
        queue: asyncio.Queue = asyncio.Queue()
        for target in batch:
            queue.put_nowait(target)

        async def worker() -> None:
            while not stop.is_set():
                try:
                    target = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                if await _deliver_one(db, sender, target, as_of, summary, stop, lease_seconds,
                                      heartbeat, convention, max_claims, reclaim_before,
                                      observe or _ignore, base_url, plan_renderer):
                    tried.add(target.subscription_id)

        async with asyncio.TaskGroup() as group:
            for _ in range(max(1, min(concurrency, len(batch)))):
                group.create_task(worker())

    await deliver_all(targets)
    # Rows another sweeper holds: wait (up to wait_for_others) for it to finish them, or for
    # its lease to run out (it died), and then deliver them here.
    give_up = time.monotonic() + wait_for_others
    summary.in_flight_elsewhere = await store.in_flight(db, as_of)
    while summary.in_flight_elsewhere and not stop.is_set() and time.monotonic() < give_up:
        await asyncio.sleep(min(WAIT_POLL_SECONDS, max(0.0, give_up - time.monotonic())))
        await deliver_all(await store.claimable_targets(db, as_of, now=reclaim_before))
        summary.in_flight_elsewhere = await store.in_flight(db, as_of)
    if summary.in_flight_elsewhere:
        logger.warning("reminders: %d subscribers' reminders are still held by another sweeper",
                       summary.in_flight_elsewhere)
    summary.throttled = sender.throttled
    summary.aborted = stop.is_set()
    await store.sweep_finished(db, sweep_id, summary.sent, summary.skipped, summary.failed,
                               summary.deactivated)
    logger.info("reminders: %s", summary.line())
    return summary


def _ignore(outcome: str, n: int) -> None:
    return None


async def _heartbeat(db: Database, subscription_id: str, owner: str, lease_seconds: float,
                     every: float) -> None:
    """Renew the claim's lease every ``every`` seconds until cancelled."""
    while True:
        await asyncio.sleep(every)
        try:
            if not await store.renew(db, subscription_id, owner, lease_seconds):
                return  # nothing held any more
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - keep trying: the lease is still valid for a while
            logger.warning("reminders: could not renew a lease (subscription %s); retrying in "
                           "%.1f s", subscription_id[:8], every, exc_info=True)


async def _deliver_one(db: Database, sender: Sender, target: store.Target, as_of: date,
                       summary: Summary, stop: asyncio.Event, lease_seconds: float,
                       heartbeat: float, convention: str, max_claims: int,
                       reclaim_before: Optional[float], observe: Callable[[str, int], None],
                       base_url: str = "", plan_renderer: Optional[PlanRenderer] = None) -> bool:
    """Claim and deliver one subscriber's due reminders; False when there was nothing to
    claim (another sweeper holds them, or nothing is left)."""
    owner = uuid.uuid4().hex
    rows = await store.claim(db, target.subscription_id, owner, lease_seconds, as_of,
                             expired_before=reclaim_before)
    if not rows:
        return False
    renewing = asyncio.create_task(_heartbeat(db, target.subscription_id, owner, lease_seconds,
                                              heartbeat))
    try:
        await _deliver_claimed(db, sender, target, rows, owner, as_of, summary, stop,
                               convention, max_claims, observe, base_url, plan_renderer)
    finally:
        renewing.cancel()
        try:
            await renewing
        except asyncio.CancelledError:
            pass
    return True


async def _deliver_claimed(db: Database, sender: Sender, target: store.Target,
                           rows: list[store.LedgerRow], owner: str, as_of: date, summary: Summary,
                           stop: asyncio.Event, convention: str, max_claims: int,
                           observe: Callable[[str, int], None], base_url: str = "",
                           plan_renderer: Optional[PlanRenderer] = None) -> None:
    started = time.monotonic()
    exhausted = [r for r in rows if r.attempts > max_claims]
    if exhausted:
        await store.mark_keys(db, target.subscription_id, owner, [r.key for r in exhausted],
                              "failed", f"given up after {max_claims} claims")
        rows = [r for r in rows if r.attempts <= max_claims]
    chosen, skipped = select_rows(rows, as_of)
    if skipped:
        for reason in set(skipped.values()):
            keys = [k for k, why in skipped.items() if why == reason]
            await store.mark_keys(db, target.subscription_id, owner, keys, "skipped", reason)
        summary.skipped += len(skipped)
        observe("skipped", len(skipped))
    if not chosen:
        return
    if any(is_plan_kind(r.kind) for r in chosen):
        await _deliver_with_plans(db, sender, target, chosen, owner, as_of, summary, stop,
                                  convention, observe, base_url, plan_renderer, started)
        return
    items = [_item(r) for r in chosen]
    activity = digest_activity(items, as_of, target.lang, target.locale, convention,
                               base_url=base_url, user_id=target.user_id, user_name=target.user_name,
                               conversation_type=target.conversation_type)
    # The lease is renewed meanwhile; the budget only bounds how long retries may go on.
    outcome: Outcome = await sender.deliver(
        target.tenant_id, target.conversation_id, target.reference, activity,
        deadline=started + SEND_BUDGET_SECONDS)
    sub = target.subscription_id
    if outcome.status == "sent":
        await store.mark_claimed(db, sub, owner, "sent")
        summary.sent += 1
        summary.items_sent += len(chosen)
        observe("sent", 1)
    elif outcome.status == "deactivate":
        await store.mark_claimed(db, sub, owner, "skipped", f"conversation gone: {outcome.reason}")
        if await store.deactivate(db, sub, outcome.reason):
            summary.deactivated += 1
            observe("deactivated", 1)
    elif outcome.status == "failed":
        await store.mark_claimed(db, sub, owner, "failed", outcome.reason)
        summary.failed += 1
        observe("failed", 1)
    else:  # retry_later / abort: leave the reminders for the next sweep
        await _defer(db, sub, owner, outcome, summary, stop, observe)


async def _defer(db, sub, owner, outcome: Outcome, summary, stop, observe) -> None:
    """A send to try again on the next sweep (retry_later), or the whole sweep stopped (abort)."""
    await store.mark_claimed(db, sub, owner, "pending", outcome.reason)
    summary.failed += 1
    summary.retry_later += 1
    observe("deferred", 1)
    if outcome.status == "abort":
        logger.error("reminders: sweep aborted: %s", outcome.reason)
        stop.set()


async def _deliver_with_plans(db: Database, sender: Sender, target: store.Target,
                              chosen: list[store.LedgerRow], owner: str, as_of: date,
                              summary: Summary, stop: asyncio.Event, convention: str,
                              observe: Callable[[str, int], None], base_url: str,
                              plan_renderer: Optional[PlanRenderer], started: float) -> None:
    """A claim with plan reminders: the cycle digest (if any rows are the cycles') and the
    plan's reminder message, each sent and its rows finished on its own outcome."""
    sub = target.subscription_id
    cycle_rows = [r for r in chosen if not is_plan_kind(r.kind)]
    plan_rows = [r for r in chosen if is_plan_kind(r.kind)]
    messages: list[tuple[list[store.LedgerRow], dict]] = []
    if cycle_rows:
        messages.append((cycle_rows, digest_activity(
            [_item(r) for r in cycle_rows], as_of, target.lang, target.locale, convention,
            base_url=base_url, user_id=target.user_id, user_name=target.user_name,
            conversation_type=target.conversation_type)))
    digest, unwanted = await plan_reminders.digest_for(db, target, plan_rows, as_of)
    if unwanted:
        await store.finish_keys(db, sub, owner, unwanted, "skipped",
                                "no longer wanted: claimed, removed or fully planned")
        summary.skipped += len(unwanted)
        observe("skipped", len(unwanted))
    if digest is not None:
        keys = {n.key for n in digest.notices}
        rows = [r for r in plan_rows if r.key in keys]
        if plan_renderer is None:
            logger.error("reminders: %d plan reminders are due but no plan renderer is configured; "
                         "left pending", len(rows))
            await store.finish_keys(db, sub, owner, [r.key for r in rows], "pending",
                                    "no plan renderer configured")
            summary.failed += 1
            summary.retry_later += 1
            observe("deferred", 1)
        else:
            messages.append((rows, plan_renderer(digest)))
    for rows, activity in messages:
        keys = [r.key for r in rows]
        outcome: Outcome = await sender.deliver(
            target.tenant_id, target.conversation_id, target.reference, activity,
            deadline=started + SEND_BUDGET_SECONDS)
        if outcome.status == "sent":
            await store.finish_keys(db, sub, owner, keys, "sent")
            summary.sent += 1
            summary.items_sent += len(rows)
            observe("sent", 1)
            continue
        if outcome.status == "deactivate":
            await store.mark_claimed(db, sub, owner, "skipped", f"conversation gone: {outcome.reason}")
            if await store.deactivate(db, sub, outcome.reason):
                summary.deactivated += 1
                observe("deactivated", 1)
            return
        if outcome.status == "failed":
            await store.finish_keys(db, sub, owner, keys, "failed", outcome.reason)
            summary.failed += 1
            observe("failed", 1)
            continue
        # retry_later / abort: this message and the ones after it wait for the next sweep
        await _defer(db, sub, owner, outcome, summary, stop, observe)
        return


async def upcoming_reminder(db: Database, today: date):
    """The next reminder an existing subscriber gets: today's own while today's sweep has not
    run yet, else the first one due after today (a :class:`reminders.schedule.ReminderItem`)."""
    from datetime import timedelta

    from .schedule import next_reminder

    item = next_reminder(today - timedelta(days=1))
    if item is not None and item.due_date == today and (await store.last_swept(db) or date.min) >= today:
        item = next_reminder(today)
    return item


async def next_reminder_date(db: Database, today: date) -> Optional[date]:
    """The day the next reminder will reach a subscriber who opts in ``today``: its due date,
    or tomorrow when today's sweep has already run (it is caught up then)."""
    from datetime import timedelta

    from .schedule import next_reminder, urgent_reminders

    item = next_reminder(today - timedelta(days=1))
    swept = (await store.last_swept(db) or date.min) >= today
    after = today + timedelta(days=1)
    # a deadline closer than its usual notice is reminded of on the next sweep (planned when
    # subscribing: reminders.store.plan_urgent): today's, or tomorrow's once today's has run
    urgent = [i for i in urgent_reminders(today) if not swept or i.deadline >= after]
    soonest = (after if swept else today) if urgent else None
    if item is None:
        return soonest
    if item.due_date == today and swept:
        follow = next_reminder(today)
        # today's item is caught up tomorrow if its deadline allows, else the next one counts
        found = after if item.deadline >= after else (follow.due_date if follow else None)
    else:
        found = item.due_date
    return min((d for d in (found, soonest) if d is not None), default=None)
