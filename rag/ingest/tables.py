"""A table of data as the readers write it: Markdown rows, and what tells data from layout."""

from __future__ import annotations

from collections.abc import Sequence

# A table of data, not of layout: no table inside it, two rows or more with text, two cells or
# more in the first, no cell longer than this (in characters): older pages lay whole articles out
# in tables …
CELL_CHARS = 300
# … and no more cells than this: a page or document of a million empty cells keeps no record of
# each (the .docx reader counts its rows too).
CELL_LIMIT = 5_000


def markdown_rows(rows: Sequence[Sequence[str]], header: bool) -> list[str] | None:
    """The rows with text as Markdown, the first ruled off if a header; None if too few for data."""
    # A cell left empty keeps its place in its row, so that each value stays under its column.
    if len(rows) < 2 or len(rows[0]) < 2:
        return None
    lines = ["| " + " | ".join(cell.replace("|", "/") for cell in row) + " |" for row in rows]
    if header:
        lines.insert(1, "|" + "---|" * len(rows[0]))
    return lines
