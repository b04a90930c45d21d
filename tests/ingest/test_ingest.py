"""Ingest into a real on-disk Qdrant: file types, offsets, stable ids, incremental updates."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from rag.engine import Engine
from rag.ingest.ingestor import chunk_id
from rag.search.embeddings import tokenizer_of
from tests.fixtures import SEEDS, make_settings
from tests.fixtures.documents import make_docx, make_pdf


def chunk_payloads(engine: Engine) -> dict[str, dict[str, Any]]:
    """Every chunk's payload by point id."""
    return {n.node_id: dict(n.metadata) for n in engine.store.vector_store.get_nodes()}


def make_corpus(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "a.txt").write_text(
        "Acme Compute raised $3 billion for a new campus.\nIt will open in 2027.\n",
        encoding="utf-8",
    )
    (folder / "b.md").write_text("# Cooling\n\nLiquid cooling cuts energy by 30%.\n", "utf-8")
    (folder / "c.html").write_text("<title>Grid</title><p>The grid needs 9 GW.</p>", "utf-8")
    make_pdf(folder / "d.pdf", ["Frostbyte raised $40 million for cryogenic racks."])
    make_docx(folder / "e.docx", "Fabs", ["A new fab will cost $20 billion."])
    return folder


def test_ingests_every_file_type_with_exact_offsets(engine: Engine, tmp_path: Path) -> None:
    folder = make_corpus(tmp_path / "docs")
    report = engine.ingest([folder])
    assert report.added == ["a.txt", "b.md", "c.html", "d.pdf", "e.docx"]
    assert report.failed == []
    payloads = chunk_payloads(engine)
    assert sorted({p["source"] for p in payloads.values()}) == report.added
    from rag.ingest.loaders import load_document

    for point_id, payload in payloads.items():
        text = load_document(Path(payload["path"])).text
        node_text = engine.store.vector_store.get_nodes([point_id])[0].get_content()
        assert text[payload["start"] : payload["end"]] == node_text
        assert point_id == chunk_id(payload["path"], payload["start"], node_text)


@pytest.mark.slow  # whole indexes from the seeds, or a model export: seconds each
def test_seeds_reingest_unchanged_embeds_nothing(engine: Engine, tmp_path: Path) -> None:
    folder = tmp_path / "seeds"
    shutil.copytree(SEEDS, folder)
    first = engine.ingest([folder])
    assert len(first.added) == 5 and first.chunks_embedded == engine.store.count()
    ids_before = set(chunk_payloads(engine))
    second = engine.ingest([folder])
    assert second.unchanged == sorted(p.name for p in folder.iterdir())
    assert (second.chunks_embedded, second.added, second.updated) == (0, [], [])
    assert set(chunk_payloads(engine)) == ids_before


def test_changed_file_is_replaced_and_removed_file_dropped(engine: Engine, tmp_path: Path) -> None:
    folder = make_corpus(tmp_path / "docs")
    engine.ingest([folder])
    before = chunk_payloads(engine)
    (folder / "a.txt").write_text("Acme Compute raised $5 billion instead.\n", encoding="utf-8")
    (folder / "b.md").unlink()
    report = engine.ingest([folder])
    assert report.updated == ["a.txt"]
    assert report.removed == ["b.md"]
    assert report.unchanged == ["c.html", "d.pdf", "e.docx"]
    assert report.chunks_embedded == 1
    after = chunk_payloads(engine)
    assert {p["source"] for p in after.values()} == {"a.txt", "c.html", "d.pdf", "e.docx"}
    a_texts = [
        engine.store.vector_store.get_nodes([i])[0].get_content()
        for i, p in after.items()
        if p["source"] == "a.txt"
    ]
    assert a_texts == ["Acme Compute raised $5 billion instead."]
    assert len(after) == len(before) - 1


def test_files_an_older_reader_read_are_read_again(engine: Engine, tmp_path: Path) -> None:
    folder = make_corpus(tmp_path / "docs")
    (folder / "f.txt").write_text(
        "Oracle signs $30 billion cloud deal\n\nBy Maria Lopez | July 2, 2026\n\nOracle said.\n",
        "utf-8",
    )
    engine.ingest([folder])
    # As an index written before this version of the readers holds them: the byline read as
    # the title, and no reader version recorded (an older manifest gains the column as 0).
    with sqlite3.connect(tmp_path / "index" / "manifest.sqlite") as db:
        db.execute(
            "UPDATE files SET reader = 0, title = 'By Maria Lopez | July 2, 2026' "
            "WHERE source = 'f.txt'"
        )
    report = engine.ingest([folder])
    assert (report.updated, report.chunks_embedded) == (["f.txt"], 1)
    assert report.unchanged == ["a.txt", "b.md", "c.html", "d.pdf", "e.docx"]
    assert [d.title for d in engine.documents() if d.source == "f.txt"] == [
        "Oracle signs $30 billion cloud deal"
    ]
    again = engine.ingest([folder])
    assert (again.updated, again.chunks_embedded) == ([], 0)


