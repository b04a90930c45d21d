"""Speed of ingest, retrieval and answers, against a plain llama-index pipeline in the same run.

Usage: python bench/speed.py [--rounds N]. Prints a Markdown table (the README's figures) and
writes bench/results/speed.json. Medians throughout; nothing here is asserted in tests.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from llama_index.core import StorageContext, VectorStoreIndex

from rag.config import Settings
from rag.engine import Engine
from rag.evaluation.metrics import percentile
from rag.evaluation.questions import load_questions
from rag.search.embeddings import build_embedding

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "tests" / "eval" / "questions.jsonl"


def timed(work: Callable[[], Any]) -> float:
    """Milliseconds one call takes."""
    started = time.perf_counter()
    work()
    return (time.perf_counter() - started) * 1000


def startup_ms() -> float:
    """Time for a fresh interpreter to import the engine (what every `rag` call pays first)."""
    runs = [
        timed(lambda: subprocess.run([sys.executable, "-c", "import rag.engine"], check=True))
        for _ in range(3)
    ]
    return statistics.median(runs)


def main() -> None:
    """Run every measurement and print the table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3, help="repetitions of each measurement")
    rounds = parser.parse_args().rounds
    questions = [q.question for q in load_questions(QUESTIONS).questions]
    results: dict[str, Any] = {"startup_ms": startup_ms()}

    with tempfile.TemporaryDirectory() as folder:
        ingest_ms, reingest_ms = [], []
        for n in range(rounds):
            settings = Settings(_env_file=None, qdrant={"path": Path(folder) / f"i{n}"})  # type: ignore[call-arg]
            with Engine.open(settings) as engine:
                # Includes loading the model from disk, as a first `rag ingest` does.
                ingest_ms.append(
                    timed(lambda e=engine: (e.embed_model, e.ingest([ROOT / "seeds"])))
                )
                reingest_ms.append(timed(lambda e=engine: e.ingest([ROOT / "seeds"])))
        results["ingest_ms"] = statistics.median(ingest_ms)
        results["reingest_ms"] = statistics.median(reingest_ms)

        settings = Settings(_env_file=None, qdrant={"path": Path(folder) / "i0"})  # type: ignore[call-arg]
        model = build_embedding(settings.embedding)
        with Engine.open(settings, model) as engine:
            nodes = engine.store.vector_store.get_nodes()
            for node in nodes:
                node.embedding = None
            plain = VectorStoreIndex(
                nodes, storage_context=StorageContext.from_defaults(), embed_model=model
            ).as_retriever(similarity_top_k=settings.retrieval.top_k)
            k = settings.retrieval.top_k

            def ours(q: str) -> None:
                engine.retriever.retrieve(q, model.get_query_embedding(q), k)

            for q in questions[:5]:  # warm both paths
                ours(q)
                plain.retrieve(q)
            ours_ms, plain_ms = [], []
            for _ in range(rounds):
                for q in questions:
                    ours_ms.append(timed(lambda q=q: ours(q)))
                    plain_ms.append(timed(lambda q=q: plain.retrieve(q)))
            results["retrieve_p50_ms"] = statistics.median(ours_ms)
            results["plain_retrieve_p50_ms"] = statistics.median(plain_ms)
            results["retrieve_ratio"] = (
                results["retrieve_p50_ms"] / results["plain_retrieve_p50_ms"]
            )

            # First pass: every question and sentence new to the process's embedding cache.
            first = [timed(lambda q=q: engine.ask(q)) for q in questions]
            again = [timed(lambda q=q: engine.ask(q)) for _ in range(rounds) for q in questions]
            results["answer_first_p50_ms"] = statistics.median(first)
            results["answer_first_p95_ms"] = percentile(first, 95)
            results["answer_repeat_p50_ms"] = statistics.median(again)
            results["questions"] = len(questions)

    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "speed.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    print("| measure | median |")
    print("|---|---|")
    print(f"| interpreter start-up + imports (every `rag` call) | {results['startup_ms']:.0f} ms |")
    print(f"| ingest of the 5 seeds, incl. model load | {results['ingest_ms']:.0f} ms |")
    print(f"| re-ingest, nothing changed | {results['reingest_ms']:.1f} ms |")
    print(
        f"| hybrid retrieval p50 (ours) vs plain llama-index retriever | "
        f"{results['retrieve_p50_ms']:.1f} ms vs {results['plain_retrieve_p50_ms']:.1f} ms "
        f"(× {results['retrieve_ratio']:.2f}) |"
    )
    print(
        f"| answer p50, question first seen (p95) | {results['answer_first_p50_ms']:.0f} ms "
        f"({results['answer_first_p95_ms']:.0f} ms) |"
    )
    print(f"| answer p50, repeated question | {results['answer_repeat_p50_ms']:.0f} ms |")


if __name__ == "__main__":
    main()
