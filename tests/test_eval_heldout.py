"""The issue #9 held-out set is well-formed, and the scorer's new checks catch wrong answers.

No score is gated here: the files and the scorer are checked, not the assistant.
"""
from __future__ import annotations

from datetime import date

import pytest

from eval import score
from understanding.reply import Reply, Timeline

EN, FR = (score.load(p) for p in score.HELDOUT)
MT = score.load(score.MULTITURN)
ACTIONS = {"subscribe", "unsubscribe", "list_reminders", "calendar", "forget"}
KNOWN_KEYS = {"dates", "periods", "mentions", "numbers", "halves", "no_dates", "clarify", "deadlines_ok",
              "forbid_dates", "verdict", "intent_fallback", "no_action", "action", "parts", "keep_until"}


def _isos(exp: dict) -> list[str]:
    out = list(exp.get("dates", [])) + list(exp.get("forbid_dates", [])) + list(exp.get("deadlines_ok", []))
    out += [d for p in exp.get("periods", []) for d in p]
    if "keep_until" in exp:
        out.append(exp["keep_until"])
    return out


def _check_expect(where: str, exp: dict) -> None:
    assert isinstance(exp, dict) and exp, f"{where}: empty expect"
    assert set(exp) <= KNOWN_KEYS, f"{where}: unknown keys {set(exp) - KNOWN_KEYS}"
    for iso in _isos(exp):
        assert date.fromisoformat(iso).isoformat() == iso, f"{where}: {iso} is not an ISO date"
    for p in exp.get("periods", []):
        assert len(p) == 2 and p[0] <= p[1], f"{where}: bad period {p}"
    required = set(exp.get("dates", [])) | set(exp.get("deadlines_ok", [])) | {exp.get("keep_until")}
    assert not set(exp.get("forbid_dates", [])) & required, f"{where}: a date both expected and forbidden"
    if "verdict" in exp:
        assert exp["verdict"] in ("yes", "no"), where
    if "action" in exp:
        assert exp["action"] in ACTIONS and not exp.get("no_action"), where
    if "parts" in exp:
        assert isinstance(exp["parts"], int) and exp["parts"] >= 1, where
    if exp.get("intent_fallback"):
        assert exp.get("no_action") and exp.get("no_dates"), f"{where}: an off-topic row states no date and runs nothing"


def test_sizes():
    assert len(EN) >= 210
    assert len(FR) >= 160
    assert len(MT) >= 20
    assert {c["lang"] for c in MT} == {"en", "fr"}


def test_ids_unique_across_the_set():
    ids = [r["id"] for r in EN + FR + MT]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("rows,lang", [(EN, "en"), (FR, "fr")], ids=["en", "fr"])
def test_rows_well_formed(rows, lang):
    for r in rows:
        where = r.get("id", r["_where"])
        for key in ("id", "lang", "category", "question", "today", "expect"):
            assert key in r, f"{where}: no {key}"
        assert r["lang"] == lang, where
        assert r["category"] in score.CATEGORIES, where
        assert r["question"].strip(), where
        assert date.fromisoformat(r["today"]).isoformat() == r["today"], where
        _check_expect(where, r["expect"])


@pytest.mark.parametrize("rows", [EN, FR], ids=["en", "fr"])
def test_every_category_in_each_language(rows):
    counts = {c: sum(r["category"] == c for r in rows) for c in score.CATEGORIES}
    assert all(n >= 5 for n in counts.values()), counts


@pytest.mark.parametrize("rows", [EN, FR], ids=["en", "fr"])
def test_clear_role_activity_rows_forbid_the_wrong_deadline_and_give_keep_until(rows):
    clear = [r for r in rows if r["category"] == "activity" and r.get("role") != "ambiguous"]
    assert len(clear) >= 10
    for r in clear:
        assert r["expect"].get("forbid_dates"), r["id"]
        assert r["expect"].get("keep_until"), r["id"]
    ambiguous = [r for r in rows if r.get("role") == "ambiguous"]
    for r in ambiguous:  # both readings are stated, nothing forbidden
        assert len(r["expect"]["dates"]) >= 2 and not r["expect"].get("forbid_dates"), r["id"]


def test_offtopic_and_plan_rows_carry_their_keys():
    for r in EN + FR:
        if r["category"] == "offtopic":
            assert r["expect"].get("no_action") and r["expect"].get("no_dates"), r["id"]
        if r["category"] == "plan":
            assert r["expect"]["verdict"] in ("yes", "no"), r["id"]
    tickets = [r for r in EN + FR if r["category"] == "ticket"]
    assert sum(r["expect"].get("parts", 0) >= 2 for r in tickets) >= 20


