"""Helpers for the bot and dialog tests: a Teams-like TestAdapter around the real bot on the
real SqlStorage (a SQLite file), and activity builders. (No tests here.)"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from botbuilder.core.adapters import TestAdapter
from botbuilder.schema import (Activity, ActivityTypes, ChannelAccount, ConversationAccount)

from bot.teams_bot import CoopBot, create_bot
from storage import Database, SqlStorage

BOT_ID = "28:coop-bot"
BOT_NAME = "Co-op (Bot) [β]"
USER_ID = "29:alice"
# 1 March 2025, 10:00 in Paris: inside the Feb 16 - Aug 15 2025 claiming window of H1 FY24/25
LOCAL_NOW = datetime(2025, 3, 1, 10, 0, tzinfo=timezone(timedelta(hours=1)))
UTC_NOW = LOCAL_NOW.astimezone(timezone.utc)


def template(conversation_type: str = "personal", conversation_id: str = "a:personal-1",
             bot_name: str = BOT_NAME, user_id: str = USER_ID) -> Activity:
    return Activity(channel_id="msteams", service_url="https://smba.example.test/emea/",
                    from_property=ChannelAccount(id=user_id, name="Alice", aad_object_id="aad-alice"),
                    recipient=ChannelAccount(id=BOT_ID, name=bot_name),
                    conversation=ConversationAccount(id=conversation_id, conversation_type=conversation_type,
                                                     tenant_id="tenant-1", is_group=conversation_type != "personal"),
                    channel_data={"tenant": {"id": "tenant-1"}})


def message(text: str | None = None, *, locale: str | None = "en-US", value: Any = None,
            entities: list | None = None, local: datetime | None = LOCAL_NOW) -> Activity:
    return Activity(type=ActivityTypes.message, text=text, locale=locale, value=value,
                    entities=entities, local_timestamp=local, local_timezone="Europe/Paris" if local else None)


def mention_entity(name: str = BOT_NAME, mentioned_id: str = BOT_ID) -> dict:
    return {"type": "mention", "text": f"<at>{name}</at>", "mentioned": {"id": mentioned_id, "name": name}}


@dataclass
class FakeReminders:
    """Records what the bot asked of the reminders service."""

    calls: list[tuple] = field(default_factory=list)
    active: bool = False

    async def subscribe(self, **kwargs):
        self.calls.append(("subscribe", kwargs))
        self.active = True
        return kwargs

    async def unsubscribe(self, user_id, conversation_id=None):
        self.calls.append(("unsubscribe", user_id))
        was, self.active = self.active, False
        return ["stopped"] if was else []

    async def get_subscription(self, user_id, conversation_id=None):
        self.calls.append(("get_subscription", user_id))
        return type("Sub", (), {"active": self.active})() if self.active else None

    async def refresh_reference(self, reference):
        self.calls.append(("refresh_reference", reference["conversation"]["id"]))
        return 0

    async def deactivate_conversation(self, conversation_id, **kwargs):
        self.calls.append(("deactivate_conversation", conversation_id))
        return 1

    async def forget_user(self, user_id):
        self.calls.append(("forget_user", user_id))
        self.active = False
        return {"subscriptions": 1}

    async def calendar_url(self, user_id, lang, locale):
        self.calls.append(("calendar_url", user_id, lang))
        return "https://coop.example.test/calendar/tok.ics"

    def names(self) -> list[str]:
        return [c[0] for c in self.calls]


class Client:
    """Drives one bot like a Teams client: send an activity, get everything the bot sent."""

    def __init__(self, bot: CoopBot, tmpl: Activity | None = None):
        self.bot = bot
        self.adapter = TestAdapter(bot.on_turn, tmpl or template())

    async def send(self, activity: Activity | str) -> list[Activity]:
        if isinstance(activity, str):
            activity = message(activity)
        await self.adapter.receive_activity(activity)
        out = []
        while (item := self.adapter.get_next_activity()) is not None:
            out.append(item)
        return out


async def sql_storage(path) -> tuple[Database, SqlStorage]:
    db = await Database.connect(f"sqlite:///{path}")
    storage = SqlStorage(db)
    await storage.initialize()
    return db, storage


def new_bot(storage, reminders=None, **kwargs) -> CoopBot:
    return create_bot(None, storage, reminders=reminders, clock=lambda: UTC_NOW, **kwargs)


def card_of(activity: Activity) -> dict | None:
    for att in activity.attachments or []:
        if att.content_type == "application/vnd.microsoft.card.adaptive":
            return att.content
    return None


def said(activity: Activity) -> str:
    """What a message says: its text, else its card's ``fallbackText`` (the whole answer)."""
    card = card_of(activity) or {}
    return activity.text or card.get("fallbackText") or ""


def said_json(activity: dict) -> str:
    """:func:`said` for an activity as JSON (an ``expectReplies`` body, a posted reply)."""
    for att in activity.get("attachments") or []:
        if att.get("contentType") == "application/vnd.microsoft.card.adaptive":
            return activity.get("text") or (att.get("content") or {}).get("fallbackText") or ""
    return activity.get("text") or ""


def texts_of(activities: list[Activity]) -> list[str]:
    return [said(a) for a in activities if a.type == ActivityTypes.message]
