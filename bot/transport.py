"""The channel transport: activities POSTed (PUT, DELETE) to a channel's ``serviceUrl``.

One shared aiohttp session (:class:`ChannelTransport`) instead of msrest's ``requests`` in a
thread. msrest retried 5xx itself and then reported "too many 502 responses" without a status
code; here every failure is a typed :class:`ChannelSendError` carrying the status,
``Retry-After`` and the Bot Framework error code, and nothing is retried behind the caller
(except a request whose kept-alive connection closed before any answer, sent once more).

Used by :class:`bot.adapter.CoopAdapter` (turn replies, proactive sends) and by
:mod:`bot.proactive`; it knows no turn, no bot and no state.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import aiohttp
from botbuilder.schema import Activity, ResourceResponse
from botframework.connector.auth import AuthenticationConstants

from core.redact import log_id

from .channel_client import ChannelClient
from .wire import model_json

log = logging.getLogger(__name__)

USER_AGENT = "CoopAssistant (botbuilder-python 4.17)"
DEFAULT_SEND_TIMEOUT = 30.0


# --- errors ------------------------------------------------------------------------------------


class ChannelSendError(Exception):
    """A request to a channel's ``serviceUrl`` failed.

    ``status`` is the HTTP status (``None`` when there was no answer), ``code`` the Bot
    Framework error code from the body when one was given (e.g. ``ConversationBlockedByUser``,
    ``BotNotInConversationRoster``), ``retry_after`` the server's ``Retry-After`` in seconds.
    """

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None,
                 retry_after: float | None = None, method: str = "", url: str = ""):
        super().__init__(message)
        self.status = status
        self.code = code
        self.retry_after = retry_after
        self.method = method
        self.url = url

    @property
    def retryable(self) -> bool:
        """True for 412, 429, 502, 503, 504 and for no answer at all; other 4xx are final."""
        return self.status is None or self.status in (412, 429, 502, 503, 504)

    @property
    def conversation_gone(self) -> bool:
        """True when the bot can no longer post to this conversation (uninstalled, blocked)."""
        return self.status in (403, 404) or self.code in (
            "ConversationBlockedByUser", "BotNotInConversationRoster", "ConversationNotFound")


class ChannelThrottled(ChannelSendError):
    """429 Too Many Requests; wait ``retry_after`` seconds (when given) before retrying."""


class ChannelForbidden(ChannelSendError):
    """403: typically the user blocked the bot or the bot was removed from the conversation."""


class ChannelNotFound(ChannelSendError):
    """404: the conversation (or activity) does not exist any more."""


class ChannelUnreachable(ChannelSendError):
    """No HTTP answer (connection error or timeout). A timed-out POST may have been delivered."""


class ChannelAuthError(ChannelSendError):
    """No Bot Framework token could be obtained for the bot's credentials.

    Retryable unless Azure AD refused the credentials themselves (``credentials_rejected``).
    """

    def __init__(self, message: str, *, credentials_rejected: bool, **kwargs):
        super().__init__(message, **kwargs)
        self.credentials_rejected = credentials_rejected

    @property
    def retryable(self) -> bool:
        return not self.credentials_rejected


_ERRORS_BY_STATUS = {429: ChannelThrottled, 403: ChannelForbidden, 404: ChannelNotFound}


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP-date).

    >>> parse_retry_after("7")
    7.0
    >>> parse_retry_after("Wed, 21 Oct 2015 07:28:05 GMT",
    ...                   now=datetime(2015, 10, 21, 7, 28, tzinfo=timezone.utc))
    5.0
    >>> parse_retry_after("soon") is None
    True
    """
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


# --- outbound HTTP -----------------------------------------------------------------------------


#: How often one request is sent when the connection closes before any answer.
_SENDS_PER_REQUEST = 2
_CLOSED_BEFORE_ANSWER = (aiohttp.ServerDisconnectedError, aiohttp.ClientConnectionResetError)


