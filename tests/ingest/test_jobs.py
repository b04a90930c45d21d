"""Ingest jobs: queued in the history file, run by one writer, resumed or failed after a crash."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from rag.engine import Engine
from rag.ingest.loaders import SUPPORTED_SUFFIXES
from rag.jobs import MAX_STALLS, STAGING, FileResult, JobQueue, JobRunner, Jobs, store_key
from rag.querylog import days_ago
from tests.fixtures import ROOT, SEEDS, make_settings


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def listing(folder: Path) -> list[str]:
    """Every file and folder under a folder, hidden ones included, relative and sorted."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def runner_for(engine: Engine) -> JobRunner:
    queue = JobQueue(engine.settings.history.path)
    return JobRunner(queue, lambda name: engine, store_key(engine.settings))


def indexed(engine: Engine) -> dict[str, tuple[str, list[str]]]:
    """What the index holds, file by file: content hash and chunk ids."""
    return {p: (f.sha256, sorted(f.ids)) for p, f in engine.store.files().items()}


def test_an_upload_job_moves_files_in_and_reports_each(engine: Engine, tmp_path: Path) -> None:
    sent = tmp_path / "sent"
    good = write(sent, "tmp1", "Acme Compute raised $3 billion for a new campus in Oslo.")
    other = write(sent, "tmp2", "Frostbyte raised $40 million for cryogenic racks.")
    uploads = tmp_path / "uploads"
    jobs = Jobs(engine)
    jobs.start()
    try:
        job_id = jobs.submit_upload(
            [(good, "acme.txt"), (other, "../frost.md"), (good, "notes.exe")], uploads, who="t"
        )
        job = jobs.wait(job_id, timeout=120)
    finally:
        jobs.close()
    assert (job.state, job.kind, job.who, job.attempts) == ("done", "upload", "t", 1)
    assert job.results == [
        FileResult(
            "notes.exe",
            "failed",
            f"notes.exe: unsupported file type; use one of {', '.join(sorted(SUPPORTED_SUFFIXES))}",
        ),
        FileResult("acme.txt", "added"),
        FileResult("frost.md", "added"),
    ]
    assert (job.files_total, job.files_done, job.progress) == (2, 2, 1.0)
    assert listing(uploads) == ["acme.txt", "frost.md"]
    assert engine.sources() == {"acme.txt", "frost.md"}
    assert jobs.recent()[0].id == job_id
    assert jobs.get(job_id) == job


def test_a_broken_upload_puts_back_the_file_it_replaced(engine: Engine, tmp_path: Path) -> None:
    uploads = tmp_path / "uploads"
    write(uploads, "deal.txt", "Nimbus raised $12 million from Polar Ventures.")
    engine.ingest([uploads / "deal.txt"])
    before = indexed(engine)
    broken = tmp_path / "broken"
    broken.write_bytes(b"\xff\xfe\x00" * 10)
    jobs = Jobs(engine)
    jobs.start()
    try:
        job = jobs.wait(jobs.submit_upload([(broken, "deal.txt")], uploads), timeout=120)
    finally:
        jobs.close()
    assert job.state == "done"
    assert [(r.name, r.status) for r in job.results] == [("deal.txt", "failed")]
    assert job.results[0].reason.startswith("deal.txt: ")
    assert listing(uploads) == ["deal.txt"]
    assert (uploads / "deal.txt").read_text() == "Nimbus raised $12 million from Polar Ventures."
    assert indexed(engine) == before


@pytest.mark.slow  # whole indexes from the seeds, or a model export: seconds each
def test_an_ingest_job_reports_like_rag_ingest(engine: Engine) -> None:
    jobs = Jobs(engine)
    jobs.start()
    try:
        job = jobs.wait(jobs.submit_ingest([SEEDS], who="cli"), timeout=300)
    finally:
        jobs.close()
    assert job.state == "done"
    report = job.ingest_report()
    assert report is not None
    assert report.added == sorted(p.name for p in SEEDS.iterdir())
    assert [r.status for r in job.results] == ["added"] * 5
    assert job.chunks == report.chunks_embedded == engine.store.count()


