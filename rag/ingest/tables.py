"""A table of data as the readers write it: Markdown rows, and what tells data from layout."""

from __future__ import annotations

import re
from collections.abc import Sequence

# A table of data, not of layout: no table inside it, two rows or more with text, two cells or
# more in the first, no cell longer than this (in characters): older pages lay whole articles out
# in tables …
CELL_CHARS = 300
# … and no more cells than this: a page or document of a million empty cells keeps no record of
# each (the .docx reader counts its rows too).
CELL_LIMIT = 5_000
# A cell that is a quantity: "210", "$1.9 billion", "43%", "400 MW", "(12.5)".
_QUANTITY = re.compile(r"[~<>≈$€£¥+\-−(]*\d[\d,.]*\s*(?:%|[A-Za-z]{1,8})?\)?")


def markdown_rows(rows: Sequence[Sequence[str]], header: bool) -> list[str] | None:
    """The rows with text as Markdown, the first ruled off if a header; None if too few for data."""
    # A cell left empty keeps its place in its row, so that each value stays under its column.
    if len(rows) < 2 or len(rows[0]) < 2:
        return None
    lines = ["| " + " | ".join(cell.replace("|", "/") for cell in row) + " |" for row in rows]
    if header or heads_quantities(rows):
        lines.insert(1, "|" + "---|" * len(rows[0]))
    return lines


def heads_quantities(rows: Sequence[Sequence[str]]) -> bool:
    """True when the first row names columns: no quantity in it, a column of them below it."""
    # Word and HTML tables seldom mark their header row (w:tblHeader, <th>), so "Reno; 210;
    # Operating" was read with no column names. A first row of words over a column of numbers
    # names the columns. A table of two columns is more often a label's value a row ("Founded |
    # 2019"), which reads no better with the first row for column names.
    first, rest = rows[0], rows[1:]
    if (
        len(first) < 3
        or not all(cell.strip() for cell in first)
        or any(_QUANTITY.fullmatch(c.strip()) for c in first)
    ):
        return False
    return any(
        all(_QUANTITY.fullmatch(row[i].strip()) for row in rest if i < len(row) and row[i].strip())
        and any(i < len(row) and row[i].strip() for row in rest)
        for i in range(len(first))
    )
