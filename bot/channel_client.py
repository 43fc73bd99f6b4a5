"""A lean HTTP/1.1 client for the channel transport: kept-alive connections, one request each
at a time, on plain asyncio protocols.

:class:`bot.transport.ChannelTransport` sends one small JSON request per reply and reads back a
small JSON answer. aiohttp's ``ClientSession.request`` spent about three times the CPU of this
module on that (request and response objects, multidicts, cookie jar, tracing, timers: see
``bench/README.md``), which was the largest single cost of a turn on the connector path. This
module does only what the transport needs:

- a pool of kept-alive connections per ``(scheme, host, port)``, reused last-in first-out,
  closed after ``keepalive`` seconds idle, at most ``limit`` open at once (aiohttp's defaults:
  15 s, 100);
- HTTPS with the default SSL context (the system's CAs, host name checked), as aiohttp;
- answers framed by ``Content-Length``, ``Transfer-Encoding: chunked`` or the end of the
  connection; ``1xx`` interim answers skipped; a ``gzip``/``deflate`` body inflated;
- one total timeout per request (connecting, waiting for a connection, sending, reading), after
  which the connection is closed, never reused;
- errors as aiohttp's own classes, which the transport already tells apart: a connection closed
  before any answer is ``aiohttp.ServerDisconnectedError`` (reset: ``ClientConnectionResetError``),
  a failed connect ``aiohttp.ClientConnectionError``, a malformed answer
  :class:`MalformedAnswer` (an ``aiohttp.ClientError``), a timeout ``TimeoutError``.

No cookies, no redirects, no proxies (aiohttp's session here used none of them either).
"""

from __future__ import annotations

import asyncio
import ssl
import time
import zlib
from typing import NamedTuple
from urllib.parse import urlsplit

import aiohttp

DEFAULT_KEEPALIVE = 15.0
DEFAULT_LIMIT = 100
MAX_ANSWER_BYTES = 4 * 1024 * 1024
_DEFAULT_PORTS = {"http": 80, "https": 443}


class Answer(NamedTuple):
    status: int
    headers: dict[str, str]  # lower-case names; a repeated header's values joined by ", "
    body: bytes


class MalformedAnswer(aiohttp.ClientError):
    """The channel's answer is not HTTP/1.1 this client can read (a ``ClientError``, as
    aiohttp's parser errors are, so the transport reports it as no usable answer)."""


class _Malformed(Exception):
    pass