def test_a_job_left_running_is_resumed(engine: Engine, tmp_path: Path) -> None:
    sent = write(tmp_path / "sent", "t", "Acme Compute raised $3 billion for a new campus.")
    uploads = tmp_path / "uploads"
    runner = runner_for(engine)
    job_id = runner.queue.submit_upload(
        [(sent, "acme.txt")], uploads, 10**6, engine.collection, runner.store
    )
    assert runner.queue.claim(runner.store) is not None  # then the process "dies"
    assert runner.recover() == [job_id]
    assert runner.queue.get(job_id).state == "queued"  # type: ignore[union-attr]
    assert runner.run_pending() == 1
    job = runner.queue.get(job_id)
    assert job is not None
    assert (job.state, job.attempts, job.results) == ("done", 2, [FileResult("acme.txt", "added")])
    assert listing(uploads) == ["acme.txt"]


def test_a_job_interrupted_too_often_fails_and_takes_its_files_back(
    engine: Engine, tmp_path: Path
) -> None:
    uploads = tmp_path / "uploads"
    write(uploads, "deal.txt", "Nimbus raised $12 million from Polar Ventures.")
    engine.ingest([uploads / "deal.txt"])
    before = indexed(engine)
    sent = write(tmp_path / "sent", "t", "Nimbus raised $90 million from Cirrus Capital.")
    runner = runner_for(engine)
    job_id = runner.queue.submit_upload(
        [(sent, "deal.txt")], uploads, 10**6, engine.collection, runner.store
    )
    for _ in range(MAX_STALLS - 1):
        assert runner.queue.claim(runner.store) is not None
        assert runner.recover() == [job_id]
    claimed = runner.queue.claim(runner.store)
    assert claimed is not None
    # The last start got as far as writing the new file into the index.
    _, spec = claimed
    spec["known"] = {"deal.txt": before[str((uploads / "deal.txt").resolve())][0]}
    runner.queue.set_spec(job_id, spec)
    staged = uploads / STAGING / job_id / "deal.txt"
    (uploads / "deal.txt").replace(uploads / ".deal.txt.previous")
    staged.replace(uploads / "deal.txt")
    engine.ingest([uploads / "deal.txt"])
    assert indexed(engine) != before
    assert runner.recover() == [job_id]
    failed = runner.queue.get(job_id)
    assert failed is not None
    reason = (
        f"The job was interrupted {MAX_STALLS} times at the same point (after 0 of 1 files), "
        "so it was given up"
    )
    assert (failed.state, failed.error) == ("failed", reason)
    assert failed.results == [FileResult("deal.txt", "failed", reason)]
    assert listing(uploads) == ["deal.txt"]
    assert (uploads / "deal.txt").read_text() == "Nimbus raised $12 million from Polar Ventures."
    assert indexed(engine) == before


def test_a_job_that_gets_further_each_time_is_never_given_up(
    engine: Engine, tmp_path: Path
) -> None:
    sent = write(tmp_path / "sent", "t", "Acme Compute raised $3 billion for a new campus.")
    runner = runner_for(engine)
    job_id = runner.queue.submit_upload(
        [(sent, "acme.txt")], tmp_path / "uploads", 10**6, engine.collection, runner.store
    )
    for chunks in range(1, 2 * MAX_STALLS):
        assert runner.queue.claim(runner.store) is not None
        runner.queue.progress(job_id, 1, 0, chunks)
        assert runner.recover() == [job_id]
    assert runner.run_pending() == 1
    job = runner.queue.get(job_id)
    assert job is not None
    assert (job.state, job.attempts) == ("done", 2 * MAX_STALLS)


