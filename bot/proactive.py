"""The reminder sender's :class:`reminders.sender.Transport` over the bot adapter.

A reminder is Bot Framework JSON from the ledger to the wire: the stored conversation
reference (a dict) and the digest activity (a dict) go to
:meth:`bot.adapter.CoopAdapter.send_proactive_json`, which addresses the activity and POSTs it
to the conversation with ``MicrosoftAppId``'s token, without building msrest models or a
continuation turn. The adapter's typed channel errors become
:class:`~reminders.sender.SendError` (status, Bot Framework code, ``Retry-After``); nothing is
retried here, so the sender's policy is the only one in play.

This lives in ``bot/`` (it knows the adapter) and implements a seam ``reminders`` defines
(``reminders.sender.Transport``): ``reminders`` never imports ``bot``.
"""
from __future__ import annotations

import logging
from typing import Any, Optional

from reminders.sender import SendError, TransportAborted

from .adapter import CoopAdapter, create_adapter
from .transport import ChannelAuthError, ChannelSendError, ChannelTransport, ChannelUnreachable

logger = logging.getLogger(__name__)

__all__ = ["AdapterTransport", "production_transport"]


class AdapterTransport:
    """``reminders.sender.Transport`` over a :class:`~bot.adapter.CoopAdapter`."""

    def __init__(self, adapter: CoopAdapter, *, app_id: Optional[str] = None,
                 owns_adapter: bool = False) -> None:
        self.adapter = adapter
        self.app_id = app_id if app_id is not None else getattr(adapter, "app_id", "")
        self._owns_adapter = owns_adapter

    async def send(self, reference: dict, activity: dict) -> None:
        try:
            await self.adapter.send_proactive_json(reference, activity, bot_app_id=self.app_id)
        except ChannelAuthError as error:
            if error.credentials_rejected:
                raise TransportAborted(None, message=str(error), fatal=True) from error
            raise SendError(None, message=str(error)) from error
        except ChannelUnreachable as error:
            raise SendError(None, message=str(error), timeout=True) from error
        except ChannelSendError as error:
            raise SendError(error.status, code=error.code, retry_after=error.retry_after,
                            message=str(error)) from error

    async def close(self) -> None:
        """Close the adapter when this transport made it (:func:`production_transport`); an
        adapter passed in belongs to whoever built it (the server's composition root)."""
        if self._owns_adapter:
            await self.adapter.close()


def production_transport(settings: Any, *, timeout: Optional[float] = None) -> AdapterTransport:
    """An :class:`AdapterTransport` over a new adapter built from ``config.Settings`` (what
    ``python app.py notify`` uses; the server hands its own adapter to the transport)."""
    channel = ChannelTransport(timeout=timeout) if timeout is not None else None
    adapter = create_adapter(settings, transport=channel)
    return AdapterTransport(adapter, app_id=settings.app_id, owns_adapter=True)
