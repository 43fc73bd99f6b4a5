"""Robustness of the running server: ``python app.py`` as a subprocess on loopback, driven over
HTTP exactly as Teams drives it (issue #6).

(a) the bad-input matrix of the bot issue, sent while good traffic runs: every good request is
    answered correctly, every bad one gets its 4xx (never a 5xx), the server stays up;
(b) Hypothesis-driven activities (random JSON shapes, random unicode including lone
    surrogates): never a 5xx, the server stays up;
(c) state survives ``kill -9`` of the server half-way through multi-turn dialogs (the split
    asking for an amount, "forget my data" asking for confirmation; the second one through the
    connector path, replies posted to a loopback connector).

Replies are read from the HTTP body (``deliveryMode: "expectReplies"``) except where the
connector path is the point. Nothing leaves 127.0.0.1: every ``serviceUrl`` the tests send,
including Hypothesis' random ones, points at the loopback connector.
"""
from __future__ import annotations

import json
import re
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from bench.common import (  # noqa: E402
    APOLOGY_MARKERS, RunningApp, activity, connector_replies, new_conversation_id, new_user_id,
    reply_texts, start_connector,
)

pytestmark = pytest.mark.process  # real servers and processes

# A fixed "now" for the sender's local day, so expected dates do not move with the calendar.
NOW = datetime(2025, 3, 10, 14, 0, tzinfo=timezone.utc)


# ------------------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def connector(tmp_path_factory):
    proc, base = start_connector(tmp_path_factory.mktemp("connector"))
    yield base
    proc.stop()


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """One server for (a) and (b), on its own SQLite file."""
    workdir = tmp_path_factory.mktemp("app")
    running = RunningApp(workdir, f"sqlite:///{workdir / 'coop.sqlite3'}").start()
    yield running
    running.stop()


def normalized(texts: list[str]) -> str:
    """Reply texts joined, lower-cased, without digit group separators (1,000 / 1 000)."""
    joined = " ".join(texts).lower()
    return re.sub(r"(?<=\d)[,\u00a0\u202f ](?=\d{3})", "", joined)


def expect_answer(app: RunningApp, text: str, lang: str = "en", **kwargs) -> str:
    status, body = app.post(activity(text, service_url="", lang=lang, expect_replies=True,
                                     now=NOW, **kwargs))
    assert status == 200, (text, status, body)
    texts = reply_texts(body)
    assert texts, (text, body)
    joined = " ".join(texts)
    assert not any(m in joined for m in APOLOGY_MARKERS), (text, joined)
    return normalized(texts)


# ------------------------------------------------------------------------------ (a) bad input under load

# Good questions with what a right answer must contain (after normalized()).
GOOD = [
    ("en", "When can we claim co-op funds earned in September 2023?", ["2024", "16", "15"]),
    ("en", "Last day to claim funds earned in March 2022?", ["2023", "15"]),
    ("fr", "Quand puis-je réclamer les fonds gagnés en octobre 2024 ?", ["2025", "16", "15"]),
    ("en", "Incentive earnings of 9,000 with a 60/40 split: how much is co-op?", ["3600"]),
    ("fr", "Avec 10 000 de gains d'incitation et une répartition 60/40, quelle est la part co-op ?",
     ["4000"]),
    ("en", "Is OSA Sell paid as co-op?", ["cpor"]),
    ("en", "Which half is November 2024 in?", ["h1", "2024"]),
]


def _activity_bytes(**fields) -> bytes:
    body = activity("When can I claim co-op earned in May 2023?", service_url="",
                    expect_replies=True, now=NOW)
    body.update(fields)
    return json.dumps({k: v for k, v in body.items() if v is not _DROP}).encode()


_DROP = object()

# name -> (raw body, content type, allowed statuses). The matrix, plus neighbours.
BAD = {
    "malformed JSON": (b'{"type": "message", "text": "hi', "application/json", {400}),
    "empty body": (b"", "application/json", {400}),
    "JSON array": (b"[1, 2, 3]", "application/json", {400}),
    "JSON string": (b'"message"', "application/json", {400}),
    "deeply nested JSON": (b"[" * 100_000 + b"]" * 100_000, "application/json", {400, 413}),
    "invalid UTF-8": (b'{"type": "message", "text": "\xff\xfe"}', "application/json", {400}),
    "wrong content type": (None, "text/plain", {415}),
    "form content type": (None, "application/x-www-form-urlencoded", {415}),
    "several MB body": ("MB", "application/json", {413}),
    "no type": ("no type", "application/json", {400}),
    "empty type": ("empty type", "application/json", {400}),
    "no conversation": ("no conversation", "application/json", {400}),
    "conversation without id": ("conversation without id", "application/json", {400}),
    "no from": ("no from", "application/json", {400}),
    "text is a number": ("text number", "application/json", {400}),
    "no serviceUrl in normal delivery": ("no serviceUrl", "application/json", {400}),
}


