"""`rag jobs`: the upload and ingest jobs of a running server, with their progress and results."""

from __future__ import annotations

import argparse
import json

from rag.config import Settings
from rag.errors import JobNotFoundError
from rag.jobs import Job, JobQueue, store_key
from ui.cli.registry import command


def _options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("id", nargs="?", help="one job, with each file's result")
    parser.add_argument("--limit", type=int, default=20, metavar="N", help="jobs to list")
    parser.add_argument("--json", action="store_true", help="print JSON")


# Reads the history file only: works while `rag serve` holds the index and runs the jobs.
@command("jobs", "uploads and ingests queued, running or finished", _options, engine=False)
def jobs(args: argparse.Namespace, settings: Settings) -> int:
    """List the newest jobs, or show one."""
    queue = JobQueue(settings.history.path)
    if args.id:
        found = queue.get(args.id)
        if found is None:
            raise JobNotFoundError(f"No job with id {args.id!r}; `rag jobs` lists them.")
        print(json.dumps(found.to_dict(), ensure_ascii=False) if args.json else _detail(found))
        return 0
    listed = queue.recent(args.limit, store_key(settings))
    if args.json:
        print(json.dumps([j.to_dict() for j in listed], ensure_ascii=False))
        return 0
    for job in listed:
        print(_line(job))
    if not listed:
        print("No jobs yet: uploads and `rag ingest` while `rag serve` runs become jobs.")
    return 0


def _line(job: Job) -> str:
    done = f"{job.files_done}/{job.files_total} files, {job.chunks} chunks"
    return f"{job.id}  {job.created[:19]}  {job.kind:<6} {job.collection:<12} {job.state:<8} {done}"


def _detail(job: Job) -> str:
    lines = [_line(job)]
    if job.who:
        lines.append(f"  by {job.who}")
    lines += [
        f"  {r.status:<9} {r.name}" + (f": {r.reason}" if r.reason else "") for r in job.results
    ]
    if job.error:
        lines.append(f"  error: {job.error}")
    return "\n".join(lines)
