"""The embedded Edge index: hybrid queries, filters, deletes, errors, manifest, conversion."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import qdrant_edge as qe
from llama_index.core.vector_stores.types import (
    FilterOperator,
    MetadataFilter,
    MetadataFilters,
    VectorStoreQuery,
    VectorStoreQueryMode,
)
from qdrant_client import QdrantClient

from rag.config import ChunkSettings, QdrantSettings
from rag.engine import Engine
from rag.errors import IndexLockedError, StoreUnavailableError
from rag.ingest.ingestor import Ingestor
from rag.search.edge_store import edge_errors, full_message, lock_message, translate
from rag.search.embedded import EmbeddedStore
from rag.search.store import Store
from tests.fixtures import NSCALE, NSCALE_SOURCE, SEEDS, make_settings


def ids_of(engine: Engine) -> set[str]:
    return {n.node_id for n in engine.store.vector_store.get_nodes()}


def test_hybrid_query_with_and_without_a_source_filter(seeded: Engine, embed_model: Any) -> None:
    embedding = embed_model.get_query_embedding(NSCALE)
    store = seeded.store.vector_store
    hybrid = VectorStoreQuery(
        query_embedding=embedding,
        query_str=NSCALE,
        similarity_top_k=5,
        sparse_top_k=20,
        mode=VectorStoreQueryMode.HYBRID,
    )
    found = store.query(hybrid)
    assert len(found.ids or []) == 5
    assert found.nodes is not None and found.nodes[0].metadata["source"] == NSCALE_SOURCE
    other = "000_b421b52a77080e52.txt"
    only = MetadataFilters(filters=[MetadataFilter(key="source", value=other)])
    hybrid.filters = only
    filtered = store.query(hybrid)
    assert filtered.nodes is not None and len(filtered.nodes) == 5
    assert {n.metadata["source"] for n in filtered.nodes} == {other}
    # Dense only: the exact cosine ranking over every stored embedding.
    dense = store.query(VectorStoreQuery(query_embedding=embedding, similarity_top_k=3))
    every = store.get_nodes()
    q = np.array(embedding)
    cosine = {
        n.node_id: float(q @ np.array(n.embedding) / np.linalg.norm(n.embedding)) for n in every
    }
    assert dense.ids == sorted(cosine, key=lambda i: -cosine[i])[:3]
    sparse = store.query(
        VectorStoreQuery(query_str="Nscale", sparse_top_k=2, mode=VectorStoreQueryMode.SPARSE)
    )
    # BM25 only scores chunks that have the term.
    assert sparse.nodes is not None and len(sparse.nodes) == 2
    assert all("Nscale" in n.get_content() for n in sparse.nodes)
    hybrid.filters = MetadataFilters(
        filters=[MetadataFilter(key="source", value=[NSCALE_SOURCE], operator=FilterOperator.NIN)]
    )
    assert NSCALE_SOURCE not in {n.metadata["source"] for n in store.query(hybrid).nodes or []}


def test_hybrid_is_qdrants_rrf_of_the_two_prefetches(seeded: Engine, embed_model: Any) -> None:
    embedding = embed_model.get_query_embedding(NSCALE)
    store = seeded.store.vector_store

    def ranked(mode: VectorStoreQueryMode) -> list[str]:
        query = VectorStoreQuery(
            query_embedding=embedding,
            query_str=NSCALE,
            similarity_top_k=20,
            sparse_top_k=20,
            mode=mode,
        )
        return list(store.query(query).ids or [])

    fused: dict[str, float] = {}
    for ids in (ranked(VectorStoreQueryMode.DEFAULT), ranked(VectorStoreQueryMode.SPARSE)):
        for rank, point in enumerate(ids):
            fused[point] = fused.get(point, 0.0) + 1 / (2 + rank)  # Qdrant's RRF, k = 2
    passages = seeded.retriever.retrieve(NSCALE, embedding, 5)
    # Equal sums keep the dense list's order, as qdrant-client's fusion does (a stable sort).
    expected = sorted(fused, key=lambda i: -fused[i])[:5]
    assert [p.chunk_id for p in passages] == expected
    assert [p.score for p in passages] == pytest.approx([fused[i] for i in expected], abs=3e-6)


def test_equal_rrf_sums_keep_the_dense_order(seeded: Engine, embed_model: Any) -> None:
    # The eval question whose top two tie (dense ranks 1, 2 and sparse ranks 2, 1).
    question = "What did Amazon pay for the George Washington University campus?"
    embedding = embed_model.get_query_embedding(question)
    dense = seeded.store.vector_store.query(
        VectorStoreQuery(query_embedding=embedding, similarity_top_k=2)
    ).ids
    passages = seeded.retriever.retrieve(question, embedding, 2)
    assert passages[0].score == pytest.approx(passages[1].score, abs=3e-6)
    assert [p.chunk_id for p in passages] == dense


@pytest.mark.slow  # whole indexes from the seeds, or a model export: seconds each
def test_delete_by_ids_and_by_filter(engine: Engine) -> None:
    engine.ingest([SEEDS])
    ids = sorted(ids_of(engine))
    assert engine.store.count() == len(ids) == 45
    engine.store.delete_ids(ids[:3])
    assert engine.store.count() == 42
    assert ids_of(engine) == set(ids[3:])
    nscale = MetadataFilters(filters=[MetadataFilter(key="source", value=NSCALE_SOURCE)])
    left = len(engine.store.vector_store.get_nodes(filters=nscale))
    engine.store.vector_store.delete_nodes(filters=nscale)
    assert engine.store.vector_store.get_nodes(filters=nscale) == []
    assert engine.store.count() == 42 - left


def test_second_opener_gets_the_lock_message(seeded_copy: Path) -> None:
    settings = QdrantSettings(path=seeded_copy)
    first = EmbeddedStore(settings)
    try:
        with pytest.raises(IndexLockedError) as caught:
            EmbeddedStore(settings)
        assert str(caught.value) == lock_message(seeded_copy)
        # Edge's own lock (its WAL) says WouldBlock; the table turns it into the same message.
        with pytest.raises(IndexLockedError) as edge_caught, edge_errors(seeded_copy):
            qe.EdgeShard.load(str(first.shard_path))
        assert str(edge_caught.value) == lock_message(seeded_copy)
        assert "Kind(WouldBlock)" in str(edge_caught.value.__cause__)
    finally:
        first.close()
    EmbeddedStore(settings).close()  # released on close


def test_error_table(tmp_path: Path) -> None:
    full = translate(
        Exception("Service internal error: No space left on device (os error 28)"), tmp_path
    )
    assert isinstance(full, StoreUnavailableError)
    assert str(full) == full_message(tmp_path, "No space left on device")
    assert str(full).startswith(f"Cannot write to the index in {tmp_path}/ (No space left")
    other = translate(Exception("Vector dimension error: expected dim: 384, got 768"), tmp_path)
    assert isinstance(other, StoreUnavailableError)
    assert str(other) == (
        f"The index in {tmp_path}/ was built with another embedding model (Vector dimension "
        "error: expected dim: 384, got 768). Point RAG_QDRANT__PATH to a new folder, or delete "
        "this one and run `rag ingest` again."
    )
    assert translate(Exception("something new"), tmp_path) is None


class _NoPoints:
    """Stands in for the shard: any use of it fails the test."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"the shard was used: {name}")


