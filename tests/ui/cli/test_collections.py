"""Several independent collections in one index folder, chosen with --collection."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.fixtures.cli import Rag

QUESTION = "How much did Orbital Foundry raise?"


@pytest.fixture
def two_teams(tmp_path: Path) -> tuple[Path, Path]:
    finance, legal = tmp_path / "finance", tmp_path / "legal"
    for folder, amount in ((finance, "$3 billion"), (legal, "$9 billion")):
        folder.mkdir()
        (folder / "note.txt").write_text(
            f"Orbital Foundry raised {amount} to build chip plants in orbit.\n", encoding="utf-8"
        )
    return finance, legal


def test_two_collections_each_answer_from_their_own_documents(
    rag: Rag,
    tmp_path: Path,
    two_teams: tuple[Path, Path],
) -> None:
    index = tmp_path / "index"
    finance, legal = two_teams
    assert rag(["ingest", "--collection", "finance", str(finance)], index).returncode == 0
    assert rag(["ingest", "--collection", "legal", str(legal)], index).returncode == 0
    for name, amount in (("finance", "$3 billion"), ("legal", "$9 billion")):
        result = rag(["ask", "--json", "--collection", name, QUESTION], index)
        data = json.loads(result.stdout)
        assert (data["collection"], data["declined"]) == (name, False)
        assert amount in data["answer"]
    listed = json.loads(rag(["collections", "list", "--json"], index).stdout)
    assert listed == {
        "collections": [
            {"name": "finance", "articles": 1, "chunks": 1, "default": False},
            {"name": "legal", "articles": 1, "chunks": 1, "default": False},
        ]
    }
    deleted = rag(["collections", "delete", "legal"], index)
    assert (deleted.returncode, deleted.stdout) == (
        0,
        "Deleted the collection 'legal' (1 chunk).\n",
    )
    after = json.loads(rag(["collections", "list", "--json"], index).stdout)
    assert [c["name"] for c in after["collections"]] == ["finance"]
    still = json.loads(rag(["ask", "--json", "--collection", "finance", QUESTION], index).stdout)
    assert "$3 billion" in still["answer"]


def test_unknown_or_unusable_collections_are_refused_and_nothing_is_touched(
    rag: Rag,
    tmp_path: Path,
    two_teams: tuple[Path, Path],
) -> None:
    index = tmp_path / "index"
    assert rag(["ingest", "--collection", "finance", str(two_teams[0])], index).returncode == 0
    missing = rag(["collections", "delete", "legal"], index)
    assert missing.returncode == 2
    assert missing.stderr == (
        "error: There is no collection named 'legal'; nothing was touched. `rag collections "
        "list` shows them; `rag ingest --collection legal FOLDER` creates it.\n"
    )
    asked = rag(["ask", "--collection", "legal", QUESTION], index)
    assert (asked.returncode, asked.stderr) == (2, missing.stderr)
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    for bad in ("../etc", "../../escape", "a/b", ".hidden", "", "bad name!", "x" * 65):
        message = (
            f"error: {bad!r} is not a usable collection name: use letters, digits, - and _ "
            "(at most 64, starting with a letter or digit).\n"
        )
        for command in (["status", "--collection", bad], ["collections", "create", bad]):
            refused = rag(command, index)
            assert (refused.returncode, refused.stderr) == (2, message)
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before
    created = rag(["collections", "create", "legal"], index)
    assert (created.returncode, created.stdout) == (0, "Created the collection 'legal'.\n")
    again = rag(["collections", "create", "legal"], index)
    assert (again.returncode, again.stderr) == (
        2,
        "error: A collection named 'legal' already exists.\n",
    )
    listed = json.loads(rag(["collections", "list", "--json"], index).stdout)
    assert [(c["name"], c["chunks"]) for c in listed["collections"]] == [
        ("finance", 1),
        ("legal", 0),
    ]
    empty = rag(["ask", "--collection", "legal", QUESTION], index)
    assert (empty.returncode, empty.stderr) == (
        1,
        "error: The collection 'legal' is empty. Run `rag ingest --collection legal FOLDER` "
        "and ask again.\n",
    )
