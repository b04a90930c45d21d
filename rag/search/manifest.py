"""What the embedded index holds, file by file, in a small SQLite file beside it."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterable
from pathlib import Path

from rag.search.files import IndexedFile

_SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    collection TEXT NOT NULL,
    path TEXT NOT NULL,
    root TEXT NOT NULL,
    source TEXT NOT NULL,
    title TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    chunk_count INTEGER NOT NULL,
    ingested_at TEXT NOT NULL,
    pages INTEGER,
    reader INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (collection, path)
);
CREATE TABLE IF NOT EXISTS chunks (
    collection TEXT NOT NULL,
    id TEXT NOT NULL,
    path TEXT NOT NULL,
    PRIMARY KEY (collection, id)
);
CREATE INDEX IF NOT EXISTS chunks_by_path ON chunks (collection, path);
CREATE TABLE IF NOT EXISTS embedders (
    collection TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    backend TEXT NOT NULL
);
"""

# What a manifest written before backends were recorded says embedded it: the model that is
# configured (its name was not recorded either), on torch, the one backend there was.
CONFIGURED_MODEL = ""
LEGACY_BACKEND = "torch"

# chunk_count -1 marks a file whose points are being written: it reads as incomplete until the
# write is confirmed, so a run killed in between re-ingests it and drops what it left behind.
PENDING = -1


