"""The test tree: test modules share helpers through tests/fixtures/, never import each other."""

from __future__ import annotations

import ast

from tests.fixtures import ROOT

TESTS = ROOT / "tests"


def _is_test_module(name: str) -> bool:
    """True for a dotted name that reaches a test module or a conftest."""
    return any(part.startswith("test_") or part == "conftest" for part in name.split("."))


def _imported(node: ast.Import | ast.ImportFrom) -> list[str]:
    """The dotted names an import statement brings in (a from-import's names as submodules)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = "." * node.level + (node.module or "")
    return [base, *(f"{base}.{alias.name}" for alias in node.names)]


def test_no_test_module_imports_another() -> None:
    found = []
    for path in sorted(TESTS.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [n for n in _imported(node) if n.startswith((".", "tests."))]
                found += [f"{path.relative_to(ROOT)}: {n}" for n in names if _is_test_module(n)]
    assert found == []
