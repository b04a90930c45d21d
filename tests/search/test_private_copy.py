"""A read-only index's private copy: made, removed on close, and swept once its process is gone."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rag.search.private_copy import HOLDER_LOCK, PREFIX, PrivateCopy, copy_sparse, sweep

# A process that copies an index and exits without closing it, as a killed server would.
ABANDON = """
import os, sys
from pathlib import Path

import pytest
from rag.search.private_copy import PrivateCopy
copy = PrivateCopy(Path(sys.argv[1]), ignore=".lock", parent=Path(sys.argv[2]))
print(copy.holder, flush=True)
if sys.argv[3] == "hold":
    sys.stdin.read()
os._exit(0)
"""


def _index(folder: Path) -> Path:
    (folder / "edge").mkdir(parents=True)
    (folder / "edge" / "segment").write_bytes(b"points")
    (folder / "manifest.sqlite").write_bytes(b"rows")
    (folder / ".lock").write_bytes(b"")
    return folder


def _abandoned(source: Path, parent: Path, mode: str) -> tuple[Path, subprocess.Popen[str]]:
    process = subprocess.Popen(
        [sys.executable, "-c", ABANDON, str(source), str(parent), mode],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])},
    )
    assert process.stdout is not None
    return Path(process.stdout.readline().strip()), process


def test_copy_holds_the_index_without_its_lock_and_close_removes_it(tmp_path: Path) -> None:
    source = _index(tmp_path / "index")
    temp = tmp_path / "temp"
    temp.mkdir()
    copy = PrivateCopy(source, ignore=".lock", parent=temp)
    assert copy.holder.parent == temp and copy.holder.name.startswith(PREFIX)
    assert sorted(p.relative_to(copy.path).as_posix() for p in copy.path.rglob("*")) == [
        "edge",
        "edge/segment",
        "manifest.sqlite",
    ]
    assert (copy.path / "edge" / "segment").read_bytes() == b"points"
    assert (copy.holder / HOLDER_LOCK).read_text() == str(os.getpid())
    copy.close()
    assert list(temp.iterdir()) == []
    copy.close()
    assert sorted(p.name for p in source.iterdir()) == [".lock", "edge", "manifest.sqlite"]


def test_a_copy_whose_process_ended_is_swept_and_a_held_one_stays(tmp_path: Path) -> None:
    source = _index(tmp_path / "index")
    temp = tmp_path / "temp"
    temp.mkdir()
    alive, running = _abandoned(source, temp, "hold")
    dead, ended = _abandoned(source, temp, "exit")
    assert ended.wait(timeout=60) == 0
    foreign = temp / (PREFIX + "made-by-an-older-version")
    (foreign / "index").mkdir(parents=True)
    try:
        assert dead.is_dir() and alive.is_dir()
        copy = PrivateCopy(source, ignore=".lock", parent=temp)
        assert not dead.exists()
        assert alive.is_dir() and foreign.is_dir()
        copy.close()
    finally:
        running.communicate("", timeout=60)
    assert sweep(temp) == [alive]
    assert sorted(p.name for p in temp.iterdir()) == [foreign.name]


def test_an_empty_lock_file_is_left_alone_while_it_is_fresh(tmp_path: Path) -> None:
    holder = tmp_path / (PREFIX + "being-made")
    holder.mkdir()
    (holder / HOLDER_LOCK).write_bytes(b"")
    assert sweep(tmp_path) == []
    past = time.time() - 120
    os.utime(holder / HOLDER_LOCK, (past, past))
    assert sweep(tmp_path) == [holder]
    assert not holder.exists()


def test_a_sparse_file_is_copied_byte_for_byte_with_its_holes(tmp_path: Path) -> None:
    source = tmp_path / "mapped"
    with open(source, "wb") as out:
        out.write(b"head")
        out.seek(32 << 20)
        out.write(b"middle")
        out.truncate(64 << 20)
    if source.stat().st_blocks * 512 > 1 << 20:
        pytest.skip("this filesystem stores no holes")
    target = tmp_path / "copy"
    assert copy_sparse(str(source), str(target)) == str(target)
    assert target.read_bytes() == source.read_bytes()
    assert target.stat().st_size == 64 << 20
    assert target.stat().st_blocks * 512 <= 1 << 20