def test_bad_files_are_reported_and_the_rest_ingested(engine: Engine, tmp_path: Path) -> None:
    folder = make_corpus(tmp_path / "docs")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 garbage")
    (folder / "latin1.txt").write_bytes("Caf\u00e9".encode("latin-1"))
    (folder / "notes.csv").write_text("ignored,file\n", encoding="utf-8")
    report = engine.ingest([folder])
    assert report.added == ["a.txt", "b.md", "c.html", "d.pdf", "e.docx"]
    assert [name for name, _ in report.failed] == ["broken.pdf", "latin1.txt"]
    assert report.failed[1][1] == (
        "not valid UTF-8 (byte 0xe9 at offset 3); save it as UTF-8 and ingest again"
    )
    assert not report.ok


def test_missing_path_and_unsupported_file_fail_by_name(engine: Engine, tmp_path: Path) -> None:
    (tmp_path / "data.csv").write_text("a,b\n", encoding="utf-8")
    report = engine.ingest([tmp_path / "nope", tmp_path / "data.csv"])
    assert report.failed == [
        (str(tmp_path / "nope"), "no such file or folder"),
        (
            "data.csv",
            "unsupported file type .csv; use one of .docx, .htm, .html, .markdown, .md, .pdf, .txt",
        ),
    ]


