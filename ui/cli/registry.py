"""The `rag` subcommands: each is defined, with its options, where it runs, and registered here."""

from __future__ import annotations

import argparse
import getpass
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rag.access import AccessStore
from rag.config import Settings

Options = Callable[[argparse.ArgumentParser], None]


@dataclass(frozen=True)
class Command:
    """One subcommand: its options, what it runs, and what it needs opened first."""

    name: str
    help: str
    options: Options
    run: Callable[[argparse.Namespace, Any], int]
    # False: `run` gets the settings, not an engine (it reads SQLite files only, and works
    # while `rag serve` holds an embedded index).
    engine: bool = True
    # A command that only reads an embedded index refuses a missing folder instead of making one.
    reads_index: Callable[[argparse.Namespace], bool] = lambda args: False
    # --collection names an existing collection (ingest and collections may make one).
    existing_collection: bool = True
    # Run instead when a running `rag serve` holds the embedded index (it gets the settings).
    when_served: Callable[[argparse.Namespace, Any, Exception], int] | None = None


COMMANDS: dict[str, Command] = {}


def command(
    name: str,
    help: str,
    options: Options = lambda parser: None,
    **needs: Any,
) -> Callable[[Callable[[argparse.Namespace, Any], int]], Callable[[argparse.Namespace, Any], int]]:
    """Register the decorated function as the subcommand `name`."""

    def register(
        run: Callable[[argparse.Namespace, Any], int],
    ) -> Callable[[argparse.Namespace, Any], int]:
        if name in COMMANDS:
            raise ValueError(f"two commands named {name!r}")
        COMMANDS[name] = Command(name, help, options, run, **needs)
        return run

    return register


def record_write(
    settings: Settings, action: str, target: str, collection: str = "", detail: str = ""
) -> None:
    """Record a write made from the command line, under the machine user's name."""
    AccessStore(settings.access_path()).audit(
        f"cli:{getpass.getuser()}", action, target, collection, detail
    )


def always(args: argparse.Namespace) -> bool:
    """For `reads_index`: the command never writes the index."""
    return True


def answer_options(parser: argparse.ArgumentParser) -> None:
    """--top-k and --source, for the commands that answer."""
    parser.add_argument("--top-k", type=int, metavar="N", help="passages to retrieve")
    parser.add_argument("--source", metavar="FILE", help="only use this article (its file name)")


def ingest_option(parser: argparse.ArgumentParser) -> None:
    """--ingest, for the commands that may update the index before they start."""
    parser.add_argument(
        "--ingest",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="update the index from these paths first (default: seeds/)",
    )
