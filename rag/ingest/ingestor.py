"""Files → documents → chunks with stable ids → embedded into the store, incrementally."""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from queue import Empty, Queue
from typing import Any

from llama_index.core import Document
from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.node_parser import SentenceSplitter
from llama_index.core.schema import TextNode

from rag.config import ChunkSettings
from rag.errors import DocumentError
from rag.ingest.limits import ReadLimits
from rag.ingest.loaders import (
    READER_VERSION,
    SUPPORTED_SUFFIXES,
    SourceDocument,
    load_document,
)
from rag.ingest.token_counts import TokenCounter
from rag.locking import ReadWriteLock
from rag.search.backend import StoreBackend
from rag.search.embeddings import tokenizer_of
from rag.search.files import IndexedFile
from rag.types import T

# Files read and chunked ahead of the batch being embedded.
PREFETCH_FILES = 64
# An ingest with this much to read embeds its chunks with the bulk model, if there is one:
# loading it (torch, about 3 s) then costs less than it saves.
BULK_MIN_BYTES = 256 * 1024
# About what a chunk of 240 word pieces holds, for sizing a re-embedding in bytes.
_CHUNK_BYTES = 1024
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
    "reader",
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
    # Files refused (also in `failed`) because another document holds their name: its path.
    conflicts: list[tuple[str, str]] = field(default_factory=list)
    chunks_embedded: int = 0
    # Of those, chunks already indexed and embedded again by another model or backend.
    chunks_reembedded: int = 0
    chunks_removed: int = 0
    # Set when the bulk model embedded the chunks: what it computes in ("bfloat16").
    bulk: str = ""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when no file failed."""
        return not self.failed


@dataclass
class IngestProgress:
    """How far an ingest has come: bytes read of those to read, chunks embedded, and when."""

    total_bytes: int
    started: float
    done_bytes: int = 0
    chunks: int = 0
    # Files to read (those changed by size or mtime), and those of them finished: written,
    # or read and found unchanged or unreadable (counted apart, by the reading thread).
    total_files: int = 0
    files_written: int = 0
    files_skipped: int = 0

    @property
    def files_done(self) -> int:
        """Files of `total_files` finished so far."""
        return self.files_written + self.files_skipped

    @property
    def chunks_per_s(self) -> float:
        """Chunks embedded and written per second so far."""
        return self.chunks / max(time.perf_counter() - self.started, 1e-9)

    @property
    def eta_s(self) -> float | None:
        """Seconds left at the rate so far, by bytes (None until something is done)."""
        if not self.done_bytes:
            return None
        elapsed = time.perf_counter() - self.started
        return elapsed * (self.total_bytes - self.done_bytes) / self.done_bytes


@dataclass(frozen=True)
class _Target:
    path: Path
    root: str


@dataclass
class _Pending:
    entry: IndexedFile
    before: IndexedFile | None
    nodes: list[TextNode]


def chunk_id(path: str, start: int, text: str) -> str:
    """A point id that stays the same for the same text at the same place in the same file."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return str(uuid.uuid5(_ID_NAMESPACE, f"{path}\n{start}\n{digest}"))


