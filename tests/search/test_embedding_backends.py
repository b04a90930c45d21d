"""The embedding backends: ONNX graphs exported here, the same vectors as torch, never mixed."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from rag.engine import REEMBEDDING, Engine
from rag.errors import ConfigError, EmbedderMismatchError
from rag.ingest.token_counts import TokenCounter
from rag.search.embeddings import build_embedding, model_path, tokenizer_of
from rag.search.onnx_embedding import OnnxEmbedding
from rag.search.onnx_export import ensure_graph
from tests.fixtures import NSCALE, NSCALE_SOURCE, SEEDS, make_settings

TEXTS = [
    NSCALE,
    "Nscale raised $1.1 billion in a Series B round.",
    (SEEDS / NSCALE_SOURCE).read_text(encoding="utf-8")[:1500],
    "x",
]


@pytest.fixture(scope="module")
def torch_model() -> Any:
    """The packaged model on torch (sentence-transformers), as every index was built before."""
    return build_embedding(make_settings(Path("unused"), embedding={"backend": "torch"}).embedding)


def vectors(model: Any, texts: list[str]) -> np.ndarray:
    return np.asarray(model.get_text_embedding_batch(texts), dtype=np.float32)


@pytest.mark.slow  # whole indexes from the seeds, or a model export: seconds each
def test_exported_graphs_embed_as_torch_does(tmp_path: Path, torch_model: Any) -> None:
    folder = model_path(make_settings(tmp_path).embedding)
    reference = vectors(torch_model, TEXTS)
    cosines = {}
    for backend in ("onnx", "onnx-int8"):
        graph = ensure_graph(folder, backend, tmp_path / "onnx")
        assert graph.name == f"{backend}.onnx"
        assert graph.parent.parent == tmp_path / "onnx"
        model = OnnxEmbedding(graph, folder, backend, threads=1, batch_size=2)
        found = vectors(model, TEXTS)
        assert found.shape == (4, 384)
        assert np.allclose(np.linalg.norm(found, axis=1), 1.0, atol=1e-5)
        cosines[backend] = (found * reference).sum(axis=1)
        # A text alone gets the vector it gets among others.
        alone = np.asarray(model.get_query_embedding(TEXTS[0]), dtype=np.float32)
        assert float(alone @ found[0]) >= 0.99999
        # A batch split over a single-thread session per core: the very same vectors.
        parallel = OnnxEmbedding(graph, folder, backend, threads=2, batch_size=4)
        assert np.array_equal(vectors(parallel, TEXTS), found)
    assert cosines["onnx"].min() >= 0.9999
    assert cosines["onnx-int8"].min() >= 0.98
    assert cosines["onnx-int8"].mean() >= 0.99
    # Both files of the model are exported at once; nothing half-written is left behind.
    assert sorted(p.name for p in graph.parent.iterdir()) == ["onnx-int8.onnx", "onnx.onnx"]


def test_an_unwritable_onnx_folder_is_named(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    settings = make_settings(tmp_path, embedding={"onnx_dir": blocker / "onnx"}).embedding
    with pytest.raises(ConfigError) as caught:
        build_embedding(settings)
    message = str(caught.value)
    assert message.startswith(f"Cannot write the ONNX embedding model to {blocker / 'onnx'}/")
    assert message.endswith(
        "Set RAG_EMBEDDING__ONNX_DIR to a writable folder, or RAG_EMBEDDING__BACKEND=torch."
    )


def test_the_onnx_tokenizer_counts_word_pieces_as_torchs(
    embed_model: Any, torch_model: Any
) -> None:
    text = (SEEDS / NSCALE_SOURCE).read_text(encoding="utf-8")
    onnx_counter = TokenCounter(tokenizer_of(embed_model))
    torch_counter = TokenCounter(tokenizer_of(torch_model))
    assert onnx_counter.per_word and torch_counter.per_word
    assert onnx_counter.count(text) == torch_counter.count(text)
    assert onnx_counter.count("Nscale raised $1.1 billion.") == 10


def test_the_index_records_what_embedded_it(seeded: Engine) -> None:
    assert seeded.settings.embedding.backend == "onnx"
    assert seeded.embedded_by() == ("all-MiniLM-L6-v2", "onnx")


def test_questions_to_an_index_embedded_otherwise_are_refused(
    seeded_copy: Path, torch_model: Any
) -> None:
    settings = make_settings(seeded_copy, embedding={"backend": "torch"})
    with Engine.open(settings, torch_model) as engine, pytest.raises(EmbedderMismatchError) as e:
        engine.ask(NSCALE)
    assert str(e.value) == (
        f"The index in {seeded_copy}/ was embedded by all-MiniLM-L6-v2 on onnx; this "
        "process embeds questions with all-MiniLM-L6-v2 on torch, whose vectors do not compare "
        "with those. Run `rag ingest` to embed the index again with torch, or set "
        "RAG_EMBEDDING__BACKEND=onnx."
    )
    assert e.value.exit_code == 2


def test_an_index_made_before_backends_were_recorded_was_embedded_by_torch(
    seeded_copy: Path, embed_model: Any, torch_model: Any
) -> None:
    # Its manifest has no table of embedders: every rag before them embedded with torch.
    with sqlite3.connect(seeded_copy / "manifest.sqlite") as db:
        db.execute("DROP TABLE embedders")
    with Engine.open(make_settings(seeded_copy), embed_model) as engine:
        assert engine.embedded_by() == ("all-MiniLM-L6-v2", "torch")
        with pytest.raises(EmbedderMismatchError, match=r"embedded by all-MiniLM-L6-v2 on torch;"):
            engine.ask(NSCALE)
    settings = make_settings(seeded_copy, embedding={"backend": "torch"})
    with Engine.open(settings, torch_model) as engine:
        assert engine.embedded_by() == ("all-MiniLM-L6-v2", "torch")
        assert engine.ask(NSCALE).citations[0].source == NSCALE_SOURCE


def test_a_collection_that_records_nothing_is_not_checked(
    seeded_copy: Path, embed_model: Any
) -> None:
    # A manifest rebuilt from the points cannot know; the next ingest records the backend.
    with sqlite3.connect(seeded_copy / "manifest.sqlite") as db:
        db.execute("DELETE FROM embedders")
    with Engine.open(make_settings(seeded_copy), embed_model) as engine:
        assert engine.embedded_by() is None
        assert engine.ask(NSCALE).citations[0].source == NSCALE_SOURCE
        assert engine.ingest([SEEDS]).chunks_embedded == 0
        assert engine.embedded_by() == ("all-MiniLM-L6-v2", "onnx")


def test_ingest_embeds_an_index_embedded_otherwise_again(
    seeded_copy: Path, torch_model: Any
) -> None:
    settings = make_settings(seeded_copy, embedding={"backend": "torch"})
    with Engine.open(settings, torch_model) as engine:
        chunks = engine.store.count()
        report = engine.ingest([SEEDS])
        assert report.chunks_reembedded == chunks
        assert report.chunks_embedded == chunks
        assert len(report.unchanged) == 5
        assert report.notes[0] == (
            "index",
            f"embedded all {chunks:,} chunks again with all-MiniLM-L6-v2 on torch (it was "
            "embedded by all-MiniLM-L6-v2 on onnx)",
        )
        assert engine.embedded_by() == ("all-MiniLM-L6-v2", "torch")
        nodes = engine.store.vector_store.get_nodes()
        assert len(nodes) == chunks
        stored = np.asarray([n.get_embedding() for n in nodes[:8]], dtype=np.float32)
        fresh = vectors(torch_model, [n.get_content() for n in nodes[:8]])
        assert (stored * fresh).sum(axis=1).min() >= 0.9999
        assert engine.ask(NSCALE).citations[0].source == NSCALE_SOURCE
        # Once is enough: the next ingest finds nothing to do.
        again = engine.ingest([SEEDS])
        assert (again.chunks_embedded, again.chunks_reembedded, again.notes) == (0, 0, [])


def test_an_interrupted_reembedding_is_refused_until_ingest_finishes_it(
    seeded_copy: Path, embed_model: Any
) -> None:
    with Engine.open(make_settings(seeded_copy), embed_model) as engine:
        engine.store.record_embedder("all-MiniLM-L6-v2", REEMBEDDING)
        with pytest.raises(EmbedderMismatchError) as e:
            engine.ask(NSCALE)
        assert str(e.value) == (
            f"The index in {seeded_copy}/ was being embedded again when its ingest stopped. "
            "Run `rag ingest` to finish it."
        )
        report = engine.ingest([SEEDS])
        assert report.chunks_reembedded == engine.store.count()
        assert engine.ask(NSCALE).citations[0].source == NSCALE_SOURCE