class _Connection(asyncio.Protocol):
    """One connection; ``answer()`` waits for the answer to the request just written."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self.reused = False
        self.idle_since = 0.0
        self._buffer = bytearray()
        self._waiter: asyncio.Future | None = None
        self._keep_alive = True

    # -- asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        if self._waiter is None or self._waiter.done():
            if len(self._buffer) > MAX_ANSWER_BYTES:
                self.close()  # bytes nobody asked for
            return
        try:
            answer = self._parse(at_eof=False)
        except _Malformed as err:
            self._fail(MalformedAnswer(f"malformed answer: {err}"))
            return
        if answer is not None:
            self._waiter.set_result(answer)

    def eof_received(self) -> bool:
        return False  # close our side too

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        waiter = self._waiter
        if waiter is None or waiter.done():
            return
        try:
            answer = self._parse(at_eof=True) if self._buffer else None
        except _Malformed as err:
            waiter.set_exception(MalformedAnswer(f"malformed answer: {err}"))
            return
        if answer is not None:
            waiter.set_result(answer)
        elif isinstance(exc, ConnectionResetError):
            waiter.set_exception(aiohttp.ClientConnectionResetError(str(exc)))
        else:
            waiter.set_exception(aiohttp.ServerDisconnectedError())

    # -- use

    def send(self, request: bytes) -> asyncio.Future:
        """Write one request; the future is its :class:`Answer`."""
        self._waiter = asyncio.get_running_loop().create_future()
        self._buffer.clear()
        if self.closed or self.transport is None or self.transport.is_closing():
            self._waiter.set_exception(aiohttp.ServerDisconnectedError())
        else:
            self.transport.write(request)
        return self._waiter

    @property
    def reusable(self) -> bool:
        return self._keep_alive and not self.closed and not self._buffer

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()

    def _fail(self, err: Exception) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_exception(err)
        self.close()

    # -- HTTP/1.1 answers

    def _parse(self, *, at_eof: bool) -> Answer | None:
        """The complete answer at the start of the buffer (consumed), or None for "not yet"."""
        buffer = self._buffer
        while True:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                if len(buffer) > 65536:
                    raise _Malformed("header too long")
                if at_eof and buffer:
                    raise _Malformed("closed inside the header")
                return None
            lines = bytes(buffer[:end]).decode("latin-1").split("\r\n")
            version, _, rest = lines[0].partition(" ")
            code = rest[:3]
            if not version.startswith("HTTP/1.") or not code.isdigit():
                raise _Malformed(f"status line {lines[0][:40]!r}")
            status = int(code)
            headers: dict[str, str] = {}
            for line in lines[1:]:
                name, colon, value = line.partition(":")
                if not colon or not name or name != name.strip():
                    raise _Malformed(f"header line {line[:40]!r}")
                name = name.lower()
                value = value.strip()
                headers[name] = f"{headers[name]}, {value}" if name in headers else value
            start = end + 4
            if 100 <= status < 200:  # an interim answer (100 Continue, 103): the real one follows
                del buffer[:start]
                continue
            break
        connection = headers.get("connection", "").lower()
        self._keep_alive = version == "HTTP/1.1" and "close" not in connection
        if "chunked" in headers.get("transfer-encoding", "").lower():
            body, used = _dechunk(buffer, start)
            if body is None:
                if at_eof:
                    raise _Malformed("closed inside a chunked body")
                return None
        elif "content-length" in headers:
            try:
                length = int(headers["content-length"])
            except ValueError:
                raise _Malformed("Content-Length") from None
            if length < 0 or length > MAX_ANSWER_BYTES:
                raise _Malformed("Content-Length")
            used = start + length
            if len(buffer) < used:
                if at_eof:
                    raise _Malformed("closed inside the body")
                return None
            body = bytes(buffer[start:used])
        elif status in (204, 304):
            body, used = b"", start
        else:  # framed by the end of the connection
            if len(buffer) - start > MAX_ANSWER_BYTES:
                raise _Malformed("answer too long")
            if not at_eof:
                return None
            self._keep_alive = False
            body, used = bytes(buffer[start:]), len(buffer)
        del buffer[:used]
        encoding = headers.get("content-encoding", "").lower()
        if body and encoding in ("gzip", "deflate"):
            try:
                body = zlib.decompress(body, 47)  # 32 + 15: gzip or zlib header, detected
            except zlib.error:
                raise _Malformed(f"{encoding} body") from None
        return Answer(status, headers, body)


def _dechunk(buffer: bytearray, start: int) -> tuple[bytes | None, int]:
    """A chunked body from ``start``: (the body, where it ended), or (None, 0) if incomplete."""
    parts = []
    at = start
    while True:
        line_end = buffer.find(b"\r\n", at)
        if line_end < 0:
            return None, 0
        size_text = bytes(buffer[at:line_end]).split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            raise _Malformed("chunk size") from None
        if size < 0 or size > MAX_ANSWER_BYTES:
            raise _Malformed("chunk size")
        at = line_end + 2
        if size == 0:
            end = buffer.find(b"\r\n", at)  # the trailer's lines, then an empty line
            while end > at:
                at = end + 2
                end = buffer.find(b"\r\n", at)
            if end < 0:
                return None, 0
            return b"".join(parts), end + 2
        if len(buffer) < at + size + 2:
            return None, 0
        parts.append(bytes(buffer[at:at + size]))
        at += size + 2


def _check_header(text: str) -> str:
    if "\r" in text or "\n" in text or "\0" in text:
        raise ValueError("a newline or NUL in an HTTP header")
    return text


class ChannelClient:
    """Kept-alive HTTP/1.1 connections to the channels; :meth:`request` sends one request."""

    def __init__(self, *, timeout: float, keepalive: float = DEFAULT_KEEPALIVE,
                 limit: int = DEFAULT_LIMIT, headers: dict[str, str] | None = None) -> None:
        self._timeout = timeout
        self._keepalive = keepalive
        self._slots = asyncio.Semaphore(limit)  # binds to the running loop on first wait
        self._idle: dict[tuple[str, str, int], list[_Connection]] = {}
        self._open: set[_Connection] = set()
        self._fixed = "".join(f"{_check_header(k)}: {_check_header(v)}\r\n"
                              for k, v in (headers or {}).items())
        self._ssl: ssl.SSLContext | None = None
        self._sweeping: asyncio.TimerHandle | None = None
        self.closed = False

    async def close(self) -> None:
        self.closed = True
        if self._sweeping is not None:
            self._sweeping.cancel()
            self._sweeping = None
        for connection in list(self._open):
            connection.close()
        self._open.clear()
        self._idle.clear()

    async def request(self, method: str, url: str, headers: dict[str, str],
                      body: bytes | None) -> Answer:
        """One request and its answer. ``url`` is sent as given (already percent-encoded)."""
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in _DEFAULT_PORTS or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {url[:80]!r}")
        host = parts.hostname
        port = parts.port or _DEFAULT_PORTS[scheme]
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        if any(c in target for c in " \r\n\0\t"):
            raise ValueError("whitespace or a control character in the URL")
        authority = host if ":" not in host else f"[{host}]"
        if port != _DEFAULT_PORTS[scheme]:
            authority = f"{authority}:{port}"
        head = [f"{method} {target} HTTP/1.1\r\nHost: {authority}\r\n", self._fixed]
        for name, value in headers.items():
            head.append(f"{_check_header(name)}: {_check_header(value)}\r\n")
        if body is not None or method in ("POST", "PUT"):
            head.append(f"Content-Length: {len(body or b'')}\r\n")
        head.append("\r\n")
        request = "".join(head).encode("latin-1")
        if body:
            request += body
        key = (scheme, host, port)
        async with asyncio.timeout(self._timeout):
            async with self._slots:
                connection = await self._connection(key)
                try:
                    answer = await connection.send(request)
                except BaseException:
                    connection.close()  # an answer may still come: never reuse it
                    self._open.discard(connection)
                    raise
                self._release(key, connection)
                return answer

    async def _connection(self, key: tuple[str, str, int]) -> _Connection:
        if self.closed:
            raise aiohttp.ClientConnectionError("the channel client is closed")
        idle = self._idle.get(key)
        now = time.monotonic()
        while idle:
            connection = idle.pop()
            if connection.reusable and now - connection.idle_since < self._keepalive:
                connection.reused = True
                return connection
            connection.close()
            self._open.discard(connection)
        scheme, host, port = key
        loop = asyncio.get_running_loop()
        if scheme == "https":
            if self._ssl is None:
                self._ssl = ssl.create_default_context()
            tls = {"ssl": self._ssl, "server_hostname": host}
        else:
            tls = {}
        try:
            _, connection = await loop.create_connection(_Connection, host, port, **tls)
        except OSError as err:  # refused, unreachable, DNS, TLS (ssl.SSLError is an OSError)
            raise aiohttp.ClientConnectionError(
                f"cannot connect to {host}:{port}: {type(err).__name__}: {err}") from err
        self._open.add(connection)
        return connection

    def _release(self, key: tuple[str, str, int], connection: _Connection) -> None:
        if not connection.reusable or self.closed:
            connection.close()
            self._open.discard(connection)
            return
        connection.idle_since = time.monotonic()
        self._idle.setdefault(key, []).append(connection)
        if self._sweeping is None:
            self._sweeping = asyncio.get_running_loop().call_later(self._keepalive, self._sweep)

    def _sweep(self) -> None:
        """Close the connections idle for ``keepalive`` seconds (a timer, while any is idle)."""
        self._sweeping = None
        now = time.monotonic()
        for key, idle in list(self._idle.items()):
            keep = []
            for connection in idle:
                if connection.reusable and now - connection.idle_since < self._keepalive:
                    keep.append(connection)
                else:
                    connection.close()
                    self._open.discard(connection)
            if keep:
                self._idle[key] = keep
            else:
                del self._idle[key]
        if self._idle:
            self._sweeping = asyncio.get_running_loop().call_later(self._keepalive / 2, self._sweep)


__all__ = ["ChannelClient", "Answer", "MalformedAnswer", "DEFAULT_KEEPALIVE", "DEFAULT_LIMIT"]
