"""The retention job: conversation and user state that no turn has read or written for the
retention period is deleted (``SqlStorage.expire``), and so is the feedback partners gave
before it (``FeedbackStore.purge_before``) and the plans' activities and budgets whose last
date passed before it (``planner.PlanStore.purge_before``), at start-up and then periodically."""
from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

logger = logging.getLogger(__name__)

__all__ = ["RETENTION_INTERVAL_SECONDS", "run_retention"]

RETENTION_INTERVAL_SECONDS = 6 * 3600.0


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


async def run_retention(storage: Any, days: float, *,
                        every: float = RETENTION_INTERVAL_SECONDS,
                        feedback: Any = None, plans: Any = None,
                        clock: Callable[[], datetime] = _utc_now) -> None:
    """Expire state older than ``days`` now and every ``every`` seconds, until cancelled;
    ``storage``: anything with ``async expire(timedelta)`` (``SqlStorage``), or None;
    ``feedback``: anything with ``async purge_before(datetime)`` (``FeedbackStore``), or None;
    ``plans``: anything with ``async purge_before(date)`` (``planner.PlanStore``: activities and
    budgets whose last deadline or keep-until date is older than the period), or None.
    A failed run (database unavailable) is logged and tried again at the next period; one
    failing does not keep the other from running."""
    if days <= 0:
        logger.info("storage: state retention disabled (STATE_RETENTION_DAYS=0)")
        return
    jobs: list[tuple[str, Callable[[], Any]]] = []
    if storage is not None:
        jobs.append(("state", lambda: storage.expire(timedelta(days=days))))
    if feedback is not None:
        jobs.append(("feedback", lambda: feedback.purge_before(clock() - timedelta(days=days))))
    if plans is not None:
        jobs.append(("plans", lambda: plans.purge_before((clock() - timedelta(days=days)).date())))
    while True:
        for what, job in jobs:
            try:
                await job()
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - the job must survive a database outage
                logger.warning("storage: the %s retention run failed; next try in %.0f s", what,
                               every, exc_info=True)
        await asyncio.sleep(every)
