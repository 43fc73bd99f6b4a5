"""The feedback store (storage/feedback.py) on real SQLite and PostgreSQL: recorded through the
product's migration, listed newest first with paging, forgotten per user, purged by age."""
from __future__ import annotations

import doctest
from datetime import date, datetime, timedelta, timezone

import pytest

import services
from storage import feedback as feedback_module
from storage.feedback import (MAX_ANSWER_CHARS, MAX_COMMENT_CHARS, MAX_QUESTION_CHARS,
                              Feedback, FeedbackStore)

T0 = datetime(2026, 12, 7, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
async def store(scratch):
    db = await scratch.connect()
    await services.migrate_database(db)  # as `python app.py migrate` would
    return FeedbackStore(db)


def entry(**overrides):
    values = dict(user_id="29:user-1", conversation_id="a:conv-1", reaction="dislike",
                  comment="wrong year", question="when must we claim H1 2021 funds?",
                  answer="The last day to claim is August 15, 2021.", lang="en",
                  reading={"role": "earning", "half": "H1", "fy_label": "FY21 H1"}, at=T0)
    values.update(overrides)
    return values


async def test_record_and_list_newest_first(store):
    first = await store.record(**entry())
    second = await store.record(**entry(reaction="like", comment=""))
    third = await store.record(**entry(user_id="29:user-2", lang="fr", question="quand réclamer ?",
                                       at=T0 + timedelta(minutes=5)))
    assert first < second < third
    dislikes = await store.list()
    assert [f.id for f in dislikes] == [third, first]
    newest = dislikes[0]
    assert isinstance(newest, Feedback)
    assert newest == Feedback(id=third, at=T0 + timedelta(minutes=5), user_id="29:user-2",
                              conversation_id="a:conv-1", reaction="dislike", comment="wrong year",
                              question="quand réclamer ?",
                              answer="The last day to claim is August 15, 2021.", lang="fr",
                              reading={"role": "earning", "half": "H1", "fy_label": "FY21 H1"})
    assert newest.at.tzinfo is not None
    assert [f.id for f in await store.list(reaction="like")] == [second]
    assert [f.id for f in await store.list(reaction=None)] == [third, second, first]


async def test_paging_by_before_id(store):
    ids = [await store.record(**entry(comment=f"c{i}")) for i in range(7)]
    page1 = await store.list(limit=3)
    assert [f.id for f in page1] == ids[::-1][:3]
    page2 = await store.list(limit=3, before_id=page1[-1].id)
    assert [f.id for f in page2] == ids[::-1][3:6]
    page3 = await store.list(limit=3, before_id=page2[-1].id)
    assert [f.id for f in page3] == [ids[0]]
    assert await store.list(before_id=ids[0]) == []


async def test_bad_input_is_refused(store):
    for reaction in ("love", "", None, "DISLIKE", "👎"):
        with pytest.raises(ValueError):
            await store.record(**entry(reaction=reaction))
    with pytest.raises(ValueError):
        await store.list(reaction="meh")
    for limit in (0, -1, "10", True):
        with pytest.raises(ValueError):
            await store.list(limit=limit)
    with pytest.raises(ValueError):
        await store.list(before_id="5")
    with pytest.raises(TypeError):
        await store.record(**entry(reading=["not", "a", "dict"]))
    with pytest.raises(TypeError):
        await store.record(**entry(question=None))
    assert await store.list(reaction=None) == []


async def test_sizes_are_bounded(store):
    long_id = "29:" + "u" * 5000
    new = await store.record(**entry(user_id=long_id, conversation_id="a:" + "c" * 5000,
                                     question="q" * (MAX_QUESTION_CHARS + 10),
                                     answer="a" * (MAX_ANSWER_CHARS * 2),
                                     comment="c\x00" * MAX_COMMENT_CHARS, lang="x" * 100,
                                     reading={"text": "r" * 50_000}))
    [got] = await store.list()
    assert got.id == new
    assert len(got.question) == MAX_QUESTION_CHARS and got.question.endswith("…")
    assert len(got.answer) == MAX_ANSWER_CHARS
    assert len(got.comment) == MAX_COMMENT_CHARS and "\x00" not in got.comment
    assert len(got.lang) <= 35
    assert got.reading == {"truncated": True}
    assert len(got.user_id) <= 255 and len(got.conversation_id) <= 255
    # the user is still found by the id the channel gives, however long
    assert await store.forget_user(long_id) == 1


async def test_readings_with_dates_and_naive_times(store):
    await store.record(**entry(reading={"day": date(2026, 3, 12), "halves": ("H1", "H2")},
                               at=datetime(2026, 12, 7, 10, 30)))  # naive: read as UTC
    [got] = await store.list()
    assert got.reading == {"day": "2026-03-12", "halves": ["H1", "H2"]}
    assert got.at == datetime(2026, 12, 7, 10, 30, tzinfo=timezone.utc)
    paris = timezone(timedelta(hours=1))
    await store.record(**entry(at=datetime(2026, 12, 7, 12, 0, tzinfo=paris)))
    assert (await store.list())[0].at == datetime(2026, 12, 7, 11, 0, tzinfo=timezone.utc)


async def test_forget_user_deletes_only_that_users_feedback(store):
    await store.record(**entry(user_id="29:a"))
    await store.record(**entry(user_id="29:a", reaction="like"))
    kept = await store.record(**entry(user_id="29:b"))
    assert await store.forget_user("29:a") == 2
    assert [f.id for f in await store.list(reaction=None)] == [kept]
    assert await store.forget_user("29:a") == 0


async def test_purge_before(store):
    old = await store.record(**entry(at=T0 - timedelta(days=100)))
    edge = await store.record(**entry(at=T0 - timedelta(days=90)))
    new = await store.record(**entry(at=T0))
    assert await store.purge_before(T0 - timedelta(days=90)) == 1
    assert [f.id for f in await store.list(reaction=None)] == [new, edge]
    assert old not in [f.id for f in await store.list(reaction=None)]


async def test_the_migration_is_part_of_the_product_schema(scratch):
    db = await scratch.connect()
    with pytest.raises(services.SchemaBehind, match="feedback"):
        await services.check_schema(db)
    applied = await services.migrate_database(db)
    assert applied["feedback"] == [1, 2, 3, 4]
    await services.check_schema(db)  # up to date now
    assert (await services.migrate_database(db))["feedback"] == []  # idempotent


def test_doctests():
    result = doctest.testmod(feedback_module)
    assert result.attempted and not result.failed


# --- the state retention purges feedback too ---------------------------------------------------


async def test_the_retention_job_purges_old_feedback(store):
    import asyncio

    from storage.retention import run_retention

    now = datetime.now(timezone.utc)
    old = await store.record(**entry(at=now - timedelta(days=40)))
    fresh = await store.record(**entry(at=now - timedelta(days=1)))

    class BrokenState:  # a state storage whose run fails does not keep feedback's from running
        async def expire(self, older_than):
            raise RuntimeError("database unavailable")

    task = asyncio.create_task(run_retention(BrokenState(), 30, every=0.01, feedback=store))
    try:
        for _ in range(200):
            if [f.id for f in await store.list()] == [fresh]:
                break
            await asyncio.sleep(0.01)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert old not in [f.id for f in await store.list()]
    assert [f.id for f in await store.list()] == [fresh]


async def test_the_server_purges_old_feedback_by_itself(tmp_path):
    import asyncio

    from aiohttp.test_utils import TestClient, TestServer

    from app import create_app
    from config import Settings
    from storage import Database

    db = await Database.connect(f"sqlite:///{tmp_path / 'coop.sqlite3'}")
    await services.migrate_database(db)
    store = services.build_feedback_store(db)
    now = datetime.now(timezone.utc)
    await store.record(**entry(at=now - timedelta(days=40)))
    fresh = await store.record(**entry(at=now))
    app = create_app(Settings(reminder_sweep_enabled=False, state_retention_days=30), storage=db)
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    try:
        for _ in range(100):
            if [f.id for f in await store.list()] == [fresh]:
                break
            await asyncio.sleep(0.05)
        assert [f.id for f in await store.list()] == [fresh]
    finally:
        await client.close()
        await db.close()
