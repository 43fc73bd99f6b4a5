"""Command-line entry points dispatched by ``app.py`` (each module is imported only when its
command runs): ``ask`` and ``answer`` for support staff, ``notify`` for operators.

Each module provides ``configure_parser(parser)`` (alias ``add_arguments``) and
``run(args, settings=None) -> int``, and runs standalone with ``python -m cli.<name>``.
Nothing here imports botbuilder or aiohttp: ``ask`` answers well within 1.5 s of process start.
"""
from __future__ import annotations


import argparse
from datetime import date, datetime, timezone


def pack_lang(text: str) -> str:
    """--lang: a language code (``fr``, ``pt-BR``). Checked against the registered packs when
    the command runs (``COOP_LANG_PATH`` is registered after the arguments are parsed)."""
    from understanding import registry

    code = text.strip()
    if not registry.is_pack_code(code.lower() if len(code) <= 3 else code):
        raise argparse.ArgumentTypeError(f"{text!r} is not a language code (e.g. {registry.DEFAULT})")
    return code


def known_lang(code: str | None) -> str | None:
    """The registered pack of a --lang value; SystemExit(2) with the codes there are otherwise."""
    if code is None:
        return None
    from understanding import registry

    found = registry.known(code)
    if found is None:
        import sys

        print(f"--lang {code}: no language pack speaks it (there are: {', '.join(registry.codes())})", file=sys.stderr)
        raise SystemExit(2)
    return found


def today_arg(text: str) -> date:
    """--today: an ISO date the rules can answer for; a clear message (exit status 2) otherwise."""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date: write YYYY-MM-DD, e.g. 2024-11-27") from None
    from core import calendar

    first, last = calendar().first_day, calendar().last_day
    if not first <= day <= last:
        raise argparse.ArgumentTypeError(f"{text} is outside the days I can answer for ({first} to {last})")
    return day


def default_today() -> date:
    """The asker's day is unknown on the command line: the machine's local day, else UTC."""
    try:
        return datetime.now().astimezone().date()
    except (OSError, ValueError):  # pragma: no cover - no local time zone
        return datetime.now(timezone.utc).date()


def convention_of(args: argparse.Namespace, settings: object | None) -> str | None:
    return getattr(args, "convention", None) or getattr(settings, "fy_label_convention", None)
