"""Every user-visible sentence, looked up by key in the language packs' gettext catalogues.

The sentences live in ``understanding/lang/<code>/messages.po`` (see
:mod:`understanding.catalogues`: ``msgctxt`` = the key, ``msgid`` = the English sentence,
``msgstr`` = the pack's language); :func:`t` picks the pack for a language tag
(:func:`understanding.registry.norm_lang`), falls back to English for a key the pack lacks,
chooses the plural form by Babel's rule for the language, and fills the template in. Dates are
formatted by :mod:`understanding.fmt` for the asker's locale.

>>> from datetime import date
>>> confirm_subscribed("fr", date(2025, 2, 1)).endswith("Prochain rappel : le 1er février 2025.")
True
>>> from core import InvalidSplit
>>> error_text("en", InvalidSplit("x", rebate="70", coop="40", total="110"))
'A split must add up to 100%: 70% rebate + 40% co-op is 110%.'
>>> t("en", "days", count=1, n="1"), t("fr", "days", count=0, n="0"), t("fr", "days", count=2, n="2")
('1 day', '0 jour', '2 jours')
"""
from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any, Iterable, Iterator, Mapping

from core import CoopError

from . import catalogues, registry
from .fmt import babel_locale, fmt_date, fmt_number, fmt_percent


def norm_lang(lang: str | None) -> str:
    """The language pack for a tag ("fr-CA" → "fr"; unknown → "en")."""
    return registry.norm_lang(lang)


def template(lang: str | None, key: str, count: int | None = None) -> str:
    """The raw template of ``key`` in ``lang`` (English when the pack lacks it); KeyError
    when no catalogue has the key."""
    code = norm_lang(lang)
    if code != registry.DEFAULT:
        found = catalogues.catalogue(code).form(key, count)
        if found is not None:
            return found
    found = catalogues.catalogue(registry.DEFAULT).form(key, count)
    if found is None:
        raise KeyError(key)
    return found


def t(lang: str | None, key: str, count: int | None = None, **params: Any) -> str:
    """One catalogue sentence, formatted. A plural entry takes its form from ``count``
    (else from an integer ``n``); the template may show ``{count}`` or ``{n}``."""
    if count is None and isinstance(params.get("n"), int):
        count = params["n"]
    text = template(lang, key, count)
    if count is not None:
        params.setdefault("count", count)
    return text.format(**params) if params else text


def has(lang: str | None, key: str) -> bool:
    """Whether ``key`` has a sentence for ``lang`` (its own or the English fallback)."""
    try:
        template(lang, key)
    except KeyError:
        return False
    return True


def keys() -> list[str]:
    """Every key the catalogues know (English, the source, has them all)."""
    return list(catalogues.catalogue(registry.DEFAULT).entries)


class _Catalogues(Mapping):
    """Read-only ``CATALOGUES[lang][key]`` view (singular templates), for code written
    against the former per-language dicts."""

    def __getitem__(self, lang: str) -> Mapping[str, str]:
        return {key: template(lang, key) for key in keys()}

    def __iter__(self) -> Iterator[str]:
        return iter(registry.available())

    def __len__(self) -> int:
        return len(registry.available())


CATALOGUES = _Catalogues()


def days(lang: str, n: int, locale: str | None = None) -> str:
    """"1 day" / "80 days", the number grouped for the locale ("26,925 days", "26 925 jours")."""
    lang = norm_lang(lang)
    return t(lang, "days", count=n, n=fmt_number(n, locale, lang))


def month_span(lang: str | None, start: date, end: date, locale: str | None = None) -> str:
    """A span of whole months as answers write it: "July – December 2025", "juillet – décembre 2025"
    (an earning period is months: its last day written out would read like a deadline).

    >>> month_span("en", date(2025, 7, 1), date(2025, 12, 31)), month_span("fr", date(2025, 7, 1), date(2026, 6, 30))
    ('July – December 2025', 'juillet 2025 – juin 2026')
    """
    lang = norm_lang(lang)
    a, b = _month_name(lang, start.month, locale), _month_name(lang, end.month, locale)
    if (start.year, start.month) == (end.year, end.month):
        return t(lang, "span.month", a=a, y=start.year)
    if start.year == end.year:
        return t(lang, "span.months", a=a, b=b, y=end.year)
    return t(lang, "span.years", a=a, y1=start.year, b=b, y2=end.year)


def fy_text(lang: str | None, label: str, other: str | None, convention: str | None) -> str:
    """An FY label as every surface writes it (SPEC rule 8): Microsoft's label alone when that
    is the configured convention (the default); with the 2020 table's labelling configured,
    its label first and Microsoft's beside it, each named (``fy.seed_first``).

    >>> fy_text("en", "FY26 H1", "FY25 H1", "microsoft")
    'FY26 H1'
    >>> fy_text("en", "FY25 H1", "FY26 H1", "seed")
    "FY25 H1 in the co-op page's 2020 table, FY26 H1 in Microsoft's fiscal calendar"
    """
    if convention != "seed" or not other or other == label:
        return label
    return t(lang, "fy.seed_first", label=label, other=other)


def confirm_subscribed(lang: str, next_reminder_date: date | None = None, locale: str | None = None) -> str:
    lang = norm_lang(lang)
    if next_reminder_date is None:
        return t(lang, "confirm.subscribed_nodate")
    return t(lang, "confirm.subscribed", date=fmt_date(next_reminder_date, locale, lang))


def confirm_unsubscribed(lang: str) -> str:
    return t(lang, "confirm.unsubscribed")


def _item(sub: Any) -> tuple[str, date | None]:
    if isinstance(sub, str):
        return sub, None
    if isinstance(sub, Mapping):
        return str(sub.get("kind") or sub.get("label") or ""), sub.get("next_date") or sub.get("next")
    return str(getattr(sub, "kind", "") or getattr(sub, "label", "")), getattr(sub, "next_date", None)


