"""The gettext catalogues: reading them at run time, and the commands that maintain them.

Each language pack (:mod:`understanding.registry`) has a ``messages.po``. An entry's
``msgctxt`` is the key the code asks for (``lead.claim_deadline``), its ``msgid`` the English
sentence, its ``msgstr`` the sentence in the pack's language; sentences that depend on a
number are ``msgid_plural`` entries whose forms follow the catalogue's ``Plural-Forms``
header (Babel writes it from the CLDR plural rules). The templates take ``str.format``
values (``{earning}``).

English is the source language: ``understanding/lang/en/messages.po`` is where a sentence is
written first (its ``msgstr`` repeats the ``msgid``); ``messages.pot`` is extracted from it by
``pybabel extract`` and the other languages are updated from that template.

Commands (run from the repository root; they call Babel's ``pybabel`` front end)::

    python -m understanding.catalogues extract   # en/messages.po -> lang/messages.pot
    python -m understanding.catalogues update    # messages.pot -> every other pack's .po
    python -m understanding.catalogues init de   # start a new language pack from the template
    python -m understanding.catalogues check     # the template is current, every pack is
                                                 # complete: no fuzzy, missing or stale entry
    python -m understanding.catalogues compile   # messages.po -> messages.mo (setup.sh runs it)
    python -m understanding.catalogues port-dicts EN FR BASE_EN BASE_FR
                             # a branch's additions to the former messages_{en,fr}.py dicts

At run time a catalogue is read once per process, when its language is first asked for: from
the compiled ``messages.mo`` when ``scripts/setup.sh`` made one that is at least as new as the
``.po`` (fast: no Babel import), else from the ``.po`` with ``babel.messages.pofile`` (a fresh
clone works without any build step). Untranslated and fuzzy entries are left out either way,
so that the lookup falls back to English.
"""
from __future__ import annotations

import gettext
import io
import logging
import string
import struct
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Sequence

from .. import registry

logger = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[2]
LANG_ROOT = registry.BUILTIN_ROOT
SOURCE_LANG = registry.DEFAULT
TEMPLATE = LANG_ROOT / "messages.pot"
SOURCE = LANG_ROOT / SOURCE_LANG / registry.CATALOGUE_FILE
MAPPING = REPO_ROOT / "babel.cfg"
PROJECT = "Co-op Assistant"


@dataclass
class Catalogue:
    """One language's sentences: key → template (str), or key → plural forms (tuple)."""

    code: str
    path: Path | None
    entries: dict[str, str | tuple[str, ...]] = field(default_factory=dict)
    plural: Callable[[int], int] = lambda n: int(n != 1)

    def form(self, key: str, count: int | None) -> str | None:
        """The template of ``key`` (the plural form for ``count``), or None."""
        entry = self.entries.get(key)
        if entry is None or isinstance(entry, str):
            return entry
        index = self.plural(count if count is not None else 1)
        return entry[index] if 0 <= index < len(entry) else entry[-1]


def read(path: Path, code: str | None = None) -> Catalogue:
    """A ``.po`` file as a :class:`Catalogue`: translated, non-fuzzy entries only."""
    from babel.messages.pofile import read_po

    with open(path, "rb") as fh:
        cat = read_po(fh, locale=None)
    entries: dict[str, str | tuple[str, ...]] = {}
    for message in cat:
        if not message.id or not message.context or message.fuzzy:
            continue
        if isinstance(message.id, (tuple, list)):
            forms = tuple(message.string or ())
            if forms and all(forms):
                entries[message.context] = forms
        elif message.string:
            entries[message.context] = message.string
    plural = gettext.c2py(cat.plural_expr) if cat.plural_expr else _default_plural
    return Catalogue(code or (str(cat.locale) if cat.locale else path.parent.name), path, entries, plural)


def _default_plural(n: int) -> int:
    return int(n != 1)


_MO_MAGIC = {b"\xde\x12\x04\x95": "<", b"\x95\x04\x12\xde": ">"}  # little / big endian


