"""Documents added from a browser: safe names inside the uploads folder, then ingested."""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from rag.errors import ConfigError, DocumentError, UploadTooLargeError
from rag.ingest.loaders import SUPPORTED_SUFFIXES
from rag.search.files import IndexedFile
from rag.writable import cannot_write

_UNSAFE = re.compile(r"[^\w.\- ]+")
# Hidden names with no supported suffix, so no ingest of the folder reads them.
PARTIAL = ".partial"
PREVIOUS = ".previous"
# Where start-up sets aside files the index does not hold: hidden, so no ingest reads it.
UNINDEXED = ".unindexed"


def safe_name(name: str) -> str:
    """A file name with no folders, no leading dots and no characters a shell or path dislikes."""
    base = Path(name.replace("\\", "/")).name  # drops any "../" or folder part
    cleaned = _UNSAFE.sub("_", base).strip(" .")
    if not cleaned or not Path(cleaned).suffix:
        raise DocumentError(f"{name}: not a usable file name")
    return cleaned


@dataclass(frozen=True)
class Upload:
    """A file saved into the uploads folder, and the one of the same name it set aside."""

    path: Path
    previous: Path | None

    def keep(self) -> None:
        """The index took the file: the one it replaced is no longer needed."""
        if self.previous is not None:
            self.previous.unlink(missing_ok=True)

    def undo(self) -> None:
        """The index refused the file: remove it and put back the one it replaced."""
        self.path.unlink(missing_ok=True)
        if self.previous is not None:
            self.previous.replace(self.path)


def check_uploads_folder(folder: Path) -> None:
    """Make the uploads folder if need be; ConfigError, naming the setting, if it can't be used."""
    reason = cannot_write(folder, folder=True)
    if reason:
        raise ConfigError(
            f"Uploads can't be saved in {folder} (RAG_WEB__UPLOADS_DIR): {reason}. "
            "Point the setting at a folder this user can write."
        )


def save_upload(temporary: Path, original_name: str, folder: Path, max_bytes: int) -> Upload:
    """Copy an upload into the uploads folder under a safe name; refuse what can't be used."""
    name = safe_name(original_name)
    if Path(name).suffix.lower() not in SUPPORTED_SUFFIXES:
        raise DocumentError(
            f"{name}: unsupported file type; use one of {', '.join(sorted(SUPPORTED_SUFFIXES))}"
        )
    size = temporary.stat().st_size
    if size > max_bytes:
        raise UploadTooLargeError(
            f"{name}: {size / 1e6:.1f} MB is over the {max_bytes / 1e6:.0f} MB limit"
        )
    check_uploads_folder(folder)
    target = (folder / name).resolve()
    if target.parent != folder.resolve():
        raise DocumentError(f"{original_name}: not a usable file name")
    # Written whole under a hidden name first: a crash mid-copy leaves a leftover that
    # reconcile_uploads deletes, never a half file under the real name.
    partial = target.with_name(f".{name}{PARTIAL}")
    shutil.copyfile(temporary, partial)
    previous = None
    if target.exists():
        # Set aside, not overwritten: a broken file of the same name must not cost the good one.
        # A hidden name with no supported suffix, so no ingest of the folder reads it.
        previous = target.with_name(f".{name}{PREVIOUS}")
        target.replace(previous)
    partial.replace(target)
    return Upload(target, previous)


@dataclass
class Reconciled:
    """What start-up found in the uploads folder that the index does not account for."""

    folder: Path
    # Leftovers of interrupted uploads (.NAME.previous, .NAME.partial), deleted.
    leftovers: list[str] = field(default_factory=list)
    # Files put back from .NAME.previous: the index holds that content, not the newer file's.
    restored: list[str] = field(default_factory=list)
    # Files the index does not hold (an upload cut short before its ingest finished): moved
    # to .unindexed/ beside them.
    unindexed: list[str] = field(default_factory=list)
    # Files whose ingest was cut short: their partial chunks removed, the file moved too.
    half_indexed: list[str] = field(default_factory=list)
    # Why nothing was looked at, when nothing could be.
    note: str = ""

    def line(self) -> str:
        """One log line saying what was cleaned, by name."""
        parts = [
            _named(self.leftovers, "leftover", " of an interrupted upload", "deleted"),
            _named(self.restored, "earlier version", "", "put back, as the index holds it"),
            _named(self.unindexed, "file", " not in the index", f"moved to {UNINDEXED}/"),
            _named(
                self.half_indexed,
                "half-indexed file",
                "",
                f"taken out of the index and moved to {UNINDEXED}/",
            ),
        ]
        done = "; ".join(p for p in parts if p) or self.note or "all in the index, nothing to clean"
        return f"Uploads in {self.folder}: {done}."


def reconcile_uploads(
    folder: Path,
    indexed: Mapping[str, IndexedFile],
    remove: Callable[[IndexedFile], object],
    keep: Iterable[Path] = (),
) -> Reconciled:
    """Bring the uploads folder in line with the index at start-up, and say what changed."""
    # `remove` takes a half-indexed file's chunks out; `keep` names files still queued.
    # Sub-folders (other collections' uploads) are left to their own collection.
    found = Reconciled(folder)
    if not folder.is_dir():
        return found
    kept = {str(Path(p).resolve()) for p in keep}
    entries = sorted(p for p in folder.iterdir() if p.is_file() or p.is_symlink())
    for entry in entries:
        for suffix in (PARTIAL, PREVIOUS):
            name = entry.name.removeprefix(".").removesuffix(suffix)
            if not entry.name.startswith(".") or not entry.name.endswith(suffix) or not name:
                continue
            record = indexed.get(str((folder / name).resolve()))
            if suffix == PREVIOUS and record is not None and _sha256(entry) == record.sha256:
                # The newer file never made it into the index: the set-aside one is what it holds.
                entry.replace(folder / name)
                found.restored.append(name)
            else:
                entry.unlink(missing_ok=True)
                found.leftovers.append(entry.name)
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith(".") or entry.is_dir() or str(entry.resolve()) in kept:
            continue
        if entry.suffix.lower() not in SUPPORTED_SUFFIXES:
            continue
        record = indexed.get(str(entry.resolve()))
        if record is not None and record.complete:
            continue
        if record is not None:
            remove(record)
            found.half_indexed.append(entry.name)
        else:
            found.unindexed.append(entry.name)
        # Files the index does not hold are set aside in .unindexed/, not ingested: no one was told
        # they were added, and one that stopped the server mid-ingest (a hostile file) would stop it
        # again at every start; nor deleted, as the folder may hold files of the operator's own.
        aside = folder / UNINDEXED
        aside.mkdir(exist_ok=True)
        entry.replace(aside / entry.name)
    return found


def _named(names: list[str], noun: str, rest: str, done: str, shown: int = 5) -> str:
    if not names:
        return ""
    listed = ", ".join(names[:shown])
    if len(names) > shown:
        listed += f" and {len(names) - shown} more"
    plural = "" if len(names) == 1 else "s"
    return f"{len(names)} {noun}{plural}{rest} {done} ({listed})"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while block := stream.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()
