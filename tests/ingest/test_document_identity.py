"""One name, one document: no path that adds a document can take another's name, and removal
takes out exactly the document meant."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import rag.ingest.ingestor as ingestor
from rag.engine import Engine
from rag.errors import DocumentConflictError
from rag.service import add_uploads, remove_document
from tests.fixtures import SEEDS, make_settings

SEED = "000_b421b52a77080e52.txt"
SEED_TITLE = (
    "AI infrastructure growth is accelerating in 2026 as Anthropic nears a major Wall "
    "Street-backed venture"
)
TAKEN = (
    f"the document {SEED_TITLE!r} from the folder 'seeds' already has this name; rename the "
    "file, or remove that document first"
)


@pytest.fixture
def seeded_engine(seeded_copy: Path, embed_model: Any) -> Iterator[Engine]:
    with Engine.open(make_settings(seeded_copy), embed_model) as engine:
        yield engine


def chunks_of(engine: Engine) -> dict[str, list[int]]:
    """Each name's chunk counts, one per indexed file of that name."""
    found: dict[str, list[int]] = {}
    for source, _, chunks in engine.status().articles:
        found.setdefault(source, []).append(chunks)
    return found


def test_an_upload_cannot_take_an_indexed_documents_name(
    tmp_path: Path, seeded_engine: Engine
) -> None:
    before = chunks_of(seeded_engine)
    shadow = tmp_path / "shadow.txt"
    shadow.write_text("Shadow text claiming to be the seed article.\n", encoding="utf-8")
    uploads = tmp_path / "uploads"
    [result] = add_uploads(seeded_engine, [(shadow, SEED)], uploads, 1_000_000)
    assert (result.name, result.status, result.reason) == (SEED, "failed", f"{SEED}: {TAKEN}")
    assert isinstance(result.error, DocumentConflictError)
    assert result.error.existing == (str(SEEDS / SEED),)
    assert chunks_of(seeded_engine) == before
    # The refused file is not kept: nothing is left to come back with a later ingest.
    assert sorted(p.name for p in uploads.iterdir()) == []


def test_an_upload_may_replace_its_own_earlier_version(
    tmp_path: Path, seeded_engine: Engine
) -> None:
    uploads = tmp_path / "uploads"
    first, second = tmp_path / "v1.txt", tmp_path / "v2.txt"
    first.write_text("Helion signed a fusion power deal.\n", encoding="utf-8")
    second.write_text("Helion signed a second fusion power deal.\n", encoding="utf-8")
    assert [
        r.status for r in add_uploads(seeded_engine, [(first, "memo.txt")], uploads, 10**6)
    ] == ["added"]
    assert [
        r.status for r in add_uploads(seeded_engine, [(second, "memo.txt")], uploads, 10**6)
    ] == ["updated"]
    assert chunks_of(seeded_engine)["memo.txt"] == [1]
    assert (uploads / "memo.txt").read_text(encoding="utf-8") == second.read_text(encoding="utf-8")


def test_a_folder_ingest_cannot_take_an_indexed_documents_name(
    tmp_path: Path, seeded_engine: Engine
) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / SEED).write_text("Another file of the seed's name.\n", encoding="utf-8")
    (folder / "own.txt").write_text("A file of a name of its own.\n", encoding="utf-8")
    report = seeded_engine.ingest([folder])
    assert report.added == ["own.txt"]
    assert report.failed == [(SEED, TAKEN)]
    assert report.conflicts == [(SEED, str(SEEDS / SEED))]
    # A single file named on the command line is held to the same rule.
    single = seeded_engine.ingest([folder / SEED])
    assert (single.added, single.failed) == ([], [(SEED, TAKEN)])
    assert chunks_of(seeded_engine)[SEED] == [5]


def test_two_files_of_one_name_in_one_run_the_first_keeps_it(
    tmp_path: Path, embed_model: Any
) -> None:
    root = tmp_path / "docs"
    for folder in ("a", "b"):
        (root / folder).mkdir(parents=True)
        (root / folder / "notes.txt").write_text(f"Notes kept in folder {folder}.\n", "utf-8")
    with Engine.open(make_settings(tmp_path / "index"), embed_model) as engine:
        report = engine.ingest([root])
        assert report.added == ["notes.txt"]
        assert report.failed == [
            (
                "notes.txt",
                "a file from the folder 'a' already has this name; rename the file, or remove "
                "that document first",
            )
        ]
        assert [f.path for f in engine.files_named("notes.txt")] == [str(root / "a" / "notes.txt")]


def test_a_file_moved_within_its_folder_keeps_its_name(tmp_path: Path, embed_model: Any) -> None:
    root = tmp_path / "docs"
    root.mkdir()
    (root / "notes.txt").write_text("Notes that will move to a sub-folder.\n", encoding="utf-8")
    with Engine.open(make_settings(tmp_path / "index"), embed_model) as engine:
        engine.ingest([root])
        (root / "old").mkdir()
        shutil.move(root / "notes.txt", root / "old" / "notes.txt")
        report = engine.ingest([root])
        assert (report.added, report.removed, report.failed) == (["notes.txt"], ["notes.txt"], [])
        assert [f.path for f in engine.files_named("notes.txt")] == [
            str(root / "old" / "notes.txt")
        ]


@pytest.fixture
def shadowed(
    tmp_path: Path, seeded_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> tuple[Engine, Path]:
    """The issue's index: an upload shadowing a seed, made as an older rag let it be made."""
    uploads = tmp_path / "uploads"
    shadow = tmp_path / "shadow.txt"
    shadow.write_text("Shadow text claiming to be the seed article.\n", encoding="utf-8")
    with monkeypatch.context() as older:
        older.setattr(ingestor, "_own_names", lambda targets, *rest: targets)
        [result] = add_uploads(seeded_engine, [(shadow, SEED)], uploads, 1_000_000)
    assert result.status == "added"
    assert chunks_of(seeded_engine)[SEED] == [5, 1]
    return seeded_engine, uploads


def test_a_name_two_documents_share_removes_neither(shadowed: tuple[Engine, Path]) -> None:
    engine, uploads = shadowed
    with pytest.raises(DocumentConflictError) as caught:
        remove_document(engine, SEED, uploads)
    paths = sorted([str(SEEDS / SEED), str((uploads / SEED).resolve())])
    assert str(caught.value) == (
        f"2 documents are named {SEED!r} ({paths[0]}, {paths[1]}); nothing was removed. "
        "Remove one by its path."
    )
    assert caught.value.existing == tuple(paths)
    assert chunks_of(engine)[SEED] == [5, 1]
    assert (uploads / SEED).is_file()


def test_removal_by_path_takes_exactly_that_documents_chunks(
    shadowed: tuple[Engine, Path],
) -> None:
    engine, uploads = shadowed
    removed, deleted = remove_document(engine, SEED, uploads, path=uploads / SEED)
    assert (removed.chunks, removed.paths, deleted) == (1, [str((uploads / SEED).resolve())], True)
    assert chunks_of(engine)[SEED] == [5]
    assert not (uploads / SEED).exists()
    assert (SEEDS / SEED).is_file()
    # With one document of the name left, the name alone says which.
    removed = engine.remove(SEED)
    assert (removed.chunks, removed.paths) == (5, [str(SEEDS / SEED)])
    assert SEED not in chunks_of(engine)
    assert (SEEDS / SEED).is_file()
