"""Ingest as jobs of one writer: uploads and ingests queued in SQLite, run in order, resumed."""

from __future__ import annotations

import contextlib
import json
import logging
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from rag.config import Settings
from rag.engine import Engine
from rag.errors import CollectionError, IngestStopped, RagError
from rag.ingest.ingestor import IngestProgress, IngestReport
from rag.ingest.uploads import Upload, check_uploads_folder, save_upload
from rag.querylog import Hourly, connect, days_ago, now

log = logging.getLogger(__name__)

JobKind = Literal["upload", "ingest"]
JobState = Literal["queued", "running", "done", "failed"]
FINISHED = ("done", "failed")
# Uploads wait here, one folder per job, until their job moves them into the uploads folder.
# Hidden, so that no ingest of the uploads folder reads them.
STAGING = ".staging"
# A job interrupted this many times in a row at the same point (no file or chunk further than
# the time before) is failed rather than tried again: it may be what brings the process down.
# One that gets further each time (a server killed or restarted now and then) goes on.
MAX_STALLS = 3
# A running job whose writer has not written for this long, on a store that several
# processes can share (a Qdrant server), is taken as abandoned.
STALE_S = 60.0
_PROGRESS_EVERY_S = 0.5

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    store TEXT NOT NULL,
    collection TEXT NOT NULL,
    who TEXT NOT NULL,
    state TEXT NOT NULL,
    created TEXT NOT NULL,
    started TEXT,
    finished TEXT,
    heartbeat REAL,
    attempts INTEGER NOT NULL DEFAULT 0,
    files_total INTEGER NOT NULL DEFAULT 0,
    files_done INTEGER NOT NULL DEFAULT 0,
    chunks INTEGER NOT NULL DEFAULT 0,
    spec TEXT NOT NULL,
    results TEXT NOT NULL DEFAULT '[]',
    report TEXT,
    error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS jobs_by_state ON jobs (store, state, created);
"""


@dataclass(frozen=True)
class FileResult:
    """What a job did with one file: added, updated, unchanged, removed or failed, and why."""

    name: str
    status: str
    reason: str = ""


@dataclass(frozen=True)
class Job:
    """One queued, running or finished job, as stored."""

    id: str
    kind: JobKind
    store: str
    collection: str
    who: str
    state: JobState
    created: str
    started: str | None
    finished: str | None
    attempts: int
    # Files to read (a folder's unchanged files are not counted), and those finished.
    files_total: int
    files_done: int
    chunks: int
    # Per file, once finished: an upload's files as they were sent, an ingest's as read.
    results: list[FileResult] = field(default_factory=list)
    # The ingest's own report once finished (None for an upload refused whole, or a failure).
    report: dict[str, Any] | None = None
    error: str = ""

    @property
    def finished_ok(self) -> bool:
        """True once the job is done (some files may still have failed: see results)."""
        return self.state == "done"

    @property
    def progress(self) -> float:
        """Share of the files finished, 0 to 1 (1 once the job is over)."""
        if self.state in FINISHED:
            return 1.0
        return self.files_done / self.files_total if self.files_total else 0.0

    def ingest_report(self) -> IngestReport | None:
        """The report as `Engine.ingest` returned it, for front ends that print one."""
        if self.report is None:
            return None
        fields = dict(self.report)
        for name in ("failed", "notes"):
            fields[name] = [tuple(pair) for pair in fields.get(name, [])]
        return IngestReport(**fields)

    def to_dict(self) -> dict[str, Any]:
        """The JSON object `GET /api/jobs/{id}` and `rag jobs --json` show."""
        found = asdict(self)
        found["progress"] = round(self.progress, 4)
        del found["store"]
        return found

    @classmethod
    def from_row(cls, row: Any) -> Job:
        """A job as read from SQLite."""
        return cls(
            id=row["id"],
            kind=row["kind"],
            store=row["store"],
            collection=row["collection"],
            who=row["who"],
            state=row["state"],
            created=row["created"],
            started=row["started"],
            finished=row["finished"],
            attempts=row["attempts"],
            files_total=row["files_total"],
            files_done=row["files_done"],
            chunks=row["chunks"],
            results=[FileResult(**r) for r in json.loads(row["results"])],
            report=json.loads(row["report"]) if row["report"] else None,
            error=row["error"],
        )


def store_key(settings: Settings) -> str:
    """What names the index a job writes to: the server's URL, or the index folder's path."""
    return settings.qdrant.url or str(settings.qdrant.path.resolve())


def staging_folder(folder: Path, job_id: str) -> Path:
    """Where an upload job's files wait until the job moves them into the uploads folder."""
    return folder / STAGING / job_id


