"""The planner's cards (issue #20): an activity, the plan, the form, the export, a reminder.

Each is built from what the back end computed (``planner``: an activity's facts from ``core``,
its status, days left and warning codes, the totals per usage period) and worded from the
gettext catalogues (``plan.*`` keys), dates, months and money by Babel for the member's locale.

Buttons are Universal Actions through the verb registry (:mod:`bot.plan_verbs`): *Mark
claimed* (``plan_claimed``), *Edit* (``plan_edit``: the form, filled in), *Remove*
(``plan_remove``), *Add an activity* (``plan_form``), *Save* (``plan_save``); their data names
an activity, never a plan (the plan is always the turn's). A button inside the body (an
``ActionSet`` per activity of the plan) carries its own message-back fallback, as
:func:`bot.cards.with_fallbacks` gives the card's own buttons.
"""
from __future__ import annotations

import os
import time
from datetime import date
from decimal import Decimal
from typing import Any, Mapping, Optional

from botbuilder.schema import Activity, ActivityTypes, TextFormatTypes

from core import load_policy
from planner import (OUTSIDE_NAMED_FUNDS, SPANS_TWO_USAGE_PERIODS, WINDOW_CLOSED, ActivityView,
                     UsageTotal)
from understanding import messages
from understanding.fmt import fmt_date, fmt_money

from . import cards

__all__ = ["plan_activity", "plan_card", "activity_card", "list_card", "form_card", "reminder_activity",
           "status_text", "MAX_LISTED", "CLAIM_LINK_KEY"]

MAX_LISTED = 15  # activities one list card shows (the export has every one)
CLAIM_LINK_KEY = "create_claim"


def _t(lang: str, key: str, **values: Any) -> str:
    return messages.t(lang, key, **values)


def _count(lang: str, key: str, n: int, **values: Any) -> str:
    return messages.t(lang, key, count=n, n=n, **values)


def _d(day: date, locale: Optional[str], lang: str) -> str:
    return fmt_date(day, locale if locale and locale[:2].lower() == lang else None, lang)


def _loc(locale: Optional[str], lang: str) -> Optional[str]:
    return locale if locale and locale[:2].lower() == lang else None


def _range(start: date, end: date, locale: Optional[str], lang: str) -> str:
    if start == end:
        return _d(start, locale, lang)
    return _t(lang, "card.range", start=_d(start, locale, lang), end=_d(end, locale, lang))


def _money(amounts: Mapping[str, Decimal], locale: Optional[str], lang: str) -> str:
    return " + ".join(fmt_money(v, c, _loc(locale, lang), lang) for c, v in sorted(amounts.items()))


def _block(text: str, **extra: Any) -> dict:
    return {"type": "TextBlock", "text": text, "wrap": True, **extra}


def _stamp(data: dict, card_id: str, issued: int, lang: str) -> dict:
    return {**data, "card": card_id, "issued": issued, "lang": lang}


def _button(title: str, verb: str, data: dict) -> dict:
    """An Action.Execute with its message-back fallback (a button inside the body is not
    reached by :func:`bot.cards.with_fallbacks`)."""
    data = {**data, "verb": verb}
    return {"type": "Action.Execute", "title": title, "verb": verb, "data": data,
            "fallback": {"type": "Action.Submit", "title": title, "data": dict(data)}}


def _claim_url() -> str:
    return load_policy().link(CLAIM_LINK_KEY).url


def status_text(view: ActivityView, lang: str, locale: Optional[str] = None) -> str:
    """An activity's status on the view's day, in words."""
    a, f = view.activity, view.facts
    if view.status == "claimed" and a.claimed_on is not None:
        return _t(lang, "plan.status.claimed", date=_d(a.claimed_on, locale, lang))
    if view.status == "too_late":
        return _t(lang, "plan.status.too_late", date=_d(f.parts[-1].claim_closes, locale, lang))
    if view.status == "open":
        if view.days_left == 0:
            return _t(lang, "plan.status.open_today")
        return _count(lang, "plan.status.open", view.days_left or 0)
    if view.status == "done":
        opens = f.current.claim_opens if f.current is not None else f.claim_opens
        return _t(lang, "plan.status.done", date=_d(opens, locale, lang))
    return _t(lang, "plan.status.planned", date=_d(a.start, locale, lang))


