"""Retrieval cases for fitting the answer decision: passages and embeddings, cached under build/."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import pickle
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rag.answering.casing import cased
from rag.answering.extractive import Choice, Tuning, choose, gather_evidence
from rag.config import Settings
from rag.engine import Engine, prepare_question
from rag.evaluation.questions import TestQuestion, load_questions
from rag.search.embeddings import CachedEncoder, build_embedding
from rag.types import Passage

BENCHMARKS = Path(os.environ.get("RAG_BENCHMARKS") or "../shared/benchmarks")
OWN = Path("tests/eval/questions.jsonl")
CACHE = Path("build/fitting")
# The code that cuts chunks, sparse vectors and sentences: the cache is only as good as the code it
# was made with, so a change to any of these makes a new one.
_CODE = [
    Path(__file__).parents[1] / "rag" / p
    for p in (
        "text.py",
        "search/sparse.py",
        "search/edge_store.py",
        "ingest/ingestor.py",
        "ingest/token_counts.py",
    )
]


@dataclass(frozen=True)
class Case:
    """One question with what real retrieval returned for it."""

    question: TestQuestion
    text: str
    group: str
    passages: list[Passage]


@dataclass
class CaseSet:
    """The cases of one question set, with the embedding of every question and sentence."""

    name: str
    cases: list[Case]
    vectors: dict[str, np.ndarray]

    def cosines(self, question: str, sentences: list[str]) -> list[float]:
        """The cosine of each sentence to the question (unit vectors, so a dot product)."""
        # A text the answerer embeds since the cache was made (a sentence read with the one
        # before it) is embedded now, as the engine would.
        missing = [s for s in dict.fromkeys(sentences) if s not in self.vectors]
        if missing:
            self.vectors.update(zip(missing, _encoder()(missing), strict=True))
        q = self.vectors[question]
        return [float(self.vectors[s] @ q) for s in sentences]

    def choice(self, case: Case, limit: int = 3) -> Choice:
        """What the answerer picks for a case with default tuning (3 sentences, its default)."""
        # As the engine reads it: a question typed in lower case given its names' capitals (the
        # embedding model is uncased, so the cached vector is the cased question's too).
        asked = cased(case.text, case.passages)
        evidence = gather_evidence(asked, case.passages)
        return choose(
            Tuning(),
            asked,
            evidence,
            lambda found: self.cosines(case.text, [c.text for c in found]),
            limit,
        )


def best_pair(case: Case, choice: Choice) -> tuple[str, str]:
    """The question and the answerer's best sentence ("" when it ranked none), as read."""
    return case.text, choice.scored[0].candidate.text if choice.scored else ""


@functools.cache
def _reader_cache(weights: Path) -> Path:
    """The logit cache of a reader's weights (hashed once a process: 45 MB)."""
    if not weights.is_file():
        raise SystemExit(f"No reader weights at {weights}: run bench/train_reader.py first.")
    return CACHE / f"reader-{hashlib.sha256(weights.read_bytes()).hexdigest()[:12]}.pkl"


def read_best(pairs: list[tuple[str, str]], weights: Path | None = None) -> list[float]:
    """A trial reader's logit for each (question, sentence), cached by its weights."""
    from bench.reader_model import WEIGHTS, load_scorer

    weights = weights or WEIGHTS
    cache = _reader_cache(weights)
    known: dict[tuple[str, str], float] = (
        pickle.loads(cache.read_bytes()) if cache.is_file() else {}
    )
    wanted = sorted({p for p in pairs if p not in known})
    if wanted:
        started = time.perf_counter()
        known.update(zip(wanted, load_scorer(weights).scores(wanted), strict=True))
        print(
            f"reader: {len(wanted)} pairs in {time.perf_counter() - started:.0f} s",
            file=sys.stderr,
        )
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_bytes(pickle.dumps(known))
    return [known[p] for p in pairs]


def _group(q: TestQuestion, paragraph: str, name: str) -> str:
    # Folds keep a whole article together: squad_a01_p003.txt belongs to article a01.
    if paragraph.startswith("squad_"):
        return "squad:" + paragraph.split("_")[1]
    return f"{name}:{q.id}"


