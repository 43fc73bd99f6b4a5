"""Issue #21's message extension and Copilot over the real HTTP endpoint: the product app
(``create_app``) on SQLite, the fake channel on loopback, ``composeExtension/query`` invokes as
Teams posts them. An activity date and an FY label get a result per reading in English and
French (and German once its pack exists), each result's inserted card states the dates ``core``
computes; an empty, unreadable, foreign or attacker-sized search gets a helpful result, never
an error; a Microsoft 365 Copilot conversation is the personal chat."""
from __future__ import annotations

import platform
from datetime import date

import pytest
from aiohttp.test_utils import TestClient, TestServer

import app
from bot import cards, compose
from bot.teams_bot import INVOKES
from config import Settings
from core import activity_facts, calendar, link
from services import migrate_database
from storage import Database
from understanding import registry
from understanding.fmt import fmt_date
from product_app import product_on_sqlite
from test_http_auth import APP_ID, openid, token  # noqa: F401 (openid: the channel's signing keys on loopback)

platform.platform()  # msrest asks the platform once per process (a process): at collection

PERSONAL = "a:1Compose-personal"
GROUP = "19:compose-group@thread.v2"
THUMBNAIL = "application/vnd.microsoft.card.thumbnail"
GERMAN = registry.BUILTIN_ROOT / "de" / "messages.po"
needs_german = pytest.mark.skipif(not GERMAN.exists(),
                                  reason="no German pack yet (understanding/lang/de/messages.po: issue #21's de-say)")


@pytest.fixture
async def product(tmp_path, fake_channel):
    async with product_on_sqlite(tmp_path) as (client, _db):
        yield client, fake_channel


def _invoke(channel, value, *, locale="en-US", conversation=GROUP, kind="groupChat", name=compose.QUERY_INVOKE,
            client_info=False):
    activity = channel.activity(None, type="invoke", name=name, value=value)
    activity["conversation"] = {"id": conversation, "tenantId": "tenant-1", "conversationType": kind}
    activity["localTimestamp"] = "2026-12-07T10:00:00+01:00"
    activity["localTimezone"] = "Europe/Paris"
    if client_info:  # Teams sends the client's language in the clientInfo entity, not always in locale
        activity.pop("locale", None)
        activity["entities"] = [{"type": "clientInfo", "locale": locale}]
    else:
        activity["locale"] = locale
    return activity


def _query(text, command=compose.COMMAND_ID):
    return {"commandId": command, "parameters": [{"name": compose.PARAMETER, "value": text}],
            "queryOptions": {"skip": 0, "count": 25}}


async def _search(client, channel, text, **kw):
    before = len(channel.posted)
    value = text if isinstance(text, dict) else _query(text)
    response = await client.post("/api/messages", json=_invoke(channel, value, **kw))
    assert response.status == 200, await response.text()
    body = await response.json()
    assert channel.posted[before:] == []  # a search answers in the invoke response, never with a message
    result = body["composeExtension"]
    assert result["type"] == "result" and result["attachmentLayout"] == "list"
    for attachment in result["attachments"]:
        assert attachment["contentType"] == cards.CARD_CONTENT_TYPE
        preview = attachment["preview"]
        assert preview["contentType"] == THUMBNAIL and preview["content"]["title"] and preview["content"]["text"]
        assert attachment["content"]["type"] == "AdaptiveCard" and attachment["content"]["fallbackText"]
    return result["attachments"]


def _facts(card):
    [fact_set] = [e for e in card["body"] if e["type"] == "FactSet"]
    return {f["title"]: f["value"] for f in fact_set["facts"]}


def _range(start, end, lang, locale):
    return cards.labels(lang)["range"].format(start=fmt_date(start, locale, lang), end=fmt_date(end, locale, lang))


def assert_activity_card(attachment, day, lang, locale):
    """The inserted card of an activity reading states core's cycle for ``day``."""
    facts = activity_facts(day)
    lab = cards.labels(lang)
    card = attachment["content"]
    shown = _facts(card)
    assert shown[lab["usage"]] == _range(facts.cycle.usage.start, facts.cycle.usage.end, lang, locale)
    assert shown[lab["claiming"]] == _range(facts.cycle.claiming.start, facts.cycle.claiming.end, lang, locale)
    assert shown[lab["poe"]] == fmt_date(facts.keep_until, locale, lang)
    assert shown[lab["forfeit"]] == fmt_date(facts.cycle.forfeiture, locale, lang)
    [claim] = card["actions"]
    assert claim["type"] == "Action.OpenUrl" and claim["url"] == link(cards.CLAIM_LINK_KEY).url
    assert claim["title"] == lab["claim_page"]
    assert fmt_date(day, locale, lang) in attachment["preview"]["content"]["title"]
    assert fmt_date(facts.keep_until, locale, lang) in attachment["preview"]["content"]["text"]
    assert not any(a.get("type") == "Action.Execute" for a in card.get("actions", []))  # works in any chat


