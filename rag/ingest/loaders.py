"""Files to plain text and a title: .txt, .md, .html, .pdf and .docx."""

from __future__ import annotations

import hashlib
import io
import logging
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from rag.errors import DocumentError
from rag.text import capitalised_share
from rag.types import PageStarts, SectionStarts

SUPPORTED_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx"})
_TITLE_WORDS = 16
_TITLE_CHARS = 120
_MD_HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t#]*$", re.MULTILINE)
_HEADING_TAGS = ["h1", "h2", "h3", "h4", "h5", "h6"]


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


def load_document(path: Path, max_bytes: int | None = None) -> SourceDocument:
    """Read a supported file; raise DocumentError naming the reason when it can't be used."""
    try:
        size = path.stat().st_size
        if max_bytes is not None and size > max_bytes:
            raise DocumentError(
                f"{path.name}: {size / 1e6:.1f} MB is over the {max_bytes / 1e6:g} MB limit "
                "(RAG_INGEST__MAX_FILE_MB)"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentError(f"{path.name}: cannot be read ({exc.strerror or exc})") from exc
    if not data.strip():
        raise DocumentError(f"{path.name}: the file is empty")
    suffix = path.suffix.lower()
    layout = _Layout()
    if suffix == ".pdf":
        text, title, layout = _pdf(data, path.name)
    elif suffix == ".docx":
        text, title, layout = _docx(data, path.name)
    elif suffix in {".html", ".htm"}:
        text, title, layout = _html(_decode(data, path.name))
    else:
        text = _decode(data, path.name)
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


def _pdf(data: bytes, name: str) -> tuple[str, str, _Layout]:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    # pypdf logs what it works around ("EOF marker not found"); a file it can't read fails with
    # our message, and one it can is read: either way its notes would only print beside ours.
    logging.getLogger("pypdf").setLevel(logging.ERROR)

    try:
        reader = PdfReader(io.BytesIO(data))
        title = (reader.metadata.title if reader.metadata else None) or ""
        count = len(reader.pages)
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise DocumentError(f"{name}: not a readable PDF ({exc})") from exc
    texts, empty = [], []
    for number in range(1, count + 1):
        try:
            page = _lines(reader.pages[number - 1].extract_text() or "").strip()
        except (PyPdfError, ValueError, KeyError, TypeError, OSError):
            # One broken page costs that page, not the document.
            page = ""
        texts.append(page)
        if not page:
            empty.append(number)
    if len(empty) == count:
        raise DocumentError(f"{name}: the PDF has no extractable text (a scan?)")
    starts, offset = [], 0
    for number, page in enumerate(texts, start=1):
        starts.append((offset, number))
        offset += len(page) + 2
    return "\n\n".join(texts), title, _Layout(pages=tuple(starts), empty_pages=tuple(empty))


def _docx(data: bytes, name: str) -> tuple[str, str, _Layout]:
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise DocumentError(f"{name}: not a readable .docx file ({exc})") from exc
    paragraphs, sections, offset = [], [], 0
    for paragraph in document.paragraphs:
        text = _lines(paragraph.text)
        if not text.strip():
            continue
        style = paragraph.style.name if paragraph.style is not None else ""
        if style.startswith("Heading"):
            sections.append((offset, text.strip()))
        paragraphs.append(text)
        offset += len(text) + 1
    heading = next(
        (p.text for p in document.paragraphs if p.style is not None and p.style.name == "Title"),
        "",
    )
    layout = _Layout(sections=tuple(sections))
    return "\n".join(paragraphs), document.core_properties.title or heading, layout


def _html(markup: str) -> tuple[str, str, _Layout]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(markup, "html.parser")
    for tag in soup(["script", "style", "noscript", "template"]):
        tag.decompose()
    heading = soup.find("h1")
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    if soup.title:
        soup.title.decompose()
    headings = [h.get_text(" ", strip=True) for h in soup.find_all(_HEADING_TAGS)]
    lines = [line.strip() for line in soup.get_text("\n").splitlines()]
    text = "\n".join(line for line in lines if line)
    return (
        text,
        title or (heading.get_text(" ", strip=True) if heading else ""),
        _Layout(sections=_find_lines(text, headings)),
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
    return tuple((m.start(), m.group(1).strip()) for m in _MD_HEADING.finditer(text))


def _markdown_title(text: str) -> str:
    match = re.search(r"^#\s+(.+)$", text, re.MULTILINE)
    return match.group(1) if match else ""


def capped_title(title: str) -> str:
    """A title no longer than a line: a file's metadata or first words can be any length."""
    if len(title) <= _TITLE_CHARS:
        return title
    cut = title[:_TITLE_CHARS]
    # At a word's end when there is one; text without spaces is cut where it stands.
    space = cut.rfind(" ")
    return (cut[:space] if space > _TITLE_CHARS // 2 else cut).rstrip() + "…"


def derive_title(text: str) -> str:
    """The headline of an article: a title-like line near the top, else its first words."""
    lines = [line.strip() for line in text.splitlines() if line.strip()][:3]
    best, best_score = "", 0.0
    for line in lines:
        tokens = line.split()
        if not 3 <= len(tokens) <= 20 or line.endswith("."):
            continue
        score = capitalised_share(tokens, digits=True) + (0.5 if ":" in line else 0.0)
        if score > best_score:
            best, best_score = line, score
    if best_score >= 0.6:
        return best
    first = lines[0].rstrip(".") if lines else "Untitled"
    tokens = first.split()
    return first if len(tokens) <= _TITLE_WORDS else " ".join(tokens[:_TITLE_WORDS]) + "…"
