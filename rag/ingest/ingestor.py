"""Files → documents → chunks with stable ids → embedded into the store, incrementally."""

from __future__ import annotations

import hashlib
import os
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from llama_index.core import Document
from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.node_parser import SentenceSplitter
from llama_index.core.schema import TextNode

from rag.config import ChunkSettings
from rag.errors import DocumentError
from rag.ingest.loaders import SUPPORTED_SUFFIXES, SourceDocument, load_document
from rag.search.store import IndexedFile, Store
from rag.types import T

_ID_NAMESPACE = uuid.UUID("6f1c3e0a-4b1d-4c8e-9a57-2d7e5b1a9c40")
# Everything a chunk carries is for citing it; none of it should sway its embedding.
_METADATA_KEYS = [
    "source",
    "title",
    "path",
    "root",
    "start",
    "end",
    "file_sha256",
    "chunk_count",
    "pages",
    "sections",
]


@dataclass
class IngestReport:
    """What an ingest did, file by file, and how long it took."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    # Files ingested with a caveat, such as PDF pages that had no text.
    notes: list[tuple[str, str]] = field(default_factory=list)
    chunks_embedded: int = 0
    chunks_removed: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when no file failed."""
        return not self.failed


@dataclass(frozen=True)
class _Target:
    path: Path
    root: str


def chunk_id(path: str, start: int, text: str) -> str:
    """A point id that stays the same for the same text at the same place in the same file."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return str(uuid.uuid5(_ID_NAMESPACE, f"{path}\n{start}\n{digest}"))


class Ingestor:
    """Brings the store in line with a set of files and folders."""

    def __init__(
        self,
        store: Store,
        embed_model: Callable[[], BaseEmbedding],
        chunking: ChunkSettings,
        max_bytes: int | None = None,
    ) -> None:
        self.store = store
        self.max_bytes = max_bytes
        # The model loads only when a file needs embedding, so a no-change run stays fast.
        self._load_model = embed_model
        self._chunking = chunking

    @cached_property
    def embed_model(self) -> BaseEmbedding:
        """The embedding model, loaded on first use."""
        return self._load_model()

    @cached_property
    def splitter(self) -> SentenceSplitter:
        """A sentence-aware splitter counting in the embedding model's own word pieces."""
        tokenizer = getattr(getattr(self.embed_model, "_model", None), "tokenizer", None)
        return SentenceSplitter(
            chunk_size=self._chunking.size,
            chunk_overlap=self._chunking.overlap,
            # The model reads 256 word pieces at most; counting in them keeps chunks whole.
            tokenizer=(lambda s: tokenizer.encode(s, add_special_tokens=False))
            if tokenizer is not None
            else None,
        )

    def chunk(self, doc: SourceDocument, root: str) -> list[TextNode]:
        """Cut a document into nodes carrying source, title and exact character offsets."""
        parsed = self.splitter.get_nodes_from_documents([Document(text=doc.text)])
        path = str(doc.path.resolve())
        nodes: list[TextNode] = []
        for node in parsed:
            if not isinstance(node, TextNode):
                continue
            start, end = node.start_char_idx, node.end_char_idx
            text = node.get_content()
            if start is None or end is None or doc.text[start:end] != text:
                start = doc.text.find(text)
                end = start + len(text)
            metadata: dict[str, Any] = {
                "source": doc.source,
                "title": doc.title,
                "path": path,
                "root": root,
            }
            metadata |= {"start": start, "end": end, "file_sha256": doc.sha256}
            metadata |= {
                "pages": _touching(doc.pages, start, end),
                "sections": _touching(doc.sections, start, end),
            }
            nodes.append(
                TextNode(
                    id_=chunk_id(path, start, text),
                    text=text,
                    metadata=metadata,
                    start_char_idx=start,
                    end_char_idx=end,
                    excluded_embed_metadata_keys=list(_METADATA_KEYS),
                    excluded_llm_metadata_keys=list(_METADATA_KEYS),
                )
            )
        for node in nodes:
            node.metadata["chunk_count"] = len(nodes)
        return nodes

    def run(
        self,
        paths: Iterable[Path],
        progress: Callable[[Iterable[_Target]], Iterable[_Target]] | None = None,
    ) -> IngestReport:
        """Ingest files and folders: skip unchanged, replace changed, drop vanished files."""
        started = time.perf_counter()
        report = IngestReport()
        targets, roots = self._targets(paths, report)
        indexed = self.store.files()
        for target in progress(targets) if progress else targets:
            self._ingest_file(target, indexed, report)
        seen = {str(t.path.resolve()) for t in targets}
        for path, entry in sorted(indexed.items()):
            if entry.root in roots and path not in seen:
                self.store.delete_ids(sorted(entry.ids))
                report.removed.append(entry.source)
                report.chunks_removed += len(entry.ids)
        report.seconds = time.perf_counter() - started
        return report

    def _ingest_file(
        self, target: _Target, indexed: dict[str, IndexedFile], report: IngestReport
    ) -> None:
        path = str(target.path.resolve())
        try:
            doc = load_document(target.path, self.max_bytes)
        except DocumentError as exc:
            report.failed.append((target.path.name, str(exc).removeprefix(f"{target.path.name}: ")))
            return
        before = indexed.get(path)
        if before is not None and before.sha256 == doc.sha256 and before.complete:
            report.unchanged.append(doc.source)
            return
        if doc.empty_pages:
            listed = ", ".join(str(n) for n in doc.empty_pages)
            report.notes.append((doc.source, f"no text on page(s) {listed} (scanned images?)"))
        nodes = self.chunk(doc, target.root)
        embeddings = self.embed_model.get_text_embedding_batch([n.get_content() for n in nodes])
        for node, embedding in zip(nodes, embeddings, strict=True):
            node.embedding = embedding
        # Upsert first, then drop what the new version no longer has: a crash in between
        # leaves extra chunks that the next run removes, never a file with none.
        self.store.add(nodes)
        stale = sorted((before.ids if before else frozenset()) - {n.node_id for n in nodes})
        self.store.delete_ids(stale)
        report.chunks_embedded += len(nodes)
        (report.updated if before is not None else report.added).append(doc.source)

    def _targets(
        self, paths: Iterable[Path], report: IngestReport
    ) -> tuple[list[_Target], set[str]]:
        targets: list[_Target] = []
        roots: set[str] = set()
        for path in paths:
            if path.is_dir():
                root = str(path.resolve())
                roots.add(root)
                targets.extend(_Target(p, root) for p in _walk(path))
            elif path.is_file():
                if path.suffix.lower() in SUPPORTED_SUFFIXES:
                    # A file named on its own belongs to no folder, so no folder run removes it.
                    targets.append(_Target(path, ""))
                else:
                    report.failed.append(
                        (
                            path.name,
                            f"unsupported file type {path.suffix or '(none)'}; "
                            f"use one of {', '.join(sorted(SUPPORTED_SUFFIXES))}",
                        )
                    )
            else:
                report.failed.append((str(path), "no such file or folder"))
        return targets, roots


def _touching(starts: tuple[tuple[int, T], ...], start: int, end: int) -> list[list[Any]]:
    """The pages or sections a chunk touches: the one it starts in and any beginning inside it."""
    before = [[offset, value] for offset, value in starts if offset <= start][-1:]
    return before + [[offset, value] for offset, value in starts if start < offset < end]


def _walk(folder: Path) -> Iterator[Path]:
    """Supported files under a folder, sorted, skipping hidden entries and symlinked folders."""
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            candidate = Path(dirpath) / name
            if not name.startswith(".") and candidate.suffix.lower() in SUPPORTED_SUFFIXES:
                yield candidate
