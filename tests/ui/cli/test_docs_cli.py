"""`rag docs list|remove` in process, over a copy of the seeded index plus a generated PDF."""

from __future__ import annotations

import json
import os
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from rag.engine import Engine
from tests.fixtures import SEEDS, make_settings
from tests.fixtures.cli import Rag
from tests.fixtures.documents import make_paged_pdf
from tests.fixtures.indexes import CopyIndex

SEED_CHUNKS = {
    "000_b421b52a77080e52.txt": 5,
    "001_a3f1d0892a604dd0.txt": 7,
    "002_c3ddb7734e976afc.txt": 6,
    "003_4a67818d2f694273.txt": 19,
    "004_f7653a61b53defd5.txt": 8,
}
ZEPHYR = "How much did Zephyr Grid raise for solar farms in Chile?"
STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


@pytest.fixture
def with_pdf(tmp_path: Path, copy_seeded: CopyIndex, embed_model: Any) -> tuple[Path, Path]:
    """The seeded index with a four-page PDF added (its fact on page 3); the PDF's path."""
    index = copy_seeded(tmp_path)
    folder = tmp_path / "reports"
    folder.mkdir()
    make_paged_pdf(folder / "notes.pdf")
    with Engine.open(make_settings(index), embed_model) as engine:
        assert engine.ingest([folder]).added == ["notes.pdf"]
        assert not engine.ask(ZEPHYR).declined
    return index, folder / "notes.pdf"


def listed(rag: Rag, index: Path, *options: str) -> list[dict[str, Any]]:
    result = rag(["docs", "list", "--json", *options], index)
    assert result.returncode == 0, result.stderr
    rows: list[dict[str, Any]] = json.loads(result.stdout)
    return rows


def test_docs_list_json_and_table(rag: Rag, with_pdf: tuple[Path, Path]) -> None:
    index, pdf = with_pdf
    rows = listed(rag, index)
    assert [{k: v for k, v in r.items() if k != "ingested_at"} for r in rows] == [
        *(
            {
                "source": name,
                "title": r["title"],
                "chunks": chunks,
                "pages": None,
                "size": (SEEDS / name).stat().st_size,
            }
            for name, chunks, r in zip(SEED_CHUNKS, SEED_CHUNKS.values(), rows, strict=False)
        ),
        {
            "source": "notes.pdf",
            "title": "untitled",
            "chunks": 1,
            "pages": 4,
            "size": pdf.stat().st_size,
        },
    ]
    assert rows[4]["title"] == (
        "The 2026 AI Infrastructure Surge: Regional Ecosystems, Custom Silicon, and "
        "Decentralized Powerhouses"
    )
    assert all(STAMP.match(r["ingested_at"]) for r in rows)

    table = rag(["docs", "list"], index)
    assert table.returncode == 0
    lines = table.stdout.splitlines()
    assert lines[0] == (
        "SOURCE                    CHUNKS  PAGES      SIZE  INGESTED (UTC)    TITLE"
    )
    when = rows[4]["ingested_at"][:16].replace("T", " ")
    assert lines[5] == (
        f"004_f7653a61b53defd5.txt       8           8.3 kB  {when}  {rows[4]['title']}"
    )
    when = rows[5]["ingested_at"][:16].replace("T", " ")
    assert lines[6] == f"notes.pdf                      1      4    2.8 kB  {when}  untitled"
    assert lines[7] == "6 documents, 46 chunks in the collection 'articles'."
    assert len(lines) == 8


def test_remove_takes_out_every_chunk_of_those_documents_and_nothing_else(
    rag: Rag,
    with_pdf: tuple[Path, Path],
    embed_model: Any,
) -> None:
    index, _ = with_pdf
    before = {r["source"]: r for r in listed(rag, index)}
    result = rag(["docs", "remove", "notes.pdf", "004_f7653a61b53defd5.txt"], index)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == (
        "Removed notes.pdf (1 chunk).\nRemoved 004_f7653a61b53defd5.txt (8 chunks).\n"
    )
    after = {r["source"]: r for r in listed(rag, index)}
    del before["notes.pdf"], before["004_f7653a61b53defd5.txt"]
    assert after == before
    with Engine.open(make_settings(index), embed_model) as engine:
        # The points themselves are gone, not only the manifest's record of them.
        assert engine.store.count() == 45 - 8
        assert engine.ask(ZEPHYR).declined
        nscale = engine.ask("How much did Nscale raise, and at what valuation?")
        assert "004_f7653a61b53defd5.txt" not in {p.source for p in nscale.retrieved}


def test_unknown_source_is_refused_and_nothing_is_removed(
    rag: Rag,
    with_pdf: tuple[Path, Path],
) -> None:
    index, _ = with_pdf
    before = listed(rag, index)
    result = rag(["docs", "remove", "notes.pdf", "nope.txt", "gone.md"], index)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        "error: No document named 'nope.txt', 'gone.md' in the collection 'articles'; nothing "
        "was removed. `rag docs list` shows the documents.\n"
    )
    assert listed(rag, index) == before


def test_unknown_collection_is_refused_before_the_option_or_after(
    rag: Rag,
    with_pdf: tuple[Path, Path],
) -> None:
    index, _ = with_pdf
    before = listed(rag, index)
    message = (
        "error: There is no collection named 'legal'; nothing was touched. `rag collections "
        "list` shows them; `rag ingest --collection legal FOLDER` creates it.\n"
    )
    for argv in (
        ["docs", "remove", "--collection", "legal", "notes.pdf"],
        ["docs", "--collection", "legal", "remove", "notes.pdf"],
        ["docs", "list", "--collection", "legal"],
    ):
        result = rag(argv, index)
        assert (result.returncode, result.stdout, result.stderr) == (2, "", message)
    assert listed(rag, index, "--collection", "articles") == before


def test_docs_of_a_named_collection(rag: Rag, tmp_path: Path) -> None:
    index, folder = tmp_path / "index", tmp_path / "legal"
    folder.mkdir()
    (folder / "memo.txt").write_text("Orbital Foundry raised $9 billion.\n", encoding="utf-8")
    assert rag(["ingest", "--collection", "legal", str(folder)], index).returncode == 0
    assert [r["source"] for r in listed(rag, index, "--collection", "legal")] == ["memo.txt"]
    empty = rag(["docs", "list"], index)
    assert empty.stdout == "The collection 'articles' has no documents: run `rag ingest`.\n"
    removed = rag(["docs", "--collection", "legal", "remove", "memo.txt"], index)
    assert (removed.returncode, removed.stdout) == (0, "Removed memo.txt (1 chunk).\n")
    assert listed(rag, index, "--collection", "legal") == []


def test_older_manifest_gains_the_pages_column(
    rag: Rag,
    with_pdf: tuple[Path, Path],
    embed_model: Any,
) -> None:
    index, pdf = with_pdf
    with sqlite3.connect(index / "manifest.sqlite") as db:
        db.execute("ALTER TABLE files DROP COLUMN pages")
    rows = listed(rag, index)
    assert [r["pages"] for r in rows] == [None] * 6
    first = rows[5]["ingested_at"]
    # Read again for a new mtime, the unchanged PDF gets its page count and keeps its time.
    stat = pdf.stat()
    os.utime(pdf, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    with Engine.open(make_settings(index), embed_model) as engine:
        assert engine.ingest([pdf.parent]).unchanged == ["notes.pdf"]
    again = listed(rag, index)[5]
    assert (again["pages"], again["ingested_at"]) == (4, first)
