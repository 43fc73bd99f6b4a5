"""A channel that closes an idle kept-alive connection just as the bot reuses it.

Node's HTTP server (the Agents Playground, many proxies) closes an idle connection after 5 s;
aiohttp keeps one 15 s. A reply sent at that moment meets a connection the server is closing:
it reads nothing back (``ServerDisconnectedError``) or a reset. The server never answered,
so the reply goes again once on another connection; a second failure is the caller's
(``ChannelUnreachable``), and a timeout is never resent (that POST may have been delivered).

The channel here is a real TCP server on loopback speaking just enough HTTP/1.1.
"""

from __future__ import annotations

import asyncio
import json

import pytest

from bot.transport import ChannelTransport, ChannelUnreachable


class _Channel:
    """Answers requests ``201 {"id": "sent-N"}`` with keep-alive. ``drop`` decides, per request
    (its 1-based number on its connection), whether to close the connection instead of
    answering it: the request has arrived, nothing comes back."""

    def __init__(self, drop):
        self.drop = drop
        self.answered: list[dict] = []
        self.dropped = 0
        self.connections = 0
        self.server: asyncio.AbstractServer | None = None

    @property
    def url(self) -> str:
        host, port = self.server.sockets[0].getsockname()[:2]
        return f"http://{host}:{port}/amer/v3/conversations/a%3A1/activities"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        on_connection = 0
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.decode("latin-1").split("\r\n")[1:]:
                    name, _, value = line.partition(":")
                    if name.strip().lower() == "content-length":
                        length = int(value)
                body = await reader.readexactly(length)
                on_connection += 1
                if self.drop(on_connection):
                    self.dropped += 1
                    writer.close()
                    return
                self.answered.append(json.loads(body))
                payload = json.dumps({"id": f"sent-{len(self.answered)}"}).encode()
                writer.write(b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\n"
                             b"Connection: keep-alive\r\nContent-Length: %d\r\n\r\n%s"
                             % (len(payload), payload))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    async def __aenter__(self) -> "_Channel":
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc) -> None:
        self.server.close()
        await self.server.wait_closed()


async def _post(transport: ChannelTransport, channel: _Channel, text: str):
    return await transport.post_json(channel.url, None, "a:1", {"type": "message", "text": text})


async def test_a_reply_on_a_connection_closed_as_it_was_reused_goes_again_once():
    # The second request on every connection meets a closing connection.
    async with _Channel(drop=lambda n: n == 2) as channel:
        transport = ChannelTransport()
        try:
            first = await _post(transport, channel, "one")
            second = await _post(transport, channel, "two")
        finally:
            await transport.close()
    assert [first.id, second.id] == ["sent-1", "sent-2"]
    assert [a["text"] for a in channel.answered] == ["one", "two"]  # each delivered once
    assert channel.dropped == 1 and channel.connections == 2


async def test_a_channel_that_never_answers_is_unreachable_after_one_resend():
    async with _Channel(drop=lambda n: True) as channel:
        transport = ChannelTransport()
        try:
            with pytest.raises(ChannelUnreachable) as info:
                await _post(transport, channel, "lost")
        finally:
            await transport.close()
    assert "ServerDisconnectedError" in str(info.value) and info.value.retryable
    assert channel.dropped == 2 and channel.answered == []  # sent twice, no more


async def test_a_timed_out_reply_is_not_sent_again():
    arrived = 0

    async def silent(reader, writer):
        nonlocal arrived
        await reader.readuntil(b"\r\n\r\n")
        arrived += 1
        await asyncio.sleep(5)  # never answers within the client's timeout
        writer.close()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    host, port = server.sockets[0].getsockname()[:2]
    transport = ChannelTransport(timeout=0.3)
    try:
        with pytest.raises(ChannelUnreachable) as info:
            await transport.post_json(f"http://{host}:{port}/v3/conversations/a/activities",
                                      None, "a", {"type": "message", "text": "maybe delivered"})
    finally:
        await transport.close()
        server.close()
    assert "TimeoutError" in str(info.value)
    assert arrived == 1
