"""`rag log`: recent questions, declines, thumbs-down and latency, from the query log."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rag.access import AccessStore, Role
from rag.access.roles import EVERY
from rag.config import Settings
from rag.errors import AccessError
from rag.wording import counted
from ui.cli.registry import command


def _options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--limit", type=int, default=10, metavar="N", help="rows per list")
    parser.add_argument(
        "--export-eval",
        type=Path,
        metavar="FILE",
        help="write declined and thumbs-down questions as a `rag eval` question file",
    )
    parser.add_argument(
        "--user",
        metavar="NAME",
        help="only the collections this user (or key:ID) is an admin of, as they would see it",
    )


# Reads the history file only: works while `rag serve` holds the index.
@command("log", "recent questions, declines, thumbs-down, latency", _options, engine=False)
def log(args: argparse.Namespace, settings: Settings) -> int:
    """Print the query log's counts, latency and recent rows, or export it as questions."""
    from rag.evaluation.metrics import percentile
    from rag.querylog import LoggedQuery, QueryLog

    path = settings.history.path
    if not path.exists():
        print(f"No questions logged yet ({path} does not exist).", file=sys.stderr)
        return 0
    only = None
    if args.user:
        store = AccessStore(settings.access_path())
        who = (
            store.api_key_principal(args.user[4:])
            if args.user.startswith("key:")
            else store.user(args.user)
        )
        if who is None:
            raise AccessError(
                f"There is no user or key {args.user!r}; `rag users list` shows them."
            )
        only = [c for c, role in who.grants.items() if role >= Role.ADMIN]
        if EVERY in only:
            only = None
    log = QueryLog(path, write=False, only=only)
    if args.export_eval:
        count = log.export_eval(args.export_eval)
        noun = "question" if count == 1 else "questions"
        print(f"wrote {count} {noun} to {args.export_eval}", file=sys.stderr)
        return 0

    def show(title: str, rows: list[LoggedQuery]) -> None:
        print(f"\n{title}:" if rows else f"\n{title}: none")
        for row in rows:
            marks = " [declined]" if row.declined else " [error]" if row.error else ""
            marks += " [thumbs down]" if row.vote == "down" else ""
            marks += " [thumbs up]" if row.vote == "up" else ""
            total = f"{row.timings_ms['total']:.0f} ms" if "total" in row.timings_ms else "-"
            when = row.time[:19].replace("T", " ")
            print(f"  {when}  {row.channel:<5} {total:>7}  {row.question[:90]}{marks}")

    counts = log.counts()
    print(
        f"{path}: {counted(counts['questions'], 'question')}, {counts['declined']} declined, "
        f"{counts['thumbs_down']} thumbs down, {counts['errors']} failed"
    )
    timings = log.timings()
    if timings["total"]:
        print(
            "Latency (ms):  "
            + "   ".join(
                f"{name} p50 {percentile(values, 50):.0f} / p95 {percentile(values, 95):.0f}"
                for name, values in timings.items()
            )
        )
    show("Recent questions", log.recent(args.limit))
    show("Declined", log.declined(args.limit))
    show("Thumbs down", log.thumbs_down(args.limit))
    return 0
