"""The support desk in Debian's Chromium, signed in through a real OpenID Connect provider on
loopback (oidc-provider-mock, run in a thread): the product server (``python app.py``) with
``SUPPORT_OIDC_*`` pointing at it. Reads only what an agent sees on the page (and what the copy
button put on the clipboard, and the downloaded file).

``UPDATE_SCREENSHOTS=1`` rewrites ``docs/support-desk*.png`` (desktop and 360 px).

Accessibility: axe-core (from npm, ``e2e/node_modules/axe-core``, put in the page by Playwright)
finds no WCAG 2.1 A/AA violation in English and French, on the empty page, with an answer and
with a finished export, and on the Feedback view with a 👎 on it; and what axe does not see is checked by hand below (the language of an
answer, focus on a busy button, announcements, errors on empty fields, distinct download links,
heading levels).
"""
from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from . import playground as pg
from .conftest import _failed

try:
    from playwright.sync_api import expect
except ImportError:  # reported by _require_browser
    expect = None

GROUP = "5f1c2a9e-support-agents"
AGENT = "agent@contoso.example"
OUTSIDER = "visitor@contoso.example"
DOCS = pg.REPO_ROOT / "docs"

pytestmark = pytest.mark.e2e


def _require_browser() -> None:
    missing = []
    if not (pg.CHROMIUM.is_file() and os.access(pg.CHROMIUM, os.X_OK)):
        missing.append(f"Chromium at {pg.CHROMIUM}")
    try:
        import oidc_provider_mock  # noqa: F401
        import playwright.sync_api  # noqa: F401
    except ImportError as err:
        missing.append(f"the {err.name} Python package")
    if missing:
        reason = "support desk browser tests need: " + "; ".join(missing)
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)


@pytest.fixture(scope="module")
def oidc():
    """The OpenID provider: two predefined users, one in the allowed group."""
    _require_browser()
    from oidc_provider_mock import User, run_server_in_thread

    users = [User(sub=AGENT, claims={"name": "Alex Agent", "email": AGENT, "groups": [GROUP]}),
             User(sub=OUTSIDER, claims={"name": "Vic Visitor", "email": OUTSIDER,
                                        "groups": ["some-other-group"]})]
    with run_server_in_thread(port=0, user_claims=users) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="module")
def desk(oidc, tmp_path_factory):
    host, port = "127.0.0.1", pg.free_port()
    tmp = tmp_path_factory.mktemp("support-desk")
    env = dict(os.environ)
    for var in ("MicrosoftAppId", "MicrosoftAppPassword", "MicrosoftAppType", "MicrosoftAppTenantId",
                "SUPPORT_LOCAL_DEV"):
        env.pop(var, None)
    env.update({"HOST": host, "PORT": str(port), "PYTHONUNBUFFERED": "1",
                "DATABASE_URL": f"sqlite:///{(tmp / 'desk.sqlite3').as_posix()}",
                "SUPPORT_JOBS_DIR": str(tmp / "jobs"), "REMINDER_SWEEP_ENABLED": "false",
                "SUPPORT_OIDC_ISSUER": oidc, "SUPPORT_OIDC_CLIENT_ID": "support-desk-test",
                "SUPPORT_OIDC_CLIENT_SECRET": "test-secret", "SUPPORT_ALLOWED_GROUP": GROUP,
                # every page of this module signs in from 127.0.0.1: not what is tested here
                "SUPPORT_LOGIN_RATE_PER_MINUTE": "1000"})
    app = [sys.executable, str(pg.REPO_ROOT / "app.py")]
    # the product refuses a schema that is behind: migrate first, as scripts/start.sh does
    subprocess.run([*app, "migrate"], env=env, cwd=pg.REPO_ROOT, check=True, capture_output=True,
                   timeout=120)
    server = pg.start_bot(app, env=env, cwd=pg.REPO_ROOT, host=host, port=port,
                          log_dir=tmp / "logs", timeout=60)
    server.database_url = env["DATABASE_URL"]  # where the tests put feedback, as the bot would
    yield server
    server.process.stop()


