"""The import direction of docs/ARCHITECTURE.md, read from the code (ast, every import
statement, also those inside functions): a package imports only the project packages its row
allows, every product package has a row, and no package's modules import each other in a
circle (bot/adapter.py <-> bot/http.py was one)."""

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TABLE = REPO / "docs" / "ARCHITECTURE.md"
NOT_CHECKED = {"eval", "bench", "teams", "e2e", "tests", "scripts", "docs", "data"}


def allowed_imports() -> dict[str, set[str]]:
    """Row name (``core``, ``config``, ``app``, ...) -> the project names its "may import" cell
    lists in backticks."""
    rows: dict[str, set[str]] = {}
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3 or not cells[0].startswith("`"):
            continue
        names = re.findall(r"`([A-Za-z_][\w]*)(?:/|\.py)?`", cells[0])
        if cells[2] == "—":
            continue
        allowed = set(re.findall(r"`([A-Za-z_]\w*)`", cells[2]))
        for name in names:
            rows[name] = allowed
    return rows


def product_units() -> dict[str, list[Path]]:
    """Package or top-level module name -> its source files."""
    units: dict[str, list[Path]] = {}
    for path in sorted(REPO.iterdir()):
        if path.name.startswith(".") or path.name in NOT_CHECKED:
            continue
        if path.is_dir() and (path / "__init__.py").is_file():
            units[path.name] = sorted(p for p in path.rglob("*.py") if ".venv" not in p.parts)
        elif path.suffix == ".py":
            units[path.stem] = [path]
    return units


def imported_modules(path: Path, package: str | None = None, *, source: str | None = None,
                     here: str | None = None) -> set[str]:
    """Absolute dotted names of every module ``path`` imports (relative imports resolved)."""
    if source is None:
        source = path.read_text(encoding="utf-8")
    tree = ast.parse(source, filename=str(path))
    here = here or ".".join(path.relative_to(REPO).with_suffix("").parts)
    if here.endswith(".__init__"):
        here = here[: -len(".__init__")] + ".__init__"
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here.split(".")[: -node.level]
                module = ".".join(base + ([node.module] if node.module else []))
                if node.module is None:  # from . import x: x may be a module
                    names.update(f"{module}.{alias.name}" for alias in node.names)
                names.add(module)
            elif node.module:
                names.add(node.module)
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_every_product_package_has_a_row():
    rows = allowed_imports()
    missing = sorted(set(product_units()) - set(rows))
    assert not missing, f"add a row to docs/ARCHITECTURE.md for {missing}"


def test_no_package_imports_one_it_may_not():
    rows = allowed_imports()
    units = product_units()
    assert {"core", "understanding", "storage", "reminders", "dialogs", "bot"} <= set(rows)
    problems = []
    for unit, files in units.items():
        allowed = rows.get(unit, set()) | {unit}
        for path in files:
            for module in imported_modules(path, unit):
                top = module.split(".")[0]
                if top in units and top not in allowed:
                    problems.append(f"{path.relative_to(REPO)} imports {module}")
    assert not sorted(set(problems)), "\n".join(sorted(set(problems)))


def test_no_import_cycle_between_the_modules_of_a_package():
    units = product_units()
    for unit, files in units.items():
        if len(files) < 2:
            continue
        modules = {".".join(p.relative_to(REPO).with_suffix("").parts): p for p in files}
        graph = {name: {m for m in imported_modules(path, unit) if m in modules and m != name}
                 for name, path in modules.items()}
        for start in graph:
            stack, seen = [(start, [start])], set()
            while stack:
                node, trail = stack.pop()
                for nxt in graph[node]:
                    assert nxt != start, f"import cycle: {' -> '.join(trail + [nxt])}"
                    if nxt not in seen:
                        seen.add(nxt)
                        stack.append((nxt, trail + [nxt]))


def test_the_checker_sees_a_forbidden_import():
    """The check itself: an upward import hidden in a function, and a relative one, are found."""
    source = "def f():\n    from bot.adapter import CoopAdapter\n\nfrom .store import migrate\n"
    found = imported_modules(Path("reminders/x.py"), source=source, here="reminders.x")
    assert {"bot.adapter", "reminders.store"} <= found
    rows = allowed_imports()
    assert "bot" not in rows["reminders"] and "reminders" not in rows["dialogs"]
    assert "bot" in rows["cli"] and "services" in rows["app"]
