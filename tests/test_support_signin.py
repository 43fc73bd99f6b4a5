"""Starting a sign-in (``GET /support/login``, reachable by anyone): cheap, rate limited per
client address, and the pending sign-ins it stores are bounded. The real app on loopback with
the loopback issuer of test_support_api."""
from __future__ import annotations

import ssl

import httpx
from aiohttp import ClientSession, DummyCookieJar, TCPConnector

from test_support_api import issuer, oidc_env, start_desk  # noqa: F401 (fixtures)


async def pending_logins(desk) -> int:
    from support.routes import DESK

    row = await desk.server.app[DESK].db.fetchrow("SELECT COUNT(*) AS n FROM support_logins")
    return row["n"]


async def test_starting_a_sign_in_makes_no_http_client_nor_tls_context(start_desk, issuer, monkeypatch):
    desk = await start_desk(oidc_env(issuer))
    first = await desk.http.get(desk.base + "/support/login", allow_redirects=False)
    assert first.status == 302  # the issuer's discovery document is read (and cached) here
    made = {"clients": 0, "tls": 0}
    client_init = httpx.AsyncClient.__init__
    tls_context = ssl.create_default_context

    def counting_client(self, *args, **kwargs):
        made["clients"] += 1
        client_init(self, *args, **kwargs)

    def counting_tls(*args, **kwargs):
        made["tls"] += 1
        return tls_context(*args, **kwargs)

    monkeypatch.setattr(httpx.AsyncClient, "__init__", counting_client)
    monkeypatch.setattr(ssl, "create_default_context", counting_tls)
    for _ in range(5):
        response = await desk.http.get(desk.base + "/support/login", allow_redirects=False)
        assert response.status == 302 and response.headers["Location"].startswith(issuer.url)
        assert "code_challenge=" in response.headers["Location"]
    assert made == {"clients": 0, "tls": 0}


async def test_sign_in_starts_are_rate_limited_per_client_address(start_desk, issuer):
    desk = await start_desk({**oidc_env(issuer), "SUPPORT_LOGIN_RATE_PER_MINUTE": "3"})
    statuses = []
    for _ in range(4):
        response = await desk.http.get(desk.base + "/support/login", allow_redirects=False,
                                       headers={"Accept-Language": "fr"})
        statuses.append(response.status)
    assert statuses == [302, 302, 302, 429]
    assert int(response.headers["Retry-After"]) >= 1
    assert "connexion" in (await response.text()).lower()  # the page's language
    assert await pending_logins(desk) == 3  # the refused one stored nothing
    # another address is not held back by the first one's attempts
    other = ClientSession(connector=TCPConnector(local_addr=("127.0.0.2", 0)),
                          cookie_jar=DummyCookieJar())
    try:
        response = await other.get(desk.base + "/support/login", allow_redirects=False)
        assert response.status == 302
    finally:
        await other.close()


def test_the_sign_in_rate_refills_with_time():
    from support.ratelimit import RateLimiter

    now = [1000.0]
    limiter = RateLimiter(per_minute=2, clock=lambda: now[0], max_keys=3)
    assert limiter.take("a") == 0 and limiter.take("a") == 0
    wait = limiter.take("a")
    assert 0 < wait <= 30
    now[0] += wait
    assert limiter.take("a") == 0
    for key in ("b", "c", "d", "e"):  # more addresses than it keeps: the oldest are forgotten
        limiter.take(key)
    assert len(limiter) <= 3


def test_the_sign_in_rate_is_a_setting_with_a_default():
    import pytest

    from config import ConfigError, Settings

    assert Settings.from_env({}, dotenv_path=None).support_login_rate_per_minute == 20
    assert Settings.from_env({"SUPPORT_LOGIN_RATE_PER_MINUTE": "5"},
                             dotenv_path=None).support_login_rate_per_minute == 5
    for bad in ("0", "-1", "many"):
        with pytest.raises(ConfigError, match="SUPPORT_LOGIN_RATE_PER_MINUTE"):
            Settings.from_env({"SUPPORT_LOGIN_RATE_PER_MINUTE": bad}, dotenv_path=None)


async def test_pending_sign_ins_are_bounded_and_expired_ones_purged(start_desk, issuer, monkeypatch,
                                                                     scratch):
    from support import store

    monkeypatch.setattr(store, "MAX_PENDING_LOGINS", 5)
    db = await scratch.connect()
    await store.migrate(db)
    desk = await start_desk({**oidc_env(issuer), "SUPPORT_LOGIN_RATE_PER_MINUTE": "1000"}, db=db)
    await db.execute("INSERT INTO support_logins (key_hash, state, verifier, nonce, return_to, "
                     "expires_at) VALUES ('old', 's', 'v', 'n', '/support', 1)")
    for _ in range(12):
        assert (await desk.http.get(desk.base + "/support/login", allow_redirects=False)).status == 302
    assert await pending_logins(desk) == 5
    assert await db.fetchrow("SELECT key_hash FROM support_logins WHERE key_hash = 'old'") is None
    # the newest sign-in is among those kept: it can finish
    response = await desk.http.get(desk.base + "/support/login", allow_redirects=False)
    cookie = response.headers["Set-Cookie"].split(";")[0].split("=", 1)[1]
    assert await store.take_login(db, cookie) is not None
    await desk.server.close()
    await db.close()
