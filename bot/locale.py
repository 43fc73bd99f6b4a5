"""The asker's calendar day and locale, read from an incoming activity.

"Today" is the sender's own calendar day: Bot Framework clients send ``localTimestamp`` (the
sender's wall-clock time with its UTC offset) and sometimes ``localTimezone`` (an IANA name).
Without either we fall back to the UTC date of the clock. Nothing here reads the system
clock directly: ``now`` is passed in (the bot's injected clock), so tests choose the day.

>>> from datetime import datetime, timedelta, timezone
>>> from botbuilder.schema import Activity
>>> late = datetime(2025, 3, 1, 23, 30, tzinfo=timezone(timedelta(hours=-8)))
>>> utc_now = datetime(2025, 3, 2, 7, 30, tzinfo=timezone.utc)
>>> activity_today(Activity(local_timestamp=late), utc_now)
datetime.date(2025, 3, 1)
>>> activity_today(Activity(local_timezone="Pacific/Auckland"), utc_now)
datetime.date(2025, 3, 2)
>>> activity_today(Activity(), utc_now)
datetime.date(2025, 3, 2)
>>> activity_locale(Activity(entities=[{"type": "clientInfo", "locale": "fr-CA"}]))
'fr-CA'
"""
from __future__ import annotations

import logging
import re
from datetime import date, datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from botbuilder.schema import Activity

from core.redact import bounded

logger = logging.getLogger(__name__)

__all__ = ["activity_today", "activity_locale", "activity_lang"]


def activity_today(activity: Activity, now: datetime) -> date:
    """The sender's calendar day: ``localTimestamp``'s own date, else ``now`` in
    ``localTimezone``, else ``now``'s UTC date. ``now`` must be timezone-aware."""
    local = getattr(activity, "local_timestamp", None)
    if isinstance(local, datetime):
        return local.date()  # already in the sender's offset
    zone = _zone(getattr(activity, "local_timezone", None))
    if zone is not None:
        return now.astimezone(zone).date()
    return now.astimezone(timezone.utc).date()


_ZONE_NAME = re.compile(r"^[A-Za-z0-9_+\-]+(/[A-Za-z0-9_+\-]+){0,3}$")
MAX_ZONE_CHARS = 64  # the longest IANA name is about 30


def valid_zone_name(name: Any) -> bool:
    """Whether ``name`` looks like an IANA time zone name (no path tricks, bounded length)."""
    return isinstance(name, str) and len(name) <= MAX_ZONE_CHARS and bool(_ZONE_NAME.match(name))


def _zone(name: Any) -> ZoneInfo | None:
    if not isinstance(name, str) or not name.strip():
        return None
    name = name.strip()
    if not valid_zone_name(name):
        logger.info("ignoring a localTimezone that is not an IANA name (%d characters)", len(name))
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        logger.info("ignoring unknown localTimezone %s", bounded(name, 40))
        return None


def activity_locale(activity: Activity) -> str | None:
    """The sender's locale (``en-US``, ``fr-FR``...): ``activity.locale``, else the
    ``clientInfo`` entity's ``locale`` that Teams sends, else None."""
    locale = getattr(activity, "locale", None)
    if isinstance(locale, str) and locale.strip():
        return locale.strip()
    for entity in getattr(activity, "entities", None) or []:
        props = _entity_dict(entity)
        if str(props.get("type", "")).lower() == "clientinfo":
            value = props.get("locale")
            if isinstance(value, str) and value.strip():
                return value.strip()
    return None


def activity_lang(activity: Activity) -> str:
    """``fr`` for a French locale, else ``en``: the language of text the bot writes before it
    has read a question (welcome card, apology)."""
    locale = activity_locale(activity) or ""
    return "fr" if locale[:2].lower() == "fr" else "en"


def _entity_dict(entity: Any) -> dict:
    if isinstance(entity, dict):
        return entity
    props = dict(getattr(entity, "additional_properties", None) or {})
    props["type"] = getattr(entity, "type", None) or props.get("type", "")
    return props
