"""The documentation: a README that guides, and an architecture page that matches the tree."""

from __future__ import annotations

from scripts.module_map import PAGE, page
from tests.fixtures import ROOT


def test_the_module_map_is_the_trees() -> None:
    text = PAGE.read_text(encoding="utf-8")
    assert text == page(text), "run `python scripts/module_map.py` to write it again"


def test_the_readme_is_a_guide_of_at_most_300_lines() -> None:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 300
