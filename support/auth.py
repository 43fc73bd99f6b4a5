"""Sign-in for the support desk: OpenID Connect (Microsoft Entra ID or any OIDC issuer).

- Browser: authorization code flow with PKCE (S256), ``state`` and ``nonce``: the
  authorization URL formatted by authlib's functions (no client per sign-in start), the code
  exchanged through authlib's async OAuth 2 client (httpx); the ID token is verified here
  against the issuer's JWKS (signature, ``iss``, ``aud``, ``exp``, ``nonce``) with PyJWT.
- Discovery document and JWKS: the product's one signing-key cache (:mod:`signing_keys`, the
  bot's too); when the issuer cannot be reached it raises ``KeysUnavailable`` (the routes answer
  503), fast once a failure is remembered.
- Scripts: ``Authorization: Bearer <access token>`` issued by the same issuer for this app
  (``aud`` = the client id or ``api://<client id>``), verified against the same JWKS.
- Authorisation: the token's ``groups`` claim (group object ids) or ``roles`` claim (app roles)
  must hold ``SUPPORT_ALLOWED_GROUP``.

Why authlib, not msal (both pinned): msal's calls are synchronous (requests), so every call
would need a thread next to the event loop; since 1.38 msal no longer verifies the ID token,
so the verification would be ours anyway; and msal accepts only https authorities, so it could
not be tested against a real OpenID provider on loopback. authlib's httpx client is async and
standard OIDC, and speaks to Entra ID as to any other issuer.
"""
from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from typing import Any

import warnings

import authlib.deprecate  # noqa: F401 - installs its "always" filter first, so ours below wins
import jwt

with warnings.catch_warnings():
    # authlib 1.9 announces it will prefer the httpx2 package some day; httpx is what is pinned.
    warnings.filterwarnings("ignore", message="The httpx module is deprecated")
    from authlib.integrations.httpx_client import AsyncOAuth2Client
from authlib.common.security import generate_token
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge

from signing_keys import KeysUnavailable, SigningKeys
from understanding import messages, registry

from . import store

__all__ = ["AuthError", "Identity", "KeysUnavailable", "OidcProvider"]

log = logging.getLogger(__name__)

LEEWAY_SECONDS = 120
ALGORITHMS = ["RS256", "RS384", "RS512", "ES256", "PS256"]
SCOPE = "openid profile email"


class AuthError(Exception):
    """Sign-in or token verification failed; ``status`` is 401 (who are you?) or 403 (not
    allowed). ``key`` names the catalogue sentence (``support.api.<key>``, filled with
    ``params``): ``str(err)`` is the English one (for the log), :meth:`text` the asker's
    language. The message is safe to show (no token content)."""

    def __init__(self, key: str, status: int = 401, **params: Any) -> None:
        self.key, self.params, self.status = key, params, status
        super().__init__(self.text(registry.DEFAULT))

    def text(self, lang: str | None) -> str:
        return messages.t(lang, "support.api." + self.key, **self.params)


@dataclass(frozen=True)
class Identity:
    user_hash: str
    display_name: str


