"""POST /api/messages through the real aiohttp app on loopback: delivery modes, invoke
responses, the bad-input matrix, a bot that raises, and /healthz.

The bots here are small test bots; the product bot is tested elsewhere.
"""

import doctest
import json
import logging

import pytest
from botbuilder.core import ActivityHandler, InvokeResponse, MessageFactory, TurnContext
from botbuilder.core.teams import TeamsActivityHandler
from botbuilder.schema import AdaptiveCardInvokeResponse

import bot.adapter
import bot.feedback
import bot.kept_cards
import bot.transport
import bot.turns
import bot.verbs
import bot.views
import bot.cards
import bot.http
import bot.locale
import bot.teams_bot
from bot.http import MAX_BODY_BYTES, MAX_TEXT_CHARS


class EchoBot(ActivityHandler):
    """Echoes text; a card submit (no text) is answered from its value."""

    def __init__(self):
        self.seen = []

    async def on_message_activity(self, turn_context: TurnContext):
        activity = turn_context.activity
        self.seen.append(activity)
        if activity.text is None:
            await turn_context.send_activity(f"card: {activity.value['verb']}")
        else:
            await turn_context.send_activity(f"echo: {activity.text}")


class ThreeRepliesBot(ActivityHandler):
    async def on_message_activity(self, turn_context: TurnContext):
        for n in (1, 2, 3):
            await turn_context.send_activity(MessageFactory.text(f"reply {n}"))


class CardActionBot(TeamsActivityHandler):
    """Universal Actions: answers adaptiveCard/action with an msrest model."""

    async def on_adaptive_card_invoke(self, turn_context, invoke_value):
        return AdaptiveCardInvokeResponse(
            status_code=200, type="application/vnd.microsoft.activity.message",
            value={"text": f"done: {invoke_value.action['verb']}"})


class DictInvokeBot(ActivityHandler):
    """Returns a plain-dict invoke body with its own status (the stock adapter crashes)."""

    async def on_invoke_activity(self, turn_context):
        return InvokeResponse(status=409, body={"reason": "already claimed",
                                                "ids": [1, 2]})


class RaisingBot(ActivityHandler):
    """Raises on "boom"; echoes otherwise. Records the clean-up hook's calls."""

    def __init__(self):
        self.cleaned_up = []

    async def on_message_activity(self, turn_context):
        if turn_context.activity.text == "boom":
            raise RuntimeError("bot failure with secret detail")
        await turn_context.send_activity(f"echo: {turn_context.activity.text}")

    async def on_invoke_activity(self, turn_context):
        raise RuntimeError("invoke failure")

    async def on_turn_error(self, turn_context, error):
        self.cleaned_up.append(type(error).__name__)


async def post(client, payload, **kwargs):
    return await client.post("/api/messages", json=payload, **kwargs)


# --- delivery modes ----------------------------------------------------------------------------


async def test_normal_mode_reply_is_posted_to_service_url(bot_client, fake_channel):
    client = await bot_client(EchoBot())
    response = await post(client, fake_channel.activity("hello", id="act-7"))
    assert response.status == 200
    assert response.headers["X-Correlation-Id"]
    [request] = fake_channel.requests
    assert request["method"] == "POST"
    # reply URL: serviceUrl path kept, conversation id percent-encoded, replyToId last
    assert request["path"] == "/amer/v3/conversations/a%3A1Xyz%3Bmessageid%3D1/activities/act-7"
    assert request["authorization"] is None  # local development: no credentials
    reply = request["json"]
    assert reply["type"] == "message" and reply["text"] == "echo: hello"
    assert reply["replyToId"] == "act-7"
    assert reply["conversation"]["id"] == "a:1Xyz;messageid=1"
    assert reply["from"]["id"] == "28:bot-1" and reply["recipient"]["id"] == "29:user-1"


async def test_several_replies_are_posted_in_order(bot_client, fake_channel):
    client = await bot_client(ThreeRepliesBot())
    assert (await post(client, fake_channel.activity())).status == 200
    assert [a["text"] for a in fake_channel.posted] == ["reply 1", "reply 2", "reply 3"]


async def test_expect_replies_returns_every_reply_in_the_body(bot_client, fake_channel):
    client = await bot_client(ThreeRepliesBot())
    response = await post(client, fake_channel.activity(deliveryMode="expectReplies"))
    assert response.status == 200
    body = await response.json()
    assert [a["text"] for a in body["activities"]] == ["reply 1", "reply 2", "reply 3"]
    assert all(a["type"] == "message" and a["replyToId"] == "in-1" for a in body["activities"])
    assert fake_channel.requests == []  # nothing went to serviceUrl


