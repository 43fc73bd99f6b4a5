"""The support desk: a page and a JSON API for support staff, served by the bot's aiohttp app.

- ``GET /support``: paste a ticket, read the answer to paste back (EN/FR), its facts and the
  cited page; answer a CSV/JSONL export as a background job with a progress bar.
- ``/support/api/...``: the JSON API the page uses (documented in ``docs/SUPPORT.md``).
- Sign-in: OpenID Connect with Microsoft Entra ID (authorization code flow with PKCE), server-side
  sessions in the database, CSRF tokens on every POST; bearer tokens for scripts.

Registered by :func:`support.routes.setup` from ``create_app``. Sits beside ``bot/``: imports
``understanding``, ``storage``, ``core`` and ``signing_keys``; nothing below imports it.
"""
