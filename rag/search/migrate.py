"""An index folder made by qdrant-client's local mode, copied into Edge (no re-embedding)."""

from __future__ import annotations

import logging
import pickle
import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import qdrant_edge as qe

from rag.errors import StoreUnavailableError
from rag.search.edge_store import DENSE, SPARSE, edge_errors
from rag.search.files import MANIFEST_FIELDS, IndexedFile
from rag.search.manifest import Manifest

if TYPE_CHECKING:
    from rag.search.embedded import EmbeddedStore

log = logging.getLogger(__name__)
BATCH = 1024
# Where the old files go once copied: kept until the user deletes them.
BACKUP_DIR = "local-mode-backup"


def local_mode_storage(folder: Path, collection: str) -> Path | None:
    """The SQLite file of a qdrant-client local-mode collection in the folder, if any."""
    storage = folder / "collection" / collection / "storage.sqlite"
    return storage if (folder / "meta.json").is_file() and storage.is_file() else None


def rebuild_command(folder: Path) -> str:
    """The command that builds the index again from the documents."""
    return f"mv {folder} {folder}.old && RAG_QDRANT__PATH={folder} rag ingest <your folders>"


def migrate_local_mode(store: EmbeddedStore) -> int:
    """Copy a local-mode collection's points into the store's new shard; the number copied."""
    storage = local_mode_storage(store.folder, store.collection)
    if storage is None:
        return 0
    if store.read_only is not None:
        raise StoreUnavailableError(
            f"The index in {store.root}/ was made by an older rag and must be converted, "
            f"which needs write access ({store.read_only}). Make it writable, or rebuild it: "
            f"{rebuild_command(store.root)}"
        )
    if store.shard is None:
        copied = _copy(storage, store)
        log.warning("Converted %d chunks of %s/ to the new index format.", copied, store.root)
    else:
        copied = 0  # Converted by an earlier run that stopped before moving the old files.
    backup = store.folder / BACKUP_DIR
    backup.mkdir(exist_ok=True)
    for name in ("meta.json", "collection"):
        if (store.folder / name).exists():
            shutil.move(store.folder / name, backup / name)
    log.warning("The old index files are in %s/; delete them when satisfied.", backup)
    return copied


def _copy(storage: Path, store: EmbeddedStore) -> int:
    copied = 0
    try:
        for batch in _batches(storage):
            if store.shard is None:
                first = cast(dict[str, list[float]], batch[0].vector)
                store.vector_store.shard_for(len(first[DENSE]))
            shard = store.shard
            assert shard is not None
            with edge_errors(store.root):
                shard.update(qe.UpdateOperation.upsert_points(batch))
            copied += len(batch)
    except (sqlite3.DatabaseError, pickle.UnpicklingError, KeyError, TypeError) as exc:
        raise StoreUnavailableError(
            f"The index in {store.root}/ was made by an older rag and cannot be converted "
            f"({type(exc).__name__}: {exc}). Rebuild it: {rebuild_command(store.root)}"
        ) from exc
    if store.shard is not None:
        rebuild_manifest(store.shard, store.manifest)
    return copied


def _batches(storage: Path) -> Iterator[list[qe.Point]]:
    """The collection's points as Edge points, newest copy of each id, in batches."""
    db = sqlite3.connect(f"file:{storage}?mode=ro", uri=True)
    try:
        seen: set[str] = set()
        batch: list[qe.Point] = []
        # Older qdrant-client versions could keep several rows per point; the last one counts.
        for (blob,) in db.execute("SELECT point FROM points ORDER BY rowid DESC"):
            point = pickle.loads(blob)
            key = str(uuid.UUID(str(point.id))) if isinstance(point.id, str) else str(point.id)
            if key in seen:
                continue
            seen.add(key)
            batch.append(qe.Point(point.id, _vector(point.vector), point.payload or {}))
            if len(batch) >= BATCH:
                yield batch
                batch = []
        if batch:
            yield batch
    finally:
        db.close()


def _vector(vector: Any) -> dict[str, Any]:
    out: dict[str, Any] = {DENSE: list(vector[DENSE])}
    found = vector.get(SPARSE)
    if found is not None and list(found.indices):
        out[SPARSE] = qe.SparseVector(list(found.indices), list(found.values))
    return out


def rebuild_manifest(shard: qe.EdgeShard, manifest: Manifest) -> None:
    """The manifest rebuilt from the chunks' payloads (one scan, on conversion or loss)."""
    found: dict[str, dict[str, Any]] = {}
    offset: qe.PointId | None = None
    selector = qe.PayloadSelector.Include(MANIFEST_FIELDS)
    while True:
        request = qe.ScrollRequest(offset=offset, limit=BATCH, with_payload=selector)
        records, offset = shard.scroll(request)
        for record in records:
            payload = record.payload or {}
            entry = found.setdefault(str(payload.get("path")), {"ids": set(), **payload})
            entry["ids"].add(str(record.id))
        if offset is None:
            break
    files = [IndexedFile.from_payload(path, e) for path, e in found.items()]
    manifest.begin(files)
    manifest.commit(files)
