"""Documents added from a browser: safe names inside the uploads folder, then ingested."""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from rag.errors import ConfigError, DocumentError, UploadTooLargeError
from rag.ingest.loaders import SUPPORTED_SUFFIXES

_UNSAFE = re.compile(r"[^\w.\- ]+")


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
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # Permissions say little (root passes them everywhere, even in /proc): write a file.
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise ConfigError(
            f"Uploads can't be saved in {folder} (RAG_WEB__UPLOADS_DIR): {exc.strerror}. "
            "Point the setting at a folder this user can write."
        ) from exc


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
    previous = None
    if target.exists():
        # Set aside, not overwritten: a broken file of the same name must not cost the good one.
        # A hidden name with no supported suffix, so no ingest of the folder reads it.
        previous = target.with_name(f".{name}.previous")
        target.replace(previous)
    shutil.copyfile(temporary, target)
    return Upload(target, previous)
