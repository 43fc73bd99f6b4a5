"""Database access: ``Database`` (SQLite or PostgreSQL by URL) and botbuilder ``SqlStorage``."""

from .db import (
    DEFAULT_SQLITE_PATH,
    ConfigError,
    ConnectError,
    Database,
    IntegrityError,
    MigrationError,
    QueryError,
    StorageError,
    Transaction,
    mask_url,
    sqlite_placeholders,
)

__all__ = [
    "DEFAULT_SQLITE_PATH",
    "ConfigError",
    "ConnectError",
    "Database",
    "IntegrityError",
    "MigrationError",
    "QueryError",
    "StorageError",
    "Transaction",
    "mask_url",
    "sqlite_placeholders",
]