class Manifest:
    """Files → hash, size, chunk ids and count; kept in step with the points by the store."""

    # Points are upserted only after their ids are recorded here (so nothing written is ever
    # untracked) and their file is marked complete only after the upsert; deletes go to the points
    # first. A file is complete when it holds exactly chunk_count ids.

    def __init__(self, path: Path, collection: str) -> None:
        self.path = path
        self.collection = collection
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        # One connection for every thread: questions read while the writer writes, and one
        # statement (or a cursor being read) must not interleave with another's transaction.
        self._guard = threading.RLock()
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        tables = {row[0] for row in self._db.execute("SELECT name FROM sqlite_master")}
        self._db.executescript(_SCHEMA)
        self._migrate()
        if "files" in tables and "embedders" not in tables:
            # Written by a rag that embedded everything with torch and recorded no backend.
            self._db.execute(
                "INSERT OR IGNORE INTO embedders SELECT DISTINCT collection, ?, ? FROM files",
                (CONFIGURED_MODEL, LEGACY_BACKEND),
            )

    def _migrate(self) -> None:
        """Bring a manifest written by an older rag up to this schema."""
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(files)")}
        if "pages" not in columns:
            # Files ingested before pages were recorded show none until ingested again.
            self._db.execute("ALTER TABLE files ADD COLUMN pages INTEGER")
        if "reader" not in columns:
            # Files read before reader versions were recorded are read again by the next ingest.
            self._db.execute("ALTER TABLE files ADD COLUMN reader INTEGER NOT NULL DEFAULT 0")

    def files(self) -> dict[str, IndexedFile]:
        """Every file with at least one chunk, by path."""
        with self._guard:
            ids: dict[str, set[str]] = {}
            for chunk, path in self._db.execute(
                "SELECT id, path FROM chunks WHERE collection = ?", (self.collection,)
            ):
                ids.setdefault(path, set()).add(chunk)
            found = {}
            for row in self._db.execute(
                "SELECT path, root, source, title, sha256, chunk_count, size, mtime_ns, pages, "
                "ingested_at, reader FROM files WHERE collection = ?",
                (self.collection,),
            ):
                path = row[0]
                if path in ids:
                    found[path] = IndexedFile(
                        path=path,
                        root=row[1],
                        source=row[2],
                        title=row[3],
                        sha256=row[4],
                        chunk_count=row[5],
                        ids=frozenset(ids[path]),
                        size=row[6],
                        mtime_ns=row[7],
                        pages=row[8],
                        ingested_at=row[9],
                        reader=row[10],
                    )
            return found

    def sources(self) -> set[str]:
        """File names of the files that have chunks, without reading the chunk ids."""
        with self._guard:
            rows = self._db.execute(
                "SELECT DISTINCT f.source FROM files f WHERE f.collection = ? AND EXISTS "
                "(SELECT 1 FROM chunks c WHERE c.collection = f.collection AND c.path = f.path)",
                (self.collection,),
            )
            return {row[0] for row in rows}

    def count(self) -> int:
        """Number of chunk ids recorded."""
        with self._guard:
            row = self._db.execute(
                "SELECT COUNT(*) FROM chunks WHERE collection = ?", (self.collection,)
            ).fetchone()
            return int(row[0])

    def embedder(self) -> tuple[str, str] | None:
        """The model and backend that embedded this collection; None where not recorded."""
        row = self._db.execute(
            "SELECT model, backend FROM embedders WHERE collection = ?", (self.collection,)
        ).fetchone()
        return None if row is None else (row[0], row[1])

    def record_embedder(self, model: str, backend: str) -> None:
        """Record the model and backend that embedded this collection."""
        self._db.execute(
            "INSERT OR REPLACE INTO embedders VALUES (?, ?, ?)", (self.collection, model, backend)
        )

    def begin(self, files: Iterable[IndexedFile]) -> None:
        """Record files about to be written as pending, with the ids they are about to get."""
        with self._guard, self._db:
            self._db.execute("BEGIN")
            for f in files:
                self._put(f, PENDING)
                self._add_ids(f.path, f.ids)

    def add_ids(self, by_path: dict[str, list[str]]) -> None:
        """Record chunk ids (before their points are written)."""
        with self._guard, self._db:
            self._db.execute("BEGIN")
            for path, ids in by_path.items():
                self._add_ids(path, ids)

    def remove_collection(self) -> None:
        """Forget every file and chunk of this collection."""
        with self._guard, self._db:
            self._db.execute("DELETE FROM chunks WHERE collection = ?", (self.collection,))
            self._db.execute("DELETE FROM files WHERE collection = ?", (self.collection,))
            self._db.execute("DELETE FROM embedders WHERE collection = ?", (self.collection,))

    def remove_ids(self, ids: Iterable[str]) -> None:
        """Forget chunk ids (after their points are deleted), and files left with none."""
        with self._guard:
            keys = [(self.collection, i) for i in ids]
            with self._db:
                self._db.execute("BEGIN")
                paths = set()
                for key in keys:
                    row = self._db.execute(
                        "SELECT path FROM chunks WHERE collection = ? AND id = ?", key
                    ).fetchone()
                    if row is not None:
                        paths.add(row[0])
                self._db.executemany("DELETE FROM chunks WHERE collection = ? AND id = ?", keys)
                self._db.executemany(
                    "DELETE FROM files WHERE collection = ? AND path = ? AND NOT EXISTS "
                    "(SELECT 1 FROM chunks c WHERE c.collection = files.collection "
                    "AND c.path = files.path)",
                    [(self.collection, p) for p in paths],
                )

    def commit(self, files: Iterable[IndexedFile]) -> None:
        """Mark files complete (after all their points are written and stale ones deleted)."""
        with self._guard, self._db:
            self._db.execute("BEGIN")
            for f in files:
                self._put(f, f.chunk_count)

    def close(self) -> None:
        """Close the database."""
        with self._guard:
            self._db.close()

    def _put(self, f: IndexedFile, chunk_count: int) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO files (collection, path, root, source, title, sha256, size, "
            "mtime_ns, chunk_count, ingested_at, pages, reader) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                self.collection,
                f.path,
                f.root,
                f.source,
                f.title,
                f.sha256,
                f.size,
                f.mtime_ns,
                chunk_count,
                # A file read again unchanged (a new mtime only) keeps its first time.
                f.ingested_at or time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                f.pages,
                f.reader,
            ),
        )

    def _add_ids(self, path: str, ids: Iterable[str]) -> None:
        self._db.executemany(
            "INSERT OR REPLACE INTO chunks VALUES (?, ?, ?)",
            [(self.collection, i, path) for i in ids],
        )
