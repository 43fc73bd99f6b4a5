"""The plans: activities and budgets on ``storage.Database`` (SQLite or PostgreSQL, one SQL
text), and the views computed from them with ``core`` (:mod:`planner.facts`).

    plans = PlanStore(db)                                   # schema: migration ``planner``
    a = await plans.add(personal_plan("29:u"), name="Webinar", start=date(2027, 3, 12),
                        end=date(2027, 3, 12), cost=Decimal("5000"), currency="EUR",
                        added_by="29:u")
    view = await plans.view(a.plan_id, today)               # statuses, warnings, totals
    await plans.mark_claimed(a.plan_id, a.id, on=today)
    await plans.forget_person("29:u")                       # "forget my data"

Tables (migration ``planner``, applied by ``python app.py migrate`` with the product's others):

- ``plan_activities``: ``id`` (32 hex digits), ``plan_id``, ``name``, ``name_key`` (folded for
  :meth:`PlanStore.find`), ``start_day``/``end_day``, ``cost`` (decimal text) and ``currency``,
  ``program``, ``added_by`` (bounded user key; NULL once forgotten), ``claimed_on``,
  ``expires_on`` (see Retention), ``created_at``/``updated_at``.
- ``plan_budgets``: one per (plan, earning half): ``id``, ``plan_id``, ``earned_start``,
  ``earned_end``, ``amount``, ``currency``, ``expires_on``, times.

Ids are checked at the edge, as the bot checks a card's payload: a plan id that
:func:`planner.model.check_plan_id` refuses, or an activity id that is not 32 hex digits,
raises :class:`~planner.model.PlanError`; user and conversation ids are stored as
``storage.keys.bounded_key``. Sizes are bounded: :data:`MAX_ACTIVITIES` activities and
:data:`MAX_BUDGETS` budgets per plan (:class:`~planner.model.PlanLimitError`), names of
:data:`MAX_NAME_CHARS`, programs of :data:`MAX_PROGRAM_CHARS`, amounts below
:data:`MAX_AMOUNT`.

Retention: a row's ``expires_on`` is the last day it still matters to the partner (an
activity: its last claiming window's end or its PoE keep-until date, whichever is later; a
budget: the end of its claiming window). :meth:`PlanStore.purge_before` deletes rows whose
``expires_on`` is before a cut-off; the state retention job calls it with today minus
``STATE_RETENTION_DAYS``, so nothing is deleted while a partner could still claim it or must
keep its proof.
"""
from __future__ import annotations

import csv
import io
import logging
import re
import uuid
from collections import defaultdict
from dataclasses import replace
from datetime import date, datetime, timezone
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Iterable, Optional, Sequence

from core import CoopError, InvalidAmount, calendar, fold, load_policy, to_amount
from storage.db import Database
from storage.keys import bounded_key

from .facts import ActivityFacts, activity_facts
from .model import (OUTSIDE_NAMED_FUNDS, SPANS_TWO_USAGE_PERIODS, WINDOW_CLOSED, Activity,
                    ActivityView, Budget, PlanError, PlanId, PlanLimitError, PlanView, UsageTotal,
                    check_plan_id)

logger = logging.getLogger(__name__)

__all__ = ["PlanStore", "MIGRATION_NAME", "MIGRATIONS", "MAX_ACTIVITIES", "MAX_BUDGETS",
           "MAX_NAME_CHARS", "MAX_PROGRAM_CHARS", "MAX_AMOUNT", "UPDATABLE", "view_of",
           "neutralise_cell", "check_activity_id", "migrate"]

MAX_ACTIVITIES = 500
MAX_BUDGETS = 40  # twenty years of halves
MAX_NAME_CHARS = 200
MAX_PROGRAM_CHARS = 100
MAX_AMOUNT = Decimal("1000000000000")  # 10^12, in any currency
UPDATABLE = ("name", "start", "end", "cost", "currency", "program", "claimed_on")