@pytest.fixture(scope="module")
def browser(oidc):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = pg.launch_chromium(p)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def new_page(browser, desk, request):
    contexts = []

    def make(locale="fr-FR", width=1280, height=900):
        context = browser.new_context(viewport={"width": width, "height": height}, locale=locale,
                                      timezone_id="UTC", accept_downloads=True)
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=desk.base_url)
        pg.only_local_requests(context)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20_000)
        return page

    yield make
    failed = _failed(request)
    for n, context in enumerate(contexts):
        if failed:  # what the page showed, for the failure report (test-output/e2e/)
            for m, page in enumerate(context.pages):
                try:
                    name = f"support-{request.node.name}-{n}-{m}"
                    page.screenshot(path=str(pg.Artifacts().path(name + ".png")), full_page=True)
                    pg.Artifacts().path(name + ".html").write_text(page.content())
                except Exception as err:  # the page may be gone; the assertion says the rest
                    sys.stderr.write(f"support e2e: could not save the page: {err}\n")
        context.close()


def sign_in(page, desk, oidc, who=AGENT):
    page.goto(f"{desk.base_url}/support")
    assert page.url.startswith(f"{oidc}/oauth2/authorize"), page.url
    page.get_by_role("button", name=who, exact=True).click()


def fact(page, label, section=1):
    row = page.locator(f'article[data-section="{section}"] dl.facts > div',
                       has=page.locator("dt", has_text=label)).first
    return row.locator("dd").inner_text()


def test_sign_in_answer_copy_change_day_and_answer_an_export(new_page, desk, oidc, tmp_path):
    page = new_page()
    sign_in(page, desk, oidc)
    page.wait_for_url(f"{desk.base_url}/support")
    assert page.locator("html").get_attribute("lang") == "fr"  # the browser's language
    assert "Alex Agent" in page.locator("#who").inner_text()

    page.get_by_label("Message du partenaire").fill(
        "Bonjour, quand faut-il réclamer la co-op gagnée en août 2021 ? Merci, Julie")
    page.get_by_label("Répondre à la date du").fill("2022-03-01")
    page.get_by_role("button", name="Répondre", exact=True).click()
    answer = page.get_by_label("Texte de la réponse (texte brut, prêt à coller)")
    expect(page.locator("#answer-text")).not_to_have_value("")
    text = answer.input_value()
    assert "15 août 2022" in text and "**" not in text
    assert fact(page, "Période de demande") == "16 février 2022 – 15 août 2022"
    assert fact(page, "État") == "167 jours restants pour demander"
    link = page.locator("ul.links a").first
    assert link.get_attribute("href").startswith("https://learn.microsoft.com/")

    page.get_by_role("button", name="Copier la réponse").click()
    expect(page.locator("#copy-status")).not_to_have_text("")
    assert page.locator("#copy-status").inner_text() == "Copiée dans le presse-papiers."
    assert page.evaluate("navigator.clipboard.readText()") == text

    # Another "answer as of" day: the same ticket is answered again for that day.
    page.get_by_label("Répondre à la date du").fill("2022-08-10")
    expect(page.locator("dl.facts dd").filter(has_text=re.compile("^5 jours restants pour demander$"))).to_be_visible()
    page.get_by_label("Répondre à la date du").fill("2022-09-01")
    expect(page.locator("dl.facts dd").filter(has_text=re.compile("^Période de demande close$"))).to_be_visible()
    assert "close" in page.get_by_label("Texte de la réponse (texte brut, prêt à coller)").input_value()

    # An export of 2 000 tickets: the progress bar reaches 100 %, the download has every row.
    export = tmp_path / "tickets.csv"
    with export.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["ticket", "question"])
        for i in range(2000):
            writer.writerow([f"T{i}", "" if i == 7 else f"claim deadline for co-op earned in {'May' if i % 2 else 'October'} {2001 + i % 30}"])
    page.get_by_label("Fichier CSV avec une colonne « question », ou JSONL").set_input_files(str(export))
    page.get_by_role("button", name="Envoyer et répondre").click()
    job = page.locator("li.job").first
    seen = set()
    deadline = time.monotonic() + 120
    while job.get_attribute("data-status") != "done":
        assert time.monotonic() < deadline, f"the export did not finish: {job.inner_text()}"
        seen.add(int(job.locator("progress").get_attribute("value") or 0))
        page.wait_for_timeout(100)
    assert job.locator("progress").evaluate("bar => bar.value") == 100
    shown = re.sub(r"\s", " ", job.inner_text())  # French groups digits with a narrow space
    assert "2 000 lignes sur 2 000" in shown and "1 en échec" in shown
    with page.expect_download() as download_info:
        job.get_by_role("link", name="Télécharger tickets.csv").click()
    download = download_info.value
    assert download.suggested_filename == "tickets-answered.csv"
    rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    assert [r["ticket"] for r in rows] == [f"T{i}" for i in range(2000)]
    assert rows[7]["error"] and all(r["answer"] for i, r in enumerate(rows) if i != 7)
    assert "February 15, 2003" in rows[1]["answer"]  # row 1: May 2002 -> claim until 15 Feb 2003

    # The export survives a reload of the page.
    page.reload()
    page.wait_for_selector('li.job[data-status="done"]')
    assert "tickets.csv" in page.locator("li.job").first.inner_text()
    if os.environ.get("UPDATE_SCREENSHOTS"):
        page.locator('section[aria-labelledby="batch-heading"]').screenshot(
            path=str(DOCS / "support-desk-export.png"))