def read_mo(path: Path, code: str | None = None) -> Catalogue:
    """A compiled ``.mo`` file (GNU gettext's format, as ``pybabel compile`` writes it) as a
    :class:`Catalogue`, the same entries :func:`read` gives for its ``.po``; ValueError when
    the file is not one."""
    data = Path(path).read_bytes()
    order = _MO_MAGIC.get(data[:4])
    if order is None or len(data) < 28:
        raise ValueError(f"{path}: not a gettext .mo file")
    _, count, originals, translations = struct.unpack(order + "4I", data[4:20])
    entries: dict[str, str | tuple[str, ...]] = {}
    plural = _default_plural
    for i in range(count):
        olen, ooff = struct.unpack(order + "2I", data[originals + 8 * i:originals + 8 * i + 8])
        tlen, toff = struct.unpack(order + "2I", data[translations + 8 * i:translations + 8 * i + 8])
        original = data[ooff:ooff + olen].decode("utf-8")
        translation = data[toff:toff + tlen].decode("utf-8")
        if not original:  # the header
            for line in translation.splitlines():
                name, _, value = line.partition(":")
                if name.strip().lower() == "plural-forms" and "plural=" in value:
                    plural = gettext.c2py(value.split("plural=", 1)[1].strip().rstrip(";"))
            continue
        context, sep, msgid = original.partition("\x04")
        if not sep:
            continue  # every entry of ours has its key as msgctxt
        if "\x00" in msgid:
            forms = tuple(translation.split("\x00"))
            if forms and all(forms):
                entries[context] = forms
        elif translation:
            entries[context] = translation
    return Catalogue(code or Path(path).parent.name, Path(path), entries, plural)


def load(po: Path, code: str) -> Catalogue:
    """The pack's catalogue from its compiled ``messages.mo`` when that is at least as new as
    the ``.po`` (``scripts/setup.sh`` compiles them; a fresh clone has none), else from the
    ``.po`` itself."""
    mo = po.with_suffix(".mo")
    try:
        if mo.stat().st_mtime >= po.stat().st_mtime:
            return read_mo(mo, code)
        logger.info("%s is older than its .po: reading the .po", mo)
    except FileNotFoundError:
        pass
    except (OSError, ValueError, struct.error) as err:
        logger.warning("cannot read %s (%s): reading the .po", mo, err)
    return read(po, code)


_cache: dict[str, tuple[int, Catalogue]] = {}  # code -> (registry generation, catalogue)
_cache_lock = threading.Lock()


def catalogue(code: str) -> Catalogue:
    """The catalogue of pack ``code`` (read on first use, then kept until the registry
    changes); an empty one when the pack has no ``messages.po``."""
    gen = registry.generation()
    cached = _cache.get(code)
    if cached is not None and cached[0] == gen:
        return cached[1]
    with _cache_lock:
        cached = _cache.get(code)
        if cached is not None and cached[0] == gen:
            return cached[1]
        path = registry.catalogue_path(code)
        if path is None:
            logger.warning("language pack %r has no %s: its sentences are English", code,
                           registry.CATALOGUE_FILE)
            cat = Catalogue(code, None)
        else:
            cat = load(path, code)
        _cache[code] = (gen, cat)
    return cat


def clear_cache() -> None:
    """Forget the catalogues read so far (a changed file is read again on next use)."""
    with _cache_lock:
        _cache.clear()


# --- placeholders ------------------------------------------------------------------------


def placeholders(template: str) -> set[str]:
    """The field names a ``str.format`` template uses (``{month:02d}`` → ``month``).

    >>> sorted(placeholders("{a} and {b:02d} of {a}"))
    ['a', 'b']
    """
    names = set()
    for _, name, _, _ in string.Formatter().parse(template):
        if name is not None:
            names.add(name.split(".")[0].split("[")[0])
    return names


# --- pybabel extract: the custom extraction method named in babel.cfg --------------------


