"""The production transport: the bot adapter's proactive send (``continue_conversation`` with the
app id), its typed channel errors translated to :class:`~reminders.sender.SendError`.

``bot.adapter.CoopAdapter.send_proactive(reference, activities, bot_app_id=...)`` runs a
``continue_conversation`` turn with ``MicrosoftAppId`` and raises ``ChannelSendError``
subclasses carrying the HTTP status, the Bot Framework error code and ``Retry-After``; it
retries nothing itself, so the reminder sender's policy is the only one in play.
"""
from __future__ import annotations

import logging
from typing import Any, Optional

from .sender import SendError

logger = logging.getLogger(__name__)


class TransportAborted(SendError):
    """A failure that no retry will fix within this sweep (e.g. Azure AD refused the bot's
    credentials): the sweep stops and leaves its rows pending for the next one."""


class AdapterTransport:
    """``Transport`` over a ``bot.adapter.CoopAdapter`` (or anything with ``send_proactive``)."""

    def __init__(self, adapter: Any, *, app_id: Optional[str] = None) -> None:
        self.adapter = adapter
        self.app_id = app_id if app_id is not None else getattr(adapter, "app_id", "")

    async def send(self, reference: dict, activity: dict) -> None:
        from botbuilder.schema import Activity, ConversationReference

        from bot.adapter import ChannelAuthError, ChannelSendError, ChannelUnreachable

        ref = ConversationReference().deserialize(reference)
        act = Activity().deserialize(activity)
        if activity.get("entities"):
            # msrest's Entity keeps only "type": a mention needs its own model to keep who
            from botbuilder.schema import Entity, Mention

            act.entities = [Mention().deserialize(e) if e.get("type") == "mention"
                            else Entity().deserialize(e) for e in activity["entities"]]
        try:
            await self.adapter.send_proactive(ref, act, bot_app_id=self.app_id)
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
        close = getattr(self.adapter, "close", None)
        if close is not None:
            await close()


def production_transport(settings: Any, *, timeout: Optional[float] = None) -> AdapterTransport:
    """An :class:`AdapterTransport` over a new adapter built from ``config.Settings``
    (what ``python app.py notify`` uses; the server passes its own adapter instead)."""
    from bot.adapter import ChannelTransport, create_adapter

    channel = ChannelTransport(timeout=timeout) if timeout is not None else None
    adapter = create_adapter(settings, transport=channel)
    return AdapterTransport(adapter, app_id=settings.app_id)
