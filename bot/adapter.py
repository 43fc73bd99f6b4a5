"""botbuilder's ``CloudAdapter``, with what Co-op Assistant needs fixed or added.

:class:`CoopAdapter` subclasses ``botbuilder.integration.aiohttp.CloudAdapter``: ``TurnContext``,
middleware, ``TeamsActivityHandler``, dialogs and ``TeamsInfo`` work unchanged. It differs in:

- **Speed.** Stock botbuilder builds a new ``ConnectorClient`` and ``TokenApiClient`` for every
  turn; each builds an msrest ``ClientRetryPolicy`` (a 999 x 500 list scan, ~3 ms apiece) and a
  fresh MSAL app, so with credentials every turn also asks Azure AD for a new token. Here both
  clients are kept per (app id, serviceUrl, audience) in a bounded LRU, so that cost, and the
  token, are paid once.
- **Replies.** Activities are posted to ``{serviceUrl}/v3/conversations/{id}/activities[/{replyToId}]``
  with one shared aiohttp session (:class:`bot.transport.ChannelTransport`, its own module) instead of msrest's ``requests``
  in a thread. msrest retried 5xx itself and then reported "too many 502 responses" without a
  status code; here every failure is a typed :class:`ChannelSendError` carrying the status,
  ``Retry-After`` and the Bot Framework error code, and nothing is retried behind the caller.
- **Proactive messages** (:meth:`CoopAdapter.send_proactive`, ``continue_conversation``) are
  POSTed to the conversation, not as a reply to the id botbuilder makes up for the continuation
  activity.
- **Results.** ``expectReplies`` turns and invoke turns return JSON-ready bodies (the stock
  adapter crashes on both: botbuilder-python#2156).
- **Errors.** A failing turn is logged with the request's correlation id, the user gets a short
  apology (message and invoke turns), an invoke answers 500, and the ``on_turn_error`` hook runs
  for state clean-up. A turn whose replies nothing answered at ``serviceUrl`` (a first try with
  curl, a channel gone) is one warning line naming the URL, with no traceback and no apology
  sent after them. Proactive turns re-raise instead, so senders see the error.
- **Signing keys.** The OpenID/JWKS documents used to validate Bot Framework tokens come from
  the product's one signing-key cache (``signing_keys``, also the support desk's), fetched with
  aiohttp (the SDK uses blocking ``requests.get`` without a timeout on the event loop);
  validation itself stays botframework-connector's ``JwtTokenValidation`` (:mod:`bot.tokens`).
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections import OrderedDict
from copy import copy
from typing import Any, Awaitable, Callable, Sequence

from botbuilder.core import InvokeResponse, MessageFactory, TurnContext
from botbuilder.integration.aiohttp import (
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
)
from botbuilder.schema import (
    Activity,
    ActivityEventNames,
    ActivityTypes,
    ConversationReference,
    DeliveryModes,
    ResourceResponse,
)
from botframework.connector import Channels
from botframework.connector import models as connector_models
from botframework.connector.auth import (
    AuthenticateRequestResult,
    BotFrameworkAuthentication,
    ClaimsIdentity,
    ConnectorFactory,
    ServiceClientCredentialsFactory,
    UserTokenClient,
)
from botframework.connector.auth._built_in_bot_framework_authentication import (
    _BuiltinBotFrameworkAuthentication,
)
from msrest import Serializer
from msrest.serialization import Model

from core.redact import bounded

from . import correlation_id
from .copilot import fold_sub_channel
from .tokens import OpenIdMetadataUnavailable, install_async_openid_metadata, verify_bearer
from .transport import (ChannelAuthError, ChannelForbidden, ChannelNotFound, ChannelSendError,
                        ChannelThrottled, ChannelTransport, ChannelUnreachable, activities_url,
                        parse_retry_after)
from .wire import model_json

log = logging.getLogger(__name__)

TurnErrorHook = Callable[[TurnContext, Exception], Awaitable[None]]
Apology = Callable[[TurnContext], "Activity | str"]

CLIENT_CACHE_SIZE = 256

# msrest's serializer as the connector's generated client uses it (``bot.wire.model_json``
# produces the same JSON in a fraction of the time; tests compare the two).
_ACTIVITY_SERIALIZER = Serializer(
    {k: v for k, v in connector_models.__dict__.items() if isinstance(v, type)}
)


def new_correlation_id() -> str:
    return os.urandom(6).hex()  # 12 random hex digits, as uuid4().hex[:12] without the UUID object


# --- per-turn client reuse ---------------------------------------------------------------------


class _Lru(OrderedDict):
    def __init__(self, size: int):
        super().__init__()
        self.size = size

    async def get_or_create(self, key, create: Callable[[], Awaitable[Any]]):
        if key in self:
            self.move_to_end(key)
            return self[key]
        value = await create()
        self[key] = value
        while len(self) > self.size:
            self.popitem(last=False)
        return value


class _ReusingConnectorFactory(ConnectorFactory):
    def __init__(self, inner: ConnectorFactory, app_id: str | None, cache: _Lru):
        self._inner = inner
        self._app_id = app_id
        self._cache = cache

    async def create(self, service_url: str, audience: str = None):
        return await self._cache.get_or_create(
            (self._app_id, service_url, audience),
            lambda: self._inner.create(service_url, audience))


class _ReusingAuthentication(BotFrameworkAuthentication):
    """Delegates to botbuilder's authentication; reuses the clients it makes per key.

    A connector client depends only on (app id, serviceUrl, audience) and a user-token client
    only on the app id; both are safe to share between concurrent turns.
    """

    def __init__(self, inner: BotFrameworkAuthentication, size: int = CLIENT_CACHE_SIZE):
        self.inner = inner
        self._connectors = _Lru(size)
        self._token_clients = _Lru(size)

    def _wrap(self, factory: ConnectorFactory | None,
              claims_identity: ClaimsIdentity) -> ConnectorFactory | None:
        if factory is None:
            return None
        return _ReusingConnectorFactory(
            factory, _BuiltinBotFrameworkAuthentication.get_app_id(claims_identity),
            self._connectors)

    async def authenticate_request(self, activity: Activity,
                                   auth_header: str) -> AuthenticateRequestResult:
        fold_sub_channel(activity)  # "msteams:COPILOT" is endorsed as msteams (bot.copilot)
        result = await self.inner.authenticate_request(activity, auth_header)
        result.connector_factory = self._wrap(result.connector_factory, result.claims_identity)
        return result

    async def authenticate_streaming_request(self, auth_header: str, channel_id_header: str):
        return await self.inner.authenticate_streaming_request(auth_header, channel_id_header)

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        return self._wrap(self.inner.create_connector_factory(claims_identity), claims_identity)

    async def create_user_token_client(self, claims_identity: ClaimsIdentity) -> UserTokenClient:
        return await self._token_clients.get_or_create(
            _BuiltinBotFrameworkAuthentication.get_app_id(claims_identity),
            lambda: self.inner.create_user_token_client(claims_identity))

    def create_bot_framework_client(self):
        return self.inner.create_bot_framework_client()

    def get_originating_audience(self) -> str:
        return self.inner.get_originating_audience()

    async def authenticate_channel_request(self, auth_header: str) -> ClaimsIdentity:
        return await self.inner.authenticate_channel_request(auth_header)


# --- the adapter -------------------------------------------------------------------------------


def default_apology(turn_context: TurnContext) -> str:
    """The catalogue's apology in the activity's locale language (``create_app`` takes
    ``apology=``, or the bot's ``apology(turn_context)`` method, to say it otherwise).
    ``understanding`` is imported here, on the first failed turn, not with this module."""
    from understanding.messages import apology

    return apology(turn_context.activity.locale)  # the locale's language pack, else the default


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON types: msrest models serialized (camelCase), containers walked.

    Invoke bodies may be msrest models, dicts holding models, or plain dicts; the stock adapter
    only handled the first.

    >>> jsonable({"statusCode": 200, "value": ("a", None, 1.5)})
    {'statusCode': 200, 'value': ['a', None, 1.5]}
    """
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, Model):
        return model_json(value)
    if isinstance(value, InvokeResponse):
        return {"status": value.status, "body": jsonable(value.body)}
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    raise TypeError(f"cannot serialize a {type(value).__name__} into a JSON response")