async def test_expect_replies_needs_no_service_url(bot_client, fake_channel):
    activity = fake_channel.activity("x", deliveryMode="expectReplies")
    del activity["serviceUrl"]
    response = await post(await bot_client(EchoBot()), activity)
    assert response.status == 200
    assert [a["text"] for a in (await response.json())["activities"]] == ["echo: x"]


class HoldingBot(ActivityHandler):
    """Holds its sends back (an on_send_activities handler empties the list) and releases
    them at the end of the turn, as a bot that sends only after saving its state does."""

    async def on_message_activity(self, turn_context):
        held = []

        async def hold(context, activities, next_send):
            held.extend(activities)
            activities.clear()  # botbuilder sends the list anyway: leave it empty

        turn_context.on_send_activities(hold)
        await turn_context.send_activity("first")
        await turn_context.send_activity("second")
        turn_context._on_send_activities.remove(hold)
        await turn_context.send_activities(held)


async def test_a_send_emptied_by_a_handler_is_a_no_op(bot_client, fake_channel):
    client = await bot_client(HoldingBot())
    response = await post(client, fake_channel.activity())
    assert response.status == 200
    assert [a["text"] for a in fake_channel.posted] == ["first", "second"]


# --- invoke ------------------------------------------------------------------------------------


async def test_adaptive_card_action_gets_its_invoke_response(bot_client, fake_channel):
    activity = fake_channel.activity(
        None, type="invoke", name="adaptiveCard/action",
        value={"action": {"type": "Action.Execute", "verb": "remind", "data": {}}})
    response = await post(await bot_client(CardActionBot()), activity)
    assert response.status == 200
    assert await response.json() == {"statusCode": 200,
                                     "type": "application/vnd.microsoft.activity.message",
                                     "value": {"text": "done: remind"}}


async def test_plain_dict_invoke_body_and_status_are_returned(bot_client, fake_channel):
    activity = fake_channel.activity(None, type="invoke", name="custom/op", value={})
    response = await post(await bot_client(DictInvokeBot()), activity)
    assert response.status == 409
    assert await response.json() == {"reason": "already claimed", "ids": [1, 2]}


async def test_invoke_the_bot_does_not_handle_is_501(bot_client, fake_channel):
    activity = fake_channel.activity(None, type="invoke", name="unknown/op", value={})
    response = await post(await bot_client(CardActionBot()), activity)
    assert response.status == 501


async def test_invoke_with_expect_replies_lists_the_invoke_response(bot_client, fake_channel):
    activity = fake_channel.activity(None, type="invoke", name="custom/op", value={},
                                     deliveryMode="expectReplies")
    response = await post(await bot_client(DictInvokeBot()), activity)
    assert response.status == 200
    [reply] = (await response.json())["activities"]
    assert reply["type"] == "invokeResponse"
    assert reply["value"] == {"status": 409, "body": {"reason": "already claimed", "ids": [1, 2]}}


# --- what the bot receives ---------------------------------------------------------------------


async def test_card_submit_without_text_reaches_the_bot(bot_client, fake_channel):
    bot = EchoBot()
    client = await bot_client(bot)
    response = await post(client, fake_channel.activity(None, value={"verb": "calendar"}))
    assert response.status == 200
    assert bot.seen[0].text is None and bot.seen[0].value == {"verb": "calendar"}
    assert fake_channel.posted[0]["text"] == "card: calendar"


async def test_huge_text_is_accepted_and_cut_before_the_bot_sees_it(bot_client, fake_channel):
    bot = EchoBot()
    # 100 000 characters sent as UTF-8 (200 KB) fit under the body limit
    body = json.dumps(fake_channel.activity("é" * 100_000), ensure_ascii=False).encode()
    response = await (await bot_client(bot)).post(
        "/api/messages", data=body, headers={"Content-Type": "application/json"})
    assert response.status == 200
    assert bot.seen[0].text == "é" * MAX_TEXT_CHARS


async def test_unknown_activity_type_is_refused_and_never_reaches_the_bot(bot_client, fake_channel):
    bot = EchoBot()
    response = await post(await bot_client(bot), fake_channel.activity(type="somethingNew"))
    assert response.status == 400
    assert (await response.json())["error"]["code"] == "UnknownActivityType"
    assert bot.seen == [] and fake_channel.requests == []


async def test_a_known_activity_type_the_bot_does_not_handle_is_accepted(bot_client, fake_channel):
    bot = EchoBot()
    response = await post(await bot_client(bot), fake_channel.activity(type="typing"))
    assert response.status == 200


# --- bad input: 4xx, the bot never runs, the server stays up ----------------------------------


def without(activity, *path):
    *parents, last = path
    target = activity
    for key in parents:
        target = target[key]
    del target[last]
    return activity