def extract_source(fileobj, keywords, comment_tags, options) -> Iterator[tuple]:
    """Babel extraction method for the English catalogue: each entry becomes a ``pgettext``
    (or ``npgettext``) message with its key as context and its comments for translators."""
    from babel.messages.pofile import read_po

    cat = read_po(fileobj)
    for message in cat:
        if not message.id or not message.context:
            continue
        comments = list(message.user_comments) + list(message.auto_comments)
        lineno = message.lineno or 0
        if isinstance(message.id, (tuple, list)):
            yield lineno, "npgettext", (message.context, message.id[0], message.id[1]), comments
        else:
            yield lineno, "pgettext", (message.context, message.id), comments


# --- the maintenance commands --------------------------------------------------------------


def _pybabel(*argv: str) -> None:
    from babel.messages.frontend import CommandLineInterface

    if str(REPO_ROOT) not in sys.path:  # babel.cfg names this module's extractor
        sys.path.insert(0, str(REPO_ROOT))
    CommandLineInterface().run(["pybabel", "-q", *argv])


def _messages_of(path: Path) -> list[tuple]:
    """What a template/catalogue says, without its header dates: (context, id, comments)."""
    from babel.messages.pofile import read_po

    with open(path, "rb") as fh:
        cat = read_po(fh)
    return [(m.context, m.id, tuple(m.auto_comments), tuple(m.user_comments)) for m in cat if m.id]


def _paths(root: Path | None) -> tuple[Path, Path, Path]:
    """(pack root, template, English source) of the built-in packs or of another root."""
    root = Path(root) if root is not None else LANG_ROOT
    return root, root / TEMPLATE.name, root / SOURCE_LANG / registry.CATALOGUE_FILE


def _extract_to(target: Path, root: Path | None = None) -> None:
    """``pybabel extract`` with ``babel.cfg`` (for another root, the same mapping there)."""
    import tempfile

    root, _, _ = _paths(root)
    options = ["--no-location", "--sort-by-file", f"--project={PROJECT}", "--version=1",
               f"--copyright-holder={PROJECT} contributors", "-c", "TRANSLATORS:"]
    if root == LANG_ROOT:
        _pybabel("extract", "-F", str(MAPPING), "-o", str(target), *options, str(REPO_ROOT))
        return
    with tempfile.TemporaryDirectory() as tmp:
        mapping = Path(tmp) / "babel.cfg"
        mapping.write_text(MAPPING.read_text(encoding="utf-8").replace("understanding/lang/", ""),
                           encoding="utf-8")
        _pybabel("extract", "-F", str(mapping), "-o", str(target), *options, str(root))


def _sync_source(source: Path) -> bool:
    """English is the source: its msgstr repeat its msgid, and the file is written the way
    Babel writes it (an entry typed by hand gets the same wrapping as the others, so later
    round trips change nothing). Returns True when it was changed."""
    from babel.messages.pofile import read_po, write_po

    with open(source, "rb") as fh:
        cat = read_po(fh)
    changed = False
    for message in cat:
        if message.id and message.string != message.id:
            message.string = message.id if isinstance(message.id, str) else tuple(message.id)
            changed = True
        if message.id and message.fuzzy:
            message.flags.discard("fuzzy")
            changed = True
    buf = io.BytesIO()
    write_po(buf, cat, width=76, no_location=True, include_previous=True)
    if buf.getvalue() != source.read_bytes():
        source.write_bytes(buf.getvalue())
        changed = True
    _stable_header(source)
    return changed


# pybabel stamps the template's creation time into it and into every catalogue it updates:
# two branches that each add a sentence would then always conflict on that header line. The
# commands write this fixed stamp instead (the catalogues' history is in git).
POT_CREATION_DATE = "2026-12-01 00:00+0000"


def _stable_header(path: Path) -> None:
    import re

    text = path.read_bytes().decode("utf-8")
    stamp = '"POT-Creation-Date: ' + POT_CREATION_DATE + '\\n"'  # the .po's escaped newline
    fixed = re.sub(r'"POT-Creation-Date: [^"\\]*\\n"', lambda _: stamp, text, count=1)
    if fixed != text:
        path.write_bytes(fixed.encode("utf-8"))