def test_usable_at_360_px(new_page, desk, oidc):
    page = new_page(locale="en-US", width=360, height=780)
    sign_in(page, desk, oidc)
    page.wait_for_url(f"{desk.base_url}/support")
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_label("Partner's message").fill("How long must we keep proof for our webinar on 12 March 2024?")
    page.get_by_label("Answer as of").fill("2024-05-02")
    page.get_by_role("button", name="Answer", exact=True).focus()
    page.keyboard.press("Enter")  # submitted from the keyboard
    expect(page.locator("#answer-text")).not_to_have_value("")
    assert "March 12, 2026" in page.locator("#answer-text").input_value()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling
    unlabelled = page.evaluate("""() => [...document.querySelectorAll('input, select, textarea')]
        .filter(e => e.type !== 'hidden' && e.labels.length === 0).map(e => e.id || e.name)""")
    assert unlabelled == []
    # Switch the page's language with the link in the header.
    page.get_by_role("link", name="Afficher la page en français").click()
    page.wait_for_url(f"{desk.base_url}/support?lang=fr")
    assert page.locator("html").get_attribute("lang") == "fr"
    if os.environ.get("UPDATE_SCREENSHOTS"):
        page.get_by_label("Message du partenaire").fill(
            "Combien de temps garder les preuves de notre webinaire du 12 mars 2024 ?")
        page.get_by_role("button", name="Répondre", exact=True).click()
        expect(page.locator("#answer-text")).not_to_have_value("")
        page.screenshot(path=str(DOCS / "support-desk-360.png"), full_page=True)


def test_signed_out_is_redirected_and_the_api_refuses(new_page, desk, oidc):
    page = new_page()
    page.goto(f"{desk.base_url}/support")
    assert page.url.startswith(f"{oidc}/oauth2/authorize")
    assert "code_challenge_method=S256" in page.url
    assert page.context.request.get(f"{desk.base_url}/support/api/jobs").status == 401


def test_forged_or_missing_csrf_token_is_403(new_page, desk, oidc):
    page = new_page()
    sign_in(page, desk, oidc)
    page.wait_for_url(f"{desk.base_url}/support")
    post = """async (token) => {
        const headers = {'Content-Type': 'application/json'};
        if (token !== null) headers['X-CSRF-Token'] = token;
        const r = await fetch('/support/api/answer', {method: 'POST', headers,
            body: JSON.stringify({text: 'claim deadline for co-op earned in May 2024'})});
        return r.status;
    }"""
    real = page.locator('meta[name="csrf-token"]').get_attribute("content")
    assert page.evaluate(post, None) == 403
    assert page.evaluate(post, "forged" + real[6:]) == 403
    assert page.evaluate(post, real) == 200
    # The sign-out form with a forged token is refused too.
    page.evaluate("document.querySelector('form[action=\"/support/logout\"] input[name=csrf]').value = 'forged'")
    page.get_by_role("button", name="Se déconnecter").click()
    assert "Ce formulaire a expiré" in page.locator("#error").inner_text()
    # With the real token, signing out ends the session: the page asks for sign-in again.
    page.goto(f"{desk.base_url}/support")
    page.get_by_role("button", name="Se déconnecter").click()
    assert page.locator("#error").inner_text() == "Vous êtes déconnecté."
    page.goto(f"{desk.base_url}/support")
    assert page.url.startswith(f"{oidc}/oauth2/authorize")


