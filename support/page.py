"""The support desk's HTML, in every registered language: server-rendered, no front-end build; the
little JavaScript is ``static/support.js`` (no inline script, so the CSP forbids all inline code).

The page's own words are the ``support.*`` entries of the language packs' gettext catalogues
(``understanding/lang/<code>/messages.po``), looked up with :func:`understanding.messages.t`
like every other sentence; the script gets its templates from the page (:data:`SCRIPT_KEYS`,
as JSON data, never executed). Every text is HTML-escaped here.
"""
from __future__ import annotations

import json
import re
from datetime import date, datetime, timezone
from html import escape
from typing import Any, Sequence

from understanding import catalogues, messages, registry

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
    """The first registered language the browser prefers (Accept-Language, q-values honoured),
    else the default one (:func:`understanding.registry.negotiate`).

    >>> negotiate("fr-CA,fr;q=0.9,en;q=0.8"), negotiate("xx-XX, en;q=0.5"), negotiate("")
    ('fr', 'en', 'en')
    >>> negotiate("en;q=0.4, fr;q=0.8")
    'fr'
    """
    return registry.negotiate(accept_language)


def languages() -> list[str]:
    """The languages the desk speaks: every registered pack."""
    return registry.codes()


def autonym(code: str) -> str:
    """A language's name in itself, from Babel's CLDR data ("Français", "English")."""
    return registry.language(code).name()


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
{_lang_options(lang)}
        </select>
      </div>
      <div>
        <label for="{today_id}">{_t(lang, today_label)}</label>
        <input type="date" id="{today_id}" name="today" value="{today.isoformat()}" required{described}>
      </div>
    </div>
'''


def _lang_options(lang: str) -> str:
    return "\n".join(f'          <option value="{code}">{escape(_language_name(lang, code))}</option>'
                     for code in languages())


# The desk's pages, in the order of its navigation: (path, catalogue key of the link).
PAGES = (("/support", "nav_tickets"), ("/support/feedback", "nav_feedback"))


def _header(lang: str, *, user: str, csrf: str, local_dev: bool, current: str) -> str:
    """The header every signed-in page shares: the heading, the desk's pages (the current one
    marked ``aria-current``), who is signed in, the language switch (to the same page) and
    sign-out."""
    who = _t(lang, "local_dev") if local_dev else _t(lang, "signed_in", name=user or "?")
    links = "\n".join(
        f'    <a href="{path}"' + (' aria-current="page"' if path == current else "")
        + f'>{_t(lang, key)}</a>' for path, key in PAGES)
    return f"""<header>
  <h1>{_t(lang, "heading")}</h1>
  <nav aria-label="{_t(lang, "nav_label")}" class="pages">
{links}
  </nav>
  <nav aria-label="{_t(lang, "account")}">
    <span id="who">{who}</span>
{_switches(lang, current)}
    <form method="post" action="/support/logout" class="inline">
      <input type="hidden" name="csrf" value="{escape(csrf)}">
      <button type="submit" class="link">{_t(lang, "sign_out")}</button>
    </form>
  </nav>
</header>
"""


def _switches(lang: str, current: str) -> str:
    """A link to the same page in each other language, named in that language (its label too,
    when its catalogue says it: an English label on a link to German would mislead)."""
    def label(code: str) -> str:
        own = catalogues.catalogue(code).form("support.switch_to", None)
        return f' aria-label="{_t(code, "switch_to")}"' if own else ""

    return "\n".join(
        f'    <a href="{current}?lang={code}" lang="{code}" hreflang="{code}"{label(code)}>'
        f'{escape(autonym(code))}</a>' for code in languages() if code != lang)


def _head(lang: str, csrf: str, title: str) -> str:
    """The start of a desk page, up to its own scripts: language, viewport, CSRF token, title, style."""
    return f"""<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf-token" content="{escape(csrf)}">
<title>{title}</title>
<link rel="stylesheet" href="/support/static/support.css">
"""


def render(lang: str, *, user: str, csrf: str, today: date, local_dev: bool) -> str:
    # The script's strings travel as JSON in a non-executed <script> (allowed by the CSP).
    strings = json.dumps(script_strings(lang), ensure_ascii=False).replace("</", "<\\/")
    return _head(lang, csrf, _t(lang, "title")) + f"""<script id="strings" type="application/json">{strings}</script>
<script src="/support/static/support.js" defer></script>
</head>
<body>
<a class="skip" href="#ticket">{_t(lang, "skip")}</a>
{_header(lang, user=user, csrf=csrf, local_dev=local_dev, current="/support")}<main>
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


# --- the Feedback view ------------------------------------------------------------------------

FEEDBACK_JSONL = "/support/api/feedback.jsonl"
_LANG_TAG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")


def _language_name(lang: str, code: str) -> str:
    """The name of the answer's language in the page's: ``support.lang_<code>`` when the
    catalogues have it, else CLDR's name for it (Babel), else its code."""
    if messages.has(lang, "support.lang_" + code):
        return text(lang, "lang_" + code)
    if code in languages():
        return registry.language(code).name(lang)
    return code or "?"


def feedback_time(lang: str, moment: datetime) -> str:
    """When feedback was given, in the page's language, in UTC.

    >>> feedback_time("fr", datetime(2026, 12, 1, 9, 5, tzinfo=timezone.utc))
    '1er décembre 2026 à 09:05 UTC'
    >>> feedback_time("en", datetime(2026, 12, 7, 15, 4, tzinfo=timezone.utc))
    'December 7, 2026 at 3:04 PM UTC'
    """
    from babel.dates import format_time

    from understanding.fmt import babel_locale, fmt_date

    moment = moment.astimezone(timezone.utc)
    return text(lang, "feedback_at", date=fmt_date(moment.date(), None, lang),
                time=format_time(moment, "short", locale=babel_locale(None, lang)))


def _reading_html(reading: dict) -> str:
    """The reading the bot took, one ``key: value`` line per entry (values as JSON)."""
    if not reading:
        return ""
    lines = []
    for key, value in reading.items():
        shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        lines.append(f"<li><code>{escape(str(key))}</code>: {escape(shown)}</li>")
    return '<ul class="reading">' + "".join(lines) + "</ul>"


def _feedback_item(lang: str, item: Any) -> str:
    """One 👎: its time as the heading, then question, answer, language, reading, comment. The
    partner's words and the answer are marked with their language when it is not the page's."""
    code = item.lang if _LANG_TAG.match(item.lang or "") else ""
    marked = f' lang="{escape(code)}"' if code and code.split("-")[0].lower() != lang else ""
    none = _t(lang, "feedback_none_given")
    reading = _reading_html(item.reading) or f"<p>{none}</p>"
    comment = (f'<p class="comment"{marked}>{escape(item.comment)}</p>' if item.comment.strip()
               else f"<p>{none}</p>")
    return f'''<li><article class="feedback" aria-labelledby="fb-{item.id}">
  <h3 id="fb-{item.id}"><time datetime="{item.at.astimezone(timezone.utc).isoformat()}">{escape(feedback_time(lang, item.at))}</time></h3>
  <dl class="facts">
    <div><dt>{_t(lang, "feedback_question")}</dt><dd><pre class="answer"{marked}>{escape(item.question)}</pre></dd></div>
    <div><dt>{_t(lang, "feedback_answer")}</dt><dd><pre class="answer"{marked}>{escape(item.answer)}</pre></dd></div>
    <div><dt>{_t(lang, "feedback_lang")}</dt><dd>{escape(_language_name(lang, code))}</dd></div>
    <div><dt>{_t(lang, "feedback_reading")}</dt><dd>{reading}</dd></div>
    <div><dt>{_t(lang, "feedback_comment")}</dt><dd>{comment}</dd></div>
  </dl>