BAD_ACTIVITIES = {
    "not an object": lambda a: [a],
    "no type": lambda a: without(a, "type"),
    "empty type": lambda a: {**a, "type": " "},
    "no conversation": lambda a: without(a, "conversation"),
    "no conversation id": lambda a: without(a, "conversation", "id"),
    "conversation not an object": lambda a: {**a, "conversation": "c1"},
    "no from": lambda a: without(a, "from"),
    "from without id": lambda a: {**a, "from": {"name": "x"}},
    "no serviceUrl": lambda a: without(a, "serviceUrl"),
    "serviceUrl not http": lambda a: {**a, "serviceUrl": "file:///etc/passwd"},
    "text not a string": lambda a: {**a, "text": 42},
    "timestamp not a date": lambda a: {**a, "timestamp": "yesterday-ish"},
    "entities not a list": lambda a: {**a, "entities": "x"},
}


@pytest.mark.parametrize("name", BAD_ACTIVITIES)
async def test_invalid_activity_is_400_with_a_json_error(bot_client, fake_channel, name):
    bot = EchoBot()
    client = await bot_client(bot)
    response = await post(client, BAD_ACTIVITIES[name](fake_channel.activity()))
    assert response.status == 400
    error = (await response.json())["error"]
    assert error["code"] == "BadRequest" and error["message"]
    assert bot.seen == []
    # the server stays up and keeps answering
    assert (await post(client, fake_channel.activity())).status == 200


@pytest.mark.parametrize("data, headers, status", [
    (b'{"type": "message", ', {"Content-Type": "application/json"}, 400),
    (b"\xff\xfe not utf-8", {"Content-Type": "application/json"}, 400),
    (b"", {"Content-Type": "application/json"}, 400),
    (b"[" * 100_000, {"Content-Type": "application/json"}, 400),
    (b'{"type": "message"}', {"Content-Type": "text/plain"}, 415),
    (b'{"type": "message"}', {}, 415),
    (b'{"type": "message"}', {"Content-Type": "application/x-www-form-urlencoded"}, 415),
], ids=["truncated JSON", "not UTF-8", "empty", "nesting too deep", "text/plain",
        "no content type", "form"])
async def test_unreadable_bodies_are_4xx(bot_client, fake_channel, data, headers, status):
    bot = EchoBot()
    client = await bot_client(bot)
    response = await client.post("/api/messages", data=data, headers=headers)
    assert response.status == status
    assert (await response.json())["error"]["code"]
    assert bot.seen == []
    assert (await post(client, fake_channel.activity())).status == 200


async def test_body_over_the_limit_is_413(bot_client, fake_channel):
    bot = EchoBot()
    client = await bot_client(bot)
    big = json.dumps(fake_channel.activity("x" * (MAX_BODY_BYTES + 10))).encode()
    response = await client.post("/api/messages", data=big,
                                 headers={"Content-Type": "application/json"})
    assert response.status == 413
    assert (await response.json())["error"]["code"] == "PayloadTooLarge"

    async def chunks():  # no Content-Length: the limit holds while reading
        for start in range(0, len(big), 65536):
            yield big[start:start + 65536]

    response = await client.post("/api/messages", data=chunks(),
                                 headers={"Content-Type": "application/json"})
    assert response.status == 413
    assert bot.seen == []
    assert (await post(client, fake_channel.activity())).status == 200


async def test_charset_parameter_is_fine(bot_client, fake_channel):
    client = await bot_client(EchoBot())
    response = await client.post("/api/messages",
                                 data=json.dumps(fake_channel.activity()).encode(),
                                 headers={"Content-Type": "application/json; charset=utf-8"})
    assert response.status == 200


async def test_get_is_405(bot_client):
    client = await bot_client(EchoBot())
    assert (await client.get("/api/messages")).status == 405


# --- a bot that raises -------------------------------------------------------------------------


async def test_bot_error_logs_apologises_runs_the_hook_and_the_next_turn_works(
        bot_client, fake_channel, caplog):
    bot = RaisingBot()
    client = await bot_client(bot)
    with caplog.at_level(logging.INFO):
        response = await post(client, fake_channel.activity("boom"))
    # message turns stay 200: the user was answered (with an apology), a retry would not help
    assert response.status == 200
    cid = response.headers["X-Correlation-Id"]
    [apology] = fake_channel.posted
    assert apology["text"].startswith("Sorry") and "secret detail" not in apology["text"]
    assert apology["replyToId"] == "in-1"
    [record] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert cid in record.getMessage() and record.exc_info[0] is RuntimeError
    assert bot.cleaned_up == ["RuntimeError"]

    response = await post(client, fake_channel.activity("again"))
    assert response.status == 200
    assert fake_channel.posted[-1]["text"] == "echo: again"


async def test_bot_error_apology_follows_the_locale(bot_client, fake_channel):
    client = await bot_client(RaisingBot())
    await post(client, fake_channel.activity("boom", locale="fr-CA"))
    assert fake_channel.posted[0]["text"].startswith("Désolé")


