"""`rag docs list|remove`: the documents of a collection, and taking some out of it."""

from __future__ import annotations

import argparse
import json

from rag.engine import Engine
from rag.errors import DocumentNotFoundError
from rag.wording import counted
from ui.cli.registry import always, command, record_write


def _options(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("list", help="source, title, chunks, pages, ingested at, size")
    listing.add_argument("--json", action="store_true", help="print one JSON list")
    remove = actions.add_parser("remove", help="remove every chunk of these documents")
    remove.add_argument("sources", nargs="+", metavar="SOURCE", help="file names, as listed")
    for action in (listing, remove):
        # Also after the action (`rag docs list --collection x`); SUPPRESS keeps a value given
        # before it (`rag docs --collection x list`) from being reset to None.
        action.add_argument(
            "--collection", metavar="NAME", default=argparse.SUPPRESS, help="the collection to use"
        )


@command(
    "docs",
    "list the documents of a collection, or remove some",
    _options,
    reads_index=always,
)
def docs(args: argparse.Namespace, engine: Engine) -> int:
    """Carry out one `docs` action."""
    match args.action:
        case "list":
            _list(engine, as_json=args.json)
        case "remove":
            _remove(engine, list(dict.fromkeys(args.sources)))
    return 0


def _list(engine: Engine, as_json: bool) -> None:
    documents = engine.documents()
    if as_json:
        print(json.dumps([d.to_dict() for d in documents], ensure_ascii=False))
        return
    if not documents:
        print(f"The collection {engine.collection!r} has no documents: run `rag ingest`.")
        return
    width = max(len("SOURCE"), *(len(d.source) for d in documents))
    print(f"{'SOURCE':<{width}}  CHUNKS  PAGES      SIZE  INGESTED (UTC)    TITLE")
    for d in documents:
        print(
            f"{d.source:<{width}}  {d.chunks:>6}  {_or_blank(d.pages):>5}  {size_text(d.size):>8}"
            f"  {_when(d.ingested_at):<16}  {d.title}"
        )
    chunks = sum(d.chunks for d in documents)
    total = f"{counted(len(documents), 'document')}, {counted(chunks, 'chunk')}"
    print(f"{total} in the collection {engine.collection!r}.")


def _remove(engine: Engine, sources: list[str]) -> None:
    known = engine.sources()
    missing = [s for s in sources if s not in known]
    if missing:
        # All are checked before any is removed: a typo must not leave half a job done.
        names = ", ".join(repr(s) for s in missing)
        raise DocumentNotFoundError(
            f"No document named {names} in the collection {engine.collection!r}; nothing was "
            "removed. `rag docs list` shows the documents."
        )
    for source in sources:
        removed = engine.remove(source)
        record_write(
            engine.settings,
            "document removed",
            source,
            engine.collection,
            f"{removed.chunks} chunks",
        )
        print(f"Removed {source} ({counted(removed.chunks, 'chunk')}).")


def size_text(size: int | None) -> str:
    """A byte count as people read it: 812 B, 6.1 kB, 2.3 MB."""
    if size is None:
        return ""
    if size < 1000:
        return f"{size} B"
    if size < 1_000_000:
        return f"{size / 1e3:.1f} kB"
    return f"{size / 1e6:.1f} MB"


def _or_blank(value: int | None) -> str:
    return "" if value is None else str(value)


def _when(stamp: str | None) -> str:
    return stamp[:16].replace("T", " ") if stamp else ""