def _warnings(view: ActivityView, lang: str, locale: Optional[str]) -> list[str]:
    out = []
    f = view.facts
    for code in view.warnings:
        if code == OUTSIDE_NAMED_FUNDS:
            usage = f.usage[0]
            out.append(_t(lang, "plan.warn.outside_named_funds",
                          usage=messages.month_span(lang, usage.start, usage.end, _loc(locale, lang))))
        elif code == WINDOW_CLOSED:
            out.append(_t(lang, "plan.warn.window_closed", date=_d(f.parts[-1].claim_closes, locale, lang)))
        elif code == SPANS_TWO_USAGE_PERIODS:
            out.append(_t(lang, "plan.warn.spans_two_usage_periods"))
    return out


def _part_facts(part: Any, lang: str, locale: Optional[str]) -> list[dict]:
    loc = _loc(locale, lang)
    return [
        {"title": _t(lang, "plan.card.paid_from"),
         "value": messages.month_span(lang, part.earning.start, part.earning.end, loc)},
        {"title": _t(lang, "plan.card.usage"), "value": _range(part.usage.start, part.usage.end, locale, lang)},
        {"title": _t(lang, "plan.card.claim_window"), "value": _range(part.claim_opens, part.claim_closes, locale, lang)},
    ]


def _activity_buttons(view: ActivityView, lang: str, stamp: dict, show: str) -> list[dict]:
    a = view.activity
    data = {**stamp, "activity": a.id, "show": show}
    buttons = []
    if view.status != "claimed":
        buttons.append(_button(_t(lang, "plan.button.claimed"), "plan_claimed", data))
    buttons.append(_button(_t(lang, "plan.button.edit"), "plan_edit", data))
    buttons.append(_button(_t(lang, "plan.button.remove"), "plan_remove", data))
    return buttons


def _new_id() -> str:
    return os.urandom(8).hex()


def _card(body: list[dict], actions: list[dict], fallback: str, speak: str) -> dict:
    card: dict[str, Any] = {"type": "AdaptiveCard", "$schema": cards.SCHEMA_URL, "version": cards.VERSION,
                            "body": body, "fallbackText": fallback, "speak": cards.plain(speak),
                            "msteams": {"width": "Full"}}
    if actions:
        card["actions"] = actions[:cards.MAX_CARD_ACTIONS]
    return card


def _with_status(card: dict, status: str, ok: bool) -> dict:
    if not status:
        return card
    out = cards.with_status(card, status)
    if not ok:
        out["body"][-1]["color"] = "Attention"
    out["fallbackText"] = f"{card.get('fallbackText', '')}\n\n{status}".strip()
    return out


# --------------------------------------------------------------------------- one activity


def activity_card(outcome: Any, locale: Optional[str] = None, *, card_id: str | None = None,
                  issued: int | None = None) -> dict:
    """One activity: what pays for it, its usage period, claim window, keep-until date,
    status and warnings; *Mark claimed*, *Edit*, *Remove*, *Open claim page*."""
    view: ActivityView = outcome.activity
    lang = messages.norm_lang(outcome.lang)
    a, f = view.activity, view.facts
    stamp = {"card": card_id or _new_id(), "issued": int(time.time()) if issued is None else issued, "lang": lang}
    title = _t(lang, "plan.tracked", name=a.name)
    facts = [{"title": _t(lang, "plan.card.dates"), "value": _range(a.start, a.end, locale, lang)}]
    if a.cost is not None:
        facts.append({"title": _t(lang, "plan.card.cost"), "value": fmt_money(a.cost, a.currency, _loc(locale, lang), lang)})
    if a.program:
        facts.append({"title": _t(lang, "plan.card.program"), "value": a.program})
    body: list[dict] = [_block(title, size="Medium", weight="Bolder", style="heading"),
                        _block(status_text(view, lang, locale), weight="Bolder", spacing="Small")]
    lines = [title, status_text(view, lang, locale)]
    for warning in _warnings(view, lang, locale):
        body.append(_block("⚠ " + warning, color="Warning", spacing="Small"))
        lines.append("⚠ " + warning)
    body.append({"type": "FactSet", "facts": facts})
    for n, part in enumerate(f.parts):
        part_facts = _part_facts(part, lang, locale)
        if len(f.parts) > 1:
            body.append(_block(_t(lang, "plan.part_heading", start=_d(part.days.start, locale, lang),
                                  end=_d(part.days.end, locale, lang)), weight="Bolder", spacing="Medium",
                               separator=n == 0))
        body.append({"type": "FactSet", "facts": part_facts})
        lines += [f"{x['title']}: {x['value']}" for x in part_facts]
    keep = {"title": _t(lang, "plan.card.keep_until"), "value": _d(f.keep_until, locale, lang)}
    body.append({"type": "FactSet", "facts": [keep]})
    lines += [f"{x['title']}: {x['value']}" for x in facts] + [f"{keep['title']}: {keep['value']}"]
    actions = _activity_buttons(view, lang, stamp, "activity")
    actions.append({"type": "Action.OpenUrl", "title": cards.labels(lang)["claim_page"], "url": _claim_url()})
    card = _card(body, actions, "\n".join(lines), lines[0] + ". " + lines[1])
    return _with_status(card, outcome.status, outcome.ok)


