"""Bot Framework authentication on POST /api/messages, with botframework-connector's own
validation (JwtTokenValidation -> ChannelValidation -> JwtTokenExtractor).

Tokens are signed here with a throwaway RSA key; ``ChannelValidation.open_id_metadata_endpoint``
(the SDK's own override of the metadata URL) points the validator at an OpenID document and
JWKS served on loopback by the same event loop, which also proves the key fetch no longer
blocks the loop.
"""

import json
import logging
import time
from datetime import timedelta

import jwt
import pytest
from aiohttp import web
from botbuilder.core import ActivityHandler
from botframework.connector.auth import AuthenticationConstants, ChannelValidation
from botframework.connector.auth.jwt_token_extractor import JwtTokenExtractor
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from config import Settings

APP_ID = "00000000-0000-0000-0000-00000000a11d"
ISSUER = AuthenticationConstants.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER
KID = "test-key-1"


def _new_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


SIGNING_KEY = _new_key()
OTHER_KEY = _new_key()


def pem(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


class EchoBot(ActivityHandler):
    def __init__(self):
        self.turns = 0

    async def on_message_activity(self, turn_context):
        self.turns += 1
        await turn_context.send_activity(f"echo: {turn_context.activity.text}")


def jwk_of(key, kid):
    jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    jwk.update(kid=kid, use="sig", endorsements=["msteams", "webchat"])
    return jwk


@pytest.fixture
async def openid(monkeypatch):
    """OpenID metadata + JWKS (key KID, endorsed for msteams) on loopback."""
    state = {"up": True, "keys": [jwk_of(SIGNING_KEY, KID)]}

    async def metadata(request):
        if not state["up"]:
            return web.Response(status=503)
        return web.json_response({"issuer": ISSUER,
                                  "jwks_uri": f"{request.url.origin()}/keys"})

    async def keys(request):
        return web.json_response({"keys": state["keys"]})

    app = web.Application()
    app.router.add_get("/.well-known/openidconfiguration", metadata)
    app.router.add_get("/keys", keys)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/.well-known/openidconfiguration"
    monkeypatch.setattr(ChannelValidation, "open_id_metadata_endpoint", url)
    yield state
    await runner.cleanup()


@pytest.fixture
async def secured(openid, bot_client, fake_channel, credentials_factory):
    """(client, bot, credentials factory) for an app with MicrosoftAppId/Password set."""
    bot = EchoBot()
    credentials_factory.app_id = APP_ID
    client = await bot_client(bot, Settings(app_id=APP_ID, app_password="secret"),
                              credentials_factory=credentials_factory)
    return client, bot, credentials_factory


def token(service_url, *, key=SIGNING_KEY, kid=KID, **overrides):
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": APP_ID, "serviceurl": service_url,
              "nbf": now - 10, "iat": now - 10, "exp": now + 3600}
    claims.update(overrides)
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode(claims, pem(key), algorithm="RS256", headers={"kid": kid})


async def send(client, activity, authorization):
    headers = {} if authorization is None else {"Authorization": authorization}
    return await client.post("/api/messages", json=activity, headers=headers)


async def test_valid_token_is_accepted_and_replies_carry_the_bot_token(secured, fake_channel):
    client, bot, _ = secured
    response = await send(client, fake_channel.activity("hi"),
                          f"Bearer {token(fake_channel.service_url)}")
    assert response.status == 200
    assert bot.turns == 1
    [request] = fake_channel.requests
    assert request["authorization"] == "Bearer outbound-token"
    assert request["json"]["text"] == "echo: hi"


def _expired(url):
    past = int(time.time()) - 3600
    return token(url, iat=past - 60, nbf=past - 60, exp=past)  # beyond the 5-minute tolerance


UNAUTHORIZED = {
    "missing": lambda url: None,
    "empty": lambda url: "",
    "scheme only": lambda url: "Bearer",
    "not a jwt": lambda url: "Bearer not-a-jwt",
    "basic auth": lambda url: "Basic dXNlcjpwYXNz",
    "wrong audience": lambda url: f"Bearer {token(url, aud='another-bot')}",
    "no audience": lambda url: f"Bearer {token(url, aud=None)}",
    "expired": lambda url: f"Bearer {_expired(url)}",
    "wrong issuer": lambda url: f"Bearer {token(url, iss='https://evil.example.com')}",
    "signed by another key": lambda url: f"Bearer {token(url, key=OTHER_KEY)}",
    "unknown key id": lambda url: f"Bearer {token(url, kid='unknown-kid')}",
    "serviceurl claim differs": lambda url: f"Bearer {token('https://elsewhere.example/')}",
    "unsigned": lambda url: "Bearer " + jwt.encode(
        {"iss": ISSUER, "aud": APP_ID, "serviceurl": url, "exp": int(time.time()) + 60},
        None, algorithm="none"),
}


