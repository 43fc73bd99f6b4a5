"""The signing keys of OpenID issuers, for every bearer-token check in the product: the bot's
(Bot Framework channel and emulator tokens, through botframework-connector's validation) and
the support desk's (Entra ID access tokens). One cache, one behaviour:

- an issuer's discovery document and JWKS are fetched with aiohttp (never a blocking call on
  the event loop), with a timeout, refreshed daily, and at most hourly for a key id not seen
  yet (a rotated key);
- concurrent checks that need a fetch share the one in flight: none waits behind another's
  fetch under a lock, and a burst of forged tokens is one request to the issuer;
- a failed fetch (connection refused, timeout, a document that is not what it should be) is
  remembered for :attr:`SigningKeys.failure_cache`: meanwhile no check tries again, and a
  check that has no key to use fails at once with :class:`KeysUnavailable` (the callers answer
  503); keys already cached stay in use while the issuer is down.

Imports no project package (aiohttp only).
"""
from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import Any

import aiohttp

log = logging.getLogger(__name__)


class KeysUnavailable(Exception):
    """No signing key could be fetched from the issuer; ``retry_after`` is the number of
    seconds until the next attempt (the rest of the failure memory)."""

    def __init__(self, message: str, retry_after: float = 0.0) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class SigningKeys:
    """One issuer's discovery document and signing keys (JWKS), from ``metadata_url``.

    ``issuer``, when given, must be the ``issuer`` the discovery document names (OpenID
    Connect Discovery, section 4.3), else the document is refused as a failed fetch.
    """

    timeout = aiohttp.ClientTimeout(total=10, connect=5)
    refresh_every = timedelta(days=1)
    unknown_key_refresh = timedelta(hours=1)
    retry_after_failure = timedelta(minutes=5)  # cached keys are kept this long after a failed refresh
    failure_cache = timedelta(seconds=30)

    def __init__(self, metadata_url: str, *, issuer: str | None = None) -> None:
        self.url = metadata_url
        self.issuer = issuer.rstrip("/") if issuer else None
        self.document: dict[str, Any] | None = None
        self.keys: list[dict[str, Any]] = []
        self.last_updated = datetime.min
        self._fetch: asyncio.Future | None = None
        self._failed_at: datetime | None = None
        self._failure: KeysUnavailable | None = None

    # --- what the checks ask -------------------------------------------------------------------

    async def metadata(self) -> dict[str, Any]:
        """The discovery document (authorization and token endpoints, ...)."""
        now = datetime.now()
        if self.document is None or self.last_updated < now - self.refresh_every:
            await self._refresh_or_keep(now)
        if self.document is None:  # pragma: no cover - a refresh either loads one or raises
            raise KeysUnavailable(f"no discovery document from {self.url}")
        return self.document

    async def get(self, kid: str | None) -> dict[str, Any] | None:
        """The JWK with key id ``kid`` (the only key when ``kid`` is None and there is one),
        or None when the issuer does not publish it. Raises :class:`KeysUnavailable` when no
        key could be fetched."""
        now = datetime.now()
        if self.last_updated < now - self.refresh_every:
            await self._refresh_or_keep(now)
        key = self._find(kid)
        if key is None and self.last_updated < now - self.unknown_key_refresh:
            await self._refresh_or_keep(now)
            key = self._find(kid)
        return key

    def _find(self, kid: str | None) -> dict[str, Any] | None:
        keys = [k for k in self.keys if isinstance(k, dict)]
        if kid is None:
            return keys[0] if len(keys) == 1 else None
        return next((k for k in keys if k.get("kid") == kid), None)

    # --- fetching ------------------------------------------------------------------------------

    async def _refresh_or_keep(self, now: datetime) -> None:
        if self._failed_at is not None:
            left = (self._failed_at + self.failure_cache - datetime.now()).total_seconds()
            if left > 0:
                if not self.keys:
                    raise KeysUnavailable(str(self._failure), retry_after=left)
                return  # the cached keys serve until the failure is old enough to retry
        if self._fetch is None:
            self._fetch = asyncio.ensure_future(self._refresh_once())
            # retrieved here, so that a fetch whose waiters all went away logs nothing more
            self._fetch.add_done_callback(lambda f: f.cancelled() or f.exception())
        # shield: a request that goes away does not cancel the fetch the others wait for
        await asyncio.shield(self._fetch)

    async def _refresh_once(self) -> None:
        try:
            await self._load()
            self._failed_at = self._failure = None
        except KeysUnavailable as err:
            self._failed_at, self._failure = datetime.now(), err
            err.retry_after = self.failure_cache.total_seconds()
            if not self.keys:
                log.error("cannot validate tokens: no signing keys could be fetched from %s "
                          "(%s); answering 503 for %d s before trying again", self.url, err,
                          self.failure_cache.total_seconds())
                raise
            log.warning("could not refresh signing keys from %s (%s); keeping the cached ones",
                        self.url, err)
            self.last_updated = datetime.now() - self.refresh_every + self.retry_after_failure
        finally:
            self._fetch = None

    async def _load(self) -> None:
        try:
            async with aiohttp.ClientSession(timeout=self.timeout) as session:
                async with session.get(self.url) as response:
                    response.raise_for_status()
                    document = await response.json(content_type=None)
                if not isinstance(document, dict):
                    raise ValueError("the discovery document is not a JSON object")
                if self.issuer is not None and str(document.get("issuer", "")).rstrip("/") != self.issuer:
                    raise ValueError(f"the discovery document names another issuer "
                                     f"({document.get('issuer')!r})")
                async with session.get(document["jwks_uri"]) as response:
                    response.raise_for_status()
                    keys = (await response.json(content_type=None))["keys"]
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError, ValueError, KeyError,
                TypeError) as err:
            raise KeysUnavailable(f"cannot load signing keys from {self.url}: "
                                  f"{type(err).__name__}: {err}") from err
        if not isinstance(keys, list):
            raise KeysUnavailable(f"{self.url}: 'keys' is not a list")
        self.document, self.keys, self.last_updated = document, keys, datetime.now()
