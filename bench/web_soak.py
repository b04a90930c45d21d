"""Sustained load on `rag serve`: N users asking in a loop for a fixed time, loopback only.

Usage: PYTHONPATH=. python bench/web_soak.py [--users 50] [--seconds 120]. Bounded in time and in
count (at most 100 questions per user). The server runs in its own process, so its resident memory
at the start and the end is its own, not the load generator's.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from gradio_client import Client

from bench.web_load import ask_once
from rag.evaluation.metrics import percentile
from rag.evaluation.questions import load_questions
from tests.fixtures.loopback import free_port

ROOT = Path(__file__).resolve().parent.parent


def rss_mb(pid: int) -> float:
    """Resident memory of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def ask_loop(
    url: str, questions: list[str], n: int, stop_at: float, out: list[tuple[float, bool]]
) -> None:
    """One user: a question after another until the time is up (100 at most)."""
    client = Client(url, verbose=False)
    for i in range(100):
        if time.monotonic() > stop_at:
            return
        out.append(ask_once(client, questions[(n + i) % len(questions)]))


def main() -> None:
    """Serve `rag serve` in its own process, soak it, report."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=120)
    args = parser.parse_args()
    questions = [q.question for q in load_questions(ROOT / "tests/eval/questions.jsonl").questions]
    with tempfile.TemporaryDirectory() as folder:
        port = free_port()
        env = {**os.environ, "RAG_QDRANT__PATH": f"{folder}/index", "HF_HUB_OFFLINE": "1"}
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "ui.cli",
                "serve",
                "--ingest",
                str(ROOT / "seeds"),
                "--port",
                str(port),
            ],
            env=env,
            cwd=folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}/"
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                try:
                    Client(url, verbose=False).predict(
                        "warm up", [], "All articles", api_name="/ask"
                    )
                    break
                except Exception:
                    time.sleep(1)
            start_rss = rss_mb(server.pid)
            results: list[tuple[float, bool]] = []
            stop_at = time.monotonic() + args.seconds
            users = [
                threading.Thread(target=ask_loop, args=(url, questions, n, stop_at, results))
                for n in range(args.users)
            ]
            for user in users:
                user.start()
            samples = []
            while any(user.is_alive() for user in users):
                samples.append(round(rss_mb(server.pid)))
                time.sleep(10)
            for user in users:
                user.join()
            end_rss = rss_mb(server.pid)
        finally:
            server.terminate()
            server.wait(30)
    times = sorted(t for t, _ in results)
    errors = sum(not ok for _, ok in results)
    p95 = percentile(times, 95)
    print(
        f"{args.users} users for {args.seconds:.0f} s: {len(times)} questions, {errors} errors, "
        f"p50 {statistics.median(times):.0f} ms, p95 {p95:.0f} ms; "
        f"server RSS {start_rss:.0f} MB at the start, {end_rss:.0f} MB at the end"
    )
    print(f"server RSS every 10 s (MB): {samples}")


if __name__ == "__main__":
    main()
