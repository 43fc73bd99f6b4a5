"""Batch jobs: an uploaded export answered off the request, row by row, with its state in the
database.

- The upload is streamed to ``<jobs dir>/<id>.in``; answers are written to ``<id>.out``
  through :func:`understanding.batch.iter_answers` (the same row logic as ``app.py answer``),
  in a separate process (:mod:`support.worker`), so the bot's event loop keeps its core;
  nothing is loaded whole into memory.
- Progress is checkpointed (rows done, rows failed, the output's byte offset) at most every
  0.5 s and renews the job's lease.
- **Restart**: a job is never lost. On a clean shutdown the running job is put back in the
  queue at its last checkpoint; after a crash its lease expires (:data:`LEASE_SECONDS`). Either
  way the next instance started on the same database and jobs directory **resumes** it: the
  output is cut back to the checkpoint's offset and the rows already answered are skipped, so
  no row is answered twice in the output nor lost. A job whose input file is gone is marked
  failed with that reason.
- **Retention**: every :data:`PURGE_EVERY_SECONDS` (and at start-up) jobs finished more than
  ``retention_days`` ago are deleted with their files, and files of the jobs folder named like a
  job's that belong to no job and were not written for :data:`STRAY_GRACE_SECONDS` (an upload
  whose process died half-way) are removed. Other files are left alone.
"""
from __future__ import annotations

import asyncio
import logging
import multiprocessing
import re
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from storage import Database
from understanding import messages, registry

from . import store, worker

log = logging.getLogger(__name__)

