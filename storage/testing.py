"""Throwaway databases for tests: a uniquely named PostgreSQL schema, or a SQLite file.

    async with scratch_database(POSTGRES_TEST_URL) as scratch:
        db = await scratch.connect()          # search_path = the scratch schema
        other = await scratch.connect()       # a second "process" on the same data
    # every Database opened through scratch is closed, then the schema is dropped

Parallel and repeated runs never collide: each scratch schema is ``coop_test_<random>``.
"""

from __future__ import annotations

import logging
import os
import uuid
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Optional

from .db import Database, _parse_url

logger = logging.getLogger(__name__)

# The CI server (trust auth); COOP_TEST_POSTGRES_URL points the tests elsewhere.
POSTGRES_TEST_URL = os.environ.get(
    "COOP_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


class ScratchDatabase:
    """Where a test's data lives; ``connect()`` opens a ``Database`` on it."""

    def __init__(self, url: str, schema: Optional[str]) -> None:
        self.url = url
        self.schema = schema
        self._opened: list[Database] = []

    async def connect(self, **options: Any) -> Database:
        """Open another ``Database`` on the same data (closed when the scratch ends)."""
        if self.schema is not None:
            options.setdefault("schema", self.schema)
        database = await Database.connect(self.url, **options)
        self._opened.append(database)
        return database

    async def _close_all(self) -> None:
        while self._opened:
            await self._opened.pop().close()


@asynccontextmanager
async def scratch_database(url: str) -> AsyncIterator[ScratchDatabase]:
    """A fresh schema on PostgreSQL (dropped at the end), or ``url`` itself on SQLite."""
    if _parse_url(url).dialect == "sqlite":
        scratch = ScratchDatabase(url, None)
        try:
            yield scratch
        finally:
            await scratch._close_all()
        return
    schema = f"coop_test_{uuid.uuid4().hex[:16]}"
    admin = await Database.connect(url, min_size=1, max_size=1)
    try:
        await admin.execute(f'CREATE SCHEMA "{schema}"')
        scratch = ScratchDatabase(url, schema)
        try:
            yield scratch
        finally:
            await scratch._close_all()
            await admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
            logger.debug("dropped scratch schema %s", schema)
    finally:
        await admin.close()
