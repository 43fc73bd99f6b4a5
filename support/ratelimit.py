"""A rate limit per key (a client address): a token bucket of ``per_minute`` tokens that
refills continuously, kept in memory for at most ``max_keys`` keys (the least recently seen
are forgotten first, so a flood of addresses cannot grow it).

>>> now = [0.0]
>>> limit = RateLimiter(per_minute=2, clock=lambda: now[0])
>>> limit.take("10.0.0.1"), limit.take("10.0.0.1"), limit.take("10.0.0.1")
(0.0, 0.0, 30.0)
>>> now[0] += 30.0
>>> limit.take("10.0.0.1")
0.0
"""
from __future__ import annotations

import time
from collections import OrderedDict
from typing import Callable


class RateLimiter:
    def __init__(self, per_minute: int, *, clock: Callable[[], float] = time.monotonic,
                 max_keys: int = 10_000) -> None:
        if per_minute <= 0:
            raise ValueError("per_minute must be > 0")
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0  # tokens per second
        self.clock = clock
        self.max_keys = max_keys
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key -> (tokens, at)

    def __len__(self) -> int:
        return len(self._buckets)

    def take(self, key: str) -> float:
        """Take one token for ``key``: 0 when allowed, else the seconds until one is there."""
        now = self.clock()
        tokens, at = self._buckets.pop(key, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - at) * self.rate)
        wait = 0.0
        if tokens >= 1:
            tokens -= 1
        else:
            wait = (1 - tokens) / self.rate
        self._buckets[key] = (tokens, now)
        while len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)
        return wait
