"""A PDF page's tables as Markdown rows, where pypdf's text gives each cell a line of its own."""

from __future__ import annotations

import re
from collections.abc import Callable

# Cells of a laid-out row stand apart by three spaces or more; words within a cell by one.
_CELL_GAP = re.compile(r"[ \t]{3,}")
# A run of this many short lines in a row may be a table's cells: only then is the page laid out
# again (the layout pass costs about as much as the text itself).
MIN_CELL_LINES = 6
CELL_CHARS = 40


def might_hold_table(text: str) -> bool:
    """True when a page's text has a run of short lines, as a table's cells one a line give."""
    run = 0
    for line in text.split("\n"):
        short = 0 < len(line.strip()) <= CELL_CHARS and not line.rstrip().endswith((".", ":"))
        run = run + 1 if short else 0
        if run >= MIN_CELL_LINES:
            return True
    return False


def _tables(layout: str) -> list[list[list[str]]]:
    """The tables of a page laid out: two or more rows in a row with as many cells, two or more."""
    found: list[list[list[str]]] = []
    run: list[list[str]] = []
    for line in [*layout.split("\n"), ""]:
        cells = [c for c in _CELL_GAP.split(line.strip()) if c] if line.strip() else []
        if len(cells) >= 2 and (not run or len(cells) == len(run[0])):
            run.append(cells)
            continue
        if len(run) >= 2:
            found.append(run)
        run = [cells] if len(cells) >= 2 else []
    return found


def _markdown(table: list[list[str]]) -> list[str]:
    header, *rows = table
    ruled = [header, ["---"] * len(header), *rows]
    return ["| " + " | ".join(cell.replace("|", "/") for cell in row) + " |" for row in ruled]


def with_tables(text: str, laid_out: Callable[[], str] | None) -> str:
    """The page's text with each table's cell-a-line run as a Markdown table, read from layout."""
    # "Dallas", "2.1 GW", "2.4%" a line each said nothing of which market's vacancy is 2.4%:
    # "What is the vacancy in Dallas?" was answered with the primary markets' 1.6%.
    if laid_out is None or not might_hold_table(text):
        return text
    lines = text.split("\n")
    for table in _tables(laid_out()):
        cells = [cell for row in table for cell in row]
        stripped = [line.strip() for line in lines]
        at = next(
            (
                i
                for i in range(len(lines) - len(cells) + 1)
                if stripped[i : i + len(cells)] == cells
            ),
            None,
        )
        # Only cells found as laid out, in their order: anything else is left as pypdf gave it.
        if at is not None:
            lines[at : at + len(cells)] = _markdown(table)
    return "\n".join(lines)
