"""Concurrent clients of the HTTP API through the official openai client, on loopback only.

Usage: python bench/api_load.py [--clients 20] [--rounds 3]. Builds a temporary index of seeds/,
serves `rag serve`'s app (with an API key) on a free loopback port, and in each round sends every
client's question at once, half of them streamed. Prints p50/p95 of the end-to-end time (and of
the first streamed piece) and the number of errors.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import openai

from rag.config import Settings
from rag.engine import Engine
from rag.evaluation.metrics import percentile
from rag.evaluation.questions import load_questions
from tests.fixtures.loopback import free_port
from ui.server import serve

ROOT = Path(__file__).resolve().parent.parent
KEY = "bench-key"


def ask_once(base_url: str, question: str, stream: bool) -> tuple[float, float, bool]:
    """One question: ms to the end, ms to the first piece (streams), and whether it was answered."""
    client = openai.OpenAI(base_url=base_url, api_key=KEY, max_retries=0, timeout=120)
    messages: list[openai.types.chat.ChatCompletionMessageParam] = [
        {"role": "user", "content": question}
    ]
    started = time.perf_counter()
    first = 0.0
    try:
        if stream:
            text = ""
            for chunk in client.chat.completions.create(
                model="rag-news", messages=messages, stream=True
            ):
                piece = chunk.choices[0].delta.content if chunk.choices else None
                if piece and not first:
                    first = (time.perf_counter() - started) * 1000
                text += piece or ""
        else:
            completion = client.chat.completions.create(model="rag-news", messages=messages)
            text = completion.choices[0].message.content or ""
        ok = bool(text.strip())
    except openai.OpenAIError:
        # Counted, not raised: this is a load test.
        ok = False
    return (time.perf_counter() - started) * 1000, first, ok


def main() -> None:
    """Serve, load, report."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    questions = [q.question for q in load_questions(ROOT / "tests/eval/questions.jsonl").questions]
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None,
            qdrant={"path": Path(folder) / "index"},
            history={"path": Path(folder) / "history.sqlite3"},
            api={"keys": KEY},
        )
        with Engine.open(settings) as engine:
            engine.ingest([ROOT / "seeds"])
            engine.warm_up()
            running = serve(engine, "127.0.0.1", free_port())
            base_url = f"{running.url}/v1"
            plain, streamed, firsts, errors = [], [], [], 0
            for r in range(args.rounds):
                batch = [
                    (questions[(r * args.clients + i) % len(questions)], i % 2 == 1)
                    for i in range(args.clients)
                ]
                with ThreadPoolExecutor(max_workers=args.clients) as pool:
                    results = list(pool.map(lambda job: ask_once(base_url, *job), batch))
                for (_, stream), (elapsed, first, ok) in zip(batch, results, strict=True):
                    (streamed if stream else plain).append(elapsed)
                    if first:
                        firsts.append(first)
                    errors += not ok
            running.close()
            assert engine.query_log is not None
            engine.query_log.flush()
            logged = engine.query_log.counts()["questions"]
    every = plain + streamed

    def p(values: list[float]) -> str:
        return f"p50 {percentile(values, 50):.0f} ms, p95 {percentile(values, 95):.0f} ms"

    print(
        f"{args.clients} concurrent clients (half streaming) x {args.rounds} rounds: "
        f"{len(every)} questions, {errors} errors, {logged} rows in the query log"
    )
    print(f"  all:                 {p(every)}")
    print(f"  non-streaming:       {p(plain)}")
    print(f"  streaming, complete: {p(streamed)}")
    print(f"  streaming, first piece: {p(firsts)}")


if __name__ == "__main__":
    main()
