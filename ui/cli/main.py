"""The `rag` command: parse, load the settings, open the index, run one registered command."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from rag.collections import Collections, check_name
from rag.config import TOP_K_RANGE, QdrantSettings, Settings
from rag.engine import Engine
from rag.errors import ConfigError, IndexEmptyError, IndexLockedError, RagError

# Each module registers its commands; their order here is the order of `rag --help`.
from ui.cli import access, ask, collections, documents, evaluate, ingest, jobs, log, serve  # noqa: F401
from ui.cli.registry import COMMANDS, Command


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rag", description="Cited answers from news articles, offline."
    )
    # Every command works on one collection of the store: this option picks which.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--collection",
        metavar="NAME",
        help="the collection to use (default: RAG_QDRANT__COLLECTION, else articles)",
    )
    actions = parser.add_subparsers(dest="command", required=True)
    for found in COMMANDS.values():
        found.options(actions.add_parser(found.name, parents=[common], help=found.help))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = _parser().parse_args(argv)
    low, high = TOP_K_RANGE
    if getattr(args, "top_k", None) is not None and not low <= args.top_k <= high:
        print(f"error: --top-k must be between {low} and {high}", file=sys.stderr)
        return 2
    chosen = COMMANDS[args.command]
    try:
        settings = load_settings()
        if not chosen.engine:
            return chosen.run(args, settings)
        if getattr(args, "mode", None):
            settings.llm = settings.llm.model_copy(update={"mode": args.mode})
        if args.collection is not None:
            settings.qdrant = _with_collection(settings, args.collection)
        _require_index(chosen, args, settings)
        try:
            opened = Engine.open(settings)
        except IndexLockedError as locked:
            if chosen.when_served is None:
                raise
            return chosen.when_served(args, settings, locked)
        with opened as engine:
            if args.collection is not None and chosen.existing_collection:
                # Asking an unknown collection would only say "empty"; say what is wrong.
                Collections(engine).require(args.collection)
            code = int(chosen.run(args, engine))
        # Inside the try: a reader that has gone away shows up on this flush at the latest.
        sys.stdout.flush()
        return code
    except RagError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`rag status | head -3`): stop quietly, as other tools do, and
        # point stdout at nothing so that the interpreter's last flush cannot fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


def _require_index(chosen: Command, args: argparse.Namespace, settings: Settings) -> None:
    """IndexEmptyError for a command that only reads an embedded index its folder lacks."""
    # Opening makes the folder, and a mistyped RAG_QDRANT__PATH would leave one behind.
    path = settings.qdrant.path
    if chosen.reads_index(args) and settings.qdrant.url is None and not path.exists():
        raise IndexEmptyError(
            f"There is no index in {path}/ yet. Run `rag ingest` (it reads "
            f"{settings.seeds_dir}/) to make one, or set RAG_QDRANT__PATH to where it is."
        )


def _with_collection(settings: Settings, name: str) -> QdrantSettings:
    """The store settings with another collection, its name checked like the setting's."""
    return settings.qdrant.model_copy(update={"collection": check_name(name)})


def load_settings() -> Settings:
    """Settings from the environment and .env, with a readable message when one is invalid."""
    from pydantic import ValidationError

    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"RAG_{'__'.join(str(p) for p in e['loc']).upper()}: {e['msg']}" for e in exc.errors()
        )
        raise ConfigError(f"invalid setting ({problems}); see .env.example") from exc
