"""HTML's text, title and headings, read as a stream of tags with no tree kept."""

# The text is what BeautifulSoup's "html.parser" gave (the same tokenizer, the strings outside
# script, style, noscript and template and outside the first title, one line each), at a fifth of
# the time and with no tree kept. A saved news page also holds menus, a footer, sidebars and
# buttons ("Subscribe now!"): their text is left out, and so is all text outside the page's <main>
# or <article> when it marks one.

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

from rag.ingest.limits import TextBudget

_SKIPPED = frozenset({"script", "style", "noscript", "template"})
# A page's furniture, not its article: menus, the page's footer, sidebars, buttons, dialogs.
# Not <form>: some sites wrap the whole page in one.
_FURNITURE = frozenset({"nav", "footer", "aside", "button", "dialog"})
# Where a page marks its content: with one, the text outside it is furniture too.
_CONTENT = frozenset({"main", "article"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_CELLS = frozenset({"td", "th"})
_FEED = 64 * 1024
# A table of data, not of layout: no table inside it, two rows or more with text, two cells or
# more in the first, and no cell longer than this. Older pages lay whole articles out in tables.
CELL_CHARS = 300


@dataclass
class HtmlText:
    """Non-empty lines of text, the first title's text, the first h1's, and every heading's."""

    lines: list[str] = field(default_factory=list)
    title: str = ""
    h1: str | None = None
    headings: list[str] = field(default_factory=list)


def read_html(markup: str, budget: TextBudget) -> HtmlText:
    """The text of the markup, fed in pieces; DocumentLimitError once it is over the limit."""
    reader = _Reader(budget)
    for start in range(0, len(markup), _FEED):
        reader.feed(markup[start : start + _FEED])
    reader.close()
    return reader.found


class _Reader(HTMLParser):
    def __init__(self, budget: TextBudget) -> None:
        super().__init__(convert_charrefs=True)
        self.budget = budget
        self.found = HtmlText()
        self.skipping = 0
        self.in_title = False
        self.titled = False
        self.title: list[str] = []
        self.h1: int | None = None
        # Open headings: tag, place in the list of headings, and the stripped strings so far.
        self.open: list[tuple[str, int, list[str]]] = []
        # Text arrives in pieces (feed boundaries): one string is what lies between two tags.
        self.pending: list[str] = []
        # Furniture and content elements open, each tag's own stack of where its lines start;
        # the lines of each one closed. An element never closed marks nothing, so a stray
        # "<nav>" loses no article.
        self.starts: dict[str, list[int]] = {tag: [] for tag in _FURNITURE | _CONTENT}
        self.furniture: list[tuple[int, int]] = []
        self.content: list[tuple[int, int]] = []
        # Tables: each line's cell (-1: none), each cell's table and row, the tables open.
        self.line_cells: list[int] = []
        self.cells: list[tuple[int, int]] = []
        # The header cells (<th>) by id.
        self.heads: set[int] = set()
        self.tables: list[_Table] = []
        self.open_tables: list[int] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._flush()
        if tag in self.starts:
            self.starts[tag].append(len(self.found.lines))
        if not self.skipping:
            self._table_tag(tag)
        if tag in _SKIPPED:
            self.skipping += 1
        elif tag == "title" and not self.titled and not self.skipping:
            self.in_title = True
        elif tag in _HEADINGS and not self.skipping:
            # Listed where it starts, as a tree lists it; its text is known where it ends.
            self.open.append((tag, len(self.found.headings), []))
            self.found.headings.append("")
            if tag == "h1" and self.h1 is None:
                self.h1 = len(self.found.headings) - 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # <br/> and the like hold no text; a self-closed <script/> opens nothing.
        self._flush()

    def handle_endtag(self, tag: str) -> None:
        self._flush()
        if self.skipping or not self.open_tables:
            pass
        elif tag in _CELLS | {"tr"}:
            self.tables[self.open_tables[-1]].cell = -1
        elif tag == "table":
            self.open_tables.pop()
        if self.starts.get(tag):
            marked = self.furniture if tag in _FURNITURE else self.content
            marked.append((self.starts[tag].pop(), len(self.found.lines)))
        if tag in _SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag == "title" and self.in_title:
            self.in_title, self.titled = False, True
            self.found.title = " ".join(self.title)
        elif tag in _HEADINGS:
            for i in range(len(self.open) - 1, -1, -1):
                if self.open[i][0] == tag:
                    # An end tag closes the headings opened inside it too, as a tree would.
                    for _, place, words in self.open[i:]:
                        self.found.headings[place] = " ".join(words)
                    del self.open[i:]
                    break

    def handle_data(self, data: str) -> None:
        self.pending.append(data)

    def close(self) -> None:
        super().close()
        self._flush()
        if self.in_title:
            self.found.title = " ".join(self.title)
        for _, place, words in self.open:
            self.found.headings[place] = " ".join(words)
        self.open.clear()
        if self.h1 is not None:
            self.found.h1 = self.found.headings[self.h1]
        kept = _article(len(self.found.lines), self.furniture, self.content)
        self.found.lines = _tabled(
            [(self.found.lines[i], self.line_cells[i]) for i in kept],
            self.cells,
            self.heads,
            self.tables,
        )

    def _table_tag(self, tag: str) -> None:
        """Follow a table's rows and cells as their tags open."""
        if tag == "table":
            if self.open_tables:
                self.tables[self.open_tables[-1]].nested = True
            self.open_tables.append(len(self.tables))
            self.tables.append(_Table())
        elif self.open_tables and tag in _CELLS | {"tr"}:
            table = self.tables[self.open_tables[-1]]
            table.cell = -1
            if tag == "tr" or table.rows == 0:
                table.rows += 1
            if tag in _CELLS:
                table.cell = len(self.cells)
                self.cells.append((self.open_tables[-1], table.rows - 1))
                if tag == "th":
                    self.heads.add(table.cell)

    def _flush(self) -> None:
        if not self.pending:
            return
        string = "".join(self.pending)
        self.pending.clear()
        if self.skipping:
            return
        if self.in_title:
            if string.strip():
                self.title.append(string.strip())
            return
        for _, _, words in self.open:
            if string.strip():
                words.append(string.strip())
        cell = self.tables[self.open_tables[-1]].cell if self.open_tables else -1
        for line in string.splitlines():
            if line := line.strip():
                self.found.lines.append(self.budget.take(line))
                self.line_cells.append(cell)
                if cell >= 0:
                    self.tables[self.cells[cell][0]].chars(cell, len(line))


@dataclass
class _Table:
    """A table as its tags go by: rows so far, the cell open, and what tells data from layout."""

    rows: int = 0
    cell: int = -1
    nested: bool = False
    # The characters of each cell's text.
    sizes: dict[int, int] = field(default_factory=dict)

    def chars(self, cell: int, count: int) -> None:
        """Count a line of a cell's text."""
        self.sizes[cell] = self.sizes.get(cell, 0) + count + 1

    def of_data(self, first_row_cells: int) -> bool:
        """Whether the table holds data to be read row by row."""
        return (
            not self.nested
            and first_row_cells >= 2
            and max(self.sizes.values(), default=0) <= CELL_CHARS + 1
        )


def _article(
    count: int, furniture: list[tuple[int, int]], content: list[tuple[int, int]]
) -> list[int]:
    """The indexes of the page's content lines without its furniture, else the page's without it."""
    dropped = _within(count, furniture)
    inside = _within(count, content)
    kept = [
        i for i, (out, main) in enumerate(zip(dropped, inside, strict=True)) if main and not out
    ]
    # A page all furniture (or marked oddly) keeps its text: a menu is better than nothing.
    return kept or [i for i, out in enumerate(dropped) if not out] or list(range(count))


def _tabled(
    lines: list[tuple[str, int]],
    cells: list[tuple[int, int]],
    heads: set[int],
    tables: list[_Table],
) -> list[str]:
    """The lines, each data table's cells written as Markdown rows where its first cell is."""
    # Each table's rows, their cells' kept text. A cell left empty keeps its place in its row,
    # so that each value stays under its column's name.
    rows: dict[int, dict[int, dict[int, list[str]]]] = {}
    for cell, (table, row) in enumerate(cells):
        rows.setdefault(table, {}).setdefault(row, {})[cell] = []
    for line, cell in lines:
        if cell >= 0:
            table, row = cells[cell]
            rows[table][row][cell].append(line)
    written: dict[int, list[str] | None] = {}
    out: list[str] = []
    for line, cell in lines:
        if cell < 0:
            out.append(line)
            continue
        table = cells[cell][0]
        if table not in written:
            written[table] = _rows(tables[table], rows[table], heads)
            out.extend(written[table] or [])
        if written[table] is None:
            out.append(line)
    return out


def _rows(
    table: _Table, rows: dict[int, dict[int, list[str]]], heads: set[int]
) -> list[str] | None:
    """A data table's rows with text as Markdown, a header row ruled off; None for layout."""
    kept = [row for row in rows.values() if any(row.values())]
    texts = [[" ".join(parts).replace("|", "/") for parts in row.values()] for row in kept]
    if len(texts) < 2 or not table.of_data(len(texts[0])):
        return None
    lines = ["| " + " | ".join(row) + " |" for row in texts]
    # Only a row of <th> cells names the columns; a table without one is rows of values.
    if set(kept[0]) <= heads:
        lines.insert(1, "|" + "---|" * len(texts[0]))
    return lines


def _within(count: int, spans: list[tuple[int, int]]) -> list[bool]:
    """For each of count lines, whether a span holds it (spans as start and end indexes)."""
    depth = [0] * (count + 1)
    for start, end in spans:
        depth[start] += 1
        depth[end] -= 1
    held, running = [], 0
    for step in depth[:count]:
        running += step
        held.append(running > 0)
    return held
