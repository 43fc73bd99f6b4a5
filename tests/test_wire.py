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


# --- the other way: model_from_json gives what msrest's Activity.deserialize gives ------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from msrest.exceptions import DeserializationError  # noqa: E402

from bench.common import activity as bench_activity  # noqa: E402
from bot.wire import model_from_json  # noqa: E402

_JSON = st.recursive(st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=False)
                     | st.text(max_size=12), lambda inner: st.lists(inner, max_size=3)
                     | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=8)
_STAMPS = st.sampled_from(["2026-11-27T09:30:01.120Z", "2026-11-27T04:30:01.1234567-05:00", "2026-11-27T09:30:01Z",
                           "2026-02-30T00:00:00Z", "not a date", "2026-11-27"])


def _account(loose):
    odd = _JSON if loose else st.nothing()
    return st.fixed_dictionaries({"id": st.text(max_size=8)}, optional={
        "name": st.text(max_size=8) | odd, "aadObjectId": st.text(max_size=8), "role": st.text(max_size=5),
        "properties": _JSON, "extra": _JSON})


def _activity(loose):
    """Activity-shaped JSON; ``loose``: values of other types than declared, too (msrest's turn)."""
    odd = _JSON if loose else st.nothing()
    return st.fixed_dictionaries({"type": st.sampled_from(["message", "invoke", "conversationUpdate"]) | odd}, optional={
        "id": st.text(max_size=8) | odd, "text": st.text(max_size=20) | odd, "timestamp": _STAMPS | odd,
        "localTimestamp": _STAMPS, "localTimezone": st.text(max_size=8), "channelId": st.just("msteams"),
        "from": _account(loose) | odd, "recipient": _account(loose), "conversation": _account(loose) | odd,
        "membersAdded": st.lists(_account(loose), max_size=2) | odd, "entities": st.lists(
            st.fixed_dictionaries({"type": st.text(max_size=8)}, optional={"locale": st.text(max_size=5),
                                                                          "mentioned": _account(loose)}), max_size=2) | odd,
        "attachments": st.lists(st.fixed_dictionaries({"contentType": st.text(max_size=8), "content": _JSON}), max_size=2),
        "value": _JSON, "channelData": _JSON, "historyDisclosed": st.booleans() | odd, "listenFor": st.lists(st.text(max_size=4)),
        "suggestedActions": st.fixed_dictionaries({"actions": st.lists(st.fixed_dictionaries(
            {"type": st.text(max_size=5), "title": st.text(max_size=5), "value": _JSON}), max_size=2)}),
        "unknownField": _JSON, "replyToId": st.text(max_size=8)})


def _msrest(payload):
    try:
        return Activity.deserialize(copy.deepcopy(payload))
    except DeserializationError as error:
        return type(error)


def _ours(payload):
    try:
        return model_from_json(Activity, copy.deepcopy(payload))
    except DeserializationError as error:
        return type(error)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_activity(loose=False))
def test_model_from_json_is_msrest_deserialize(payload):
    assert _ours(payload) == _msrest(payload)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_activity(loose=True))
def test_model_from_json_of_odd_values_is_msrest_deserialize_or_its_error(payload):
    assert _ours(payload) == _msrest(payload)


@pytest.mark.parametrize("lang, text", QUESTIONS[:6])
def test_a_bench_activity_reads_as_msrest_reads_it(lang, text):
    payload = bench_activity(text, service_url="https://smba.example/", lang=lang, expect_replies=True)
    ours = model_from_json(Activity, payload)
    assert ours == Activity.deserialize(payload)
    assert ours.entities[0].additional_properties["locale"] == payload["locale"]  # clientInfo's keys kept
    assert ours.timestamp.tzinfo is not None and ours.from_property.aad_object_id


def test_model_from_json_copies_object_values():
    payload = {"type": "message", "channelData": {"tenant": {"id": "t"}}, "value": [1, {"a": None}]}
    ours = model_from_json(Activity, payload)
    assert ours.channel_data == payload["channelData"] and ours.channel_data is not payload["channelData"]
    assert ours.value == [1, {"a": None}] and ours.value[1] is not payload["value"][1]


@settings(max_examples=400, deadline=None)
@given(st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
       st.sampled_from(["Z", "+00:00", "-05:00", "+05:30", "+14:00", "-12:00"]),
       st.sampled_from([0, 1, 2, 3, 6, 7]), st.booleans())
def test_a_timestamp_reads_as_msrest_reads_it_tzinfo_included(moment, zone, digits, upper):
    from msrest.serialization import Deserializer

    from bot.wire import _read_iso

    text = moment.strftime("%Y-%m-%dT%H:%M:%S") + (("." + f"{moment.microsecond:06d}1"[:digits]) if digits else "") + zone
    text = text if upper else text.lower()
    try:
        expected = Deserializer.deserialize_iso(text)
    except DeserializationError:
        with pytest.raises(Exception):
            _read_iso(text)
        return
    ours = _read_iso(text)
    assert ours == expected and repr(ours.replace(tzinfo=None)) == repr(expected.replace(tzinfo=None))
    assert type(ours.tzinfo) is type(expected.tzinfo) and ours.tzname() == expected.tzname()
    assert ours.utcoffset() == expected.utcoffset()
