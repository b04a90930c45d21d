"""What the server writes besides the index, checked all at once before it starts."""

from __future__ import annotations

import tempfile
from pathlib import Path

from rag.config import Settings
from rag.errors import ConfigError


def state_paths(settings: Settings, uploads: bool = True) -> list[tuple[str, str, Path, bool]]:
    """(what, setting, path, is a folder) for every place the server keeps state."""
    # The Slack bot alone (`rag slack`) takes no uploads: it writes all the others.
    return [
        *([("uploads", "RAG_WEB__UPLOADS_DIR", settings.web.uploads_dir, True)] if uploads else []),
        ("history, query log and jobs", "RAG_HISTORY__PATH", settings.history.path, False),
        ("logins and API keys", "RAG_ACCESS__PATH", settings.access_path(), False),
        ("feedback", "RAG_WEB__FEEDBACK_PATH", settings.web.feedback_path, False),
    ]


def unwritable(settings: Settings, uploads: bool = True) -> list[str]:
    """One line for each place the server keeps state that this user cannot write."""
    return [
        f"- {what} in {path} ({setting}): {reason}"
        for what, setting, path, folder in state_paths(settings, uploads)
        if (reason := cannot_write(path, folder))
    ]


def check_writable(settings: Settings, uploads: bool = True) -> None:
    """ConfigError listing every unwritable place at once, so one restart fixes them all."""
    problems = unwritable(settings, uploads)
    if problems:
        raise ConfigError(
            "The server cannot write where it keeps its state:\n"
            + "\n".join(problems)
            + "\nPoint each setting at a place this user can write (the index may stay read-only: "
            "it answers from a private copy)."
        )


def cannot_write(path: Path, folder: bool) -> str | None:
    """Why path cannot be written, or None; tried by writing (root passes any permission check)."""
    where = path if folder else path.parent
    if where.exists() and not where.is_dir():
        return "Not a directory"
    try:
        where.mkdir(parents=True, exist_ok=True)
        # A file's folder too: SQLite writes its journal beside it.
        with tempfile.TemporaryFile(dir=where):
            pass
        if not folder and path.exists():
            with path.open("ab"):
                pass
    except OSError as exc:
        return exc.strerror or str(exc)
    return None