def test_files_come_from_the_manifest_not_the_points(seeded_copy: Path) -> None:
    store = EmbeddedStore(QdrantSettings(path=seeded_copy))
    try:
        shard = store.vector_store._shard
        store.vector_store._shard = _NoPoints()  # type: ignore[assignment]
        files = store.files()
        assert sorted(f.source for f in files.values()) == sorted(p.name for p in SEEDS.iterdir())
        assert sum(len(f.ids) for f in files.values()) == 45
        assert all(f.complete and f.size > 0 and f.mtime_ns > 0 for f in files.values())
        assert store.sources() == {p.name for p in SEEDS.iterdir()}
        store.vector_store._shard = shard
    finally:
        store.close()
    assert (seeded_copy / "manifest.sqlite").is_file()


def test_lost_manifest_is_rebuilt_from_the_points(seeded_copy: Path, embed_model: Any) -> None:
    with Engine.open(make_settings(seeded_copy), embed_model) as engine:
        before = engine.store.files()
    (seeded_copy / "manifest.sqlite").unlink()
    with Engine.open(make_settings(seeded_copy), embed_model) as engine:
        after = engine.store.files()
        # Size and mtime are not in the payloads: the first re-ingest reads each file once.
        assert {p: (f.sha256, f.chunk_count, f.ids) for p, f in after.items()} == {
            p: (f.sha256, f.chunk_count, f.ids) for p, f in before.items()
        }
        report = engine.ingest([SEEDS])
        assert report.unchanged == sorted(f.source for f in before.values())
        assert report.chunks_embedded == 0


