"""Proactive sends (what reminders use) and the typed errors a channel's answers become.

The channel is a real aiohttp server on loopback (``fake_channel``); the adapter is the one
``create_app`` would build.
"""

import pytest
from botbuilder.core import ActivityHandler, MessageFactory, TurnContext
from botbuilder.schema import ChannelAccount, ConversationAccount, ConversationReference

from bot.adapter import create_adapter
from bot.transport import (
    ChannelAuthError,
    ChannelForbidden,
    ChannelNotFound,
    ChannelSendError,
    ChannelThrottled,
    ChannelUnreachable,
)
from config import Settings

LOCAL = Settings()


def reference(service_url, conversation_id="a:1Xyz"):
    return ConversationReference(
        channel_id="msteams", service_url=service_url,
        conversation=ConversationAccount(id=conversation_id, tenant_id="tenant-1"),
        bot=ChannelAccount(id="28:bot-1"), user=ChannelAccount(id="29:user-1"))


@pytest.fixture
async def adapter():
    async with create_adapter(LOCAL) as the_adapter:
        yield the_adapter


async def test_send_proactive_posts_to_the_conversation(adapter, fake_channel):
    responses = await adapter.send_proactive(reference(fake_channel.service_url),
                                             ["Your claim window closes in 7 days.",
                                              MessageFactory.text("second")])
    assert [r.id for r in responses] == ["sent-1", "sent-2"]
    first, second = fake_channel.requests
    assert first["method"] == "POST"
    assert first["path"] == "/amer/v3/conversations/a%3A1Xyz/activities"  # no replyToId
    assert first["json"]["text"] == "Your claim window closes in 7 days."
    assert "replyToId" not in first["json"]
    assert first["json"]["from"]["id"] == "28:bot-1"
    assert first["json"]["recipient"]["id"] == "29:user-1"
    assert second["json"]["text"] == "second"
    assert first["authorization"] is None


async def test_send_proactive_uses_the_bot_token(fake_channel, credentials_factory):
    settings = Settings(app_id=credentials_factory.app_id, app_password="secret")
    async with create_adapter(settings, credentials_factory=credentials_factory) as secured:
        await secured.send_proactive(reference(fake_channel.service_url), "hello")
        await secured.send_proactive(reference(fake_channel.service_url), "again")
    assert [r["authorization"] for r in fake_channel.requests] == ["Bearer outbound-token"] * 2
    assert credentials_factory.created == 2  # connector + user-token client, once


async def test_continue_conversation_with_a_callback_works(adapter, fake_channel):
    seen = []

    async def callback(turn_context: TurnContext):
        seen.append(turn_context.activity.name)
        await turn_context.send_activity("from the callback")

    await adapter.continue_conversation(reference(fake_channel.service_url), callback, "")
    assert seen == ["ContinueConversation"]
    assert fake_channel.posted[0]["text"] == "from the callback"


@pytest.mark.parametrize("status, body, headers, error_type, retryable, gone", [
    (429, {"error": {"code": "Throttled"}}, {"Retry-After": "3"}, ChannelThrottled, True, False),
    (403, {"error": {"code": "ConversationBlockedByUser", "message": "User blocked the bot"}},
     {}, ChannelForbidden, False, True),
    (404, {"error": {"code": "ConversationNotFound"}}, {}, ChannelNotFound, False, True),
    (412, {"error": {"code": "PreconditionFailed"}}, {}, ChannelSendError, True, False),
    (502, {}, {}, ChannelSendError, True, False),
    (503, {}, {"Retry-After": "1"}, ChannelSendError, True, False),
    (400, {"error": {"code": "BadArgument"}}, {}, ChannelSendError, False, False),
    (401, {}, {}, ChannelSendError, False, False),
])
async def test_channel_answers_become_typed_errors(adapter, fake_channel, status, body, headers,
                                                   error_type, retryable, gone):
    fake_channel.answers = [(status, body, headers)]
    with pytest.raises(error_type) as info:
        await adapter.send_proactive(reference(fake_channel.service_url), "reminder")
    error = info.value
    assert error.status == status
    assert error.code == (body.get("error") or {}).get("code")
    assert error.retryable is retryable
    assert error.conversation_gone is gone
    assert error.retry_after == (float(headers["Retry-After"]) if headers else None)
    # nothing retried behind the caller's back, and no apology sent to the user
    assert len(fake_channel.requests) == 1