def _bad_body(name: str, raw, content_type: str) -> bytes:
    if isinstance(raw, bytes):
        return raw
    if raw is None:  # a valid activity under a wrong content type
        return _activity_bytes()
    if raw == "MB":
        return _activity_bytes(text="x" * (5 * 1024 * 1024))
    return {
        "no type": lambda: _activity_bytes(type=_DROP),
        "empty type": lambda: _activity_bytes(type=""),
        "no conversation": lambda: _activity_bytes(conversation=_DROP),
        "conversation without id": lambda: _activity_bytes(conversation={"name": "x"}),
        "no from": lambda: _activity_bytes(**{"from": _DROP}),
        "text number": lambda: _activity_bytes(text=42),
        "no serviceUrl": lambda: _activity_bytes(deliveryMode=_DROP, serviceUrl=_DROP),
    }[raw]()


def test_bad_input_matrix_under_good_load(app, connector):
    """Good questions from 16 concurrent clients while every bad input is sent 5 times."""
    bad_jobs = [(name, _bad_body(name, raw, ctype), ctype, allowed)
                for name, (raw, ctype, allowed) in BAD.items()] * 5
    good_jobs = GOOD * 20

    def send_bad(job):
        name, data, ctype, allowed = job
        status, body = app.post(raw=data, content_type=ctype)
        return name, status, allowed, body

    def send_good(job):
        lang, text, must = job
        try:
            answer = expect_answer(app, text, lang)
        except AssertionError as err:
            return text, str(err)[:500]
        missing = [m for m in must if m not in answer]
        return text, (f"missing {missing} in {answer[:400]!r}" if missing else None)

    with ThreadPoolExecutor(max_workers=16) as pool:
        good = pool.map(send_good, good_jobs)
        bad = pool.map(send_bad, bad_jobs)
        good_problems = [(t, p) for t, p in good if p]
        bad_results = list(bad)

    wrong = [(n, s, sorted(a), str(b)[:200]) for n, s, a, b in bad_results if s not in a]
    assert not wrong, wrong
    assert not good_problems, good_problems[:5]
    assert app.healthy(), app.log()[-3000:]


def test_odd_but_valid_activities_are_answered_not_crashed(app, connector):
    """The rest of the matrix is input a channel really sends: answered (2xx), never a 5xx."""
    # text null with a card value: a card submit; routed on value.verb.
    status, body = app.post(activity(None, service_url="", expect_replies=True, now=NOW,
                                     value={"verb": "ask",
                                            "text": "When can I claim co-op earned in May 2023?"}))
    assert status == 200, body
    texts = reply_texts(body)
    assert texts and not any(m in " ".join(texts) for m in APOLOGY_MARKERS), body
    assert "2024" in normalized(texts)

    # a card value the bot does not know, and no text at all
    status, body = app.post(activity(None, service_url="", expect_replies=True, now=NOW,
                                     value={"verb": "no-such-verb", "x": [1, {"y": None}]}))
    assert status == 200, body

    # 100 000 characters of text: cut and answered, quickly
    long_text = ("When can I claim co-op earned in May 2023? " * 2500)[:100_000]
    status, body = app.post(activity(long_text, service_url="", expect_replies=True, now=NOW))
    assert status == 200, str(body)[:300]
    assert not any(m in " ".join(reply_texts(body)) for m in APOLOGY_MARKERS)

    # unknown activity type: refused with a 4xx (bot/http.py), never passed to the bot
    status, _ = app.post(activity("hi", service_url="", expect_replies=True, now=NOW,
                                  activity_type="coopNewThing"))
    assert 400 <= status < 500

    # the connector path with the same odd inputs: replies go to the loopback connector
    cid = new_conversation_id()
    status, _ = app.post(activity(None, service_url=connector + "/", conversation_id=cid,
                                  now=NOW, value={"verb": "ask", "text": "help"}))
    assert status == 200
    assert connector_replies(connector, cid), "no reply reached the connector"
    assert app.healthy()


# ------------------------------------------------------------------------------ (b) Hypothesis

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=15,
)
# Any code point, lone surrogates included (they survive json.dumps as \udXXX escapes).
UNICODE = st.text(alphabet=st.characters(), max_size=300)
ACTIVITY_TYPES = st.sampled_from(["message", "invoke", "conversationUpdate", "messageReaction",
                                  "installationUpdate", "event", "typing", "endOfConversation",
                                  "messageUpdate", "messageDelete"]) | st.text(max_size=12)
ACCOUNT = st.fixed_dictionaries({"id": st.text(max_size=40) | JSON},
                                optional={"name": UNICODE | JSON, "aadObjectId": st.text(max_size=40),
                                          "role": st.text(max_size=10)}) | JSON


