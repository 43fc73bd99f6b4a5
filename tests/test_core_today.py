""""Today"-relative facts for a given calendar day (the day is always passed in).

Expected values are counted by hand from the seed's table: e.g. the FY20 H1 window
(earning Jul–Dec 2020) runs Feb 16 – Aug 15 2021.
"""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from core import OutOfRange, calendar, claim_state, status, usage_state, window_for_half

CAL = calendar()


def test_status_on_the_first_day_of_a_window():
    s = status(date(2021, 2, 16))
    assert s.open_window.earning.start == date(2020, 7, 1)
    assert (s.open_window.claiming.start, s.open_window.claiming.end) == (date(2021, 2, 16), date(2021, 8, 15))
    assert s.days_left == 180  # Feb 16 → Aug 15 2021
    assert s.previous_window.earning.start == date(2020, 1, 1)
    assert s.previous_window.claiming.end == date(2021, 2, 15)
    assert s.days_since_previous_closed == 1


def test_status_on_the_last_day_of_a_window_has_zero_days_left():
    s = status(date(2021, 8, 15))
    assert s.open_window.earning.start == date(2020, 7, 1)
    assert s.days_left == 0
    s = status(date(2021, 2, 15))
    assert s.open_window.earning.start == date(2020, 1, 1)  # Jan–Jun 2020: Aug 16 2020 – Feb 15 2021
    assert s.days_left == 0


def test_status_the_day_after_moves_to_the_next_window():
    s = status(date(2021, 8, 16))
    assert s.open_window.earning.start == date(2021, 1, 1)  # FY20 H2 row of the seed
    assert s.open_window.claiming.end == date(2022, 2, 15)
    assert s.days_left == 183
    assert s.previous_window.claiming.end == date(2021, 8, 15)


def test_what_accrues_what_is_used_and_what_is_forfeited_next():
    s = status(date(2026, 11, 27))
    assert (s.accruing.start, s.accruing.end) == (date(2026, 7, 1), date(2026, 12, 31))
    # the funds being used now are those earned Jan–Jun 2026; forfeited after 31 Dec 2026
    assert s.using.earning.start == date(2026, 1, 1)
    assert s.next_forfeiture.earning.start == date(2026, 1, 1)
    assert s.next_forfeiture.forfeiture == date(2026, 12, 31)
    assert s.days_to_forfeiture == 34
    assert s.open_window.claiming.end == date(2027, 2, 15) and s.days_left == 80


def test_forfeiture_on_the_last_usage_day_then_the_next_half():
    s = status(date(2021, 6, 30))
    assert s.next_forfeiture.earning.start == date(2020, 7, 1)
    assert s.next_forfeiture.forfeiture == date(2021, 6, 30) and s.days_to_forfeiture == 0
    s = status(date(2021, 7, 1))
    assert s.next_forfeiture.earning.start == date(2021, 1, 1)
    assert s.next_forfeiture.forfeiture == date(2021, 12, 31)


def test_status_at_the_range_edges_and_outside():
    s = status(date(2000, 1, 1))
    # window of earnings Jan–Jun 1999: Aug 16 1999 – Feb 15 2000
    assert s.open_window.claiming == type(s.open_window.claiming)(date(1999, 8, 16), date(2000, 2, 15))
    assert s.days_left == 45
    s = status(date(2100, 12, 31))
    assert s.open_window.earning.start == date(2100, 1, 1) and s.days_left == 46
    for day in (date(1999, 12, 31), date(2101, 1, 1)):
        with pytest.raises(OutOfRange, match=str(day.year)):
            status(day)
        with pytest.raises(OutOfRange):
            window_for_half("H1", day)


@pytest.mark.parametrize("today,name,state,earning_start,days_left,days_until_open,recent_start,since", [
    # around Aug 15 / Aug 16 2021: the FY20 H1 window (Jul–Dec 2020 earnings) closes
    (date(2021, 8, 15), "H1", "open", date(2020, 7, 1), 0, None, None, None),
    (date(2021, 8, 16), "H1", "upcoming", date(2021, 7, 1), None, 184, date(2020, 7, 1), 1),
    (date(2021, 8, 15), "H2", "upcoming", date(2021, 1, 1), None, 1, None, None),
    (date(2021, 8, 16), "H2", "open", date(2021, 1, 1), 183, None, None, None),
    # around Feb 15 / Feb 16 2022: the FY20 H2 window (Jan–Jun 2021 earnings) closes
    (date(2022, 2, 15), "H2", "open", date(2021, 1, 1), 0, None, None, None),
    (date(2022, 2, 16), "H2", "upcoming", date(2022, 1, 1), None, 181, date(2021, 1, 1), 1),
    (date(2022, 2, 15), "H1", "upcoming", date(2021, 7, 1), None, 1, None, None),
    (date(2022, 2, 16), "H1", "open", date(2021, 7, 1), 180, None, None, None),
    # a leap February: Feb 16 2024 → Aug 15 2024
    (date(2024, 2, 29), "H1", "open", date(2023, 7, 1), 168, None, None, None),
])
def test_window_for_half_around_the_boundaries(today, name, state, earning_start, days_left, days_until_open,
                                               recent_start, since):
    w = window_for_half(name, today)
    assert w.state == state
    assert w.cycle.earning.name == name
    assert w.cycle.earning.start == earning_start
    assert w.days_left == days_left
    assert w.days_until_open == days_until_open
    assert (w.recently_closed.earning.start if w.recently_closed else None) == recent_start
    assert w.days_since_closed == since


def test_window_for_half_accepts_lower_case():
    assert window_for_half("h1", date(2021, 8, 16)) == window_for_half("H1", date(2021, 8, 16))


def test_recently_closed_is_mentioned_up_to_the_policy_limit():
    limit = CAL.policy.recently_closed_days
    closed = date(2021, 8, 15)  # H1 window of Jul–Dec 2020 earnings
    w = window_for_half("H1", closed + timedelta(days=limit))
    assert w.recently_closed is not None and w.recently_closed.claiming.end == closed
    assert w.days_since_closed == limit
    w = window_for_half("H1", closed + timedelta(days=limit + 1))
    assert w.recently_closed is None and w.days_since_closed is None


def test_unknown_half_name_is_refused():
    with pytest.raises(ValueError, match="H3"):
        window_for_half("H3", date(2021, 1, 1))


def test_claim_and_usage_state_of_one_cycle_over_time():
    cyc = CAL.cycle_for_date(date(2020, 9, 1))  # Jul–Dec 2020 → Jan–Jun 2021 → Feb 16 – Aug 15 2021
    assert [claim_state(cyc, d) for d in (date(2021, 2, 15), date(2021, 2, 16), date(2021, 8, 15),
                                          date(2021, 8, 16))] == ["upcoming", "open", "open", "closed"]
    assert [usage_state(cyc, d) for d in (date(2020, 12, 31), date(2021, 1, 1), date(2021, 6, 30),
                                          date(2021, 7, 1))] == ["earning", "in_use", "in_use", "forfeited"]
