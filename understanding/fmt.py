"""Babel formatting for the asker's locale: dates, numbers, money. Locale objects are cached.

The language of the answer decides the formatting language; the client's locale only picks
the region when it is of that language (French text for an en-US client is formatted fr-FR,
day first). :func:`fmt_date` is the one date formatter of the product (text, cards,
reminders, calendar files): it writes the first of a month as the language pack says
(``date.first_of_month``: "1er juillet 2025").

>>> from datetime import date
>>> fmt_date(date(2024, 8, 15), "en-US"), fmt_date(date(2024, 8, 15), "fr-FR")
('August 15, 2024', '15 août 2024')
>>> fmt_date(date(2025, 7, 1), "en-US", "fr"), fmt_date(date(2025, 7, 1), "fr-CA", "fr", "full")
('1er juillet 2025', 'mardi 1er juillet 2025')
>>> fmt_date(date(2025, 7, 1), "en-GB")
'1 July 2025'
"""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal

from . import registry


@lru_cache(maxsize=64)
def babel_locale(locale: str | None, lang: str) -> Locale:
    """The Babel Locale for ``locale`` (e.g. "en-GB"), if it is of the answer's language;
    else the language's default (an en-US user asking in French gets French formats)."""
    if locale:
        tag = locale.replace("-", "_")
        try:
            loc = Locale.parse(tag)
        except (UnknownLocaleError, ValueError, TypeError):
            loc = None
        if loc is not None and loc.language == lang:
            return loc
    return registry.default_locale_of(lang)  # CLDR's likely region for the language


def locale_tag(locale: str | None, lang: str) -> str:
    loc = babel_locale(locale, lang)
    return f"{loc.language}-{loc.territory}" if loc.territory else loc.language


_DAY_FIELD = re.compile(r"('[^']*')|(?<!d)d(?!d)")  # a quoted literal, or a lone "d" field


@lru_cache(maxsize=256)
def _first_of_month_pattern(loc: Locale, form: str, first: str) -> str | None:
    """The locale's ``form`` pattern with its day field replaced by the literal ``first``
    ("d MMMM y" -> "'1er' MMMM y"); None when the pattern has no lone day field."""
    pattern = loc.date_formats[form].pattern
    literal = "'" + first.replace("'", "''") + "'"
    replaced, n = _DAY_FIELD.subn(lambda m: m.group(1) or literal, pattern)
    return replaced if replaced != pattern and n else None


def _first_of_month(lang: str) -> str:
    from . import catalogues  # no import cycle: the catalogues need no formatting

    code = registry.norm_lang(lang)
    return catalogues.catalogue(code).form("date.first_of_month", None) or "1"


@lru_cache(maxsize=4096)
def _fmt_date(day: date, loc: Locale, form: str, lang: str) -> str:
    if day.day == 1 and form in ("long", "full", "medium"):
        first = _first_of_month(lang)
        if first != "1":
            pattern = _first_of_month_pattern(loc, form, first)
            if pattern:
                return format_date(day, pattern, locale=loc)
    return format_date(day, form, locale=loc)


def fmt_date(day: date, locale: str | None, lang: str | None = None, form: str = "long") -> str:
    """``day`` in the answer's language ``lang`` (default: the locale's), the region from
    ``locale`` when it shares that language."""
    lang = lang or (locale or registry.DEFAULT)[:2].lower()
    loc = babel_locale(locale, lang)
    return _fmt_date(day, loc, form, lang)


def month_name(month: int, locale: str | None, lang: str) -> str:
    """The month's name as it reads in a date ("July", "juillet")."""
    return babel_locale(locale, lang).months["format"]["wide"][month]


def fmt_month(day: date, locale: str | None, lang: str, year: bool = True) -> str:
    """A month, with its year by default ("July 2021", "juillet 2021")."""
    name = month_name(day.month, locale, lang)
    return f"{name} {day.year}" if year else name


def fmt_number(value: Decimal | int | float, locale: str | None, lang: str, decimals: bool = False) -> str:
    loc = babel_locale(locale, lang)
    if decimals:
        return format_decimal(value, format="#,##0.00", locale=loc)
    return format_decimal(value, locale=loc)


def fmt_money(value: Decimal, currency: str | None, locale: str | None, lang: str) -> str:
    """Money with the currency when one was given, else a plain number with two decimals
    when the amount has cents."""
    loc = babel_locale(locale, lang)
    if currency:
        return format_currency(value, currency, locale=loc)
    if value == value.to_integral_value():
        return format_decimal(value.to_integral_value(), locale=loc)
    return format_decimal(value, format="#,##0.00", locale=loc)


def fmt_percent(value: Decimal, locale: str | None, lang: str) -> str:
    loc = babel_locale(locale, lang)
    num = format_decimal(value.normalize() if isinstance(value, Decimal) else value, locale=loc)
    before, after = registry.percent_affixes(lang)  # CLDR's percent pattern: "30 %", "30%"
    return f"{before}{num}{after}"
