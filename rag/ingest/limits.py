"""Limits on the work one file may cost to read, each refused by name while reading."""

from __future__ import annotations

from dataclasses import dataclass

from rag.config import IngestSettings
from rag.errors import DocumentLimitError

_DEFAULTS = IngestSettings()


@dataclass(frozen=True)
class ReadLimits:
    """How much one file may be: bytes on disk, unpacked, entries, pages, markup and text."""

    max_bytes: int | None = int(_DEFAULTS.max_file_mb * 1e6)
    max_unzipped_bytes: int = int(_DEFAULTS.max_unzipped_mb * 1e6)
    max_zip_entries: int = _DEFAULTS.max_zip_entries
    max_zip_ratio: float = _DEFAULTS.max_zip_ratio
    max_pdf_pages: int = _DEFAULTS.max_pdf_pages
    max_html_bytes: int = int(_DEFAULTS.max_html_mb * 1e6)
    max_text_chars: int = int(_DEFAULTS.max_text_mb * 1e6)

    @classmethod
    def from_settings(cls, ingest: IngestSettings) -> ReadLimits:
        """The limits the RAG_INGEST__* settings give."""
        return cls(
            max_bytes=int(ingest.max_file_mb * 1e6),
            max_unzipped_bytes=int(ingest.max_unzipped_mb * 1e6),
            max_zip_entries=ingest.max_zip_entries,
            max_zip_ratio=ingest.max_zip_ratio,
            max_pdf_pages=ingest.max_pdf_pages,
            max_html_bytes=int(ingest.max_html_mb * 1e6),
            max_text_chars=int(ingest.max_text_mb * 1e6),
        )


def over(name: str, what: str, limit: str, setting: str) -> DocumentLimitError:
    """The one form every limit's refusal takes: what the file is, the limit, its setting."""
    return DocumentLimitError(f"{name}: {what} is over the {limit} limit (RAG_INGEST__{setting})")


class TextBudget:
    """Characters of text taken out of a file so far, refused past the limit as they come."""

    def __init__(self, name: str, limits: ReadLimits) -> None:
        self.name = name
        self.limit = limits.max_text_chars
        self.used = 0

    def take(self, text: str) -> str:
        """Count a piece of text; DocumentLimitError once the file's text is over the limit."""
        self.used += len(text)
        if self.used > self.limit:
            raise over(
                self.name,
                f"its text ({self.used:,} characters so far)",
                f"{self.limit:,} character",
                "MAX_TEXT_MB",
            )
        return text