LEASE_SECONDS = 30
POLL_SECONDS = 10.0
PURGE_EVERY_SECONDS = 3600.0
STRAY_GRACE_SECONDS = 3600
_JOB_FILE = re.compile(r"^([0-9a-f]{32})\.(in|out)$")


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
                 lease_seconds: int = LEASE_SECONDS, poll_seconds: float = POLL_SECONDS,
                 retention_days: int = 30) -> None:
        self._db_getter = db_getter
        self.files = JobFiles(Path(directory))
        self.respond = respond
        self.convention = convention
        self.lease_seconds = lease_seconds
        self.poll_seconds = poll_seconds
        self.retention_days = retention_days
        self._purged_at: float | None = None
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
            self._wake.clear()  # before reading the queue: an upload meanwhile wakes us again
            if self._purged_at is None or time.monotonic() - self._purged_at >= PURGE_EVERY_SECONDS:
                self._purged_at = time.monotonic()
                try:
                    await self.purge()
                except Exception:  # retried at the next purge; the queue goes on meanwhile
                    log.exception("support jobs: the retention job failed; retrying later")
            try:
                for job_id in await store.resumable_jobs(self.db):
                    if self._stop.is_set():
                        break
                    if not await asyncio.to_thread(self.files.input(job_id).is_file):
                        continue  # uploaded to another instance whose jobs directory is not ours
                    if await store.claim_job(self.db, job_id, self.worker_id, self.lease_seconds):
                        await self._run(job_id)
            except Exception:  # a database hiccup must not end the runner; retried next poll
                log.exception("support jobs: the queue could not be read; retrying")
            try:
                await asyncio.wait_for(self._wake.wait(), self.poll_seconds)
            except asyncio.TimeoutError:
                pass

    # --- retention -----------------------------------------------------------------------------

    async def purge(self) -> tuple[int, int]:
        """Delete the jobs finished more than ``retention_days`` ago (rows and files; none when
        it is 0) and the stray job files; returns (jobs, files) removed."""
        jobs = files = 0
        if self.retention_days > 0:
            before = store.now() - self.retention_days * 86400
            for job_id in await store.finished_before(self.db, before):
                await store.delete_job(self.db, job_id)  # first: a file left over is a stray one
                files += await asyncio.to_thread(self._remove_files, job_id)
                jobs += 1
        for job_id in await asyncio.to_thread(self._stray_candidates):
            if await store.get_job(self.db, job_id) is None:
                files += await asyncio.to_thread(self._remove_files, job_id)
        if jobs or files:
            log.info("support jobs: retention removed %d jobs and %d files", jobs, files)
        return jobs, files

    def _remove_files(self, job_id: str) -> int:
        removed = 0
        for path in (self.files.input(job_id), self.files.output(job_id)):
            try:
                path.unlink()
                removed += 1
            except FileNotFoundError:
                pass
        return removed

    def _stray_candidates(self) -> list[str]:
        """Ids of job files not written for STRAY_GRACE_SECONDS (an upload in progress writes)."""
        found = set()
        cutoff = time.time() - STRAY_GRACE_SECONDS
        try:
            entries = list(self.files.directory.iterdir())
        except FileNotFoundError:
            return []
        for path in entries:
            match = _JOB_FILE.match(path.name)
            try:
                if match and path.stat().st_mtime < cutoff:
                    found.add(match.group(1))
            except FileNotFoundError:
                continue
        return sorted(found)

    # --- one job -------------------------------------------------------------------------------

    async def _run(self, job_id: str) -> None:
        job = await store.get_job(self.db, job_id)
        if job is None:
            return
        src, dst = self.files.input(job_id), self.files.output(job_id)
        if not src.is_file():
            await store.finish_job(self.db, job_id, self.worker_id, status="failed",
                                   error=messages.t(registry.DEFAULT, "support.api.input_gone"))
            log.warning("support job %s failed: its input file is gone", job_id)
            return
        loop = asyncio.get_running_loop()

        def save(total: int | None, done: int, failed: int, offset: int) -> bool:
            future = asyncio.run_coroutine_threadsafe(store.checkpoint(
                self.db, job_id, self.worker_id, total=total, done=done, failed=failed,
                out_offset=offset, lease_seconds=self.lease_seconds), loop)
            return future.result()

        log.info("support job %s started (%s, from row %d)", job_id, job["fmt"], job["done"])
        try:
            await asyncio.to_thread(self._supervise, job, src, dst, save)
        except worker.Stopped:
            await store.release_job(self.db, job_id, self.worker_id)
            log.info("support job %s paused at its last checkpoint (shutdown or lease lost)", job_id)
            return
        except Exception as exc:
            await store.finish_job(self.db, job_id, self.worker_id, status="failed", error=str(exc))
            log.warning("support job %s failed: %s", job_id, exc)
            return
        await store.finish_job(self.db, job_id, self.worker_id, status="done")
        final = await store.get_job(self.db, job_id)
        log.info("support job %s done: %s rows, %s failed", job_id, final and final["done"],
                 final and final["failed"])

    def _supervise(self, job: dict[str, Any], src: Path, dst: Path,
                   save: Callable[[int | None, int, int, int], bool]) -> None:
        """In a thread of this process: start the job's process, record its checkpoints, stop
        it on shutdown or when the lease is lost. Raises ``worker.Stopped`` or an error."""
        ctx = multiprocessing.get_context("spawn")
        receive, send = ctx.Pipe(duplex=False)
        stop = ctx.Event()
        child = ctx.Process(target=worker.run_in_child, name=f"support-job-{job['id'][:8]}",
                            args=(job, str(src), str(dst), self.respond, self.convention, send, stop),
                            daemon=True)
        try:
            child.start()
        except (AttributeError, TypeError) as err:  # pickling: the process gets respond by name
            raise RuntimeError(f"the job's process cannot be started: respond must be a "
                               f"module-level function ({err})") from None
        finally:
            send.close()
        outcome: tuple | None = None
        try:
            while outcome is None:
                if self._stop.is_set():
                    stop.set()
                if not receive.poll(0.2):
                    if not child.is_alive() and not receive.poll(0):
                        break
                    continue
                try:
                    message = receive.recv()
                except EOFError:
                    break
                if message[0] == "progress":
                    if not save(*message[1:]):
                        log.warning("support job %s: its lease was taken over; stopping", job["id"])
                        stop.set()
                else:
                    outcome = message
        finally:
            stop.set()
            child.join(10)
            if child.is_alive():
                child.terminate()
                child.join(5)
            receive.close()
        if outcome is None:
            raise RuntimeError(f"the job's worker process ended without a result "
                               f"(exit code {child.exitcode})")
        if outcome[0] == "stopped":
            raise worker.Stopped()
        if outcome[0] == "error":
            raise RuntimeError(outcome[1])
