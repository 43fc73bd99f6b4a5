"""Inbound token validation: Bot Framework bearer tokens checked before the body is read.

:func:`verify_bearer` checks a token's shape, algorithm, issuer, audience and lifetime with no
I/O, then its signature with the issuer's signing keys. The keys come from the product's one
signing-key cache (``signing_keys``, also the support desk's), fetched with aiohttp (the SDK
uses blocking ``requests.get`` without a timeout on the event loop):
:func:`install_async_openid_metadata` puts that cache where botframework-connector's own
``JwtTokenValidation`` (the checks that need the activity) looks for it.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from datetime import datetime
from typing import Any

import jwt
from botframework.connector.auth import (AuthenticationConstants, ChannelValidation,
                                         EmulatorValidation)
from botframework.connector.auth.jwt_token_extractor import (JwtTokenExtractor, _OpenIdConfig,
                                                             _OpenIdMetadata)
from jwt.algorithms import RSAAlgorithm

from signing_keys import KeysUnavailable, SigningKeys

#: The signing keys needed to validate an incoming token could not be fetched (503).
OpenIdMetadataUnavailable = KeysUnavailable


class _AsyncOpenIdMetadata(_OpenIdMetadata):
    """botframework-connector's key cache, as the product's one signing-key cache
    (:class:`signing_keys.SigningKeys`: fetched with aiohttp and a timeout, refreshed daily and
    at most hourly on an unknown key id, stale keys kept when a refresh fails, one fetch shared
    by concurrent requests, a failed fetch remembered for 30 s and logged once)."""

    def __init__(self, url: str):  # not the SDK's __init__: its state lives in signing_keys
        self.url = url
        self.signing_keys = SigningKeys(url)

    @property
    def last_updated(self) -> datetime:
        return self.signing_keys.last_updated

    @last_updated.setter
    def last_updated(self, value: datetime) -> None:
        self.signing_keys.last_updated = value

    @property
    def keys(self) -> list:
        return self.signing_keys.keys

    @keys.setter
    def keys(self, value: list) -> None:
        self.signing_keys.keys = value

    async def get(self, key_id: str) -> _OpenIdConfig:
        key = await self.signing_keys.get(key_id) if key_id else None
        if key is None:
            raise PermissionError("token signed with an unknown key")
        return _OpenIdConfig(RSAAlgorithm.from_jwk(json.dumps(key)), key.get("endorsements", []))


def _b64json(segment: str) -> dict:
    padded = segment + "=" * (-len(segment) % 4)
    value = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    if not isinstance(value, dict):
        raise ValueError("not a JSON object")
    return value


CLOCK_TOLERANCE = 5 * 60  # seconds, as botframework-connector's validation parameters


def _metadata_url_for(issuer: Any) -> str | None:
    """The OpenID metadata URL whose keys sign tokens of ``issuer`` (channel or emulator)."""
    if issuer in ChannelValidation.TO_BOT_FROM_CHANNEL_TOKEN_VALIDATION_PARAMETERS.issuer:
        return (ChannelValidation.open_id_metadata_endpoint
                or AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL)
    if issuer in EmulatorValidation.TO_BOT_FROM_EMULATOR_TOKEN_VALIDATION_PARAMETERS.issuer:
        return AuthenticationConstants.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL
    return None


async def verify_bearer(auth_header: str, app_id: str) -> None:
    """Check a Bot Framework bearer token without looking at the request body: its shape,
    algorithm (RS256/384/512), issuer (the channel or the emulator), audience (``app_id``) and
    lifetime first, with no I/O, so forged or expired tokens cost nothing; then its signature
    with the issuer's signing keys (fetched and cached by :class:`_AsyncOpenIdMetadata`).

    Raises ``PermissionError`` for a token that is not valid (401) and
    :class:`OpenIdMetadataUnavailable` when no signing key could be fetched (503). The checks
    that need the activity (``serviceurl`` claim, channel endorsements) are
    botframework-connector's, after the body is read.
    """
    scheme, _, value = (auth_header or "").partition(" ")
    parts = value.strip().split(".")
    if scheme != "Bearer" or len(parts) != 3 or not all(parts):
        raise PermissionError("no bearer token in the expected format")
    try:
        header, claims = _b64json(parts[0]), _b64json(parts[1])
    except (ValueError, UnicodeError, binascii.Error) as err:
        raise PermissionError("the token is not a JWT") from err
    algorithm = header.get("alg")
    if algorithm not in AuthenticationConstants.ALLOWED_SIGNING_ALGORITHMS:
        raise PermissionError("token signing algorithm not allowed")
    url = _metadata_url_for(claims.get("iss"))
    if url is None:
        raise PermissionError("token issuer not allowed")
    audience = claims.get("aud")
    if audience != app_id and not (isinstance(audience, list) and app_id in audience):
        raise PermissionError("token audience is not this bot")
    exp = claims.get("exp")
    if not isinstance(exp, (int, float)) or exp + CLOCK_TOLERANCE < time.time():
        raise PermissionError("token expired or without expiry")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise PermissionError("token without a key id")
    install_async_openid_metadata()
    metadata = JwtTokenExtractor.metadataCache.get(url)
    if not isinstance(metadata, _AsyncOpenIdMetadata):
        metadata = JwtTokenExtractor.metadataCache[url] = _AsyncOpenIdMetadata(url)
    key = await metadata.get(kid)  # PermissionError for an unknown key id
    try:
        jwt.decode(value.strip(), key.public_key, algorithms=[algorithm],
                   leeway=CLOCK_TOLERANCE, options={"verify_aud": False})
    except jwt.PyJWTError as err:
        raise PermissionError(f"token not valid: {type(err).__name__}") from err


def install_async_openid_metadata() -> None:
    """Make botframework-connector's token validation fetch its keys without blocking.

    The connector keeps one key cache per metadata URL in ``JwtTokenExtractor.metadataCache``;
    this puts an :class:`_AsyncOpenIdMetadata` there for the channel and emulator URLs in use
    (``ChannelValidation.open_id_metadata_endpoint`` overrides the channel URL, as in the SDK).
    """
    urls = (ChannelValidation.open_id_metadata_endpoint
            or AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL,
            AuthenticationConstants.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL)
    for url in urls:
        if not isinstance(JwtTokenExtractor.metadataCache.get(url), _AsyncOpenIdMetadata):
            JwtTokenExtractor.metadataCache[url] = _AsyncOpenIdMetadata(url)


__all__ = ["verify_bearer", "install_async_openid_metadata", "OpenIdMetadataUnavailable",
           "CLOCK_TOLERANCE"]
