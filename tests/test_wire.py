"""bot.wire.model_json gives exactly what msrest gives (request body and serializer_helper)."""
from __future__ import annotations

import copy
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from botbuilder.core import InvokeResponse, TurnContext, serializer_helper
from botbuilder.schema import (Activity, ActivityTypes, Attachment, CardAction, ChannelAccount,
                               ConversationAccount, Entity, Mention, SuggestedActions)
from botbuilder.schema.teams import TeamsChannelData, TenantInfo

from bench.common import QUESTIONS
from bot import cards
from bot.adapter import _ACTIVITY_SERIALIZER, activity_json
from bot.wire import model_json
from understanding import respond
from understanding.reply import Reply

TODAY = date(2026, 11, 27)


def incoming(text: str = "hi", lang: str = "en") -> Activity:
    return Activity(
        type="message", id="1a", text=text, locale="fr-CA" if lang == "fr" else "en-US",
        channel_id="msteams", service_url="https://smba.example/amer/",
        timestamp=datetime(2026, 11, 27, 9, 30, 1, 120000, tzinfo=timezone.utc),
        local_timestamp=datetime(2026, 11, 27, 4, 30, 1, tzinfo=timezone(timedelta(hours=-5))),
        local_timezone="America/Toronto",
        from_property=ChannelAccount(id="29:u", name="Partner", aad_object_id="aad"),
        recipient=ChannelAccount(id="28:bot", name="Co-op Assistant"),
        conversation=ConversationAccount(id="a:conv", conversation_type="personal", tenant_id="t"),
        entities=[Entity(type="clientInfo"), Mention(mentioned=ChannelAccount(id="28:bot"),
                                                     text="<at>Co-op</at>", type="mention")],
        channel_data={"tenant": {"id": "t"}, "n": [1, 2.5, True, None]})


def outgoing(activity: Activity) -> Activity:
    """As TurnContext.send_activities prepares a reply."""
    reply = copy.deepcopy(activity)
    reply = TurnContext.apply_conversation_reference(
        reply, TurnContext.get_conversation_reference(incoming()))
    reply.input_hint = reply.input_hint or "acceptingInput"
    return reply


def replies() -> list[Activity]:
    out = []
    for lang, text in QUESTIONS:
        reply = respond(text, locale="fr-CA" if lang == "fr" else "en-CA", today=TODAY)
        out.append(outgoing(cards.reply_activity(reply, "en-CA")))
    out.append(outgoing(cards.welcome_activity(
        Reply(lang="en", intent="welcome", text="Hello", suggestions=["a", "b"]), "en-US")))
    out.append(outgoing(cards.confirm_activity("Sure?", "fr", "fr-CA")))
    out.append(outgoing(cards.text_activity("plain", "en", None)))
    return out


def odd_activities() -> list[Activity]:
    base = incoming()
    with_models_in_object = incoming()
    with_models_in_object.value = {"when": datetime(2026, 1, 2, tzinfo=timezone.utc),
                                   "amount": Decimal("1.5"), "who": ChannelAccount(id="x"),
                                   "tuple": (1, 2), 3: "int key"}
    typed_channel_data = incoming()
    typed_channel_data.channel_data = TeamsChannelData(tenant=TenantInfo(id="t"))
    enum_type = Activity(type=ActivityTypes.message, text="enum", text_format="markdown",
                         attachments=[Attachment(content_type="x", content=None), None],
                         suggested_actions=SuggestedActions(actions=[
                             CardAction(type="imBack", title="t", value={"a": [1, {"b": None}]})]))
    empty = Activity()
    return [base, with_models_in_object, typed_channel_data, enum_type, empty]


@pytest.mark.parametrize("activity", replies() + odd_activities())
def test_model_json_is_msrest_output(activity):
    fast = model_json(activity)
    assert fast == _ACTIVITY_SERIALIZER.body(copy.deepcopy(activity), "Activity")
    assert fast == serializer_helper(activity)


def test_activity_json_of_an_invoke_response_keeps_its_body():
    activity = Activity(type=ActivityTypes.invoke_response,
                        value=InvokeResponse(status=200, body={"statusCode": 200, "value": "ok"}))
    assert activity_json(activity) == {"type": "invokeResponse",
                                       "value": {"status": 200, "body": {"statusCode": 200,
                                                                         "value": "ok"}}}


def test_model_json_copies_plain_values():
    activity = outgoing(cards.text_activity("plain", "en", None))
    activity.channel_data = {"a": [1]}
    data = model_json(activity)
    data["channelData"]["a"].append(2)
    assert activity.channel_data == {"a": [1]}


def test_conversation_reference_as_msrest_serializes_it():
    reference = TurnContext.get_conversation_reference(incoming())
    assert model_json(reference) == reference.serialize()
