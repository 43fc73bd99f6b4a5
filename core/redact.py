"""What may go into a log line: ids hashed, values bounded, secrets out of URL paths.

The log at INFO must hold no user text, no secret and no raw conversation or user id (they
identify a person). Pure functions, usable from every layer.

>>> log_id("29:alice")
'id:df6a17b0036c'
>>> log_id(None)
'-'
>>> bounded("v" * 500, 10)
"'vvvvvvvvvv'…(+490 chars)"
>>> bounded(42)
'42'
>>> redact_path("/calendar/s8HdrH-SLNRHrzy9oPMbe3_LWw3Elc7n97F9xoW0SUA.ics?x=1")
'/calendar/<redacted>.ics'
>>> redact_path("/api/messages")
'/api/messages'
"""
from __future__ import annotations

import hashlib
import re
from typing import Any

__all__ = ["log_id", "bounded", "redact_path", "MAX_LOGGED_CHARS"]

MAX_LOGGED_CHARS = 80
# A path segment (or the part before its extension) this long in URL-safe base64 is a token.
_TOKEN = re.compile(r"[A-Za-z0-9_\-]{20,}")


def log_id(value: Any) -> str:
    """A stable, short, one-way name for an id (the same id always gives the same name)."""
    if value is None or value == "":
        return "-"
    digest = hashlib.sha256(str(value).encode("utf-8", "surrogatepass")).hexdigest()
    return f"id:{digest[:12]}"


def bounded(value: Any, limit: int = MAX_LOGGED_CHARS) -> str:
    """``repr`` of a string (``str`` of anything else) cut to ``limit`` characters."""
    if not isinstance(value, str):
        text = str(value)
        return text if len(text) <= limit else f"{text[:limit]}…(+{len(text) - limit} chars)"
    if len(value) <= limit:
        return repr(value)
    return f"{value[:limit]!r}…(+{len(value) - limit} chars)"


def redact_path(path: str) -> str:
    """A request path fit for the access log: no query string, token-like segments replaced."""
    path = path.split("?", 1)[0].split("#", 1)[0]
    return _TOKEN.sub("<redacted>", path)
