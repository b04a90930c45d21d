"""The query log: every question asked through a chat session, kept in SQLite on this machine."""

from __future__ import annotations

import json
import logging
import math
import queue
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from rag.errors import StoreUnavailableError
from rag.types import Answer

log = logging.getLogger(__name__)
# Old rows are looked for when the writer starts, then this often while it runs.
_PRUNE_EVERY_S = 3600

_SCHEMA = """
CREATE TABLE IF NOT EXISTS queries (
    id TEXT PRIMARY KEY,
    time TEXT NOT NULL,
    channel TEXT NOT NULL,
    question TEXT NOT NULL,
    standalone TEXT NOT NULL DEFAULT '',
    mode TEXT NOT NULL DEFAULT '',
    declined INTEGER,
    confidence REAL,
    sources TEXT NOT NULL DEFAULT '[]',
    retrieve_ms REAL,
    answer_ms REAL,
    total_ms REAL,
    error TEXT,
    vote TEXT,
    voted_at TEXT
);
CREATE INDEX IF NOT EXISTS queries_time ON queries (time);
"""
_INSERT = (
    "INSERT INTO queries (id, time, channel, question, standalone, mode, declined, confidence, "
    "sources, retrieve_ms, answer_ms, total_ms, error, collection) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_VOTE = "UPDATE queries SET vote = ?, voted_at = ? WHERE id = ?"
_TIMINGS = ("retrieve", "answer", "total")
# Rows written per transaction at most: a burst is committed in a few short transactions.
_BATCH = 200
# Longest text kept in a field. The engine cuts what it answers (question, earlier questions)
# well below this; the bound is for everything else, such as an error quoting a request.
MAX_FIELD_CHARS = 10_000


def bounded(text: str | None) -> str | None:
    """Text cut to MAX_FIELD_CHARS, marked with … where it was cut."""
    if text is None or len(text) <= MAX_FIELD_CHARS:
        return text
    return text[: MAX_FIELD_CHARS - 1] + "…"


def now() -> str:
    """The current time in UTC, as the log stores it (sortable text)."""
    return _stamp(datetime.now(UTC))


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds")


def days_ago(days: float) -> str:
    """The time `days` before now, as the log stores times: rows older sort below it."""
    return _stamp(datetime.now(UTC) - timedelta(days=days))


class Hourly:
    """Due when first asked, then at most once an hour: when a writer looks for old rows."""

    def __init__(self) -> None:
        self._last = -math.inf

    def due(self) -> bool:
        """True (and counted) when an hour has passed since the last time it was."""
        if time.monotonic() - self._last < _PRUNE_EVERY_S:
            return False
        self._last = time.monotonic()
        return True


@contextmanager
def connect(
    path: Path, what: str = "history file", setting: str = "RAG_HISTORY__PATH"
) -> Iterator[sqlite3.Connection]:
    """A connection to a SQLite file in WAL mode, closed on exit; errors say what to fix."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(path, timeout=30)) as db:
            # WAL: readers (`rag log`, the web sidebar) never wait for the writer, nor it for them.
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.row_factory = sqlite3.Row
            yield db
    except (sqlite3.Error, OSError) as exc:
        raise StoreUnavailableError(
            f"Cannot use the {what} {path} ({exc}). Make its folder writable, or set "
            f"{setting} to another file."
        ) from exc


@dataclass(frozen=True)
class LoggedQuery:
    """One row of the log."""

    id: str
    time: str
    channel: str
    question: str
    standalone: str
    mode: str
    declined: bool | None
    confidence: float | None
    sources: list[str]
    timings_ms: dict[str, float]
    error: str | None
    vote: str | None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> LoggedQuery:
        """A row as read from SQLite."""
        timings = {
            name: float(row[f"{name}_ms"])
            for name in ("retrieve", "answer", "total")
            if row[f"{name}_ms"] is not None
        }
        declined = row["declined"]
        return cls(
            id=row["id"],
            time=row["time"],
            channel=row["channel"],
            question=row["question"],
            standalone=row["standalone"],
            mode=row["mode"],
            declined=None if declined is None else bool(declined),
            confidence=row["confidence"],
            sources=json.loads(row["sources"]),
            timings_ms=timings,
            error=row["error"],
            vote=row["vote"],
        )


def _in(column: str, values: list[str]) -> str:
    """An SQL test that a column is one of the values (quoted as SQL literals)."""
    quoted = ", ".join("'" + value.replace("'", "''") + "'" for value in values)
    return f"{column} IN ({quoted})" if values else "0"


class QueryLog:
    """Appends questions from a background writer, so answering never waits for the disk."""

    def __init__(
        self,
        path: Path,
        write: bool = True,
        collection: str = "",
        only: list[str] | None = None,
        keep_days: int | None = None,
    ) -> None:
        self.path = path
        # Rows older than this are deleted by the writer (None: kept for ever).
        self.keep_days = keep_days
        self._prune_due = Hourly()
        # Rows are written under this collection's name.
        self.collection = collection
        # Read only these collections' rows (None: every row): a team admin sees its own.
        self._only = "1" if only is None else _in("collection", only)
        with connect(path) as db:
            db.executescript(_SCHEMA)
            columns = {row["name"] for row in db.execute("PRAGMA table_info(queries)")}
            if "collection" not in columns:
                # Files written before questions were logged by collection: theirs is unknown.
                db.execute("ALTER TABLE queries ADD COLUMN collection TEXT NOT NULL DEFAULT ''")
        self._queue: queue.Queue[tuple[str, tuple[Any, ...]] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._write, name="query-log", daemon=True)
        if write:
            self._thread.start()

    def record(
        self,
        channel: str,
        question: str,
        answer: Answer | None = None,
        error: str | None = None,
    ) -> str:
        """Queue one question (with its answer, or the error it met); return its row id."""
        row_id = uuid.uuid4().hex
        timings = answer.timings_ms if answer else {}
        confidence = getattr(answer, "confidence", None)
        values = (
            row_id,
            now(),
            channel,
            bounded(answer.question if answer else question),
            bounded(answer.standalone_question if answer else ""),
            answer.mode if answer else "",
            None if answer is None else int(answer.declined),
            None if confidence is None else float(confidence),
            json.dumps(sorted({c.source for c in answer.citations}) if answer else []),
            timings.get("retrieve"),
            timings.get("answer"),
            timings.get("total"),
            bounded(error),
            self.collection,
        )
        self._queue.put((_INSERT, values))
        return row_id

    def vote(self, row_id: str, vote: str) -> None:
        """Attach a thumbs up or down to a logged question."""
        self._queue.put((_VOTE, (vote, now(), row_id)))

    def flush(self) -> None:
        """Wait until everything queued is written."""
        self._queue.join()

    def close(self) -> None:
        """Write what is queued, then stop the writer."""
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join(timeout=30)

    def _write(self) -> None:
        try:
            with connect(self.path) as db:
                self._prune(db)
                while self._write_batch(db):
                    self._prune(db)
        except StoreUnavailableError:
            log.exception("the query log stopped")

    def _prune(self, db: sqlite3.Connection) -> None:
        """Delete the rows past their days, at start and then at most once an hour."""
        if self.keep_days is None or not self._prune_due.due():
            return
        try:
            with db:
                db.execute("DELETE FROM queries WHERE time < ?", (days_ago(self.keep_days),))
        except sqlite3.Error:
            log.exception("could not delete old query-log rows from %s", self.path)

    def _write_batch(self, db: sqlite3.Connection) -> bool:
        """Write what is waiting, in one short transaction; False once closed."""
        batch = [self._queue.get()]
        while len(batch) < _BATCH:
            try:
                batch.append(self._queue.get_nowait())
            except queue.Empty:
                break
        statements = [item for item in batch if item is not None]
        try:
            with db:
                for sql, values in statements:
                    db.execute(sql, values)
        except sqlite3.Error:
            # The answer was already given; a row that cannot be written is reported, not raised.
            log.exception("could not write %d query-log rows to %s", len(statements), self.path)
        finally:
            for _ in batch:
                self._queue.task_done()
        return None not in batch

    def rows(self, where: str = "1", limit: int = 20) -> list[LoggedQuery]:
        """The newest rows matching a condition, newest first."""
        with connect(self.path) as db:
            found = db.execute(
                f"SELECT * FROM queries WHERE ({where}) AND {self._only} ORDER BY time DESC "
                "LIMIT ?",
                (limit,),
            ).fetchall()
        return [LoggedQuery.from_row(row) for row in found]

    def recent(self, limit: int = 20) -> list[LoggedQuery]:
        """The newest questions."""
        return self.rows(limit=limit)

    def declined(self, limit: int = 20) -> list[LoggedQuery]:
        """The newest questions the engine declined to answer."""
        return self.rows("declined = 1", limit)

    def thumbs_down(self, limit: int = 20) -> list[LoggedQuery]:
        """The newest questions whose answer got a thumbs down."""
        return self.rows("vote = 'down'", limit)

    def totals(self) -> list[float]:
        """End-to-end answer times of every answered question, in ms."""
        return self.timings()["total"]

    def timings(self) -> dict[str, list[float]]:
        """Retrieve, answer and total times of every answered question, in ms."""
        with connect(self.path) as db:
            found = db.execute(
                "SELECT retrieve_ms, answer_ms, total_ms FROM queries WHERE total_ms IS NOT NULL "
                f"AND {self._only}"
            ).fetchall()
        return {name: [float(row[i]) for row in found] for i, name in enumerate(_TIMINGS)}

    def counts(self) -> dict[str, int]:
        """How many questions were logged, declined, voted down, and failed."""
        with connect(self.path) as db:
            row = db.execute(
                "SELECT count(*), coalesce(sum(declined = 1), 0), coalesce(sum(vote = 'down'), 0),"
                f" coalesce(sum(error IS NOT NULL), 0) FROM queries WHERE {self._only}"
            ).fetchone()
        return dict(zip(("questions", "declined", "thumbs_down", "errors"), row, strict=True))

    def export_eval(self, path: Path) -> int:
        """Write declined and thumbs-down questions as a `rag eval` question file; how many."""
        rows = self.rows("declined = 1 OR vote = 'down'", limit=100_000)
        lines, seen = [], set()
        for row in rows:
            # The standalone form: a follow-up alone ("and at what valuation?") tests nothing.
            question = row.standalone or row.question
            if question in seen:
                continue
            seen.add(question)
            lines.append(
                json.dumps(
                    {
                        "id": f"log-{row.id[:12]}",
                        "question": question,
                        # Unknown until a person decides: fill in true or false, and key facts.
                        "answerable": None,
                        "kind": "thumbs-down" if row.vote == "down" else "declined",
                        "reference": "",
                        "logged": row.time,
                        "channel": row.channel,
                    },
                    ensure_ascii=False,
                )
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        return len(lines)
