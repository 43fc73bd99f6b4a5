"""The language packs: one folder per language, holding everything the assistant needs to
read and answer in that language (``messages.po``, the gettext catalogue of its sentences,
and the understanding data files beside it).

Built-in packs are the folders under ``understanding/lang/`` (``en``, ``fr``). More packs can
be registered at run time with :func:`register` — a pack folder itself, or a folder of pack
folders; ``config.py`` passes the folders of the ``COOP_LANG_PATH`` environment variable in.
A pack registered later wins over an earlier one (and over a built-in) of the same code, so a
deployment can also reword a built-in language without touching the repository.

A pack's code is its folder name: a language code, optionally with a region
(``de``, ``pt_BR``, ``fr-CA``).

>>> available()[:2]
['en', 'fr']
>>> norm_lang("fr-CA"), norm_lang("FR"), norm_lang("de-DE"), norm_lang(None)
('fr', 'fr', 'en', 'en')
"""
from __future__ import annotations

import logging
import re
import threading
from pathlib import Path
from typing import Iterable

logger = logging.getLogger(__name__)

BUILTIN_ROOT = Path(__file__).resolve().parent / "lang"
DEFAULT = "en"
CATALOGUE_FILE = "messages.po"

_CODE = re.compile(r"^[a-z]{2,3}(?:[_-][A-Za-z0-9]{2,8})?$")
_TAG = re.compile(r"^([A-Za-z]{2,3})(?:[_-]([A-Za-z0-9]{2,8}))?(?![A-Za-z])")

_lock = threading.Lock()
_extra: list[Path] = []  # registered folders, in registration order
_packs: dict[str, Path] | None = None  # code -> folder, built lazily
_norm_cache: dict[str, str] = {}  # tag -> pack code
_generation = 0  # bumped on every change of the registry (readers cache by it)


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
    codes = sorted(_packs_in(folder))
    logger.info("language packs registered from %s: %s", folder, ", ".join(codes) or "none")
    return codes


def register_all(paths: Iterable[str | Path]) -> list[str]:
    codes: list[str] = []
    for path in paths:
        codes += register(path)
    return codes


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


def available() -> list[str]:
    """The pack codes, English first."""
    codes = packs()
    return sorted(codes, key=lambda c: (c != DEFAULT, c))


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
    its language (``fr-CA`` → ``fr``), else English."""
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
    codes = _current()
    lang = m.group(1).lower()
    if m.group(2):
        exact = canonical(f"{lang}_{m.group(2)}")
        if exact in codes:
            return exact
    return lang if lang in codes else DEFAULT
