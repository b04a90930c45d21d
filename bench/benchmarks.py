"""Where the third-party question sets are: RAG_BENCHMARKS, BENCHMARKS, or beside the checkout."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def benchmarks_dir() -> Path | None:
    """The folder of the public question sets, or None when this machine has none."""
    for name in ("RAG_BENCHMARKS", "BENCHMARKS"):
        if value := os.environ.get(name):
            return Path(value)
    found = ROOT.parent / "shared" / "benchmarks"
    return found if found.is_dir() else None