class OidcProvider:
    def __init__(self, issuer: str, client_id: str, client_secret: str, allowed_group: str, *,
                 timeout: float = 10.0) -> None:
        self.issuer = issuer.rstrip("/")
        self.client_id = client_id
        self.client_secret = client_secret
        self.allowed_group = allowed_group
        self.timeout = timeout
        # the product's one signing-key cache (the bot's too): discovery document and JWKS,
        # failures remembered, one fetch shared by concurrent checks
        self.signing_keys = SigningKeys(f"{self.issuer}/.well-known/openid-configuration",
                                        issuer=self.issuer)

    async def close(self) -> None:
        """Nothing held open between requests (each fetch has its own session)."""

    # --- discovery -----------------------------------------------------------------------------

    async def metadata(self) -> dict[str, Any]:
        """The issuer's discovery document; raises ``KeysUnavailable`` when it cannot be had."""
        return await self.signing_keys.metadata()

    async def _key(self, kid: str | None) -> jwt.PyJWK:
        data = await self.signing_keys.get(kid)
        if data is None:
            raise AuthError("token_unknown_key")
        try:
            return jwt.PyJWK(data)
        except jwt.PyJWTError:  # a key type we do not use (e.g. an encryption key)
            raise AuthError("token_unknown_key") from None

    async def _verify(self, token: str, audience: list[str], nonce: str | None = None) -> dict:
        try:
            header = jwt.get_unverified_header(token)
        except (jwt.PyJWTError, UnicodeError, ValueError):
            raise AuthError("token_malformed") from None
        kid = header.get("kid")
        key = await self._key(kid if isinstance(kid, str) else None)
        try:
            claims = jwt.decode(token, key=key.key, algorithms=ALGORITHMS, audience=audience,
                                issuer=self.issuer, leeway=LEEWAY_SECONDS,
                                options={"require": ["exp", "iss", "aud"]})
        except jwt.PyJWTError as err:
            raise AuthError("token_invalid", error=str(err)) from None
        if nonce is not None and not secrets.compare_digest(str(claims.get("nonce", "")), nonce):
            raise AuthError("nonce")
        return claims

    # --- authorisation -------------------------------------------------------------------------

    def identity(self, claims: dict[str, Any]) -> Identity:
        """Check the group/app role; the hashed user id (Entra's ``oid``, else ``sub``)."""
        subject = claims.get("oid") or claims.get("sub")
        if not subject:
            raise AuthError("token_no_user")
        groups = claims.get("groups") or []
        roles = claims.get("roles") or []
        if self.allowed_group not in [*groups, *roles]:
            if "groups" in (claims.get("_claim_names") or {}):
                log.warning("support sign-in refused: the token has too many groups to list them "
                            "(group overage); assign an app role named by SUPPORT_ALLOWED_GROUP")
            raise AuthError("not_allowed", 403)
        name = claims.get("name") or claims.get("preferred_username") or claims.get("email") or ""
        return Identity(store.user_hash(self.issuer, str(subject)), str(name))

    async def verify_bearer(self, token: str) -> Identity:
        claims = await self._verify(token, [self.client_id, f"api://{self.client_id}"])
        return self.identity(claims)

    # --- authorization code flow with PKCE -----------------------------------------------------

    def _client(self, redirect_uri: str) -> AsyncOAuth2Client:
        return AsyncOAuth2Client(client_id=self.client_id, client_secret=self.client_secret,
                                 scope=SCOPE, redirect_uri=redirect_uri,
                                 code_challenge_method="S256", timeout=self.timeout,
                                 token_endpoint_auth_method="client_secret_post")

    async def start(self, redirect_uri: str, return_to: str) -> tuple[str, store.Login]:
        """The URL to send the browser to, and what the callback must find again.

        Built with authlib's own functions (what its client's ``create_authorization_url``
        calls), not with a client: this route is open to anyone, and an OAuth client is an
        httpx client with its own TLS context (~35 ms of CPU) only to format a URL."""
        metadata = await self.metadata()
        verifier = secrets.token_urlsafe(48)
        nonce = secrets.token_urlsafe(24)
        state = generate_token()
        url = prepare_grant_uri(metadata["authorization_endpoint"], client_id=self.client_id,
                                response_type="code", redirect_uri=redirect_uri, scope=SCOPE,
                                state=state, code_challenge=create_s256_code_challenge(verifier),
                                code_challenge_method="S256", nonce=nonce)
        return url, store.Login(state=state, verifier=verifier, nonce=nonce, return_to=return_to)

    async def finish(self, redirect_uri: str, login: store.Login, code: str) -> Identity:
        metadata = await self.metadata()
        async with self._client(redirect_uri) as client:
            try:
                token = await client.fetch_token(metadata["token_endpoint"], code=code,
                                                 code_verifier=login.verifier)
            except Exception as err:  # authlib's OAuthError or an HTTP error: sign-in failed
                raise AuthError("code_refused", error=str(err)) from None
        id_token = token.get("id_token")
        if not id_token:
            raise AuthError("no_id_token")
        claims = await self._verify(id_token, [self.client_id], nonce=login.nonce)
        return self.identity(claims)