# --------------------------------------------------------------------------- the plan


def _window(view: ActivityView) -> tuple[date, date]:
    part = view.facts.current or view.facts.parts[0]
    return part.claim_opens, part.claim_closes


def _total_line(total: UsageTotal, lang: str, locale: Optional[str]) -> str:
    planned = _money(total.planned, locale, lang) if total.planned else _t(lang, "plan.total.nothing")
    if total.available is None:
        return _t(lang, "plan.total.planned", planned=planned) if total.planned else planned
    text = _t(lang, "plan.total.budget", planned=planned if total.planned else _money({c: Decimal(0) for c in total.available}, locale, lang),
              available=_money(total.available, locale, lang))
    extra = []
    for currency, value in sorted((total.unplanned or {}).items()):
        if value > 0:
            extra.append(_t(lang, "plan.total.unplanned", amount=fmt_money(value, currency, _loc(locale, lang), lang)))
        elif value < 0:
            extra.append(_t(lang, "plan.total.over", amount=fmt_money(-value, currency, _loc(locale, lang), lang)))
    return " · ".join([text, *extra])


def list_card(outcome: Any, locale: Optional[str] = None, *, card_id: str | None = None,
              issued: int | None = None) -> dict:
    """The plan: its activities by claim window (closing first) with each one's status and
    days left and *Mark claimed* / *Edit* / *Remove*; cost per usage period, against the
    budgets where the plan names them, and what is not planned yet."""
    lang = messages.norm_lang(outcome.lang)
    view = outcome.view
    stamp = {"card": card_id or _new_id(), "issued": int(time.time()) if issued is None else issued, "lang": lang}
    whose = _t(lang, "plan.whose." + outcome.whose)
    title = _t(lang, "plan.list_title", plan=whose)
    body: list[dict] = [_block(title, size="Medium", weight="Bolder", style="heading")]
    lines = [title]
    activities = list(view.activities) if view is not None else []
    if not activities:
        empty = _t(lang, "plan.empty", plan=whose)
        body.append(_block(empty))
        lines.append(empty)
    window = None
    for view_ in activities[:MAX_LISTED]:
        a = view_.activity
        here = _window(view_)
        if here != window:
            window = here
            heading = _t(lang, "plan.window_heading", start=_d(here[0], locale, lang), end=_d(here[1], locale, lang))
            body.append(_block(heading, weight="Bolder", spacing="Large", separator=True))
            lines.append("")
            lines.append(heading)
        dates = _range(a.start, a.end, locale, lang)
        cost = f" · {fmt_money(a.cost, a.currency, _loc(locale, lang), lang)}" if a.cost is not None else ""
        status = status_text(view_, lang, locale)
        items = [_block(f"**{a.name}** · {dates}{cost}"),
                 _block(status, isSubtle=view_.status in ("claimed", "planned"), spacing="None",
                        color="Attention" if view_.status in ("open", "too_late") else "Default")]
        for warning in _warnings(view_, lang, locale):
            items.append(_block("⚠ " + warning, size="Small", color="Warning", spacing="None"))
        items.append({"type": "ActionSet", "actions": _activity_buttons(view_, lang, stamp, "list")})
        body.append({"type": "Container", "id": f"activity-{a.id}", "spacing": "Medium", "items": items})
        lines.append(f"- {a.name} ({dates}{cost}): {status}")
    if len(activities) > MAX_LISTED:
        more = _t(lang, "plan.more", n=len(activities) - MAX_LISTED)
        body.append(_block(more, isSubtle=True))
        lines.append(more)
    totals = list(view.totals) if view is not None else []
    if totals:
        heading = _t(lang, "plan.totals_title")
        facts = [{"title": messages.month_span(lang, t.usage_start, t.usage_end, _loc(locale, lang)),
                  "value": _total_line(t, lang, locale)} for t in totals]
        body += [_block(heading, weight="Bolder", spacing="Large", separator=True), {"type": "FactSet", "facts": facts}]
        lines += ["", heading] + [f"- {x['title']}: {x['value']}" for x in facts]
    actions = [_button(_t(lang, "plan.button.add"), "plan_form", stamp)]
    if activities:
        actions.append({"type": "Action.OpenUrl", "title": cards.labels(lang)["claim_page"], "url": _claim_url()})
    card = _card(body, actions, "\n".join(lines), title)
    return _with_status(card, outcome.status, outcome.ok)


