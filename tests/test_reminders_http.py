"""reminders.http (calendar link, operator sweep, daily task) and the notify CLI."""

import argparse
import asyncio
from datetime import date, datetime, timezone

import icalendar
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from cli import notify
from config import Settings
from fake_connector import FakeConnector, reference
from reminders import store
from reminders.http import REMINDER_SERVICES, add_routes, calendar_link, start_daily_sweeper
from bot.proactive import production_transport
from storage.db import Database

ADMIN = "operator-token-0123456789"


async def client_for(app):
    client = TestClient(TestServer(app))
    await client.start_server()
    return client


async def test_calendar_link_serves_the_users_ics(db):
    app = web.Application()
    add_routes(app, db, settings=Settings())
    client = await client_for(app)
    try:
        url = await calendar_link(db, "29:u1", "http://localhost:3978", lang="fr", locale="fr-FR")
        assert url.startswith("http://localhost:3978/calendar/") and url.endswith(".ics")
        response = await client.get(url.removeprefix("http://localhost:3978"))
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/calendar")
        cal = icalendar.Calendar.from_ical(await response.read())
        events = list(cal.walk("VEVENT"))
        assert events and all("co-op" in str(e["SUMMARY"]) for e in events)
        assert any("Date limite de demande" in str(e["SUMMARY"]) for e in events)
        today = datetime.now(timezone.utc).date()
        deadlines = [e.decoded("DTSTART") for e in events if "claim-closes" in str(e["UID"])]
        assert deadlines and all(d >= today for d in deadlines)
        assert "REFRESH-INTERVAL" in cal  # a subscribing calendar fetches it again daily
        for path in ("/calendar/" + "x" * 43 + ".ics", "/calendar/short.ics", "/calendar/..%2F.ics"):
            assert (await client.get(path)).status == 404
    finally:
        await client.close()


async def test_the_feed_is_rotated_and_revoked(db):
    app = web.Application()
    add_routes(app, db, settings=Settings())
    client = await client_for(app)
    try:
        first = (await calendar_link(db, "29:u1", "http://x")).removeprefix("http://x")
        assert (await client.get(first)).status == 200
        second = "/calendar/" + await store.rotate_calendar_token(db, "29:u1") + ".ics"
        assert (await client.get(first)).status == 404  # the old link stops working
        assert (await client.get(second)).status == 200
        await store.forget_user(db, "29:u1")  # "forget my data" revokes it
        assert (await client.get(second)).status == 404
    finally:
        await client.close()


async def test_a_cards_cycles_as_a_file(db):
    app = web.Application()
    add_routes(app, db, settings=Settings())
    client = await client_for(app)
    try:
        response = await client.get("/calendar/cycles/2021-H1,2021-H2.ics?lang=fr&locale=fr-CA")
        assert response.status == 200 and response.headers["Content-Type"].startswith("text/calendar")
        cal = icalendar.Calendar.from_ical(await response.read())
        events = {str(e["UID"]).split("@")[0]: e for e in cal.walk("VEVENT")}
        assert sorted(events) == sorted(f"{kind}-{c}" for kind in ("claim-opens", "claim-closes", "forfeiture")
                                        for c in ("2021-H1", "2021-H2"))
        assert events["claim-closes-2021-H1"].decoded("DTSTART") == date(2022, 8, 15)
        assert all(len(list(e.walk("VALARM"))) == 1 for e in events.values())
        for bad in ("/calendar/cycles/2021-H3.ics", "/calendar/cycles/1900-H1.ics",
                    "/calendar/cycles/2021-H1,2021-H2,2022-H1,2022-H2,2023-H1.ics"):
            assert (await client.get(bad)).status == 404, bad
    finally:
        await client.close()


async def test_admin_sweep_requires_the_bearer_token(db, connector, transport):
    await store.subscribe(db, user_id="29:u1", reference=reference(connector.service_url, "c1"),
                          today=date(2022, 8, 1))
    app = web.Application()
    add_routes(app, db, transport=transport, settings=Settings(admin_token=ADMIN))
    client = await client_for(app)
    try:
        body = {"as_of": "2022-08-08"}
        r = await client.post("/admin/sweep", json=body)
        assert r.status == 401 and "Bearer" in r.headers["WWW-Authenticate"]
        r = await client.post("/admin/sweep", json=body, headers={"Authorization": "Bearer nope"})
        assert r.status == 403
        r = await client.post("/admin/sweep", json=body, headers={"Authorization": f"Basic {ADMIN}"})
        assert r.status == 401
        assert connector.delivered == []
        auth = {"Authorization": f"Bearer {ADMIN}"}
        for bad in ({"as_of": "2022-99-01"}, {"as_of": "1850-01-01"}, [1]):
            r = await client.post("/admin/sweep", json=bad, headers=auth)
            assert r.status == 400
        r = await client.post("/admin/sweep?wait=1", json=body, headers=auth)
        assert r.status == 200 and (await r.json())["sent"] == 1
        assert (await client.get("/admin/sweep")).status == 405  # no GET with side effects
        r = await client.post("/admin/sweep", json=body, headers=auth)
        assert r.status == 202
        await app[REMINDER_SERVICES].running
        assert connector.counts() == {"c1": 1}
    finally:
        await client.close()


