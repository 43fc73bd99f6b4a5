"""core/ is pure: no Bot Framework, web server or database import, and its doctests pass."""
from __future__ import annotations

import ast
import doctest
import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[1] / "core"
FORBIDDEN = ("botbuilder", "aiohttp", "aiosqlite", "asyncpg", "sqlite3", "psycopg", "psycopg2")
MODULES = sorted(p for p in CORE.glob("*.py"))


def _imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
                "import_module", "__import__") and node.args and isinstance(node.args[0], ast.Constant):
            roots.add(str(node.args[0].value).split(".")[0])
    return roots


def test_core_has_modules():
    assert {p.stem for p in MODULES} >= {"__init__", "periods", "today", "reading", "retention", "money",
                                         "programs", "policy", "errors",
                                         "activity", "relative"}


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_no_forbidden_import_in_source(path):
    bad = _imported_roots(path) & set(FORBIDDEN)
    assert not bad, f"core/{path.name} imports {sorted(bad)}: core/ must stay pure (CONVENTIONS.md)"


def test_the_static_check_would_catch_one(tmp_path):
    sample = tmp_path / "x.py"
    sample.write_text("import os\nfrom botbuilder.core import TurnContext\nimport aiohttp.web\n"
                      "def f():\n    import sqlite3\n    importlib.import_module('asyncpg')\n", "utf-8")
    assert _imported_roots(sample) & set(FORBIDDEN) == {"botbuilder", "aiohttp", "sqlite3", "asyncpg"}


@pytest.mark.process
def test_importing_core_loads_no_forbidden_module():
    code = ("import json, sys; import core; from core import *; "
            "core.fold('FY21 H2 and 1/2/2024'); core.calendar().cycle_for_date(__import__('datetime').date(2024, 2, 29)); core.status(__import__('datetime').date(2024, 2, 29)); "
            f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {list(FORBIDDEN)!r})))")
    out = subprocess.run([sys.executable, "-c", code], cwd=CORE.parent, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == [], "core pulled in " + out.stdout


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_doctests(path):
    module = importlib.import_module("core" if path.stem == "__init__" else f"core.{path.stem}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, verbose=False)
    assert result.failed == 0


def test_the_modules_with_examples_have_doctests():
    attempted = {p.stem: doctest.testmod(importlib.import_module(f"core.{p.stem}")).attempted
                 for p in MODULES if p.stem != "__init__"}
    for name in ("periods", "today", "reading", "retention", "money", "programs", "policy", "activity", "relative"):
        assert attempted[name] > 0, name
