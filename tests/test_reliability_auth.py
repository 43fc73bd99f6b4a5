"""Reliability (issue #11, findings 4 and 5): with credentials set, the token is checked
before the body is read or parsed; a token that cannot be verified is a 401 without a
signing-key fetch, a failed fetch is remembered for a while (one fetch, not one per
request), and 503 is left for "no key could ever be fetched"."""
from __future__ import annotations

import asyncio
import json
import logging
import time

import jwt
import pytest
from aiohttp import web
from botframework.connector.auth import ChannelValidation
from botframework.connector.auth.jwt_token_extractor import JwtTokenExtractor

from config import Settings
from test_http_auth import (APP_ID, ISSUER, KID, OTHER_KEY, EchoBot, jwk_of, pem, send,
                            SIGNING_KEY, token)


@pytest.fixture
async def keys_server(monkeypatch):
    """OpenID metadata + JWKS on loopback that counts its requests and can be down."""
    state = {"up": True, "hits": 0}

    async def metadata(request):
        state["hits"] += 1
        if not state["up"]:
            return web.Response(status=503)
        return web.json_response({"issuer": ISSUER, "jwks_uri": f"{request.url.origin()}/keys"})

    async def keys(request):
        return web.json_response({"keys": [jwk_of(SIGNING_KEY, KID)]})

    app = web.Application()
    app.router.add_get("/.well-known/openidconfiguration", metadata)
    app.router.add_get("/keys", keys)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/.well-known/openidconfiguration"
    monkeypatch.setattr(ChannelValidation, "open_id_metadata_endpoint", url)
    JwtTokenExtractor.metadataCache.pop(url, None)  # a fresh key cache for this server
    yield state
    JwtTokenExtractor.metadataCache.pop(url, None)
    await runner.cleanup()


@pytest.fixture
async def secured(keys_server, bot_client, fake_channel, credentials_factory):
    bot = EchoBot()
    credentials_factory.app_id = APP_ID
    client = await bot_client(bot, Settings(app_id=APP_ID, app_password="secret"),
                              credentials_factory=credentials_factory)
    return client, bot


def forged(url: str) -> dict[str, str]:
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": APP_ID, "serviceurl": url, "nbf": now - 10, "exp": now + 3600}
    past = now - 7200
    return {
        "alg none": jwt.encode(claims, None, algorithm="none"),
        "HS256 with the app password": jwt.encode(claims, "secret", algorithm="HS256",
                                                  headers={"kid": KID}),
        "expired": token(url, iat=past, nbf=past, exp=past + 60),
        "foreign RSA key, known key id": token(url, key=OTHER_KEY),
        "foreign RSA key, unknown key id": token(url, key=OTHER_KEY, kid="attacker"),
    }


async def test_forged_tokens_while_keys_cannot_be_fetched_make_one_fetch_not_one_each(
        secured, fake_channel, keys_server, caplog):
    client, bot = secured
    keys_server["up"] = False
    tokens = forged(fake_channel.service_url)
    with caplog.at_level(logging.INFO):
        responses = await asyncio.gather(*(
            send(client, fake_channel.activity(), f"Bearer {tokens[kind]}")
            for kind in tokens for _ in range(20)))
    statuses = {}
    for kind, response in zip([k for k in tokens for _ in range(20)], responses):
        statuses.setdefault(kind, set()).add(response.status)
    # what no key could verify anyway is 401 at once; only what needs a key is 503
    assert statuses == {"alg none": {401}, "HS256 with the app password": {401}, "expired": {401},
                        "foreign RSA key, known key id": {503},
                        "foreign RSA key, unknown key id": {503}}, statuses
    assert keys_server["hits"] == 1, keys_server["hits"]  # 100 requests, one fetch
    unavailable = [r for r in caplog.records if "signing keys" in r.getMessage()
                   and r.levelno >= logging.WARNING]
    assert len(unavailable) == 1, [r.getMessage() for r in unavailable]
    assert bot.turns == 0


