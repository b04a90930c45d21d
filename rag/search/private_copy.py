"""A read-only index folder's private copy in the temp folder, removed when its process is done."""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import IO

PREFIX = "rag-readonly-"
# Held (flock) by the process reading the copy: a copy whose lock can be taken outlived its
# process (killed, or crashed before closing) and is removed by the next one to make a copy.
HOLDER_LOCK = ".held"
# An empty lock file may be one another process has just made and not yet locked.
UNLOCKED_GRACE_SECONDS = 60


class PrivateCopy:
    """A copy of an index folder that this process alone reads, until close()."""

    def __init__(self, source: Path, ignore: str, parent: Path | None = None) -> None:
        parent = parent or Path(tempfile.gettempdir())
        sweep(parent)
        self.holder = Path(tempfile.mkdtemp(prefix=PREFIX, dir=parent))
        self.path = self.holder / "index"
        self._held: IO[bytes] | None = None
        self._open = True
        try:
            self._held = open(self.holder / HOLDER_LOCK, "ab")  # noqa: SIM115 (until close)
            fcntl.flock(self._held, fcntl.LOCK_EX | fcntl.LOCK_NB)
            self._held.write(str(os.getpid()).encode())
            self._held.flush()
            copy_folder(source, self.path, ignore)
            os.chmod(self.path, 0o700)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        """Delete the copy; a second call does nothing."""
        if not self._open:
            return
        self._open = False
        shutil.rmtree(self.holder, ignore_errors=True)
        if self._held is not None:
            self._held.close()


def copy_folder(source: Path, target: Path, ignore: str) -> None:
    """Copy a folder tree file by file, stopping at the first failure (a full disk, say)."""
    # shutil.copytree would go on copying after a full disk and report every file's failure.
    for folder, _, files in os.walk(source):
        into = target / Path(folder).relative_to(source)
        into.mkdir(parents=True, exist_ok=True)
        for name in files:
            if name != ignore:
                copy_sparse(os.path.join(folder, name), str(into / name))


def copy_sparse(source: str, target: str) -> str:
    """Copy a file's data and leave its holes holes: Edge's mapped files are mostly holes."""
    # A plain copy writes the holes out as zeros: 180 MB for the seeds' 0.7 MB shard.
    with open(source, "rb") as src, open(target, "wb") as dst:
        size = os.fstat(src.fileno()).st_size
        offset = 0
        while offset < size:
            try:
                start = os.lseek(src.fileno(), offset, os.SEEK_DATA)
            except OSError as exc:
                if exc.errno == errno.ENXIO:
                    break  # only a hole is left
                if offset == 0 and exc.errno in (errno.EINVAL, errno.EOPNOTSUPP):
                    # A filesystem that cannot tell holes gets a plain copy.
                    dst.close()
                    return str(shutil.copy2(source, target))
                raise
            end = os.lseek(src.fileno(), start, os.SEEK_HOLE)
            src.seek(start)
            dst.seek(start)
            left = end - start
            while left:
                block = src.read(min(left, 1 << 20))
                if not block:
                    break
                dst.write(block)
                left -= len(block)
            offset = end
        dst.truncate(size)
    shutil.copystat(source, target)
    return target


def sweep(parent: Path) -> list[Path]:
    """Remove the copies under parent whose process has ended; those still held stay."""
    removed = []
    for holder in sorted(parent.glob(PREFIX + "*")):
        lock = holder / HOLDER_LOCK
        try:
            handle = open(lock, "rb")  # noqa: SIM115 (closed below, after the removal)
        except OSError:
            continue  # not one of ours, or made before copies were held: left alone
        with handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                continue
            fresh = time.time() - os.fstat(handle.fileno()).st_mtime < UNLOCKED_GRACE_SECONDS
            if not os.fstat(handle.fileno()).st_size and fresh:
                continue
            shutil.rmtree(holder, ignore_errors=True)
            removed.append(holder)
    return removed