</article></li>'''


def render_feedback(lang: str, *, user: str, csrf: str, local_dev: bool, items: Sequence[Any],
                    older: int | None, paged: bool) -> str:
    """The Feedback view: the 👎 answers (``storage.Feedback``), newest first, and the link that
    downloads them all as JSONL. ``older``: the ``before_id`` of the next page (None: this is
    the last); ``paged``: this is not the first page (a link back to the newest)."""
    if items:
        listing = '<ol class="feedback-list">\n' + "\n".join(
            _feedback_item(lang, item) for item in items) + "\n</ol>"
    else:
        listing = f'<p id="feedback-empty">{_t(lang, "feedback_empty")}</p>'
    pages = []
    if paged:
        pages.append(f'<a href="/support/feedback">{_t(lang, "feedback_newest")}</a>')
    if older is not None:
        pages.append(f'<a href="/support/feedback?before_id={older}" rel="next">'
                     f'{_t(lang, "feedback_older")}</a>')
    paging = (f'<nav aria-label="{_t(lang, "feedback_pages")}" class="paging">{" ".join(pages)}</nav>'
              if pages else "")
    return _head(lang, csrf, _t(lang, "feedback_title")) + f"""</head>
<body>
<a class="skip" href="#feedback-heading">{_t(lang, "feedback_skip")}</a>
{_header(lang, user=user, csrf=csrf, local_dev=local_dev, current="/support/feedback")}<main>
<section aria-labelledby="feedback-heading">
  <h2 id="feedback-heading" tabindex="-1">{_t(lang, "feedback_heading")}</h2>
  <p class="help" id="feedback-help">{_t(lang, "feedback_help")}</p>
  <p><a class="button" id="feedback-download" href="{FEEDBACK_JSONL}" download aria-describedby="feedback-download-help">{_t(lang, "feedback_download")}</a></p>
  <p class="help" id="feedback-download-help">{_t(lang, "feedback_download_help")}</p>
{listing}
{paging}
</section>
</main>
</body>
</html>
"""
