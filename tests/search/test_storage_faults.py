"""A full disk and a read-only index folder, on real small tmpfs mounts (needs root to mount)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rag.config import Settings
from rag.engine import Engine
from rag.errors import StoreUnavailableError
from rag.search.private_copy import PREFIX
from tests.fixtures import SEEDS, make_settings
from tests.fixtures.documents import corpus


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 16 MB filesystem of its own (Edge takes about 3 MB to create a shard, 10 to open one)."""
    yield from _tmpfs(tmp_path / "disk", "16m")


def _read_only_seeds(disk: Path, embed_model: Any) -> Settings:
    """The seeds indexed on the disk, which is then remounted read-only."""
    settings = make_settings(disk / "index")
    with Engine.open(settings, embed_model) as engine:
        assert engine.ingest([SEEDS]).ok
    subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
    return settings


@pytest.fixture
def tiny_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A temp folder of 64 kB: no room for a copy of the seeds' index."""
    for mount in _tmpfs(tmp_path / "temp", "64k"):
        monkeypatch.setattr(tempfile, "tempdir", str(mount))
        yield mount


def _tmpfs(mount: Path, size: str) -> Iterator[Path]:
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.mark.slow  # a real process, killed: tens of seconds
def test_full_disk_is_a_message_and_the_index_still_answers(
    small_disk: Path, tmp_path: Path, embed_model: Any
) -> None:
    settings = make_settings(small_disk / "index")
    with Engine.open(settings, embed_model) as engine:
        assert engine.ingest([SEEDS]).ok
        more = corpus(tmp_path / "more", copies=16)
        with pytest.raises(StoreUnavailableError) as caught:
            engine.ingest([more])
        assert str(caught.value).startswith(f"Cannot write to the index in {small_disk}/index/ (")
        assert "Free some disk space or make the folder writable" in str(caught.value)
        answer = engine.ask("How much did Nscale raise, and at what valuation?")
        assert "$14.6 billion" in answer.text
    # And after a restart, from what made it to disk.
    shutil.rmtree(more)
    with Engine.open(settings, embed_model) as engine:
        assert "$14.6 billion" in engine.ask("How much did Nscale raise?").text


@pytest.mark.slow  # whole indexes from the seeds, or a model export: seconds each
def test_read_only_index_still_answers_and_refuses_documents(
    small_disk: Path, tmp_path: Path, embed_model: Any
) -> None:
    settings = _read_only_seeds(small_disk, embed_model)
    before = set(Path(tempfile.gettempdir()).glob(PREFIX + "*"))
    with Engine.open(settings, embed_model) as engine:
        answer = engine.ask("How much did Nscale raise, and at what valuation?")
        assert "$14.6 billion" in answer.text
        # What it already holds needs no write: `rag serve --ingest seeds` still starts.
        again = engine.ingest([SEEDS])
        assert (len(again.unchanged), again.added, again.failed) == (5, [], [])
        with pytest.raises(StoreUnavailableError) as caught:
            engine.ingest([SEEDS, corpus(tmp_path / "more", copies=1)])
        copies = set(Path(tempfile.gettempdir()).glob(PREFIX + "*")) - before
        assert len(copies) == 1
    # The private copy it answered from (as large as the index) goes with the engine.
    assert not any(copy.exists() for copy in copies)
    assert str(caught.value) == (
        f"The index in {small_disk}/index/ is read-only (Read-only file system): it answers "
        "questions but takes no documents. Make the folder writable, or set RAG_QDRANT__PATH to "
        "a writable folder."
    )


@pytest.mark.slow  # a whole index from the seeds
def test_read_only_index_with_no_room_for_its_copy_is_a_message(
    small_disk: Path, tiny_temp: Path, embed_model: Any
) -> None:
    settings = _read_only_seeds(small_disk, embed_model)
    with pytest.raises(StoreUnavailableError) as caught:
        Engine.open(settings, embed_model)
    assert str(caught.value) == (
        f"The index in {small_disk}/index/ is read-only (Read-only file system), and the copy it "
        f"would be read from could not be made in {tiny_temp}/ (No space left on device). Make "
        "the index folder writable, or set TMPDIR to a folder with room for a copy of the index."
    )
    # What was copied before the disk filled is gone.
    assert list(tiny_temp.iterdir()) == []
