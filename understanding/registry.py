"""The one language registry: every language the assistant speaks, and what it knows of each.

A language is a folder of data, no code: ``understanding/lang/<code>/`` for the built-in ones,
or any folder registered at run time with :func:`register` (a pack folder itself, or a folder
of pack folders; ``config.py`` passes the folders of ``COOP_LANG_PATH`` in). A pack registered
later wins over an earlier one (and over a built-in) of the same code, so a deployment can also
reword a built-in language without touching the repository. A pack's code is its folder name:
a language code, optionally with a region (``de``, ``pt_BR``, ``fr-CA``).

Per language the registry carries (:class:`Language`):

- the pack: its folder, ``vocab.toml``, intents, ``model.json``, ``glossary.toml``,
  ``statements.toml`` (the words, read by :mod:`understanding.packs`);
- the catalogue: ``messages.po`` (read by :mod:`understanding.catalogues`);
- the Teams manifest strings: ``teams/<code>.json`` when the repository has one;
- the locale facts, from **Babel's CLDR data**, never typed by hand: the default locale
  (CLDR's likely subtags: ``fr`` → ``fr-FR``), the order of a numeric date (from the CLDR
  short date pattern), the decimal and group symbols, the percent pattern, the plural rule.

Only :data:`DEFAULT` (the language of last resort, the catalogues' source language) is named
here; every other language is found in the folders. A test keeps language codes out of every
other Python file.

>>> codes()[:3]
['en', 'de', 'fr']
>>> norm_lang("fr-CA"), norm_lang("FR"), norm_lang("xx-XX"), norm_lang(None)
('fr', 'fr', 'en', 'en')
>>> language("fr").default_locale, language("en").default_locale
('fr-FR', 'en-US')
>>> date_order("en-US"), date_order("en-GB"), date_order("fr-CA"), date_order(None)
('mdy', 'dmy', 'dmy', None)
>>> language("fr").percent_pattern, language("en").percent_pattern
('#,##0\\xa0%', '#,##0%')
>>> language("fr").plural(2), language("fr").plural(1), language("fr").plural(0)
('other', 'one', 'one')
>>> negotiate("fr-CA,fr;q=0.9,en;q=0.8"), negotiate("xx-XX, en;q=0.5"), negotiate("")
('fr', 'en', 'en')
"""
from __future__ import annotations

import json
import logging
import re
import threading
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Iterable

from babel import Locale, UnknownLocaleError
from babel.core import get_global

logger = logging.getLogger(__name__)

BUILTIN_ROOT = Path(__file__).resolve().parent / "lang"
TEAMS_ROOT = Path(__file__).resolve().parent.parent / "teams"
DEFAULT = "en"  # the one language named in code: the catalogues' source and the last resort
CATALOGUE_FILE = "messages.po"

_CODE = re.compile(r"^[a-z]{2,3}(?:[_-][A-Za-z0-9]{2,8})?$")
_TAG = re.compile(r"^([A-Za-z]{2,3})(?:[_-]([A-Za-z0-9]{2,8}))?(?![A-Za-z])")

_lock = threading.Lock()
_extra: list[Path] = []  # registered folders, in registration order
_packs: dict[str, Path] | None = None  # code -> folder, built lazily
_norm_cache: dict[str, str] = {}  # tag -> pack code
_generation = 0  # bumped on every change of the registry (readers cache by it)


# ------------------------------------------------------------------------------------------
# the folders


def is_pack_code(name: str) -> bool:
    """Whether a folder name is a language code (``en``, ``pt_BR``, ``fr-CA``)."""
    return bool(_CODE.match(name))


def canonical(code: str) -> str:
    """``fr-ca`` → ``fr_CA``: language lower-case, region upper-case, underscore between."""
    lang, _, region = code.replace("-", "_").partition("_")
    return f"{lang.lower()}_{region.upper() if len(region) == 2 else region}" if region else lang.lower()


def _packs_in(folder: Path) -> dict[str, Path]:
    """The packs a folder holds: itself when it is one (it has a catalogue and a code for a
    name), else its sub-folders that are named by a language code."""
    found: dict[str, Path] = {}
    if not folder.is_dir():
        logger.warning("language pack folder %s does not exist; ignored", folder)
        return found
    if (folder / CATALOGUE_FILE).is_file() and is_pack_code(folder.name):
        found[canonical(folder.name)] = folder
        return found
    for child in sorted(folder.iterdir()):
        if child.is_dir() and is_pack_code(child.name):
            found[canonical(child.name)] = child
    return found


def _build() -> dict[str, Path]:
    packs = _packs_in(BUILTIN_ROOT)
    for folder in _extra:
        packs.update(_packs_in(folder))
    return packs


def _current() -> dict[str, Path]:
    global _packs
    packs_ = _packs
    if packs_ is None:
        with _lock:
            if _packs is None:
                _packs = _build()
            packs_ = _packs
    return packs_


def packs() -> dict[str, Path]:
    """Every pack: code → folder."""
    return dict(_current())