def test_a_user_outside_the_allowed_group_gets_403(new_page, desk, oidc):
    page = new_page(locale="en-US")
    responses = []
    page.on("response", lambda r: responses.append((r.url, r.status)))
    sign_in(page, desk, oidc, who=OUTSIDER)
    page.wait_for_selector("#error")
    assert "not allowed to use the support desk" in page.locator("#error").inner_text()
    assert any("/support/auth/callback" in url and status == 403 for url, status in responses)
    page.goto(f"{desk.base_url}/support")  # no session was made
    assert page.url.startswith(f"{oidc}/oauth2/authorize")


def test_a_two_question_french_ticket_gets_both_answers_in_order(new_page, desk, oidc):
    page = new_page()
    sign_in(page, desk, oidc)
    page.wait_for_url(f"{desk.base_url}/support")
    page.get_by_label("Message du partenaire").fill(
        "Bonjour,\nQuand faut-il réclamer la co-op gagnée en août 2021 ?\n"
        "Et jusqu'à quand garder les preuves de notre salon du 12 mars 2024 ?\nMerci, Julie")
    page.get_by_label("Répondre à la date du").fill("2022-03-01")
    page.get_by_role("button", name="Répondre", exact=True).click()
    expect(page.locator("#answer-text")).not_to_have_value("")
    sections = page.locator("article.section")
    assert sections.count() == 2, page.locator("#answer-text").input_value()
    assert sections.nth(0).locator("h3").inner_text() == "Question 1"
    assert "15 août 2022" in sections.nth(0).inner_text()
    assert "12 mars 2026" in sections.nth(1).inner_text()
    text = page.locator("#answer-text").input_value()
    assert text.index("15 août 2022") < text.index("12 mars 2026")
    page.get_by_role("button", name="Copier la réponse").click()
    expect(page.locator("#copy-status")).not_to_have_text("")
    assert page.evaluate("navigator.clipboard.readText()") == text
    if os.environ.get("UPDATE_SCREENSHOTS"):
        page.screenshot(path=str(DOCS / "support-desk.png"), full_page=True)


# --- accessibility ----------------------------------------------------------------------------

AXE = pg.REPO_ROOT / "e2e" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page) -> list:
    """axe-core's WCAG 2.1 A/AA violations on the page as it is now (id, help, elements)."""
    if not AXE.is_file():
        reason = f"axe-core is not installed at {AXE} (scripts/setup.sh --e2e)"
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))  # through DevTools: the page's CSP allows no inline script
    result = page.evaluate("(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})",
                           WCAG_TAGS)
    return [(v["id"], v["help"], [n["target"] for n in v["nodes"]]) for v in result["violations"]]


def small_export(tmp_path, name="tickets.csv", rows=3) -> Path:
    path = tmp_path / name
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["ticket", "question"])
        for i in range(rows):
            writer.writerow([f"T{i}", f"claim deadline for co-op earned in May {2010 + i}"])
    return path


WORDS = {
    "en-US": {"ticket": "Partner's message", "answer": "Answer", "file": "CSV file with a",
              "upload": "Upload and answer", "as_of": "Answer as of",
              "text": "claim deadline for co-op earned in August 2021? And how long to keep proof "
                      "of our trade show on 12 March 2024?"},
    "fr-FR": {"ticket": "Message du partenaire", "answer": "Répondre", "file": "Fichier CSV avec",
              "upload": "Envoyer et répondre", "as_of": "Répondre à la date du",
              "text": "Quand réclamer la co-op gagnée en août 2021 ? Et jusqu'à quand garder les "
                      "preuves de notre salon du 12 mars 2024 ?"},
}