def test_a_staging_folder_no_job_names_is_deleted_at_start(engine: Engine, tmp_path: Path) -> None:
    uploads = tmp_path / "uploads"
    sent = write(tmp_path / "sent", "t", "Acme Compute raised $3 billion for a new campus.")
    runner = runner_for(engine)
    runner.queue.finish(
        runner.queue.submit_upload(
            [(sent, "acme.txt")], uploads, 10**6, engine.collection, runner.store
        ),
        "failed",
        [],
    )
    # A crash between staging the files of an upload and recording its job.
    write(uploads / STAGING / "0123abcd", "late.txt", "Never recorded.")
    assert runner.recover() == []
    assert listing(uploads) == []


# The child process: a server's writer running an upload job, killed (SIGKILL, no clean-up
# of any kind) when the second batch of chunks has been committed.
_CHILD = textwrap.dedent(
    """
    import json, os, signal, sys
    from pathlib import Path
    from rag.engine import Engine
    from rag.jobs import Jobs
    from tests.fixtures import make_settings

    index, sent, uploads = map(Path, sys.argv[1:4])
    events = []

    def die(job_id, progress):
        events.append(progress.files_written)
        if len(events) == 2:
            os.kill(os.getpid(), signal.SIGKILL)

    settings = make_settings(index, ingest={"batch_chunks": 8})
    with Engine.open(settings) as engine:
        jobs = Jobs(engine, on_progress=die)
        files = [(p, p.name) for p in sorted(sent.iterdir())]
        job_id = jobs.submit_upload(files, uploads)
        print(json.dumps(job_id), flush=True)
        jobs.start()
        jobs.wait(job_id, timeout=600)
    """
)


