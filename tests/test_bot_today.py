""""Today" is the server's date in the sender's time zone: the client's clock is never trusted.

``localTimestamp`` is the client's wall clock with its UTC offset; only the offset is used (and
clamped to ±14 h, the widest offsets in use), so a client whose clock says 1900 or 2200 gets
the same day as everyone in its time zone. ``localTimezone`` (an IANA name) wins when given.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

from aiohttp.test_utils import TestClient, TestServer
from botbuilder.schema import Activity
from hypothesis import given, strategies as st

import app
from bot.locale import activity_today
from config import Settings

NOW = datetime(2025, 3, 1, 9, 0, tzinfo=timezone.utc)


def test_the_client_clock_gives_only_its_offset():
    for year in (1900, 2200):
        stamp = datetime(year, 1, 16, 10, 0, tzinfo=timezone(timedelta(hours=1)))
        assert activity_today(Activity(local_timestamp=stamp), NOW) == date(2025, 3, 1)
    # 09:00 UTC is already 1 March 23:00 at UTC+14, and still 28 February 21:00 at UTC-12
    plus14 = datetime(1999, 12, 31, tzinfo=timezone(timedelta(hours=14)))
    minus12 = datetime(2200, 7, 4, tzinfo=timezone(timedelta(hours=-12)))
    assert activity_today(Activity(local_timestamp=plus14), NOW) == date(2025, 3, 1)
    assert activity_today(Activity(local_timestamp=minus12), NOW) == date(2025, 2, 28)


def test_an_offset_beyond_14_hours_is_clamped():
    late = datetime(2025, 3, 1, 22, 0, tzinfo=timezone.utc)  # +14 h: 2 March 12:00
    plus23 = datetime(2025, 3, 2, 21, 0, tzinfo=timezone(timedelta(hours=23)))
    minus23 = datetime(2025, 2, 28, tzinfo=timezone(timedelta(hours=-23, minutes=-59)))
    assert activity_today(Activity(local_timestamp=plus23), late) == date(2025, 3, 2)
    assert activity_today(Activity(local_timestamp=minus23), NOW) == date(2025, 2, 28)  # -14 h
    assert activity_today(Activity(local_timestamp=minus23),
                          datetime(2025, 3, 1, 13, 0, tzinfo=timezone.utc)) == date(2025, 2, 28)
    assert activity_today(Activity(local_timestamp=minus23),
                          datetime(2025, 3, 1, 14, 0, tzinfo=timezone.utc)) == date(2025, 3, 1)


def test_the_time_zone_name_wins_over_the_timestamps_offset():
    stamp = datetime(2200, 1, 1, tzinfo=timezone(timedelta(hours=-8)))
    activity = Activity(local_timestamp=stamp, local_timezone="Pacific/Kiritimati")  # UTC+14
    assert activity_today(activity, datetime(2025, 3, 1, 12, 0, tzinfo=timezone.utc)) == date(2025, 3, 2)


@given(stamp=st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30),
                          timezones=st.integers(-1439, 1439).map(
                              lambda m: timezone(timedelta(minutes=m)))),
       now=st.datetimes(min_value=datetime(2000, 1, 2), max_value=datetime(2100, 12, 30),
                        timezones=st.just(timezone.utc)))
def test_today_is_within_a_day_of_the_servers_date_whatever_the_client_sends(stamp, now):
    today = activity_today(Activity(local_timestamp=stamp), now)
    assert abs((today - now.date()).days) <= 1
    assert now - timedelta(hours=14) <= datetime.combine(today, datetime.max.time(), timezone.utc)
    assert datetime.combine(today, datetime.min.time(), timezone.utc) <= now + timedelta(hours=14)


async def test_a_client_clock_in_1900_or_2200_never_changes_the_year_the_bot_states(tmp_path, fake_channel):
    from services import migrate_database
    from storage import Database

    settings = Settings(database_url=f"sqlite:///{tmp_path / 'coop.sqlite3'}",
                        reminder_sweep_enabled=False)
    db = await Database.connect(settings.database_url)
    await migrate_database(db)
    client = TestClient(TestServer(app.create_app(settings), host="127.0.0.1"))
    await client.start_server()
    try:
        server_year = datetime.now(timezone.utc).year
        for year in (1900, 2200):
            activity = fake_channel.activity("remind me", localTimestamp=f"{year}-01-16T10:00:00+01:00")
            activity["from"] = {"id": f"29:clock-{year}", "name": "Partner"}
            before = len(fake_channel.posted)
            assert (await client.post("/api/messages", json=activity)).status == 200
            [reply] = fake_channel.posted[before:]
            said = reply.get("text") or reply["attachments"][0]["content"]["fallbackText"]
            years = {int(y) for y in re.findall(r"\b(1[89]\d\d|2[0-2]\d\d)\b", said)}
            assert years and years <= {server_year, server_year + 1}, said
            row = await db.fetchrow("SELECT * FROM reminder_subscriptions WHERE user_id = $1",
                                    f"29:clock-{year}")
            # the sweep starts after this day: 1900 would have sent every reminder since then
            start = date.fromisoformat(str(row["swept_through"])[:10])
            assert abs((start - datetime.now(timezone.utc).date()).days) <= 2, start
    finally:
        await client.close()
        await db.close()