class Ingestor:
    """Brings the store in line with a set of files and folders."""

    def __init__(
        self,
        store: StoreBackend,
        embed_model: Callable[[], BaseEmbedding],
        chunking: ChunkSettings,
        limits: ReadLimits | None = None,
        batch_chunks: int = 512,
        lock: ReadWriteLock | None = None,
        committed: Callable[[], None] | None = None,
        pause: Callable[[], None] | None = None,
        bulk_model: Callable[[], BaseEmbedding | None] | None = None,
        bulk_min_bytes: int | None = None,
    ) -> None:
        self.store = store
        self.limits = limits or ReadLimits()
        # Held (for writing) only while the store changes: reading, chunking and embedding
        # happen outside it, so questions are answered from the committed index meanwhile.
        self.lock = lock or ReadWriteLock()
        # Told, inside the lock, after each write: what caches the index's contents drops them.
        self._committed = committed or (lambda: None)
        # Called before each model call: where a serving engine lets questions go first.
        self._pause = pause or (lambda: None)
        # Chunks of many files are embedded together: the model is fastest on full batches.
        self.batch_chunks = batch_chunks
        # The model loads only when a file needs embedding, so a no-change run stays fast.
        self._load_model = embed_model
        self._chunking = chunking
        # A faster model for the chunks of a large ingest (bfloat16), if any; never for questions.
        self._load_bulk = bulk_model or (lambda: None)
        self.bulk_min_bytes = BULK_MIN_BYTES if bulk_min_bytes is None else bulk_min_bytes
        self._use_bulk = False

    @cached_property
    def embed_model(self) -> BaseEmbedding:
        """The embedding model, loaded on first use."""
        return self._load_model()

    @cached_property
    def bulk_model(self) -> BaseEmbedding | None:
        """The bulk model, loaded on first use; None if there is none."""
        return self._load_bulk()

    def _chunk_model(self, report: IngestReport) -> BaseEmbedding:
        """The model this ingest embeds chunks with, noted in the report if it is the bulk one."""
        if self._use_bulk and self.bulk_model is not None:
            report.bulk = getattr(self.bulk_model, "precision", "bulk")
            return self.bulk_model
        return self.embed_model

    @cached_property
    def splitter(self) -> SentenceSplitter:
        """A sentence-aware splitter counting in the embedding model's own word pieces."""
        tokenizer = tokenizer_of(self.embed_model)
        return SentenceSplitter(
            chunk_size=self._chunking.size,
            chunk_overlap=self._chunking.overlap,
            # The model reads 256 word pieces at most; counting in them keeps chunks whole.
            tokenizer=TokenCounter(tokenizer) if tokenizer is not None else None,
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
            metadata |= {
                "start": start,
                "end": end,
                "file_sha256": doc.sha256,
                "reader": READER_VERSION,
            }
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
        on_progress: Callable[[IngestProgress], None] | None = None,
    ) -> IngestReport:
        """Ingest files and folders: skip unchanged, replace changed, drop vanished files."""
        started = time.perf_counter()
        report = IngestReport()
        targets, roots, indexed, todo = self._plan(paths, report)
        tracker = IngestProgress(
            total_bytes=sum(size for _, size in todo), started=started, total_files=len(todo)
        )
        sizes = dict(todo)
        self._use_bulk = tracker.total_bytes >= self.bulk_min_bytes
        batch: list[_Pending] = []
        touched: list[IndexedFile] = []
        work = [t for t, _ in todo]

        def prepared() -> Iterator[_Pending | None]:
            for target in progress(work) if progress else work:
                pending = self._prepare(target, indexed, report, touched)
                tracker.files_skipped += pending is None
                yield pending
                tracker.done_bytes += sizes[target]

        # Files are read and chunked in a thread while the model embeds the previous batch:
        # the tokenizer and torch both release the GIL, so chunking costs the ingest little.
        for pending in in_background(prepared(), maxsize=PREFETCH_FILES):
            if pending is not None:
                batch.append(pending)
                # Whole files per batch: memory stays near one batch plus the prefetched files.
                if sum(len(p.nodes) for p in batch) >= self.batch_chunks:
                    self._flush(batch, report, tracker, on_progress)
                    batch = []
        self._flush(batch, report, tracker, on_progress)
        with self.lock.write():
            # A file read again only for a new mtime keeps its chunks: its new stat is recorded.
            self.store.commit(touched)
            for entry in _vanished(targets, roots, indexed):
                self.store.delete_ids(sorted(entry.ids))
                report.removed.append(entry.source)
                report.chunks_removed += len(entry.ids)
            self._committed()
        report.seconds = time.perf_counter() - started
        return report

    def unchanged(self, paths: Iterable[Path]) -> IngestReport | None:
        """The report of a run that would write nothing (by size and mtime); None if it would."""
        report = IngestReport()
        targets, roots, indexed, todo = self._plan(paths, report)
        if todo or _vanished(targets, roots, indexed):
            return None
        return report

    def _plan(
        self, paths: Iterable[Path], report: IngestReport
    ) -> tuple[list[_Target], set[str], dict[str, IndexedFile], list[tuple[_Target, int]]]:
        """The files named, their folders, what the index holds, and the files to read again."""
        targets, roots = self._targets(paths, report)
        with self.lock.read():
            indexed = self.store.files()
        targets = _own_names(targets, roots, indexed, report)
        return targets, roots, indexed, self._changed_by_stat(targets, indexed, report)

    def reembed(self, report: IngestReport) -> None:
        """Embed every chunk of the collection again, from the text the store holds."""
        ids: list[str] = []
        for entry in sorted(self.store.files().values(), key=lambda f: f.path):
            ids.extend(sorted(entry.ids))
        self._use_bulk = len(ids) * _CHUNK_BYTES >= self.bulk_min_bytes
        for start in range(0, len(ids), self.batch_chunks):
            nodes = self.store.vector_store.get_nodes(
                node_ids=ids[start : start + self.batch_chunks]
            )
            # Questions are refused while the index is re-embedded: no pause for them.
            self._embed(nodes, self._chunk_model(report), pause=False)
            self.store.add(nodes)
            report.chunks_embedded += len(nodes)
            report.chunks_reembedded += len(nodes)

    def _embed(self, nodes: list[Any], model: BaseEmbedding, pause: bool = True) -> None:
        """Set each node's embedding, in the model's own batches."""
        # Longest first, as sentence-transformers orders a whole corpus: llama-index hands
        # the model a few chunks at a time, and a short chunk among long ones is all padding.
        ordered = sorted(nodes, key=lambda n: -len(n.get_content()))
        texts = [n.get_content() for n in ordered]
        # One call per batch, with a pause before each for questions waiting to be answered:
        # the same calls the model would make in one go.
        step = max(1, int(getattr(model, "embed_batch_size", 32)))
        embeddings: list[list[float]] = []
        for start in range(0, len(texts), step):
            if pause:
                self._pause()
            embeddings += model.get_text_embedding_batch(texts[start : start + step])
        for node, embedding in zip(ordered, embeddings, strict=True):
            node.embedding = embedding

    def _changed_by_stat(
        self, targets: list[_Target], indexed: dict[str, IndexedFile], report: IngestReport
    ) -> list[tuple[_Target, int]]:
        """The targets to read, with their sizes; the rest are unchanged by size and mtime."""
        todo: list[tuple[_Target, int]] = []
        for target in targets:
            before = indexed.get(str(target.path.resolve()))
            try:
                st = target.path.stat()
            except OSError:
                todo.append((target, 0))  # load_document reports the reason
                continue
            if (
                before is not None
                and before.complete
                and before.reader == READER_VERSION
                and (before.size, before.mtime_ns) == (st.st_size, st.st_mtime_ns)
            ):
                report.unchanged.append(before.source)
            else:
                todo.append((target, st.st_size))
        return todo

    def _prepare(
        self,
        target: _Target,
        indexed: dict[str, IndexedFile],
        report: IngestReport,
        touched: list[IndexedFile],
    ) -> _Pending | None:
        """Read and chunk a file that may have changed; None when it has not (or failed)."""
        path = str(target.path.resolve())
        # Stat before reading: a write in between leaves an older mtime, read again next time.
        try:
            found = target.path.stat()
            st = (found.st_size, found.st_mtime_ns)
        except OSError:
            st = (-1, -1)  # load_document says why it cannot be read
        try:
            doc = load_document(target.path, self.limits)
        except DocumentError as exc:
            report.failed.append((target.path.name, str(exc).removeprefix(f"{target.path.name}: ")))
            return None
        before = indexed.get(path)
        # A file an older reader read is read and embedded again: its text or title may differ.
        if (
            before is not None
            and before.reader == READER_VERSION
            and before.sha256 == doc.sha256
            and before.complete
        ):
            report.unchanged.append(doc.source)
            # Read anyway: record the page count an older manifest may lack.
            touched.append(
                replace(before, size=st[0], mtime_ns=st[1], pages=len(doc.pages) or None)
            )
            return None
        if doc.empty_pages:
            listed = ", ".join(str(n) for n in doc.empty_pages)
            report.notes.append((doc.source, f"no text on page(s) {listed} (scanned images?)"))
        nodes = self.chunk(doc, target.root)
        entry = IndexedFile(
            path=path,
            root=target.root,
            source=doc.source,
            title=doc.title,
            sha256=doc.sha256,
            chunk_count=len(nodes),
            ids=frozenset(n.node_id for n in nodes),
            size=st[0],
            mtime_ns=st[1],
            # Every PDF page has a start, empty pages included; other formats have none.
            pages=len(doc.pages) or None,
            reader=READER_VERSION,
        )
        return _Pending(entry, before, nodes)

    def _flush(
        self,
        batch: list[_Pending],
        report: IngestReport,
        tracker: IngestProgress,
        on_progress: Callable[[IngestProgress], None] | None,
    ) -> None:
        """Embed a batch of files' chunks at once, write them, then record the files done."""
        nodes = [n for p in batch for n in p.nodes]
        if nodes:
            self._embed(nodes, self._chunk_model(report))
        # Ids are recorded (pending) before the points are written, and the files marked done
        # only after: a run killed in between leaves files that read as incomplete, which the
        # next run writes again and rids of every id it had recorded for them. A question sees
        # the batch's files before or after, never between: whole files, old or new.
        stale: set[str] = set()
        for p in batch:
            stale |= (p.before.ids if p.before else frozenset()) - p.entry.ids
        with self.lock.write():
            self.store.begin([p.entry for p in batch])
            self.store.add(nodes)
            self.store.delete_ids(sorted(stale))
            self.store.commit([p.entry for p in batch])
            self._committed()
        for p in batch:
            (report.updated if p.before is not None else report.added).append(p.entry.source)
        report.chunks_embedded += len(nodes)
        tracker.chunks += len(nodes)
        tracker.files_written += len(batch)
        if on_progress is not None:
            on_progress(tracker)

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


