"""Sixth round of issue #17: a question that points to one item of a list by its place ("the
second one only", "la deuxième", "die zweite"), in the same message or in the next turn. Claim
ends are computed here from SPEC (usage Jan – Jun → Aug 15 of that year, Jul – Dec → Feb 15 of
the next)."""
from __future__ import annotations

from datetime import date

import pytest

from understanding import respond
from understanding.context import ConversationContext, follow_up, ordinal_said

DEC7 = date(2026, 12, 7)


def _claim_end(day: date) -> date:
    return date(day.year + 1, 2, 15) if day.month >= 7 else date(day.year, 8, 15)


def _keeps(reply) -> set[str]:
    out = set()
    for r in [reply, *reply.parts]:
        out |= {k for k in r.data.get("keep_until", []) if isinstance(k, str)}
    return out


LISTS = [
    ("en-GB", "Events we're running with co-op:\n(1) 12 September 2026 - breakfast briefing, Manchester\n"
              "(2) 15 January 2027 - security summit, Leeds\nCan you confirm the claim deadline for the second one only? "
              "The first is already claimed.", 2),
    ("fr-FR", "Nos activités :\n- 12 septembre 2026 : petit-déjeuner clients\n- 15 janvier 2027 : séminaire sécurité\n"
              "Quelle est la date limite de demande pour la deuxième ?", 2),
    ("de-DE", "Unsere Aktivitäten:\n- 12.09.2026 Kundenfrühstück\n- 15.01.2027 Security-Seminar\n"
              "Bis wann müssen wir nur die erste einreichen?", 1),
]
DAYS = [date(2026, 9, 12), date(2027, 1, 15)]


@pytest.mark.parametrize("locale,text,n", LISTS, ids=[x[0] for x in LISTS])
def test_a_question_pointing_to_one_item_by_its_place_answers_that_item(locale, text, n):
    reply = respond(text, locale=locale, today=DEC7)
    picked, other = DAYS[n - 1], DAYS[2 - n]
    assert _claim_end(picked).isoformat() in reply.data.get("deadlines", []), reply.text
    assert not reply.parts, reply.text
    assert date(other.year + 2, other.month, other.day).isoformat() not in _keeps(reply), reply.text


def test_the_next_turn_can_point_to_another_item_by_its_place():
    first = respond("Two events for Contoso: a roadshow on 5 November 2026 and a summit on 9 March 2027. "
                    "When do they claim the first one?", locale="en-US", today=DEC7)
    assert "2027-02-15" in first.data["deadlines"] and not first.parts
    assert first.context["items"] == ["5 November 2026", "9 March 2027"]
    second = respond("what about the second event?", locale="en-US", today=DEC7, context=first.context)
    assert "2027-08-15" in second.data["deadlines"], second.text  # 9 March 2027: usage Jan – Jun 2027
    assert "2029-03-09" in _keeps(second)


def test_ordinals_of_halves_quarters_and_days_point_to_no_item():
    assert ordinal_said("the second half") is None
    assert ordinal_said("le 1er trimestre") is None
    assert ordinal_said("the second one only") == 2
    assert ordinal_said("the first and the second") is None  # two places: no single item
    text = "on the 2nd of March"
    assert ordinal_said(text, [(7, len(text))]) is None
    ctx = ConversationContext(intent="claim_deadline", period_text="5 November 2026", period_role="activity",
                              items=["5 November 2026", "9 March 2027"])
    assert follow_up("and the 2nd of March 2027?", ctx, today=DEC7) is None  # a date of its own
    assert follow_up("and the second one?", ctx, today=DEC7).text == "9 March 2027"
    assert ConversationContext.from_dict(ctx.to_dict()).items == ctx.items


@pytest.mark.parametrize("locale,first,second,want", [
    ("de-DE", "Unser Webinar war am 12.03.2027, bis wann einreichen?", "und das davor, am 20.11.2026?", "2027-02-15"),
    ("en-US", "Our webinar is on 12 March 2027, claim deadline?", "and the one before, on 20 November 2026?", "2027-02-15"),
])
def test_a_follow_up_naming_its_own_date_is_about_that_date_not_the_period_before(locale, first, second, want):
    one = respond(first, locale=locale, today=DEC7)
    two = respond(second, locale=locale, today=DEC7, context=one.context)
    assert want in two.data["deadlines"] and "2028-11-20" in repr(two.data.get("keep_until")), two.text
