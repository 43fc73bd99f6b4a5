"""Keys of bounded length for ids that clients choose.

Conversation and user ids come from the channel and can be of any length; PostgreSQL's
B-tree index refuses entries over about 2.7 kB, so a stored key or indexed id longer than
:data:`MAX_KEY_CHARS` is replaced by its first characters plus a SHA-256 of the whole value:
distinct values keep distinct keys, the same value always gives the same key, and the key
still starts like the id (prefix matches keep working).

>>> bounded_key("msteams/conversations/a:1")
'msteams/conversations/a:1'
>>> key = bounded_key("a:" + "x" * 1000)
>>> len(key), key[:4], key == bounded_key("a:" + "x" * 1000)
(200, 'a:xx', True)
"""
from __future__ import annotations

import hashlib

__all__ = ["MAX_KEY_CHARS", "bounded_key"]

MAX_KEY_CHARS = 255
_DIGEST_MARK = "#sha256:"
_KEPT = 200 - len(_DIGEST_MARK) - 64  # room for the mark and the hex digest


def bounded_key(value: str, limit: int = MAX_KEY_CHARS) -> str:
    """``value`` itself when at most ``limit`` characters long, else its start plus the
    SHA-256 of the whole (always 200 characters then). A value that looks like such a key is
    hashed too, so no id can pose as the key of another."""
    if len(value) <= limit and _DIGEST_MARK not in value:
        return value
    digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{value[:_KEPT]}{_DIGEST_MARK}{digest}"
