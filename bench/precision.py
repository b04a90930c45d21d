"""How far each way of embedding chunks moves their vectors from the float graph's.

Usage: python bench/precision.py [--sentences 300] [--chunks 300]

Texts from fitting sets only (squad2-train and squad2-train2 docs in ../shared/benchmarks or
RAG_BENCHMARKS, and seeds/): sentences of 40-400 characters, and chunks of ~900 characters made
of such sentences. Each candidate embeds the chunks (the reference, `onnx`, embeds the sentences
too); for each, the cosine of every chunk's vector to the reference's, and for each sentence as a
question, how many of its 10 nearest chunks (and its nearest) are the reference's. Nothing here is
asserted in tests.
"""

from __future__ import annotations

import argparse
import os
import random
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np

from bench.benchmarks import benchmarks_dir
from rag.config import Settings
from rag.search.embeddings import build_bulk_embedding, build_embedding
from rag.text import sentence_spans

ROOT = Path(__file__).resolve().parent.parent
FITTING = ["squad2-train", "squad2-train2"]


def texts(n_sentences: int, n_chunks: int, seed: int = 3) -> tuple[list[str], list[str]]:
    """Sentences, and chunks of other sentences, from the fitting sets' documents and seeds."""
    found = benchmarks_dir()
    folders = [found / name / "docs" for name in FITTING] if found else []
    files = [p for folder in [*folders, ROOT / "seeds"] for p in sorted(folder.rglob("*"))]
    pool: list[str] = []
    for path in files:
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            pool += [text[a:b].strip() for a, b in sentence_spans(text) if 40 <= b - a <= 400]
    random.Random(seed).shuffle(pool)
    sentences, rest = pool[:n_sentences], pool[n_sentences:]
    chunks = []
    for _ in range(n_chunks):
        chunk = ""
        while len(chunk) < 900 and rest:
            chunk += rest.pop() + " "
        chunks.append(chunk.strip())
    return sentences, chunks


def embed(model: Any, texts: list[str]) -> np.ndarray:
    """Unit rows, longest text first into the model as ingest hands them, in the order given."""
    order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
    rows = np.asarray(model.get_text_embedding_batch([texts[i] for i in order]), np.float32)
    out = np.empty_like(rows)
    out[order] = rows
    return out / np.linalg.norm(out, axis=1, keepdims=True)


def main() -> None:
    """Print one Markdown row per way of embedding chunks."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--sentences", type=int, default=300)
    parser.add_argument("--chunks", type=int, default=300)
    args = parser.parse_args()
    sentences, chunks = texts(args.sentences, args.chunks)

    def settings(backend: str, precision: str) -> Any:
        return Settings(  # type: ignore[call-arg]
            _env_file=None, embedding={"backend": backend, "ingest_precision": precision}
        ).embedding

    reference = build_embedding(settings("onnx", "float32"))
    questions, ref = embed(reference, sentences), embed(reference, chunks)
    nearest = np.argsort(-(questions @ ref.T), axis=1)[:, :10]
    candidates = {
        "torch (float32)": build_embedding(settings("torch", "float32")),
        "onnx-int8": build_embedding(settings("onnx-int8", "float32")),
        "bfloat16 (ingest precision)": build_bulk_embedding(settings("onnx", "bfloat16")),
    }
    print(f"{len(sentences)} sentences, {len(chunks)} chunks; reference: onnx (float32)\n")
    print("| chunks embedded by | cosine mean (worst) | 10 nearest shared | nearest the same |")
    print("|---|---:|---:|---:|")
    for name, model in candidates.items():
        found = embed(model, chunks)
        cosine = (found * ref).sum(axis=1)
        ranked = np.argsort(-(questions @ found.T), axis=1)[:, :10]
        shared = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(nearest, ranked, strict=True)])
        same = np.mean(nearest[:, 0] == ranked[:, 0])
        print(f"| {name} | {cosine.mean():.5f} ({cosine.min():.4f}) | {shared:.1%} | {same:.1%} |")


if __name__ == "__main__":
    main()
