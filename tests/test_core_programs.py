"""Programs that earn co-op and those that do not (CPOR), roles, fundable activities, links.

Expected values are read from the seed: "Examples of incentives programs are Cloud Solution
Provider, managed reseller, hosting, and Surface."; "Co-op claims do not apply to the Online
Services Advisory (OSA) Sell, Online Services Usage (OSU)-Microsoft 365 and OSU-Business
Application incentive programs ... see Create a customer association using the CPOR model
(submit-osa-claim.md)."
"""
from __future__ import annotations

from pathlib import Path

import pytest

from core import coop_programs, find_program, find_programs, fundable, link, load_policy, non_coop_programs, roles

# The seed lives beside the repository in the shared workspace, not in a clean clone: the
# checks against its text skip when it is absent (the expected values are restated here anyway).
SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "earn-co-op-funds.fr-FR.md"


def seed_text() -> str:
    if not SEED.is_file():
        pytest.skip(f"seed document not found at {SEED}")
    return SEED.read_text("utf-8")


def test_programs_that_earn_coop():
    assert {p.key for p in coop_programs()} == {"csp", "managed_reseller", "hosting", "surface"}
    assert all(p.earns_coop for p in coop_programs())


def test_programs_that_do_not_earn_coop_go_to_cpor():
    assert {p.key for p in non_coop_programs()} == {"osa_sell", "osu_m365", "osu_bizapps"}
    for p in non_coop_programs():
        assert not p.earns_coop and p.claim_with == "cpor"
    assert link("cpor").page == "submit-osa-claim.md"


@pytest.mark.parametrize("text,key,earns", [
    ("We are a CSP partner", "csp", True),
    ("Cloud Solution Provider earnings", "csp", True),
    ("fournisseur de solutions Cloud", "csp", True),
    ("as a managed reseller", "managed_reseller", True),
    ("revendeur géré", "managed_reseller", True),
    ("revendeur gere", "managed_reseller", True),
    ("our hosting business", "hosting", True),
    ("hébergement", "hosting", True),
    ("hebergement", "hosting", True),
    ("Surface devices", "surface", True),
    ("OSA Sell", "osa_sell", False),
    ("Online Services Advisory", "osa_sell", False),
    ("Does co-op apply to OSU M365?", "osu_m365", False),
    ("OSU-Microsoft 365", "osu_m365", False),
    ("OSU Microsoft 365", "osu_m365", False),
    ("OSU-Business Application", "osu_bizapps", False),
    ("OSU Business Applications", "osu_bizapps", False),
    ("osu bizapps", "osu_bizapps", False),
])
def test_aliases(text, key, earns):
    p = find_program(text)
    assert p is not None and p.key == key and p.earns_coop is earns


def test_no_program_and_several_programs():
    assert find_program("When can I claim?") is None
    assert find_program("CSPX and hostingservice") is None  # whole words only
    assert [p.key for p in find_programs("CSP and OSU M365, and CSP again")] == ["csp", "osu_m365"]


def test_roles_are_the_seeds():
    from understanding.messages import t

    assert [(r.key, t("en", "policy.role." + r.key)) for r in roles()] == [("incentives_admin", "Incentives admin"),
                                                                           ("incentives_user", "Incentives user")]
    assert [t("fr", "policy.role." + r.key) for r in roles()] == ["Administrateur de primes incitatives",
                                                                 "Utilisateur de primes incitatives"]


def test_fundable_activities():
    from understanding.messages import t

    text = " ".join(t("en", "policy.fundable." + f.key) for f in fundable())
    for words in ("brand awareness", "sales pipeline", "specializations", "certifications", "Centers of Excellence"):
        assert words in text


@pytest.mark.parametrize("key,target,section_words", [
    ("create_claim", "create-incentives-claims.md", "Submit a claim"),
    ("core_requirements", "core-requirements.md", "core requirements"),
    ("guidebook", "https://assetsprod.microsoft.com/co-op-guidebook.pdf", "program details"),
    ("program_guide", "incentives-determined-your-program-eligibility.md", "How co-op funds are calculated"),
    ("cpor", "submit-osa-claim.md", "customer association"),
    ("coop_resources", "https://partner.microsoft.com/asset/collection/co-op-funds-resources#/", "Introduction"),
    ("getting_started", "incentives-get-started-intro.md", "Next steps"),
])
def test_links_with_their_seed_section(key, target, section_words):
    item = link(key)
    assert target in (item.page, item.url)
    assert item.url.startswith("https://")
    if item.page:
        assert item.url.endswith(item.page.removesuffix(".md"))
    assert section_words in item.section
    from understanding import messages  # core keeps no words: the title is the catalogues'

    assert messages.t("en", "policy.link." + key) != messages.t("fr", "policy.link." + key)
    # the link target really is in the seed document
    assert f"({target})" in seed_text()


def test_policy_seed_identity_matches_the_seed_document():
    text = seed_text()
    policy = load_policy()
    assert "ms.date: 10/29/2020" in text and policy.seed.revision == "2020-10-29"
    assert f'ms.locfileid: "{policy.seed.locfileid}"' in text
    assert policy.seed.document == SEED.name
