"""Bot Framework layer of Co-op Assistant: the HTTP endpoint, the adapter and (later) the bot.

Public API (imported lazily, so ``import bot`` stays cheap for the CLI):

- :func:`create_adapter`, :class:`CoopAdapter` (``bot.adapter``): botbuilder's ``CloudAdapter``
  with connector reuse, working ``expectReplies`` and invoke responses, an apology on errors,
  and :meth:`CoopAdapter.send_proactive`.
- :class:`ChannelTransport` (``bot.transport``), :class:`ChannelSendError` and its subclasses :class:`ChannelThrottled` (429),
  :class:`ChannelForbidden` (403), :class:`ChannelNotFound` (404),
  :class:`ChannelUnreachable` (no HTTP answer), :class:`ChannelAuthError` (no token):
  what a send to a channel's ``serviceUrl`` raises.
- :func:`process_messages` (``bot.http``): ``POST /api/messages`` for any adapter and bot;
  :func:`handle_messages` is the route ``create_app()`` mounts, reading ``app[SERVICES]``.
- :class:`AdapterTransport`, :func:`production_transport` (``bot.proactive``): the reminder
  sender's ``Transport`` over the adapter (a proactive message straight to the channel).

The correlation id of the request being processed is kept in :data:`correlation_id`;
:class:`CorrelationIdFilter` puts it on every log record as ``%(correlation_id)s``.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from importlib import import_module

correlation_id: ContextVar[str] = ContextVar("correlation_id", default="-")


class CorrelationIdFilter(logging.Filter):
    """Adds ``record.correlation_id`` (the current request's id, or ``-``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.correlation_id = correlation_id.get()
        return True


_LAZY = {
    "CoopAdapter": "bot.adapter",
    "create_adapter": "bot.adapter",
    "ChannelTransport": "bot.transport",
    "ChannelSendError": "bot.transport",
    "ChannelThrottled": "bot.transport",
    "ChannelForbidden": "bot.transport",
    "ChannelNotFound": "bot.transport",
    "ChannelUnreachable": "bot.transport",
    "ChannelAuthError": "bot.transport",
    "OpenIdMetadataUnavailable": "bot.tokens",
    "AdapterTransport": "bot.proactive",
    "production_transport": "bot.proactive",
    "process_messages": "bot.http",
    "handle_messages": "bot.http",
    "SERVICES": "bot.http",
    "MAX_BODY_BYTES": "bot.http",
    "MAX_TEXT_CHARS": "bot.http",
}

__all__ = ["correlation_id", "CorrelationIdFilter", *_LAZY]


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'bot' has no attribute {name!r}")
    return getattr(import_module(module), name)