@pytest.mark.slow  # whole indexes from the seeds, or a model export: seconds each
def test_write_interrupted_after_begin_converges(
    engine: Engine, tmp_path: Path, embed_model: Any
) -> None:
    folder = tmp_path / "seeds"
    shutil.copytree(SEEDS, folder)
    engine.ingest([folder])
    clean = ids_of(engine)
    # A run that recorded a new version as pending and wrote some of its points, then died.
    entry = next(f for f in engine.store.files().values() if f.source == NSCALE_SOURCE)
    ghost = engine.store.vector_store.get_nodes([sorted(entry.ids)[0]])[0]
    ghost.id_ = "00000000-0000-4000-8000-000000000001"
    engine.store.begin([replace(entry, ids=frozenset({ghost.id_}))])
    engine.store.add([ghost])
    assert engine.store.files()[entry.path].complete is False
    report = engine.ingest([folder])
    assert report.updated == [NSCALE_SOURCE]
    assert ids_of(engine) == clean
    assert engine.store.files()[entry.path].complete


@pytest.mark.slow  # whole indexes from the seeds, or a model export: seconds each
def test_local_mode_index_is_converted_on_first_open(tmp_path: Path, embed_model: Any) -> None:
    index = tmp_path / "index"
    # The index as the previous version wrote it: qdrant-client's local mode.
    client = QdrantClient(path=str(index))
    old = Store(client, "articles", str(index))
    report = Ingestor(old, lambda: embed_model, ChunkSettings()).run([SEEDS])
    assert len(report.added) == 5
    old_files = old.files()
    old_ids = {p.id for p in client.scroll("articles", limit=1000)[0]}
    client.close()
    assert (index / "meta.json").is_file()
    with Engine.open(make_settings(index), embed_model) as engine:
        assert engine.store.count() == 45
        assert ids_of(engine) == {str(i) for i in old_ids}
        assert {p: (f.sha256, f.chunk_count, f.ids) for p, f in engine.store.files().items()} == {
            p: (f.sha256, f.chunk_count, f.ids) for p, f in old_files.items()
        }
        assert "$14.6 billion" in engine.ask(NSCALE).text
        assert engine.ingest([SEEDS]).chunks_embedded == 0
    assert not (index / "meta.json").exists()
    assert (index / "local-mode-backup" / "meta.json").is_file()
    with Engine.open(make_settings(index), embed_model) as engine:
        assert engine.store.count() == 45


