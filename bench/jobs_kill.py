"""An upload job killed (SIGKILL) at random points and restarted, checked against a clean run.

Usage: python bench/jobs_kill.py [--files 150] [--kills 5] [--seed 1] [--batch-chunks 32].
A child process opens a temporary index, submits an upload job of `files` articles and runs it;
the parent kills it at a random moment after it starts writing, `kills` times, restarting it
each time (the job resumes), then lets the last run finish. It then ingests the same files into
a fresh index and prints whether the two indexes are equal (every file's hash and chunk ids, the
point count) and whether the uploads folder holds exactly the accepted files, nothing else.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rag.engine import Engine
from rag.jobs import Jobs
from tests.fixtures import make_settings

ROOT = Path(__file__).resolve().parent.parent


def child(index: Path, sent: Path, uploads: Path, batch_chunks: int) -> None:
    """Submit the upload job (first run only), then run jobs until it is done."""
    settings = make_settings(index, ingest={"batch_chunks": batch_chunks})
    with Engine.open(settings) as engine:
        jobs = Jobs(engine)
        listed = jobs.recent(1)
        if listed:
            job_id = listed[0].id
        else:
            job_id = jobs.submit_upload([(p, p.name) for p in sorted(sent.iterdir())], uploads)
        engine.warm_up()  # as `rag serve` does before it serves
        jobs.start()
        print("started", flush=True)
        job = jobs.wait(job_id)
        jobs.close()
        print(json.dumps({"state": job.state, "attempts": job.attempts}), flush=True)


def run_child(args: list[str], kill_after: float | None) -> tuple[int, str]:
    """Start the child; kill it `kill_after` seconds after it starts its job (None: let it end)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, __file__, "--child", *args],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if kill_after is not None and line.startswith("started"):
        time.sleep(kill_after)
        process.send_signal(signal.SIGKILL)
    out = line + process.stdout.read()
    return process.wait(timeout=1800), out


def indexed(engine: Engine) -> dict[str, tuple[str, list[str]]]:
    """Every file's content hash and chunk ids."""
    return {p: (f.sha256, sorted(f.ids)) for p, f in engine.store.files().items()}


def main() -> None:
    """Kill, restart, compare; print the outcome as JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=150)
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batch-chunks", type=int, default=32)
    parser.add_argument("--latest-kill-s", type=float, default=20.0)
    parser.add_argument("--child", nargs=3, type=Path, metavar=("INDEX", "SENT", "UPLOADS"))
    args = parser.parse_args()
    if args.child:
        child(*args.child, args.batch_chunks)
        return
    from bench.ingest_concurrency import make_files

    chance = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="rag-bench-kill-") as tmp:
        folder = Path(tmp)
        index, sent, uploads = folder / "index", folder / "sent", folder / "uploads"
        names = sorted(p.name for p in make_files(sent, args.files))
        child_args = [str(index), str(sent), str(uploads), "--batch-chunks"]
        child_args.append(str(args.batch_chunks))
        kills = []
        for _ in range(args.kills):
            after = round(chance.uniform(0.0, args.latest_kill_s), 2)
            code, out = run_child(child_args, after)
            kills.append({"after_s": after, "exit": code, "finished_first": "state" in out})
        code, out = run_child(child_args, None)
        final = json.loads(out.strip().splitlines()[-1])
        settings = make_settings(index, ingest={"batch_chunks": args.batch_chunks})
        with Engine.open(settings) as engine:
            resumed, count = indexed(engine), engine.store.count()
        listing = sorted(str(p.relative_to(uploads)) for p in uploads.rglob("*"))
        with Engine.open(make_settings(folder / "clean")) as clean:
            clean.ingest(sorted(p for p in uploads.iterdir() if p.is_file()))
            equal = indexed(clean) == resumed and clean.store.count() == count
        print(
            json.dumps(
                {
                    "files": args.files,
                    "kills": kills,
                    "job": final,
                    "index_equals_clean_ingest": equal,
                    "chunks": count,
                    "uploads_hold_exactly_the_files": listing == names,
                    "stray": sorted(set(listing) - set(names)),
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
