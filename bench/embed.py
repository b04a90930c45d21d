"""The embedding backends side by side: speed on the same real chunks, and retrieval quality.

Usage: python bench/embed.py [--n 10000] [--backends torch onnx onnx+bf16 onnx-int8]
[--no-speed] [--no-quality] [--out FILE]

Each row is a backend and what ingest embeds chunks in: torch, onnx and onnx-int8 in float32
(int8 for onnx-int8) throughout, onnx+bf16 with chunks embedded by torch in bfloat16 and questions
by onnx (RAG_EMBEDDING__INGEST_PRECISION=bfloat16, the default where the CPU has AMX or AVX-512
BF16).

Speed: N chunks of real sentences (bench/scale.py's corpus: seeds/ and the public sets' docs,
recombined into ~200-word-piece chunks) are embedded by each backend through llama-index (what
ingest calls) and then ingested with `Engine.ingest` into a fresh index; query embedding p50 is
timed on the own set's questions, each embedded once. Quality: for each backend, the own set
(seeds/ + tests/eval/docs) and the public measuring sets (squad2-dev, multihop-rag-facts;
../shared/benchmarks or RAG_BENCHMARKS) are ingested and evaluated as `rag eval` does. Each
backend runs in a process of its own, one after another, with the thread settings it prints.
Nothing here is asserted in tests.
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
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from bench.benchmarks import benchmarks_dir
from bench.scale import POOL, encode_sorted, sentences, write_corpus
from rag.config import Settings
from rag.engine import Engine
from rag.evaluation.metrics import evaluate
from rag.evaluation.questions import load_questions
from rag.search.embeddings import build_bulk_embedding, build_embedding, threads

ROOT = Path(__file__).resolve().parent.parent
OWN = ROOT / "tests" / "eval" / "questions.jsonl"
# A row's backend and ingest precision.
VARIANTS = {
    "torch": ("torch", "float32"),
    "onnx": ("onnx", "float32"),
    "onnx+bf16": ("onnx", "bfloat16"),
    "onnx-int8": ("onnx-int8", "float32"),
}
QUALITY = ["hit_at_k", "mrr", "accuracy", "key_fact_accuracy", "decline_accuracy"]


def public_sets() -> dict[str, tuple[list[Path], Path]]:
    """Each set's document folders and question file: the own set, then the measuring sets."""
    sets = {"own": ([ROOT / "seeds", ROOT / "tests" / "eval" / "docs"], OWN)}
    found = benchmarks_dir()
    if found is not None:
        for name, folder in (("squad2-dev", "squad2-dev"), ("multihop", "multihop-rag-facts")):
            sets[name] = ([found / folder / "docs"], found / folder / "questions.jsonl")
    return sets


def settings_for(index: Path, variant: str) -> Settings:
    """Default settings with this row's backend and precision and a private index folder."""
    backend, precision = VARIANTS[variant]
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        qdrant={"path": index},
        embedding={"backend": backend, "ingest_precision": precision},
    )


def thread_settings(settings: Settings) -> dict[str, Any]:
    """What each thread pool of this process is set to."""
    out: dict[str, Any] = {
        "cores": len(os.sched_getaffinity(0)),
        "encoder_threads": threads(settings.embedding),
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", "(unset)"),
        "tokenizers_parallelism": os.environ.get("TOKENIZERS_PARALLELISM", "(unset)"),
    }
    if "torch" in sys.modules:
        import torch

        out["torch_threads"] = torch.get_num_threads()
    return out


def speed(backend: str, n: int, work: Path) -> dict[str, Any]:
    """Load, raw encode, ingest and query-embedding times of one backend."""
    settings = settings_for(work / "index", backend)
    started = time.perf_counter()
    model = build_embedding(settings.embedding)
    chunks_model = build_bulk_embedding(settings.embedding) or model
    chunks_model.get_text_embedding_batch([f"warm up {i}" for i in range(32)])
    out: dict[str, Any] = {"load_s": time.perf_counter() - started}
    out |= thread_settings(settings)
    corpus = work / "docs"
    if not corpus.is_dir():
        write_corpus(corpus, n, sentences(POOL))
    texts = [
        part.strip()
        for path in sorted(corpus.rglob("*.txt"))
        for part in path.read_text(encoding="utf-8").split("\n\n")[1:]
    ]
    started = time.perf_counter()
    encode_sorted(chunks_model, texts)
    out["encode_chunks_per_s"] = len(texts) / (time.perf_counter() - started)
    # The engine's own models, as `rag ingest` has them: the bulk one embeds the chunks.
    with Engine.open(settings) as engine:
        report = engine.ingest([corpus])
        out["ingest_chunks"] = report.chunks_embedded
        out["ingest_chunks_per_s"] = report.chunks_embedded / report.seconds
    questions = [q.question for q in load_questions(OWN).questions]
    took = []
    for q in questions:
        started = time.perf_counter()
        model.get_query_embedding(q)
        took.append((time.perf_counter() - started) * 1000)
    out["query_embed_p50_ms"] = statistics.median(took)
    return out


