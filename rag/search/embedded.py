"""The embedded index: a Qdrant Edge shard on disk, its manifest, and the folder's lock."""

from __future__ import annotations

import errno
import fcntl
import re
import shutil
import tempfile
import threading
from collections.abc import Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import IO

import qdrant_edge as qe
from llama_index.core.schema import BaseNode

from rag.config import COLLECTION_NAME, QdrantSettings
from rag.errors import IndexLockedError, StoreUnavailableError
from rag.search.edge_store import (
    DENSE,
    SPARSE,
    EdgeVectorStore,
    edge_errors,
    full_message,
    lock_message,
)
from rag.search.files import IndexedFile
from rag.search.manifest import Manifest
from rag.search.private_copy import PrivateCopy

SHARD_DIR = "edge"
MANIFEST_FILE = "manifest.sqlite"
# qdrant-client's local mode locks the same file the same way (flock), so an older rag
# process still holding the folder is seen here too.
LOCK_FILE = ".lock"
# Edge writes through memory-mapped sparse files: on a full disk the process dies of SIGBUS
# instead of seeing an error. So writes are refused, with a message, unless the disk has room
# for them with a margin (measured: ~3 MB to create a shard, 2-6 KB per point written).
RESERVE_BYTES = 4 << 20
BYTES_PER_POINT = 16 << 10


# Memory at 100k chunks (bench/scale.py, smaps of the serving process): HNSW walking the float
# vectors maps nearly all of them (147 MB), and the BM25 inverted index is read onto the heap
# (48 MB). Int8 copies of the dense vectors kept in RAM (38 MB) are what HNSW walks instead,
# the originals staying on disk for rescoring; the inverted index is mapped and paged in by use.
QUANTIZATION = qe.ScalarQuantizationConfig(
    type=qe.ScalarType.Int8, quantile=0.99, memory=qe.Memory.Pinned
)


def _sparse_params() -> dict[str, qe.EdgeSparseVectorParams]:
    return {SPARSE: qe.EdgeSparseVectorParams(modifier=qe.Modifier.Idf, memory=qe.Memory.Cold)}


def shard_config(dim: int) -> qe.EdgeConfig:
    """The product's layout: cosine dense vectors and BM25 term weights completed by IDF."""
    return qe.EdgeConfig(
        # Cold: mapped, paged in by use. Pinned (the default) fills its whole preallocated
        # file at every open, 32 MB of disk and RAM before the first point.
        vectors={
            DENSE: qe.EdgeVectorParams(size=dim, distance=qe.Distance.Cosine, memory=qe.Memory.Cold)
        },
        sparse_vectors=_sparse_params(),
        quantization_config=QUANTIZATION,
    )


def layout_update() -> qe.EdgeConfig:
    """What an existing shard is loaded with: the vectors it has, in today's memory layout."""
    # A shard made before quantization keeps its segments as they are (it answers as before) until
    # the next `rag ingest` that changes something optimises it into this layout.
    return qe.EdgeConfig(sparse_vectors=_sparse_params(), quantization_config=QUANTIZATION)