class ChannelTransport:
    """Sends activities to a channel's ``serviceUrl`` over kept-alive connections
    (:class:`bot.channel_client.ChannelClient`, leaner than aiohttp's client session).

    The client is made on first use and closed by :meth:`close`. Tokens come from the
    botframework-connector credentials of the turn (MSAL, which caches them); fetching one may
    block, so it runs in a worker thread.
    """

    def __init__(self, *, timeout: float = DEFAULT_SEND_TIMEOUT):
        self._timeout = timeout
        self._client: ChannelClient | None = None

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None

    def _get_client(self) -> ChannelClient:
        if self._client is None or self._client.closed:
            self._client = ChannelClient(timeout=self._timeout, headers={"User-Agent": USER_AGENT})
        return self._client

    async def send_activity(self, activity: Activity, credentials: Any) -> ResourceResponse:
        """POST to ``.../activities/{replyToId}`` when the activity replies, else ``.../activities``."""
        url = activities_url(activity.service_url, activity.conversation.id, activity.reply_to_id)
        return await self._request("POST", url, credentials, activity.conversation.id, activity)

    async def update_activity(self, activity: Activity, credentials: Any) -> ResourceResponse:
        url = activities_url(activity.service_url, activity.conversation.id, activity.id)
        return await self._request("PUT", url, credentials, activity.conversation.id, activity)

    async def delete_activity(self, service_url: str, conversation_id: str, activity_id: str,
                              credentials: Any) -> None:
        url = activities_url(service_url, conversation_id, activity_id)
        await self._request("DELETE", url, credentials, conversation_id, None)

    async def post_json(self, url: str, credentials: Any, conversation_id: str,
                        activity: dict) -> ResourceResponse:
        """POST an activity that is already Bot Framework JSON (a proactive message)."""
        return await self._request("POST", url, credentials, conversation_id, None,
                                   body=json.dumps(activity))

    async def _request(self, method: str, url: str, credentials: Any, conversation_id: str,
                       activity: Activity | None, *, body: str | None = None) -> ResourceResponse:
        headers = {"Accept": "application/json", "x-ms-conversation-id": conversation_id}
        authorization = await _authorization(credentials, method, url)
        if authorization:
            headers["Authorization"] = authorization
        if activity is not None:
            body = json.dumps(model_json(activity))
        data = None
        if body is not None:
            headers["Content-Type"] = "application/json; charset=utf-8"
            data = body.encode()
        sends = 0
        while True:
            sends += 1
            try:
                answer = await self._get_client().request(method, url, headers, data)
                if 200 <= answer.status < 300:
                    return _resource_response(answer.body)
                raise _error_from_response(method, url, answer.status,
                                           answer.headers.get("retry-after"), answer.body)
            except (aiohttp.ClientError, asyncio.TimeoutError) as err:
                if isinstance(err, _CLOSED_BEFORE_ANSWER) and sends < _SENDS_PER_REQUEST:
                    # A kept-alive connection the server closed as we reused it (Node closes
                    # idle ones after 5 s, aiohttp keeps them 15 s): nothing was answered,
                    # so the request goes again, on another connection.
                    log.info("%s %s: the connection closed before an answer (%s); sending again",
                             method, shown_url(url), type(err).__name__)
                    continue
                # A timeout is never resent: that request may have been delivered.
                raise ChannelUnreachable(f"{method} {shown_url(url)}: no answer ({type(err).__name__})",
                                         method=method, url=url) from err


def activities_url(service_url: str | None, conversation_id: str,
                   activity_id: str | None = None) -> str:
    """The Bot Framework REST URL for a conversation's activities, ids percent-encoded.

    >>> activities_url("https://smba.trafficmanager.net/amer/", "19:a@thread.v2;messageid=1", "1")
    'https://smba.trafficmanager.net/amer/v3/conversations/19%3Aa%40thread.v2%3Bmessageid%3D1/activities/1'
    """
    parts = urlsplit(service_url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"not a usable serviceUrl: {service_url!r}")
    if not conversation_id:
        raise ValueError("a conversation id is required")
    url = f"{service_url.rstrip('/')}/v3/conversations/{quote(conversation_id, safe='')}/activities"
    return f"{url}/{quote(activity_id, safe='')}" if activity_id else url


_CONVERSATION_SEGMENT = re.compile(r"(/v3/conversations/)([^/?#]+)")


def shown_url(url: str) -> str:
    """``url`` fit for error messages and logs: the conversation id in it hashed
    (:func:`core.redact.log_id`), since it identifies a person's chat.

    >>> shown_url("https://smba.example/amer/v3/conversations/a%3A1/activities/7")
    'https://smba.example/amer/v3/conversations/id:2b2c40a6706d/activities/7'
    """
    return _CONVERSATION_SEGMENT.sub(lambda m: m.group(1) + log_id(unquote(m.group(2))), url)


async def _authorization(credentials: Any, method: str, url: str) -> str | None:
    app_id = getattr(credentials, "microsoft_app_id", None)
    if not app_id or app_id == AuthenticationConstants.ANONYMOUS_SKILL_APP_ID:
        return None  # local development: the channel (emulator, playground) expects no token
    try:
        token = await asyncio.to_thread(credentials.get_access_token)
    except Exception as err:  # MSAL or network failure, reported to the sender with a type
        # botframework-connector raises PermissionError when Azure AD refuses the credentials.
        raise ChannelAuthError(f"{method} {shown_url(url)}: could not obtain a Bot Framework token "
                               f"({type(err).__name__}: {err})",
                               credentials_rejected=isinstance(err, PermissionError),
                               method=method, url=url) from err
    return f"Bearer {token}"


def _resource_response(payload: bytes) -> ResourceResponse:
    if not payload.strip():
        return ResourceResponse()
    try:
        data = json.loads(payload)
    except ValueError:
        log.warning("channel answered 2xx with a body that is not JSON; ignoring it")
        return ResourceResponse()
    return ResourceResponse(id=data.get("id")) if isinstance(data, dict) else ResourceResponse()


def _error_from_response(method: str, url: str, status: int, retry_after: str | None,
                         payload: bytes) -> ChannelSendError:
    code = None
    detail = ""
    try:
        error = json.loads(payload).get("error") or {}
        code = error.get("code")
        detail = str(error.get("message") or "")[:200]
    except (ValueError, AttributeError):
        pass  # not a Bot Framework error body ({"error": {...}}): the status says it all
    cls = _ERRORS_BY_STATUS.get(status, ChannelSendError)
    message = f"{method} {shown_url(url)}: HTTP {status}" + (f" {code}" if code else "") + (
        f": {detail}" if detail else "")
    return cls(message, status=status, code=code, retry_after=parse_retry_after(retry_after),
               method=method, url=url)


__all__ = ["ChannelTransport", "ChannelSendError", "ChannelThrottled", "ChannelForbidden",
           "ChannelNotFound", "ChannelUnreachable", "ChannelAuthError", "activities_url",
           "shown_url", "parse_retry_after", "USER_AGENT", "DEFAULT_SEND_TIMEOUT"]
