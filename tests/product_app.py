"""The product served over HTTP on loopback, on a migrated SQLite file: what ``python app.py
migrate`` then ``python app.py`` give a tester, for the tests that talk to ``/api/messages``."""
from __future__ import annotations

import contextlib
from pathlib import Path
from typing import AsyncIterator

from aiohttp.test_utils import TestClient, TestServer

import app
from config import Settings
from services import migrate_database
from storage import Database


@contextlib.asynccontextmanager
async def product_on_sqlite(folder: Path) -> AsyncIterator[tuple[TestClient, Database]]:
    """(client, db): the product's HTTP app on ``folder/coop.sqlite3``, migrated before it starts
    (no daily sweep; calendar links on https://coop.example.test); closed on exit."""
    settings = Settings(database_url=f"sqlite:///{folder / 'coop.sqlite3'}",
                        reminder_sweep_enabled=False, public_base_url="https://coop.example.test")
    db = await Database.connect(settings.database_url)
    await migrate_database(db)  # what `python app.py migrate` does before the server starts
    client = TestClient(TestServer(app.create_app(settings), host="127.0.0.1"))
    await client.start_server()
    try:
        yield client, db
    finally:
        await client.close()
        await db.close()