# --------------------------------------------------------------------------- the form


def form_card(outcome: Any, locale: Optional[str] = None, *, card_id: str | None = None,
              issued: int | None = None) -> dict:
    """Add an activity (or edit one: ``outcome.form["activity"]``): name, first and last day,
    cost and currency, program; *Save*."""
    lang = messages.norm_lang(outcome.lang)
    values = outcome.form or {}
    stamp = {"card": card_id or _new_id(), "issued": int(time.time()) if issued is None else issued, "lang": lang}
    editing = values.get("activity")
    title = _t(lang, "plan.form.edit_title" if editing else "plan.form.title")

    def value(name: str) -> str:
        v = values.get(name)
        return "" if v is None else str(v)

    body = [
        _block(title, size="Medium", weight="Bolder", style="heading"),
        {"type": "Input.Text", "id": "name", "label": _t(lang, "plan.form.name"), "isRequired": True,
         "maxLength": 200, "placeholder": _t(lang, "plan.form.name_hint"), "value": value("name"),
         "errorMessage": _t(lang, "plan.error.name_required")},
        {"type": "Input.Date", "id": "start", "label": _t(lang, "plan.form.start"), "isRequired": True,
         "value": value("start"), "errorMessage": _t(lang, "plan.error.date_required")},
        {"type": "Input.Date", "id": "end", "label": _t(lang, "plan.form.end"),
         "value": value("end") if value("end") != value("start") else ""},
        {"type": "ColumnSet", "columns": [
            {"type": "Column", "width": "stretch", "items": [
                {"type": "Input.Number", "id": "cost", "label": _t(lang, "plan.form.cost"), "min": 0,
                 "value": value("cost")}]},
            {"type": "Column", "width": "stretch", "items": [
                {"type": "Input.Text", "id": "currency", "label": _t(lang, "plan.form.currency"), "maxLength": 3,
                 "value": value("currency")}]}]},
        {"type": "Input.Text", "id": "program", "label": _t(lang, "plan.form.program"), "maxLength": 100,
         "value": value("program")},
    ]
    data = {**stamp, **({"activity": editing} if editing else {})}
    actions = [_button(_t(lang, "plan.button.save"), "plan_save", data)]
    card = _card(body, actions, title, title)
    return _with_status(card, outcome.status, outcome.ok)


def plan_card(outcome: Any, locale: Optional[str] = None, *, card_id: str | None = None,
              issued: int | None = None) -> dict | None:
    """The card of an outcome (None for a sentence or an export)."""
    builder = {"activity": activity_card, "list": list_card, "form": form_card}.get(outcome.kind)
    if builder is None or (outcome.kind == "activity" and outcome.activity is None):
        return None
    return builder(outcome, locale, card_id=card_id, issued=issued)


def plan_activity(outcome: Any, locale: Optional[str] = None) -> Activity:
    """The one message of a planner command: its card; the export's CSV as a code block (a
    copy of the file, to paste into a spreadsheet); a sentence when there is only that."""
    lang = messages.norm_lang(outcome.lang)
    card = plan_card(outcome, locale)
    if card is not None:
        return cards.card_activity(card, cards.summary_line(card["fallbackText"]), lang, locale)
    if outcome.kind == "export" and outcome.csv:
        text = f"{outcome.status}\n\n```\n{outcome.csv.strip()}\n```"
        return Activity(type=ActivityTypes.message, text=text, text_format=TextFormatTypes.markdown,
                        summary=outcome.status, locale=_loc(locale, lang))
    return cards.text_activity(outcome.status, lang, locale)