def list_reminders(lang: str, subscriptions: Iterable[Any] = (), locale: str | None = None) -> str:
    """The partner's reminders. Each subscription is a kind string ("claim_closing",
    "claim_opening", "forfeiture"), a mapping with ``kind`` and optional ``next_date``, or an
    object with those attributes."""
    lang = norm_lang(lang)
    items = [_item(s) for s in subscriptions]
    if not items:
        return t(lang, "reminders.none")
    lines = [t(lang, "reminders.list")]
    for kind, next_date in items:
        key = f"reminder.{kind}"
        label = t(lang, key) if has(lang, key) else kind
        if isinstance(next_date, date):
            lines.append("- " + t(lang, "reminders.item", label=label, date=fmt_date(next_date, locale, lang)))
        else:
            lines.append("- " + label)
    return "\n".join(lines)


def calendar_offer(lang: str, url: str) -> str:
    return t(lang, "calendar.offer", url=url)


def confirm_forgotten(lang: str) -> str:
    return t(lang, "confirm.forgotten")


def welcome(lang: str) -> str:
    return t(lang, "welcome")


def apology(lang: str) -> str:
    return t(lang, "apology")


def help_text(lang: str) -> str:
    return t(lang, "help")


def card_labels(lang: str) -> dict[str, str]:
    """The Adaptive Card's button labels and fact names (the ``card.*`` keys, without the
    prefix), as templates: ``fy_both`` and ``range`` take ``str.format`` values. A count
    ("3 days left to claim") is a plural entry: ``t(lang, "card.days_left", count=n, n=n)``;
    the ``days_left_one``/``_other`` and ``opens_in_one``/``_other`` names of the former
    dicts are kept here (singular and plural form) for code written against them.

    >>> card_labels("fr")["remind"]
    'Me le rappeler'
    >>> t("fr", "card.days_left", count=0, n=0), card_labels("en")["days_left_other"].format(n=2)
    ('0 jour restant pour demander', '2 days left to claim')
    """
    return _section(lang, "card.")


def calendar_names(lang: str) -> dict[str, str]:
    """The .ics file's calendar name, event titles and alarm texts (the ``ics.*`` keys,
    without the prefix), as templates."""
    return _section(lang, "ics.")


def _section(lang: str, prefix: str) -> dict[str, str]:
    """The singular templates of the keys under ``prefix`` (without it); a fresh dict each
    call, built once per pack and registry state (every card asks for its labels)."""
    return dict(_section_cached(norm_lang(lang), prefix, registry.generation()))


@lru_cache(maxsize=64)
def _section_cached(code: str, prefix: str, generation: int) -> dict[str, str]:
    out = {key[len(prefix):]: template(code, key) for key in keys() if key.startswith(prefix)}
    for stem in _FORMER_COUNTS.get(prefix, ()):
        out[f"{stem}_one"] = template(code, prefix + stem, 1)
        out[f"{stem}_other"] = template(code, prefix + stem, 2)
    return out


# plural entries that the former dicts spelled as <stem>_one / <stem>_other pairs
_FORMER_COUNTS = {"card.": ("days_left", "opens_in")}


def _month_name(lang: str, month: int, locale: str | None = None) -> str:
    return babel_locale(locale, norm_lang(lang)).months["format"]["wide"][month]


def month_name(lang: str | None, month: int, locale: str | None = None) -> str:
    """A month's name in the language (Babel's CLDR data): "July", "juillet"."""
    return _month_name(norm_lang(lang), month, locale)


def error_text(lang: str, error: CoopError, locale: str | None = None) -> str:
    """A core error in the partner's language, from its ``code`` and ``params``."""
    lang = norm_lang(lang)
    p = dict(getattr(error, "params", {}) or {})
    code = getattr(error, "code", "coop_error")
    try:
        if code == "invalid_date":
            if "days_in_month" in p:
                return t(lang, "error.invalid_date.days", year=p["year"], month=int(p["month"]), day=int(p["day"]),
                         month_name=_month_name(lang, int(p["month"]), locale), days=p["days_in_month"])
            if "month" in p and not 1 <= int(p["month"]) <= 12:
                return t(lang, "error.invalid_date.month", month=p["month"])
            return t(lang, "error.invalid_date.text", text=p.get("text", ""))
        if code == "out_of_range":
            return t(lang, "error.out_of_range", year=p["year"], min_year=p["min_year"], max_year=p["max_year"])
        if code == "invalid_split":
            if "total" in p:
                pct = lambda v: fmt_percent(_dec(v), locale, lang)  # noqa: E731
                return t(lang, "error.invalid_split.total", hundred=pct(100), rebate=pct(p["rebate"]),
                         coop=pct(p["coop"]), total=pct(p["total"]))
            return t(lang, "error.invalid_split.range", value=p.get("value", ""))
        if code == "invalid_amount":
            value = str(p.get("value", ""))
            if value.startswith("-"):
                return t(lang, "error.invalid_amount.negative", value=value)
            return t(lang, "error.invalid_amount", value=value)
        if code == "unreadable_period":
            return t(lang, "error.unreadable_period", text=str(p.get("text", "")).strip())
    except (KeyError, ValueError, TypeError, ArithmeticError):
        pass
    return t(lang, "error.generic", message=str(error))


def _dec(value: Any):
    from decimal import Decimal

    return Decimal(str(value))


def other_language(lang: str | None) -> str:
    """"I answer in English, French, or German only: …" in ``lang``, naming every pack."""
    return t(lang, "other_language", languages=registry.spoken_in(lang))
