"""Uploads that do not become a job leave nothing behind, each user has a quota, and the jobs
folder is cleaned by a retention job. The real app on loopback, real files, real SQLite."""
from __future__ import annotations

import asyncio
import csv
import io
import os
import time

from aiohttp import FormData

from test_support_api import LOCAL, _csv, start_desk  # noqa: F401 (fixture)


def jobs_dir(desk):
    from support.routes import DESK

    return desk.server.app[DESK].runner.files.directory


def files_in(desk) -> list[str]:
    return sorted(p.name for p in jobs_dir(desk).iterdir()) if jobs_dir(desk).exists() else []


async def until(condition, what, timeout=30.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, what()
        await asyncio.sleep(0.05)


async def test_a_half_received_upload_leaves_no_file(start_desk):
    desk = await start_desk(LOCAL)
    await desk.open_page()
    reader, writer = await asyncio.open_connection(desk.server.host, desk.server.port)
    head = (f"POST /support/api/jobs?filename=big.csv HTTP/1.1\r\nHost: x\r\n"
            f"Cookie: {desk.cookie}\r\nX-CSRF-Token: {desk.csrf}\r\n"
            f"Content-Type: text/csv\r\nContent-Length: 5000000\r\n\r\n")
    writer.write(head.encode() + _csv(3000)[:300_000])
    await writer.drain()
    await until(lambda: any(n.endswith(".in") for n in files_in(desk)), lambda: files_in(desk))
    writer.close()  # the client goes away half-way
    await until(lambda: files_in(desk) == [], lambda: f"left behind: {files_in(desk)}")
    listed = await (await desk.http.get(desk.base + "/support/api/jobs", headers=desk.headers())).json()
    assert listed["jobs"] == []


async def test_a_rejected_form_field_leaves_no_file_and_is_the_apis_json(start_desk):
    desk = await start_desk(LOCAL)
    await desk.open_page()
    for field in ("lang", "today"):
        form = FormData()
        form.add_field(field, "x" * 2_000_000)  # over aiohttp's 1 MB for a form field
        form.add_field("file", _csv(5), filename="t.csv", content_type="text/csv")
        response = await desk.http.post(desk.base + "/support/api/jobs", data=form, headers=desk.headers())
        assert response.status in (400, 413), field
        assert response.content_type == "application/json" and (await response.json())["error"]
    form = FormData()
    form.add_field("file", b"x" * 5_000, filename="t.csv", content_type="text/csv")
    form.add_field("today", "not a date")
    response = await desk.http.post(desk.base + "/support/api/jobs", data=form, headers=desk.headers())
    assert response.status == 400 and "today" in (await response.json())["error"]
    assert files_in(desk) == []


async def test_each_user_has_an_upload_quota(start_desk):
    desk = await start_desk({**LOCAL, "SUPPORT_UPLOAD_QUOTA_MB": "1"})
    await desk.open_page()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "question", "note"])
    for i in range(7):
        writer.writerow([i, "claim deadline for funds earned in May 2021", "n" * 100_000])
    big = out.getvalue().encode()
    response = await desk.http.post(desk.base + "/support/api/jobs?filename=a.csv", data=big,
                                    headers=desk.headers())
    assert response.status == 202
    await desk.wait_job((await response.json())["id"], desk.headers())
    before = files_in(desk)
    response = await desk.http.post(desk.base + "/support/api/jobs?filename=b.csv", data=big,
                                    headers=desk.headers(**{"Accept-Language": "fr"}))
    assert response.status == 413
    assert "quota" in (await response.json())["error"]
    assert files_in(desk) == before  # the refused upload left nothing
    listed = await (await desk.http.get(desk.base + "/support/api/jobs", headers=desk.headers())).json()
    assert [job["filename"] for job in listed["jobs"]] == ["a.csv"]


def test_the_quota_and_the_retention_are_settings_with_defaults():
    import pytest

    from config import ConfigError, Settings

    default = Settings.from_env({}, dotenv_path=None)
    assert default.support_upload_quota_mb == 2000 and default.support_jobs_retention_days == 30
    chosen = Settings.from_env({"SUPPORT_UPLOAD_QUOTA_MB": "50", "SUPPORT_JOBS_RETENTION_DAYS": "0"},
                               dotenv_path=None)
    assert chosen.support_upload_quota_mb == 50 and chosen.support_jobs_retention_days == 0
    for name, bad in (("SUPPORT_UPLOAD_QUOTA_MB", "0"), ("SUPPORT_UPLOAD_QUOTA_MB", "lots"),
                      ("SUPPORT_JOBS_RETENTION_DAYS", "-1")):
        with pytest.raises(ConfigError, match=name):
            Settings.from_env({name: bad}, dotenv_path=None)


async def test_the_retention_job_removes_old_exports_and_stray_files(start_desk, tmp_path):
    from storage import Database
    from support import store

    db = await Database.connect(f"sqlite:///{tmp_path / 'retention.sqlite3'}")
    try:
        desk = await start_desk(LOCAL, db=db)
        await desk.open_page()
        ids = []
        for name in ("old.csv", "new.csv"):
            response = await desk.http.post(f"{desk.base}/support/api/jobs?filename={name}",
                                            data=_csv(3), headers=desk.headers())
            ids.append((await desk.wait_job((await response.json())["id"], desk.headers()))["id"])
        old, new = ids
        await db.execute("UPDATE support_jobs SET created_at = $2, updated_at = $2 WHERE id = $1",
                         old, store.now() - 31 * 86400)
        folder = jobs_dir(desk)
        stray_old, stray_new = folder / ("a" * 32 + ".in"), folder / ("b" * 32 + ".in")
        other = folder / "README.txt"
        for path in (stray_old, stray_new, other):
            path.write_bytes(b"question\nx\n")
        a_day_ago = time.time() - 86400
        os.utime(stray_old, (a_day_ago, a_day_ago))
        os.utime(other, (a_day_ago, a_day_ago))
        await desk.server.close()  # the next start runs the retention job

        desk = await start_desk(LOCAL, db=db)
        await desk.open_page()
        kept = {old: False, new: True}
        await until(lambda: not (folder / f"{old}.in").exists() and not stray_old.exists(),
                    lambda: files_in(desk))
        for job_id, expected in kept.items():
            assert (folder / f"{job_id}.in").exists() is expected
            assert (folder / f"{job_id}.out").exists() is expected
            assert (await store.get_job(db, job_id) is not None) is expected
        assert not stray_old.exists() and stray_new.exists() and other.exists()
    finally:
        await db.close()