@pytest.mark.parametrize("locale", ["en-US", "fr-FR"])
def test_axe_finds_no_violation_empty_answered_and_with_a_finished_export(new_page, desk, oidc,
                                                                           tmp_path, locale):
    words = WORDS[locale]
    page = new_page(locale=locale)
    sign_in(page, desk, oidc)
    page.wait_for_url(f"{desk.base_url}/support")
    page.wait_for_selector("#jobs li")
    assert axe_violations(page) == [], "empty page"
    page.get_by_label(words["ticket"]).fill(words["text"])
    page.get_by_label(words["as_of"]).fill("2022-03-01")
    page.get_by_role("button", name=words["answer"], exact=True).click()
    expect(page.locator("article.section")).to_have_count(2)
    assert axe_violations(page) == [], "answered"
    page.get_by_label(words["file"]).set_input_files(str(small_export(tmp_path)))
    page.get_by_role("button", name=words["upload"]).click()
    page.wait_for_selector('li.job[data-status="done"] .download a')
    assert axe_violations(page) == [], "with a finished export"


def test_an_answer_in_the_other_language_is_marked_and_every_answer_is_announced(new_page, desk, oidc):
    page = new_page(locale="en-US")
    sign_in(page, desk, oidc)
    page.wait_for_url(f"{desk.base_url}/support")
    page.evaluate("""() => {
        const region = document.getElementById('ask-status');
        window.said = [];
        new MutationObserver(() => window.said.push(region.textContent))
            .observe(region, {childList: true, characterData: true, subtree: true});
    }""")
    page.get_by_label("Partner's message").fill("Quand réclamer la co-op gagnée en août 2021 ?")
    page.get_by_label("Answer as of").fill("2022-03-01")
    page.get_by_role("button", name="Answer", exact=True).click()
    expect(page.locator("#answer-text")).not_to_have_value("")
    assert page.locator("#answer-text").get_attribute("lang") == "fr"
    facts = page.locator("article.section dl.facts")
    assert facts.get_attribute("lang") == "fr" and "Période de demande" in facts.inner_text()
    assert page.locator("article.section h3").first.get_attribute("lang") in (None, "en")  # the page's words
    page.get_by_label("Answer as of").fill("2022-08-10")  # answered again, for another day
    expect(page.locator("#ask-status")).to_have_text("Answered as of August 10, 2022")
    said = page.evaluate("window.said")
    assert said == ["Answering…", "Answered as of March 1, 2022", "Answering…",
                    "Answered as of August 10, 2022"], said  # never cleared, so each is read out
    # an answer in the page's own language carries no other language
    page.get_by_label("Partner's message").fill("claim deadline for co-op earned in August 2021")
    page.get_by_role("button", name="Answer", exact=True).click()
    expect(page.locator("dl.facts dt").first).to_have_text("Fiscal half")
    assert page.locator("#answer-text").get_attribute("lang") == "en"
    assert page.locator("#result [lang=fr]").count() == 0


def test_focus_stays_on_a_button_that_is_busy(new_page, desk, oidc, tmp_path):
    page = new_page(locale="en-US")
    sign_in(page, desk, oidc)
    page.wait_for_url(f"{desk.base_url}/support")
    page.wait_for_selector("#jobs li")
    held = []

    def hold_posts(route):
        if route.request.method == "POST":
            held.append(route)
        else:
            route.continue_()

    for path in ("**/support/api/answer", "**/support/api/jobs"):
        page.route(path, hold_posts)
    for n in range(2):  # the first answer, then another one
        page.get_by_label("Partner's message").fill(f"claim deadline for co-op earned in May {2020 + n}")
        button = page.get_by_role("button", name="Answer", exact=True)
        button.focus()
        page.keyboard.press("Enter")
        while not held:
            page.wait_for_timeout(20)
        assert page.evaluate("document.activeElement.id") == "ask-button"
        assert button.get_attribute("aria-disabled") == "true"
        page.keyboard.press("Enter")  # a second press while busy sends nothing more
        held.pop().continue_()
        expect(page.locator("#ask-status")).to_contain_text("Answered as of")
        assert not held and button.get_attribute("aria-disabled") in (None, "false")
        assert page.evaluate("document.activeElement.tagName") != "BODY"
    page.get_by_label("CSV file with a").set_input_files(str(small_export(tmp_path)))
    upload = page.get_by_role("button", name="Upload and answer")
    upload.focus()
    page.keyboard.press("Enter")
    while not held:
        page.wait_for_timeout(20)
    assert page.evaluate("document.activeElement.id") == "upload-button"
    held.pop().continue_()
    page.wait_for_selector("li.job")
    assert page.evaluate("document.activeElement.id") == "upload-button"