class JobQueue:
    """The jobs table in the history file: any process may submit, read and wait on jobs."""

    def __init__(self, path: Path) -> None:
        self.path = path
        with connect(path) as db, db:
            db.executescript(_SCHEMA)
        # Set by a runner of this process, so a submit starts it without waiting for its poll.
        self.submitted = threading.Event()

    def submit_ingest(
        self, paths: Iterable[Path], collection: str, store: str, who: str = ""
    ) -> str:
        """Queue an ingest of files and folders (as `rag ingest` takes them); its job id."""
        spec = {"paths": [str(Path(p).resolve()) for p in paths]}
        return self._insert(uuid.uuid4().hex, "ingest", store, collection, who, spec, [])

    def submit_upload(
        self,
        files: Sequence[tuple[Path, str]],
        folder: Path,
        max_bytes: int,
        collection: str,
        store: str,
        who: str = "",
    ) -> str:
        """Check uploads (temporary path, name sent) and stage them for a job; its job id."""
        # A file refused here (name, type, size) is a failed result of the job at once; the others
        # are copied into the job's staging folder before the job is recorded, so a crash in between
        # leaves only a staging folder that no job names, which `recover` deletes.
        job_id = uuid.uuid4().hex
        check_uploads_folder(folder)
        staging = staging_folder(folder, job_id)
        refused: list[FileResult] = []
        staged: dict[str, str] = {}
        for temporary, original in files:
            try:
                upload = save_upload(temporary, original, staging, max_bytes)
            except RagError as exc:
                refused.append(FileResult(original, "failed", str(exc)))
                continue
            upload.keep()  # the same name twice in one upload: the last one counts
            staged[upload.path.name] = original
        spec = {"folder": str(folder.resolve()), "files": sorted(staged)}
        return self._insert(job_id, "upload", store, collection, who, spec, refused)

    def get(self, job_id: str) -> Job | None:
        """A job by id, or None."""
        with connect(self.path) as db:
            row = db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return None if row is None else Job.from_row(row)

    def recent(self, limit: int = 20, store: str | None = None) -> list[Job]:
        """The newest jobs (of one index, if given), newest first."""
        with connect(self.path) as db:
            rows = db.execute(
                "SELECT * FROM jobs WHERE ? IS NULL OR store = ? ORDER BY created DESC LIMIT ?",
                (store, store, limit),
            ).fetchall()
        return [Job.from_row(row) for row in rows]

    def watch(
        self, job_id: str, interval: float = 0.5, timeout: float | None = None
    ) -> Iterator[Job]:
        """The job each time it changes, until it is finished (or `timeout` seconds pass)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        last: Job | None = None
        while True:
            job = self.get(job_id)
            if job is None:
                raise KeyError(job_id)
            if job != last:
                yield job
                last = job
            if job.state in FINISHED or (deadline is not None and time.monotonic() >= deadline):
                return
            time.sleep(interval)

    def wait(self, job_id: str, timeout: float | None = None, interval: float = 0.1) -> Job:
        """The job once finished, or as it stands when `timeout` seconds have passed."""
        *_, job = self.watch(job_id, interval, timeout)
        return job

    def _insert(
        self,
        job_id: str,
        kind: JobKind,
        store: str,
        collection: str,
        who: str,
        spec: dict[str, Any],
        results: list[FileResult],
    ) -> str:
        empty = kind == "upload" and not spec["files"]
        stamp = now()
        with connect(self.path) as db, db:
            db.execute(
                "INSERT INTO jobs (id, kind, store, collection, who, state, created, finished, "
                "files_total, spec, results) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    job_id,
                    kind,
                    store,
                    collection,
                    who,
                    # Nothing left to do when every file was refused.
                    "done" if empty else "queued",
                    stamp,
                    stamp if empty else None,
                    len(spec.get("files", [])),
                    json.dumps(spec),
                    json.dumps([asdict(r) for r in results]),
                ),
            )
        self.submitted.set()
        return job_id

    def claim(self, store: str) -> tuple[Job, dict[str, Any]] | None:
        """Mark the oldest queued job of an index running, for this process; it and its spec."""
        with connect(self.path) as db, db:
            db.execute("BEGIN IMMEDIATE")  # two runners on one server store claim in turn
            row = db.execute(
                "SELECT id FROM jobs WHERE store = ? AND state = 'queued' ORDER BY created LIMIT 1",
                (store,),
            ).fetchone()
            if row is None:
                return None
            db.execute(
                # Counted again from the start: a resumed run goes over what is done quickly.
                "UPDATE jobs SET state = 'running', started = ?, heartbeat = ?, "
                "attempts = attempts + 1, files_done = 0, chunks = 0 WHERE id = ?",
                (now(), time.time(), row["id"]),
            )
            found = db.execute("SELECT * FROM jobs WHERE id = ?", (row["id"],)).fetchone()
        return Job.from_row(found), json.loads(found["spec"])

    def progress(self, job_id: str, files_total: int, files_done: int, chunks: int) -> None:
        """Record how far a running job has come (and that its writer is alive)."""
        with connect(self.path) as db, db:
            db.execute(
                "UPDATE jobs SET files_total = ?, files_done = ?, chunks = ?, heartbeat = ? "
                "WHERE id = ? AND state = 'running'",
                (files_total, files_done, chunks, time.time(), job_id),
            )

    def set_spec(self, job_id: str, spec: dict[str, Any]) -> None:
        """Keep what a job learned on its first start (an upload's files as indexed then)."""
        with connect(self.path) as db, db:
            db.execute("UPDATE jobs SET spec = ? WHERE id = ?", (json.dumps(spec), job_id))

    def finish(
        self,
        job_id: str,
        state: JobState,
        results: Sequence[FileResult],
        report: IngestReport | None = None,
        error: str = "",
    ) -> None:
        """Record a job's end: its per-file results, its report, or why it failed."""
        with connect(self.path) as db, db:
            db.execute(
                "UPDATE jobs SET state = ?, finished = ?, results = ?, report = ?, error = ?, "
                "files_done = CASE WHEN ? = 'done' THEN files_total ELSE files_done END, "
                "chunks = ? WHERE id = ?",
                (
                    state,
                    now(),
                    json.dumps([asdict(r) for r in results]),
                    None if report is None else json.dumps(asdict(report)),
                    error,
                    state,
                    report.chunks_embedded if report is not None else 0,
                    job_id,
                ),
            )

    def wait_started(self, job_id: str, timeout: float) -> Job | None:
        """The job once a writer has taken it (or finished it); None if none did in time."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            job = self.get(job_id)
            if job is not None and job.state != "queued":
                return job
            time.sleep(0.2)
        return None

    def withdraw(self, job_id: str, reason: str) -> bool:
        """Fail a job that no writer has taken yet; False if one already has."""
        with connect(self.path) as db, db:
            return bool(
                db.execute(
                    "UPDATE jobs SET state = 'failed', finished = ?, error = ? "
                    "WHERE id = ? AND state = 'queued'",
                    (now(), reason, job_id),
                ).rowcount
            )

    def abandoned(self, store: str, exclusive: bool) -> list[tuple[Job, dict[str, Any]]]:
        """Jobs of an index left running by a process that is gone."""
        # With `exclusive`, this process holds the index alone (the embedded one is locked), so any
        # job marked running on it was left by a crash; otherwise only one silent for STALE_S was.
        with connect(self.path) as db:
            rows = db.execute(
                "SELECT * FROM jobs WHERE store = ? AND state = 'running' AND (? OR heartbeat < ?)",
                (store, exclusive, time.time() - STALE_S),
            ).fetchall()
        return [(Job.from_row(row), json.loads(row["spec"])) for row in rows]

    def requeue(self, job_id: str) -> None:
        """Put an interrupted job back in the queue, where it keeps its place."""
        with connect(self.path) as db, db:
            db.execute("UPDATE jobs SET state = 'queued' WHERE id = ?", (job_id,))

    def prune(self, store: str, days: float) -> int:
        """Delete an index's jobs that finished more than `days` ago; how many were deleted."""
        with connect(self.path) as db, db:
            return db.execute(
                "DELETE FROM jobs WHERE store = ? AND state IN ('done', 'failed') AND finished < ?",
                (store, days_ago(days)),
            ).rowcount

    def unfinished_uploads(self) -> set[str]:
        """Ids of upload jobs still queued or running, whose staging folders are in use."""
        with connect(self.path) as db:
            rows = db.execute(
                "SELECT id FROM jobs WHERE kind = 'upload' AND state IN ('queued', 'running')"
            ).fetchall()
        return {row["id"] for row in rows}


def _install(staged: Path, folder: Path) -> Upload:
    """Move a staged upload into the uploads folder, setting aside the file it replaces."""
    # Each step is one rename, and each is skipped once done, so a job started again after a kill at
    # any point carries on from where it was.
    target = folder / staged.name
    previous = folder / f".{staged.name}.previous"
    if staged.exists():
        if target.exists():
            target.replace(previous)
        staged.replace(target)
    return Upload(target, previous if previous.exists() else None)


def _drop_staging(job: Job, spec: dict[str, Any]) -> None:
    """Delete a finished upload job's staging folder (empty unless it failed before moving in)."""
    if job.kind == "upload":
        staging = staging_folder(Path(spec["folder"]), job.id)
        shutil.rmtree(staging, ignore_errors=True)
        with contextlib.suppress(OSError):  # only when no other job's files wait there
            staging.parent.rmdir()


def _indexed(engine: Engine, folder: Path, names: Iterable[str]) -> dict[str, str | None]:
    """The content hash the index holds for each of a folder's files by name (None: none)."""
    with engine.store_lock.read():
        files = engine.store.files()
    found = {}
    for name in names:
        entry = files.get(str((folder / name).resolve()))
        found[name] = entry.sha256 if entry is not None else None
    return found


def _results(
    folder: Path,
    names: Sequence[str],
    failed: dict[str, str],
    report: IngestReport,
    known: dict[str, str | None],
    engine: Engine,
) -> list[FileResult]:
    """Per uploaded file, as sent: what the job did, from the state before its first start."""
    # A job resumed after a crash finds the files its first run wrote unchanged; against the index
    # as it was before, they were added or updated.
    notes = dict(report.notes)
    now_indexed = _indexed(engine, folder, names)
    found = []
    for name in names:
        if name in failed:
            found.append(FileResult(name, "failed", f"{name}: {failed[name]}"))
            continue
        before = known.get(name)
        if before is None:
            status = "added"
        elif before != now_indexed.get(name):
            status = "updated"
        else:
            status = "unchanged"
        found.append(FileResult(name, status, notes.get(name, "")))
    order = {"added": 0, "updated": 1, "unchanged": 2, "failed": 3}
    return sorted(found, key=lambda r: order[r.status])


def _report_results(report: IngestReport) -> list[FileResult]:
    notes = dict(report.notes)
    found = [FileResult(n, "added", notes.get(n, "")) for n in report.added]
    found += [FileResult(n, "updated", notes.get(n, "")) for n in report.updated]
    found += [FileResult(n, "unchanged") for n in report.unchanged]
    found += [FileResult(n, "removed") for n in report.removed]
    return found + [FileResult(n, "failed", why) for n, why in report.failed]


ProgressListener = Callable[[str, IngestProgress], None]


class JobRunner:
    """The one writer of a process: runs an index's queued jobs in order, in a thread."""

    def __init__(
        self,
        queue: JobQueue,
        engine_for: Callable[[str], Engine],
        store: str,
        exclusive: bool = True,
        poll_s: float = 1.0,
        on_progress: ProgressListener | None = None,
        keep_days: float | None = None,
    ) -> None:
        self.queue = queue
        self.engine_for = engine_for
        self.store = store
        self.exclusive = exclusive
        self.poll_s = poll_s
        self.on_progress = on_progress
        # Finished jobs older than this are deleted by the writer (None: kept for ever).
        self.keep_days = keep_days
        self._prune_due = Hourly()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="ingest-jobs", daemon=True)

    def start(self) -> list[str]:
        """Recover what a crash left, then run jobs in the background; the recovered job ids."""
        recovered = self.recover()
        self._thread.start()
        return recovered

    def recover(self) -> list[str]:
        """Requeue jobs a crash left running (fail one stuck MAX_STALLS times); clean staging."""
        # Resumed rather than failed: every step of a job can be done again (files are moved by
        # renames skipped once done, and ingest skips what it already wrote), so running it again
        # gives the index an uninterrupted run would have given.
        recovered = []
        for job, spec in self.queue.abandoned(self.store, self.exclusive):
            recovered.append(job.id)
            reached = [job.files_done, job.chunks]
            stalls = spec.get("stalls", 0) + 1 if spec.get("reached") == reached else 1
            if stalls < MAX_STALLS:
                log.warning("job %s was interrupted; it is resumed", job.id)
                self.queue.set_spec(job.id, {**spec, "reached": reached, "stalls": stalls})
                self.queue.requeue(job.id)
                continue
            reason = (
                f"The job was interrupted {stalls} times at the same point (after "
                f"{job.files_done} of {job.files_total} files), so it was given up"
            )
            self._fail(job, spec, reason)
        self._sweep()
        return recovered

    def run_pending(self) -> int:
        """Run every queued job of the index now, in this thread; how many ran."""
        ran = 0
        while (claimed := self.queue.claim(self.store)) is not None:
            self._run(*claimed)
            ran += 1
        return ran

    def stop_soon(self) -> None:
        """Ask the writer to stop: the job in hand stops between two batches, resumed at start."""
        self._stop.set()
        self.queue.submitted.set()

    def close(self, timeout: float = 30.0) -> None:
        """Stop the writer (see `stop_soon`) and wait for it."""
        self.stop_soon()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _prune(self) -> None:
        """Delete finished jobs past their days, at start and then at most once an hour."""
        if self.keep_days is None or not self._prune_due.due():
            return
        try:
            self.queue.prune(self.store, self.keep_days)
        except RagError:
            log.exception("could not delete old jobs from %s", self.queue.path)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._prune()
            try:
                claimed = self.queue.claim(self.store)
            except RagError:
                log.exception("cannot read the job queue")
                claimed = None
            if claimed is None:
                # Woken at once by a submit in this process; a submit from another (`rag
                # ingest` while this serves) is seen at the next poll.
                self.queue.submitted.wait(self.poll_s)
                self.queue.submitted.clear()
                continue
            self._run(*claimed)

    def _run(self, job: Job, spec: dict[str, Any]) -> None:
        try:
            engine = self.engine_for(job.collection)
            if job.kind == "upload":
                results, report = self._upload(job, spec, engine)
            else:
                report = self._ingest(job, [Path(p) for p in spec["paths"]], engine)
                results = _report_results(report)
        except IngestStopped:
            # The process is stopping: the job keeps its place, and the next start resumes it.
            log.warning("job %s stopped with its process; it is resumed at the next start", job.id)
            self.queue.requeue(job.id)
        except RagError as exc:
            self._fail(job, spec, str(exc))
        except Exception:
            log.exception("job %s failed", job.id)
            self._fail(job, spec, "Something went wrong while indexing; it has been logged.")
        else:
            self.queue.finish(job.id, "done", results, report)
            _drop_staging(job, spec)

    def _ingest(self, job: Job, paths: list[Path], engine: Engine) -> IngestReport:
        last = [0.0]

        def progress(done: IngestProgress) -> None:
            total, finished = done.total_files, done.files_done
            if job.kind == "upload":
                # A resumed upload does not read again the files its last run wrote: they count
                # as done, so its progress carries on from where it was.
                total, finished = len(paths), len(paths) - total + finished
            if time.monotonic() - last[0] >= _PROGRESS_EVERY_S:
                last[0] = time.monotonic()
                self.queue.progress(job.id, total, finished, done.chunks)
            if self.on_progress is not None:
                self.on_progress(job.id, done)

        return engine.ingest(paths, on_progress=progress, stop=self._stop)

    def _upload(
        self, job: Job, spec: dict[str, Any], engine: Engine
    ) -> tuple[list[FileResult], IngestReport]:
        folder = Path(spec["folder"])
        names: list[str] = spec["files"]
        if "known" not in spec:
            # The index as it was before the job's first start: what its results are told against.
            spec["known"] = _indexed(engine, folder, names)
            self.queue.set_spec(job.id, spec)
        staging = staging_folder(folder, job.id)
        uploads = [_install(staging / name, folder) for name in names]
        report = self._ingest(job, [u.path for u in uploads], engine)
        # Recorded before files are put back, so that a run after a kill in between still
        # knows which failed and why (it finds such a file gone, or the one it replaced).
        failed = {**dict(report.failed), **spec.get("failed", {})}
        failed = {name: why for name, why in failed.items() if name in names}
        spec["failed"] = failed
        self.queue.set_spec(job.id, spec)
        for upload in uploads:
            if upload.path.name in failed:
                upload.undo()
            else:
                upload.keep()
        refused = [r for r in job.results if r.status == "failed"]
        results = _results(folder, names, failed, report, spec["known"], engine)
        return refused + results, report

    def _fail(self, job: Job, spec: dict[str, Any], reason: str) -> None:
        """Record a job as failed; an upload's files are taken back out, the index with them."""
        results = list(job.results)
        if job.kind == "upload":
            try:
                self._roll_back(job, spec)
            except Exception:
                log.exception("could not take back the files of job %s", job.id)
            results += [FileResult(name, "failed", reason) for name in spec["files"]]
        self.queue.finish(job.id, "failed", results, error=reason)
        _drop_staging(job, spec)

    def _roll_back(self, job: Job, spec: dict[str, Any]) -> None:
        folder = Path(spec["folder"])
        engine = self.engine_for(job.collection)
        known: dict[str, str | None] = spec.get("known", {})
        restored: list[Path] = []
        gone: list[Path] = []
        for name in spec["files"]:
            staged = staging_folder(folder, job.id) / name
            target, previous = folder / name, folder / f".{name}.previous"
            if staged.exists():
                continue  # never moved in: the folder and the index are as they were
            if previous.exists():
                previous.replace(target)
            elif known.get(name) is None:
                target.unlink(missing_ok=True)
            (restored if target.exists() else gone).append(target)
        if restored:
            engine.ingest(restored)
        engine.forget([str(p.resolve()) for p in gone])

    def _sweep(self) -> None:
        """Delete staging folders no unfinished job uses (a crash before a submit was recorded)."""
        # Only at start, before this process takes uploads: a submit stages its files before it
        # records its job, and a sweep in between would take them.
        in_use = self.queue.unfinished_uploads()
        for root in self._staging_roots():
            for folder in root.iterdir() if root.is_dir() else ():
                if folder.name not in in_use:
                    shutil.rmtree(folder, ignore_errors=True)
            if root.is_dir() and not any(root.iterdir()):
                root.rmdir()

    def _staging_roots(self) -> set[Path]:
        with connect(self.queue.path) as db:
            rows = db.execute(
                "SELECT DISTINCT spec FROM jobs WHERE kind = 'upload' AND store = ?", (self.store,)
            ).fetchall()
        folders = {Path(json.loads(row["spec"])["folder"]) for row in rows}
        return {folder / STAGING for folder in folders}


