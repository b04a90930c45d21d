"""What the index records of each file it holds, whichever store keeps it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Payload fields kept for every chunk besides what llama-index stores.
MANIFEST_FIELDS = ["path", "root", "file_sha256", "chunk_count", "source", "title", "reader"]


@dataclass(frozen=True)
class IndexedFile:
    """What the index holds of one file: its hash, its chunk count and its chunk ids."""

    path: str
    root: str
    source: str
    title: str
    sha256: str
    chunk_count: int
    ids: frozenset[str]
    # The file's size and mtime when ingested (-1: unknown), so an unchanged file is not read.
    size: int = -1
    mtime_ns: int = -1
    # A PDF's page count (None for other formats, or where it was not recorded).
    pages: int | None = None
    # When the file's current content was ingested, as ISO 8601 UTC ("" when not recorded).
    ingested_at: str = ""
    # The version of the readers that read it (0: one from before versions were recorded).
    reader: int = 0

    @classmethod
    def from_payload(cls, path: str, entry: dict[str, Any]) -> IndexedFile:
        """A file as its chunks' payloads describe it, with the ids of those chunks."""
        return cls(
            path=path,
            root=str(entry.get("root", "")),
            source=str(entry.get("source", "")),
            title=str(entry.get("title", "")),
            sha256=str(entry.get("file_sha256", "")),
            chunk_count=int(entry.get("chunk_count", -1)),
            ids=frozenset(entry["ids"]),
            reader=int(entry.get("reader", 0)),
        )

    @property
    def complete(self) -> bool:
        """True when every chunk of the file made it into the index."""
        return len(self.ids) == self.chunk_count