@functools.cache
def _encoder() -> CachedEncoder:
    return CachedEncoder(build_embedding(Settings(_env_file=None).embedding))  # type: ignore[call-arg]


def collect(name: str, docs: list[Path], questions_path: Path) -> CaseSet:
    """Ingest the docs into a throwaway index, retrieve for every question, embed every text."""
    questions = load_questions(questions_path).questions
    rows = (json.loads(line) for line in questions_path.read_text().splitlines() if line.strip())
    paragraphs = {str(r["id"]): str(r.get("paragraph") or "") for r in rows}
    cases = []
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(_env_file=None, qdrant={"path": Path(folder) / "index"})  # type: ignore[call-arg]
        with Engine.open(settings) as engine:
            started = time.perf_counter()
            engine.ingest(docs)
            print(f"{name}: ingested in {time.perf_counter() - started:.0f} s", file=sys.stderr)
            texts = [
                prepare_question(q.question, settings.answer.max_question_chars)[0]
                for q in questions
            ]
            q_vectors = engine.encoder(texts)
            vectors = dict(zip(texts, q_vectors, strict=True))
            for q, text, vector in zip(questions, texts, q_vectors, strict=True):
                passages = engine.retriever.retrieve(
                    text, vector.tolist(), settings.retrieval.top_k
                )
                group = _group(q, paragraphs.get(q.id, ""), name)
                cases.append(Case(q, text, group, passages))
            sentences = sorted(
                {
                    c.text
                    for case in cases
                    for c in gather_evidence(case.text, case.passages).candidates
                    if c.text not in vectors
                }
            )
            vectors.update(zip(sentences, engine.encoder(sentences), strict=True))
            print(
                f"{name}: {len(cases)} cases, {len(sentences)} sentences, "
                f"{time.perf_counter() - started:.0f} s",
                file=sys.stderr,
            )
    return CaseSet(name, cases, vectors)


def _cached(name: str, docs: list[Path], questions: Path, refresh: bool) -> CaseSet:
    digest = hashlib.sha256()
    for path in (questions, *sorted(p for d in docs for p in d.iterdir()), *_CODE):
        digest.update(path.read_bytes())
    cache = CACHE / f"{name}-{digest.hexdigest()[:12]}.pkl"
    if cache.is_file() and not refresh:
        with cache.open("rb") as file:
            found: CaseSet = _Unpickler(file).load()
        return found
    found = collect(name, docs, questions)
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_bytes(pickle.dumps(found))
    return found


class _Unpickler(pickle.Unpickler):
    # A cache written by running this file names its classes under __main__.
    def find_class(self, module: str, name: str) -> object:
        return super().find_class(__name__ if module == "__main__" else module, name)


def fitting_set(name: str, refresh: bool = False) -> CaseSet:
    """One fitting set's cases: "squad2-train" or "own" (the project's own question set)."""
    if name == "own":
        return _cached("own", [Path("seeds"), OWN.parent / "docs"], OWN, refresh)
    squad = BENCHMARKS / name
    return _cached(name, [squad / "docs"], squad / "questions.jsonl", refresh)


def fitting_sets(refresh: bool = False) -> list[CaseSet]:
    """The fitting data: squad2-train and the project's own question set."""
    return [fitting_set("squad2-train", refresh), fitting_set("own", refresh)]


def measuring_set(name: str, refresh: bool = False) -> CaseSet:
    """A measuring set's cases, for reporting only: nothing is fitted or chosen on them."""
    folder = BENCHMARKS / name
    return _cached(name, [folder / "docs"], folder / "questions.jsonl", refresh)


if __name__ == "__main__":
    import torch

    torch.set_num_threads(2)
    for found in fitting_sets(refresh="--refresh" in sys.argv):
        print(found.name, len(found.cases), "cases")
    if "--measuring" in sys.argv:
        for name in ("squad2-dev", "squad2-dev-nearmiss", "multihop-rag-facts"):
            print(name, len(measuring_set(name).cases), "cases")
