"""Batch jobs: an uploaded export answered off the request, row by row, with its state in the
database.

- The upload is streamed to ``<jobs dir>/<id>.in``; answers are written to ``<id>.out``
  through :func:`understanding.batch.iter_answers` (the same row logic as ``app.py answer``),
  in a worker thread so the event loop keeps serving; nothing is loaded whole into memory.
- Progress is checkpointed (rows done, rows failed, the output's byte offset) at most every
  :data:`CHECKPOINT_SECONDS` and renews the job's lease.
- **Restart**: a job is never lost. On a clean shutdown the running job is put back in the
  queue at its last checkpoint; after a crash its lease expires (:data:`LEASE_SECONDS`). Either
  way the next instance started on the same database and jobs directory **resumes** it: the
  output is cut back to the checkpoint's offset and the rows already answered are skipped, so
  no row is answered twice in the output nor lost. A job whose input file is gone is marked
  failed with that reason.
"""
from __future__ import annotations

import asyncio
import io
import logging
import os
import threading
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Callable

from storage import Database

from . import store

log = logging.getLogger(__name__)

LEASE_SECONDS = 30
CHECKPOINT_SECONDS = 0.5
POLL_SECONDS = 10.0


class _Stopped(Exception):
    """The runner is shutting down (or lost the job's lease): stop at a checkpoint."""


@dataclass
class JobFiles:
    directory: Path

    def input(self, job_id: str) -> Path:
        return self.directory / f"{job_id}.in"

    def output(self, job_id: str) -> Path:
        return self.directory / f"{job_id}.out"


def new_job_id() -> str:
    return uuid.uuid4().hex


class JobRunner:
    """Runs queued jobs one at a time on this instance (the machine's cores also serve the
    bot), resuming interrupted ones at start-up and every :data:`POLL_SECONDS`."""

    def __init__(self, db_getter: Callable[[], Database], directory: Path, *,
                 respond: Callable[..., Any] | None = None, convention: str | None = None,
                 lease_seconds: int = LEASE_SECONDS, poll_seconds: float = POLL_SECONDS) -> None:
        self._db_getter = db_getter
        self.files = JobFiles(Path(directory))
        self.respond = respond
        self.convention = convention
        self.lease_seconds = lease_seconds
        self.poll_seconds = poll_seconds
        self.worker_id = uuid.uuid4().hex[:12]
        self._wake = asyncio.Event()
        self._stop = threading.Event()
        self._task: asyncio.Task | None = None

    @property
    def db(self) -> Database:
        return self._db_getter()

    # --- lifecycle -----------------------------------------------------------------------------

    async def start(self) -> None:
        await asyncio.to_thread(self.files.directory.mkdir, parents=True, exist_ok=True)
        self._task = asyncio.create_task(self._loop(), name="support-jobs")

    async def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._task is not None:
            try:
                await self._task
            finally:
                self._task = None

    def wake(self) -> None:
        self._wake.set()

    async def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                for job_id in await store.resumable_jobs(self.db):
                    if self._stop.is_set():
                        break
                    if await store.claim_job(self.db, job_id, self.worker_id, self.lease_seconds):
                        await self._run(job_id)
            except Exception:  # a database hiccup must not end the runner; retried next poll
                log.exception("support jobs: the queue could not be read; retrying")
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), self.poll_seconds)
            except asyncio.TimeoutError:
                pass

    # --- one job -------------------------------------------------------------------------------

    async def _run(self, job_id: str) -> None:
        job = await store.get_job(self.db, job_id)
        if job is None:
            return
        src, dst = self.files.input(job_id), self.files.output(job_id)
        if not src.is_file():
            await store.finish_job(self.db, job_id, self.worker_id, status="failed",
                                   error="the uploaded file is no longer on this server")
            log.warning("support job %s failed: its input file is gone", job_id)
            return
        loop = asyncio.get_running_loop()

        def save(total: int | None, done: int, failed: int, offset: int) -> None:
            future = asyncio.run_coroutine_threadsafe(store.checkpoint(
                self.db, job_id, self.worker_id, total=total, done=done, failed=failed,
                out_offset=offset, lease_seconds=self.lease_seconds), loop)
            if not future.result():
                raise _Stopped("lease lost")

        log.info("support job %s started (%s, resumed from row %d)", job_id, job["fmt"], job["done"])
        try:
            await asyncio.to_thread(self._work, job, src, dst, save)
        except _Stopped:
            await store.release_job(self.db, job_id, self.worker_id)
            log.info("support job %s paused for shutdown at its last checkpoint", job_id)
            return
        except Exception as exc:
            await store.finish_job(self.db, job_id, self.worker_id, status="failed",
                                   error=f"{type(exc).__name__}: {exc}")
            log.warning("support job %s failed: %s", job_id, exc,
                        exc_info=not isinstance(exc, ValueError))
            return
        await store.finish_job(self.db, job_id, self.worker_id, status="done")
        final = await store.get_job(self.db, job_id)
        log.info("support job %s done: %s rows, %s failed", job_id, final and final["done"],
                 final and final["failed"])

    def _work(self, job: dict[str, Any], src: Path, dst: Path,
              save: Callable[[int | None, int, int, int], None]) -> None:
        """In a worker thread: count the rows, then answer from the checkpoint on."""
        import time

        from understanding.batch import BatchOptions, count_rows, iter_answers

        opts = BatchOptions(today=date.fromisoformat(job["today"]), lang=job["lang"] or None,
                            convention=self.convention)
        with open(src, encoding="utf-8-sig", newline="") as infile:
            total = job["total"]
            if total is None:
                total = count_rows(job["fmt"], infile)
                infile.seek(0)
            done, failed, offset = job["done"], job["failed"], job["out_offset"]
            save(total, done, failed, offset)
            mode = "r+b" if dst.exists() and done else "w+b"
            with open(dst, mode) as raw:
                raw.truncate(offset if done else 0)
                raw.seek(offset if done else 0)
                out = io.TextIOWrapper(raw, encoding="utf-8", newline="")
                rows = iter_answers(job["fmt"], infile, out, opts, respond=self.respond,
                                    skip=done, write_header=not done)
                last = time.monotonic()
                for row_failed in rows:
                    done += 1
                    failed += row_failed
                    if self._stop.is_set() or time.monotonic() - last >= CHECKPOINT_SECONDS:
                        out.flush()
                        raw.flush()
                        save(total, done, failed, raw.tell())
                        last = time.monotonic()
                        if self._stop.is_set():
                            raise _Stopped("shutdown")
                out.flush()
                raw.flush()
                os.fsync(raw.fileno())
                save(max(total, done), done, failed, raw.tell())
                out.detach()
