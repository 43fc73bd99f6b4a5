"""Delivering one proactive message within Teams' limits, with the right retry for each answer.

The I/O is an injected :class:`Transport` (``async send(reference, activity)``) that raises
:class:`SendError` carrying the HTTP status, ``Retry-After`` and the Teams error code, so the
policy below is tested with a fake and the real transport (``bot.proactive.AdapterTransport``,
which implements this seam over the bot adapter) is tested separately against a fake Teams connector on loopback.

Policy (CONVENTIONS "Proactive sends"):

- a token bucket per tenant (configurable rate, conservative default 5/s) and one per
  conversation (Teams: 7 messages/s), both honoured before every attempt (:class:`RateLimits`:
  in this process, or shared by every instance through the database,
  ``reminders.coordination.SharedRateLimits``);
- 429: wait ``Retry-After`` (seconds or an HTTP date; 1 s if absent) and pause the whole
  tenant for that long (every instance, with the shared limits), then try again (bounded);
- 412, 502, 503, 504 and timeouts / connection errors: exponential backoff with full jitter,
  bounded attempts;
- 403 ``ConversationBlockedByUser`` / ``BotNotInConversationRoster`` and 404: the
  subscription must be deactivated; any other 4xx: failed, never retried.
"""
from __future__ import annotations

import asyncio
import logging
import random
import time
from dataclasses import dataclass
from typing import Callable, Optional, Protocol

logger = logging.getLogger(__name__)

RETRYABLE_STATUSES = frozenset({412, 502, 503, 504})
DEACTIVATING_CODES = frozenset({"ConversationBlockedByUser", "BotNotInConversationRoster"})
TEAMS_CONVERSATION_RATE = 7.0  # messages per second per conversation


class SendError(Exception):
    """A failed send. ``status`` is None for a timeout or a connection error."""

    def __init__(self, status: Optional[int], *, code: Optional[str] = None,
                 retry_after: Optional[float] = None, message: str = "",
                 timeout: bool = False, fatal: bool = False) -> None:
        self.status = status
        self.fatal = fatal  # no retry can fix it in this run (e.g. credentials rejected)
        self.code = code
        self.retry_after = retry_after
        self.timeout = timeout
        self.message = message
        what = "timeout" if timeout else (f"HTTP {status}" if status else "connection error")
        super().__init__(f"{what}{f' {code}' if code else ''}{f': {message}' if message else ''}")


class TransportAborted(SendError):
    """A failure that no retry will fix within this sweep (e.g. Azure AD refused the bot's
    credentials): the sweep stops and leaves its rows pending for the next one."""

    def __init__(self, status: Optional[int] = None, **kwargs) -> None:
        kwargs.setdefault("fatal", True)
        super().__init__(status, **kwargs)


class Transport(Protocol):
    async def send(self, reference: dict, activity: dict) -> None:  # pragma: no cover - protocol
        """Send ``activity`` (a Bot Framework activity dict) to the conversation of
        ``reference`` (a serialized ConversationReference); raise :class:`SendError`."""