def quality(backend: str, work: Path) -> dict[str, Any]:
    """`rag eval`'s figures of one backend on each set."""
    out: dict[str, Any] = {}
    for name, (folders, questions) in public_sets().items():
        settings = settings_for(work / f"q-{name}", backend)
        with Engine.open(settings) as engine:
            engine.ingest(folders)
            engine.optimize()
            report = evaluate(engine, load_questions(questions).questions)
        metrics = report["metrics"]
        out[name] = {key: metrics.get(key) for key in [*QUALITY, "total_p50_ms"]}
        out[name]["correct"] = sum(bool(r["correct"]) for r in report["results"])
        out[name]["questions"] = metrics["questions"]
    return out


def worker(backend: str, n: int, do_speed: bool, do_quality: bool) -> dict[str, Any]:
    """One backend's measurements, in this process."""
    result: dict[str, Any] = {"backend": backend}
    with tempfile.TemporaryDirectory(prefix="rag-embed-") as tmp:
        if do_speed:
            result["speed"] = speed(backend, n, Path(tmp))
        if do_quality:
            result["quality"] = quality(backend, Path(tmp))
    return result


def table(rows: list[dict[str, Any]]) -> str:
    """The Markdown tables: speed (with ratios to torch) and quality."""
    lines = []
    base = next((r for r in rows if r["backend"] == "torch"), rows[0])
    if "speed" in base:
        lines += [
            "| backend | encode chunks/s | ingest chunks/s | × torch ingest | query p50 ms "
            "| × torch query | load s | threads |",
            "|---|" + "---:|" * 6 + "---|",
        ]
        for r in rows:
            s, b = r["speed"], base["speed"]
            lines.append(
                f"| {r['backend']} | {s['encode_chunks_per_s']:.1f} | "
                f"{s['ingest_chunks_per_s']:.1f} | "
                f"{s['ingest_chunks_per_s'] / b['ingest_chunks_per_s']:.2f} | "
                f"{s['query_embed_p50_ms']:.2f} | "
                f"{s['query_embed_p50_ms'] / b['query_embed_p50_ms']:.2f} | {s['load_s']:.1f} | "
                f"{s['encoder_threads']} of {s['cores']} cores |"
            )
    if "quality" in base:
        lines += [
            "",
            "| set | backend | hit@5 | MRR | accuracy | correct | key facts | "
            "declines | answer p50 ms |",
            "|---|---|" + "---:|" * 7,
        ]
        for name in base["quality"]:
            for r in rows:
                q = r["quality"][name]
                lines.append(
                    f"| {name} | {r['backend']} | {q['hit_at_k']:.3f} | {q['mrr']:.3f} | "
                    f"{q['accuracy']:.3f} | {q['correct']}/{q['questions']} | "
                    f"{q['key_fact_accuracy']:.3f} | {q['decline_accuracy']:.3f} | "
                    f"{q['total_p50_ms']:.0f} |"
                )
    return "\n".join(lines)


def main() -> None:
    """Run each backend in its own process and print the tables."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=10_000, help="chunks for the speed run")
    parser.add_argument("--backends", nargs="+", default=list(VARIANTS), choices=list(VARIANTS))
    parser.add_argument("--no-speed", action="store_true")
    parser.add_argument("--no-quality", action="store_true")
    parser.add_argument("--out", type=Path, help="append the results (JSON lines) here")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.n, not args.no_speed, not args.no_quality)))
        return
    rows = []
    for backend in args.backends:
        command = [sys.executable, __file__, "--worker", backend, "--n", str(args.n)]
        command += ["--no-speed"] * args.no_speed + ["--no-quality"] * args.no_quality
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode:
            sys.exit(f"{backend} failed:\n{done.stderr[-3000:]}")
        row = json.loads(done.stdout.strip().splitlines()[-1])
        rows.append(row)
        print(json.dumps(row), flush=True)
        if args.out:
            with args.out.open("a", encoding="utf-8") as out:
                out.write(json.dumps(row) + "\n")
    print()
    print(table(rows))


if __name__ == "__main__":
    main()