def extract(root: Path | None = None) -> bool:
    """Write ``messages.pot`` from the English catalogue; returns True when it changed (the
    file is left alone when only its creation date would change)."""
    import tempfile

    root, template, source = _paths(root)
    _sync_source(source)
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "messages.pot"
        _extract_to(fresh, root)
        if template.is_file() and _messages_of(fresh) == _messages_of(template):
            _stable_header(template)
            return False
        template.write_bytes(fresh.read_bytes())
        _stable_header(template)
    return True


def translations(root: Path | None = None) -> list[str]:
    """The packs that translate the template (every one but English)."""
    root, _, _ = _paths(root)
    return [code for code, folder in sorted(registry._packs_in(root).items())
            if code != SOURCE_LANG and (folder / registry.CATALOGUE_FILE).is_file()]


def update(root: Path | None = None) -> list[str]:
    """Extract, then merge the template into every translation: new sentences arrive
    untranslated, changed English marks the translation fuzzy (with the previous English
    beside it, ``#| msgid``), removed sentences go. Returns the languages updated."""
    root, template, _ = _paths(root)
    extract(root)
    codes = translations(root)
    for code in codes:
        _pybabel("update", "-i", str(template), "-o", str(root / code / registry.CATALOGUE_FILE),
                 "-l", code, "--previous", "--ignore-obsolete", "-w", "76")
        _stable_header(root / code / registry.CATALOGUE_FILE)
    return codes


def compile_all(root: Path | None = None) -> list[Path]:
    """``pybabel compile`` every pack's ``messages.po`` into the ``messages.mo`` beside it
    (not committed: ``scripts/setup.sh`` runs this; loading falls back to the ``.po`` when a
    ``.mo`` is missing or older than its ``.po``). Fuzzy and untranslated entries are left
    out, as when the ``.po`` is read."""
    root, _, _ = _paths(root)
    written = []
    for code, folder in sorted(registry._packs_in(root).items()):
        po = folder / registry.CATALOGUE_FILE
        if po.is_file():
            _pybabel("compile", "-i", str(po), "-o", str(po.with_suffix(".mo")), "-l", code)
            written.append(po.with_suffix(".mo"))
    return written


def init(code: str, root: Path | None = None) -> Path:
    """Start the pack ``code`` (``de``, ``pt_BR``) from the template, with Babel's plural rule
    for that language."""
    root, template, _ = _paths(root)
    extract(root)
    target = root / code / registry.CATALOGUE_FILE
    if target.exists():
        raise SystemExit(f"{_rel(target)} exists already: use update")
    target.parent.mkdir(parents=True, exist_ok=True)
    _pybabel("init", "-i", str(template), "-o", str(target), "-l", code, "-w", "76")
    _stable_header(target)
    return target


GLOSSARY_FILE = "glossary.toml"


@dataclass(frozen=True)
class Glossary:
    """A pack's words (``glossary.toml``): ``terms`` its sentences must use somewhere, and
    ``avoid`` patterns (case-insensitive regular expressions) with the term to use instead."""

    terms: tuple[str, ...] = ()
    avoid: tuple[tuple[object, str], ...] = ()

    def violations(self, text: str) -> list[str]:
        """Each avoided name in ``text``, with what to say instead."""
        return [f"{m.group(0)!r} (say: {use})" for pattern, use in self.avoid for m in pattern.finditer(text)]


def glossary(folder: Path) -> Glossary:
    """The glossary of the pack in ``folder`` (an empty one when it has none)."""
    import re
    import tomllib

    path = Path(folder) / GLOSSARY_FILE
    if not path.is_file():
        return Glossary()
    with open(path, "rb") as fh:
        data = tomllib.load(fh)
    avoid = tuple((re.compile(item["pattern"], re.IGNORECASE), str(item.get("use", "")))
                  for item in data.get("avoid", []))
    return Glossary(tuple(data.get("terms", [])), avoid)