MIGRATION_NAME = "planner"
MIGRATIONS = [
    """CREATE TABLE plan_activities (
        id TEXT PRIMARY KEY,
        plan_id TEXT NOT NULL,
        name TEXT NOT NULL,
        name_key TEXT NOT NULL,
        start_day TEXT NOT NULL,
        end_day TEXT NOT NULL,
        cost TEXT,
        currency TEXT,
        program TEXT,
        added_by TEXT,
        claimed_on TEXT,
        expires_on TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL)""",
    "CREATE INDEX plan_activities_plan ON plan_activities (plan_id, start_day)",
    "CREATE INDEX plan_activities_added_by ON plan_activities (added_by)",
    "CREATE INDEX plan_activities_expires ON plan_activities (expires_on)",
    """CREATE TABLE plan_budgets (
        id TEXT PRIMARY KEY,
        plan_id TEXT NOT NULL,
        earned_start TEXT NOT NULL,
        earned_end TEXT NOT NULL,
        amount TEXT NOT NULL,
        currency TEXT NOT NULL,
        expires_on TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (plan_id, earned_start))""",
    "CREATE INDEX plan_budgets_expires ON plan_budgets (expires_on)",
]

_ACTIVITY_ID = re.compile(r"^[0-9a-f]{32}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_WORD = re.compile(r"\w+")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_COLUMNS = ("id, plan_id, name, start_day, end_day, cost, currency, program, added_by, "
            "claimed_on, created_at")


async def migrate(db: Database) -> list[int]:
    """Create or update the planner's tables (``python app.py migrate`` runs it with the rest)."""
    return await db.migrate(MIGRATION_NAME, MIGRATIONS)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def check_activity_id(activity_id: object) -> str:
    """An activity id as :meth:`PlanStore.add` makes them (32 hex digits), else
    :class:`PlanError` ``invalid_activity_id``."""
    if not isinstance(activity_id, str) or not _ACTIVITY_ID.match(activity_id):
        raise PlanError("invalid_activity_id", "an activity id is 32 hexadecimal digits")
    return activity_id


def neutralise_cell(value: str) -> str:
    """A spreadsheet cell that cannot run as a formula (OWASP CSV injection): a leading
    ``= + - @`` tab or carriage return gets a ``'`` in front.

    >>> neutralise_cell("=HYPERLINK(1)"), neutralise_cell("Webinar"), neutralise_cell("")
    ("'=HYPERLINK(1)", 'Webinar', '')
    """
    return "'" + value if value.startswith(_FORMULA_START) else value


# --------------------------------------------------------------------------- validation


def _text(value: object, limit: int, code_required: Optional[str], code_long: str,
          what: str) -> Optional[str]:
    if value is None:
        if code_required:
            raise PlanError(code_required, f"an activity needs a {what}")
        return None
    if not isinstance(value, str):
        raise PlanError(code_required or code_long, f"the {what} must be text")
    text = " ".join(value.replace("\x00", "").split())
    if not text:
        if code_required:
            raise PlanError(code_required, f"an activity needs a {what}")
        return None
    if len(text) > limit:
        raise PlanError(code_long, f"the {what} is longer than {limit} characters", limit=limit)
    return text


def _money(amount: object, currency: object, *, required: bool) -> tuple[Optional[Decimal], Optional[str]]:
    if amount is None and currency is None and not required:
        return None, None
    if amount is None:
        raise PlanError("bad_amount", "an amount is needed with a currency")
    try:
        value = to_amount(amount)  # core: non-negative and finite
    except InvalidAmount as error:
        raise PlanError("bad_amount", str(error), value=str(amount)) from None
    decimals = load_policy().split.money_decimals
    value = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if value >= MAX_AMOUNT:
        raise PlanError("amount_too_large", f"amounts must be below {MAX_AMOUNT}", limit=str(MAX_AMOUNT))
    if currency is None:
        raise PlanError("currency_required", "an amount needs its currency (ISO 4217, e.g. EUR)")
    if not isinstance(currency, str) or not _CURRENCY.match(currency.strip().upper()):
        raise PlanError("bad_currency", "a currency is an ISO 4217 code such as EUR or USD",
                        value=str(currency)[:10])
    return value, currency.strip().upper()


def _dates(start: object, end: object) -> tuple[date, date]:
    if not isinstance(start, date) or not isinstance(end, date) or isinstance(start, datetime) \
            or isinstance(end, datetime):
        raise PlanError("bad_dates", "an activity's start and end are dates")
    if end < start:
        raise PlanError("bad_dates", "an activity cannot end before it starts",
                        start=start.isoformat(), end=end.isoformat())
    cal = calendar()
    try:
        cal.check_date(start)
        cal.check_date(end)
        activity_facts(start, end, start)  # its whole cycle must lie in core's calendar
    except CoopError as error:
        raise PlanError("date_out_of_range", str(error), **error.params) from None
    return start, end