def generation() -> int:
    """A number that changes whenever a pack is registered or unregistered."""
    return _generation


def register(path: str | Path) -> list[str]:
    """Add a pack folder (or a folder of pack folders); returns the codes it brought.
    Registering the same folder twice changes nothing."""
    global _packs, _generation
    folder = Path(path).expanduser().resolve()
    with _lock:
        if folder not in _extra:
            _extra.append(folder)
        _packs = None
        _norm_cache.clear()
        _generation += 1
    codes_ = sorted(_packs_in(folder))
    logger.info("language packs registered from %s: %s", folder, ", ".join(codes_) or "none")
    return codes_


def register_all(paths: Iterable[str | Path]) -> list[str]:
    found: list[str] = []
    for path in paths:
        found += register(path)
    return found


def unregister(path: str | Path) -> None:
    """Forget a folder registered with :func:`register` (tests)."""
    global _packs, _generation
    folder = Path(path).expanduser().resolve()
    with _lock:
        if folder in _extra:
            _extra.remove(folder)
        _packs = None
        _norm_cache.clear()
        _generation += 1


def codes() -> list[str]:
    """The pack codes, the default language first."""
    return sorted(_current(), key=lambda c: (c != DEFAULT, c))


available = codes  # the former name


def pack_path(code: str) -> Path | None:
    """The folder of pack ``code`` (exact code), or None."""
    return _current().get(code)


def catalogue_path(code: str) -> Path | None:
    folder = pack_path(code)
    if folder is None:
        return None
    path = folder / CATALOGUE_FILE
    return path if path.is_file() else None


def norm_lang(tag: str | None) -> str:
    """The pack for a language tag: the exact pack (``pt-BR`` → ``pt_BR``), else the pack of
    its language (``fr-CA`` → ``fr``), else the default language."""
    key = tag or ""
    code = _norm_cache.get(key)
    if code is None:
        code = _norm(key)
        if len(_norm_cache) < 1024:
            _norm_cache[key] = code
    return code


def _norm(tag: str) -> str:
    m = _TAG.match(str(tag).strip())
    if not m:
        return DEFAULT
    found = _current()
    lang = m.group(1).lower()
    if m.group(2):
        exact = canonical(f"{lang}_{m.group(2)}")
        if exact in found:
            return exact
    return lang if lang in found else DEFAULT


def known(tag: str | None) -> str | None:
    """The pack code of ``tag`` when a pack speaks that language (``fr-CA`` → ``fr``), else
    None (where :func:`norm_lang` falls back to the default).

    >>> known("fr-CA"), known("xx"), known(None)
    ('fr', None, None)
    """
    m = _TAG.match(str(tag or "").strip())
    if not m:
        return None
    found = _current()
    lang = m.group(1).lower()
    if m.group(2) and (exact := canonical(f"{lang}_{m.group(2)}")) in found:
        return exact
    return lang if lang in found else None


def negotiate(accept_language: str | None) -> str:
    """The first registered language a browser prefers (``Accept-Language``, q-values
    honoured), else the default.

    >>> negotiate("en;q=0.4, fr;q=0.8")
    'fr'
    """
    ranked = []
    for i, item in enumerate((accept_language or "").split(",")):
        tag, _, params = item.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        ranked.append((-q, i, tag.strip()))
    for _, _, tag in sorted(ranked):
        code = known(tag)
        if code is not None:
            return code
    return DEFAULT


# ------------------------------------------------------------------------------------------
# the locale facts, from Babel's CLDR data