async def test_forged_tokens_with_keys_available_are_401_and_valid_ones_pass(
        secured, fake_channel, keys_server):
    client, bot = secured
    good = f"Bearer {token(fake_channel.service_url)}"
    assert (await send(client, fake_channel.activity(), good)).status == 200
    for kind, value in forged(fake_channel.service_url).items():
        for _ in range(10):
            response = await send(client, fake_channel.activity(), f"Bearer {value}")
            assert response.status == 401, kind
    assert keys_server["hits"] <= 2  # the first fetch, at most one refresh for the unknown key id
    assert (await send(client, fake_channel.activity(), good)).status == 200
    assert bot.turns == 2


async def test_an_unauthenticated_body_is_never_read_nor_parsed(secured, fake_channel, monkeypatch):
    client, bot = secured
    from botbuilder.schema import Activity

    parsed = {"n": 0}
    original = Activity.deserialize

    def counting(data, *args, **kwargs):
        parsed["n"] += 1
        return original(data, *args, **kwargs)

    monkeypatch.setattr(Activity, "deserialize", staticmethod(counting))  # a classmethod
    big = fake_channel.activity(entities=[{"type": "mention", "text": "x" * 70}] * 2400)
    body = json.dumps(big)
    assert 200_000 < len(body) < 256 * 1024
    for authorization in (None, "Bearer not-a-jwt",
                          f"Bearer {forged(fake_channel.service_url)['foreign RSA key, known key id']}"):
        headers = {"Content-Type": "application/json"}
        if authorization:
            headers["Authorization"] = authorization
        response = await client.post("/api/messages", data=body, headers=headers)
        assert response.status == 401
        # not even JSON: still 401, because the body is not looked at before the token
        response = await client.post("/api/messages", data=b"{not json", headers=headers)
        assert response.status == 401
    assert parsed["n"] == 0 and bot.turns == 0
    good = {"Authorization": f"Bearer {token(fake_channel.service_url)}",
            "Content-Type": "application/json"}
    assert (await client.post("/api/messages", data=b"{not json", headers=good)).status == 400
    assert (await client.post("/api/messages", data=body, headers=good)).status == 200


async def raw_status(port: int, method: str, path: str, authorization: bytes,
                     body: bytes = b"{}") -> int:
    """The status of a request whose Authorization header carries ``authorization`` as raw
    bytes (an HTTP client library would refuse to send what is not text)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(b"%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     b"Content-Length: %d\r\nAuthorization: %s\r\nConnection: close\r\n\r\n%s"
                     % (method.encode(), path.encode(), len(body), authorization, body))
        await writer.drain()
        status_line = await reader.readline()
        await reader.read()
    finally:
        writer.close()
    return int(status_line.split()[1])


NOT_UTF8 = [b"Bearer \xff\xfe\xfd", b"Bearer operator-token-\xe9", b"\xc3\x28 x",
            b"Bearer eyJhbGciOiJSUzI1NiJ9.\xff.\xfe"]


async def test_an_authorization_header_that_is_not_utf8_is_a_401_on_every_route(
        tmp_path, credentials_factory, caplog):
    from aiohttp.test_utils import TestClient, TestServer

    import services
    from app import create_app
    from storage import Database

    url = f"sqlite:///{tmp_path / 'coop.sqlite3'}"
    db = await Database.connect(url)
    await services.migrate_database(db)
    credentials_factory.app_id = APP_ID
    settings = Settings(database_url=url, app_id=APP_ID, app_password="secret",
                        admin_token="operator-token-0123456789", reminder_sweep_enabled=False)
    client = TestClient(TestServer(create_app(settings, storage=db,
                                              credentials_factory=credentials_factory),
                                   host="127.0.0.1"))
    await client.start_server()
    try:
        with caplog.at_level(logging.INFO):
            for method, path in (("POST", "/api/messages"), ("GET", "/metrics"),
                                 ("POST", "/admin/sweep")):
                for header in NOT_UTF8:
                    assert await raw_status(client.port, method, path, header) == 401, (path, header)
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
    finally:
        await client.close()
        await db.close()
