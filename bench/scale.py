"""The embedded index at scale: ingest, query, answer, reopen, memory, re-ingest, recall.

Usage: python bench/scale.py --n 10000 [50000 100000] [--precomputed] [--out FILE]

A synthetic corpus of N chunks (10 per file) is made of real sentences recombined from seeds/
and the public sets' */docs (../shared/benchmarks beside the checkout, or RAG_BENCHMARKS), so
BM25 statistics look like real text. Each N is ingested with `Engine.ingest` (what `rag ingest`
runs), optimised, re-ingested unchanged, and then probed in a fresh process: open + first
answer, hybrid retrieval with and without a source filter, warm extractive answers, RSS, and
dense recall@20 of Edge's default search (HNSW where `optimize` built one) against exact search.

--precomputed skips the model at ingest: a chunk's vector is the normalised mean of its
sentences' MiniLM embeddings (embedded once), so the store is measured at 100k in minutes.
Without it, the same chunks are also encoded directly by the configured embedding backend
(RAG_EMBEDDING__BACKEND: torch, onnx or onnx-int8) in the same run, for ingest throughput
against raw encoding. Nothing here is asserted in tests.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.bridge.pydantic import PrivateAttr

from bench.benchmarks import benchmarks_dir
from rag.config import Settings
from rag.engine import Engine
from rag.evaluation.metrics import percentile
from rag.evaluation.questions import load_questions
from rag.search.embeddings import (
    build_bulk_embedding,
    build_embedding,
    ingest_precision,
    tokenizer_of,
)
from rag.text import sentence_spans

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "tests" / "eval" / "questions.jsonl"
BENCHMARKS = benchmarks_dir()
SOURCES = [ROOT / "seeds", *(sorted(BENCHMARKS.glob("*/docs")) if BENCHMARKS else [])]
CHUNKS_PER_FILE = 10
CHUNK_CHARS = 900  # about 200 word pieces: the ingest splitter keeps each one whole
POOL = 6000  # distinct sentences the corpus is built from


def sentences(limit: int, seed: int = 7) -> list[str]:
    """Distinct real sentences of 40-400 characters, sampled from the source folders."""
    found: dict[str, None] = {}
    for folder in SOURCES:
        for path in sorted(folder.glob("*.txt")):
            text = path.read_text(encoding="utf-8")
            for start, end in sentence_spans(text):
                sentence = " ".join(text[start:end].split())
                if 40 <= len(sentence) <= 400:
                    found[sentence] = None
    pool = list(found)
    random.Random(seed).shuffle(pool)
    return pool[:limit]


def write_corpus(folder: Path, n: int, pool: list[str], seed: int = 11) -> int:
    """N chunks of recombined sentences in files of ten paragraphs; the number of files."""
    rng = random.Random(seed)
    files = (n + CHUNKS_PER_FILE - 1) // CHUNKS_PER_FILE
    for i in range(files):
        paragraphs = []
        for _ in range(CHUNKS_PER_FILE):
            chunk: list[str] = []
            while sum(len(s) + 1 for s in chunk) < CHUNK_CHARS:
                chunk.append(rng.choice(pool))
            paragraphs.append(" ".join(chunk))
        target = folder / f"{i // 1000:03d}" / f"doc{i:06d}.txt"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(f"Document {i}\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8")
    return files


def encode_sorted(model: BaseEmbedding, texts: list[str]) -> list[list[float]]:
    """Embeddings of texts, embedded longest first as ingest does (so batches pad little)."""
    order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
    found = model.get_text_embedding_batch([texts[i] for i in order])
    out: list[list[float]] = [[] for _ in texts]
    for i, vector in zip(order, found, strict=True):
        out[i] = vector
    return out


class PrecomputedEmbedding(BaseEmbedding):
    """Chunk vectors from sentence vectors computed once; the real model for queries."""

    _real: Any = PrivateAttr()
    _vectors: dict[str, np.ndarray] = PrivateAttr()

    def __init__(self, real: Any, pool: list[str]) -> None:
        super().__init__(model_name="precomputed", embed_batch_size=512)
        self._real = real
        vectors = np.asarray(encode_sorted(real, pool), dtype=np.float32)
        self._vectors = dict(zip(pool, vectors, strict=True))

    @property
    def tokenizer(self) -> Any:
        """The real model's tokenizer: the splitter counts in it."""
        return tokenizer_of(self._real)

    def _chunk(self, text: str) -> list[float]:
        found = [
            self._vectors[s]
            for start, end in sentence_spans(text)
            if (s := " ".join(text[start:end].split())) in self._vectors
        ]
        mean = np.mean(found, axis=0) if found else next(iter(self._vectors.values()))
        return list(map(float, mean / np.linalg.norm(mean)))

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._chunk(text)

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return [self._chunk(t) for t in texts]

    def _get_query_embedding(self, query: str) -> list[float]:
        return list(self._real.get_query_embedding(query))

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)