def _vanished(
    targets: list[_Target], roots: set[str], indexed: dict[str, IndexedFile]
) -> list[IndexedFile]:
    """Indexed files of the folders ingested that are no longer in them, by path."""
    seen = {str(t.path.resolve()) for t in targets}
    return [e for path, e in sorted(indexed.items()) if e.root in roots and path not in seen]


def _own_names(
    targets: list[_Target], roots: set[str], indexed: dict[str, IndexedFile], report: IngestReport
) -> list[_Target]:
    """The targets whose file name no other document holds; the others refused, naming it."""
    # A document is known by its file name (citations, filters, removal), so a second file of that
    # name from another folder would shadow it. A file already indexed keeps its place.
    listed = {str(t.path.resolve()) for t in targets}
    holders: dict[str, IndexedFile | _Target] = {}
    for path, entry in sorted(indexed.items()):
        # A file gone from a folder being ingested again leaves with this run: not a holder.
        if not (entry.root in roots and path not in listed):
            holders.setdefault(entry.source, entry)
    kept = []
    for target in targets:
        path = str(target.path.resolve())
        holder = holders.setdefault(target.path.name, target)
        held = holder.path if isinstance(holder, IndexedFile) else str(holder.path.resolve())
        if held == path or path in indexed:
            kept.append(target)
            continue
        what = f"the document {holder.title!r}" if isinstance(holder, IndexedFile) else "a file"
        report.failed.append(
            (
                target.path.name,
                f"{what} from the folder {Path(held).parent.name!r} already has this name; "
                "rename the file, or remove that document first",
            )
        )
        report.conflicts.append((target.path.name, held))
    return kept


