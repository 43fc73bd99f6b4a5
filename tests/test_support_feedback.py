"""The support desk's Feedback view (issue #19) over HTTP: the product's app on loopback, on real
SQLite and PostgreSQL, signed in as the other desk tests are (the local-development session
cookie, bearer tokens from a loopback issuer). A 👎 recorded through the bot's store shows in
``GET /support/api/feedback``, on ``GET /support/feedback`` and in the JSONL download, and is
gone after "forget my data" and after the retention purge."""
from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from html import unescape

import pytest

import services
from storage.feedback import FeedbackStore
from test_support_api import LOCAL, issuer, oidc_env, start_desk  # noqa: F401 (fixtures)

NOW = datetime.now(timezone.utc).replace(microsecond=0)
PARTNER = "29:partner-feedback-1"


def dislike(**overrides):
    values = dict(user_id=PARTNER, conversation_id="a:feedback-conv", reaction="dislike",
                  comment="It is the wrong year, we earned it in 2021",
                  question="When must we claim H1 2021 funds?",
                  answer="The last day to claim co-op earned July – December 2020 is August 15, 2021.",
                  lang="en", reading={"role": "earning", "fy_label": "FY21 H1", "months": "Jul – Dec 2020"},
                  at=NOW)
    values.update(overrides)
    return values


@pytest.fixture
async def desk_and_store(start_desk, scratch):
    """The desk (local development: no sign-in) and the feedback store on its database."""
    db = await scratch.connect()
    await services.migrate_database(db)  # as `python app.py migrate` would
    desk = await start_desk(LOCAL, db=db)
    await desk.open_page()
    return desk, FeedbackStore(db)


async def get_json(desk, path, **headers):
    response = await desk.http.get(desk.base + path, headers={**desk.headers(csrf=False), **headers})
    return response.status, await response.json()


async def get_page(desk, path="/support/feedback", **headers):
    response = await desk.http.get(desk.base + path, headers={**desk.headers(csrf=False), **headers},
                                   allow_redirects=False)
    return response, await response.text()


async def download(desk, path="/support/api/feedback.jsonl"):
    response = await desk.http.get(desk.base + path, headers=desk.headers(csrf=False))
    body = await response.text()
    return response, [json.loads(line) for line in body.splitlines()]


async def test_a_dislike_shows_in_the_api_the_page_and_the_download_until_forgotten(desk_and_store):
    desk, store = desk_and_store
    liked = await store.record(**dislike(reaction="like", comment="", question="a liked one"))
    other = await store.record(**dislike(user_id="29:someone-else", lang="fr",
                                         question="Quand réclamer la co-op de mars 2025 ?",
                                         answer="Le dernier jour est le 15 février 2026.",
                                         comment="", at=NOW - timedelta(hours=2)))
    mine = await store.record(**dislike())

    status, body = await get_json(desk, "/support/api/feedback")
    assert status == 200
    assert [f["id"] for f in body["feedback"]] == [mine, other]  # 👎 only, newest first
    assert body["next_before_id"] is None
    first = body["feedback"][0]
    assert first == {"id": mine, "reaction": "dislike", "question": "When must we claim H1 2021 funds?",
                     "lang": "en", "today": NOW.date().isoformat(),
                     "answer": dislike()["answer"], "reading": dislike()["reading"],
                     "comment": "It is the wrong year, we earned it in 2021",
                     "at": NOW.strftime("%Y-%m-%dT%H:%M:%SZ")}
    assert "user_id" not in first and PARTNER not in json.dumps(body)  # no partner id leaves
    status, everything = await get_json(desk, "/support/api/feedback?reaction=all")
    assert [f["id"] for f in everything["feedback"]] == [mine, other, liked]

    response, html = await get_page(desk)
    assert response.status == 200 and response.headers["Content-Type"].startswith("text/html")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    text = unescape(html)
    for shown in ("When must we claim H1 2021 funds?", dislike()["answer"],
                  "It is the wrong year, we earned it in 2021", "FY21 H1",
                  "Quand réclamer la co-op de mars 2025 ?", "Answers partners disliked (thumbs down)"):
        assert shown in text, shown
    assert "a liked one" not in text
    assert text.index("When must we claim") < text.index("Quand réclamer")  # newest first
    assert '<pre class="answer" lang="fr">' in html  # a French answer on an English page
    assert 'href="/support/api/feedback.jsonl"' in html and 'aria-current="page"' in html

    response, lines = await download(desk)
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("application/x-ndjson")
    assert "attachment" in response.headers["Content-Disposition"]
    assert [line["question"] for line in lines] == ["When must we claim H1 2021 funds?",
                                                    "Quand réclamer la co-op de mars 2025 ?"]
    assert set(lines[0]) == {"question", "lang", "today", "answer", "reading", "comment", "at"}
    assert lines[1]["lang"] == "fr" and lines[1]["comment"] == ""

    # "forget my data" (what the bot's forget path calls): the partner's feedback is gone
    assert await store.forget_user(PARTNER) == 2  # the 👎 and the 👍
    status, body = await get_json(desk, "/support/api/feedback?reaction=all")
    assert [f["id"] for f in body["feedback"]] == [other]
    _, html = await get_page(desk)
    assert "When must we claim H1 2021 funds?" not in unescape(html)
    _, lines = await download(desk)
    assert [line["question"] for line in lines] == ["Quand réclamer la co-op de mars 2025 ?"]

    # the retention purge: older than the cutoff is gone too
    assert await store.purge_before(NOW - timedelta(hours=1)) == 1
    status, body = await get_json(desk, "/support/api/feedback")
    assert body == {"feedback": [], "next_before_id": None}
    _, html = await get_page(desk)
    assert 'id="feedback-empty"' in html and "No answer has been disliked yet." in unescape(html)
    _, lines = await download(desk)
    assert lines == []