def _half(earned_start: object, earned_end: object):
    if not isinstance(earned_start, date) or not isinstance(earned_end, date):
        raise PlanError("not_a_half", "a budget's earning period is one fiscal half (two dates)")
    cal = calendar()
    try:
        half = cal.half_containing(cal.check_date(earned_start))
        cal.check_date(earned_end)
    except CoopError as error:
        raise PlanError("date_out_of_range", str(error), **error.params) from None
    if (half.start, half.end) != (earned_start, earned_end):
        raise PlanError("not_a_half", "a budget's earning period is one fiscal half "
                        f"({half.start.isoformat()} – {half.end.isoformat()} contains the start)",
                        half_start=half.start.isoformat(), half_end=half.end.isoformat())
    return half


def _activity_expiry(start: date, end: date) -> date:
    facts = activity_facts(start, end, start)
    return max(facts.keep_until, facts.parts[-1].claim_closes)


def _budget_expiry(half) -> date:
    return calendar().cycle(half).claiming.end


def _words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


# --------------------------------------------------------------------------- rows


def _activity(row: dict) -> Activity:
    return Activity(
        id=row["id"], plan_id=row["plan_id"], name=row["name"],
        start=date.fromisoformat(row["start_day"]), end=date.fromisoformat(row["end_day"]),
        cost=Decimal(row["cost"]) if row["cost"] is not None else None,
        currency=row["currency"], program=row["program"], added_by=row["added_by"],
        claimed_on=date.fromisoformat(row["claimed_on"]) if row["claimed_on"] else None,
        created_at=datetime.fromisoformat(row["created_at"]))


def _budget(row: dict) -> Budget:
    return Budget(row["plan_id"], date.fromisoformat(row["earned_start"]),
                  date.fromisoformat(row["earned_end"]), Decimal(row["amount"]), row["currency"])


def _sort_key(view: ActivityView) -> tuple:
    f = view.facts
    return (f.claim_closes, f.claim_opens, view.activity.start, view.activity.end,
            view.activity.name.casefold(), view.activity.id)


# --------------------------------------------------------------------------- views (pure)


def activity_view(activity: Activity, today: date, budgets: Sequence[Budget] = (),
                  facts: Optional[ActivityFacts] = None) -> ActivityView:
    """One activity on ``today`` (its status, days left and warnings; see
    :class:`~planner.model.ActivityView`). ``budgets``: the plan's, for ``outside_named_funds``."""
    facts = facts or activity_facts(activity.start, activity.end, today)
    current = facts.current
    if activity.claimed_on is not None:
        status, days_left = "claimed", None
    elif current is None:
        status, days_left = "too_late", None
    else:
        days_left = (current.claim_closes - today).days
        if today <= activity.end:
            status = "planned"
        elif today < current.claim_opens:
            status = "done"
        else:
            status = "open"
    warnings = []
    if budgets:
        named = {b.earned_start for b in budgets}
        if any(h.start not in named for h in facts.earnings):
            warnings.append(OUTSIDE_NAMED_FUNDS)
    if current is None and activity.claimed_on is None:
        warnings.append(WINDOW_CLOSED)
    if facts.spans_two_usage_periods:
        warnings.append(SPANS_TWO_USAGE_PERIODS)
    return ActivityView(activity, facts, status, days_left, tuple(warnings))