def _touching(starts: tuple[tuple[int, T], ...], start: int, end: int) -> list[list[Any]]:
    """The pages or sections a chunk touches: the one it starts in and any beginning inside it."""
    before = [[offset, value] for offset, value in starts if offset <= start][-1:]
    return before + [[offset, value] for offset, value in starts if start < offset < end]


def in_background(items: Iterator[T], maxsize: int) -> Iterator[T]:
    """The items of an iterator produced in a thread, at most `maxsize` ahead of the consumer."""
    queue: Queue[tuple[bool, Any]] = Queue(maxsize=maxsize)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                if stop.is_set():
                    return
                queue.put((True, item))
            queue.put((False, None))
        except BaseException as exc:  # handed to the consumer, raised there
            queue.put((False, exc))

    thread = threading.Thread(target=produce, name="ingest-reader", daemon=True)
    thread.start()
    try:
        while True:
            more, item = queue.get()
            if not more:
                if isinstance(item, BaseException):
                    raise item
                return
            yield item
    finally:
        stop.set()
        while thread.is_alive():  # let a blocked producer see `stop`
            with contextlib.suppress(Empty):
                queue.get(timeout=0.05)
        thread.join()


def _walk(folder: Path) -> Iterator[Path]:
    """Supported files under a folder, sorted, skipping hidden entries and symlinked folders."""
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            candidate = Path(dirpath) / name
            if not name.startswith(".") and candidate.suffix.lower() in SUPPORTED_SUFFIXES:
                yield candidate