class Jobs:
    """A serving process's jobs: the queue in its history file, and the one writer running them."""

    def __init__(
        self,
        engine: Engine,
        engine_for: Callable[[str], Engine] | None = None,
        poll_s: float = 1.0,
        on_progress: ProgressListener | None = None,
    ) -> None:
        settings = engine.settings
        self.engine = engine
        self.store = store_key(settings)
        self.queue = JobQueue(settings.history.path)
        self.runner = JobRunner(
            self.queue,
            engine_for or self._only_collection,
            self.store,
            # The embedded index admits one process, so a job marked running on it is a crash's.
            exclusive=not settings.qdrant.url,
            poll_s=poll_s,
            on_progress=on_progress,
            keep_days=settings.history.job_days,
        )

    def _only_collection(self, name: str) -> Engine:
        """The engine, for jobs of its collection; others need `engine_for` (Collections.engine)."""
        if name != self.engine.collection:
            raise CollectionError(
                f"This server writes only to the collection {self.engine.collection!r}; the job "
                f"names {name!r}. Run `rag ingest --collection {name}` while the server is stopped."
            )
        return self.engine

    def start(self) -> list[str]:
        """Recover interrupted jobs and start the writer; the ids of the recovered jobs."""
        return self.runner.start()

    def submit_upload(
        self,
        files: Sequence[tuple[Path, str]],
        folder: Path | None = None,
        collection: str | None = None,
        who: str = "",
    ) -> str:
        """Queue uploaded files (temporary path, name sent) for the uploads folder; the job id."""
        web = self.engine.settings.web
        return self.queue.submit_upload(
            files,
            folder or web.uploads_dir,
            web.max_upload_mb * 1_000_000,
            collection or self.engine.collection,
            self.store,
            who,
        )

    def submit_ingest(
        self, paths: Iterable[Path], collection: str | None = None, who: str = ""
    ) -> str:
        """Queue an ingest of files and folders; the job id."""
        return self.queue.submit_ingest(
            paths, collection or self.engine.collection, self.store, who
        )

    def get(self, job_id: str) -> Job | None:
        """A job by id, or None."""
        return self.queue.get(job_id)

    def recent(self, limit: int = 20) -> list[Job]:
        """The newest jobs of this index, newest first."""
        return self.queue.recent(limit, self.store)

    def wait(self, job_id: str, timeout: float | None = None) -> Job:
        """The job once finished, or as it stands after `timeout` seconds."""
        return self.queue.wait(job_id, timeout)

    def watch(self, job_id: str, interval: float = 0.5) -> Iterator[Job]:
        """The job each time it changes, until it is finished."""
        return self.queue.watch(job_id, interval)

    def close(self, timeout: float = 30.0) -> None:
        """Stop the writer; the job in hand stops between two batches and resumes at next start."""
        self.runner.close(timeout)
