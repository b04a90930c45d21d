"""`rag ingest`: add or update files and folders in the index, with progress."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from rag.config import Settings
from rag.engine import Engine
from rag.ingest.ingestor import IngestProgress, IngestReport
from rag.jobs import JobQueue, store_key
from rag.wording import counted
from ui.cli.registry import command


def _options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", type=Path, help="files or folders (default: seeds/)")


def through_server(args: argparse.Namespace, settings: Settings, locked: Exception) -> int:
    """A running `rag serve` holds the index: hand the ingest to its writer, and follow it."""
    paths = args.paths or [settings.seeds_dir]
    queue = JobQueue(settings.history.path)
    job_id = queue.submit_ingest(paths, settings.qdrant.collection, store_key(settings), "cli")
    # A server's writer looks for jobs every second; another `rag` process never will.
    if queue.wait_started(job_id, timeout=5) is None and queue.withdraw(
        job_id, "no server took it: the index is held by another process"
    ):
        raise locked
    print(f"The server holds the index: job {job_id} (`rag jobs {job_id}`).", file=sys.stderr)
    job = None
    for job in queue.watch(job_id):
        print(f"  {job.state}: {job.files_done}/{job.files_total} files", file=sys.stderr)
    report = job.ingest_report() if job is not None else None
    if report is None:
        print(f"error: the job failed: {job.error if job else 'unknown'}", file=sys.stderr)
        return 1
    print(summary(report), file=sys.stderr)
    return 0 if report.ok else 1


@command(
    "ingest",
    "add or update files and folders in the index",
    _options,
    existing_collection=False,
    when_served=through_server,
)
def ingest(args: argparse.Namespace, engine: Engine) -> int:
    """Ingest the paths given (seeds/ by default), then optimise the index."""
    report = run_ingest(engine, args.paths or [engine.settings.seeds_dir], optimize=True)
    return 0 if report.ok else 1


def ingest_first(args: argparse.Namespace, engine: Engine, then: str) -> None:
    """Run the --ingest of `chat` and `serve`, if given; failed files don't stop what follows."""
    if args.ingest is None:
        return
    report = run_ingest(engine, args.ingest or [engine.settings.seeds_dir])
    if not report.ok:
        print(f"Some files failed (see above); {then} the rest.", file=sys.stderr)


def run_ingest(engine: Engine, paths: list[Path], optimize: bool = False) -> IngestReport:
    """Ingest with a progress bar on stderr; print failures, notes and a summary."""
    from tqdm import tqdm

    bar: Any = None

    def progress(items: Any) -> Any:
        nonlocal bar
        bar = tqdm(items, desc="Ingesting", unit="file", file=sys.stderr, leave=False)
        return bar

    def on_progress(done: IngestProgress) -> None:
        eta = "?" if done.eta_s is None else f"{done.eta_s:.0f} s"
        if bar is not None:
            bar.set_postfix_str(
                f"{done.chunks} chunks, {done.chunks_per_s:.0f} chunks/s, ETA {eta}"
            )

    report = engine.ingest(paths, progress=progress, on_progress=on_progress)
    if optimize and (report.chunks_embedded or report.chunks_removed):
        # `rag ingest` only: building the vector index holds the GIL for minutes at 100k
        # chunks, so `rag serve` and `rag chat` never do it (what they ingest is scanned).
        started = time.perf_counter()
        engine.optimize()
        print(f"Index optimised in {time.perf_counter() - started:.1f} s.", file=sys.stderr)
    for name, reason in report.failed:
        print(f"failed: {name}: {reason}", file=sys.stderr)
    for name, note in report.notes:
        print(f"note: {name}: {note}", file=sys.stderr)
    print(summary(report), file=sys.stderr)
    return report


def summary(report: IngestReport) -> str:
    """The closing line of an ingest."""
    return (
        f"Ingest finished in {report.seconds:.1f} s: {len(report.added)} added, "
        f"{len(report.updated)} updated, {len(report.unchanged)} unchanged, "
        f"{len(report.removed)} removed, {len(report.failed)} failed files; "
        f"{counted(report.chunks_embedded, 'chunk')} embedded"
        + (f" in {report.bulk}" if report.bulk else "")
        + f", {report.chunks_removed} removed."
    )
