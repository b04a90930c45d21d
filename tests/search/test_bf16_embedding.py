"""Chunks embedded in bfloat16: which CPUs do it, how near float32's vectors, and in an ingest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from llama_index.core.vector_stores.types import VectorStoreQuery

from rag.engine import Engine
from rag.evaluation.questions import load_questions
from rag.ingest.ingestor import BULK_MIN_BYTES
from rag.search.bf16_embedding import native_bf16
from rag.search.embeddings import build_bulk_embedding, ingest_precision
from tests.fixtures import SEEDS, make_settings

ROOT = Path(__file__).resolve().parents[2]
OWN_DOCS = [SEEDS, ROOT / "tests" / "eval" / "docs"]
OWN_QUESTIONS = ROOT / "tests" / "eval" / "questions.jsonl"


def test_native_bfloat16_is_read_from_the_cpu_flags() -> None:
    sapphire_rapids = "processor\t: 0\nflags\t\t: fpu avx2 avx512f amx_bf16 amx_tile amx_int8\n"
    zen4 = "processor\t: 0\nflags\t\t: fpu avx2 avx512f avx512_bf16\n"
    skylake = "processor\t: 0\nflags\t\t: fpu avx2 avx512f avx512_vnni\n"
    assert [native_bf16(text) for text in (sapphire_rapids, zen4, skylake)] == [True, True, False]
    assert native_bf16("processor\t: 0\nmodel name\t: no flags line\n") is False


def test_what_ingest_embeds_chunks_in_follows_the_settings(tmp_path: Path) -> None:
    def resolved(**embedding: str) -> str:
        return ingest_precision(make_settings(tmp_path, embedding=embedding).embedding)

    assert resolved(ingest_precision="float32") == "float32"
    assert resolved(ingest_precision="bfloat16") == "bfloat16"
    assert resolved(backend="torch", ingest_precision="bfloat16") == "bfloat16"
    # int8 is already faster than bfloat16, and its questions are int8 too.
    assert resolved(backend="onnx-int8", ingest_precision="bfloat16") == "int8"
    assert resolved() == ("bfloat16" if native_bf16() else "float32")
    float32 = make_settings(tmp_path, embedding={"ingest_precision": "float32"}).embedding
    assert build_bulk_embedding(float32) is None


@pytest.mark.slow  # loads torch and the model in bfloat16
def test_bfloat16_vectors_are_within_a_ten_thousandth_of_float32s(embed_model: Any) -> None:
    settings = make_settings(Path("unused"), embedding={"ingest_precision": "bfloat16"})
    bulk = build_bulk_embedding(settings.embedding)
    assert bulk is not None and type(bulk).__name__ == "Bfloat16Embedding"
    assert bulk.embed_batch_size == 32
    texts = [
        part.strip()
        for path in sorted(SEEDS.iterdir())
        for part in path.read_text(encoding="utf-8").split("\n\n")
        if part.strip()
    ]
    reference = np.asarray(embed_model.get_text_embedding_batch(texts), dtype=np.float32)
    found = np.asarray(bulk.get_text_embedding_batch(texts), dtype=np.float32)
    assert found.shape == (len(texts), 384)
    assert np.allclose(np.linalg.norm(found, axis=1), 1.0, atol=1e-5)
    assert float((found * reference).sum(axis=1).min()) >= 0.9999
    # A text alone (no padding) gets the vector it gets in a padded batch, to within bfloat16.
    alone = np.asarray(bulk.get_text_embedding(texts[-1]), dtype=np.float32)
    assert float(alone @ found[-1]) >= 0.9999


@pytest.mark.slow  # two indexes of the own set's documents
def test_an_ingest_in_bfloat16_ranks_as_one_in_float32(tmp_path: Path, embed_model: Any) -> None:
    found: dict[str, list[dict[str, float]]] = {}
    questions = [q.question for q in load_questions(OWN_QUESTIONS).questions]
    vectors = [embed_model.get_query_embedding(q) for q in questions]
    for precision in ("float32", "bfloat16"):
        settings = make_settings(
            tmp_path / precision / "index", embedding={"ingest_precision": precision}
        )
        # No model handed in: the engine loads its own, as `rag ingest` does.
        with Engine.open(settings) as engine:
            report = engine.ingest(OWN_DOCS)
            assert report.ok and report.chunks_embedded == 46
            assert report.bulk == ("bfloat16" if precision == "bfloat16" else "")
            found[precision] = []
            for vector in vectors:
                hits = engine.store.vector_store.query(
                    VectorStoreQuery(query_embedding=vector, similarity_top_k=46)
                )
                scores = zip(hits.ids or [], hits.similarities or [], strict=True)
                found[precision].append(dict(scores))
    assert len(found["float32"]) == 64
    for exact, rounded in zip(found["float32"], found["bfloat16"], strict=True):
        assert max(abs(exact[i] - rounded[i]) for i in exact) < 0.003
        # The same five passages; two may swap only where float32 all but ties them.
        assert set(list(rounded)[:5]) == set(list(exact)[:5])
        for k, (want, got) in enumerate(zip(list(exact)[:5], list(rounded)[:5], strict=True)):
            assert abs(exact[want] - exact[got]) < 0.003, k


@pytest.mark.slow  # an index of the seeds
def test_auto_embeds_a_small_ingest_in_float32(tmp_path: Path) -> None:
    # Loading torch takes longer than the seeds take to embed in float32.
    assert sum(p.stat().st_size for p in SEEDS.iterdir()) < BULK_MIN_BYTES
    settings = make_settings(tmp_path / "index", embedding={"ingest_precision": "auto"})
    with Engine.open(settings) as engine:
        report = engine.ingest([SEEDS])
    assert (report.ok, report.chunks_embedded, report.bulk) == (True, 45, "")


@pytest.mark.slow  # an index of 300 KB of articles
def test_auto_embeds_a_large_ingest_in_bfloat16_where_the_cpu_has_it(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    for copy in range(6):
        for path in sorted(SEEDS.iterdir()):
            (docs / f"{copy}-{path.name}").write_bytes(path.read_bytes())
    assert sum(p.stat().st_size for p in docs.iterdir()) >= BULK_MIN_BYTES
    settings = make_settings(tmp_path / "index", embedding={"ingest_precision": "auto"})
    with Engine.open(settings) as engine:
        report = engine.ingest([docs])
    assert (report.ok, report.chunks_embedded) == (True, 6 * 45)
    assert report.bulk == ("bfloat16" if native_bf16() else "")
