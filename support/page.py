"""The support desk's HTML, in English and French: server-rendered, no front-end build; the
little JavaScript is ``static/support.js`` (no inline script, so the CSP forbids all inline code).

The page's own words are in :data:`TEXTS` (the answers' words come from understanding's
catalogues). Every text is HTML-escaped here.
"""
from __future__ import annotations

import json
from datetime import date
from html import escape

LANGS = ("en", "fr")

SECURITY_HEADERS = {
    "Content-Security-Policy": ("default-src 'self'; script-src 'self'; style-src 'self'; "
                                "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; "
                                "form-action 'self'; base-uri 'none'"),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Support desk – Co-op Assistant",
        "heading": "Co-op Assistant support desk",
        "skip": "Skip to the ticket box",
        "signed_in": "Signed in as {name}",
        "local_dev": "Local development: no sign-in",
        "sign_out": "Sign out",
        "switch": "Français",
        "switch_label": "Afficher la page en français",
        "ask_heading": "Answer a ticket",
        "ticket_label": "Partner's message",
        "ticket_help": "Paste the whole ticket: every question in it is answered, in order.",
        "lang_label": "Answer language",
        "lang_auto": "Same as the message",
        "lang_en": "English",
        "lang_fr": "French",
        "today_label": "Answer as of",
        "batch_lang_label": "Language of the export's answers",
        "batch_today_label": "Answer the export as of",
        "today_help": "Use the ticket's date for an old ticket: days left and open/closed windows depend on it.",
        "submit": "Answer",
        "working": "Answering…",
        "answer_heading": "Answer to paste back",
        "answer_label": "Answer text (plain text, ready to paste)",
        "copy": "Copy answer",
        "copied": "Copied to the clipboard.",
        "copy_failed": "Could not copy: select the text and copy it yourself.",
        "question_n": "Question {n}",
        "facts": "Facts",
        "cited": "Cited pages",
        "reading_note": "Reading taken",
        "choices": "The answer asks the partner to choose:",
        "as_of": "Answered as of {day}",
        "batch_heading": "Answer an export",
        "file_label": "CSV file with a “question” column, or JSONL",
        "file_help": "Other columns are kept. The download adds an “answer” column (and “error” for a row that failed).",
        "upload": "Upload and answer",
        "jobs_heading": "Your exports",
        "no_jobs": "No export yet.",
        "progress_label": "Progress of {name}",
        "rows": "{done} of {total} rows",
        "failed_rows": "{n} failed",
        "status_queued": "waiting",
        "status_running": "answering",
        "status_done": "done",
        "status_failed": "failed",
        "download": "Download {name}",
        "error": "Something went wrong: {message}",
        "e_signin_expired": "The sign-in took too long or was started in another browser. Start again.",
        "e_signin_refused": "The sign-in did not succeed. Start again.",
        "e_not_allowed": "Your account is not allowed to use the support desk. Ask to be added to the support group.",
        "e_csrf": "This form expired. Reload the page and try again.",
        "again": "Sign in again",
        "account": "Account",
        "signed_out": "You are signed out.",
        "job_finished": "{name}: {status}.",
    },
    "fr": {
        "title": "Poste support – Assistant co-op",
        "heading": "Poste support de l'Assistant co-op",
        "skip": "Aller à la zone du ticket",
        "signed_in": "Connecté : {name}",
        "local_dev": "Développement local : sans connexion",
        "sign_out": "Se déconnecter",
        "switch": "English",
        "switch_label": "Show this page in English",
        "ask_heading": "Répondre à un ticket",
        "ticket_label": "Message du partenaire",
        "ticket_help": "Collez le ticket entier : chaque question reçoit sa réponse, dans l'ordre.",
        "lang_label": "Langue de la réponse",
        "lang_auto": "Celle du message",
        "lang_en": "Anglais",
        "lang_fr": "Français",
        "today_label": "Répondre à la date du",
        "batch_lang_label": "Langue des réponses de l'export",
        "batch_today_label": "Répondre à l'export à la date du",
        "today_help": "Pour un ancien ticket, mettez sa date : les jours restants et l'état des périodes en dépendent.",
        "submit": "Répondre",
        "working": "Réponse en cours…",
        "answer_heading": "Réponse à coller",
        "answer_label": "Texte de la réponse (texte brut, prêt à coller)",
        "copy": "Copier la réponse",
        "copied": "Copiée dans le presse-papiers.",
        "copy_failed": "Copie impossible : sélectionnez le texte et copiez-le vous-même.",
        "question_n": "Question {n}",
        "facts": "Faits",
        "cited": "Pages citées",
        "reading_note": "Lecture retenue",
        "choices": "La réponse demande au partenaire de choisir :",
        "as_of": "Réponse à la date du {day}",
        "batch_heading": "Répondre à un export",
        "file_label": "Fichier CSV avec une colonne « question », ou JSONL",
        "file_help": "Les autres colonnes sont conservées. Le téléchargement ajoute une colonne « answer » (et « error » pour une ligne en échec).",
        "upload": "Envoyer et répondre",
        "jobs_heading": "Vos exports",
        "no_jobs": "Aucun export pour l'instant.",
        "progress_label": "Avancement de {name}",
        "rows": "{done} lignes sur {total}",
        "failed_rows": "{n} en échec",
        "status_queued": "en attente",
        "status_running": "en cours",
        "status_done": "terminé",
        "status_failed": "échec",
        "download": "Télécharger {name}",
        "error": "Une erreur est survenue : {message}",
        "e_signin_expired": "La connexion a pris trop de temps ou a commencé dans un autre navigateur. Recommencez.",
        "e_signin_refused": "La connexion n'a pas abouti. Recommencez.",
        "e_not_allowed": "Votre compte n'a pas accès au poste support. Demandez à être ajouté au groupe support.",
        "e_csrf": "Ce formulaire a expiré. Rechargez la page et réessayez.",
        "again": "Se reconnecter",
        "account": "Compte",
        "signed_out": "Vous êtes déconnecté.",
        "job_finished": "{name} : {status}.",
    },
}


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


