"""A fake Teams (Bot Connector) service on loopback, for proactive-send tests and benchmarks.

    connector = FakeConnector(tenant_rate=20)          # 20 msgs/s per tenant, then 429
    await connector.start()                            # connector.service_url: http://127.0.0.1:PORT/
    connector.fail("conv-7", 403, code="ConversationBlockedByUser")   # every request, for ever
    connector.fail("conv-8", 502, times=2)             # the next two requests only
    connector.delay("conv-9", 3.0, times=1)            # answer the first one after 3 s
    ...
    connector.delivered_count("conv-1")                # how many activities it accepted
    await connector.stop()

It implements ``POST /v3/conversations/{id}/activities`` and ``.../activities/{replyToId}``.
The tenant of a request is the activity's ``conversation.tenantId`` (else
``channelData.tenant.id``, else ``"default"``). The per-tenant limit is a token bucket
(``tenant_rate`` per second, ``tenant_burst`` tokens); over it the answer is 429 with a
``Retry-After`` giving the seconds until the next token (``retry_after_header`` overrides it,
e.g. an HTTP date). The per-conversation limit (Teams: 7/s) is enforced the same way.

Only requests answered 201 count as delivered, and a delayed request whose client has gone
(timed out) is not delivered, so ``duplicates()`` and ``delivered_count`` are exact.
Run ``python tests/fake_connector.py --port 0 --rate 50`` to use it from another process.
"""
from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Optional

from aiohttp import web


@dataclass
class Fault:
    status: Optional[int] = None  # None: no error answer (only the delay)
    code: Optional[str] = None
    times: Optional[int] = None  # None: for ever
    delay: float = 0.0
    headers: dict = field(default_factory=dict)


class _Bucket:
    def __init__(self, rate: float, burst: float) -> None:
        self.rate, self.capacity = rate, burst
        self.tokens, self.stamp = burst, time.monotonic()

    def take(self) -> float:
        """0 when a token was taken, else seconds until one is available."""
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


class FakeConnector:
    def __init__(self, *, tenant_rate: Optional[float] = None, tenant_burst: Optional[float] = None,
                 conversation_rate: Optional[float] = 7.0, conversation_burst: float = 7.0,
                 retry_after_header: Optional[str] = None, latency: float = 0.0) -> None:
        self.tenant_rate = tenant_rate
        self.tenant_burst = tenant_burst if tenant_burst is not None else max(1.0, tenant_rate or 1.0)
        self.conversation_rate = conversation_rate
        self.conversation_burst = conversation_burst
        self.retry_after_header = retry_after_header
        self.latency = latency
        self.faults: dict[str, list[Fault]] = {}
        self.delivered: list[tuple[str, dict]] = []  # (conversation id, activity)
        self.delivered_at: list[float] = []
        self.requests = 0
        self.throttled = 0
        self.rejected: Counter = Counter()  # status -> count
        self.authorizations: Counter = Counter()
        self._tenants: dict[str, _Bucket] = {}
        self._conversations: dict[str, _Bucket] = {}
        self._ids = itertools.count(1)
        self._runner: Optional[web.AppRunner] = None
        self.port = 0

    # --- configuration ---

    def fail(self, conversation_id: str, status: int, *, code: Optional[str] = None,
             times: Optional[int] = None, headers: Optional[dict] = None) -> None:
        self.faults.setdefault(conversation_id, []).append(
            Fault(status, code, times, 0.0, dict(headers or {})))

    def delay(self, conversation_id: str, seconds: float, *, times: Optional[int] = 1) -> None:
        self.faults.setdefault(conversation_id, []).append(Fault(None, None, times, seconds))

    # --- results ---

    def delivered_count(self, conversation_id: str) -> int:
        return sum(1 for cid, _ in self.delivered if cid == conversation_id)

    def counts(self) -> Counter:
        return Counter(cid for cid, _ in self.delivered)

    def duplicates(self) -> dict[str, int]:
        return {cid: n for cid, n in self.counts().items() if n > 1}

    # --- server ---

    @property
    def service_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v3/conversations/{cid}/activities", self._handle)
        app.router.add_post("/v3/conversations/{cid}/activities/{reply}", self._handle)
        return app

    async def start(self, port: int = 0) -> str:
        self._runner = web.AppRunner(self.app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self.service_url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> "FakeConnector":
        await self.start()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.stop()

    def _next_fault(self, cid: str) -> Optional[Fault]:
        faults = self.faults.get(cid)
        while faults:
            fault = faults[0]
            if fault.times is None:
                return fault
            if fault.times > 0:
                fault.times -= 1
                if fault.times == 0:
                    faults.pop(0)
                return fault
            faults.pop(0)
        return None

    def _limit(self, buckets: dict, key: str, rate: Optional[float], burst: float) -> float:
        if rate is None:
            return 0.0
        bucket = buckets.get(key)
        if bucket is None:
            bucket = buckets[key] = _Bucket(rate, burst)
        return bucket.take()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.requests += 1
        cid = request.match_info["cid"]
        self.authorizations[request.headers.get("Authorization", "")] += 1
        try:
            activity = json.loads(await request.read())
        except ValueError:
            self.rejected[400] += 1
            return _error(400, "BadSyntax", "body is not JSON")
        tenant = ((activity.get("conversation") or {}).get("tenantId")
                  or ((activity.get("channelData") or {}).get("tenant") or {}).get("id") or "default")
        if self.latency:
            await asyncio.sleep(self.latency)
        wait = max(self._limit(self._tenants, tenant, self.tenant_rate, self.tenant_burst),
                   self._limit(self._conversations, cid, self.conversation_rate,
                               self.conversation_burst))
        if wait > 0:
            self.throttled += 1
            self.rejected[429] += 1
            header = self.retry_after_header or f"{max(wait, 0.001):.3f}"
            return _error(429, "Throttled", "too many requests", {"Retry-After": header})
        fault = self._next_fault(cid)
        if fault is not None:
            if fault.delay:
                await asyncio.sleep(fault.delay)
                if request.transport is None or request.transport.is_closing():
                    self.rejected[499] += 1  # the client gave up: not delivered
                    return web.Response(status=499)
            if fault.status is not None:
                self.rejected[fault.status] += 1
                return _error(fault.status, fault.code or "Error", f"injected {fault.status}",
                              fault.headers)
        activity_id = f"{next(self._ids)}"
        self.delivered.append((cid, activity))
        self.delivered_at.append(time.monotonic())
        return web.json_response({"id": activity_id}, status=201)


def _error(status: int, code: str, message: str, headers: Optional[dict] = None) -> web.Response:
    return web.json_response({"error": {"code": code, "message": message}}, status=status,
                             headers=headers or {})


def reference(service_url: str, conversation_id: str, tenant_id: str = "tenant-1",
              user_id: str = "29:user") -> dict:
    """A serialized Teams ConversationReference pointing at the fake connector."""
    return {
        "activityId": None,
        "bot": {"id": "28:bot", "name": "Co-op Assistant"},
        "channelId": "msteams",
        "conversation": {"id": conversation_id, "tenantId": tenant_id,
                         "conversationType": "personal"},
        "serviceUrl": service_url,
        "user": {"id": user_id, "name": "Partner"},
        "locale": "en-US",
    }


if __name__ == "__main__":  # pragma: no cover - manual use
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--rate", type=float, default=None)
    args = parser.parse_args()

    async def serve() -> None:
        connector = FakeConnector(tenant_rate=args.rate)
        url = await connector.start(args.port)
        print(url, flush=True)
        await asyncio.Event().wait()

    asyncio.run(serve())
