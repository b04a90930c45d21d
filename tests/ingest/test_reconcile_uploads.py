"""Start-up brings the uploads folder in line with the index, and says so in one line."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from rag.engine import Engine
from rag.ingest.uploads import Reconciled
from rag.search.files import IndexedFile
from rag.service import add_uploads, reconcile_engine_uploads
from tests.fixtures import make_settings
from tests.fixtures.hostile import zip_bomb_docx


def test_start_up_cleans_what_interrupted_uploads_left(tmp_path: Path, embed_model: Any) -> None:
    uploads = tmp_path / "uploads"
    sent = tmp_path / "sent.txt"
    sent.write_text("Helion signed a fusion power deal with a utility.\n", encoding="utf-8")
    with Engine.open(make_settings(tmp_path / "index"), embed_model) as engine:
        assert [r.status for r in add_uploads(engine, [(sent, "kept.txt")], uploads, 10**6)] == [
            "added"
        ]
        assert [r.status for r in add_uploads(engine, [(sent, "moved.txt")], uploads, 10**6)] == [
            "added"
        ]
        # Killed after moved.txt was set aside for a new version, before that was ingested.
        (uploads / "moved.txt").replace(uploads / ".moved.txt.previous")
        (uploads / "moved.txt").write_text("A newer version never indexed.\n", encoding="utf-8")
        # Killed mid-copy, and after a set-aside whose new file the index then took.
        (uploads / ".copying.pdf.partial").write_bytes(b"%PDF-1.4 half")
        (uploads / ".kept.txt.previous").write_text("An old version.\n", encoding="utf-8")
        # Saved, never ingested (the zip bomb among them), or put there by hand.
        zip_bomb_docx(uploads / "bomb.docx", unpacked_mb=60)
        (uploads / "never.md").write_text("# Never ingested\n", encoding="utf-8")
        # Killed while its chunks were being written: recorded as pending, never completed.
        (uploads / "half.txt").write_text("Half of an ingest.\n", encoding="utf-8")
        pending = IndexedFile(
            path=str((uploads / "half.txt").resolve()),
            root="",
            source="half.txt",
            title="Half",
            sha256="0" * 64,
            chunk_count=2,
            ids=frozenset({str(uuid.uuid5(uuid.NAMESPACE_URL, "half"))}),
        )
        engine.store.begin([pending])
        # Not ours to judge: a file still queued, another collection's folder, other files.
        (uploads / "queued.txt").write_text("Waiting in the ingest queue.\n", encoding="utf-8")
        (uploads / "finance").mkdir()
        (uploads / "finance" / "q3.txt").write_text("Another collection's.\n", encoding="utf-8")
        (uploads / "README").write_text("Notes of the operator.\n", encoding="utf-8")

        report = reconcile_engine_uploads(engine, uploads, keep=[uploads / "queued.txt"])

        assert report.line() == (
            f"Uploads in {uploads}: 2 leftovers of an interrupted upload deleted "
            "(.copying.pdf.partial, .kept.txt.previous); 1 earlier version put back, as the "
            "index holds it (moved.txt); 2 files not in the index moved to .unindexed/ "
            "(bomb.docx, never.md); 1 half-indexed file taken out of the index and moved to "
            ".unindexed/ (half.txt)."
        )
        assert sorted(p.name for p in uploads.iterdir()) == [
            ".unindexed",
            "README",
            "finance",
            "kept.txt",
            "moved.txt",
            "queued.txt",
        ]
        assert (uploads / "moved.txt").read_text(encoding="utf-8") == sent.read_text("utf-8")
        # Set aside, not lost: the operator may have put a file there on purpose.
        assert sorted(p.name for p in (uploads / ".unindexed").iterdir()) == [
            "bomb.docx",
            "half.txt",
            "never.md",
        ]
        assert sorted(f.source for f in engine.store.files().values()) == ["kept.txt", "moved.txt"]
        # A second start finds nothing to do.
        again = reconcile_engine_uploads(engine, uploads, keep=[uploads / "queued.txt"])
        assert again.line() == f"Uploads in {uploads}: all in the index, nothing to clean."


def test_a_missing_uploads_folder_has_nothing_to_clean(tmp_path: Path, embed_model: Any) -> None:
    with Engine.open(make_settings(tmp_path / "index"), embed_model) as engine:
        report = reconcile_engine_uploads(engine, tmp_path / "none")
    assert report == Reconciled(tmp_path / "none")


def test_many_names_are_cut_short_in_the_line(tmp_path: Path) -> None:
    report = Reconciled(tmp_path, unindexed=[f"f{n}.txt" for n in range(8)])
    assert report.line() == (
        f"Uploads in {tmp_path}: 8 files not in the index moved to .unindexed/ "
        "(f0.txt, f1.txt, f2.txt, f3.txt, f4.txt and 3 more)."
    )
