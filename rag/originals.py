"""The ingested file behind a citation: found by the index's record of it, checked unchanged."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from rag.engine import Engine
from rag.errors import DocumentError, DocumentNotFoundError, OriginalGoneError
from rag.ingest.limits import ReadLimits
from rag.ingest.loaders import SourceDocument, load_document
from rag.search.files import IndexedFile


@dataclass(frozen=True)
class Original:
    """An ingested file, byte for byte as it was ingested, with the index's record of it."""

    file: IndexedFile
    data: bytes
    # The limits it was ingested under: read again under the same, it gives the same text.
    limits: ReadLimits = field(default_factory=ReadLimits)

    @property
    def path(self) -> Path:
        """Where the file was ingested from."""
        return Path(self.file.path)

    @property
    def is_pdf(self) -> bool:
        """Whether the file is served as itself (a PDF) rather than as its text."""
        return self.path.suffix.lower() == ".pdf"

    def document(self) -> SourceDocument:
        """The text citations' offsets count in: extracted again, as ingest did."""
        try:
            doc = load_document(self.path, self.limits)
        except DocumentError as exc:
            raise _changed(self.file) from exc
        if doc.sha256 != self.file.sha256:
            raise _changed(self.file)
        return doc


def find_original(engine: Engine, source: str, chunk: str | None = None) -> Original:
    """The ingested file of this name (the one holding `chunk`, if several have the name)."""
    files = engine.files_named(source)
    if not files:
        raise DocumentNotFoundError(
            f"No document named {source!r} in the collection {engine.collection!r}."
        )
    holding = [f for f in files if chunk is not None and chunk in f.ids]
    found = (holding or files)[0]
    path = Path(found.path)
    try:
        # Lookups go by the index's record only; the path is never taken from the request.
        size = path.stat().st_size
        if found.size >= 0 and size != found.size:
            raise _changed(found)
        data = path.read_bytes()
    except OSError as exc:
        raise OriginalGoneError(
            f"{source} is no longer where it was ingested from (moved or deleted); "
            "ingest it again to open it."
        ) from exc
    if hashlib.sha256(data).hexdigest() != found.sha256:
        raise _changed(found)
    return Original(found, data, ReadLimits.from_settings(engine.settings.ingest))


def _changed(file: IndexedFile) -> OriginalGoneError:
    return OriginalGoneError(
        f"{file.source} has changed since it was ingested, so its citations no longer point "
        "into it; ingest it again to open it."
    )
