"""The `rag` command line: one module per group of commands, each registered where defined."""

from ui.cli.main import main

__all__ = ["main"]
