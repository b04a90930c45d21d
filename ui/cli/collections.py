"""`rag collections list|create|delete`: several independent collections in one store."""

from __future__ import annotations

import argparse
import json

from rag.collections import Collections
from rag.engine import Engine
from rag.wording import counted
from ui.cli.registry import command, record_write


def _options(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("list", help="the collections, with their articles and chunks")
    listing.add_argument("--json", action="store_true", help="print one JSON object")
    for name, text in (("create", "create an empty collection"), ("delete", "delete a collection")):
        action = actions.add_parser(name, help=text)
        action.add_argument("name", help="the collection's name")


@command(
    "collections",
    "list, create or delete collections",
    _options,
    existing_collection=False,
)
def collections(args: argparse.Namespace, engine: Engine) -> int:
    """Carry out one `collections` action; an unknown or existing name changes nothing."""
    store = Collections(engine)
    try:
        match args.action:
            case "list":
                _list(store, as_json=args.json)
            case "create":
                store.create(args.name)
                record_write(engine.settings, "collection created", args.name, args.name)
                print(f"Created the collection {args.name!r}.")
            case "delete":
                chunks = store.delete(args.name)
                record_write(
                    engine.settings, "collection deleted", args.name, args.name, f"{chunks} chunks"
                )
                print(f"Deleted the collection {args.name!r} ({counted(chunks, 'chunk')}).")
    finally:
        store.close()
    return 0


def _list(collections: Collections, as_json: bool) -> None:
    rows = []
    for name in collections.names():
        engine = collections.engine(name)
        rows.append(
            {
                "name": name,
                "articles": len(engine.sources()),
                "chunks": engine.store.count(),
                "default": name == collections.default.collection,
            }
        )
    if as_json:
        print(json.dumps({"collections": rows}, ensure_ascii=False))
        return
    for row in rows:
        mark = "  (default)" if row["default"] else ""
        print(f"{row['name']:<24} {row['articles']:>5} articles {row['chunks']:>7} chunks{mark}")
    if not rows:
        print("No collections yet: `rag ingest` creates the default one.")