def assert_earnings_card(attachment, half, lang, locale):
    """The inserted card of an earnings reading states core's cycle for ``half``."""
    cycle = calendar().cycle(half)
    lab = cards.labels(lang)
    shown = _facts(attachment["content"])
    assert shown[lab["usage"]] == _range(cycle.usage.start, cycle.usage.end, lang, locale)
    assert shown[lab["claiming"]] == _range(cycle.claiming.start, cycle.claiming.end, lang, locale)
    assert shown[lab["forfeit"]] == fmt_date(cycle.forfeiture, locale, lang)
    assert lab["poe"] not in shown  # earnings have no activity date to keep proof from
    assert calendar().fy_label(half, "microsoft") in attachment["preview"]["content"]["title"]
    assert fmt_date(cycle.claiming.end, locale, lang) in attachment["preview"]["content"]["text"]


def fy27_h1():
    return calendar().half_from_label(2027, "H1", "microsoft")  # July – December 2026


async def test_an_activity_date_in_english(product):
    client, channel = product
    [result] = await _search(client, channel, "webinar 12 March 2027")
    assert_activity_card(result, date(2027, 3, 12), "en", "en-US")
    assert result["preview"]["content"]["title"] == "Activity on March 12, 2027"


async def test_an_fy_label_in_english(product):
    client, channel = product
    [result] = await _search(client, channel, "FY27 H1")
    assert_earnings_card(result, fy27_h1(), "en", "en-US")
    assert fy27_h1().start == date(2026, 7, 1)


async def test_a_bare_date_gets_both_readings_activity_first(product):
    client, channel = product
    activity, earnings = await _search(client, channel, "12 March 2027")
    assert_activity_card(activity, date(2027, 3, 12), "en", "en-US")
    assert_earnings_card(earnings, calendar().half_containing(date(2027, 3, 12)), "en", "en-US")
    assert [r["content"]["body"][1]["text"] for r in (activity, earnings)] == [
        "Read as the day an activity was held", "Read as when the co-op was earned"]


async def test_an_activity_date_in_french(product):
    client, channel = product
    [result] = await _search(client, channel, "notre webinaire du 12 mars 2027", locale="fr-FR")
    assert_activity_card(result, date(2027, 3, 12), "fr", "fr-FR")
    assert result["preview"]["content"]["title"] == "Activité du 12 mars 2027"


async def test_an_fy_label_in_french_from_the_client_language(product):
    client, channel = product
    [result] = await _search(client, channel, "FY27 H1", locale="fr-FR", client_info=True)
    assert_earnings_card(result, fy27_h1(), "fr", "fr-FR")
    assert "Période d'utilisation" in _facts(result["content"])


async def test_french_words_are_answered_in_french_whatever_the_client(product):
    client, channel = product
    [result] = await _search(client, channel, "mes fonds de juin", locale="en-US")
    title = result["preview"]["content"]["title"]
    assert title.startswith("Co-op gagnée : janvier – juin ")  # the most recent June's half
    year = int(title.split("juin ")[1][:4])
    assert_earnings_card(result, calendar().half_containing(date(year, 6, 1)), "fr", "fr-FR")


@needs_german
async def test_an_activity_date_and_an_fy_label_in_german(product):
    client, channel = product
    # ("Webinar am 12.03.2027" alone is read as English by the German pack's detector at the
    # time of writing, in the chat as here: the search answers in the language the chat would)
    [result] = await _search(client, channel, "Unser Webinar am 12.03.2027", locale="de-DE")
    assert_activity_card(result, date(2027, 3, 12), "de", "de-DE")
    [result] = await _search(client, channel, "FY27 H1", locale="de-DE")
    assert_earnings_card(result, fy27_h1(), "de", "de-DE")


@pytest.mark.parametrize("value", [
    _query(""), _query("   "), {"commandId": compose.COMMAND_ID, "parameters": [{"name": "initialRun", "value": "true"}]},
    {"commandId": compose.COMMAND_ID}, {"parameters": "FY27 H1"}, {"parameters": [{"name": compose.PARAMETER, "value": 27}]},
])
async def test_an_empty_query_says_what_to_type(product, value):
    client, channel = product
    [result] = await _search(client, channel, value)
    assert result["preview"]["content"]["title"] == "Co-op deadline"
    assert "Type an event date or an FY label" in result["preview"]["content"]["text"]
    [french] = await _search(client, channel, value, locale="fr-CA")
    assert french["preview"]["content"]["text"].startswith("Tapez la date d'un événement")


async def test_an_unreadable_query_says_what_to_type(product):
    client, channel = product
    [result] = await _search(client, channel, "what's up")
    assert result["preview"]["content"]["title"] == "No date or FY label found"
    assert "FY27 H1" in result["content"]["fallbackText"]


async def test_a_language_no_pack_speaks_is_told_so(product):
    client, channel = product
    [result] = await _search(client, channel, "¿Cuándo debemos reclamar el seminario web del 12 de marzo de 2027?")
    text = result["preview"]["content"]["text"]
    assert text.startswith("I answer in English") and "French" in text and "German" in text
    assert "2027" not in result["content"]["fallbackText"]  # no date is stated for a question not read


