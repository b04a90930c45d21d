"""A .docx's paragraphs, heading styles and title, read as a stream with no tree built."""

# The text is python-docx's `Document(...).paragraphs` (the body's own paragraphs, runs and
# hyperlinked runs), read by a parser target called per element: a paragraph of a million runs costs
# no more memory than one run.

from __future__ import annotations

import posixpath
import zipfile
import zlib
from dataclasses import dataclass, field

from lxml import etree

from rag.errors import DocumentError
from rag.ingest.limits import TextBudget
from rag.ingest.tables import CELL_CHARS, CELL_LIMIT, markdown_rows
from rag.text import one_line

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_DC_TITLE = "{http://purl.org/dc/elements/1.1/}title"
_TYPES = "http://schemas.openxmlformats.org/"
_OFFICE_DOCUMENT = "/officeDocument/2006/relationships/officeDocument"
_STYLES = "/officeDocument/2006/relationships/styles"
_CORE = "/package/2006/relationships/metadata/core-properties"
_READ = 64 * 1024
_DOCUMENT, _BODY, _P, _R, _LINK = (f"{_W}{t}" for t in ("document", "body", "p", "r", "hyperlink"))
_TBL, _TR, _TC, _TRPR, _TBLHEADER = (f"{_W}{t}" for t in ("tbl", "tr", "tc", "trPr", "tblHeader"))
_T, _BR, _CR, _HYPHEN, _PPR = (f"{_W}{t}" for t in ("t", "br", "cr", "noBreakHyphen", "pPr"))
_TABS = frozenset({f"{_W}tab", f"{_W}ptab"})
_PSTYLE, _VAL, _TYPE = f"{_W}pStyle", f"{_W}val", f"{_W}type"
# python-docx names a few built-in styles differently from styles.xml (BabelFish).
_UI_NAMES = {f"heading {n}": f"Heading {n}" for n in range(1, 10)}
_ON = frozenset({"1", "true", "on"})


@dataclass
class DocxText:
    """The body's paragraphs (empty ones too), the style name of each, and the title."""

    paragraphs: list[str] = field(default_factory=list)
    styles: list[str] = field(default_factory=list)
    title: str = ""


def read_docx(archive: zipfile.ZipFile, budget: TextBudget) -> DocxText:
    """The document's paragraphs and title; DocumentError if it is not a Word document."""
    try:
        main = _target(archive, "", _OFFICE_DOCUMENT)
        if main is None:
            raise DocumentError(
                f"{budget.name}: not a readable .docx file (no Word document in it)"
            )
        title = ""
        core = _target(archive, "", _CORE)
        if core is not None and core in archive.NameToInfo:
            title = _core_title(archive, core)
        styles = _target(archive, main, _STYLES)
        names, default = _style_names(archive, styles) if styles else ({}, "")
        found = _paragraphs(archive, main, budget, names, default)
    except (KeyError, etree.XMLSyntaxError, zipfile.BadZipFile, zlib.error) as exc:
        raise DocumentError(f"{budget.name}: not a readable .docx file ({exc})") from exc
    except (NotImplementedError, RuntimeError, EOFError) as exc:
        # Encrypted entries, compression methods zipfile lacks, a truncated archive.
        raise DocumentError(f"{budget.name}: not a readable .docx file ({exc})") from exc
    found.title = title
    return found


class _Handler:
    """What a part's elements say, given as they start, hold text and end (a parser target)."""

    def __init__(self) -> None:
        # The tags from the part's root down to the element being read.
        self.path: list[str] = []

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        self.path.append(tag)
        self.opened(tag, attrib)

    def end(self, tag: str) -> None:
        self.closed(tag)
        self.path.pop()

    def data(self, text: str) -> None:
        """Text inside the element last opened (in pieces, as the parser finds it)."""

    def close(self) -> None:
        """The part has been read to its end."""

    def opened(self, tag: str, attrib: dict[str, str]) -> None:
        """An element starts; `path` ends with its tag."""

    def closed(self, tag: str) -> None:
        """An element ends; `path` still ends with its tag."""


def _read_part(archive: zipfile.ZipFile, part: str, handler: _Handler | _Body) -> None:
    """Feed a part to the handler in pieces: no tree is built, so memory stays flat."""
    parser = etree.XMLParser(target=handler, resolve_entities=False, no_network=True)
    with archive.open(part) as stream:
        while chunk := stream.read(_READ):
            parser.feed(chunk)
    parser.close()