def test_an_empty_ticket_or_no_file_says_so_on_the_field(new_page, desk, oidc):
    page = new_page()  # French
    sign_in(page, desk, oidc)
    page.wait_for_url(f"{desk.base_url}/support")
    ticket = page.get_by_label("Message du partenaire")
    page.get_by_role("button", name="Répondre", exact=True).click()
    assert ticket.get_attribute("aria-invalid") == "true"
    error = page.locator("#ticket-error")
    expect(error).to_be_visible()
    assert error.inner_text() == "Collez d'abord le message du partenaire."
    assert "ticket-error" in ticket.get_attribute("aria-describedby").split()
    assert page.evaluate("document.activeElement.id") == "ticket"
    ticket.fill("claim deadline for co-op earned in May 2021")  # typing clears the error
    assert ticket.get_attribute("aria-invalid") is None and error.is_hidden()
    file = page.get_by_label("Fichier CSV avec une colonne « question », ou JSONL")
    page.get_by_role("button", name="Envoyer et répondre").click()
    assert file.get_attribute("aria-invalid") == "true"
    expect(page.locator("#file-error")).to_have_text("Choisissez d'abord un fichier.")
    assert "file-error" in file.get_attribute("aria-describedby").split()
    assert page.evaluate("document.activeElement.id") == "batch-file"


def test_one_answer_keeps_the_heading_levels_and_two_exports_of_one_file_are_told_apart(
        new_page, desk, oidc, tmp_path):
    page = new_page(locale="en-US")
    sign_in(page, desk, oidc)
    page.wait_for_url(f"{desk.base_url}/support")
    page.get_by_label("Partner's message").fill("claim deadline for co-op earned in August 2021")
    page.get_by_role("button", name="Answer", exact=True).click()
    expect(page.locator("article.section")).to_have_count(1)
    levels = page.evaluate("""() => [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')]
        .filter(h => h.offsetParent !== null).map(h => Number(h.tagName[1]))""")
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:])), levels
    export = small_export(tmp_path, "same-name.csv")
    for n in range(2):
        page.get_by_label("CSV file with a").set_input_files(str(export))
        page.get_by_role("button", name="Upload and answer").click()
        page.wait_for_selector(f'li.job[data-status="done"] >> nth={n}')
        created = page.evaluate("""() => fetch('/support/api/jobs', {headers: {Accept: 'application/json'}})
            .then(r => r.json()).then(d => Date.parse(d.jobs[0].created_at) / 1000)""")
        while time.time() < created + 1.2:  # two uploads in one second would share their time
            page.wait_for_timeout(50)
    links = page.get_by_role("link", name=re.compile("^Download same-name.csv"))
    expect(links).to_have_count(2)
    names = [links.nth(i).evaluate("a => a.textContent") for i in range(2)]
    assert names[0] != names[1], names


# --- the Feedback view (issue #19) ---------------------------------------------------------------


def record_feedback(desk, **values) -> int:
    """A 👎 stored as the bot stores it (``storage.FeedbackStore``), in the server's database."""
    import asyncio
    import concurrent.futures
    from datetime import datetime, timezone

    from storage import Database
    from storage.feedback import FeedbackStore

    entry = dict(user_id="29:e2e-partner", conversation_id="a:e2e", reaction="dislike",
                 comment="", question="?", answer="!", lang="en", reading={},
                 at=datetime.now(timezone.utc))
    entry.update(values)

    async def record() -> int:
        db = await Database.connect(desk.database_url)
        try:
            return await FeedbackStore(db).record(**entry)
        finally:
            await db.close()

    with concurrent.futures.ThreadPoolExecutor(1) as pool:  # off Playwright's own event loop
        return pool.submit(asyncio.run, record()).result()