def usage_totals(views: Iterable[ActivityView], budgets: Sequence[Budget]) -> list[UsageTotal]:
    """Cost per usage period and currency, against the budgets of that period.

    An activity's cost counts in the usage period of its first part (the one whose window
    ``claim_opens``/``claim_closes`` give); SPEC does not say how the cost of an activity
    across two usage periods is divided, so it is not divided here (the view warns
    ``spans_two_usage_periods``)."""
    cal = calendar()
    planned: dict[date, dict[str, Decimal]] = defaultdict(dict)
    ends: dict[date, date] = {}
    for view in views:
        usage = view.facts.usage[0]
        ends[usage.start] = usage.end
        a = view.activity
        if a.cost is not None and a.currency:
            planned[usage.start][a.currency] = planned[usage.start].get(a.currency, Decimal(0)) + a.cost
        else:
            planned[usage.start]  # noqa: B018 - the period is listed, with nothing costed
    available: dict[date, dict[str, Decimal]] = defaultdict(dict)
    for budget in budgets:
        usage = cal.cycle(cal.half_containing(budget.earned_start)).usage
        ends[usage.start] = usage.end
        available[usage.start][budget.currency] = (available[usage.start].get(budget.currency, Decimal(0))
                                                   + budget.amount)
    out = []
    for start in sorted(ends):
        have = dict(available[start]) if start in available else None
        spent = dict(planned.get(start, {}))
        left = ({cur: amount - spent.get(cur, Decimal(0)) for cur, amount in have.items()}
                if have is not None else None)
        out.append(UsageTotal(start, ends[start], spent, have, left))
    return out


def view_of(activities: Sequence[Activity], budgets: Sequence[Budget], today: date) -> PlanView:
    """The plan view of some activities and budgets on ``today`` (what :meth:`PlanStore.view`
    returns; pure)."""
    views = sorted((activity_view(a, today, budgets) for a in activities), key=_sort_key)
    budgets = sorted(budgets, key=lambda b: b.earned_start)
    return PlanView(views, usage_totals(views, budgets), list(budgets))


# --------------------------------------------------------------------------- the store


