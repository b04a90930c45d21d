"""Concurrent questions against the web chat through gradio_client, on loopback only.

Usage: python bench/web_load.py [--users 20] [--rounds 1]. Builds a temporary index of seeds/,
serves the chat on a free loopback port, sends every user's question at once, and prints the
p50/p95 of the end-to-end time (queue wait included) and the number of errors.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from gradio_client import Client

from rag.config import Settings
from rag.engine import Engine
from rag.evaluation.metrics import percentile
from rag.evaluation.questions import load_questions
from tests.fixtures.loopback import free_port
from ui.server import serve

ROOT = Path(__file__).resolve().parent.parent


def ask_once(client: Client, question: str) -> tuple[float, bool]:
    """One question through the chat's API: milliseconds taken, and whether it was answered."""
    started = time.perf_counter()
    try:
        chat, _ = client.predict(question, [], "All articles", api_name="/ask")
        ok = bool(chat) and "⚠️" not in str(chat[-1]["content"])
    except Exception:
        # Counted, not raised: this is a load test.
        ok = False
    return (time.perf_counter() - started) * 1000, ok


def main() -> None:
    """Serve, load, report."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    questions = [q.question for q in load_questions(ROOT / "tests/eval/questions.jsonl").questions]
    with tempfile.TemporaryDirectory() as folder:
        port = free_port()
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None,
            qdrant={"path": Path(folder) / "index"},
            history={"path": Path(folder) / "history.sqlite3"},
        )
        with Engine.open(settings) as engine:
            engine.ingest([ROOT / "seeds"])
            engine.warm_up()
            app = serve(engine, "127.0.0.1", port)
            url = f"http://127.0.0.1:{port}/"

            def ask(question: str) -> tuple[float, bool]:
                return ask_once(Client(url, verbose=False), question)

            times, errors = [], 0
            for r in range(args.rounds):
                batch = [
                    questions[(r * args.users + i) % len(questions)] for i in range(args.users)
                ]
                with ThreadPoolExecutor(max_workers=args.users) as pool:
                    for elapsed, ok in pool.map(ask, batch):
                        times.append(elapsed)
                        errors += not ok
            app.close()
    p95 = percentile(times, 95)
    print(
        f"{args.users} concurrent users x {args.rounds} rounds: {len(times)} questions, "
        f"{errors} errors, p50 {statistics.median(times):.0f} ms, p95 {p95:.0f} ms"
    )


if __name__ == "__main__":
    main()