def glossary_problems(path: Path) -> list[str]:
    """A catalogue's sentences against its pack's glossary (``glossary.toml`` beside it)."""
    from babel.messages.pofile import read_po

    words = glossary(Path(path).parent)
    if not words.terms and not words.avoid:
        return []
    with open(path, "rb") as fh:
        cat = read_po(fh)
    where = _rel(path)
    found, everything = [], []
    for m in cat:
        if not m.id:
            continue
        strings = m.string if isinstance(m.string, (tuple, list)) else (m.string,)
        for text in strings:
            everything.append(text or "")
            for problem in words.violations(text or ""):
                found.append(f"{where} [{m.context}]: {problem}")
    joined = " ".join(everything).lower()
    found += [f"{where}: the glossary's term {term!r} is used nowhere" for term in words.terms
              if term.lower() not in joined]
    return found


def problems(paths: Sequence[Path] | None = None, root: Path | None = None) -> list[str]:
    """Everything that keeps the catalogues from shipping; empty when all is well.

    - the template is what ``extract`` would write now;
    - English (the source) has every msgstr equal to its msgid;
    - every other catalogue (``paths``, default: the root's translations) has each template
      entry, translated, not fuzzy, and no entry the template lacks; Babel's own checkers
      (those ``pybabel compile`` runs: plural count, format strings) pass; a translation uses
      no ``{placeholder}`` the English lacks;
    - every catalogue keeps to its pack's ``glossary.toml``.
    """
    import tempfile

    from babel.messages.pofile import read_po

    root, template, source_path = _paths(root)
    found: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "messages.pot"
        _extract_to(fresh, root)
        if not template.is_file() or _messages_of(fresh) != _messages_of(template):
            found.append(f"{_rel(template)} is not current: run python -m understanding.catalogues update")
    with open(source_path, "rb") as fh:
        source = read_po(fh)
    english = {m.context: m for m in source if m.id}
    for m in english.values():
        if m.string != m.id and tuple(m.string or ()) != tuple(m.id):
            found.append(f"{_rel(source_path)} [{m.context}]: msgstr differs from msgid (run update)")
    if paths is None:
        paths = [root / c / registry.CATALOGUE_FILE for c in translations(root)]
    for path in paths:
        with open(path, "rb") as fh:
            cat = read_po(fh)
        where = _rel(path)
        seen = set()
        for m in cat:
            if not m.id:
                continue
            seen.add(m.context)
            en = english.get(m.context)
            if en is None or en.id != m.id:
                found.append(f"{where} [{m.context}]: not in the template (stale entry)")
                continue
            if m.fuzzy:
                found.append(f"{where} [{m.context}]: fuzzy (review the translation, then drop the flag)")
            strings = m.string if isinstance(m.string, (tuple, list)) else (m.string,)
            if not all(strings):
                found.append(f"{where} [{m.context}]: untranslated")
                continue
            ids = m.id if isinstance(m.id, (tuple, list)) else (m.id,)
            allowed = set().union(*(placeholders(i) for i in ids))
            for s in strings:
                extra = placeholders(s) - allowed
                if extra:
                    found.append(f"{where} [{m.context}]: unknown placeholder(s) {sorted(extra)}")
        for message, errors in cat.check():
            for error in errors:
                found.append(f"{where} [{message.context}]: {error}")
        for key in english:
            if key not in seen:
                found.append(f"{where} [{key}]: missing (run update, then translate)")
    for path in [source_path, *paths]:
        found += glossary_problems(path)
    return found


def _dict_sentences(path: Path) -> dict[str, str]:
    """The ``T = {...}`` sentences of a former ``messages_<lang>.py`` (read, never run)."""
    import ast

    tree = ast.parse(Path(path).read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "T" for t in node.targets):
            return ast.literal_eval(node.value)
    raise ValueError(f"{path}: no T = {{...}} table")