def test_multiturn_cases_well_formed():
    for c in MT:
        for key in ("id", "lang", "category", "today", "turns"):
            assert key in c, c.get("id")
        assert c["category"] == "multiturn"
        assert len(c["turns"]) >= 2, c["id"]
        for n, t in enumerate(c["turns"], 1):
            assert t["text"].strip(), c["id"]
            _check_expect(f"{c['id']} turn {n}", t["expect"])


# --- the scorer's new checks fail wrong answers (a scorer that cannot fail proves nothing) ---

def _tl(earning_start: date) -> Timeline:
    y, m = earning_start.year, earning_start.month
    if m == 7:
        return Timeline(earning_start, date(y, 12, 31), date(y + 1, 1, 1), date(y + 1, 6, 30),
                        date(y + 1, 2, 16), date(y + 1, 8, 15), "H1", f"FY{y % 100} H1", f"FY{(y + 1) % 100} H1", "closed")
    return Timeline(earning_start, date(y, 6, 30), date(y, 7, 1), date(y, 12, 31),
                    date(y, 8, 16), date(y + 1, 2, 15), "H2", f"FY{(y - 1) % 100} H2", f"FY{y % 100} H2", "closed")


WEBINAR = {"lang": "en", "question": "We held a webinar on 12 March 2024, claim deadline?", "today": "2026-12-01",
           "expect": {"dates": ["2024-08-15"], "forbid_dates": ["2025-02-15"], "keep_until": "2026-03-12",
                      "deadlines_ok": ["2024-08-15", "2024-06-30"]}}


def test_right_activity_answer_passes():
    reply = Reply("en", "deadline", "Claim by August 15, 2024. Keep the originals until March 12, 2026.",
                  timelines=[_tl(date(2023, 7, 1))])
    assert score.check(WEBINAR, reply).ok


def test_half_year_wrong_deadline_in_text_is_a_wrong_deadline():
    reply = Reply("en", "deadline", "Claim by August 15, 2024 (as earnings: February 15, 2025). "
                  "Keep the originals until March 12, 2026.")
    v = score.check(WEBINAR, reply)
    assert not v.ok and v.wrong_deadline


def test_wrong_cycle_timeline_is_a_wrong_deadline():
    reply = Reply("en", "deadline", "Claim by August 15, 2024. Keep until March 12, 2026.",
                  timelines=[_tl(date(2024, 1, 1))])
    v = score.check(WEBINAR, reply)
    assert not v.ok and v.wrong_deadline


def test_missing_keep_until_fails():
    v = score.check(WEBINAR, Reply("en", "deadline", "Claim by August 15, 2024."))
    assert not v.ok and any("keep-until" in p for p in v.problems)


def test_a_date_inside_a_longer_date_is_not_stated():
    assert not score._states_date("on 12/15/25", "2/15/25")
    assert score._states_date("until 2/15/25.", "2/15/25")


def test_verdict_action_fallback_and_parts():
    plan = {"lang": "fr", "question": "?", "expect": {"verdict": "no"}}
    assert score.check(plan, Reply("fr", "plan", "Non : ces fonds s'utilisent du 1er janvier au 30 juin 2027.")).ok
    assert not score.check(plan, Reply("fr", "plan", "Oui, bien sûr.")).ok
    junk = {"lang": "en", "question": "x", "expect": {"no_dates": True, "intent_fallback": True, "no_action": True}}
    assert score.check(junk, Reply("en", "fallback", "I can help with co-op deadlines.")).ok
    assert not score.check(junk, Reply("en", "subscribe", "Reminders on.", action="subscribe")).ok
    assert not score.check(junk, Reply("en", "help", "I can help with co-op deadlines.")).ok
    sub = {"lang": "en", "question": "x", "expect": {"action": "subscribe"}}
    assert score.check(sub, Reply("en", "subscribe", "Done.", action="subscribe")).ok
    assert not score.check(sub, Reply("en", "subscribe", "Done.")).ok
    ticket = {"lang": "en", "question": "x", "expect": {"parts": 2}}
    one = Reply("en", "deadline", "One answer.")
    assert not score.check(ticket, one).ok
    assert score.check(ticket, Reply("en", "multi", "A. B.", parts=[one, one])).ok


def test_multiturn_passes_the_previous_context():
    seen = []

    def respond(text, *, locale=None, today, context=None, **_):
        seen.append(context)
        return Reply("en", "x", f"{text} 4,800", context={"turn": len(seen)})

    case = {"id": "t", "lang": "en", "category": "multiturn", "today": "2026-12-01",
            "turns": [{"text": "split?", "expect": {}}, {"text": "12,000 on 60/40", "expect": {"numbers": [4800]}},
                      {"text": "and 30,000?", "expect": {"numbers": [12000]}}]}
    v = score.check_case(case, respond)
    assert seen == [None, {"turn": 1}, {"turn": 2}]
    assert not v.ok and v.problems == ["turn 3: missing number 12000"]