FEEDBACK_WORDS = {
    "en-US": {"nav": "Feedback", "download": "Download as JSONL", "question": "Partner's question"},
    "fr-FR": {"nav": "Avis des partenaires", "download": "Télécharger en JSONL",
              "question": "Question du partenaire"},
}


@pytest.mark.parametrize("locale", ["en-US", "fr-FR"])
def test_the_feedback_view_lists_a_dislike_downloads_it_and_passes_axe(new_page, desk, oidc,
                                                                       locale):
    import json
    import uuid

    words = FEEDBACK_WORDS[locale]
    marker = uuid.uuid4().hex[:8]
    question = "Quand réclamer la co-op gagnée en août 2021 ?"
    answer = "Le dernier jour pour réclamer la co-op gagnée de juillet à décembre 2021 est le 15 août 2022."
    feedback_id = record_feedback(desk, question=question, answer=answer, lang="fr",
                                  comment=f"Mauvaise année : c'est la co-op de 2021 (ticket {marker})",
                                  reading={"role": "earning", "fy_label": "FY22 H1"})
    page = new_page(locale=locale)
    sign_in(page, desk, oidc)
    page.wait_for_url(f"{desk.base_url}/support")
    page.get_by_role("link", name=words["nav"], exact=True).click()  # the header's navigation
    page.wait_for_url(f"{desk.base_url}/support/feedback")
    item = page.locator(f'article[aria-labelledby="fb-{feedback_id}"]')
    expect(item).to_contain_text(question)
    expect(item).to_contain_text(f"Mauvaise année : c'est la co-op de 2021 (ticket {marker})")
    expect(item).to_contain_text("FY22 H1")
    assert item.locator("dt", has_text=words["question"]).count() == 1
    # a French answer on an English page is marked with its language (a French voice reads it)
    expected_lang = None if locale == "fr-FR" else "fr"
    assert item.locator("pre.answer").first.get_attribute("lang") == expected_lang
    assert page.locator("h1").count() == 1 and item.locator("h3").count() == 1
    assert axe_violations(page) == [], "feedback view"

    with page.expect_download() as download_info:
        page.get_by_role("link", name=words["download"]).click()
    download = download_info.value
    assert download.suggested_filename.endswith(".jsonl")
    lines = [json.loads(line) for line in Path(download.path()).read_text(encoding="utf-8").splitlines()]
    [mine] = [line for line in lines if marker in line["comment"]]
    assert mine["answer"] == answer and mine["lang"] == "fr" and mine["reading"]["fy_label"] == "FY22 H1"
    if os.environ.get("UPDATE_SCREENSHOTS") and locale == "en-US":
        page.screenshot(path=str(DOCS / "support-desk-feedback.png"), full_page=False)


def test_the_feedback_view_at_360_px_and_signed_out(new_page, desk, oidc):
    record_feedback(desk, question="claim deadline for co-op earned in " + "a very long word" * 20,
                    answer="x" * 400, comment="y" * 300, reading={"k": "z" * 300})
    anonymous = new_page()
    anonymous.goto(f"{desk.base_url}/support/feedback")
    assert anonymous.url.startswith(f"{oidc}/oauth2/authorize")  # sign in first
    assert anonymous.context.request.get(f"{desk.base_url}/support/api/feedback").status == 401
    assert anonymous.context.request.get(f"{desk.base_url}/support/api/feedback.jsonl").status == 401
    page = new_page(locale="en-US", width=360, height=780)
    sign_in(page, desk, oidc)
    page.wait_for_url(f"{desk.base_url}/support")
    page.goto(f"{desk.base_url}/support/feedback")
    page.wait_for_selector("article.feedback")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling
    assert axe_violations(page) == [], "feedback view at 360 px"
