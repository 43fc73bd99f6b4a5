"""Shared Hypothesis strategies and an independent oracle for the tests of ``core/``.

The oracle restates the seed's rules (SPEC rule 6–8, the seed's table) with
``dateutil.relativedelta`` on real dates, not on month indices as ``core/periods.py`` does,
so the two implementations only agree if both are right.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from hypothesis import strategies as st

FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2100, 12, 31)
ONE_DAY = timedelta(days=1)

any_day = st.dates(min_value=FIRST_DAY, max_value=LAST_DAY)
half_names = st.sampled_from(["H1", "H2"])
conventions = st.sampled_from(["seed", "microsoft"])

# Month names written out independently of core/reading.py (with the accents a French
# partner types, and the English full names).
MONTHS_EN = ["January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December"]
MONTHS_FR = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
             "septembre", "octobre", "novembre", "décembre"]


@dataclass(frozen=True)
class OracleCycle:
    earning_start: date
    earning_end: date
    half: str  # "H1" (Jul–Dec) or "H2" (Jan–Jun)
    seed_fy: int  # the year the fiscal year starts (seed's table: Jul–Dec 2020 = FY20 H1)
    usage_start: date
    usage_end: date
    claim_start: date
    claim_end: date

    @property
    def microsoft_fy(self) -> int:  # the year the fiscal year ends (June 30)
        return self.seed_fy + 1


def oracle_cycle(day: date) -> OracleCycle:
    """Earning half of ``day`` and what follows it, by the seed's words.

    "H1 is the first half of the fiscal year, July 1 - December 31. H2 ... January 1 - June 30."
    Usage = "the following six-month period". Claiming (seed's table): from the 16th of the
    usage period's second month to the 15th of the second month after the usage period ends.
    """
    if day.month >= 7:
        earning_start, half, seed_fy = date(day.year, 7, 1), "H1", day.year
    else:
        earning_start, half, seed_fy = date(day.year, 1, 1), "H2", day.year - 1
    earning_end = earning_start + relativedelta(months=6) - ONE_DAY
    usage_start = earning_start + relativedelta(months=6)
    usage_end = usage_start + relativedelta(months=6) - ONE_DAY
    claim_start = usage_start + relativedelta(months=1, day=16)
    claim_end = usage_end + relativedelta(months=2, day=15)
    return OracleCycle(earning_start, earning_end, half, seed_fy, usage_start, usage_end,
                       claim_start, claim_end)


def oracle_claimable(day: date) -> OracleCycle:
    """The oracle cycle whose claiming window contains ``day``, by searching the halves before."""
    probe = day
    for _ in range(6):
        cyc = oracle_cycle(probe)
        if cyc.claim_start <= day <= cyc.claim_end:
            return cyc
        probe = cyc.earning_start - ONE_DAY
    raise AssertionError(f"oracle: no window contains {day}")


def month_phrases():
    """``(text, year, month)`` for "<Month name EN/FR> <year>" phrases."""
    return st.builds(
        lambda lang, m, y, upper: ((MONTHS_EN if lang == "en" else MONTHS_FR)[m - 1], m, y, upper),
        st.sampled_from(["en", "fr"]), st.integers(1, 12), st.integers(2000, 2100), st.booleans(),
    ).map(lambda t: ((t[0].upper() if t[3] else t[0]) + f" {t[2]}", t[2], t[1]))


# Words partners use around periods: mixed with arbitrary text they make the scanner's
# regexes meet near-misses far more often than st.text() alone would.
_TOKENS = ["FY", "FY21", "H1", "H2", "S1", "S2", "Q3", "T4", "2021", "1850", "2101", "99", "0",
           "13", "31", "29", "02", "/", "-", "–", "to", "à", "de", "du", "of", "the", "first",
           "second", "half", "semestre", "quarter", "trimestre", "winter", "hiver", "summer",
           "août", "aout", "Feb", "février", "Nov", "Dec", "1er", "16th", "last month", "today",
           "l'an dernier", "year", "calendar", "fiscal", "exercice", "2024-02-30", "30/02/2021",
           "13/13/2020", "0/0/2000", "FY00 H1", "FY2100 H2", "FY1999", "H2 2000", "Q1 '00",
           "2100-12", "2100-13", "12/2100", "x", ",", ".", " "]
period_like_text = st.lists(st.one_of(st.sampled_from(_TOKENS), st.text(max_size=4)), max_size=8).map(" ".join)
