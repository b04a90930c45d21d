"""The front ends' import layers: nothing imports back up, no front end imports a sibling."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FRONT_ENDS = ("ui.web", "ui.api", "ui.slack")


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, set[str]]:
    """Each module of rag/ and ui/, and the ones of them it imports (in functions too)."""
    paths = {_module(p): p for package in ("rag", "ui") for p in (ROOT / package).rglob("*.py")}
    found: dict[str, set[str]] = {}
    for module, path in paths.items():
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                # `from ui.cli import ingest` imports the module ui.cli.ingest.
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    names.add(full if full in paths else node.module)
        found[module] = {n for n in names if n in paths}
    return found


def _within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def test_no_module_imports_back_up_the_layers() -> None:
    imports = _imports()
    wrong = []
    for module, names in imports.items():
        for name in names:
            if _within(module, "rag") and _within(name, "ui"):
                wrong.append(f"{module} -> {name} (the library imports a front end)")
            if _within(module, "ui.server") and _within(name, "ui.cli"):
                wrong.append(f"{module} -> {name} (the server imports the command line)")
            for front in FRONT_ENDS:
                if not _within(module, front):
                    continue
                if _within(name, "ui.server") or _within(name, "ui.cli"):
                    wrong.append(f"{module} -> {name} (a front end imports what mounts it)")
                siblings = [f for f in FRONT_ENDS if f != front and _within(name, f)]
                wrong += [f"{module} -> {name} (a front end imports {s})" for s in siblings]
    assert wrong == []


def test_no_import_circles_in_ui() -> None:
    imports = _imports()
    modules = {m for m in imports if _within(m, "ui")}
    edges = {m: {n for n in imports[m] if n in modules and n != m} for m in modules}
    circles = []
    state: dict[str, int] = {}

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(edges[module]):
            if state.get(target) == 1:
                circles.append(" -> ".join([*path[path.index(target) :], target]))
            elif target not in state:
                visit(target, [*path, target])
        state[module] = 2

    for module in sorted(modules):
        if module not in state:
            visit(module, [module])
    assert circles == []