def force_hnsw() -> None:
    """Make `optimize` build HNSW and searches use it at any size (for recall on small runs)."""
    import qdrant_edge as qe
    import rag.embedded

    plain = rag.embedded.shard_config

    def config(dim: int) -> qe.EdgeConfig:
        base = plain(dim)
        return qe.EdgeConfig(
            vectors=base.vectors,
            sparse_vectors=base.sparse_vectors,
            hnsw_config=qe.HnswIndexConfig(m=16, ef_construct=100, full_scan_threshold=10),
            optimizers=qe.EdgeOptimizersConfig(indexing_threshold=10),
        )

    rag.embedded.shard_config = config


def build(n: int, work: Path, precomputed: bool) -> dict[str, Any]:
    """Ingest, optimise and re-ingest N chunks; the timings."""
    pool = sentences(POOL)
    corpus = work / "docs"
    files = write_corpus(corpus, n, pool)
    settings = Settings(_env_file=None, qdrant={"path": work / "index"})  # type: ignore[call-arg]
    real = build_embedding(settings.embedding)
    # Without --precomputed the engine loads its own models: the backend's for questions, and
    # the bfloat16 one for chunks where the settings say so.
    model = PrecomputedEmbedding(real, pool) if precomputed else None
    result: dict[str, Any] = {
        "n_target": n,
        "files": files,
        "precomputed": precomputed,
        "backend": settings.embedding.backend,
        "ingest_precision": "precomputed" if precomputed else ingest_precision(settings.embedding),
    }
    with Engine.open(settings, model) as engine:
        started = time.perf_counter()
        report = engine.ingest([corpus])
        result["ingest_s"] = time.perf_counter() - started
        result["chunks"] = report.chunks_embedded
        result["ingest_chunks_per_s"] = report.chunks_embedded / result["ingest_s"]
        started = time.perf_counter()
        engine.optimize()
        result["optimize_s"] = time.perf_counter() - started
        started = time.perf_counter()
        again = engine.ingest([corpus])
        result["reingest_unchanged_s"] = time.perf_counter() - started
        assert again.chunks_embedded == 0 and len(again.unchanged) == files
        if not precomputed:
            texts = [node.get_content() for node in engine.store.vector_store.get_nodes()]
            started = time.perf_counter()
            encode_sorted(build_bulk_embedding(settings.embedding) or real, texts)
            raw = time.perf_counter() - started
            result["raw_encode_chunks_per_s"] = len(texts) / raw
            result["ingest_vs_raw"] = (
                result["ingest_chunks_per_s"] / result["raw_encode_chunks_per_s"]
            )
    return result


def rss_mb() -> tuple[float, float]:
    """Resident and peak resident memory of this process, in MB."""
    status = Path("/proc/self/status").read_text()
    values = {
        line.split(":")[0]: int(line.split()[1]) / 1024
        for line in status.splitlines()
        if line.startswith(("VmRSS", "VmHWM"))
    }
    return values["VmRSS"], values["VmHWM"]


