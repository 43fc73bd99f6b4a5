"""The policy file: the real one loads and matches the seed; bad ones, built by modifying the
real TOML data, stop start-up with a PolicyError naming the bad key."""
from __future__ import annotations

import copy
import tomllib
from typing import Any, Callable

import pytest

from core import CoopError, PolicyError, load_policy, load_policy_file, parse_policy
from core.policy import DEFAULT_POLICY_PATH

REAL: dict[str, Any] = tomllib.loads(DEFAULT_POLICY_PATH.read_text("utf-8"))


def modified(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    data = copy.deepcopy(REAL)
    change(data)
    return data


def program(data: dict[str, Any], key: str) -> dict[str, Any]:
    return next(p for p in data["programs"] if p["key"] == key)


def test_real_policy_loads_with_the_seeds_numbers():
    p = load_policy()
    assert (p.min_year, p.max_year) == (2000, 2100)
    assert p.periods.fiscal_year_start_month == 7 and p.periods.half_months == 6
    assert (p.periods.claim_opens_day, p.periods.claim_closes_day) == (16, 15)
    assert p.retention.poe_months == 24 and p.retention.leap_day == "next_day"
    assert (p.split.example_rebate_percent, p.split.example_coop_percent) == (60, 40)
    assert p.fy_default == "microsoft" and set(p.fy_conventions) == {"seed", "microsoft"}
    assert parse_policy(copy.deepcopy(REAL)) == p


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        *tables, key = path.split(".")
        target = data
        for t in tables:
            target = target[t]
        target[key] = value
    return change


def _del(path: str) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        *tables, key = path.split(".")
        target = data
        for t in tables:
            target = target[t]
        del target[key]
    return change


def _drop_link(key: str) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        data["links"]["pages"] = [p for p in data["links"]["pages"] if p["key"] != key]
    return change


def _add_alias(program_key: str, alias: str) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        program(data, program_key)["aliases"].append(alias)
    return change


BAD_POLICIES = [
    # (id, change, key the error names, words a maintainer reads in the message)
    ("wrong type", _set("periods.claim_opens_day", "16"), "periods.claim_opens_day", ["int", "'16'"]),
    ("bool for a number", _set("retention.poe_months", True), "retention.poe_months", ["int"]),
    ("day 31", _set("periods.claim_opens_day", 31), "periods.claim_opens_day", ["between 1 and 28", "31"]),
    ("month 13", _set("periods.fiscal_year_start_month", 13), "periods.fiscal_year_start_month", ["between 1 and 12"]),
    ("split 70/40", _set("split.example_rebate_percent", 70), "split", ["100", "110"]),
    ("missing key", _del("periods.claim_closes_day"), "periods.claim_closes_day", ["missing"]),
    ("missing table", _del("retention"), "retention", ["missing"]),
    ("missing link", _drop_link("cpor"), "links.pages", ["cpor"]),
    ("missing guidebook", _drop_link("guidebook"), "links.pages", ["guidebook"]),
    ("unknown fy default", _set("fy_labels.default", "calendar"), "fy_labels.default", ["seed", "microsoft", "calendar"]),
    ("unknown leap rule", _set("retention.leap_day", "feb_28"), "retention.leap_day", ["next_day", "month_end"]),
    ("duplicate alias", _add_alias("hosting", "CSP"), "programs[2].aliases", ["CSP", "two programs"]),
    ("duplicate alias, other case", _add_alias("surface", "csp"), "programs[3].aliases", ["csp", "two programs"]),
    ("max before min", _set("range.max_year", 1999), "range.max_year", ["between 2000"]),
    ("http link", _set("links.base_url", "http://learn.microsoft.com/"), "links.base_url", ["https://"]),
    ("empty title", _set("seed.title", "  "), "seed.title", ["empty"]),
]


@pytest.mark.parametrize("change,key,words", [b[1:] for b in BAD_POLICIES], ids=[b[0] for b in BAD_POLICIES])
def test_bad_policy_names_the_key(change, key, words):
    with pytest.raises(PolicyError) as err:
        parse_policy(modified(change))
    assert isinstance(err.value, CoopError)
    assert err.value.params["key"] == key
    msg = str(err.value)
    assert key.split("[")[0] in msg or key in msg
    for word in words:
        assert word in msg, (word, msg)


def test_a_program_without_coop_must_name_a_known_link():
    def change(data):
        program(data, "osa_sell")["claim_with"] = "nowhere"
    with pytest.raises(PolicyError) as err:
        parse_policy(modified(change))
    assert err.value.params["key"] == "programs[4].claim_with"


def test_load_policy_file_errors(tmp_path):
    with pytest.raises(PolicyError, match="cannot read"):
        load_policy_file(tmp_path / "absent.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[periods\nclaim_opens_day = 16\n", "utf-8")
    with pytest.raises(PolicyError, match="not valid TOML"):
        load_policy_file(bad)
    good = tmp_path / "policy.toml"
    good.write_bytes(DEFAULT_POLICY_PATH.read_bytes().replace(b"claim_opens_day = 16", b"claim_opens_day = 31"))
    with pytest.raises(PolicyError, match="claim_opens_day"):
        load_policy_file(good)


@pytest.mark.parametrize("alias", ["OSU_M365", "OSU  M365", "Hébergement", "hèbergement"])
def test_aliases_that_match_the_same_words_in_two_programs_are_duplicates(alias):
    # find_program ignores case, accents, dashes, underscores and repeated spaces: an alias that
    # reads the same as another program's once folded would silently route to one of them.
    target = "osu_bizapps" if "OSU" in alias else "surface"
    with pytest.raises(PolicyError, match="two programs"):
        parse_policy(modified(_add_alias(target, alias)))


def test_a_program_name_that_is_another_programs_alias_is_a_duplicate():
    def change(data):
        program(data, "surface")["name"] = "CSP"
    with pytest.raises(PolicyError, match="two programs"):
        parse_policy(modified(change))


def test_claim_windows_that_would_leave_a_gap_are_refused_at_load():
    data = tomllib.loads(DEFAULT_POLICY_PATH.read_text("utf-8"))
    for key, value in (("claim_opens_day", 17), ("claim_closes_day", 14), ("claim_closes_months_after_usage_end", 3)):
        bad = copy.deepcopy(data)
        bad["periods"][key] = value
        with pytest.raises(PolicyError) as err:
            parse_policy(bad)
        assert "gap" in str(err.value) and "periods.claim" in err.value.params["key"]
