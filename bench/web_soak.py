"""Sustained load on the web chat: N users asking in a loop for a fixed time, loopback only.

Usage: PYTHONPATH=. python bench/web_soak.py [--users 50] [--seconds 120]. Bounded in time and in
count (at most 100 questions per user). Prints questions answered, errors, p50/p95 latency, and the
server process's resident memory at the start and the end.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from pathlib import Path

from gradio_client import Client

from bench.web_load import free_port
from rag.config import Settings
from rag.engine import Engine
from rag.questions import load_questions
from ui.web import launch

ROOT = Path(__file__).resolve().parent.parent


def rss_mb() -> float:
    """Resident memory of the current process, in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    """Serve, soak, report."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=120)
    args = parser.parse_args()
    questions = [q.question for q in load_questions(ROOT / "tests/eval/questions.jsonl").questions]
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(_env_file=None, qdrant={"path": Path(folder) / "index"})  # type: ignore[call-arg]
        with Engine.open(settings) as engine:
            engine.ingest([ROOT / "seeds"])
            engine.warm_up()
            port = free_port()
            app = launch(engine, "127.0.0.1", port, block=False)
            url = f"http://127.0.0.1:{port}/"
            times: list[float] = []
            errors = [0]
            lock = threading.Lock()
            stop_at = time.monotonic() + args.seconds
            start_rss = rss_mb()

            def user(n: int) -> None:
                client = Client(url, verbose=False)
                for i in range(100):
                    if time.monotonic() > stop_at:
                        return
                    started = time.perf_counter()
                    try:
                        chat, _ = client.predict(
                            questions[(n + i) % len(questions)], [], "All articles", api_name="/ask"
                        )
                        ok = "⚠️" not in str(chat[-1]["content"])
                    except Exception:
                        ok = False
                    with lock:
                        times.append((time.perf_counter() - started) * 1000)
                        errors[0] += not ok

            threads = [threading.Thread(target=user, args=(n,)) for n in range(args.users)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            end_rss = rss_mb()
            app.close()
    p95 = sorted(times)[int(0.95 * (len(times) - 1))]
    print(
        f"{args.users} users for {args.seconds:.0f} s: {len(times)} questions, {errors[0]} errors, "
        f"p50 {statistics.median(times):.0f} ms, p95 {p95:.0f} ms; "
        f"server RSS {start_rss:.0f} MB at the start, {end_rss:.0f} MB at the end"
    )


if __name__ == "__main__":
    main()