class PlanStore:
    """The plans of a :class:`storage.Database` (migrated beforehand: :func:`migrate`).

    Every method takes the plan id first (:func:`planner.model.personal_plan` /
    :func:`~planner.model.shared_plan`); an activity of another plan is never found, changed
    or removed through it.
    """

    def __init__(self, db: Database) -> None:
        self._db = db

    @property
    def db(self) -> Database:
        return self._db

    # --- activities -----------------------------------------------------------------------

    async def add(self, plan_id: PlanId, *, name: str, start: date, end: date,
                  cost: Optional[Decimal | int | str] = None, currency: Optional[str] = None,
                  program: Optional[str] = None, added_by: Optional[str] = None) -> Activity:
        """Track an activity; :class:`PlanLimitError` when the plan already holds
        :data:`MAX_ACTIVITIES`."""
        check_plan_id(plan_id)
        name = _text(name, MAX_NAME_CHARS, "name_required", "name_too_long", "name")
        start, end = _dates(start, end)
        cost, currency = _money(cost, currency, required=False)
        program = _text(program, MAX_PROGRAM_CHARS, None, "program_too_long", "program")
        added = bounded_key(added_by) if isinstance(added_by, str) and added_by else None
        now = _now()
        activity = Activity(uuid.uuid4().hex, plan_id, name, start, end, cost, currency, program,
                            added, None, now)
        # one statement: the count and the insert cannot be split by another add on SQLite;
        # on PostgreSQL two concurrent adds at the limit may both pass (one over, at most)
        inserted = await self._db.execute(
            """INSERT INTO plan_activities (id, plan_id, name, name_key, start_day, end_day, cost,
                   currency, program, added_by, claimed_on, expires_on, created_at, updated_at)
               SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL, $11, $12, $12
               WHERE (SELECT COUNT(*) FROM plan_activities WHERE plan_id = $2) < $13""",
            activity.id, plan_id, name, " ".join(_words(name)), start.isoformat(), end.isoformat(),
            None if cost is None else str(cost), currency, program, added,
            _activity_expiry(start, end).isoformat(), _stamp(now), MAX_ACTIVITIES)
        if not inserted:
            raise PlanLimitError("too_many_activities",
                                 f"a plan holds at most {MAX_ACTIVITIES} activities", limit=MAX_ACTIVITIES)
        return activity

    async def activities(self, plan_id: PlanId) -> list[Activity]:
        """Every activity of the plan, by start day."""
        check_plan_id(plan_id)
        rows = await self._db.fetch(
            f"SELECT {_COLUMNS} FROM plan_activities WHERE plan_id = $1 ORDER BY start_day, created_at, id",
            plan_id)
        return [_activity(r) for r in rows]

    async def get(self, plan_id: PlanId, activity_id: str) -> Optional[Activity]:
        """The activity, or None when the plan has none with that id."""
        check_plan_id(plan_id)
        row = await self._db.fetchrow(
            f"SELECT {_COLUMNS} FROM plan_activities WHERE plan_id = $1 AND id = $2",
            plan_id, check_activity_id(activity_id))
        return _activity(row) if row else None

    async def find(self, plan_id: PlanId, text: str) -> list[Activity]:
        """The activities a partner's words name ("the webinar", "salon"), case and accents
        ignored, best first: those whose name has every word of ``text`` (a word of the text
        matches a word of the name it starts, so "salon" finds "Salons Microsoft"); when none
        has them all, those with the most of them. Words of ``text`` that are in no name
        ("the", "notre") therefore never hide a match. Empty when no word matches."""
        check_plan_id(plan_id)
        wanted = _words(text if isinstance(text, str) else "")
        if not wanted:
            return []
        scored = []
        for activity in await self.activities(plan_id):
            names = _words(activity.name)
            hits = sum(1 for w in wanted if any(n.startswith(w) for n in names))
            if hits:
                exact = names == wanted
                scored.append((not exact, -hits, activity.start, activity.id, activity))
        if not scored:
            return []
        scored.sort(key=lambda s: s[:4])
        best = scored[0][1]
        every = [s for s in scored if -s[1] == len(wanted)]
        chosen = every if every else [s for s in scored if s[1] == best]
        return [s[4] for s in chosen]

    async def update(self, plan_id: PlanId, activity_id: str, /, **fields: Any) -> Optional[Activity]:
        """Change some of ``name``, ``start``, ``end``, ``cost``, ``currency``, ``program``,
        ``claimed_on`` (None un-marks it); the changed activity, or None when not found.
        :class:`PlanError` ``unknown_field`` for anything else."""
        unknown = sorted(set(fields) - set(UPDATABLE))
        if unknown:
            raise PlanError("unknown_field", f"cannot change {', '.join(unknown)}", fields=unknown)
        current = await self.get(plan_id, activity_id)
        if current is None:
            return None
        merged = {f: getattr(current, f) for f in UPDATABLE}
        merged.update(fields)
        name = _text(merged["name"], MAX_NAME_CHARS, "name_required", "name_too_long", "name")
        start, end = _dates(merged["start"], merged["end"])
        if "cost" in fields and fields["cost"] is None and "currency" not in fields:
            merged["currency"] = None  # removing the cost removes its currency
        cost, currency = _money(merged["cost"], merged["currency"], required=False)
        program = _text(merged["program"], MAX_PROGRAM_CHARS, None, "program_too_long", "program")
        claimed_on = merged["claimed_on"]
        if claimed_on is not None and (not isinstance(claimed_on, date) or isinstance(claimed_on, datetime)):
            raise PlanError("bad_dates", "claimed_on is a date")
        changed = replace(current, name=name, start=start, end=end, cost=cost, currency=currency,
                          program=program, claimed_on=claimed_on)
        done = await self._db.execute(
            """UPDATE plan_activities SET name = $3, name_key = $4, start_day = $5, end_day = $6,
                   cost = $7, currency = $8, program = $9, claimed_on = $10, expires_on = $11,
                   updated_at = $12
               WHERE plan_id = $1 AND id = $2""",
            plan_id, current.id, name, " ".join(_words(name)), start.isoformat(), end.isoformat(),
            None if cost is None else str(cost), currency, program,
            None if claimed_on is None else claimed_on.isoformat(),
            _activity_expiry(start, end).isoformat(), _stamp(_now()))
        return changed if done else None

    async def mark_claimed(self, plan_id: PlanId, activity_id: str, on: Optional[date]) -> Optional[Activity]:
        """Mark the activity claimed on ``on`` (None: not claimed after all); None when not
        found. A claimed activity gets no more reminders."""
        return await self.update(plan_id, activity_id, claimed_on=on)

    async def remove(self, plan_id: PlanId, activity_id: str) -> bool:
        """Delete the activity; False when the plan has none with that id."""
        check_plan_id(plan_id)
        return await self._db.execute("DELETE FROM plan_activities WHERE plan_id = $1 AND id = $2",
                                      plan_id, check_activity_id(activity_id)) > 0

    # --- budgets --------------------------------------------------------------------------

    async def set_budget(self, plan_id: PlanId, earned_start: date, earned_end: date,
                         amount: Decimal | int | str, currency: str) -> Budget:
        """Say the plan has ``amount`` of co-op earned in one fiscal half (``earned_start`` ..
        ``earned_end``, exactly a half: :class:`PlanError` ``not_a_half`` otherwise); replaces
        the budget of that half. :class:`PlanLimitError` beyond :data:`MAX_BUDGETS` halves."""
        check_plan_id(plan_id)
        half = _half(earned_start, earned_end)
        value, currency = _money(amount, currency, required=True)
        now = _stamp(_now())
        changed = await self._db.execute(
            """INSERT INTO plan_budgets (id, plan_id, earned_start, earned_end, amount, currency,
                   expires_on, created_at, updated_at)
               SELECT $1, $2, $3, $4, $5, $6, $7, $8, $8
               WHERE (SELECT COUNT(*) FROM plan_budgets WHERE plan_id = $2 AND earned_start <> $3) < $9
               ON CONFLICT (plan_id, earned_start) DO UPDATE SET amount = excluded.amount,
                   currency = excluded.currency, updated_at = excluded.updated_at""",
            uuid.uuid4().hex, plan_id, half.start.isoformat(), half.end.isoformat(), str(value),
            currency, _budget_expiry(half).isoformat(), now, MAX_BUDGETS)
        if not changed:
            raise PlanLimitError("too_many_budgets", f"a plan holds at most {MAX_BUDGETS} budgets",
                                 limit=MAX_BUDGETS)
        return Budget(plan_id, half.start, half.end, value, currency)

    async def remove_budget(self, plan_id: PlanId, earned_start: date) -> bool:
        """Delete the budget of the half starting ``earned_start``; False when there was none."""
        check_plan_id(plan_id)
        if not isinstance(earned_start, date):
            return False
        return await self._db.execute("DELETE FROM plan_budgets WHERE plan_id = $1 AND earned_start = $2",
                                      plan_id, earned_start.isoformat()) > 0

    async def budgets(self, plan_id: PlanId) -> list[Budget]:
        """The plan's budgets, earliest half first."""
        check_plan_id(plan_id)
        rows = await self._db.fetch(
            "SELECT plan_id, earned_start, earned_end, amount, currency FROM plan_budgets "
            "WHERE plan_id = $1 ORDER BY earned_start", plan_id)
        return [_budget(r) for r in rows]

    async def budget_ids(self, plan_id: PlanId) -> dict[date, str]:
        """Each budget's stored id by its half's first day (the reminders' keys)."""
        check_plan_id(plan_id)
        rows = await self._db.fetch("SELECT id, earned_start FROM plan_budgets WHERE plan_id = $1",
                                    plan_id)
        return {date.fromisoformat(r["earned_start"]): r["id"] for r in rows}

    # --- views ----------------------------------------------------------------------------

    async def view(self, plan_id: PlanId, today: date) -> PlanView:
        """The plan on ``today``: activities by claiming window with status, days left and
        warnings; cost per usage period against the budgets (:func:`view_of`)."""
        return view_of(await self.activities(plan_id), await self.budgets(plan_id), today)

    async def export_csv(self, plan_id: PlanId, today: Optional[date] = None) -> str:
        """The plan as CSV (header row, one row per activity in the view's order; dates ISO,
        amounts as plain decimals), every text cell neutralised against formulas
        (:func:`neutralise_cell`). Who added an activity (a Teams user id) is not exported."""
        today = today or _now().date()
        view = await self.view(plan_id, today)
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(["name", "start", "end", "cost", "currency", "program", "status",
                         "claimed_on", "earning_start", "earning_end", "usage_start", "usage_end",
                         "claim_opens", "claim_closes", "keep_until", "warnings"])
        for v in view.activities:
            a, f = v.activity, v.facts
            writer.writerow([neutralise_cell(str(cell)) for cell in (
                a.name, a.start.isoformat(), a.end.isoformat(),
                "" if a.cost is None else f"{a.cost:f}", a.currency or "", a.program or "",
                v.status, a.claimed_on.isoformat() if a.claimed_on else "",
                f.earnings[0].start.isoformat(), f.earnings[-1].end.isoformat(),
                f.usage[0].start.isoformat(), f.usage[-1].end.isoformat(),
                f.claim_opens.isoformat(), f.claim_closes.isoformat(), f.keep_until.isoformat(),
                " ".join(v.warnings))])
        return out.getvalue()

    # --- people and retention ---------------------------------------------------------------

    async def forget_person(self, user_id: str) -> dict[str, int]:
        """"Forget my data": delete ``user_id``'s personal plan (activities and budgets); in
        shared plans keep the activities and drop their id from ``added_by``."""
        if not isinstance(user_id, str) or not user_id:
            return {"activities": 0, "budgets": 0, "unattributed": 0}
        key = bounded_key(user_id)
        plan_id = "u:" + key
        async with self._db.transaction() as tx:
            activities = await tx.execute("DELETE FROM plan_activities WHERE plan_id = $1", plan_id)
            budgets = await tx.execute("DELETE FROM plan_budgets WHERE plan_id = $1", plan_id)
            unattributed = await tx.execute(
                "UPDATE plan_activities SET added_by = NULL, updated_at = $2 WHERE added_by = $1",
                key, _stamp(_now()))
        logger.info("planner: forgot a person (%d activities, %d budgets deleted; %d shared "
                    "activities unattributed)", activities, budgets, unattributed)
        if activities or budgets or unattributed:
            await self._db.reclaim()
        return {"activities": activities, "budgets": budgets, "unattributed": unattributed}

    async def purge_before(self, cutoff: date) -> int:
        """Delete activities and budgets that stopped mattering before ``cutoff`` (their
        ``expires_on``, see the module); returns how many rows."""
        day = cutoff.isoformat()
        deleted = await self._db.execute("DELETE FROM plan_activities WHERE expires_on < $1", day)
        deleted += await self._db.execute("DELETE FROM plan_budgets WHERE expires_on < $1", day)
        if deleted:
            logger.info("planner: %d rows past their last deadline deleted (retention)", deleted)
            await self._db.reclaim()
        return deleted

    async def activities_of_person(self, user_key: str) -> list[Activity]:
        """The activities of a person's calendar feed: their personal plan's and those they
        added to shared plans. ``user_key`` is the id as stored
        (``storage.keys.bounded_key``; what the calendar token's row holds)."""
        if not isinstance(user_key, str) or not user_key:
            return []
        rows = await self._db.fetch(
            f"""SELECT {_COLUMNS} FROM plan_activities WHERE plan_id = $1
                UNION SELECT {_COLUMNS} FROM plan_activities WHERE added_by = $2""",
            "u:" + user_key, user_key)
        return sorted((_activity(r) for r in rows), key=lambda a: (a.start, a.id))

    # --- what the reminder sweep reads ----------------------------------------------------------

    async def activities_of_plans(self, plan_ids: Sequence[str]) -> dict[str, list[Activity]]:
        """Every activity of each of ``plan_ids`` (the sweep's batch), by plan."""
        out: dict[str, list[Activity]] = {p: [] for p in plan_ids}
        ids = list(dict.fromkeys(plan_ids))
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ", ".join(f"${i + 1}" for i in range(len(chunk)))
            rows = await self._db.fetch(
                f"SELECT {_COLUMNS} FROM plan_activities WHERE plan_id IN ({marks}) "
                "ORDER BY plan_id, start_day, id", *chunk)
            for r in rows:
                out[r["plan_id"]].append(_activity(r))
        return out

    async def budgets_of_plans(self, plan_ids: Sequence[str]) -> dict[str, list[tuple[str, Budget]]]:
        """Every budget (with its stored id) of each of ``plan_ids``, by plan."""
        out: dict[str, list[tuple[str, Budget]]] = {p: [] for p in plan_ids}
        ids = list(dict.fromkeys(plan_ids))
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ", ".join(f"${i + 1}" for i in range(len(chunk)))
            rows = await self._db.fetch(
                "SELECT id, plan_id, earned_start, earned_end, amount, currency FROM plan_budgets "
                f"WHERE plan_id IN ({marks}) ORDER BY plan_id, earned_start", *chunk)
            for r in rows:
                out[r["plan_id"]].append((r["id"], _budget(r)))
        return out