@pytest.mark.parametrize("case", UNAUTHORIZED)
async def test_requests_without_a_valid_token_are_401(secured, fake_channel, case):
    client, bot, _ = secured
    response = await send(client, fake_channel.activity(), UNAUTHORIZED[case](fake_channel.service_url))
    assert response.status == 401
    assert (await response.json())["error"]["code"] == "Unauthorized"
    assert bot.turns == 0 and fake_channel.requests == []


async def test_channel_missing_from_the_key_endorsements_is_401(secured, fake_channel):
    client, bot, _ = secured
    activity = fake_channel.activity(channelId="skype")
    response = await send(client, activity, f"Bearer {token(fake_channel.service_url)}")
    assert response.status == 401
    assert bot.turns == 0


async def test_unknown_activity_type_is_authenticated_before_being_refused(secured, fake_channel):
    client, _, _ = secured
    activity = fake_channel.activity(type="somethingNew")
    assert (await send(client, activity, None)).status == 401
    assert (await send(client, activity, f"Bearer {token(fake_channel.service_url)}")).status == 400


async def test_signing_keys_unavailable_is_503(secured, fake_channel, openid):
    client, bot, _ = secured
    openid["up"] = False
    response = await send(client, fake_channel.activity(),
                          f"Bearer {token(fake_channel.service_url)}")
    assert response.status == 503
    assert bot.turns == 0


def age_the_key_cache(by):
    url = ChannelValidation.open_id_metadata_endpoint
    JwtTokenExtractor.metadataCache[url].last_updated -= by


async def test_cached_keys_are_kept_when_a_refresh_fails(secured, fake_channel, openid):
    client, bot, _ = secured
    authorization = f"Bearer {token(fake_channel.service_url)}"
    assert (await send(client, fake_channel.activity(), authorization)).status == 200
    age_the_key_cache(timedelta(days=2))  # due for its daily refresh...
    openid["up"] = False  # ...which fails
    assert (await send(client, fake_channel.activity(), authorization)).status == 200
    assert bot.turns == 2


async def test_a_rotated_key_is_fetched_when_first_seen(secured, fake_channel, openid):
    client, bot, _ = secured
    assert (await send(client, fake_channel.activity(),
                       f"Bearer {token(fake_channel.service_url)}")).status == 200
    openid["keys"].append(jwk_of(OTHER_KEY, "rotated-key"))
    age_the_key_cache(timedelta(hours=2))  # unknown key ids refresh at most hourly
    rotated = token(fake_channel.service_url, key=OTHER_KEY, kid="rotated-key")
    assert (await send(client, fake_channel.activity(), f"Bearer {rotated}")).status == 200
    assert bot.turns == 2


async def test_clients_and_credentials_are_made_once_not_per_turn(secured, fake_channel):
    client, bot, factory = secured
    for n in range(3):
        response = await send(client, fake_channel.activity(f"t{n}"),
                              f"Bearer {token(fake_channel.service_url)}")
        assert response.status == 200
    assert bot.turns == 3
    # one for the connector client, one for the user-token client; none per later turn
    assert factory.created == 2


async def test_local_development_ignores_the_authorization_header(bot_client, fake_channel):
    bot = EchoBot()
    client = await bot_client(bot)  # no MicrosoftAppId
    response = await send(client, fake_channel.activity(), "Bearer whatever-the-playground-sends")
    assert response.status == 200 and bot.turns == 1
    assert fake_channel.requests[0]["authorization"] is None


async def test_local_development_is_announced_as_a_warning(bot_client, caplog):
    await bot_client(EchoBot())
    assert any(r.levelname == "WARNING" and "local-development mode" in r.getMessage()
               for r in caplog.records)


async def test_tokens_never_reach_the_logs(secured, fake_channel, caplog):
    client, _, _ = secured
    good = token(fake_channel.service_url)
    with caplog.at_level(logging.DEBUG):
        await send(client, fake_channel.activity(), f"Bearer {good}")
        await send(client, fake_channel.activity(),
                   f"Bearer {token(fake_channel.service_url, aud='x')}")
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "unauthorized request" in text
    assert good not in text and "outbound-token" not in text
