"""Writes docs/architecture.md's module map from the tree: each module and its docstring."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "architecture.md"
BEGIN = "<!-- module map: written by scripts/module_map.py -->"
END = "<!-- end of the module map -->"


def table() -> str:
    """One row per module of rag/ and ui/, by folder, with the first line of its docstring."""
    rows = ["| module | what it holds |", "|---|---|"]
    for package in ("rag", "ui"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if path.name == "__main__.py":
                continue
            doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
            name = path.relative_to(ROOT).as_posix()
            rows.append(f"| `{name}` | {doc.splitlines()[0] if doc else ''} |")
    return "\n".join(rows)


def page(text: str) -> str:
    """The page with its module map replaced by the tree's."""
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    return text[:start] + "\n" + table() + "\n" + text[end:]


if __name__ == "__main__":
    PAGE.write_text(page(PAGE.read_text(encoding="utf-8")), encoding="utf-8")
    sys.stderr.write(f"wrote the module map of {PAGE.relative_to(ROOT)}\n")
