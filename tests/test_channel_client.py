"""The channel transport's HTTP/1.1 client (``bot.channel_client``) against real loopback
servers that answer with raw bytes: each way of framing an answer, keep-alive and its end,
interim answers, compressed bodies, malformed answers, header injection and the connection cap.
"""

from __future__ import annotations

import asyncio
import gzip
import json

import aiohttp
import pytest

from bot.channel_client import ChannelClient, MalformedAnswer
from bot.transport import ChannelThrottled, ChannelTransport


class _Server:
    """Reads each request (head + Content-Length body) and writes ``answer(request_no)``'s
    bytes; ``close_after`` closes the connection after writing an answer."""

    def __init__(self, answer, *, close_after=lambda n: False):
        self.answer = answer
        self.close_after = close_after
        self.requests: list[tuple[str, dict, bytes]] = []
        self.connections = 0
        self.open = 0
        self.most_open = 0
        self.server: asyncio.AbstractServer | None = None

    @property
    def base(self) -> str:
        host, port = self.server.sockets[0].getsockname()[:2]
        return f"http://{host}:{port}"

    async def _serve(self, reader, writer) -> None:
        self.connections += 1
        self.open += 1
        self.most_open = max(self.most_open, self.open)
        try:
            while True:
                head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
                headers = {}
                for line in head[1:]:
                    if line:
                        name, _, value = line.partition(":")
                        headers[name.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", 0)))
                self.requests.append((head[0], headers, body))
                number = len(self.requests)
                writer.write(await self.answer(number) if asyncio.iscoroutinefunction(self.answer)
                             else self.answer(number))
                await writer.drain()
                if self.close_after(number):
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self.open -= 1
            writer.close()

    async def __aenter__(self) -> "_Server":
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc) -> None:
        self.server.close()
        await self.server.wait_closed()


def _ok(body: bytes = b'{"id": "1"}', extra: bytes = b"") -> bytes:
    return b"HTTP/1.1 200 OK\r\n%sContent-Length: %d\r\n\r\n%s" % (extra, len(body), body)


async def _post(client: ChannelClient, server: _Server, body: bytes = b"{}", **headers):
    return await client.request("POST", f"{server.base}/v3/conversations/a%3A1/activities",
                                {"Content-Type": "application/json", **headers}, body)


async def test_requests_share_one_kept_alive_connection_and_carry_their_headers():
    async with _Server(lambda n: _ok(b'{"id": "%d"}' % n)) as server:
        client = ChannelClient(timeout=5, headers={"User-Agent": "UA"})
        host = server.base.removeprefix("http://")
        try:
            answers = [await _post(client, server, b'{"n": %d}' % i, Authorization="Bearer t")
                       for i in range(3)]
        finally:
            await client.close()
    assert [json.loads(a.body)["id"] for a in answers] == ["1", "2", "3"]
    assert server.connections == 1
    line, headers, body = server.requests[2]
    assert line == "POST /v3/conversations/a%3A1/activities HTTP/1.1"  # the path as given
    assert headers["authorization"] == "Bearer t" and headers["user-agent"] == "UA"
    assert headers["host"] == host
    assert headers["content-length"] == str(len(body)) and body == b'{"n": 2}'


@pytest.mark.parametrize("raw, body", [
    (b"HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n"
     b"5;ext=1\r\n{\"id\"\r\n7\r\n: \"ch\"}\r\n0\r\nX-Trailer: 1\r\n\r\n", b'{"id": "ch"}'),
    (b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}", b"{}"),
    (b"HTTP/1.1 204 No Content\r\n\r\n", b""),
    (b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n%s"
     % (len(gzip.compress(b'{"id": "z"}')), gzip.compress(b'{"id": "z"}')), b'{"id": "z"}'),
    (b"HTTP/1.1 429 Too Many\r\nRetry-After: 3\r\nSet-Cookie: a\r\nSet-Cookie: b\r\n"
     b"Content-Length: 0\r\n\r\n", b""),
])
async def test_each_framing_of_an_answer_is_read_and_the_connection_reused(raw, body):
    async with _Server(lambda n: raw) as server:
        client = ChannelClient(timeout=5)
        try:
            first = await _post(client, server)
            second = await _post(client, server)
        finally:
            await client.close()
    assert first.body == second.body == body
    assert server.connections == 1
    if first.status == 429:
        assert first.headers["retry-after"] == "3" and first.headers["set-cookie"] == "a, b"