def _t(lang: str, key: str, **params: str) -> str:
    return escape(TEXTS[lang][key].format(**params))


def render(lang: str, *, user: str, csrf: str, today: date, local_dev: bool) -> str:
    t = TEXTS[lang]
    other = "fr" if lang == "en" else "en"
    who = _t(lang, "local_dev") if local_dev else _t(lang, "signed_in", name=user or "?")
    # The script's strings travel as JSON in a non-executed <script> (allowed by the CSP).
    strings = json.dumps({k: v for k, v in t.items()}, ensure_ascii=False).replace("</", "<\\/")
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
    <div class="fields">
      <div>
        <label for="answer-lang">{_t(lang, "lang_label")}</label>
        <select id="answer-lang" name="lang">
          <option value="">{_t(lang, "lang_auto")}</option>
          <option value="en">{_t(lang, "lang_en")}</option>
          <option value="fr">{_t(lang, "lang_fr")}</option>
        </select>
      </div>
      <div>
        <label for="today">{_t(lang, "today_label")}</label>
        <input type="date" id="today" name="today" value="{today.isoformat()}" required
               aria-describedby="today-help">
      </div>
    </div>
    <p class="help" id="today-help">{_t(lang, "today_help")}</p>
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
    <div class="fields">
      <div>
        <label for="batch-lang">{_t(lang, "batch_lang_label")}</label>
        <select id="batch-lang" name="lang">
          <option value="">{_t(lang, "lang_auto")}</option>
          <option value="en">{_t(lang, "lang_en")}</option>
          <option value="fr">{_t(lang, "lang_fr")}</option>
        </select>
      </div>
      <div>
        <label for="batch-today">{_t(lang, "batch_today_label")}</label>
        <input type="date" id="batch-today" name="today" value="{today.isoformat()}" required>
      </div>
    </div>
    <button type="submit" id="upload-button">{_t(lang, "upload")}</button>
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
    """A page with one message (``e_<key>``, or ``signed_out``) and a link to sign in."""
    lang = lang if lang in LANGS else "en"
    message = _t(lang, key if key == "signed_out" else "e_" + key)
    role = "status" if key == "signed_out" else "alert"
    return f"""<!doctype html>
<html lang="{lang}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_t(lang, "title")}</title><link rel="stylesheet" href="/support/static/support.css"></head>
<body><main><h1>{_t(lang, "heading")}</h1>
<p id="error" role="{role}">{message}</p>
<p><a href="/support/login">{_t(lang, "again")}</a></p></main></body></html>
"""
