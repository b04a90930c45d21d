"""Files to plain text and a title: .txt, .md, .html, .pdf and .docx."""

from __future__ import annotations

import hashlib
import io
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rag.errors import DocumentError
from rag.ingest.docx_text import read_docx
from rag.ingest.html_text import read_html
from rag.ingest.limits import ReadLimits, TextBudget, over
from rag.ingest.pdf_tables import with_tables
from rag.ingest.reflow import unwrapped
from rag.ingest.zipped import RATIO_FLOOR, open_zip
from rag.text import UNDERLINE, capitalised_share
from rag.types import PageStarts, SectionStarts

if TYPE_CHECKING:
    from pypdf import PageObject

log = logging.getLogger(__name__)
SUPPORTED_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx"})
# Raised whenever a reader gives another text or title for the same file (1: tables as rows,
# bylines no titles; 2: a PDF's wrapped lines rejoined, a label line no title; 3: a PDF's
# tables as Markdown rows; 4: a Word or HTML table's unmarked first row of words over a column
# of numbers names its columns; a paragraph in a Word List style or an HTML <li> is a "- "
# item, Word's Title a section's heading, HTML's inline tags and source line breaks part no
# line, a <dd> is led by its <dt>, and a text's "Subject:" line is its title). The index
# records the version each file was read with, and `rag ingest` reads again what an older one
# read, though the file is unchanged.
READER_VERSION = 4
# How far off its paper a page's text may lie and the page still be laid out, in points.
OFF_PAPER = 72
_TITLE_WORDS = 16
_TITLE_CHARS = 120
# A Markdown heading: "## Title", or a title underlined with "=" or "-" (a setext heading).
_MD_HEADING = re.compile(
    r"^#{1,6}[ \t]+(.+?)[ \t#]*$"
    # Not a list's item over a rule: "- last item\n---".
    rf"|^(?![ \t]*(?:[-*+]|\d+[.)])[ \t])([^\n]*\S[^\n]*)\n{UNDERLINE}$",
    re.MULTILINE,
)
_HEADING_TAGS = ["h1", "h2", "h3", "h4", "h5", "h6"]
# A news story's byline or date line ("By Maria Lopez | July 2, 2026", "Updated: 3 March 2026")
# is capitalised like a Title Case headline, but names its writer or day, not its subject.
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_DATE = (
    r"(?:[A-Z][a-z]+day,?\s+)?(?:" + _MONTH + r"\s+\d{1,2}\b|\d{1,2}\s+" + _MONTH + r"\s+\d{4}"
    r"|\d{4}-\d{2}-\d{2}\b)"
)
_NAMES = r"[A-Z][\w.'’-]*(?:,?\s+(?:and\s+)?[A-Z][\w.'’-]*)+"
# An e-mail's or memo's subject line.
_SUBJECT = re.compile(r"^(?i:subject|subj|re):[ \t]+(?P<subject>\S.*?)[ \t]*$")
# An invitation's or a notice's fields ("When: Thursday, January 14, 2027, 10:00") say when and
# where, not what it is: their figures read as a title's capitals. So does any "Label: value"
# line beside another ("Organizer: Maya Lindqvist, corporate secretary" under "Where: …").
_FIELD = re.compile(r"^(?i:when|where|date|time|location|venue):")
_LABELLED = re.compile(r"^[ \t]*[*_]*[A-Z][\w'’ -]{0,30}:[*_]*[ \t]+\S")
_BYLINE = re.compile(
    r"^(?:(?i:(?:written |posted |reported )?by)\s+" + _NAMES + r"\s*(?:$|[|,;•·–—-])"
    r"|(?i:(?:last )?(?:published|updated|posted)(?:\s+on)?):?\s+" + _DATE + "|" + _DATE + ")"
)


@dataclass(frozen=True)
class SourceDocument:
    """The text of one file, the title shown for it, and the hash that tells if it changed."""

    path: Path
    source: str
    title: str
    text: str
    sha256: str
    pages: PageStarts = ()
    sections: SectionStarts = ()
    # PDF pages that gave no text (scanned images, or pages the parser could not read).
    empty_pages: tuple[int, ...] = ()


