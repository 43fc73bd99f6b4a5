"""Database access: ``Database`` (SQLite or PostgreSQL by URL), botbuilder ``SqlStorage`` and
the partners' 👍/👎 on answers (``FeedbackStore``)."""

from .db import (
    DEFAULT_SQLITE_PATH,
    ConfigError,
    ConnectError,
    Database,
    DatabaseTimeout,
    IntegrityError,
    MigrationError,
    QueryError,
    StorageError,
    Transaction,
    connect_with_retry,
    mask_url,
    sqlite_placeholders,
)
from .bot_storage import EtagConflictError, SqlStorage
from .feedback import Feedback, FeedbackStore
from .keys import bounded_key

__all__ = [
    "DEFAULT_SQLITE_PATH",
    "EtagConflictError",
    "Feedback",
    "FeedbackStore",
    "bounded_key",
    "SqlStorage",
    "ConfigError",
    "ConnectError",
    "Database",
    "DatabaseTimeout",
    "connect_with_retry",
    "IntegrityError",
    "MigrationError",
    "QueryError",
    "StorageError",
    "Transaction",
    "mask_url",
    "sqlite_placeholders",
]
