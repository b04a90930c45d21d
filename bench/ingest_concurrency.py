"""Questions answered while an upload job writes: 20 askers, with and without a 150-file job.

Usage: python bench/ingest_concurrency.py [--clients 20] [--files 150] [--rounds 3]. Builds a
temporary index of seeds/, then (1) lets every client ask `rounds` questions from
tests/eval/questions.jsonl at once, and (2) submits an upload job of `files` new articles
(seed paragraphs under new names) and, once it runs, lets the same clients ask the same
questions again (caches emptied before each phase).
Prints p50/p95 of the answer time in each phase, their ratio, the errors, and the job's time.
The askers are threads calling the engine, as the web chat, the APIs and Slack do.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from rag.engine import Engine
from rag.evaluation.metrics import percentile
from rag.jobs import Jobs
from tests.fixtures import SEEDS, make_settings

ROOT = Path(__file__).resolve().parent.parent


def questions() -> list[str]:
    """The evaluation set's questions."""
    rows = (ROOT / "tests" / "eval" / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(row)["question"] for row in rows if row.strip()]


def make_files(folder: Path, count: int) -> list[Path]:
    """`count` articles of a few seed paragraphs each, every one different."""
    paragraphs = [
        p.strip()
        for seed in sorted(SEEDS.iterdir())
        for p in seed.read_text(encoding="utf-8").split("\n")
        if len(p.strip()) > 80
    ]
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for i in range(count):
        picked = [paragraphs[(i * 7 + k * 13) % len(paragraphs)] for k in range(6)]
        path = folder / f"upload_{i:03d}.txt"
        path.write_text(f"Briefing {i}\n\n" + "\n\n".join(picked) + "\n", encoding="utf-8")
        files.append(path)
    return files


def ask_all(engine: Engine, asked: list[str], clients: int) -> dict[str, Any]:
    """Every client asks its share of the questions, all clients at once; the times."""
    # Each phase starts cold: embeddings cached by the one before would flatter it.
    engine.encoder._cache.clear()
    times: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def client(n: int) -> None:
        for question in asked[n::clients]:
            started = time.perf_counter()
            try:
                engine.ask(question)
            except Exception as exc:
                with lock:
                    errors.append(f"{type(exc).__name__}: {exc}")
            with lock:
                times.append((time.perf_counter() - started) * 1000)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {
        "questions": len(times),
        "errors": len(errors),
        "first_errors": errors[:3],
        "p50_ms": round(percentile(times, 50)),
        "p95_ms": round(percentile(times, 95)),
    }


def main() -> None:
    """Run both phases and print what they measured as JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--files", type=int, default=150)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    asked = questions()
    with tempfile.TemporaryDirectory(prefix="rag-bench-jobs-") as tmp:
        folder = Path(tmp)
        settings = make_settings(folder / "index")
        with Engine.open(settings) as engine:
            engine.ingest([SEEDS])
            engine.warm_up()
            engine.ask(asked[0])
            asked = asked[: args.clients * args.rounds]
            quiet = ask_all(engine, asked, args.clients)
            files = make_files(folder / "sent", args.files)
            jobs = Jobs(engine)
            jobs.start()
            started = time.perf_counter()
            job_id = jobs.submit_upload(
                [(p, p.name) for p in files], folder / "uploads", who="bench"
            )
            while jobs.wait(job_id, timeout=0).state == "queued":
                time.sleep(0.05)
            loaded = ask_all(engine, asked, args.clients)
            # The askers' last answer came while the job was still writing (or not): say which.
            then = jobs.get(job_id)
            assert then is not None
            loaded["job_files_done_when_asked"] = f"{then.files_done}/{then.files_total}"
            loaded["job_state_when_asked"] = then.state
            job = jobs.wait(job_id)
            took = time.perf_counter() - started
            jobs.close()
            print(
                json.dumps(
                    {
                        "clients": args.clients,
                        # Other processes' load on the machine, which moves every figure here.
                        "load_average": os.getloadavg(),
                        "files": args.files,
                        "without_job": quiet,
                        "during_job": loaded,
                        "p95_ratio": round(loaded["p95_ms"] / quiet["p95_ms"], 2),
                        "p50_ratio": round(loaded["p50_ms"] / quiet["p50_ms"], 2),
                        "job": {
                            "state": job.state,
                            "seconds": round(took, 1),
                            "chunks": job.chunks,
                            "added": sum(r.status == "added" for r in job.results),
                        },
                    },
                    indent=2,
                )
            )


if __name__ == "__main__":
    main()