def _rels_part(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{name}.rels")


def _target(archive: zipfile.ZipFile, part: str, kind: str) -> str | None:
    """The part a relationship of this kind points to from `part` ("" for the package)."""
    rels = _rels_part(part)
    if rels not in archive.NameToInfo:
        return None
    handler = _Relationships(kind)
    _read_part(archive, rels, handler)
    if handler.target is None:
        return None
    target = handler.target
    joined = (
        target.lstrip("/")
        if target.startswith("/")
        else posixpath.join(posixpath.dirname(part), target)
    )
    return posixpath.normpath(joined)


class _Relationships(_Handler):
    def __init__(self, kind: str) -> None:
        super().__init__()
        self.kind = kind
        self.target: str | None = None

    def opened(self, tag: str, attrib: dict[str, str]) -> None:
        kind = attrib.get("Type", "")
        if (
            self.target is None
            and len(self.path) == 2
            and tag == _RELS
            and attrib.get("TargetMode") != "External"
            and kind.startswith(_TYPES)
            and kind.endswith(self.kind)
        ):
            self.target = attrib.get("Target", "")


def _core_title(archive: zipfile.ZipFile, part: str) -> str:
    handler = _Title()
    _read_part(archive, part, handler)
    return "".join(handler.pieces)


class _Title(_Handler):
    def __init__(self) -> None:
        super().__init__()
        self.pieces: list[str] = []
        self.inside = False
        self.seen = False

    def opened(self, tag: str, attrib: dict[str, str]) -> None:
        self.inside = len(self.path) == 2 and tag == _DC_TITLE and not self.seen

    def closed(self, tag: str) -> None:
        if self.inside:
            self.inside, self.seen = False, True

    def data(self, text: str) -> None:
        if self.inside:
            self.pieces.append(text)


def _style_names(archive: zipfile.ZipFile, part: str) -> tuple[dict[str, str], str]:
    """Paragraph style ids → names (first of an id wins), and the default's (last wins)."""
    handler = _Styles()
    _read_part(archive, part, handler)
    return handler.names, handler.default


class _Styles(_Handler):
    def __init__(self) -> None:
        super().__init__()
        self.names: dict[str, str] = {}
        self.default = ""
        self.current: dict[str, str] = {}

    def opened(self, tag: str, attrib: dict[str, str]) -> None:
        depth = len(self.path)
        if depth == 2 and tag == f"{_W}style":
            self.current = {
                "type": attrib.get(f"{_W}type", ""),
                "id": attrib.get(f"{_W}styleId", ""),
                "default": attrib.get(f"{_W}default", ""),
                "name": "",
            }
        elif depth == 3 and tag == f"{_W}name" and self.path[1] == f"{_W}style":
            self.current["name"] = attrib.get(f"{_W}val", "")

    def closed(self, tag: str) -> None:
        if len(self.path) == 2 and tag == f"{_W}style" and self.current.get("type") == "paragraph":
            name = _UI_NAMES.get(self.current["name"], self.current["name"])
            self.names.setdefault(self.current["id"], name)
            if self.current["default"] in _ON:
                self.default = name


def table_lines(rows: list[list[str]], header: bool, nested: bool) -> list[str]:
    """A body table's paragraphs: Markdown rows for a table of data, else its cells' paragraphs."""
    # `rows` holds each row's cells, each cell's paragraphs joined by a line break; `header` says
    # the first row repeats as a header (w:tblHeader), which names the columns.
    cells = [[one_line(cell) for cell in row] for row in rows]
    kept = [row for row in cells if any(row)]
    longest = max((len(c) for row in cells for c in row), default=0)
    # A table of a million empty cells is read as it streams, kept nowhere: rows count too.
    many = len(rows) + sum(len(row) for row in rows) > CELL_LIMIT
    # The header row names the columns only when it is the first row with text.
    ruled = header and bool(cells) and any(cells[0])
    data = None if nested or many or longest > CELL_CHARS else markdown_rows(kept, ruled)
    return data or [p for row in rows for cell in row for p in cell.split("\n")]


def _paragraphs(
    archive: zipfile.ZipFile,
    part: str,
    budget: TextBudget,
    names: dict[str, str],
    default: str,
) -> DocxText:
    handler = _Body(budget)
    _read_part(archive, part, handler)
    if not handler.seen_body:
        raise DocumentError(f"{budget.name}: not a readable .docx file (no Word document in it)")
    found = DocxText(paragraphs=handler.paragraphs)
    found.styles = [
        names.get(style, default) if style is not None else default for style in handler.styles
    ]
    return found


class _Body:
    """The body's own paragraphs: the text of their runs and hyperlinked runs, and style ids."""

    # A parser target, called for every element: it keeps to a few comparisons per call, as a
    # hostile file may hold millions of elements.

    def __init__(self, budget: TextBudget) -> None:
        self.budget = budget
        self.path: list[str] = []
        self.paragraphs: list[str] = []
        self.styles: list[str | None] = []
        self.seen_body = False
        self.in_paragraph = False
        self.in_text = False
        self.pieces: list[str] = []
        self.style: str | None = None
        # The depth of the paragraph being read: 3 in the body, 6 in a body table's cell.
        self.base = 3
        # The body table being read: its rows of cells of paragraphs, whether its first row is a
        # header, whether a table sits inside it.
        self.rows: list[list[list[str]]] | None = None
        self.header = False
        self.nested = False
        # Past CELL_LIMIT rows and cells, a table's paragraphs are read as the body's are.
        self.cells = 0
        self.streamed = False

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        path = self.path
        path.append(tag)
        if not self.in_paragraph:
            depth = len(path)
            if depth == 3:
                body = path[1] == _BODY and path[0] == _DOCUMENT
                self.in_paragraph = tag == _P and body
                self.base = 3
                if tag == _TBL and body:
                    self.rows, self.header, self.nested = [], False, False
                    self.cells, self.streamed = 0, False
            elif depth == 2 and tag == _BODY and path[0] == _DOCUMENT:
                self.seen_body = True
            elif self.rows is not None:
                self._table_start(tag, depth, attrib)
            return
        depth = len(path)
        base = self.base
        if (depth == base + 2 and path[base] == _R) or (
            depth == base + 3 and path[base + 1] == _R and path[base] == _LINK
        ):
            # A child of one of the paragraph's runs: python-docx's CT_R.text reads these.
            if tag == _T:
                self.in_text = True
            elif tag in _TABS:
                self.pieces.append(self.budget.take("\t"))
            elif tag == _BR:
                if attrib.get(_TYPE, "textWrapping") == "textWrapping":
                    self.pieces.append(self.budget.take("\n"))
            elif tag == _CR:
                self.pieces.append(self.budget.take("\n"))
            elif tag == _HYPHEN:
                self.pieces.append(self.budget.take("-"))
        elif depth == base + 2 and tag == _PSTYLE and path[base] == _PPR and self.style is None:
            self.style = attrib.get(_VAL, "")

    def _table_start(self, tag: str, depth: int, attrib: dict[str, str]) -> None:
        """Follow a body table's rows, cells and their own paragraphs as they open."""
        rows = self.rows
        assert rows is not None
        if self.streamed:
            # Past CELL_LIMIT rows and cells: the paragraphs are read, the rows and cells not kept.
            if depth == 6 and tag == _P and self.path[4] == _TC:
                self.in_paragraph, self.base = True, 6
        elif (depth == 4 and tag == _TR) or (depth == 5 and tag == _TC and rows):
            if tag == _TR:
                rows.append([])
            else:
                rows[-1].append([])
            self.cells += 1
            if self.cells > CELL_LIMIT:
                self._add_table()
                self.streamed = True
        elif depth == 6 and tag == _P and self.path[4] == _TC and rows and rows[-1]:
            self.in_paragraph, self.base = True, 6
        elif depth == 6 and tag == _TBLHEADER and self.path[4] == _TRPR and len(rows) == 1:
            self.header = attrib.get(_VAL, "1") in _ON
        elif tag == _TBL:
            self.nested = True

    def end(self, tag: str) -> None:
        path = self.path
        if self.in_text:
            self.in_text = False
        elif self.in_paragraph and len(path) == self.base:
            if self.base == 3 or self.streamed:
                self.paragraphs.append("".join(self.pieces))
                self.styles.append(self.style if self.base == 3 else None)
            elif self.rows:
                self.rows[-1][-1].append("".join(self.pieces))
            self.pieces.clear()
            self.style = None
            self.in_paragraph = False
        elif self.rows is not None and len(path) == 3 and tag == _TBL:
            if not self.streamed:
                self._add_table()
            self.rows = None
        path.pop()

    def _add_table(self) -> None:
        """The table's paragraphs so far, as table_lines reads them; its rows are let go."""
        assert self.rows is not None
        rows = [["\n".join(cell) for cell in row] for row in self.rows]
        # Streamed past CELL_LIMIT, the table is a layout's whatever its rows.
        for line in table_lines(rows, self.header, self.nested or self.cells > CELL_LIMIT):
            self.paragraphs.append(line)
            self.styles.append(None)
        self.rows = []

    def data(self, text: str) -> None:
        if self.in_text:
            self.pieces.append(self.budget.take(text))

    def close(self) -> None:
        """The part has been read to its end."""