@pytest.mark.slow  # a real process, killed: tens of seconds
def test_a_job_killed_mid_write_is_resumed_to_the_index_a_clean_run_gives(
    tmp_path: Path, embed_model: Any
) -> None:
    sent = tmp_path / "sent"
    for seed in sorted(SEEDS.iterdir()):
        lines = [line for line in seed.read_text(encoding="utf-8").splitlines() if line.strip()]
        for half in range(2):
            write(sent, f"{seed.stem}_{half}.txt", "\n".join(lines[half::2]))
    index, uploads = tmp_path / "index", tmp_path / "uploads"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.run(
        [sys.executable, "-c", _CHILD, str(index), str(sent), str(uploads)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=600,
    )
    assert child.returncode == -signal.SIGKILL, child.stderr
    job_id = json.loads(child.stdout)
    settings = make_settings(index, ingest={"batch_chunks": 8})
    with Engine.open(settings, embed_model) as engine:
        jobs = Jobs(engine)
        assert jobs.start() == [job_id]
        job = jobs.wait(job_id, timeout=600)
        jobs.close()
        assert (job.state, job.attempts) == ("done", 2)
        names = sorted(p.name for p in sent.iterdir())
        assert sorted(job.results, key=lambda r: r.name) == [FileResult(n, "added") for n in names]
        resumed = indexed(engine)
        count = engine.store.count()
    assert listing(uploads) == names
    with Engine.open(make_settings(tmp_path / "clean"), embed_model) as clean:
        report = clean.ingest(sorted(uploads.iterdir()))
        assert report.added == names
        assert indexed(clean) == resumed
        assert clean.store.count() == count


def test_a_job_for_another_collection_fails_without_its_engine(engine: Engine) -> None:
    jobs = Jobs(engine)
    jobs.start()
    try:
        job = jobs.wait(jobs.submit_ingest([SEEDS], collection="legal"), timeout=60)
    finally:
        jobs.close()
    assert (job.state, job.results) == ("failed", [])
    assert job.error == (
        "This server writes only to the collection 'articles'; the job names 'legal'. "
        "Run `rag ingest --collection legal` while the server is stopped."
    )
    assert engine.store.count() == 0


@pytest.mark.slow  # whole indexes from the seeds, or a model export: seconds each
def test_a_job_submitted_by_another_process_is_seen_at_the_next_poll(engine: Engine) -> None:
    runner = JobRunner(
        JobQueue(engine.settings.history.path),
        lambda name: engine,
        store_key(engine.settings),
        poll_s=0.1,
    )
    runner.start()
    try:
        # Another process's queue: its submit wakes nothing here.
        other = JobQueue(engine.settings.history.path)
        job = other.wait(
            other.submit_ingest([SEEDS], engine.collection, store_key(engine.settings), "cli"),
            timeout=300,
        )
    finally:
        runner.close()
    assert (job.state, job.who, len(job.results)) == ("done", "cli", 5)


def test_a_job_stopped_with_its_process_stops_between_batches_and_resumes(
    tmp_path: Path, embed_model: Any
) -> None:
    settings = make_settings(tmp_path / "index", ingest={"batch_chunks": 8})
    with Engine.open(settings, embed_model) as engine:
        runner = runner_for(engine)
        # The process is told to stop once the first batch is written, with files still to go.
        runner.on_progress = lambda job_id, done: runner.stop_soon()
        job_id = runner.queue.submit_ingest([SEEDS], engine.collection, runner.store, who="t")
        runner.start()
        runner._thread.join(timeout=300)  # the writer ends on its own once told to stop
        assert not runner._thread.is_alive()
        job = runner.queue.get(job_id)
        assert job is not None
        assert (job.state, job.attempts) == ("queued", 1)
        written = indexed(engine)
        assert 1 <= len(written) < 5  # whole files of the first batch only
        again = runner_for(engine)
        assert again.recover() == []  # not left running: nothing for recovery to do
        assert again.run_pending() == 1
        job = again.queue.get(job_id)
        assert job is not None
        assert (job.state, job.attempts) == ("done", 2)
        resumed = indexed(engine)
    with Engine.open(make_settings(tmp_path / "clean"), embed_model) as clean:
        clean.ingest([SEEDS])
        assert indexed(clean) == resumed


def test_finished_jobs_past_their_days_are_deleted_when_the_writer_starts(
    engine: Engine, tmp_path: Path
) -> None:
    store = store_key(engine.settings)
    queue = JobQueue(engine.settings.history.path)
    article = write(tmp_path, "deal.txt", "Nimbus raised $12 million from Polar Ventures.")
    ids = {
        name: queue.submit_ingest([article], engine.collection, store)
        for name in ("old-done", "old-failed", "recent", "old-queued", "other-index")
    }
    with sqlite3.connect(queue.path) as db:
        # Finished 31 days ago and yesterday; the queued one was created long ago, never finished.
        db.execute(
            "UPDATE jobs SET state = 'done', finished = '2020-01-01T00:00:00.000+00:00' "
            "WHERE id IN (?, ?)",
            (ids["old-done"], ids["other-index"]),
        )
        db.execute(
            "UPDATE jobs SET state = 'failed', finished = ? WHERE id = ?",
            (days_ago(31), ids["old-failed"]),
        )
        db.execute(
            "UPDATE jobs SET state = 'done', finished = ? WHERE id = ?",
            (days_ago(1), ids["recent"]),
        )
        db.execute(
            "UPDATE jobs SET created = '2020-01-01T00:00:00.000+00:00' WHERE id = ?",
            (ids["old-queued"],),
        )
        db.execute(
            "UPDATE jobs SET store = 'http://elsewhere:6333' WHERE id = ?", (ids["other-index"],)
        )
    jobs = Jobs(engine)
    jobs.start()
    try:
        jobs.wait(ids["old-queued"], timeout=120)
    finally:
        jobs.close()
    kept = {job.id: job.state for job in queue.recent(limit=10)}
    assert kept == {
        ids["recent"]: "done",
        ids["old-queued"]: "done",
        ids["other-index"]: "done",
    }