class EmbeddedStore:
    """One collection of chunks in an Edge shard under the index folder, with its manifest."""

    def __init__(self, settings: QdrantSettings) -> None:
        self.root = settings.path
        self.collection = settings.collection
        self.read_only: str | None = None
        self.records_embedder = True
        self._lock: Path | None = None
        self._copy: PrivateCopy | None = None
        folder = self._acquire(settings.path)
        self.folder = folder
        self.shard_path = folder / SHARD_DIR / settings.collection
        try:
            with edge_errors(self.root):
                shard = self._load() if self._has_shard() else None
            self.manifest = Manifest(folder / MANIFEST_FILE, settings.collection)
        except BaseException:
            # A folder that cannot be opened keeps no lock, and no copy in the temp folder.
            self._release()
            raise
        self.vector_store = EdgeVectorStore(
            shard, self.root, create=None if self.read_only else self._create
        )
        from rag.search.migrate import migrate_local_mode, rebuild_manifest

        if self.read_only is None:
            migrate_local_mode(self)
        if shard is not None and not self.manifest.count() and self.count():
            # An index whose manifest was lost: rebuilt once from the payloads.
            rebuild_manifest(shard, self.manifest)

    @property
    def shard(self) -> qe.EdgeShard | None:
        """The Edge shard, or None until the first chunk is added."""
        return self.vector_store.client

    def _load(self) -> qe.EdgeShard:
        # A read-only folder's private copy is never optimised: it keeps the layout it has.
        update = None if self.read_only else layout_update()
        return qe.EdgeShard.load(str(self.shard_path), update)

    def _has_shard(self) -> bool:
        return (self.shard_path / "edge_config.json").is_file()

    def _room(self, points: int) -> None:
        """Refuse a write the disk has no room for, before Edge touches its mapped files."""
        free = shutil.disk_usage(self.folder).free
        if free < RESERVE_BYTES + points * BYTES_PER_POINT:
            reason = f"only {free / 1e6:.1f} MB free on its disk"
            raise StoreUnavailableError(full_message(self.root, reason))

    def _create(self, dim: int) -> qe.EdgeShard:
        self._room(0)
        with edge_errors(self.root):
            shard = qe.EdgeShard.create(str(self.shard_path), shard_config(dim))
            # Filtering by article, and deleting by llama-index document, go through indexes.
            for field in ("source", "doc_id"):
                shard.update(
                    qe.UpdateOperation.create_field_index(field, qe.PayloadSchemaType.Keyword)
                )
        return shard

    def _acquire(self, path: Path) -> Path:
        """Lock the folder for this process; a read-only folder is opened from a private copy."""
        try:
            path.mkdir(parents=True, exist_ok=True)
            self._lock = _FOLDER_LOCKS.take(path)
        except OSError as exc:
            if exc.errno in (errno.EROFS, errno.EACCES) and any(path.iterdir()):
                self.read_only = exc.strerror or str(exc)
                return self._copied(path)
            raise StoreUnavailableError(
                f"Cannot open the index in {path}/: {exc.strerror or exc}. "
                "Check that the folder is writable, or set RAG_QDRANT__PATH to another folder."
            ) from exc
        return path

    def _copied(self, path: Path) -> Path:
        """A private copy of a read-only folder: it still answers, and nothing is written back."""
        try:
            self._copy = PrivateCopy(path, ignore=LOCK_FILE)
        except OSError as exc:
            raise StoreUnavailableError(
                f"The index in {path}/ is read-only ({self.read_only}), and the copy it would be "
                f"read from could not be made in {tempfile.gettempdir()}/ "
                f"({exc.strerror or exc}). Make the index folder writable, or set TMPDIR to a "
                "folder with room for a copy of the index."
            ) from exc
        return self._copy.path

    def collections(self) -> list[str]:
        """The names of the collections in this index folder."""
        shards = self.folder / SHARD_DIR
        if not shards.is_dir():
            return []
        # Only folders a collection can be named after: anything else was not made by rag.
        return sorted(
            p.name for p in shards.iterdir() if p.is_dir() and re.fullmatch(COLLECTION_NAME, p.name)
        )

    def create(self, dim: int) -> None:
        """Create this collection's shard before its first chunk."""
        self.vector_store.shard_for(dim)

    def drop(self) -> None:
        """Delete this collection: its shard and its manifest rows; nothing else is touched."""
        shard = self.shard
        if shard is not None:
            with edge_errors(self.root):
                shard.close()
            self.vector_store.forget_shard()
        self.manifest.remove_collection()
        shutil.rmtree(self.shard_path, ignore_errors=True)

    def errors(self) -> AbstractContextManager[None]:
        """Where Edge's failures become the project's errors naming this index."""
        return edge_errors(self.root)

    def exists(self) -> bool:
        """True once the first chunk has been added."""
        return self.shard is not None

    def count(self) -> int:
        """Number of chunks in the shard."""
        shard = self.shard
        if shard is None:
            return 0
        with edge_errors(self.root):
            return int(shard.count(qe.CountRequest(exact=True)))

    def files(self) -> dict[str, IndexedFile]:
        """Every indexed file by path, from the manifest (the points are not read)."""
        return self.manifest.files()

    def sources(self) -> set[str]:
        """File names of the indexed files, from the manifest."""
        return self.manifest.sources()

    def embedder(self) -> tuple[str, str] | None:
        """The model and backend that embedded this collection; None where not recorded."""
        return self.manifest.embedder()

    def record_embedder(self, model: str, backend: str) -> None:
        """Record the model and backend that embedded this collection."""
        self.manifest.record_embedder(model, backend)

    def begin(self, files: Sequence[IndexedFile]) -> None:
        """Record files about to be (re)written, with the ids they will get."""
        self._room(sum(len(f.ids) for f in files))
        self.manifest.begin(files)

    def add(self, nodes: Sequence[BaseNode]) -> None:
        """Upsert embedded nodes, their ids recorded in the manifest first."""
        by_path: dict[str, list[str]] = {}
        for node in nodes:
            by_path.setdefault(str(node.metadata.get("path", "")), []).append(node.node_id)
        self._room(len(nodes))
        self.manifest.add_ids(by_path)
        self.vector_store.add(list(nodes))

    def delete_ids(self, ids: list[str]) -> None:
        """Remove chunks by point id (the points first, then the manifest's record of them)."""
        if ids:
            self.vector_store.delete_nodes(list(ids))
            self.manifest.remove_ids(ids)

    def commit(self, files: Sequence[IndexedFile]) -> None:
        """Mark files complete once their points are written and stale ones deleted."""
        self.manifest.commit(files)

    def optimize(self) -> None:
        """Merge segments and build the vector indexes. Holds the GIL: never while serving."""
        shard = self.shard
        if shard is not None and self.read_only is None:
            with edge_errors(self.root):
                shard.optimize()

    def close(self) -> None:
        """Flush and close the shard, the manifest and the folder's lock (or private copy)."""
        shard = self.shard
        if shard is not None:
            with edge_errors(self.root):
                shard.close()
        self.manifest.close()
        self._release()

    def _release(self) -> None:
        if self._lock is not None:
            _FOLDER_LOCKS.release(self._lock)
            self._lock = None
        if self._copy is not None:
            self._copy.close()


class _FolderLocks:
    """One flock per index folder and process, shared by the collections open in it."""

    def __init__(self) -> None:
        self._held: dict[Path, tuple[IO[bytes], int]] = {}
        self._guard = threading.Lock()

    def take(self, path: Path) -> Path:
        """Hold the folder's lock, taken from the OS the first time; another process has none."""
        key = path.resolve()
        with self._guard:
            if key in self._held:
                handle, count = self._held[key]
                self._held[key] = (handle, count + 1)
                return key
            handle = open(path / LOCK_FILE, "ab")  # noqa: SIM115 (held until released)
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as exc:
                handle.close()
                raise IndexLockedError(lock_message(path)) from exc
            self._held[key] = (handle, 1)
            return key

    def release(self, key: Path) -> None:
        """Let go of one hold; the OS lock goes with the last."""
        with self._guard:
            handle, count = self._held[key]
            if count > 1:
                self._held[key] = (handle, count - 1)
            else:
                del self._held[key]
                handle.close()


_FOLDER_LOCKS = _FolderLocks()
