"""Questions over HTTP while a 150-file upload job writes: p50/p95 against no upload, on loopback.

Usage: PYTHONPATH=. python bench/api_upload_load.py [--clients 20] [--files 150] [--seconds 60].
Serves `rag serve`'s app over a temporary index of seeds/ on a free loopback port. Phase one:
each client asks /api/ask in a loop for the given time. Phase two: the same while
POST /api/documents?wait=false uploads the files (copies of the seeds' paragraphs, each file
different) and the job writes them. Prints p50/p95/errors of both phases and their ratio.
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from pathlib import Path

import httpx

from rag.config import Settings
from rag.engine import Engine
from rag.evaluation.metrics import percentile
from rag.evaluation.questions import load_questions
from tests.fixtures.loopback import free_port
from ui.server import serve

ROOT = Path(__file__).resolve().parent.parent


def load(base: str, questions: list[str], clients: int, seconds: float) -> tuple[list[float], int]:
    """Every client asks in a loop until the time is up: the times in ms, and the errors."""
    times: list[float] = []
    errors = [0]
    stop = time.monotonic() + seconds
    lock = threading.Lock()

    def client(offset: int) -> None:
        with httpx.Client(base_url=base, timeout=300) as http:
            n = offset
            while time.monotonic() < stop:
                started = time.perf_counter()
                try:
                    answered = http.post(
                        "/api/ask", json={"question": questions[n % len(questions)]}
                    )
                    ok = answered.status_code == 200
                except httpx.HTTPError:
                    ok = False
                with lock:
                    if ok:
                        times.append((time.perf_counter() - started) * 1000)
                    else:
                        errors[0] += 1
                n += clients

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return times, errors[0]


def upload_files(folder: Path, count: int) -> list[Path]:
    """`count` different .txt files made of the seeds' paragraphs."""
    paragraphs = [
        p.strip()
        for seed in sorted((ROOT / "seeds").glob("*.txt"))
        for p in seed.read_text(encoding="utf-8").split("\n\n")
        if len(p.strip()) > 80
    ]
    files = []
    for n in range(count):
        path = folder / f"upload-{n:03d}.txt"
        chosen = [paragraphs[(n * 7 + k) % len(paragraphs)] for k in range(6)]
        path.write_text(f"Upload {n}\n\n" + "\n\n".join(chosen) + "\n", encoding="utf-8")
        files.append(path)
    return files


def main() -> None:
    """Serve, measure without and with the upload, report."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--files", type=int, default=150)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    questions = [q.question for q in load_questions(ROOT / "tests/eval/questions.jsonl").questions]
    with tempfile.TemporaryDirectory(prefix="rag-bench-") as folder:
        base_folder = Path(folder)
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None,
            qdrant={"path": base_folder / "index"},
            history={"path": base_folder / "history.sqlite3"},
            web={"uploads_dir": base_folder / "uploads"},
        )
        with Engine.open(settings) as engine:
            engine.ingest([ROOT / "seeds"])
            engine.warm_up()
            running = serve(engine, "127.0.0.1", free_port())
            try:
                quiet, quiet_errors = load(running.url, questions, args.clients, args.seconds)
                files = upload_files(base_folder, args.files)
                with httpx.Client(base_url=running.url, timeout=300) as http:
                    sent = [("files", (f.name, f.read_bytes(), "text/plain")) for f in files]
                    job = http.post("/api/documents", params={"wait": "false"}, files=sent).json()
                busy, busy_errors = load(running.url, questions, args.clients, args.seconds)
                with httpx.Client(base_url=running.url, timeout=300) as http:
                    state = http.get(f"/api/jobs/{job['id']}").json()
            finally:
                running.close()
    p95_quiet, p95_busy = percentile(quiet, 95), percentile(busy, 95)
    print(f"{args.clients} clients, {args.seconds:.0f} s a phase, upload of {args.files} files")
    print(
        f"without the upload: {len(quiet)} answered, {quiet_errors} errors, "
        f"p50 {percentile(quiet, 50):.0f} ms, p95 {p95_quiet:.0f} ms"
    )
    print(
        f"during the upload:  {len(busy)} answered, {busy_errors} errors, "
        f"p50 {percentile(busy, 50):.0f} ms, p95 {p95_busy:.0f} ms"
    )
    print(
        f"p95 ratio {p95_busy / p95_quiet:.2f}; the job was {state['state']} with "
        f"{state['files_done']} of {state['files_total']} files done when the phase ended"
    )


if __name__ == "__main__":
    main()
