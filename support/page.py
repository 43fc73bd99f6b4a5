"""The support desk's HTML, in English and French: server-rendered, no front-end build; the
little JavaScript is ``static/support.js`` (no inline script, so the CSP forbids all inline code).

The page's own words are the ``support.*`` entries of the language packs' gettext catalogues
(``understanding/lang/<code>/messages.po``), looked up with :func:`understanding.messages.t`
like every other sentence; the script gets its templates from the page (:data:`SCRIPT_KEYS`,
as JSON data, never executed). Every text is HTML-escaped here.
"""
from __future__ import annotations

import json
from datetime import date
from html import escape

from understanding import messages

LANGS = ("en", "fr")

SECURITY_HEADERS = {
    "Content-Security-Policy": ("default-src 'self'; script-src 'self'; style-src 'self'; "
                                "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; "
                                "form-action 'self'; base-uri 'none'"),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

# The keys of the catalogue entries the script shows (``support.<name>``, sent as ``<name>``).
SCRIPT_KEYS = ("working", "as_of", "error", "question_n", "reading_note", "choices", "facts", "cited",
               "copied", "copy_failed", "progress_label", "rows", "failed_rows", "status_queued",
               "status_running", "status_done", "status_failed", "download", "job_finished")


def negotiate(accept_language: str) -> str:
    """The first of en/fr the browser prefers (Accept-Language, q-values honoured); en otherwise.

    >>> negotiate("fr-CA,fr;q=0.9,en;q=0.8"), negotiate("de-DE, en;q=0.5"), negotiate("")
    ('fr', 'en', 'en')
    >>> negotiate("en;q=0.4, fr;q=0.8")
    'fr'
    """
    ranked = []
    for i, item in enumerate(accept_language.split(",")):
        tag, _, params = item.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        ranked.append((-q, i, tag.strip().lower()[:2]))
    for _, _, primary in sorted(ranked):
        if primary in LANGS:
            return primary
    return "en"


def text(lang: str, key: str, **params: str) -> str:
    """The page's sentence ``support.<key>`` in ``lang`` (English when the pack lacks it)."""
    return messages.t(lang, "support." + key, **params)


def _t(lang: str, key: str, **params: str) -> str:
    """``text`` escaped for the page: every attribute here is double-quoted, so ``&<>"`` are
    escaped and an apostrophe stays one ("Partner's message")."""
    return escape(text(lang, key, **params), quote=False).replace('"', "&quot;")


def script_strings(lang: str) -> dict[str, str]:
    """The templates the script fills in (``{name}`` placeholders, as in the catalogue)."""
    return {key: messages.template(lang, "support." + key) for key in SCRIPT_KEYS}


def _lang_and_today(lang: str, today: date, lang_id: str, lang_label: str, today_id: str,
                    today_label: str, today_help: str | None = None) -> str:
    """The answer-language select and the "answer as of" date of one form."""
    described = f' aria-describedby="{today_help}"' if today_help else ""
    return f'''    <div class="fields">
      <div>
        <label for="{lang_id}">{_t(lang, lang_label)}</label>
        <select id="{lang_id}" name="lang">
          <option value="">{_t(lang, "lang_auto")}</option>
          <option value="en">{_t(lang, "lang_en")}</option>
          <option value="fr">{_t(lang, "lang_fr")}</option>
        </select>
      </div>
      <div>
        <label for="{today_id}">{_t(lang, today_label)}</label>
        <input type="date" id="{today_id}" name="today" value="{today.isoformat()}" required{described}>
      </div>
    </div>
'''


def render(lang: str, *, user: str, csrf: str, today: date, local_dev: bool) -> str:
    other = "en" if lang == "fr" else "fr"
    who = _t(lang, "local_dev") if local_dev else _t(lang, "signed_in", name=user or "?")
    # The script's strings travel as JSON in a non-executed <script> (allowed by the CSP).
    strings = json.dumps(script_strings(lang), ensure_ascii=False).replace("</", "<\\/")
    return f"""<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf-token" content="{escape(csrf)}">
<title>{_t(lang, "title")}</title>
<link rel="stylesheet" href="/support/static/support.css">
<script id="strings" type="application/json">{strings}</script>
<script src="/support/static/support.js" defer></script>
</head>
<body>
<a class="skip" href="#ticket">{_t(lang, "skip")}</a>
<header>
  <h1>{_t(lang, "heading")}</h1>
  <nav aria-label="{_t(lang, "account")}">
    <span id="who">{who}</span>
    <a href="/support?lang={other}" lang="{other}" hreflang="{other}" aria-label="{_t(lang, "switch_label")}">{_t(lang, "switch")}</a>
    <form method="post" action="/support/logout" class="inline">
      <input type="hidden" name="csrf" value="{escape(csrf)}">
      <button type="submit" class="link">{_t(lang, "sign_out")}</button>
    </form>
  </nav>
</header>
<main>
<section aria-labelledby="ask-heading">
  <h2 id="ask-heading">{_t(lang, "ask_heading")}</h2>
  <form id="ask-form" novalidate>
    <label for="ticket">{_t(lang, "ticket_label")}</label>
    <p class="help" id="ticket-help">{_t(lang, "ticket_help")}</p>
    <textarea id="ticket" name="text" rows="8" required aria-describedby="ticket-help"></textarea>
    <p class="error" id="ticket-error" hidden>{_t(lang, "ticket_required")}</p>
{_lang_and_today(lang, today, "answer-lang", "lang_label", "today", "today_label", "today-help")}    <p class="help" id="today-help">{_t(lang, "today_help")}</p>
    <button type="submit" id="ask-button">{_t(lang, "submit")}</button>
    <p id="ask-status" role="status" aria-live="polite"></p>
  </form>
  <div id="result" hidden>
    <h2 id="answer-heading" tabindex="-1">{_t(lang, "answer_heading")}</h2>
    <p id="as-of"></p>
    <label for="answer-text">{_t(lang, "answer_label")}</label>
    <textarea id="answer-text" rows="12" readonly></textarea>
    <button type="button" id="copy-button">{_t(lang, "copy")}</button>
    <span id="copy-status" role="status" aria-live="polite"></span>
    <div id="sections"></div>
  </div>
</section>
<section aria-labelledby="batch-heading">
  <h2 id="batch-heading">{_t(lang, "batch_heading")}</h2>
  <form id="batch-form" enctype="multipart/form-data" novalidate>
    <label for="batch-file">{_t(lang, "file_label")}</label>
    <p class="help" id="file-help">{_t(lang, "file_help")}</p>
    <input type="file" id="batch-file" name="file" accept=".csv,.jsonl,.ndjson,.json,text/csv"
           required aria-describedby="file-help">
    <p class="error" id="file-error" hidden>{_t(lang, "file_required")}</p>
{_lang_and_today(lang, today, "batch-lang", "batch_lang_label", "batch-today", "batch_today_label")}    <button type="submit" id="upload-button">{_t(lang, "upload")}</button>
    <p id="batch-status" role="status" aria-live="polite"></p>
  </form>
  <h3>{_t(lang, "jobs_heading")}</h3>
  <ul id="jobs"><li class="empty">{_t(lang, "no_jobs")}</li></ul>
</section>
</main>
</body>
</html>
"""


def render_error(lang: str, key: str) -> str:
    """A page with one message (``support.<key>``: ``signin_expired``, ``signin_refused``,
    ``not_allowed``, ``csrf``, ``signed_out`` or ``too_many_sign_ins``) and a link to sign in."""
    message = _t(lang, key)
    role = "status" if key == "signed_out" else "alert"
    return f"""<!doctype html>
<html lang="{lang}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_t(lang, "title")}</title><link rel="stylesheet" href="/support/static/support.css"></head>
<body><main><h1>{_t(lang, "heading")}</h1>
<p id="error" role="{role}">{message}</p>
<p><a href="/support/login">{_t(lang, "again")}</a></p></main></body></html>
"""
