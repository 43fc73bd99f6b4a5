"""The support API's bearer check at its edges: an issuer that is down or silent, and headers
that are not text. The real app on loopback, a real issuer (or a port nobody answers on)."""
from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest

from test_support_api import CLIENT_ID, GROUP, Issuer, issuer, start_desk  # noqa: F401 (fixtures)


def env_for(url: str) -> dict[str, str]:
    return {"SUPPORT_OIDC_ISSUER": url, "SUPPORT_OIDC_CLIENT_ID": CLIENT_ID,
            "SUPPORT_OIDC_CLIENT_SECRET": "s3cret-value", "SUPPORT_ALLOWED_GROUP": GROUP}


@pytest.fixture
async def silent_issuer():
    """An issuer address that accepts connections and never answers; ``connections`` counts
    them (each is one attempt to fetch the discovery document)."""
    connections: list[asyncio.StreamWriter] = []

    async def accept(reader, writer):
        connections.append(writer)

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/tenant/v2.0"
    yield url, connections
    for writer in connections:
        writer.close()
    server.close()
    await server.wait_closed()


def refused_url() -> str:
    """An address where nothing listens (the port was just freed)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/tenant/v2.0"


def forged_token(url: str) -> str:
    forger = Issuer()
    forger.url = url
    return forger.token()


async def _bearer_statuses(desk, token, n):
    async def one():
        response = await desk.http.post(desk.base + "/support/api/answer", json={"text": "hi"},
                                        headers={"Authorization": f"Bearer {token}"})
        return response.status, response.headers, await response.text()

    return await asyncio.gather(*(one() for _ in range(n)))


async def test_bearer_checks_while_the_issuer_refuses_connections_are_503_not_500(start_desk):
    url = refused_url()
    desk = await start_desk(env_for(url))
    for status, headers, body in await _bearer_statuses(desk, forged_token(url), 6):
        assert status == 503, body
        assert "error" in json.loads(body) and int(headers["Retry-After"]) >= 1


async def test_bearer_checks_while_the_issuer_is_silent_make_one_fetch_then_answer_503(
        start_desk, silent_issuer, monkeypatch):
    """Six concurrent checks share one fetch (they do not queue one behind the other); the
    failure is remembered, so the next six do not try again."""
    from signing_keys import SigningKeys

    monkeypatch.setattr(SigningKeys, "timeout", aiohttp.ClientTimeout(total=1))
    url, connections = silent_issuer
    desk = await start_desk(env_for(url))
    token = forged_token(url)
    first = await _bearer_statuses(desk, token, 6)
    assert [status for status, _, _ in first] == [503] * 6, first
    assert len(connections) == 1
    again = await _bearer_statuses(desk, token, 6)
    assert [status for status, _, _ in again] == [503] * 6
    assert len(connections) == 1  # remembered: no new attempt within the failure memory


async def test_the_bot_and_the_support_desk_check_tokens_with_one_key_cache(start_desk, issuer):
    from botframework.connector.auth import AuthenticationConstants
    from botframework.connector.auth.jwt_token_extractor import JwtTokenExtractor

    from bot.tokens import install_async_openid_metadata
    from signing_keys import SigningKeys
    from support.routes import DESK

    desk = await start_desk(env_for(issuer.url))
    assert isinstance(desk.server.app[DESK].provider.signing_keys, SigningKeys)
    install_async_openid_metadata()
    channel = JwtTokenExtractor.metadataCache[AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL]
    assert isinstance(channel.signing_keys, SigningKeys)
    # and the desk's works: a real token passes once the issuer is up
    response = await desk.http.post(desk.base + "/support/api/answer", json={"text": "hi"},
                                    headers={"Authorization": f"Bearer {issuer.token()}"})
    assert response.status == 200


async def raw_request(desk, method: str, path: str, headers: list[bytes], body: bytes = b"") -> tuple[int, bytes]:
    """One HTTP/1.1 request written byte for byte (aiohttp's client would not send a header
    that is not text); the status and the body."""
    host, port = desk.server.host, desk.server.port
    reader, writer = await asyncio.open_connection(host, port)
    head = [f"{method} {path} HTTP/1.1".encode(), f"Host: {host}:{port}".encode(),
            b"Connection: close", f"Content-Length: {len(body)}".encode(), *headers]
    writer.write(b"\r\n".join(head) + b"\r\n\r\n" + body)
    await writer.drain()
    response = await reader.read()
    writer.close()
    status_line, _, rest = response.partition(b"\r\n")
    return int(status_line.split()[1]), rest.partition(b"\r\n\r\n")[2]


async def test_header_bytes_that_are_not_utf8_are_refused_not_a_server_error(start_desk, issuer):
    desk = await start_desk(env_for(issuer.url))
    json_body = [b"Content-Type: application/json"]
    good = issuer.token().encode()
    for authorization in (b"Bearer \xff\xfe" + good[2:], b"Bearer " + good[:10] + b"\xc3(" + good[12:],
                          b"\xffBearer x", b"Bearer \x80"):
        status, body = await raw_request(desk, "POST", "/support/api/answer",
                                         [b"Authorization: " + authorization, *json_body], b'{"text": "hi"}')
        assert status == 401, (authorization, body)
        assert "error" in json.loads(body)
    status, _ = await raw_request(desk, "GET", "/support/api/jobs",
                                  [b"Authorization: Bearer \xe9t\xe9"])
    assert status == 401


async def test_a_session_cookie_or_csrf_token_that_is_not_utf8_is_refused(start_desk):
    from test_support_api import LOCAL

    desk = await start_desk(LOCAL)
    await desk.open_page()
    json_body = [b"Content-Type: application/json"]
    status, _ = await raw_request(desk, "GET", "/support/api/jobs",
                                  [b"Cookie: __Host-support-session=\xff\xfeabc"])
    assert status == 401
    status, _ = await raw_request(desk, "POST", "/support/api/answer",
                                  [f"Cookie: {desk.cookie}".encode(), b"X-CSRF-Token: \xff" + desk.csrf.encode()[1:],
                                   *json_body], b'{"text": "hi"}')
    assert status == 403
    status, _ = await raw_request(desk, "POST", "/support/logout",
                                  [f"Cookie: {desk.cookie}".encode(), b"X-CSRF-Token: caf\xe9",
                                   b"Content-Type: application/x-www-form-urlencoded"], b"csrf=caf%E9")
    assert status == 403
    status, _ = await raw_request(desk, "GET", "/support", [b"Cookie: __Host-support-session=\xe9"])
    assert status == 200  # a fresh local session, not a 500