def _parse(tag: str | None) -> Locale | None:
    if not tag:
        return None
    try:
        return Locale.parse(str(tag).strip().replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return None


@lru_cache(maxsize=64)
def default_locale_of(code: str) -> Locale:
    """The locale a language is formatted in when the asker's locale is not of it: CLDR's
    likely region for the language (``en`` → en_US, ``fr`` → fr_FR, ``de`` → de_DE)."""
    lang, _, region = canonical(code).partition("_")
    likely = get_global("likely_subtags").get(lang)
    if not region and likely:
        parts = likely.split("_")
        region = next((p for p in parts[1:] if p.isupper() and len(p) == 2 or p.isdigit()), "")
    return (_parse(f"{lang}_{region}" if region else lang) or _parse(lang)
            or _parse(DEFAULT) or Locale(DEFAULT))


@lru_cache(maxsize=256)
def date_order(locale: str | None) -> str | None:
    """"mdy" or "dmy": how a numeric date like 03/04/2027 is read in a locale (CLDR's short
    date pattern: the month before the day, the year last → "mdy"; everything else, year-first
    patterns included, reads day first); None without a locale."""
    if not locale:
        return None
    loc = _parse(locale)
    if loc is None:
        return "dmy"
    if not loc.territory:
        loc = default_locale_of(loc.language)
    pattern = re.sub(r"'[^']*'", "", loc.date_formats["short"].pattern)
    m, d, y = pattern.find("M"), pattern.find("d"), pattern.find("y")
    return "mdy" if 0 <= m < d and not 0 <= y < m else "dmy"


@lru_cache(maxsize=4)
def order_locale(order: str) -> str:
    """A locale that reads numeric dates in ``order`` ("mdy" or "dmy"): the default language's
    own locale when it does, else its first regional locale in CLDR that does.

    >>> date_order(order_locale("mdy")), date_order(order_locale("dmy"))
    ('mdy', 'dmy')
    """
    from babel.localedata import locale_identifiers

    own = default_locale(DEFAULT)
    if date_order(own) == order:
        return own
    for ident in sorted(locale_identifiers()):
        lang, _, region = ident.partition("_")
        if lang == DEFAULT and region and "_" not in region and date_order(ident) == order:
            return f"{lang}-{region}"
    return own


@dataclass(frozen=True)
class Language:
    """One registered language: its pack folder, catalogue, Teams strings and CLDR facts."""

    code: str
    folder: Path

    @property
    def catalogue_path(self) -> Path:
        return self.folder / CATALOGUE_FILE

    @property
    def teams_path(self) -> Path | None:
        """``teams/<code>.json``, the manifest's localization, when there is one (the default
        language's strings are the manifest itself)."""
        for name in (self.code, self.code.replace("_", "-")):
            path = TEAMS_ROOT / f"{name}.json"
            if path.is_file():
                return path
        return None

    def teams_strings(self) -> dict[str, Any]:
        path = self.teams_path
        return json.loads(path.read_text(encoding="utf-8")) if path else {}

    @cached_property
    def locale(self) -> Locale:
        return default_locale_of(self.code)

    def name(self, in_lang: str | None = None) -> str:
        """The language's name (CLDR), in ``in_lang`` (default: in itself, its autonym),
        capitalised as a menu item: "Français", "English", "Português (Brasil)"."""
        own = _parse(self.code) or self.locale
        where = own if in_lang is None else (_parse(norm_lang(in_lang)) or own)
        name = own.get_display_name(where) or self.code
        return name[:1].upper() + name[1:]

    @property
    def default_locale(self) -> str:
        """``fr-FR``: the language's likely region in CLDR."""
        loc = self.locale
        return f"{loc.language}-{loc.territory}" if loc.territory else loc.language

    @property
    def date_order(self) -> str:
        return date_order(self.default_locale) or "dmy"

    @property
    def day_first(self) -> bool:
        return self.date_order == "dmy"

    def _symbols(self) -> dict[str, str]:
        symbols = self.locale.number_symbols
        return symbols.get("latn", symbols) if isinstance(symbols.get("latn"), dict) else symbols

    @property
    def decimal_symbol(self) -> str:
        return self._symbols().get("decimal", ".")

    @property
    def group_symbol(self) -> str:
        return self._symbols().get("group", ",")

    @property
    def percent_pattern(self) -> str:
        return self.locale.percent_formats[None].pattern

    def plural(self, n: int) -> str:
        """CLDR's plural category of ``n`` ("one", "other"...)."""
        return self.locale.plural_form(n)

    def pack_file(self, name: str) -> Path | None:
        """One of the pack's data files (``vocab.toml``, ``model.json``, ``glossary.toml``,
        ``statements.toml``, ``intents``), None when the pack has none (its words are read by
        :mod:`understanding.packs`, its sentences by :mod:`understanding.catalogues`)."""
        path = self.folder / name
        return path if path.exists() else None


def language(code: str | None) -> Language:
    """The registered language for a tag (``fr-CA`` → fr); the default for an unknown one."""
    code_ = norm_lang(code)
    return _language(code_, _current()[code_])


@lru_cache(maxsize=64)
def _language(code: str, folder: Path) -> Language:
    return Language(code, folder)


def languages() -> list[Language]:
    return [language(c) for c in codes()]


def spoken_in(lang: str | None) -> str:
    """The languages the packs speak, named in ``lang`` and joined as CLDR joins alternatives
    ("English, French, or German", "anglais, français ou allemand")."""
    from babel.lists import format_list

    where = default_locale_of(norm_lang(lang))
    names = [where.languages.get(code) or language(code).name(lang) for code in codes()]
    return format_list(names, style="or", locale=where)


def default_locale(lang: str | None) -> str:
    """The default locale tag of a language (``fr`` → ``fr-FR``)."""
    return language(lang).default_locale


def percent_affixes(lang: str | None) -> tuple[str, str]:
    """What precedes and follows the number in a percentage, from the language's CLDR percent
    pattern ("#,##0\u00a0%" → ("", "\u00a0%")).

    >>> percent_affixes("fr") == ("", "\u00a0%"), percent_affixes("en")
    (True, ('', '%'))
    """
    return _percent_affixes(norm_lang(lang), generation())


@lru_cache(maxsize=64)
def _percent_affixes(code: str, gen: int) -> tuple[str, str]:
    pattern = language(code).percent_pattern.split(";")[0]
    first = min(i for i in (pattern.find("#"), pattern.find("0")) if i >= 0)
    return pattern[:first], pattern[pattern.rfind("0") + 1:]