@st.composite
def activities(draw):
    """An activity-shaped dict with any field of any shape, or (1 in 8) any JSON at all."""
    if draw(st.integers(0, 7)) == 0:
        return draw(JSON)
    base = activity("x", service_url="", expect_replies=True, now=NOW)
    fields = {
        "type": ACTIVITY_TYPES | JSON,
        "text": UNICODE | st.none() | JSON,
        "value": JSON,
        "from": ACCOUNT,
        "recipient": ACCOUNT,
        "conversation": st.fixed_dictionaries(
            {"id": st.text(max_size=60) | JSON},
            optional={"conversationType": st.sampled_from(["personal", "channel", "groupChat"])
                      | st.text(max_size=10), "tenantId": st.text(max_size=40)}) | JSON,
        "locale": st.sampled_from(["en-US", "fr-FR", "fr-CA", "de-DE", "", "xx"]) | UNICODE | JSON,
        "localTimestamp": st.datetimes().map(lambda d: d.isoformat()) | st.text(max_size=30) | JSON,
        "localTimezone": st.sampled_from(["Europe/Paris", "America/New_York", "Mars/Olympus"])
        | st.text(max_size=30) | JSON,
        "timestamp": st.text(max_size=30) | JSON,
        "entities": st.lists(st.dictionaries(st.sampled_from(["type", "mentioned", "text", "locale",
                                                              "timezone"]), JSON, max_size=4),
                             max_size=3) | JSON,
        "channelData": JSON,
        "attachments": st.lists(JSON, max_size=3) | JSON,
        "channelId": st.sampled_from(["msteams", "emulator", "webchat"]) | st.text(max_size=10),
        "name": st.sampled_from(["adaptiveCard/action", "task/fetch", "application/search"])
        | st.text(max_size=20),
        "deliveryMode": st.sampled_from(["expectReplies", "normal", None]) | JSON,
        "membersAdded": st.lists(ACCOUNT, max_size=3) | JSON,
    }
    changed = draw(st.lists(st.sampled_from(sorted(fields)), unique=True, max_size=8))
    dropped = draw(st.lists(st.sampled_from(sorted(base)), unique=True, max_size=3))
    for key in changed:
        base[key] = draw(fields[key])
    for key in dropped:
        base.pop(key, None)
    extra = draw(st.dictionaries(st.text(max_size=10), JSON, max_size=3))
    for key, value in extra.items():
        base.setdefault(key, value)
    return base


def _loopback_only(payload, connector: str):
    """Point any serviceUrl at the loopback connector: nothing may leave 127.0.0.1."""
    if isinstance(payload, dict) and "serviceUrl" in payload:
        payload["serviceUrl"] = connector + "/"
    return payload


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(payload=activities())
def test_random_activities_never_get_a_5xx(app, connector, payload):
    payload = _loopback_only(payload, connector)
    note(json.dumps(payload)[:2000])
    status, body = app.post(raw=json.dumps(payload).encode())
    assert status < 500, (status, str(body)[:500])


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=2000) | UNICODE.map(lambda s: s.encode("utf-8", "surrogatepass")))
def test_random_bytes_never_get_a_5xx(app, connector, data):
    status, body = app.post(raw=data)
    assert status < 500, (status, str(body)[:500])


def test_server_is_up_after_the_random_inputs(app):
    # runs after the Hypothesis tests (file order): the process must still answer
    assert app.healthy(), app.log()[-3000:]
    assert expect_answer(app, "Which half is November 2024 in?")


# ------------------------------------------------------------------------------ (c) kill -9


def test_dialog_state_survives_sigkill_of_the_server(tmp_path, connector):
    """Half-way through two multi-turn dialogs, ``kill -9``; restart on the same database file
    and finish both. The split waits for its amount (expectReplies); "forget my data" waits for
    its yes/no (connector path)."""
    db_url = f"sqlite:///{tmp_path / 'coop.sqlite3'}"
    running = RunningApp(tmp_path, db_url).start()
    split_conv, split_user = new_conversation_id(), new_user_id()
    forget_conv, forget_user = new_conversation_id(), new_user_id()
    try:
        asked = expect_answer(running, "What is the co-op portion with a 60/40 split?",
                              conversation_id=split_conv, user_id=split_user)
        assert "amount" in asked, asked  # the split asks which amount to split

        status, _ = running.post(activity("forget my data", service_url=connector + "/",
                                          conversation_id=forget_conv, user_id=forget_user,
                                          now=NOW))
        assert status == 200
        prompt = connector_replies(connector, forget_conv)
        assert any("yes" in (a.get("text") or "").lower() or a.get("attachments")
                   for a in prompt), prompt

        running.kill9()
        assert not running.proc.alive()
    finally:
        running.stop()

    restarted = RunningApp(tmp_path, db_url, log_path=tmp_path / "app-restarted.log").start()
    try:
        answer = expect_answer(restarted, "5000", conversation_id=split_conv, user_id=split_user)
        assert "2000" in answer and "3000" in answer, answer

        status, _ = restarted.post(activity("yes", service_url=connector + "/",
                                            conversation_id=forget_conv, user_id=forget_user,
                                            now=NOW))
        assert status == 200
        from understanding import messages  # the exact sentence the dialog ends with

        done = messages.confirm_forgotten("en")
        replies = connector_replies(connector, forget_conv, at_least=2)
        texts = [a.get("text") or json.dumps(a.get("attachments")) for a in replies
                 if a.get("type") == "message"]
        assert any(done in t for t in texts[1:]), texts

        # control: without the saved dialog, a bare "yes" is not a confirmation
        assert normalized([done]) not in expect_answer(restarted, "yes",
                                                      conversation_id=new_conversation_id())
        assert restarted.healthy()
    finally:
        restarted.stop()
