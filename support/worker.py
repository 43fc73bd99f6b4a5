"""The body of a batch job, run in its own process (``multiprocessing``, spawn) so that answering
50 000 rows uses another core instead of competing with the bot's event loop for the GIL.

Imports only :mod:`understanding.batch` (no aiohttp, no database driver), so the process starts
fast. It talks to its parent (:class:`support.jobs.JobRunner`) through a pipe: ``("progress",
total, done, failed, offset)`` at each checkpoint, then ``("done",)``, ``("stopped",)`` or
``("error", message)``; the parent records checkpoints in the database and sets ``stop`` on
shutdown or when the job's lease was lost.
"""
from __future__ import annotations

import io
import os
import time
from datetime import date
from pathlib import Path
from typing import Any, Callable

CHECKPOINT_SECONDS = 0.5


class Stopped(Exception):
    """Asked to stop: the last checkpoint is exact, the job can be resumed from it."""


def answer_file(job: dict[str, Any], src: Path, dst: Path, *,
                save: Callable[[int | None, int, int, int], None], should_stop: Callable[[], bool],
                respond: Callable[..., Any] | None, convention: str | None) -> None:
    """Count the rows, then answer ``src`` into ``dst`` from the job's checkpoint on: the output
    is cut back to the checkpoint's byte offset and the rows already answered are skipped."""
    from understanding.batch import BatchOptions, count_rows, iter_answers

    opts = BatchOptions(today=date.fromisoformat(job["today"]), lang=job["lang"] or None,
                        convention=convention)
    with open(src, encoding="utf-8-sig", newline="") as infile:
        total = job["total"]
        if total is None:
            total = count_rows(job["fmt"], infile)
            infile.seek(0)
        done, failed, offset = job["done"], job["failed"], job["out_offset"]
        resuming = bool(done)
        save(total, done, failed, offset if resuming else 0)
        with open(dst, "r+b" if resuming and dst.exists() else "w+b") as raw:
            raw.truncate(offset if resuming else 0)
            raw.seek(0, os.SEEK_END)
            out = io.TextIOWrapper(raw, encoding="utf-8", newline="")
            last = time.monotonic()
            for row_failed in iter_answers(job["fmt"], infile, out, opts, respond=respond,
                                           skip=done, write_header=not resuming):
                done += 1
                failed += row_failed
                stop = should_stop()
                if stop or time.monotonic() - last >= CHECKPOINT_SECONDS:
                    out.flush()
                    save(total, done, failed, raw.tell())
                    last = time.monotonic()
                    if stop:
                        raise Stopped()
            out.flush()
            os.fsync(raw.fileno())
            save(max(total, done), done, failed, raw.tell())
            out.detach()


def run_in_child(job: dict[str, Any], src: str, dst: str, respond: Callable[..., Any] | None,
                 convention: str | None, conn: Any, stop: Any) -> None:
    """The child process's entry point."""
    def save(total: int | None, done: int, failed: int, offset: int) -> None:
        conn.send(("progress", total, done, failed, offset))

    try:
        answer_file(job, Path(src), Path(dst), save=save, should_stop=stop.is_set,
                    respond=respond, convention=convention)
        conn.send(("done",))
    except Stopped:
        conn.send(("stopped",))
    except (BrokenPipeError, EOFError):
        pass  # the parent is gone (it died): nothing to report to, the lease will run out
    except Exception as exc:  # reported to the parent, which marks the job failed with it
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()
