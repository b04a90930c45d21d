"""What the HTTP APIs offer over one engine: answers kept by id for feedback, and documents."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from rag.engine import Engine, Removed
from rag.errors import AnswerNotFoundError, DocumentConflictError, DocumentError, RagError
from rag.feedback import FeedbackLog, Vote
from rag.ingest.uploads import Reconciled, Upload, reconcile_uploads, save_upload
from rag.session import ChatSession, Reply, record_vote

UploadStatus = Literal["added", "updated", "unchanged", "failed"]


@dataclass(frozen=True)
class UploadResult:
    """What happened to one uploaded file, and why when it failed."""

    name: str
    status: UploadStatus
    reason: str = ""
    error: RagError | None = None


def add_uploads(
    engine: Engine,
    files: Sequence[tuple[Path, str]],
    folder: Path,
    max_bytes: int,
    progress: Callable[[Any], Any] | None = None,
) -> list[UploadResult]:
    """Save uploads (temporary path, name sent) under safe names, ingest them, say per file."""
    # A file the index refuses is not kept, and one it replaced is put back.
    results: list[UploadResult] = []
    saved: dict[str, Upload] = {}
    for temporary, original in files:
        try:
            upload = save_upload(temporary, original, folder, max_bytes)
        except RagError as exc:
            results.append(UploadResult(original, "failed", str(exc), exc))
            continue
        saved[upload.path.name] = upload
    if not saved:
        return results
    try:
        report = engine.ingest([u.path for u in saved.values()], progress=progress)
    except Exception as exc:
        for upload in saved.values():
            upload.undo()
        if not isinstance(exc, RagError):
            raise
        return [*results, *(UploadResult(name, "failed", str(exc), exc) for name in saved)]
    failed = dict(report.failed)
    for name, upload in saved.items():
        if name in failed:
            upload.undo()
        else:
            upload.keep()
    # A file ingested with a caveat (PDF pages without text) carries it as its reason.
    notes = dict(report.notes)
    results += [UploadResult(name, "added", notes.get(name, "")) for name in report.added]
    results += [UploadResult(name, "updated", notes.get(name, "")) for name in report.updated]
    results += [UploadResult(name, "unchanged") for name in report.unchanged]
    conflicts = dict(report.conflicts)
    for name, why in report.failed:
        reason = f"{name}: {why}"
        error: RagError = (
            DocumentConflictError(reason, existing=(conflicts[name],))
            if name in conflicts
            else DocumentError(reason)
        )
        results.append(UploadResult(name, "failed", reason, error))
    return results


def uploads_folder(engine: Engine, default_collection: str, base: Path | None = None) -> Path:
    """Where a collection's uploads are saved: the uploads folder, a folder in it per other one."""
    folder = base or engine.settings.web.uploads_dir
    # Another collection's uploads get a folder of their own: the same name may differ.
    return folder if engine.collection == default_collection else folder / engine.collection


def remove_document(
    engine: Engine, source: str, uploads: Path, path: str | Path | None = None
) -> tuple[Removed, bool]:
    """Take a document out of the index (the one at `path`, if given), and its uploaded file."""
    # An uploaded file left in the uploads folder would come back with the folder's next ingest; a
    # file the user ingested from a folder of their own is theirs, and stays.
    removed = engine.remove(source, path)
    folder = uploads.resolve()
    deleted = False
    for path in map(Path, removed.paths):
        if path.parent.resolve() == folder and path.is_file():
            path.unlink()
            deleted = True
    return removed, deleted


def reconcile_engine_uploads(engine: Engine, folder: Path, keep: Iterable[Path] = ()) -> Reconciled:
    """At start-up: the uploads folder of this engine's collection in line with its index."""
    if engine.store.read_only:
        # Nothing can be removed from the index now, so nothing is taken from beside it either.
        return Reconciled(folder, note="the index is read-only, so nothing was changed")
    return reconcile_uploads(
        folder, engine.store.files(), lambda f: engine.remove(f.source, f.path), keep
    )


class ApiService:
    """Questions asked over HTTP: one stateless turn each, the answers kept for a while by id."""

    def __init__(self, feedback: FeedbackLog, capacity: int = 2000) -> None:
        self.feedback = feedback
        self.capacity = capacity
        self._replies: OrderedDict[str, tuple[Reply, Engine]] = OrderedDict()
        self._lock = threading.Lock()

    def stream(
        self,
        engine: Engine,
        question: str,
        history: Sequence[str] = (),
        top_k: int | None = None,
        source: str | None = None,
        channel: str = "api",
    ) -> Iterator[str | Reply]:
        """Pieces of the answer, then the `Reply` (its key is the answer id feedback names)."""
        session = ChatSession(engine, history=history, source=source, top_k=top_k, channel=channel)
        for piece in session.stream(question):
            if isinstance(piece, Reply) and piece.answer is not None:
                with self._lock:
                    self._replies[piece.key] = (piece, engine)
                    while len(self._replies) > self.capacity:
                        self._replies.popitem(last=False)
            yield piece

    def answered(self, answer_id: str) -> tuple[Reply, Engine]:
        """A kept answer and the engine of its collection; AnswerNotFoundError if not kept."""
        with self._lock:
            found = self._replies.get(answer_id)
        if found is None:
            raise AnswerNotFoundError(
                f"No answer with id {answer_id!r}: it is unknown, or older than the last "
                f"{self.capacity:,} answers."
            )
        return found

    def vote(self, answer_id: str, vote: Vote, channel: str = "api") -> None:
        """Record a thumbs up or down on a kept answer."""
        reply, engine = self.answered(answer_id)
        record_vote(engine, reply, vote, self.feedback, channel)