async def test_admin_sweep_is_absent_without_a_token(db):
    app = web.Application()
    add_routes(app, db, settings=Settings())
    client = await client_for(app)
    try:
        r = await client.post("/admin/sweep", headers={"Authorization": "Bearer anything-at-all-x"})
        assert r.status == 404
    finally:
        await client.close()


async def test_daily_sweeper_catches_up_at_start_and_stops_cleanly(db, connector, transport):
    await store.subscribe(db, user_id="29:u1", reference=reference(connector.service_url, "c1"),
                          today=date(2022, 8, 1))
    app = web.Application()
    settings = Settings(reminder_sweep_hour=9)
    clock = lambda: datetime(2022, 8, 8, 10, 0, tzinfo=timezone.utc)  # after 09:00, not swept
    start_daily_sweeper(app, settings, db, transport, clock=clock)
    client = await client_for(app)
    try:
        for _ in range(200):
            if connector.delivered:
                break
            await asyncio.sleep(0.02)
        assert connector.counts() == {"c1": 1}
        for _ in range(100):
            if await store.last_swept(db) == date(2022, 8, 8):
                break
            await asyncio.sleep(0.02)
        assert await store.last_swept(db) == date(2022, 8, 8)
    finally:
        await client.close()  # runs the cleanup: the task is cancelled, nothing hangs
    tasks = [t for t in asyncio.all_tasks() if t.get_name() == "reminders-daily-sweep"]
    assert all(t.done() for t in tasks)


@pytest.mark.slow  # waits on the clock by design (fast tier: no)
async def test_daily_sweeper_waits_for_its_hour_and_can_be_off(db, connector, transport):
    await store.subscribe(db, user_id="29:u1", reference=reference(connector.service_url, "c1"),
                          today=date(2022, 8, 1))
    for settings, clock in [
        (Settings(reminder_sweep_hour=9), lambda: datetime(2022, 8, 8, 8, 0, tzinfo=timezone.utc)),
        (Settings(reminder_sweep_enabled=False), lambda: datetime(2022, 8, 8, 23, 0, tzinfo=timezone.utc)),
    ]:
        app = web.Application()
        start_daily_sweeper(app, settings, db, transport, clock=clock)
        client = await client_for(app)
        await asyncio.sleep(0.2)
        await client.close()
        assert connector.delivered == []


def test_notify_cli(tmp_path, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path / 'coop.sqlite3'}"

    async def setup(service_url):
        database = await Database.connect(url)
        await store.migrate(database)
        await store.subscribe(database, user_id="29:u1", today=date(2022, 8, 1),
                              reference=reference(service_url, "c1"))
        await database.close()

    async def scenario():
        async with FakeConnector() as fake:
            await setup(fake.service_url)
            parser = argparse.ArgumentParser()
            notify.configure_parser(parser)
            args = parser.parse_args(["--as-of", "2022-08-08"])
            code = await asyncio.to_thread(notify.run, args, Settings(database_url=url))
            return code, fake.counts()

    code, counts = asyncio.run(scenario())
    assert code == 0 and counts == {"c1": 1}
    assert "sent 1" in capsys.readouterr().out
    parser = argparse.ArgumentParser(prog="notify")
    notify.configure_parser(parser)
    with pytest.raises(SystemExit) as exit_info:
        parser.parse_args(["--as-of", "08/08/2022"])
    assert "YYYY-MM-DD" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        parser.parse_args(["--as-of", "1850-01-01"])
    assert exit_info.value.code == 2
    assert "outside" in capsys.readouterr().err


async def test_the_production_transport_sends_with_the_app_id_and_its_token(db, connector,
                                                                          credentials_factory):
    from bot.adapter import create_adapter
    from reminders.sweeper import run_sweep
    from bot.proactive import AdapterTransport

    app_id = credentials_factory.app_id
    settings = Settings(app_id=app_id, app_password="secret-password")
    adapter = create_adapter(settings, credentials_factory=credentials_factory)
    transport = AdapterTransport(adapter)
    assert transport.app_id == app_id
    await store.subscribe(db, user_id="29:u1", reference=reference(connector.service_url, "c1"),
                          today=date(2022, 8, 1))
    try:
        summary = await run_sweep(db, transport, date(2022, 8, 8))
    finally:
        await adapter.close()
    assert summary.sent == 1
    assert connector.authorizations == {"Bearer outbound-token": 1}


@pytest.mark.slow  # waits on the clock by design (fast tier: no)
async def test_retry_after_as_an_http_date_is_honoured(db, transport):
    from email.utils import formatdate
    import time as _time

    from reminders.sweeper import run_sweep

    async with FakeConnector(tenant_rate=1, tenant_burst=1,
                             retry_after_header=formatdate(_time.time() + 1, usegmt=True)) as fake:
        for i in range(2):
            await store.subscribe(db, user_id=f"29:u{i}", today=date(2022, 8, 1),
                                  reference=reference(fake.service_url, f"c{i}"))
        summary = await run_sweep(db, transport, date(2022, 8, 8), tenant_rate=50)
        assert summary.sent == 2 and fake.throttled >= 1 and not fake.duplicates()