async def test_bot_error_in_expect_replies_returns_the_apology(bot_client, fake_channel):
    client = await bot_client(RaisingBot())
    response = await post(client, fake_channel.activity("boom", deliveryMode="expectReplies"))
    assert response.status == 200
    [apology] = (await response.json())["activities"]
    assert apology["text"].startswith("Sorry")
    assert fake_channel.requests == []


async def test_bot_error_in_invoke_is_500_with_the_correlation_id(bot_client, fake_channel):
    client = await bot_client(RaisingBot())
    activity = fake_channel.activity(None, type="invoke", name="adaptiveCard/action", value={})
    response = await post(client, activity)
    assert response.status == 500
    body = await response.json()
    assert body == {"error": {"code": "InternalError",
                              "correlationId": response.headers["X-Correlation-Id"]}}
    assert fake_channel.posted[0]["text"].startswith("Sorry")


async def test_apology_is_taken_from_the_bot_when_it_has_one(bot_client, fake_channel):
    bot = RaisingBot()
    bot.apology = lambda turn_context: "Oups (catalogue)"
    client = await bot_client(bot)
    await post(client, fake_channel.activity("boom"))
    assert fake_channel.posted[0]["text"] == "Oups (catalogue)"


async def test_channel_failing_during_the_turn_is_logged_and_answered(
        bot_client, fake_channel, caplog):
    # the reply and then the apology are both refused by the channel
    fake_channel.answers = [(503, {"error": {"code": "ServiceUnavailable"}}, {})] * 2
    client = await bot_client(EchoBot())
    with caplog.at_level(logging.ERROR):
        response = await post(client, fake_channel.activity())
    assert response.status == 200
    messages = [r.getMessage() for r in caplog.records]
    assert any(m.startswith("turn failed") for m in messages)
    assert any(m.startswith("could not send the apology") for m in messages)
    assert len(fake_channel.requests) == 2  # no hidden retries


# --- logging hygiene ---------------------------------------------------------------------------


async def test_message_text_is_not_logged_at_info(bot_client, fake_channel, caplog):
    client = await bot_client(EchoBot())
    with caplog.at_level(logging.DEBUG):
        await post(client, fake_channel.activity("my secret revenue figure" + "!" * 6000))
        await post(client, fake_channel.activity("my secret revenue figure", type="weird"))
        await post(client, fake_channel.activity(timestamp="my secret revenue figure"))
    assert caplog.records  # the layer does log (truncation, ignored type, timings)
    for record in caplog.records:
        if record.levelno >= logging.INFO:
            assert "secret revenue" not in record.getMessage()


# --- healthz -----------------------------------------------------------------------------------


async def test_healthz(bot_client):
    client = await bot_client(EchoBot())
    response = await client.get("/healthz")
    assert response.status == 200
    assert await response.json() == {"status": "ok", "version": "0.1.0", "storage": "none"}


async def test_healthz_names_the_storage_kind(bot_client):
    class Db:
        dialect = "postgres"

    client = await bot_client(EchoBot(), storage=Db())
    assert (await (await client.get("/healthz")).json())["storage"] == "postgres"


@pytest.mark.parametrize("module", [bot.adapter, bot.transport, bot.http, bot.cards, bot.locale, bot.teams_bot,
                                    bot.turns, bot.verbs, bot.views, bot.feedback, bot.kept_cards],
                         ids=lambda m: m.__name__)
def test_doctests(module):
    result = doctest.testmod(module)
    assert result.attempted and not result.failed


@pytest.mark.parametrize("text", [
    "plain", "café 😀 déjà", "a\x00b", "\ud800 alone", "\udfff low", "\ud83d\ude00 pair",
    "a literal \\u0000", "tab\tnewline\n",
])
@pytest.mark.parametrize("ensure_ascii", [True, False])
def test_the_walk_is_skipped_only_where_it_would_change_nothing(text, ensure_ascii):
    # read_activity skips clean_payload's walk over every string when the raw body cannot hold
    # a NUL or a lone surrogate and cannot nest too deep: the result must be the walk's.
    payload = {"type": "message", "text": text, "from": {"id": "u", "name": text},
               "value": {text: [text, {"x": text}]}}
    raw = json.dumps(payload, ensure_ascii=ensure_ascii).encode("utf-8", "surrogatepass")
    walked = bot.http.clean_payload(json.loads(raw))
    assert bot.http.clean_payload(json.loads(raw), walk=bot.http._needs_walk(raw)) == walked
    deep = b'{"value": ' + b"[" * 70 + b"]" * 70 + b"}"
    assert bot.http._needs_walk(deep)
    with pytest.raises(bot.http.TooDeep):
        bot.http.clean_payload(json.loads(deep), walk=bot.http._needs_walk(deep))
