"""Opt-in proactive deadline reminders: schedule, subscriptions, delivery ledger, sweeper,
rate-limited sender, "Add to calendar" (.ics). See ``reminders/README.md``.

Public API (everything else is private):

- subscriptions (``store``), one per (user, conversation): :func:`subscribe`,
  :func:`unsubscribe`, :func:`get_subscription`, :func:`user_subscriptions`,
  :func:`list_subscriptions`, :func:`refresh_reference` (every turn),
  :func:`deactivate_conversation` (uninstall), :func:`forget_user` ("forget my data"),
  :func:`migrate` / :func:`ensure_schema`
- confirmation: :func:`next_reminder_date`; texts filled in by :mod:`reminders.messages` (sentences in
  the catalogues ``understanding/messages_{en,fr}.py``)
- sweeping: :func:`run_sweep` → :class:`Summary`
- sending: :class:`Sender`, :class:`SendError`, :class:`Transport` (the seam; the bot's
  implementation is ``bot.proactive.AdapterTransport``)
- the bot's service: :class:`StoreReminders` (what ``dialogs.Actions`` calls)
- calendar links: :func:`rotate_calendar_token`, :func:`revoke_calendar_token` (and
  :func:`forget_user` deletes it)
- the reminder card: :func:`reminders.digest.digest_activity`
- web: :func:`add_routes`, :func:`start_daily_sweeper`, :func:`calendar_link`
- schedule (pure): :func:`due_reminders`, :func:`next_reminder`, :func:`load_schedule`;
  calendar (pure): :func:`build_calendar`
"""
from .ics import build_calendar
from .schedule import ReminderItem, Schedule, ScheduleError, due_reminders, load_schedule, next_reminder
from .sender import SendError, Sender, Transport, TransportAborted
from .service import StoreReminders
from .store import (Subscription, deactivate_conversation, ensure_schema, forget_user,
                    get_subscription, list_subscriptions, migrate, refresh_reference,
                    revoke_calendar_token, rotate_calendar_token, subscribe, unsubscribe,
                    user_subscriptions)
from .sweeper import Summary, next_reminder_date, run_sweep, upcoming_reminder

__all__ = [
    "build_calendar", "ReminderItem", "Schedule", "ScheduleError", "due_reminders", "load_schedule",
    "next_reminder", "SendError", "Sender", "Transport", "Subscription", "deactivate_conversation",
    "ensure_schema", "forget_user", "get_subscription", "list_subscriptions", "migrate",
    "refresh_reference", "subscribe", "unsubscribe", "user_subscriptions", "rotate_calendar_token",
    "revoke_calendar_token", "Summary", "next_reminder_date", "run_sweep", "upcoming_reminder",
    "TransportAborted", "StoreReminders",
    "add_routes", "start_daily_sweeper", "calendar_link", "calendar_url",
]


def __getattr__(name):  # the aiohttp routes, imported only when asked for
    if name in ("add_routes", "start_daily_sweeper", "calendar_link", "calendar_url"):
        from . import http

        return getattr(http, name)
    raise AttributeError(name)