async def test_an_attacker_sized_query_is_bounded(product):
    client, channel = product
    dates = " ".join(f"{d} March 2027" for d in range(1, 29)) * 600  # about 220 kB of dates
    results = await _search(client, channel, dates)
    assert 1 <= len(results) <= compose.MAX_RESULTS
    assert len(str(results)) < 100_000
    [markup] = await _search(client, channel, "<script>" * 30_000)
    assert markup["preview"]["content"]["title"] == "No date or FY label found"
    # beyond the endpoint's body limit the transport refuses it before any turn runs
    too_big = await client.post("/api/messages", json=_invoke(channel, _query("FY27 H1 " * 40_000)))
    assert too_big.status == 413 and channel.posted == []


async def test_a_search_is_one_route_among_the_invokes(product):
    assert INVOKES[compose.QUERY_INVOKE] is compose.query
    client, channel = product
    # an invoke nobody routes still gets botbuilder's answer, not a failed turn
    response = await client.post("/api/messages", json=_invoke(channel, {}, name="composeExtension/unknown"))
    assert response.status == 501
    assert channel.posted == []


@pytest.mark.parametrize("copilot", [
    {"channelId": "msteams", "entities": [{"type": "ProductInfo", "id": "COPILOT"}]},
    {"channelId": "msteams:COPILOT"},
])
async def test_a_copilot_conversation_is_the_personal_chat(product, copilot):
    # (the sub-channel form fails without bot.copilot; the entity form guards that a Copilot
    # turn with no conversationType stays the member's own)
    client, channel = product
    activity = channel.activity("my activities", **copilot)
    activity["conversation"] = {"id": "a:copilot-chat", "tenantId": "tenant-1"}  # no conversationType
    response = await client.post("/api/messages", json=activity)
    assert response.status == 200
    [reply] = channel.posted
    assert reply["channelId"] == "msteams" and reply["conversation"]["id"] == "a:copilot-chat"
    text = reply.get("text") or reply["attachments"][0]["content"].get("fallbackText", "")
    from understanding import messages

    assert messages.t("en", "plan.whose.personal") in text  # the member's own plan, as in the 1:1 chat


async def test_the_card_a_partner_inserts_in_the_bots_own_chat_is_not_answered(product):
    client, channel = product
    [result] = await _search(client, channel, "FY27 H1", conversation=PERSONAL, kind="personal")
    inserted = channel.activity('<span class="inline-compose-card" itemid="0"></span>',
                                attachments=[{"contentType": cards.CARD_CONTENT_TYPE, "content": result["content"]}])
    inserted["conversation"] = {"id": PERSONAL, "tenantId": "tenant-1", "conversationType": "personal"}
    response = await client.post("/api/messages", json=inserted)
    assert response.status == 200 and channel.posted == []
    # words typed with it are a question like any other
    inserted["text"] = "and when for FY27 H2?"
    response = await client.post("/api/messages", json=inserted)
    assert response.status == 200 and len(channel.posted) == 1


@pytest.mark.parametrize("module", ["bot.compose", "bot.copilot", "understanding.search"])
def test_doctests(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


async def test_a_search_and_copilot_need_the_channels_signed_token(openid, fake_channel, credentials_factory, tmp_path):
    """With credentials set, ``composeExtension/query`` is authenticated like any activity:
    unsigned is 401 and runs nothing, a token signed by the channel's key is answered; so is a
    Copilot turn in the sub-channel form (its key endorses ``msteams``)."""
    credentials_factory.app_id = APP_ID
    settings = Settings(app_id=APP_ID, app_password="secret", reminder_sweep_enabled=False,
                        database_url=f"sqlite:///{tmp_path / 'coop.sqlite3'}")
    db = await Database.connect(settings.database_url)
    await migrate_database(db)
    client = TestClient(TestServer(app.create_app(settings, credentials_factory=credentials_factory),
                                   host="127.0.0.1"))
    await client.start_server()
    try:
        activity = _invoke(fake_channel, _query("FY27 H1"))
        unsigned = await client.post("/api/messages", json=activity)
        assert unsigned.status == 401
        signed = await client.post("/api/messages", json=activity,
                                   headers={"Authorization": f"Bearer {token(fake_channel.service_url)}"})
        assert signed.status == 200
        [result] = (await signed.json())["composeExtension"]["attachments"]
        assert_earnings_card(result, fy27_h1(), "en", "en-US")
        assert fake_channel.posted == []
        # Copilot's sub-channel is endorsed as msteams: a signed Copilot question is answered
        copilot = fake_channel.activity("When must I claim H1 funds?", channelId="msteams:COPILOT")
        asked = await client.post("/api/messages", json=copilot,
                                  headers={"Authorization": f"Bearer {token(fake_channel.service_url)}"})
        assert asked.status == 200
        [reply] = fake_channel.posted
        assert reply["channelId"] == "msteams" and reply["attachments"][0]["content"]["fallbackText"]
    finally:
        await client.close()
        await db.close()
