"""Whether the streamed HTML reader gives what BeautifulSoup gave, on real pages.

Usage: python bench/reader_equivalence.py [FOLDER ...] [--files N] [--seed S]. Samples N .html
and .htm files (1 KB to 400 KB) under the folders (default: /usr/share/doc and the Rust
documentation, if present) and compares the loader's text, title and sections with the
BeautifulSoup reading the loader did before (tests/fixtures/reference_readers.py, the reference
tests/ingest/test_streamed_readers.py compares with too).
Prints the count that match and the first differences. Nothing here is asserted in tests.
"""

from __future__ import annotations

import argparse
import os
import random
from pathlib import Path

from rag.errors import DocumentError
from rag.ingest.loaders import _find_lines, capped_title, derive_title, load_document
from rag.types import SectionStarts
from tests.fixtures.reference_readers import beautiful_soup_reading

DEFAULT_FOLDERS = [Path("/usr/share/doc"), Path.home() / ".rustup"]


def before(path: Path) -> tuple[str, str, SectionStarts] | str:
    """Text, title and sections as the loader read them with BeautifulSoup."""
    data = path.read_bytes()
    if not data.strip():
        return f"{path.name}: the file is empty"
    try:
        markup = data.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
    except UnicodeDecodeError:
        return "not UTF-8"
    text, title, headings = beautiful_soup_reading(markup)
    if not text.strip():
        return f"{path.name}: no text could be extracted"
    return text, capped_title(title.strip() or derive_title(text)), _find_lines(text, headings)


def now(path: Path) -> tuple[str, str, SectionStarts] | str:
    """The same, from the loader as it is."""
    try:
        doc = load_document(path)
    except DocumentError as exc:
        return "not UTF-8" if "not valid UTF-8" in str(exc) else str(exc)
    return doc.text, doc.title, doc.sections


def main() -> None:
    """Sample pages, read each both ways, count the matches."""
    parser = argparse.ArgumentParser()
    parser.add_argument("folders", nargs="*", type=Path, default=DEFAULT_FOLDERS)
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    found = []
    for folder in args.folders:
        for dirpath, _, names in os.walk(folder):
            for name in names:
                path = Path(dirpath) / name
                html = path.suffix.lower() in (".html", ".htm") and path.is_file()
                if html and 1_000 <= path.stat().st_size <= 400_000:
                    found.append(path)
    random.Random(args.seed).shuffle(found)
    sample = sorted(found[: args.files])
    differ = [p for p in sample if before(p) != now(p)]
    print(f"{len(sample) - len(differ)} of {len(sample)} pages read the same ({len(found)} found)")
    for path in differ[:5]:
        print("differs:", path)


if __name__ == "__main__":
    main()