def load_document(path: Path, limits: ReadLimits | None = None) -> SourceDocument:
    """Read a supported file; raise DocumentError naming the reason when it can't be used."""
    # Every limit is checked as the file is read, so one over a limit costs little to refuse.
    limits = limits or ReadLimits()
    try:
        size = path.stat().st_size
        if limits.max_bytes is not None and size > limits.max_bytes:
            raise over(
                path.name, f"{size / 1e6:.1f} MB", f"{limits.max_bytes / 1e6:g} MB", "MAX_FILE_MB"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentError(f"{path.name}: cannot be read ({exc.strerror or exc})") from exc
    if not data.strip():
        raise DocumentError(f"{path.name}: the file is empty")
    suffix = path.suffix.lower()
    budget = TextBudget(path.name, limits)
    layout = _Layout()
    if suffix == ".pdf":
        text, title, layout = _pdf(data, budget, limits)
    elif suffix == ".docx":
        text, title, layout = _docx(data, budget, limits)
    elif suffix in {".html", ".htm"}:
        if len(data) > limits.max_html_bytes:
            raise over(
                path.name,
                f"{len(data) / 1e6:.1f} MB of HTML",
                f"{limits.max_html_bytes / 1e6:g} MB",
                "MAX_HTML_MB",
            )
        text, title, layout = _html(_decode(data, path.name), budget)
    else:
        text = budget.take(_decode(data, path.name))
        title = _markdown_title(text) if suffix in {".md", ".markdown"} else ""
        if suffix in {".md", ".markdown"}:
            layout = _Layout(sections=_markdown_sections(text))
    if not text.strip():
        raise DocumentError(f"{path.name}: no text could be extracted")
    return SourceDocument(
        path=path,
        source=path.name,
        title=capped_title(title.strip() or derive_title(text)),
        text=text,
        sha256=hashlib.sha256(data).hexdigest(),
        pages=layout.pages,
        sections=layout.sections,
        empty_pages=layout.empty_pages,
    )


@dataclass(frozen=True)
class _Layout:
    pages: PageStarts = ()
    sections: SectionStarts = ()
    empty_pages: tuple[int, ...] = ()


def _lines(text: str) -> str:
    # Offsets are kept into this text, so line endings are settled before any is counted.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _decode(data: bytes, name: str) -> str:
    if b"\x00" in data[:8192]:
        raise DocumentError(f"{name}: looks like a binary file, not text")
    try:
        return _lines(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise DocumentError(
            f"{name}: not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "save it as UTF-8 and ingest again"
        ) from exc


def _pdf(data: bytes, budget: TextBudget, limits: ReadLimits) -> tuple[str, str, _Layout]:
    from pypdf import apply_configuration

    # pypdf walks a page tree up to its own bound (100,000 entries): ours is the page limit,
    # with room for the tree's inner nodes. Per thread, so other readers keep theirs.
    with apply_configuration(page_tree_maximum_entries=2 * limits.max_pdf_pages + 100):
        return _read_pdf(data, budget, limits)


def _read_pdf(data: bytes, budget: TextBudget, limits: ReadLimits) -> tuple[str, str, _Layout]:
    from pypdf import PdfReader
    from pypdf.errors import LimitReachedError, PyPdfError
    from pypdf.generic import DictionaryObject

    # pypdf logs what it works around ("EOF marker not found"); a file it can't read fails with
    # our message, and one it can is read: either way its notes would only print beside ours.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    name = budget.name

    def too_many(pages: str) -> DocumentError:
        return over(name, f"{pages} pages", f"{limits.max_pdf_pages:,} page", "MAX_PDF_PAGES")

    try:
        reader = PdfReader(io.BytesIO(data))
        # The count the file declares, read before its page tree is walked: the cheap refusal.
        tree = reader.root_object["/Pages"].get_object()
        declared = tree.get("/Count") if isinstance(tree, DictionaryObject) else None
        if isinstance(declared, int) and declared > limits.max_pdf_pages:
            raise too_many(f"{declared:,}")
        title = (reader.metadata.title if reader.metadata else None) or ""
        count = len(reader.pages)
    except LimitReachedError as exc:
        # pypdf's own bound on the page tree, for a file whose count understates its pages.
        raise too_many(f"more than {limits.max_pdf_pages:,}") from exc
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise DocumentError(f"{name}: not a readable PDF ({exc})") from exc
    if count > limits.max_pdf_pages:
        raise too_many(f"{count:,}")
    texts, empty = [], []
    for number in range(1, count + 1):
        try:
            content = reader.pages[number - 1].get("/Contents")
            packed, unpacked = _stream_sizes(content.get_object() if content is not None else None)
            ratio = unpacked / max(packed, 1)
            # A PDF's zip bomb: a page whose few bytes unpack to a text that takes minutes.
            if unpacked > RATIO_FLOOR and ratio > limits.max_zip_ratio:
                raise over(
                    name,
                    f"page {number}'s content unpacking to {ratio:,.0f} times its packed size",
                    f"{limits.max_zip_ratio:g}×",
                    "MAX_ZIP_RATIO",
                )
            page = _page_text(reader.pages[number - 1])
        except (PyPdfError, ValueError, KeyError, TypeError, OSError):
            # One broken page costs that page, not the document.
            page = ""
        # Counted page by page: a file whose text is over the limit is not read to its end.
        texts.append(budget.take(page))
        if not page:
            empty.append(number)
    if len(empty) == count:
        raise DocumentError(f"{name}: the PDF has no extractable text (a scan?)")
    starts, offset = [], 0
    for number, page in enumerate(texts, start=1):
        starts.append((offset, number))
        offset += len(page) + 2
    return "\n\n".join(texts), title, _Layout(pages=tuple(starts), empty_pages=tuple(empty))


def _page_text(page: PageObject) -> str:
    """A PDF page's text: its tables as Markdown rows, its wrapped paragraphs rejoined."""
    where: list[tuple[float, float]] = []

    def placed(text: str, cm: list[float], tm: list[float], *_: object) -> None:
        if text.strip():
            x, y = tm[4], tm[5]
            where.append((x * cm[0] + y * cm[2] + cm[4], x * cm[1] + y * cm[3] + cm[5]))

    text = _lines(page.extract_text(visitor_text=placed) or "")
    box = page.mediabox
    # Laid out, a line runs to the farthest text on it, in spaces: a page of 2,000 letters
    # 100,000 points apart, off its paper, was laid out to 20 million characters in 0.9 s.
    on_paper = all(
        box.left - OFF_PAPER <= x <= box.right + OFF_PAPER
        and box.bottom - OFF_PAPER <= y <= box.top + OFF_PAPER
        for x, y in where
    )

    def layout() -> str:
        try:
            return _lines(page.extract_text(extraction_mode="layout") or "")
        except Exception:
            # The layout only finds the rows: its failure costs the page its tables, not its text.
            log.debug("laying out a PDF page failed", exc_info=True)
            return ""

    return unwrapped(with_tables(text, layout if on_paper else None)).strip()


def _stream_sizes(content: object) -> tuple[int, int]:
    """Bytes packed and unpacked of a page's content: one stream, or an array of them."""
    from pypdf.generic import ArrayObject, EncodedStreamObject, StreamObject

    if isinstance(content, ArrayObject):
        sizes = [_stream_sizes(part.get_object()) for part in content]
        return sum(p for p, _ in sizes), sum(u for _, u in sizes)
    if isinstance(content, EncodedStreamObject):
        return len(content._data), len(content.get_data())
    if isinstance(content, StreamObject):
        return len(content.get_data()), len(content.get_data())
    return 0, 0


def _docx(data: bytes, budget: TextBudget, limits: ReadLimits) -> tuple[str, str, _Layout]:
    with open_zip(data, budget.name, limits, ".docx file") as archive:
        found = read_docx(archive, budget)
    paragraphs, sections, offset = [], [], 0
    for raw, style in zip(found.paragraphs, found.styles, strict=True):
        text = _lines(raw)
        if not text.strip():
            continue
        # Word's Title is a heading too: read as a sentence, "Orion Grid Partners annual letter
        # to shareholders, 2026" was quoted for the company's chief executive.
        if style.startswith("Heading") or style == "Title":
            sections.append((offset, text.strip()))
        elif style.startswith("List"):
            # Word's bullets are numbering, not text: an item is marked as Markdown marks one, so
            # that "Priorities for 2027" over three items reads as a list.
            text = f"- {text}"
        paragraphs.append(text)
        offset += len(text) + 1
    heading = next(
        (p for p, style in zip(found.paragraphs, found.styles, strict=True) if style == "Title"),
        "",
    )
    return "\n".join(paragraphs), found.title or heading, _Layout(sections=tuple(sections))


def _html(markup: str, budget: TextBudget) -> tuple[str, str, _Layout]:
    found = read_html(markup, budget)
    text = "\n".join(found.lines)
    return (
        text,
        found.title or found.h1 or "",
        _Layout(sections=_find_lines(text, found.headings)),
    )


def _find_lines(text: str, wanted: list[str]) -> SectionStarts:
    """Where the text has a line that is one of the wanted ones, as (offset, line)."""
    found, offset, lines = [], 0, set(wanted)
    for line in text.split("\n"):
        if line in lines:
            found.append((offset, line))
        offset += len(line) + 1
    return tuple(found)


def _markdown_sections(text: str) -> SectionStarts:
    return tuple(
        (m.start(), (m.group(1) or m.group(2)).strip()) for m in _MD_HEADING.finditer(text)
    )


def _markdown_title(text: str) -> str:
    # "# Title", or a title underlined with "=".
    match = re.search(r"^#\s+(.+)$|^([^\n]*\S[^\n]*)\n[ \t]*={3,}[ \t]*$", text, re.MULTILINE)
    return (match.group(1) or match.group(2).strip()) if match else ""


def capped_title(title: str) -> str:
    """A title no longer than a line: a file's metadata or first words can be any length."""
    if len(title) <= _TITLE_CHARS:
        return title
    cut = title[:_TITLE_CHARS]
    # At a word's end when there is one; text without spaces is cut where it stands.
    space = cut.rfind(" ")
    return (cut[:space] if space > _TITLE_CHARS // 2 else cut).rstrip() + "…"


def _field_lines(raw: list[str]) -> set[str]:
    """The lines that are "Label: value" fields beside another such line."""
    labelled = [bool(_LABELLED.match(line)) for line in raw]
    return {
        line.strip()
        for i, line in enumerate(raw)
        if labelled[i] and ((i > 0 and labelled[i - 1]) or (i + 1 < len(raw) and labelled[i + 1]))
    }


def derive_title(text: str) -> str:
    """The headline of an article: a title-like line near the top, else its first words."""
    raw = text.splitlines()
    top = [line.strip() for line in raw if line.strip()][:6]
    # An e-mail or memo is titled by its subject, not by "To: Investment Committee".
    subject = next((m for line in top if (m := _SUBJECT.match(line))), None)
    if subject is not None:
        return subject.group("subject")
    fields = _field_lines(raw[:12])
    # Markdown sets a byline in italics or bold ("*By Kenji Sato — April 14, 2026*"); a table's
    # row ("| Metric | Q2 2026 |") is no title either.
    lines = [
        line
        for line in top
        if not _BYLINE.match(line.strip("*_ "))
        and not line.startswith("|")
        and not _FIELD.match(line)
        and line not in fields
    ][:3] or top[:1]
    best, best_score = "", 0.0
    for line in lines:
        tokens = line.split()
        # A line ending in a colon introduces what follows ("Colette Kress, Chief Financial
        # Officer:" over her words in a transcript): a label, not the headline.
        if not 3 <= len(tokens) <= 20 or line.endswith((".", ":")):
            continue
        score = capitalised_share(tokens, digits=True) + (0.5 if ":" in line else 0.0)
        if score > best_score:
            best, best_score = line, score
    if best_score >= 0.6:
        return best
    first = lines[0].rstrip(".") if lines else "Untitled"
    tokens = first.split()
    return first if len(tokens) <= _TITLE_WORDS else " ".join(tokens[:_TITLE_WORDS]) + "…"