def activity_json(activity: Activity) -> dict:
    """An activity as Bot Framework JSON; an invokeResponse's value (status, body) included."""
    if activity.type != ActivityTypes.invoke_response or activity.value is None:
        return model_json(activity)
    shallow = copy(activity)
    shallow.value = None
    data = model_json(shallow)
    data["value"] = jsonable(activity.value)
    return data


def _copy_for_send(activity: Activity) -> Activity:
    """The activity botbuilder's ``TurnContext.send_activities`` addresses and sends.

    botbuilder deep-copies every outgoing activity (~0.5 ms for a reply with an Adaptive
    Card), only so that addressing it does not change the caller's object. Addressing
    (``apply_conversation_reference``), the validator and the adapter assign top-level
    attributes only, so a copy of the activity with its own lists is enough: the caller's
    activity stays as it was, and nothing on the way mutates the card or the other values
    the two share.
    """
    sent = copy(activity)
    for name, value in vars(sent).items():
        if type(value) is list:
            setattr(sent, name, list(value))
    return sent


class CoopTurnContext(TurnContext):
    """``TurnContext`` whose ``send_activities`` copies outgoing activities shallowly
    (:func:`_copy_for_send`) instead of deep-copying them; otherwise botbuilder's own code."""

    def conversation_reference(self) -> ConversationReference:
        """``TurnContext.get_conversation_reference(self.activity)``, made once a turn (it
        copies three accounts each time; every reply of the turn is addressed with it, and
        nothing on the way changes the accounts an outgoing activity is given)."""
        cached = getattr(self, "_coop_reference", None)
        if cached is None or cached[0] is not self.activity:
            cached = (self.activity, TurnContext.get_conversation_reference(self.activity))
            self._coop_reference = cached
        return cached[1]

    async def send_activities(self, activities: list[Activity]) -> list[ResourceResponse]:
        sent_non_trace_activity = False
        ref = self.conversation_reference()

        def activity_validator(activity: Activity) -> Activity:
            if not getattr(activity, "type", None):
                activity.type = ActivityTypes.message
            if activity.type != ActivityTypes.trace:
                nonlocal sent_non_trace_activity
                sent_non_trace_activity = True
            if not activity.input_hint:
                activity.input_hint = "acceptingInput"
            activity.id = None
            return activity

        output = [activity_validator(TurnContext.apply_conversation_reference(
            _copy_for_send(act), ref)) for act in activities]

        async def logic():
            nonlocal sent_non_trace_activity
            if self.activity.delivery_mode == DeliveryModes.expect_replies:
                responses = []
                for activity in output:
                    self.buffered_reply_activities.append(activity)
                    if activity.type == ActivityTypes.invoke_response:
                        self.turn_state[TurnContext._INVOKE_RESPONSE_KEY] = activity
                    responses.append(ResourceResponse())
                if sent_non_trace_activity:
                    self.responded = True
                return responses
            responses = await self.adapter.send_activities(self, output)
            if sent_non_trace_activity:
                self.responded = True
            return responses

        return await self._emit(self._on_send_activities, output, logic())