class RateLimiter:
    """A token bucket, scheduled in virtual time: ``acquire()`` returns at ``rate`` per second
    at most, allowing ``burst`` back-to-back; ``pause(s)`` holds everyone back for ``s`` seconds.
    Fair (first come, first served) and drift-free (sleep overshoot does not accumulate)."""

    def __init__(self, rate: float, burst: float = 1.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if rate <= 0:
            raise ValueError("rate must be > 0")
        self.rate = float(rate)
        self.interval = 1.0 / self.rate
        self.burst = max(1.0, float(burst))
        self._clock = clock
        self._next: Optional[float] = None  # earliest virtual time of the next token

    def reserve(self) -> float:
        """Take the next slot; return how long to wait for it."""
        now = self._clock()
        earliest = now - (self.burst - 1) * self.interval
        slot = earliest if self._next is None else max(self._next, earliest)
        self._next = slot + self.interval
        return max(0.0, slot - now)

    async def acquire(self) -> None:
        delay = self.reserve()
        if delay > 0:
            await asyncio.sleep(delay)

    def pause(self, seconds: float) -> None:
        resume = self._clock() + seconds
        if self._next is None or self._next < resume:
            self._next = resume


class RateLimits(Protocol):
    """Where the sender waits before each attempt: the tenant's limit and the conversation's,
    and the tenant-wide pause after a 429. ``LocalRateLimits`` keeps them in this process;
    ``reminders.coordination.SharedRateLimits`` in the database, for every instance at once."""

    async def acquire(self, tenant_id: str, conversation_id: str) -> None: ...

    async def pause(self, tenant_id: str, seconds: float) -> None: ...


class LocalRateLimits:
    """In-process :class:`RateLimits`: a :class:`RateLimiter` per tenant and per conversation
    (one instance alone; several instances need the shared ones)."""

    def __init__(self, tenant_rate: float = 5.0, tenant_burst: float = 1.0,
                 conversation_rate: float = TEAMS_CONVERSATION_RATE) -> None:
        self.tenant_rate = tenant_rate
        self.tenant_burst = tenant_burst
        self.conversation_rate = conversation_rate
        self._tenants: dict[str, RateLimiter] = {}
        self._conversations: dict[str, RateLimiter] = {}
        self.waits = 0
        self.waited_seconds = 0.0

    def tenant(self, tenant_id: str) -> RateLimiter:
        limiter = self._tenants.get(tenant_id)
        if limiter is None:
            limiter = self._tenants[tenant_id] = RateLimiter(self.tenant_rate, self.tenant_burst)
        return limiter

    def conversation(self, conversation_id: str) -> RateLimiter:
        limiter = self._conversations.get(conversation_id)
        if limiter is None:
            limiter = self._conversations[conversation_id] = RateLimiter(self.conversation_rate)
        return limiter

    async def acquire(self, tenant_id: str, conversation_id: str) -> None:
        for limiter in (self.tenant(tenant_id), self.conversation(conversation_id)):
            delay = limiter.reserve()
            if delay > 0:
                self.waits += 1
                self.waited_seconds += delay
                await asyncio.sleep(delay)

    async def pause(self, tenant_id: str, seconds: float) -> None:
        self.tenant(tenant_id).pause(seconds)


@dataclass(frozen=True)
class Outcome:
    """How one delivery ended: ``sent``, ``deactivate`` (reason), ``failed`` (permanent) or
    ``retry_later`` (transient failures exhausted this run's attempts) or ``abort`` (nothing
    will get through in this run: stop the sweep)."""

    status: str
    reason: str = ""
    attempts: int = 0
    http_status: Optional[int] = None


class Sender:
    """Deliver activities through a transport under tenant and conversation rate limits."""

    def __init__(self, transport: Transport, *, tenant_rate: float = 5.0,
                 tenant_burst: float = 1.0, conversation_rate: float = TEAMS_CONVERSATION_RATE,
                 max_attempts: int = 5, max_throttled: int = 10, backoff_base: float = 0.5,
                 backoff_cap: float = 30.0, default_retry_after: float = 1.0,
                 rng: Optional[random.Random] = None,
                 sleep: Callable[[float], "asyncio.Future"] = asyncio.sleep,
                 limits: Optional[RateLimits] = None) -> None:
        self.transport = transport
        self.tenant_rate = tenant_rate
        self.tenant_burst = tenant_burst
        self.conversation_rate = conversation_rate
        self.max_attempts = max_attempts
        self.max_throttled = max_throttled
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.default_retry_after = default_retry_after
        self._rng = rng or random.Random()
        self._sleep = sleep
        self.limits: RateLimits = limits or LocalRateLimits(tenant_rate, tenant_burst,
                                                            conversation_rate)
        self.throttled = 0  # 429 answers seen (for reports)
        self.retries = 0

    def backoff(self, attempt: int) -> float:
        """Full jitter: uniform in [0, min(cap, base * 2**attempt)]."""
        return self._rng.uniform(0, min(self.backoff_cap, self.backoff_base * (2 ** attempt)))

    async def deliver(self, tenant_id: str, conversation_id: str, reference: dict,
                      activity: dict, *, deadline: Optional[float] = None) -> Outcome:
        """Send one activity; never raises for an HTTP answer. ``deadline`` (monotonic) bounds
        the time spent waiting to retry (a sweeper's lease)."""
        attempts = throttled = 0
        while True:
            await self.limits.acquire(tenant_id, conversation_id)
            attempts += 1
            try:
                await self.transport.send(reference, activity)
                return Outcome("sent", attempts=attempts)
            except SendError as error:
                failure = error
            wait, outcome = self._classify(failure, attempts, throttled, tenant_id)
            if failure.status == 429:
                throttled += 1
                # the whole tenant slows down, on every instance, not just this send
                await self.limits.pause(tenant_id, wait)
            if outcome is not None:
                return outcome
            if deadline is not None and time.monotonic() + wait > deadline:
                return Outcome("retry_later", f"no time left to retry: {failure}", attempts,
                               failure.status)
            self.retries += 1
            await self._sleep(wait)

    def _classify(self, error: SendError, attempts: int, throttled: int,
                  tenant_id: str) -> tuple[float, Optional[Outcome]]:
        status = error.status
        if error.fatal:
            return 0.0, Outcome("abort", str(error), attempts, status)
        if status == 429:
            self.throttled += 1
            wait = error.retry_after if error.retry_after is not None else self.default_retry_after
            if throttled + 1 >= self.max_throttled:
                return 0.0, Outcome("retry_later", f"throttled {throttled + 1} times", attempts, status)
            logger.info("reminders: 429 for tenant %s, waiting %.2fs", tenant_id, wait)
            return wait, None
        if status is None or status in RETRYABLE_STATUSES:
            if attempts - throttled >= self.max_attempts:
                return 0.0, Outcome("retry_later", str(error), attempts, status)
            wait = self.backoff(attempts - throttled - 1)
            if error.retry_after is not None:
                wait = max(wait, error.retry_after)
            logger.info("reminders: %s, retrying in %.2fs", error, wait)
            return wait, None
        if status == 404 or (status == 403 and error.code in DEACTIVATING_CODES):
            return 0.0, Outcome("deactivate", error.code if status == 403 else "NotFound",
                                attempts, status)
        logger.warning("reminders: not retried: %s", error)
        return 0.0, Outcome("failed", str(error), attempts, status)
