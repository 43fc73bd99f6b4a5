"""reminders.sender: retry/deactivate policy and rate limits, with a scripted fake transport."""

import asyncio
import time
from datetime import datetime, timezone

import pytest

from bot.transport import parse_retry_after
from reminders.sender import RateLimiter, SendError, Sender

REF = {"conversation": {"id": "c1", "tenantId": "t1"}, "serviceUrl": "http://x/"}
ACT = {"type": "message", "text": "hi"}


class Scripted:
    """Raises the scripted errors in order, then succeeds; records call times."""

    def __init__(self, *errors):
        self.errors = list(errors)
        self.calls = []

    async def send(self, reference, activity):
        self.calls.append(time.monotonic())
        if self.errors:
            raise self.errors.pop(0)


def sender_for(transport, **options):
    options.setdefault("tenant_rate", 1000)
    options.setdefault("backoff_base", 0.01)
    options.setdefault("backoff_cap", 0.05)
    return Sender(transport, **options)


async def deliver(sender):
    return await sender.deliver("t1", "c1", REF, ACT)


async def test_success_first_time():
    t = Scripted()
    outcome = await deliver(sender_for(t))
    assert (outcome.status, outcome.attempts) == ("sent", 1)


@pytest.mark.parametrize("status", [412, 502, 503, 504])
async def test_transient_statuses_are_retried(status):
    t = Scripted(SendError(status), SendError(status))
    outcome = await deliver(sender_for(t))
    assert (outcome.status, len(t.calls)) == ("sent", 3)


async def test_timeouts_are_retried():
    t = Scripted(SendError(None, timeout=True))
    assert (await deliver(sender_for(t))).status == "sent"


async def test_transient_attempts_are_bounded():
    t = Scripted(*[SendError(502)] * 10)
    outcome = await deliver(sender_for(t, max_attempts=3))
    assert (outcome.status, len(t.calls)) == ("retry_later", 3)


async def test_backoff_is_exponential_with_full_jitter():
    s = Sender(Scripted(), backoff_base=1.0, backoff_cap=100.0)
    for attempt in range(6):
        samples = [s.backoff(attempt) for _ in range(200)]
        assert 0 <= min(samples) and max(samples) <= 2 ** attempt
        assert max(samples) > 0.6 * 2 ** attempt  # spread over the whole range


@pytest.mark.slow  # waits on the clock by design (fast tier: no)
async def test_429_waits_retry_after_and_pauses_the_tenant():
    t = Scripted(SendError(429, retry_after=0.3))
    s = sender_for(t)
    outcome = await deliver(s)
    assert outcome.status == "sent"
    assert t.calls[1] - t.calls[0] >= 0.29
    assert s.throttled == 1
    # the whole tenant waited, not only that send: another conversation's send right after a
    # 429 waits too
    t2 = Scripted(SendError(429, retry_after=0.3))
    s2 = sender_for(t2)
    first = asyncio.create_task(s2.deliver("t1", "c1", REF, ACT))
    await asyncio.sleep(0.05)
    started = time.monotonic()
    other = await s2.deliver("t1", "c2", REF, ACT)
    assert other.status == "sent" and time.monotonic() - started >= 0.2
    await first


@pytest.mark.slow  # waits on the clock by design (fast tier: no)
async def test_429_retries_do_not_use_up_the_transient_attempts():
    t = Scripted(SendError(429, retry_after=0.01), SendError(502), SendError(429, retry_after=0.01),
                 SendError(502))
    assert (await deliver(sender_for(t, max_attempts=3))).status == "sent"


@pytest.mark.parametrize("code", ["ConversationBlockedByUser", "BotNotInConversationRoster"])
async def test_403_teams_codes_deactivate(code):
    t = Scripted(SendError(403, code=code))
    outcome = await deliver(sender_for(t))
    assert (outcome.status, outcome.reason, len(t.calls)) == ("deactivate", code, 1)


async def test_404_deactivates():
    outcome = await deliver(sender_for(Scripted(SendError(404, code="ConversationNotFound"))))
    assert (outcome.status, outcome.reason) == ("deactivate", "NotFound")


@pytest.mark.parametrize("status,code", [(400, "BadArgument"), (401, None), (403, "Forbidden"),
                                         (413, None)])
async def test_other_4xx_fail_without_retry(status, code):
    t = Scripted(SendError(status, code=code))
    outcome = await deliver(sender_for(t))
    assert (outcome.status, len(t.calls)) == ("failed", 1)


async def test_fatal_errors_abort():
    outcome = await deliver(sender_for(Scripted(SendError(None, fatal=True))))
    assert outcome.status == "abort"


async def test_no_retry_past_the_deadline():
    t = Scripted(SendError(429, retry_after=10))
    outcome = await sender_for(t).deliver("t1", "c1", REF, ACT, deadline=time.monotonic() + 1)
    assert outcome.status == "retry_later" and len(t.calls) == 1


def test_rate_limiter_spaces_acquisitions():
    # virtual clock: the schedule itself, not the machine's load, is under test
    now = [100.0]
    limiter = RateLimiter(50, clock=lambda: now[0])
    delays = [limiter.reserve() for _ in range(26)]
    assert delays[0] == 0.0
    assert delays == pytest.approx([i * 0.02 for i in range(26)])  # 25 gaps of 1/50 s = 0.5 s
    now[0] += 0.5  # once the clock has caught up, the next slot is one interval later
    assert limiter.reserve() == pytest.approx(0.02)


@pytest.mark.slow  # waits on the clock by design (fast tier: no)
async def test_rate_limiter_waits_in_real_time():
    limiter = RateLimiter(50)
    start = time.monotonic()
    for _ in range(26):
        await limiter.acquire()
    assert time.monotonic() - start >= 0.48  # sleeping never makes it faster than the rate


async def test_rate_limiter_is_shared_fairly_by_concurrent_tasks():
    limiter = RateLimiter(100, burst=1)
    stamps = []

    async def one():
        await limiter.acquire()
        stamps.append(time.monotonic())

    await asyncio.gather(*(one() for _ in range(21)))
    assert max(stamps) - min(stamps) >= 0.19


async def test_tenant_limits_are_separate():
    t = Scripted()
    s = sender_for(t, tenant_rate=10)
    await asyncio.gather(*(s.deliver(f"t{i}", f"c{i}", REF, ACT) for i in range(5)))
    # five tenants, five buckets: each first send had its slot at once (no waiting on each other)
    assert len(s.limits._tenants) == 5
    later = [limiter.reserve() for limiter in s.limits._tenants.values()]
    assert all(d <= 0.1 + 1e-9 for d in later)  # each bucket spent at most its one 1/10 s slot


def test_retry_after_http_date():
    now = datetime(2015, 10, 21, 7, 27, 50, tzinfo=timezone.utc)
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=now) == 10.0
    assert parse_retry_after("0.25") == 0.25
    assert parse_retry_after(None) is None