def _is_continuation(activity: Activity) -> bool:
    return (activity.type == ActivityTypes.event
            and activity.name == ActivityEventNames.continue_conversation)


class CoopAdapter(CloudAdapter):
    """``CloudAdapter`` for Co-op Assistant; see the module docstring for what differs.

    ``on_turn_error`` (constructor argument, or assigned later as in the samples) is a
    clean-up hook ``async (turn_context, error)``: it runs after the failure was logged and the
    user got an apology; it does not replace them.
    """

    def __init__(self, authentication: BotFrameworkAuthentication, *, app_id: str = "",
                 auth_enabled: bool | None = None, transport: ChannelTransport | None = None,
                 on_turn_error: TurnErrorHook | None = None, apology: Apology | None = None):
        super().__init__(_ReusingAuthentication(authentication))
        self.app_id = app_id or ""
        self.auth_enabled = bool(app_id) if auth_enabled is None else auth_enabled
        self.transport = transport or ChannelTransport()
        self.apology: Apology = apology or default_apology
        self._turn_error_hook = on_turn_error
        install_async_openid_metadata()

    # BotAdapter.run_pipeline calls self.on_turn_error(context, error). Reading it gives the
    # adapter's handler; assigning it (sample style) sets the clean-up hook.
    @property
    def on_turn_error(self) -> TurnErrorHook:
        return self._handle_turn_error

    @on_turn_error.setter
    def on_turn_error(self, hook: TurnErrorHook | None) -> None:
        self._turn_error_hook = hook

    async def close(self) -> None:
        """Close the outbound HTTP session."""
        await self.transport.close()

    async def __aenter__(self) -> "CoopAdapter":
        return self

    async def __aexit__(self, *exc_info) -> None:
        await self.close()

    def _create_turn_context(self, activity: Activity, *args: Any) -> TurnContext:
        # The stock turn context, as a CoopTurnContext (cheaper sends; same behaviour).
        context = super()._create_turn_context(activity, *args)
        fast = CoopTurnContext(self, activity)
        fast.turn_state.update(context.turn_state)
        return fast

    # --- sending ---

    async def send_activities(self, context: TurnContext,
                              activities: list[Activity]) -> list[ResourceResponse]:
        if not context:
            raise TypeError("Expected TurnContext but got None instead")
        if activities is None:
            raise TypeError("Expected a list of activities but got None instead")
        # An empty list is nothing to send, not an error (the stock adapter raises): botbuilder's
        # TurnContext._emit sends whatever list its on_send_activities handlers leave, so
        # emptying it is the only way a handler can hold a send back.
        responses = []
        for activity in activities:
            activity.id = None
            response = None
            if activity.type == "delay":
                await asyncio.sleep((activity.value or 1000) / 1000)
            elif activity.type == ActivityTypes.invoke_response:
                context.turn_state[self._INVOKE_RESPONSE_KEY] = activity
            elif activity.type == ActivityTypes.trace and activity.channel_id != Channels.emulator:
                pass  # traces are for the emulator only
            else:
                if _is_continuation(context.activity) and activity.reply_to_id == context.activity.id:
                    # botbuilder makes the continuation activity's id up (uuid1) and would reply
                    # to it; a proactive message is sent to the conversation itself.
                    activity.reply_to_id = None
                response = await self.transport.send_activity(activity, self._credentials(context))
            responses.append(response or ResourceResponse(id=activity.id or ""))
        return responses

    async def update_activity(self, context: TurnContext, activity: Activity):
        if not context or activity is None:
            raise TypeError("update_activity needs a TurnContext and an Activity")
        response = await self.transport.update_activity(activity, self._credentials(context))
        return ResourceResponse(id=response.id) if response.id else None

    async def delete_activity(self, context: TurnContext, reference: ConversationReference):
        if not context or not reference:
            raise TypeError("delete_activity needs a TurnContext and a ConversationReference")
        await self.transport.delete_activity(reference.service_url, reference.conversation.id,
                                             reference.activity_id, self._credentials(context))

    def _credentials(self, context: TurnContext) -> Any:
        connector_client = context.turn_state.get(self.BOT_CONNECTOR_CLIENT_KEY)
        if connector_client is None:
            raise RuntimeError("Unable to extract ConnectorClient from turn context.")
        return connector_client.config.credentials

    async def send_proactive(self, reference: ConversationReference,
                             activities: Activity | str | Sequence[Activity | str], *,
                             bot_app_id: str | None = None) -> list[ResourceResponse]:
        """Send ``activities`` into the conversation of ``reference`` (a stored reference).

        Runs a ``continue_conversation`` turn with the bot's app id (``bot_app_id`` overrides
        it), so middleware sees the turn as botbuilder would. Raises :class:`ChannelSendError`
        (or a subclass) when the channel refuses or cannot be reached; nothing is retried here.
        """
        if isinstance(activities, (str, Activity)):
            activities = [activities]
        to_send = [MessageFactory.text(a) if isinstance(a, str) else a for a in activities]
        if not to_send:
            raise ValueError("send_proactive needs at least one activity")
        if not (reference and reference.conversation and reference.conversation.id):
            raise ValueError("the conversation reference has no conversation id")
        activities_url(reference.service_url, reference.conversation.id)  # validates serviceUrl

        responses: list[ResourceResponse] = []

        async def send(turn_context: TurnContext) -> None:
            responses.extend(await turn_context.send_activities(to_send))

        token = correlation_id.set(new_correlation_id()) if correlation_id.get() == "-" else None
        try:
            await self.continue_conversation(
                reference, send, self.app_id if bot_app_id is None else bot_app_id)
        finally:
            if token is not None:
                correlation_id.reset(token)
        return responses

    async def send_proactive_json(self, reference: dict, activity: dict, *,
                                  bot_app_id: str | None = None) -> ResourceResponse:
        """Send one activity (Bot Framework JSON) into the conversation of ``reference`` (a
        serialized ``ConversationReference``), straight to the channel: no models, no turn.

        The activity is addressed as ``TurnContext.apply_conversation_reference`` would
        (channel, serviceUrl, conversation, from = the bot, recipient = the user, the
        reference's locale unless the activity has one) and POSTed to the conversation with the
        bot's credentials for ``bot_app_id`` (default: the adapter's app id), from the same
        connector cache as the turns. No middleware runs (the product registers none). Raises
        :class:`ChannelSendError` (or a subclass); nothing is retried here.
        """
        conversation = reference.get("conversation") or {}
        conversation_id = conversation.get("id")
        if not conversation_id:
            raise ValueError("the conversation reference has no conversation id")
        service_url = reference.get("serviceUrl")
        url = activities_url(service_url, conversation_id)  # validates serviceUrl
        app_id = self.app_id if bot_app_id is None else bot_app_id
        claims = self.create_claims_identity(app_id)
        factory = self.bot_framework_authentication.create_connector_factory(claims)
        client = await factory.create(service_url, None)
        body = dict(activity)
        body.update({"channelId": reference.get("channelId"), "serviceUrl": service_url,
                     "conversation": conversation, "from": reference.get("bot"),
                     "recipient": reference.get("user")})
        body.setdefault("type", ActivityTypes.message)
        body.setdefault("inputHint", "acceptingInput")
        if not body.get("locale") and reference.get("locale"):
            body["locale"] = reference["locale"]
        body.pop("id", None)
        body.pop("replyToId", None)
        return await self.transport.post_json(url, client.config.credentials, conversation_id,
                                              body)

    # --- turn results and errors ---

    def _process_turn_results(self, context: TurnContext) -> InvokeResponse | None:
        # As botbuilder-dotnet's CloudAdapterBase, with bodies made JSON-ready here.
        if context.activity.delivery_mode == DeliveryModes.expect_replies:
            return InvokeResponse(status=200, body={"activities": [
                activity_json(a) for a in context.buffered_reply_activities]})
        if context.activity.type == ActivityTypes.invoke:
            stored = context.turn_state.get(self._INVOKE_RESPONSE_KEY)
            if stored is None or stored.value is None:
                return InvokeResponse(status=501)
            response = stored.value
            if isinstance(response, dict):  # an invokeResponse activity built from JSON
                response = InvokeResponse(status=response.get("status"), body=response.get("body"))
            return InvokeResponse(status=response.status or 200, body=jsonable(response.body))
        return None

    async def _handle_turn_error(self, context: TurnContext, error: Exception) -> None:
        activity = context.activity
        if _is_continuation(activity):
            # Proactive send: the caller decides (retry, deactivate); no apology to a user
            # who did not write.
            await self._run_turn_error_hook(context, error)
            raise error
        cid = correlation_id.get()
        if isinstance(error, ChannelUnreachable):
            # Nothing answers at serviceUrl: the bot did its part (the turn ran, its state is
            # saved). One line says where; an apology would go nowhere the same way.
            log.warning("the turn's replies could not be delivered [cid=%s]: %s (a client that "
                        "reads the replies from the HTTP response sends \"deliveryMode\": "
                        "\"expectReplies\")", cid, str(error)[:200])
            await self._run_turn_error_hook(context, error)
            return
        log.error("turn failed [cid=%s] type=%s channel=%s: %s", cid, bounded(activity.type, 40),
                  bounded(activity.channel_id, 40), type(error).__name__, exc_info=error)
        if activity.type in (ActivityTypes.message, ActivityTypes.invoke):
            try:
                await context.send_activity(self.apology(context))
            except Exception:  # the channel may be what failed; the turn error is logged above
                log.exception("could not send the apology [cid=%s]", cid)
        if activity.type == ActivityTypes.invoke:
            context.turn_state[self._INVOKE_RESPONSE_KEY] = Activity(
                type=ActivityTypes.invoke_response,
                value=InvokeResponse(status=500, body={"error": {
                    "code": "InternalError", "correlationId": cid}}))
        await self._run_turn_error_hook(context, error)

    async def _run_turn_error_hook(self, context: TurnContext, error: Exception) -> None:
        if self._turn_error_hook is None:
            return
        try:
            await self._turn_error_hook(context, error)
        except Exception:
            log.exception("on_turn_error hook failed [cid=%s]", correlation_id.get())


def create_adapter(settings, *, credentials_factory: ServiceClientCredentialsFactory | None = None,
                   transport: ChannelTransport | None = None,
                   on_turn_error: TurnErrorHook | None = None,
                   apology: Apology | None = None) -> CoopAdapter:
    """A :class:`CoopAdapter` for ``settings`` (a ``config.Settings``).

    Authentication is botbuilder's ``ConfigurationBotFrameworkAuthentication`` over the
    settings' ``MicrosoftApp*`` values; ``credentials_factory`` replaces the credential source
    (tests use one that hands out a fixed token).
    """
    authentication = ConfigurationBotFrameworkAuthentication(
        settings, credentials_factory=credentials_factory)
    return CoopAdapter(authentication, app_id=settings.app_id, auth_enabled=settings.auth_enabled,
                       transport=transport, on_turn_error=on_turn_error, apology=apology)


__all__ = ["CoopAdapter", "create_adapter", "CoopTurnContext", "jsonable", "activity_json",
           "default_apology", "new_correlation_id"]