async def test_paging_by_before_id_in_the_api_and_on_the_page(desk_and_store):
    desk, store = desk_and_store
    ids = [await store.record(**dislike(question=f"question {i}")) for i in range(53)]
    newest_first = ids[::-1]
    seen, path = [], "/support/api/feedback?limit=20"
    while True:
        status, body = await get_json(desk, path)
        assert status == 200
        seen += [f["id"] for f in body["feedback"]]
        if body["next_before_id"] is None:
            break
        path = f"/support/api/feedback?limit=20&before_id={body['next_before_id']}"
    assert seen == newest_first

    _, html = await get_page(desk)
    shown = [int(n) for n in re.findall(r'id="fb-(\d+)"', html)]
    assert shown == newest_first[:50]
    older = re.search(r'href="(/support/feedback\?before_id=\d+)" rel="next"', html).group(1)
    _, html = await get_page(desk, older)
    assert [int(n) for n in re.findall(r'id="fb-(\d+)"', html)] == newest_first[50:]
    assert 'rel="next"' not in html and 'href="/support/feedback"' in html  # back to the newest

    _, lines = await download(desk)  # the download has them all, not one page
    assert [line["question"] for line in lines] == [f"question {i}" for i in range(52, -1, -1)]


async def test_bad_queries_are_400_in_the_askers_language(desk_and_store):
    desk, _ = desk_and_store
    for query in ("limit=0", "limit=1001", "limit=ten", "before_id=-3", "before_id=x",
                  "reaction=love", "before_id=" + "9" * 40):
        status, body = await get_json(desk, f"/support/api/feedback?{query}")
        assert status == 400 and body["error"], query
    status, body = await get_json(desk, "/support/api/feedback?limit=0", **{"Accept-Language": "fr"})
    assert status == 400 and body["error"].startswith("limit doit être")
    response = await desk.http.get(desk.base + "/support/api/feedback.jsonl?reaction=love",
                                   headers=desk.headers(csrf=False))
    assert response.status == 400
    # the page ignores a hand-edited address and shows the newest
    response, _ = await get_page(desk, "/support/feedback?before_id=abc")
    assert response.status == 200


async def test_the_page_in_french_marks_english_answers_and_escapes_everything(desk_and_store):
    desk, store = desk_and_store
    await store.record(**dislike(question='<script>alert("x")</script> & co',
                                 comment="<img src=x onerror=alert(1)>",
                                 reading={"<b>": "<i>it</i>"}))
    response, html = await get_page(desk, "/support/feedback?lang=fr")
    assert response.status == 200 and '<html lang="fr">' in html
    assert "support-lang=fr" in response.headers.get("Set-Cookie", "")
    text = unescape(html)
    for word in ("Réponses que les partenaires n'ont pas aimées (pouce vers le bas)", "Question du partenaire",
                 "Réponse donnée", "Lecture retenue", "Commentaire du partenaire",
                 "Télécharger en JSONL", "Anglais", " UTC"):
        assert word in text, word
    assert '<pre class="answer" lang="en">' in html
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>" not in html
    assert "&lt;script&gt;alert" in html
    # the language switch stays on this page
    assert 'href="/support/feedback?lang=en"' in html


async def test_the_ticket_page_links_to_the_feedback_view(desk_and_store):
    desk, _ = desk_and_store
    response, html = await get_page(desk, "/support")
    assert 'href="/support/feedback"' in html
    assert re.search(r'<a href="/support" aria-current="page">', html)


async def test_signed_out_is_refused_and_bearer_tokens_need_the_group(start_desk, issuer, tmp_path):
    from storage import Database

    db = await Database.connect(f"sqlite:///{tmp_path / 'feedback.sqlite3'}")
    try:
        await services.migrate_database(db)
        await FeedbackStore(db).record(**dislike())
        desk = await start_desk(oidc_env(issuer), db=db)
        # the page sends a signed-out browser to sign in, and back here afterwards
        response = await desk.http.get(desk.base + "/support/feedback", allow_redirects=False)
        assert response.status == 302
        assert response.headers["Location"] == "/support/login?next=%2Fsupport%2Ffeedback"
        for path in ("/support/api/feedback", "/support/api/feedback.jsonl"):
            response = await desk.http.get(desk.base + path)
            assert response.status == 401, path
            assert response.headers["WWW-Authenticate"].startswith("Bearer")
            assert "When must we claim" not in await response.text()
            response = await desk.http.get(desk.base + path, headers={
                "Authorization": f"Bearer {issuer.token(groups=['someone-else'])}"})
            assert response.status == 403, path
            response = await desk.http.get(desk.base + path, headers={
                "Cookie": "__Host-support-session=forged"})
            assert response.status == 401, path
        response = await desk.http.get(desk.base + "/support/api/feedback",
                                       headers={"Authorization": f"Bearer {issuer.token()}"})
        assert response.status == 200
        [item] = (await response.json())["feedback"]
        assert item["question"] == "When must we claim H1 2021 funds?"
        response = await desk.http.get(desk.base + "/support/api/feedback.jsonl",
                                       headers={"Authorization": f"Bearer {issuer.token()}"})
        assert response.status == 200 and len((await response.text()).splitlines()) == 1
    finally:
        await db.close()


async def test_the_desk_off_has_no_feedback_routes(start_desk):
    desk = await start_desk({})
    for path in ("/support/feedback", "/support/api/feedback", "/support/api/feedback.jsonl"):
        assert (await desk.http.get(desk.base + path, allow_redirects=False)).status == 404