async def test_retry_after_as_an_http_date(adapter, fake_channel):
    fake_channel.answers = [(429, {}, {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})]
    with pytest.raises(ChannelThrottled) as info:
        await adapter.send_proactive(reference(fake_channel.service_url), "x")
    assert info.value.retry_after == 0.0  # a date in the past: retry now


async def test_channel_unreachable(adapter, fake_channel):
    service_url = "http://127.0.0.1:9/"  # the discard port: nothing listens, connection refused
    with pytest.raises(ChannelUnreachable) as info:
        await adapter.send_proactive(reference(service_url), "x")
    assert info.value.status is None and info.value.retryable


async def test_token_refused_by_azure_ad_is_a_final_auth_error(fake_channel, credentials_factory):
    class Refused(type(credentials_factory)):
        async def create_credentials(self, *args, **kwargs):
            credentials = await super().create_credentials(*args, **kwargs)

            def refuse(force_refresh=False):
                raise PermissionError("invalid_client")

            credentials.get_access_token = refuse
            return credentials

    refusing = Refused()
    settings = Settings(app_id=refusing.app_id, app_password="wrong")
    async with create_adapter(settings, credentials_factory=refusing) as secured:
        with pytest.raises(ChannelAuthError) as info:
            await secured.send_proactive(reference(fake_channel.service_url), "x")
    assert info.value.credentials_rejected and not info.value.retryable
    assert fake_channel.requests == []


async def test_proactive_errors_reach_the_turn_error_hook_and_the_caller(fake_channel):
    hooked = []

    async def hook(turn_context, error):
        hooked.append(error.status)

    fake_channel.answers = [(403, {"error": {"code": "BotNotInConversationRoster"}}, {})]
    async with create_adapter(LOCAL, on_turn_error=hook) as the_adapter:
        with pytest.raises(ChannelForbidden) as info:
            await the_adapter.send_proactive(reference(fake_channel.service_url), "x")
    assert info.value.code == "BotNotInConversationRoster" and info.value.conversation_gone
    assert hooked == [403]


@pytest.mark.parametrize("bad", [
    reference(None),
    reference("not a url"),
    reference("http://127.0.0.1:9/", conversation_id=None),
])
async def test_unusable_references_are_refused_before_sending(adapter, bad):
    with pytest.raises(ValueError):
        await adapter.send_proactive(bad, "x")


class EditingBot(ActivityHandler):
    async def on_message_activity(self, turn_context):
        sent = await turn_context.send_activity("draft")
        update = MessageFactory.text("final")
        update.id = sent.id
        await turn_context.update_activity(update)
        await turn_context.delete_activity(sent.id)


async def test_update_and_delete_go_to_the_activity_url(bot_client, fake_channel):
    client = await bot_client(EditingBot())
    response = await client.post("/api/messages", json=fake_channel.activity())
    assert response.status == 200
    assert [(r["method"], r["path"]) for r in fake_channel.requests] == [
        ("POST", "/amer/v3/conversations/a%3A1Xyz%3Bmessageid%3D1/activities/in-1"),
        ("PUT", "/amer/v3/conversations/a%3A1Xyz%3Bmessageid%3D1/activities/sent-1"),
        ("DELETE", "/amer/v3/conversations/a%3A1Xyz%3Bmessageid%3D1/activities/sent-1"),
    ]
    assert fake_channel.requests[1]["json"]["text"] == "final"
