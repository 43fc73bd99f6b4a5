"""A minimal, fast Bot Connector stand-in on loopback, for benchmarks and tests.

A bot in the connector path posts each reply to ``{serviceUrl}/v3/conversations/{cid}/activities``
(or ``.../activities/{replyToId}``). Point the activity's ``serviceUrl`` at this server and the
replies land here: every POST is answered at once with ``{"id": "..."}`` and counted per
conversation, so a benchmark can check that every request got its reply, and a test can read the
replies back.

Routes (JSON):

- ``POST /v3/conversations/{cid}/activities`` and ``POST .../activities/{id}``: a reply;
  answered ``200 {"id": "<n>"}``.
- ``PUT .../activities/{id}`` (update), ``DELETE .../activities/{id}``: answered and counted.
- ``POST /v3/conversations``: create a conversation (proactive 1:1); answers a new id.
- ``GET /v3/conversations/{cid}/members[/{uid}]``, ``GET .../pagedmembers``: one member.
- ``GET /_stats``: ``{"posts": n, "by_type": {...}, "conversations": n, "messages": n,
  "apologies": n}`` (apologies: replies carrying the bot's "something went wrong" text).
- ``GET /_counts``: ``{cid: [message replies, time.monotonic() of the first one]}`` (the clock
  is system-wide, so a load generator on the same machine can compute reply latency).
- ``GET /_replies/{cid}``: the activities received for that conversation (the last
  ``KEEP_PER_CONVERSATION``; only the most recent ``KEEP_CONVERSATIONS`` conversations are kept,
  counts are kept for all).
- ``POST /_reset``: forget everything.
- ``GET /healthz``.

``FAIL_NEXT`` behaviour for tests: ``POST /_fail`` with ``{"status": 503, "count": 2,
"retry_after": 1}`` makes the next ``count`` reply POSTs fail with that status.

    python bench/loopback_connector.py --port 3980
"""

from __future__ import annotations

import argparse
import itertools
import json
import logging
import time
from collections import Counter, OrderedDict

import sys
from pathlib import Path

from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import APOLOGY_MARKERS  # noqa: E402

KEEP_PER_CONVERSATION = 20
KEEP_CONVERSATIONS = 5000

logger = logging.getLogger("loopback_connector")


class Connector:
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.ids = itertools.count(1)
        self.posts = 0
        self.by_type: Counter = Counter()
        self.counts: Counter = Counter()  # conversation id -> message replies
        self.first: dict[str, float] = {}  # conversation id -> time.monotonic() of 1st message
        self.recent: OrderedDict[str, list] = OrderedDict()
        self.fail: dict | None = None
        self.apologies = 0  # replies that are the bot's "something went wrong" apology

    def record(self, cid: str, body: object) -> str:
        self.posts += 1
        kind = body.get("type") if isinstance(body, dict) else None
        self.by_type[str(kind)] += 1
        if kind == "message":
            text = body.get("text") or ""
            if isinstance(text, str) and any(m in text for m in APOLOGY_MARKERS):
                self.apologies += 1
            self.counts[cid] += 1
            if cid not in self.first:
                # CLOCK_MONOTONIC is system-wide on Linux: comparable with the load worker's.
                self.first[cid] = time.monotonic()
        kept = self.recent.get(cid)
        if kept is None:
            kept = self.recent[cid] = []
            if len(self.recent) > KEEP_CONVERSATIONS:
                self.recent.popitem(last=False)
        if len(kept) < KEEP_PER_CONVERSATION:
            kept.append(body)
        return str(next(self.ids))


def _json(data: object, status: int = 200, headers: dict | None = None) -> web.Response:
    return web.Response(body=json.dumps(data).encode(), status=status,
                        content_type="application/json", headers=headers)


def create_app() -> web.Application:
    state = Connector()

    async def _maybe_fail() -> web.Response | None:
        fail = state.fail
        if fail and fail.get("count", 0) > 0:
            fail["count"] -= 1
            headers = {"Retry-After": str(fail["retry_after"])} if fail.get("retry_after") else None
            return _json({"error": {"code": "Injected", "message": "injected failure"}},
                         status=int(fail.get("status", 503)), headers=headers)
        return None

    async def post_activity(request: web.Request) -> web.Response:
        failed = await _maybe_fail()
        if failed is not None:
            return failed
        cid = request.match_info["cid"]
        try:
            body = await request.json(loads=json.loads)
        except ValueError:
            return _json({"error": {"code": "BadArgument", "message": "not JSON"}}, status=400)
        return _json({"id": state.record(cid, body)})

    async def update_activity(request: web.Request) -> web.Response:
        cid = request.match_info["cid"]
        body = await request.json()
        state.record(cid, body)
        return _json({"id": request.match_info["aid"]})

    async def delete_activity(request: web.Request) -> web.Response:
        state.by_type["delete"] += 1
        return web.Response(status=200)

    async def create_conversation(request: web.Request) -> web.Response:
        return _json({"id": f"a:loopback-{next(state.ids)}", "activityId": str(next(state.ids))})

    def _member(uid: str) -> dict:
        return {"id": uid, "name": "Loopback User", "aadObjectId": "00000000-0000-0000-0000-000000000001",
                "userPrincipalName": "user@example.test", "tenantId": "tenant-loopback"}

    async def members(request: web.Request) -> web.Response:
        uid = request.match_info.get("uid")
        if uid:
            return _json(_member(uid))
        return _json([_member("29:loopback-user")])

    async def paged_members(request: web.Request) -> web.Response:
        return _json({"members": [_member("29:loopback-user")]})

    async def stats(request: web.Request) -> web.Response:
        return _json({"posts": state.posts, "by_type": dict(state.by_type),
                      "conversations": len(state.counts), "messages": sum(state.counts.values()),
                      "apologies": state.apologies})

    async def replies(request: web.Request) -> web.Response:
        cid = request.match_info["cid"]
        return _json({"count": state.counts.get(cid, 0), "activities": state.recent.get(cid, [])})

    async def counts(request: web.Request) -> web.Response:
        return _json({cid: [n, state.first.get(cid)] for cid, n in state.counts.items()})

    async def reset(request: web.Request) -> web.Response:
        state.reset()
        return _json({"ok": True})

    async def fail(request: web.Request) -> web.Response:
        state.fail = await request.json()
        return _json({"ok": True})

    async def healthz(request: web.Request) -> web.Response:
        return _json({"ok": True})

    app = web.Application(client_max_size=8 * 1024 * 1024)
    base = "/v3/conversations/{cid}/activities"
    app.router.add_post(base, post_activity)
    app.router.add_post(base + "/{aid}", post_activity)
    app.router.add_put(base + "/{aid}", update_activity)
    app.router.add_delete(base + "/{aid}", delete_activity)
    app.router.add_post("/v3/conversations", create_conversation)
    app.router.add_get("/v3/conversations/{cid}/members", members)
    app.router.add_get("/v3/conversations/{cid}/members/{uid}", members)
    app.router.add_get("/v3/conversations/{cid}/pagedmembers", paged_members)
    app.router.add_get("/_stats", stats)
    app.router.add_get("/_counts", counts)
    app.router.add_get("/_replies/{cid}", replies)
    app.router.add_post("/_reset", reset)
    app.router.add_post("/_fail", fail)
    app.router.add_get("/healthz", healthz)
    app["state"] = state
    return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Loopback Bot Connector stand-in")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=3980)
    args = parser.parse_args(argv)
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        parser.error("loopback only: --host must be 127.0.0.1, localhost or ::1")
    logging.basicConfig(level=logging.WARNING)
    web.run_app(create_app(), host=args.host, port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