def test_read_only_local_mode_index_is_refused_with_the_command(
    tmp_path: Path, embed_model: Any
) -> None:
    index = tmp_path / "index"
    client = QdrantClient(path=str(index))
    Ingestor(Store(client, "articles", str(index)), lambda: embed_model, ChunkSettings()).run(
        [SEEDS / NSCALE_SOURCE]
    )
    client.close()
    store = EmbeddedStore.__new__(EmbeddedStore)
    store.root = store.folder = index
    store.collection = "articles"
    store.read_only = "Read-only file system"
    from rag.search.migrate import migrate_local_mode

    with pytest.raises(StoreUnavailableError) as caught:
        migrate_local_mode(store)
    assert str(caught.value) == (
        f"The index in {index}/ was made by an older rag and must be converted, which needs "
        f"write access (Read-only file system). Make it writable, or rebuild it: mv {index} "
        f"{index}.old && RAG_QDRANT__PATH={index} rag ingest <your folders>"
    )


@pytest.mark.slow  # whole indexes from the seeds, or a model export: seconds each
def test_a_shard_of_the_earlier_layout_opens_answers_and_takes_todays(
    tmp_path: Path, embed_model: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import rag.search.embedded as embedded

    def earlier(dim: int) -> qe.EdgeConfig:
        # The layout before int8 quantization and a mapped BM25 index.
        cold = qe.Memory.Cold
        return qe.EdgeConfig(
            vectors={
                "text-dense": qe.EdgeVectorParams(
                    size=dim, distance=qe.Distance.Cosine, memory=cold
                )
            },
            sparse_vectors={"text-sparse-new": qe.EdgeSparseVectorParams(modifier=qe.Modifier.Idf)},
        )

    with monkeypatch.context() as patch:
        patch.setattr(embedded, "shard_config", earlier)
        patch.setattr(embedded, "layout_update", lambda: None)
        with Engine.open(make_settings(tmp_path), embed_model) as engine:
            engine.ingest([SEEDS])
            engine.optimize()
            question = "What is the capital of France?"
            before = [p.chunk_id for p in engine.ask(question).retrieved]
    config = tmp_path / "edge" / "articles" / "edge_config.json"
    assert "quantization_config" not in json.loads(config.read_text())
    with Engine.open(make_settings(tmp_path), embed_model) as engine:
        assert [p.chunk_id for p in engine.ask(question).retrieved] == before
        engine.optimize()
        assert [p.chunk_id for p in engine.ask(question).retrieved] == before
    saved = json.loads(config.read_text())
    assert saved["quantization_config"]["scalar"]["type"] == "int8"
    assert saved["sparse_vectors"]["text-sparse-new"]["memory"] == "cold"


@pytest.mark.slow  # two indexes built: seconds
def test_equal_scores_come_in_article_order_whatever_order_they_were_ingested_in(
    tmp_path: Path, embed_model: Any
) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    same = "Polar Ventures backed the Nimbus data centre in Oslo with $12 million in June."
    for name in ("a.txt", "b.txt", "c.txt"):
        (docs / name).write_text(same, encoding="utf-8")
    (docs / "d.txt").write_text("Frostbyte sells cryogenic racks to Polar.", encoding="utf-8")
    question = "Who backed Nimbus?"
    embedding = embed_model.get_query_embedding(question)
    found = []
    for order in (["a.txt", "b.txt", "c.txt", "d.txt"], ["d.txt", "c.txt", "b.txt", "a.txt"]):
        with Engine.open(make_settings(tmp_path / f"index-{order[0]}"), embed_model) as engine:
            for name in order:  # one write each: Edge places the points in this order
                engine.ingest([docs / name])
            store = engine.store.vector_store
            sparse = store.query(
                VectorStoreQuery(
                    query_str=question, sparse_top_k=2, mode=VectorStoreQueryMode.SPARSE
                )
            )
            dense = store.query(VectorStoreQuery(query_embedding=embedding, similarity_top_k=2))
            hybrid = engine.retriever.retrieve(question, embedding, 3)
            found.append(
                (
                    [n.metadata["source"] for n in sparse.nodes or []],
                    [n.metadata["source"] for n in dense.nodes or []],
                    [p.source for p in hybrid],
                )
            )
    # The three copies tie in both lists; the cut at two keeps the first two by article.
    assert found == [(["a.txt", "b.txt"], ["a.txt", "b.txt"], ["a.txt", "b.txt", "c.txt"])] * 2
