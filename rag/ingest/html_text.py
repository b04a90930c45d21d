"""HTML's text, title and headings, read as a stream of tags with no tree kept."""

# The text is what BeautifulSoup's "html.parser" gave (the same tokenizer, the strings outside
# script, style, noscript and template and outside the first title, one line each, but strings
# only inline tags part run on as one, a line break outside <pre> a space, a list item's first
# line marked "- " and a description's led by its term), at a fifth of the time and with no
# tree kept. A saved news page also holds menus, a footer, sidebars and buttons ("Subscribe
# now!"): their text is left out, and so is all text outside the page's <main> or <article> when
# it marks one.

from __future__ import annotations

import re
from array import array
from dataclasses import dataclass, field
from html.parser import HTMLParser

from rag.ingest.limits import TextBudget
from rag.ingest.tables import CELL_CHARS, CELL_LIMIT, markdown_rows

_SKIPPED = frozenset({"script", "style", "noscript", "template"})
# A page's furniture, not its article: menus, the page's footer, sidebars, buttons, dialogs.
# Not <form>: some sites wrap the whole page in one.
_FURNITURE = frozenset({"nav", "footer", "aside", "button", "dialog"})
# Where a page marks its content: with one, the text outside it is furniture too.
_CONTENT = frozenset({"main", "article"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_CELLS = frozenset({"td", "th"})
# Tags that mark words within a line, not lines: "said it will <b>expand</b> in 2027" is one
# sentence, which read a string a line was three ("said it will", "expand", "in 2027.").
INLINE_TAGS = frozenset(
    {
        "a", "abbr", "b", "bdi", "bdo", "big", "cite", "code", "data", "del", "dfn", "em", "font",
        "i", "img", "ins", "kbd", "mark", "nobr", "q", "s", "samp", "small", "span", "strike",
        "strong", "sub", "sup", "time", "tt", "u", "var", "wbr",
    }
)  # fmt: skip
_FEED = 64 * 1024
# HTML's white space, which a browser shows as one space: not the no-break space (U+00A0).
_SPACES = re.compile(r"[ \t\n\r\f]+")


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
        # A list item opened whose first line is still to come: it is marked "- ", as Markdown
        # marks one, so that the items under "It has three priorities:" read as a list.
        self.item = False
        # Inside <pre> a line break is one; elsewhere it is a space, as a browser shows it.
        self.pre = 0
        # A description list's term, read as the label of the line its description opens
        # ("Investment: $12 billion over six years"): the term's line, once its <dt> has given
        # exactly one, the first line of a <dt> open, and a <dd> whose first line is to come.
        self.term: int | None = None
        self.term_start = -1
        self.defining = False
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
        # Tables: each line's cell (-1: none), each cell's table, the header cells (<th>), the
        # tables open. Arrays of machine integers: a page of 150,000 tables stays small.
        self.line_cells = array("q")
        self.cell_tables = array("q")
        self.heads: set[int] = set()
        self.tables: list[_Table] = []
        self.open_tables: list[int] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in INLINE_TAGS:
            return
        self._flush()
        if tag in self.starts:
            self.starts[tag].append(len(self.found.lines))
        if not self.skipping:
            self._table_tag(tag)
        if tag in _SKIPPED:
            self.skipping += 1
        elif tag == "title" and not self.titled and not self.skipping:
            self.in_title = True
        elif tag == "li":
            self.item = True
        elif tag == "pre":
            self.pre += 1
        elif tag == "dt":
            self.term, self.term_start = None, len(self.found.lines)
        elif tag == "dd":
            self.defining = True
        elif tag in _HEADINGS and not self.skipping:
            # Listed where it starts, as a tree lists it; its text is known where it ends.
            self.open.append((tag, len(self.found.headings), []))
            self.found.headings.append("")
            if tag == "h1" and self.h1 is None:
                self.h1 = len(self.found.headings) - 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # <br/> and the like hold no text; a self-closed <script/> opens nothing.
        if tag not in INLINE_TAGS:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in INLINE_TAGS:
            return
        self._flush()
        if self.skipping or not self.open_tables:
            pass
        elif tag in _CELLS | {"tr"}:
            self.tables[self.open_tables[-1]].close_cell()
        elif tag == "table":
            self._end_table(self.open_tables.pop())
        if self.starts.get(tag):
            marked = self.furniture if tag in _FURNITURE else self.content
            marked.append((self.starts[tag].pop(), len(self.found.lines)))
        if tag in _SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag == "li":
            self.item = False
        elif tag == "pre":
            self.pre = max(0, self.pre - 1)
        elif tag == "dt":
            lines = len(self.found.lines)
            self.term = lines - 1 if lines == self.term_start + 1 else None
        elif tag == "dd":
            self.term, self.defining = None, False
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
        for table in self.open_tables:
            self._end_table(table)
        self.found.lines = _tabled(
            [(self.found.lines[i], self.line_cells[i]) for i in kept],
            self.cell_tables,
            self.heads,
            self.tables,
        )

    def _end_table(self, index: int) -> None:
        table = self.tables[index]
        table.end()
        if table.rows is None:
            # One layout stands for all: a page of 150,000 one-cell tables keeps none of them.
            self.tables[index] = _LAYOUT

    def _table_tag(self, tag: str) -> None:
        """Follow a table's rows and cells as their tags open."""
        if tag == "table":
            if self.open_tables:
                self.tables[self.open_tables[-1]].drop()
            self.open_tables.append(len(self.tables))
            self.tables.append(_Table())
        elif self.open_tables and tag in _CELLS | {"tr"}:
            table = self.tables[self.open_tables[-1]]
            table.close_cell()
            if tag == "tr":
                table.new_row()
                return
            table.count += 1
            if table.count > CELL_LIMIT:
                table.drop()
            if table.rows is not None:
                if not table.rows:
                    table.new_row()
                table.cell = len(self.cell_tables)
                self.cell_tables.append(self.open_tables[-1])
                table.rows[-1].append(table.cell)
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
        # A paragraph wrapped over lines in the page's source is one line: read a source line a
        # line, "has raised" and "$600 million in a Series B round led by" were two sentences.
        spaced = string if self.pre else _SPACES.sub(" ", string)
        for _, _, words in self.open:
            if string.strip():
                words.append(spaced.strip())
        table = self.tables[self.open_tables[-1]] if self.open_tables else None
        cell = table.cell if table is not None else -1
        for line in spaced.splitlines() if self.pre else [spaced]:
            if line := line.strip():
                if self.item:
                    line, self.item = f"- {line}", False
                if (
                    self.defining
                    and self.term == len(self.found.lines) - 1
                    and self.line_cells[-1] == cell
                ):
                    self.defining, self.term = False, None
                    joined = f"{self.found.lines[-1]}: {self.budget.take(line)}"
                    if table is not None and cell >= 0:
                        table.size += len(joined) - len(self.found.lines[-1])
                    self.found.lines[-1] = joined
                    continue
                self.defining = False
                self.found.lines.append(self.budget.take(line))
                self.line_cells.append(cell)
                if table is not None and cell >= 0:
                    table.size += len(line) + 1


@dataclass(slots=True)
class _Table:
    """A table as its tags go by: its rows of cell ids, the cell open, data or layout."""

    # None once it lays the page out: a table inside it, a cell too long, too many cells, or
    # fewer than two rows. Its cells' lines are then read as lines.
    rows: list[list[int]] | None = field(default_factory=list)
    cell: int = -1
    count: int = 0
    # The characters of the open cell's text so far, and of its longest.
    size: int = 0
    longest: int = 0

    def new_row(self) -> None:
        """A <tr> opens."""
        if self.rows is not None:
            self.rows.append([])

    def close_cell(self) -> None:
        """The cell open, if any, ends (its tag, its row's or the next cell's)."""
        self.longest = max(self.longest, self.size)
        self.size, self.cell = 0, -1

    def drop(self) -> None:
        """It lays the page out: its rows are let go."""
        self.rows = None

    def end(self) -> None:
        """The table ends: it holds data only with two rows or more and no cell too long."""
        self.close_cell()
        if self.rows is not None and (len(self.rows) < 2 or self.longest > CELL_CHARS + 1):
            self.drop()


_LAYOUT = _Table(rows=None)


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
    lines: list[tuple[str, int]], cell_tables: array[int], heads: set[int], tables: list[_Table]
) -> list[str]:
    """The lines, each data table's cells written as Markdown rows where its first cell is."""
    texts: dict[int, list[str]] = {}
    for line, cell in lines:
        if cell >= 0 and tables[cell_tables[cell]].rows is not None:
            texts.setdefault(cell, []).append(line)
    written: dict[int, bool] = {}
    out: list[str] = []
    for line, cell in lines:
        table = cell_tables[cell] if cell >= 0 else -1
        rows = tables[table].rows if table >= 0 else None
        if rows is None:
            out.append(line)
        elif table not in written:
            markdown = _markdown(rows, texts, heads)
            written[table] = markdown is not None
            out.extend(markdown or [line])
        elif not written[table]:
            out.append(line)
    return out


def _markdown(
    rows: list[list[int]], texts: dict[int, list[str]], heads: set[int]
) -> list[str] | None:
    """A data table's rows with text, a header row of <th> cells ruled off; None if too few."""
    kept = [row for row in rows if any(cell in texts for cell in row)]
    cells = [[" ".join(texts.get(c, [])) for c in row] for row in kept]
    return markdown_rows(cells, bool(kept) and set(kept[0]) <= heads)


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