@pytest.mark.slow  # whole indexes from the seeds, or a model export: seconds each
def test_interrupted_ingest_converges_without_duplicates(
    engine: Engine, tmp_path: Path, embed_model: Any
) -> None:
    folder = tmp_path / "seeds"
    shutil.copytree(SEEDS, folder)
    engine.ingest([folder])
    complete = chunk_payloads(engine)
    # Simulate a crash half-way through the third file: only some of its chunks were written.
    third = sorted(i for i, p in complete.items() if p["source"] == "003_4a67818d2f694273.txt")
    engine.store.delete_ids(third[: len(third) // 2])
    later = [i for i, p in complete.items() if p["source"] == "004_f7653a61b53defd5.txt"]
    engine.store.delete_ids(later)
    # A stale chunk of an older version of the file, as a crash between upsert and delete leaves.
    stale = engine.store.vector_store.get_nodes([third[-1]])[0]
    stale.id_ = chunk_id(stale.metadata["path"], 999_999, "old text")
    stale.embedding = embed_model.get_text_embedding("old text")
    engine.store.add([stale])
    report = engine.ingest([folder])
    assert report.updated == ["003_4a67818d2f694273.txt"]
    assert report.added == ["004_f7653a61b53defd5.txt"]
    assert set(chunk_payloads(engine)) == set(complete)


@pytest.mark.slow  # whole indexes from the seeds, or a model export: seconds each
def test_ids_are_the_same_in_two_fresh_indexes(tmp_path: Path, embed_model: Any) -> None:
    ids = []
    for name in ("one", "two"):
        with Engine.open(make_settings(tmp_path / name), embed_model) as eng:
            eng.ingest([SEEDS])
            ids.append(set(chunk_payloads(eng)))
    assert ids[0] == ids[1]


@pytest.mark.slow  # whole indexes from the seeds, or a model export: seconds each
def test_chunk_size_setting_changes_chunking(tmp_path: Path, embed_model: Any) -> None:
    counts = []
    for size in (120, 240):
        settings = make_settings(tmp_path / f"i{size}", chunk={"size": size, "overlap": 16})
        with Engine.open(settings, embed_model) as eng:
            eng.ingest([SEEDS / "003_4a67818d2f694273.txt"])
            counts.append(eng.store.count())
            tokenizer = tokenizer_of(embed_model)
            for point_id in chunk_payloads(eng):
                text = eng.store.vector_store.get_nodes([point_id])[0].get_content()
                assert len(tokenizer.encode(text, add_special_tokens=False)) <= size
    assert counts[0] > counts[1]


def index_contents(engine: Engine, folder: Path) -> list[dict[str, Any]]:
    """Every point as plain data, the folder's path and the files' hashes written as names."""
    import qdrant_edge as qe

    from rag.search.embedded import EmbeddedStore

    assert isinstance(engine.store, EmbeddedStore)
    shard = engine.store.shard
    assert shard is not None
    records, offset = shard.scroll(
        qe.ScrollRequest(limit=10_000, with_payload=True, with_vector=True)
    )
    assert offset is None
    points = []
    for record in records:
        payload = dict(record.payload or {})
        source = payload["source"]
        sha = hashlib.sha256((folder / source).read_bytes()).hexdigest()
        assert payload["file_sha256"] == sha  # a PDF's or DOCX's bytes differ from run to run
        # The id hashes the file's path, which is the test's own folder: checked on its own.
        flat = json.dumps(payload, sort_keys=True).replace(str(record.id), "<id>")
        flat = flat.replace(str(folder), "<docs>")
        vectors = record.vector
        assert isinstance(vectors, dict)
        sparse = vectors["text-sparse-new"]
        assert isinstance(sparse, qe.SparseVector)
        points.append(
            {
                "id": str(record.id),
                "source": source,
                "start": payload["start"],
                "end": payload["end"],
                "payload": flat.replace(sha, f"<sha of {source}>"),
                "sparse": [list(sparse.indices), list(sparse.values)],
                "dense": vectors["text-dense"],
            }
        )
    return sorted(points, key=lambda p: (p["source"], p["start"]))


@pytest.mark.slow  # whole indexes from the seeds, or a model export: seconds each
def test_index_contents_are_pinned(engine: Engine, tmp_path: Path, embed_model: Any) -> None:
    """The chunks, ids, payloads and sparse vectors ingest writes: speed-ups must not move them."""
    folder = make_corpus(tmp_path / "docs")
    for seed in ("001_a3f1d0892a604dd0.txt", "004_f7653a61b53defd5.txt"):
        shutil.copy(SEEDS / seed, folder / seed)
    engine.ingest([folder])
    points = index_contents(engine, folder)
    assert [(p["source"], p["start"], p["end"]) for p in points] == PINNED_SPANS
    for p in points:
        text = json.loads(json.loads(p["payload"])["_node_content"])["text"]
        assert p["id"] == chunk_id(str(folder / p["source"]), p["start"], text)
        # The vector the model gives the text alone (one text per run in ONNX Runtime).
        assert p["dense"] == pytest.approx(embed_model.get_text_embedding(text), abs=1e-6)
    payloads = hashlib.sha256(json.dumps([p["payload"] for p in points]).encode()).hexdigest()
    sparse = hashlib.sha256(json.dumps([p["sparse"] for p in points]).encode()).hexdigest()
    assert (payloads, sparse) == (PINNED_PAYLOADS, PINNED_SPARSE)


# What ingest wrote before its speed-ups (issue 25): file, start and end of every chunk; and
# digests of every payload (the test's folder, the point id and the file hashes written as names)
# and of every BM25 vector.
PINNED_SPANS = [
    ("001_a3f1d0892a604dd0.txt", 0, 1147),
    ("001_a3f1d0892a604dd0.txt", 1148, 2168),
    ("001_a3f1d0892a604dd0.txt", 2045, 3132),
    ("001_a3f1d0892a604dd0.txt", 3133, 4345),
    ("001_a3f1d0892a604dd0.txt", 4346, 5478),
    ("001_a3f1d0892a604dd0.txt", 5317, 6594),
    ("001_a3f1d0892a604dd0.txt", 6471, 7213),
    ("004_f7653a61b53defd5.txt", 0, 1230),
    ("004_f7653a61b53defd5.txt", 1231, 2344),
    ("004_f7653a61b53defd5.txt", 2200, 3266),
    ("004_f7653a61b53defd5.txt", 3267, 4355),
    ("004_f7653a61b53defd5.txt", 4356, 5627),
    ("004_f7653a61b53defd5.txt", 5461, 6616),
    ("004_f7653a61b53defd5.txt", 6458, 7661),
    ("004_f7653a61b53defd5.txt", 7662, 8249),
    ("a.txt", 0, 70),
    ("b.md", 0, 45),
    ("c.html", 0, 20),
    ("d.pdf", 0, 49),
    ("e.docx", 0, 37),
]
# Each payload records the reader's version: re-pinned when it went to 2, 3 and 4 (the texts,
# spans and sparse vectors unchanged; at 4 the .docx's Title became its first section too).
PINNED_PAYLOADS = "b73477b0c36d4216ad1eac1cac00253ebc62fc7bfc81570549f7a4a7a1f2db83"
PINNED_SPARSE = "e4cf5913fed8b9aa275a060a357700c11237fb8f25a0134cd7cf223708d04eb7"