def port_dicts(english: Path, french: Path, base_english: Path, base_french: Path,
               root: Path | None = None) -> list[str]:
    """Bring sentences a branch wrote in the former per-language dicts
    (``understanding/messages_en.py`` / ``messages_fr.py``) into the catalogues, given the
    dicts the branch started from (``base_*``, e.g. ``git show $(git merge-base main B):...``):
    only keys the branch added or changed are ported — a new key becomes an entry (English
    source, French translation), a changed one gets the branch's English and French. Empty
    sentences and ``one``/``other`` pairs are reported, not ported (a plural entry is written
    by hand). Then ``update``. Returns what it did."""
    from babel.messages.pofile import read_po, write_po

    root, _, source = _paths(root)
    en, fr = _dict_sentences(english), _dict_sentences(french)
    base_en, base_fr = _dict_sentences(base_english), _dict_sentences(base_french)
    # the language of the second dict is its file's (``messages_fr.py``, ``fr.py``)
    target = root / french.stem.rsplit("_", 1)[-1] / registry.CATALOGUE_FILE
    with open(source, "rb") as fh:
        en_cat = read_po(fh)
    with open(target, "rb") as fh:
        fr_cat = read_po(fh)
    ours_en = {m.context: m for m in en_cat if m.id}
    ours_fr = {m.context: m for m in fr_cat if m.id}
    report: list[str] = []

    def put(key: str, english_text: str, french_text: str, fuzzy: bool = False) -> None:
        for cat, string in ((en_cat, english_text), (fr_cat, french_text)):
            previous = next((m for m in cat if m.context == key), None)
            if previous is not None:
                cat.delete(previous.id, context=key)
            cat.add(english_text, string, context=key,
                    flags=("fuzzy",) if fuzzy and cat is fr_cat else ())

    for key, theirs_en in en.items():
        theirs_fr = fr.get(key, "")
        en_changed, fr_changed = theirs_en != base_en.get(key), theirs_fr != base_fr.get(key)
        if not en_changed and not fr_changed:
            continue  # the branch did not touch it
        if not theirs_en or key.endswith(("_one", "_other", ".one", ".many")):
            report.append(f"{key}: not ported (empty, or a one/other pair: write a plural entry)")
            continue
        if key not in ours_en:
            put(key, theirs_en, theirs_fr)
            report.append(f"{key}: added" + ("" if theirs_fr else " (no French: translate it)"))
            continue
        mine_en, mine_fr = ours_en[key].id, ours_fr[key].string if key in ours_fr else ""
        if not isinstance(mine_en, str):
            report.append(f"{key}: not ported (a plural entry here: edit it by hand)")
            continue
        new_en, new_fr = mine_en, mine_fr
        if en_changed and theirs_en != mine_en:
            if mine_en != base_en.get(key):
                report.append(f"{key}: CONFLICT, English changed here and on the branch: kept {mine_en!r}, "
                              f"the branch says {theirs_en!r}")
                continue
            new_en = theirs_en
        if fr_changed and theirs_fr != mine_fr:
            if mine_fr != base_fr.get(key):
                report.append(f"{key}: CONFLICT, French changed here and on the branch: kept {mine_fr!r}, "
                              f"the branch says {theirs_fr!r}")
                continue
            new_fr = theirs_fr
        if (new_en, new_fr) == (mine_en, mine_fr):
            continue  # the same change was made here
        stale = new_en != mine_en and new_fr == mine_fr
        put(key, new_en, new_fr, fuzzy=stale)
        report.append(f"{key}: changed" + (" (French now fuzzy: review it)" if stale else ""))
    for key in sorted(set(base_en) - set(en)):
        report.append(f"{key}: removed on the branch (left in the catalogues: delete it if unused)")
    for cat, path in ((en_cat, source), (fr_cat, target)):
        buf = io.BytesIO()
        write_po(buf, cat, width=76, no_location=True)
        path.write_bytes(buf.getvalue())
    update(root)
    return report


def _rel(path: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(REPO_ROOT))
    except ValueError:
        return str(path)