async def test_an_answer_ended_by_closing_and_connection_close_are_not_reused():
    answers = {1: b"HTTP/1.1 200 OK\r\n\r\n{\"id\": \"eof\"}",
               2: _ok(extra=b"Connection: close\r\n"), 3: b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n{}"}
    async with _Server(lambda n: answers.get(n, _ok()), close_after=lambda n: n in (1, 2)) as server:
        client = ChannelClient(timeout=5)
        try:
            first = await _post(client, server)
            await _post(client, server)
            await _post(client, server)
            await _post(client, server)
        finally:
            await client.close()
    assert first.body == b'{"id": "eof"}'
    assert server.connections == 4  # a new connection after each of the first three


async def test_a_connection_idle_past_keepalive_is_not_reused():
    async with _Server(lambda n: _ok()) as server:
        client = ChannelClient(timeout=5, keepalive=0.05)
        try:
            await _post(client, server)
            await asyncio.sleep(0.1)
            await _post(client, server)
        finally:
            await client.close()
    assert server.connections == 2


async def test_a_malformed_answer_is_an_error_and_the_connection_dropped():
    answers = {1: b"SMTP ready\r\n\r\n", 2: b"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n"}
    async with _Server(lambda n: answers.get(n, _ok())) as server:
        client = ChannelClient(timeout=5)
        try:
            for _ in answers:
                with pytest.raises(MalformedAnswer):
                    await _post(client, server)
            assert (await _post(client, server)).status == 200
        finally:
            await client.close()
    assert server.connections == 3


async def test_a_closed_connection_mid_answer_is_a_disconnect():
    async with _Server(lambda n: b"HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n{",
                       close_after=lambda n: True) as server:
        client = ChannelClient(timeout=5)
        try:
            with pytest.raises(MalformedAnswer):
                await _post(client, server)
        finally:
            await client.close()


async def test_a_newline_in_a_header_or_the_url_is_refused_before_sending():
    async with _Server(lambda n: _ok()) as server:
        client = ChannelClient(timeout=5)
        try:
            with pytest.raises(ValueError):
                await _post(client, server, **{"x-ms-conversation-id": "a\r\nX-Evil: 1"})
            with pytest.raises(ValueError):
                await client.request("POST", f"{server.base}/a b\r\nX: 1", {}, b"")
        finally:
            await client.close()
    assert server.requests == []


async def test_no_more_than_limit_connections_are_open_at_once():
    async def slow(n):
        await asyncio.sleep(0.02)
        return _ok()

    async with _Server(slow) as server:
        client = ChannelClient(timeout=10, limit=2)
        try:
            answers = await asyncio.gather(*(_post(client, server) for _ in range(8)))
        finally:
            await client.close()
    assert [a.status for a in answers] == [200] * 8
    assert server.most_open <= 2 and len(server.requests) == 8


async def test_a_refused_connection_is_unreachable_through_the_transport():
    server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()
    transport = ChannelTransport(timeout=5)
    try:
        with pytest.raises(Exception) as info:
            await transport.post_json(f"http://127.0.0.1:{port}/v3/conversations/a/activities",
                                      None, "a", {"type": "message"})
    finally:
        await transport.close()
    assert type(info.value).__name__ == "ChannelUnreachable" and info.value.retryable


async def test_the_transport_reads_a_throttled_answer_with_its_retry_after():
    error = b'{"error": {"code": "Throttled", "message": "slow down"}}'
    raw = (b"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 7\r\nContent-Type: application/json\r\n"
           b"Content-Length: %d\r\n\r\n%s" % (len(error), error))
    async with _Server(lambda n: raw) as server:
        transport = ChannelTransport(timeout=5)
        try:
            with pytest.raises(ChannelThrottled) as info:
                await transport.post_json(f"{server.base}/v3/conversations/a/activities", None,
                                          "a", {"type": "message"})
        finally:
            await transport.close()
    assert info.value.status == 429 and info.value.retry_after == 7.0
    assert info.value.code == "Throttled"
