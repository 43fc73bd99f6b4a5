"""The retention job: conversation and user state that no turn has read or written for the
retention period is deleted (``SqlStorage.expire``), at start-up and then periodically."""
from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

logger = logging.getLogger(__name__)

__all__ = ["RETENTION_INTERVAL_SECONDS", "run_retention"]

RETENTION_INTERVAL_SECONDS = 6 * 3600.0


async def run_retention(storage: Any, days: float, *,
                        every: float = RETENTION_INTERVAL_SECONDS) -> None:
    """Expire state older than ``days`` now and every ``every`` seconds, until cancelled.
    A failed run (database unavailable) is logged and tried again at the next period."""
    if days <= 0:
        logger.info("storage: state retention disabled (STATE_RETENTION_DAYS=0)")
        return
    while True:
        try:
            await storage.expire(timedelta(days=days))
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - the job must survive a database outage
            logger.warning("storage: the state retention run failed; next try in %.0f s", every,
                           exc_info=True)
        await asyncio.sleep(every)
