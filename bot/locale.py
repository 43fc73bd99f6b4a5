"""The asker's calendar day and locale, read from an incoming activity.

"Today" is the server's clock in the sender's time zone: ``localTimezone`` (an IANA name) when
the client sends one, else the UTC offset of ``localTimestamp`` (the sender's wall-clock time
with its offset), else UTC. The timestamp's own date and time are the client's clock and are
never used: a client whose clock says 1900 or 2200 gets the same day as everyone in its time
zone, and the offset is clamped to ±14 h (UTC+14 and UTC-12 are the widest in use), so "today"
is never more than a day from the server's date. Nothing here reads the system clock
directly: ``now`` is passed in (the bot's injected clock), so tests choose the day.

>>> from datetime import datetime, timedelta, timezone
>>> from botbuilder.schema import Activity
>>> utc_now = datetime(2025, 3, 2, 7, 30, tzinfo=timezone.utc)
>>> los_angeles = datetime(2025, 3, 1, 23, 30, tzinfo=timezone(timedelta(hours=-8)))
>>> activity_today(Activity(local_timestamp=los_angeles), utc_now)
datetime.date(2025, 3, 1)
>>> activity_today(Activity(local_timestamp=los_angeles.replace(year=1900)), utc_now)
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
from datetime import date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from botbuilder.schema import Activity

from core.redact import bounded
from understanding import registry

logger = logging.getLogger(__name__)

__all__ = ["activity_today", "activity_locale", "activity_lang"]


MAX_UTC_OFFSET = timedelta(hours=14)


def activity_today(activity: Activity, now: datetime) -> date:
    """The sender's calendar day: ``now`` in ``localTimezone``, else in the UTC offset of
    ``localTimestamp`` (clamped to ±14 h), else ``now``'s UTC date. ``now`` must be
    timezone-aware; the timestamp's date and time are not used."""
    zone = _zone(getattr(activity, "local_timezone", None))
    if zone is not None:
        return now.astimezone(zone).date()
    offset = utc_offset(getattr(activity, "local_timestamp", None))
    if offset is not None:
        return now.astimezone(timezone(offset)).date()
    return now.astimezone(timezone.utc).date()


def utc_offset(local: Any) -> timedelta | None:
    """The UTC offset of a client's timestamp, clamped to ±14 h; None without one.

    >>> utc_offset(datetime(2200, 1, 1, tzinfo=timezone(timedelta(hours=-23))))
    datetime.timedelta(days=-1, seconds=36000)
    """
    offset = local.utcoffset() if isinstance(local, datetime) else None
    if offset is None:
        return None
    return max(-MAX_UTC_OFFSET, min(MAX_UTC_OFFSET, offset))


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
    """The language pack of the sender's locale (``fr-CA`` → ``fr``), else the default one: the
    language of text the bot writes before it has read a question (welcome card, apology)."""
    return registry.norm_lang(activity_locale(activity))


def _entity_dict(entity: Any) -> dict:
    if isinstance(entity, dict):
        return entity
    props = dict(getattr(entity, "additional_properties", None) or {})
    props["type"] = getattr(entity, "type", None) or props.get("type", "")
    return props