def probe(index: Path) -> dict[str, Any]:
    """Open the index in this fresh process and time what a serving process does."""
    import qdrant_edge as qe

    from rag.search.edge_store import EXACT, RESCORE

    questions = [q.question for q in load_questions(QUESTIONS).questions]
    settings = Settings(_env_file=None, qdrant={"path": index})  # type: ignore[call-arg]
    started = time.perf_counter()
    model = build_embedding(settings.embedding)
    model.get_text_embedding_batch(["warm up"])
    out: dict[str, Any] = {"model_load_s": time.perf_counter() - started}
    out["rss_model_only_mb"] = rss_mb()[0]
    started = time.perf_counter()
    engine = Engine.open(settings, model)
    out["open_s"] = time.perf_counter() - started
    engine.ask(questions[0])
    out["open_and_first_answer_s"] = time.perf_counter() - started
    sources = sorted(engine.sources())
    rng = random.Random(3)
    embedded = [(q, model.get_query_embedding(q)) for q in questions]
    k = settings.retrieval.top_k
    for name, source in (("", None), ("_filtered", "pick")):
        times = []
        for _ in range(3):
            for q, e in embedded:
                chosen = rng.choice(sources) if source else None
                started = time.perf_counter()
                engine.retriever.retrieve(q, e, k, chosen)
                times.append((time.perf_counter() - started) * 1000)
        out[f"retrieve{name}_p50_ms"] = statistics.median(times)
        out[f"retrieve{name}_p95_ms"] = percentile(times, 95)
    answers = []
    for q in questions:
        started = time.perf_counter()
        engine.ask(q)
        answers.append((time.perf_counter() - started) * 1000)
    out["answer_p50_ms"] = statistics.median(answers)
    out["answer_p95_ms"] = percentile(answers, 95)
    # What a serving process holds; the exact searches below (a check no answer makes) then
    # map every float vector of the shard.
    out["rss_mb"], out["peak_rss_mb"] = rss_mb()
    shard = engine.store.vector_store.client
    info = shard.info()
    out["points"] = info.points_count
    out["segments"] = info.segments_count
    out["indexed_vectors"] = info.indexed_vectors_count
    recalls, default_ms, exact_ms = [], [], []
    for _, e in embedded:
        query = qe.Query.Nearest(list(e), using="text-dense")
        started = time.perf_counter()
        fast = shard.query(qe.QueryRequest(limit=20, query=query))
        default_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        exact = shard.query(qe.QueryRequest(limit=20, query=query, params=EXACT))
        exact_ms.append((time.perf_counter() - started) * 1000)
        recalls.append(len({p.id for p in fast} & {p.id for p in exact}) / max(len(exact), 1))
    out["dense_recall_at_20"] = statistics.mean(recalls)
    for ef in (64, 128, 256):
        found, took = [], []
        for _, e in embedded:
            query = qe.Query.Nearest(list(e), using="text-dense")
            exact = shard.query(qe.QueryRequest(limit=20, query=query, params=EXACT))
            started = time.perf_counter()
            params = qe.SearchParams(hnsw_ef=ef, quantization=RESCORE)
            fast = shard.query(qe.QueryRequest(limit=20, query=query, params=params))
            took.append((time.perf_counter() - started) * 1000)
            found.append(len({p.id for p in fast} & {p.id for p in exact}) / max(len(exact), 1))
        out[f"dense_recall_at_20_ef{ef}"] = statistics.mean(found)
        out[f"dense_ef{ef}_p50_ms"] = statistics.median(took)
    out["dense_default_p50_ms"] = statistics.median(default_ms)
    out["dense_exact_p50_ms"] = statistics.median(exact_ms)
    out["rss_after_recall_check_mb"] = rss_mb()[0]
    engine.close()
    return out


def main() -> None:
    """Build and probe each N; print one JSON object per N and a Markdown table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, nargs="+", default=[10_000])
    parser.add_argument("--precomputed", action="store_true", help="skip the model at ingest")
    parser.add_argument("--out", type=Path, help="append the results (JSON lines) here")
    parser.add_argument("--probe", type=Path, help=argparse.SUPPRESS)
    parser.add_argument(
        "--force-hnsw", action="store_true", help="build HNSW however small the index"
    )
    args = parser.parse_args()
    if args.force_hnsw:
        force_hnsw()
    if args.probe:
        print(json.dumps(probe(args.probe)))
        return
    rows = []
    for n in args.n:
        with tempfile.TemporaryDirectory(prefix="rag-scale-") as tmp:
            result = build(n, Path(tmp), args.precomputed)
            done = subprocess.run(
                [sys.executable, __file__, "--probe", str(Path(tmp) / "index")],
                capture_output=True,
                text=True,
                check=True,
            )
            result |= json.loads(done.stdout.strip().splitlines()[-1])
        rows.append(result)
        print(json.dumps(result), flush=True)
        if args.out:
            with args.out.open("a", encoding="utf-8") as out:
                out.write(json.dumps(result) + "\n")
    keys = [k for k in rows[0] if k not in {"n_target", "precomputed"}]
    print("\n| measure | " + " | ".join(f"{r['chunks']:,}" for r in rows) + " |")
    print("|---|" + "---:|" * len(rows))
    for key in keys:
        cells = [r.get(key) for r in rows]
        shown = [f"{c:.3g}" if isinstance(c, float) else str(c) for c in cells]
        print(f"| {key} | " + " | ".join(shown) + " |")


if __name__ == "__main__":
    main()
