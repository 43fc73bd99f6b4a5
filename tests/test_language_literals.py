"""No Python file names a language: languages are folders (``understanding/lang/<code>/``, or
``COOP_LANG_PATH``) found by the one registry, ``understanding/registry.py``, the only module
that names one (its ``DEFAULT``, the catalogues' source language). A code literal anywhere else
("en", 'fr', "de", "fr-CA", ``value="en"`` in HTML, ``DEFAULT 'en'`` in SQL) is a branch a new
language would not take. Docstrings (doctests) and comments are examples, not code; tests,
eval, bench and e2e are not product code; applied database migrations (``MIGRATIONS = [...]``)
are history, checksummed, and keep the column defaults they were written with."""
from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

from babel import Locale

from understanding import registry

REPO = Path(__file__).resolve().parent.parent
NOT_PRODUCT = {"tests", "eval", "bench", "e2e", "docs", "scripts", "node_modules"}
ALLOWED = {Path("understanding/registry.py")}  # the registry: DEFAULT


# codes of other languages that code also writes as words or names ("id" of a record, "tr" of a
# table row, "ms" of milliseconds, "ca" of "circa"): not counted when they stand alone
ALSO_WORDS = {"id", "tr", "ms", "ca", "it", "no", "is", "to", "or", "as", "am", "be", "do", "so", "my", "he"}


def _codes() -> set[str]:
    """The language codes a literal could name: the registered packs' and those partners write
    in (``other_languages.toml``: the next packs), but for the few that are also words."""
    other = tomllib.loads((REPO / "understanding" / "lang" / "other_languages.toml").read_text("utf-8"))
    return set(registry.codes()) | (set(other) - ALSO_WORDS)


_EN = Locale("en")
_TAG = re.compile(r"^([a-z]{2,3})[-_]([A-Z]{2}|\d{3})$")


def _is_language_literal(value: str, codes: set[str]) -> bool:
    """``"fr"`` (a known language) or ``"fr-CA"``/``"pt_BR"`` (a CLDR language and territory)."""
    if value in codes:
        return True
    m = _TAG.match(value)
    return bool(m) and m.group(1) in _EN.languages and m.group(2) in _EN.territories


def _embedded(codes: set[str]) -> re.Pattern[str]:
    alternatives = "|".join(sorted(map(re.escape, codes)))
    return re.compile(rf"""(?:=\s*|\bDEFAULT\s+)["']({alternatives})(?:[-_][A-Z]{{2}})?["']""")


def _not_code(tree: ast.AST) -> set[int]:
    """The constants that are no code: docstrings, and the SQL of applied migrations."""
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "MIGRATIONS" for t in node.targets):
            ids |= {id(c) for c in ast.walk(node.value) if isinstance(c, ast.Constant)}
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = getattr(node, "body", [])
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def product_files() -> list[Path]:
    out = []
    for path in sorted(REPO.rglob("*.py")):
        rel = path.relative_to(REPO)
        if rel.parts[0].startswith(".") or rel.parts[0] in NOT_PRODUCT or "node_modules" in rel.parts:
            continue
        out.append(rel)
    return out


def language_literals(source: str, codes: set[str] | None = None) -> list[tuple[int, str]]:
    """(line, literal) of every language named in ``source``'s code (not its docstrings).

    >>> language_literals('lang = "fr" if x else DEFAULT')
    [(1, 'fr')]
    >>> language_literals('def f():\\n    "a doctest: f(\\'fr\\')"\\n    return registry.DEFAULT')
    []
    >>> language_literals('html = f\\'<option value="en">{name}</option>\\'')
    [(1, '="en"')]
    """
    codes = codes or _codes()
    embedded = _embedded(codes)
    tree = ast.parse(source)
    skip = _not_code(tree)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Constant) or not isinstance(node.value, str) or id(node) in skip:
            continue
        if _is_language_literal(node.value, codes):
            found.append((node.lineno, node.value))
        else:
            found += [(node.lineno, m.group(0)) for m in embedded.finditer(node.value)]
    return found


def test_no_python_file_names_a_language_but_the_registry():
    codes = _codes()
    files = product_files()
    assert Path("understanding/registry.py") in files and Path("bot/cards.py") in files
    named = {}
    for rel in files:
        if rel in ALLOWED:
            continue
        found = language_literals((REPO / rel).read_text(encoding="utf-8"), codes)
        if found:
            named[str(rel)] = found
    assert not named, ("language codes in code (ask understanding.registry: codes(), language(code), "
                       f"DEFAULT; words in the packs' vocab.toml, sentences in messages.po): {named}")


def test_the_registry_names_only_the_default_language():
    source = (REPO / "understanding" / "registry.py").read_text(encoding="utf-8")
    assert {value for _, value in language_literals(source)} == {registry.DEFAULT}


def test_the_guard_sees_a_literal_wherever_code_puts_one():
    for code, literal in (('if lang == "fr":\n    pass', "fr"), ("LANGS = ('en', 'fr')", "en"),
                          ('x = {"fr-CA": 1}', "fr-CA"), ("f(lang='de')", "de"),
                          ("sql = \"lang TEXT NOT NULL DEFAULT 'en'\"", "DEFAULT 'en'")):
        assert literal in [value for _, value in language_literals(code)], code
    # words that merely look like codes are not languages
    assert language_literals('key = "id"; kind = "ok"; x = "en dash"; y = "HTTP_OK"') == []


def test_the_guards_doctests_pass():
    import doctest
    import sys

    result = doctest.testmod(sys.modules[__name__])
    assert result.attempted and result.failed == 0