# --------------------------------------------------------------------------- reminders


def _mention(user_id: str, name: str) -> dict:
    return {"type": "mention", "text": f"<at>{name}</at>", "mentioned": {"id": user_id, "name": name}}


def _notice_text(notice: Any, lang: str, locale: Optional[str]) -> str:
    from planner.schedule import ACTIVITY_OPEN, BUDGET_UNPLANNED

    deadline = _d(notice.deadline, locale, lang)
    if notice.kind == BUDGET_UNPLANNED:
        budget = notice.budget
        unplanned = notice.unplanned if notice.unplanned is not None else getattr(budget, "amount", Decimal(0))
        amount = fmt_money(unplanned, getattr(budget, "currency", None), _loc(locale, lang), lang)
        return _count(lang, "plan.reminder.unplanned", max(notice.days_left, 0), amount=amount, date=deadline)
    name = notice.activity.name if notice.activity is not None else ""
    if notice.kind == ACTIVITY_OPEN:
        return _t(lang, "plan.reminder.opens", name=f"**{name}**", date=deadline)
    return _count(lang, "plan.reminder.closes", max(notice.days_left, 0), name=f"**{name}**", date=deadline)


def reminder_activity(digest: Any) -> dict:
    """``planner.schedule.PlanRenderer``: the reminder message for a plan's due notices (Bot
    Framework JSON): one card, a line per notice, *Mark claimed* under each activity's and
    *Open claim page*; in a channel it @mentions the member who added the activity."""
    lang = messages.norm_lang(digest.lang)
    locale = digest.locale
    issued = int(time.time())
    mention = _mention(*digest.mention) if digest.mention and digest.conversation_type != "personal" else None
    heading = (_t(lang, "plan.reminder.mention", mention=mention["text"]) if mention
               else _t(lang, "plan.reminder.title"))
    body: list[dict] = [_block(heading, size="Medium" if not mention else "Default", weight="Bolder",
                               **({} if mention else {"style": "heading"}))]
    lines = []
    for n, notice in enumerate(digest.notices):
        text = _notice_text(notice, lang, locale)
        lines.append(cards.plain(text))
        items: list[dict] = [_block(text)]
        if notice.activity is not None:
            a = notice.activity
            facts = [{"title": _t(lang, "plan.card.dates"), "value": _range(a.start, a.end, locale, lang)}]
            if notice.part is not None:
                facts.append({"title": _t(lang, "plan.card.claim_window"),
                              "value": _range(notice.part.claim_opens, notice.part.claim_closes, locale, lang)})
            if notice.keep_until is not None:
                facts.append({"title": _t(lang, "plan.card.keep_until"), "value": _d(notice.keep_until, locale, lang)})
            items.append({"type": "FactSet", "facts": facts})
            data = {"scope": "reminder", "issued": issued, "lang": lang, "activity": a.id, "show": "activity"}
            items.append({"type": "ActionSet", "actions": [_button(_t(lang, "plan.button.claimed"), "plan_claimed", data)]})
        body.append({"type": "Container", "separator": n > 0, "spacing": "Medium", "items": items})
    actions = [{"type": "Action.OpenUrl", "title": cards.labels(lang)["claim_page"], "url": _claim_url()},
               {"type": "Action.Submit", "title": _t(lang, "plan.button.list"),
                "data": {"verb": "ask", "text": _t(lang, "help.planner.example2")}}]
    card = _card(body, actions, "\n".join([cards.plain(heading), *lines]), lines[0] if lines else heading)
    if mention:
        card["msteams"] = {"width": "Full", "entities": [mention]}
    line = lines[0] if lines else heading
    activity: dict[str, Any] = {"type": "message", "locale": _loc(locale, lang), "summary": line,
                                "text": f"{mention['text']} {line}" if mention else line,
                                "attachments": [{"contentType": cards.CARD_CONTENT_TYPE, "content": card}]}
    if mention:
        activity["entities"] = [mention]
    return activity

