"""The `rag` command: ingest, ask, status and a terminal chat."""

from __future__ import annotations

import argparse
import json
import os
import sys
import textwrap
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rag.collections import Collections, check_name
from rag.config import ANSWER_MODES, TOP_K_RANGE, QdrantSettings, Settings
from rag.engine import Engine
from rag.errors import ConfigError, IndexEmptyError, RagError
from rag.evaluation import reports as report_files
from rag.evaluation.metrics import METRICS, evaluate, failed_gates
from rag.evaluation.questions import load_questions
from rag.ingest.ingestor import IngestProgress, IngestReport
from rag.session import ChatSession
from rag.types import Answer
from rag.wording import counted
from ui import collections_cli, docs_cli


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
    commands = _Commands(parser.add_subparsers(dest="command", required=True), common)

    ingest = commands.add_parser("ingest", help="add or update files and folders in the index")
    ingest.add_argument("paths", nargs="*", type=Path, help="files or folders (default: seeds/)")

    ask = commands.add_parser("ask", help="answer one question with cited sources")
    ask.add_argument("question", help="the question, in quotes")
    _answer_options(ask)
    ask.add_argument("--json", action="store_true", help="print one JSON object")

    status = commands.add_parser("status", help="show the index, its articles and the mode")
    status.add_argument("--json", action="store_true", help="print one JSON object")

    chat = commands.add_parser("chat", help="ask questions in the terminal")
    _answer_options(chat)
    _ingest_option(chat)
    serve = commands.add_parser("serve", help="start the web chat")
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1, RAG_WEB__HOST)")
    serve.add_argument("--port", type=int, help="port (default 7860, RAG_WEB__PORT)")
    _ingest_option(serve)
    serve.add_argument(
        "--slack", action="store_true", help="run the Slack bot in the same process (see README)"
    )

    slack = commands.add_parser("slack", help="run the Slack bot (Socket Mode unless --http)")
    slack.add_argument("--http", action="store_true", help="receive events over HTTP instead")
    slack.add_argument("--host", default="127.0.0.1", help="HTTP address (default 127.0.0.1)")
    slack.add_argument("--port", type=int, default=3000, help="HTTP port (default 3000)")

    log = commands.add_parser("log", help="recent questions, declines, thumbs-down, latency")
    log.add_argument("--limit", type=int, default=10, metavar="N", help="rows per list")
    log.add_argument(
        "--export-eval",
        type=Path,
        metavar="FILE",
        help="write declined and thumbs-down questions as a `rag eval` question file",
    )

    evaluate = commands.add_parser("eval", help="score answers against a file of test questions")
    evaluate.add_argument("file", type=Path, help="questions, .jsonl or .csv")
    evaluate.add_argument("--out", type=Path, metavar="DIR", help="write report.json/.md/.html")
    evaluate.add_argument(
        "--min",
        action="append",
        default=[],
        metavar="METRIC=VALUE",
        help=f"exit 1 when a metric falls below VALUE; metrics: {', '.join(METRICS)}",
    )
    evaluate.add_argument("--compare", type=Path, metavar="OLD.json", help="show what changed")
    evaluate.add_argument(
        "--mode",
        choices=ANSWER_MODES,
        help="answer mode for this run (default: RAG_LLM__MODE)",
    )
    evaluate.add_argument("--top-k", type=int, metavar="N", help="passages to retrieve")
    evaluate.add_argument(
        "--judge", action="store_true", help="also score with an LLM judge (needs an LLM mode)"
    )
    collections_cli.add_commands(commands)
    docs_cli.add_commands(commands)
    return parser


class _Commands:
    """The subcommands, each given the options every command shares."""

    def __init__(self, actions: Any, common: argparse.ArgumentParser) -> None:
        self.actions = actions
        self.common = common

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser:
        """A subcommand with the shared options."""
        parser: argparse.ArgumentParser = self.actions.add_parser(
            name, parents=[self.common], **kwargs
        )
        return parser


def _answer_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--top-k", type=int, metavar="N", help="passages to retrieve")
    parser.add_argument("--source", metavar="FILE", help="only use this article (its file name)")


def _ingest_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--ingest",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="update the index from these paths first (default: seeds/)",
    )


def _ingest_first(args: argparse.Namespace, engine: Engine, then: str) -> None:
    """Run the --ingest of `chat` and `serve`, if given; failed files don't stop what follows."""
    if args.ingest is None:
        return
    report = _ingest(engine, args.ingest or [engine.settings.seeds_dir])
    if not report.ok:
        print(f"Some files failed (see above); {then} the rest.", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = _parser().parse_args(argv)
    low, high = TOP_K_RANGE
    if getattr(args, "top_k", None) is not None and not low <= args.top_k <= high:
        print(f"error: --top-k must be between {low} and {high}", file=sys.stderr)
        return 2
    try:
        settings = load_settings()
        if args.command == "log":
            # Reads the history file only: works while `rag serve` holds the index.
            return _log(args, settings)
        if getattr(args, "mode", None):
            settings.llm = settings.llm.model_copy(update={"mode": args.mode})
        if args.collection is not None:
            settings.qdrant = _with_collection(settings, args.collection)
        _require_index(args, settings)
        with Engine.open(settings) as engine:
            if args.collection is not None and args.command not in ("ingest", "collections"):
                # Asking an unknown collection would only say "empty"; say what is wrong.
                Collections(engine).require(args.collection)
            code = int(_run(args, engine))
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


def _require_index(args: argparse.Namespace, settings: Settings) -> None:
    """IndexEmptyError for a command that only reads an embedded index its folder lacks.

    Opening makes the folder, and a mistyped RAG_QDRANT__PATH would leave one behind.
    """
    reads_only = args.command in ("ask", "status", "docs", "eval") or (
        args.command == "chat" and args.ingest is None
    )
    path = settings.qdrant.path
    if reads_only and settings.qdrant.url is None and not path.exists():
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


def _run(args: argparse.Namespace, engine: Engine) -> int:
    match args.command:
        case "ingest":
            report = _ingest(engine, args.paths or [engine.settings.seeds_dir], optimize=True)
            return 0 if report.ok else 1
        case "ask":
            # Loading the models (and an LLM mode's client) is not the question's time.
            engine.warm_up()
            answer = engine.ask(args.question, top_k=args.top_k, source=args.source)
            print(json.dumps(answer.to_dict(), ensure_ascii=False) if args.json else render(answer))
            return 0
        case "status":
            _status(engine, as_json=args.json)
            return 0
        case "serve":
            return _serve(args, engine)
        case "eval":
            return _evaluate(args, engine)
        case "collections":
            return collections_cli.run(args, engine)
        case "docs":
            return docs_cli.run(args, engine)
        case "slack":
            return _slack(args, engine)
        case "chat":
            _ingest_first(args, engine, then="chatting over")
            return _chat(engine, args.top_k, args.source)
    raise AssertionError(args.command)


def _ingest(engine: Engine, paths: list[Path], optimize: bool = False) -> IngestReport:
    from tqdm import tqdm

    bar: Any = None

    def progress(items: Any) -> Any:
        nonlocal bar
        bar = tqdm(items, desc="Ingesting", unit="file", file=sys.stderr, leave=False)
        return bar

    def on_progress(done: IngestProgress) -> None:
        eta = "?" if done.eta_s is None else f"{done.eta_s:.0f} s"
        if bar is not None:
            bar.set_postfix_str(
                f"{done.chunks} chunks, {done.chunks_per_s:.0f} chunks/s, ETA {eta}"
            )

    report = engine.ingest(paths, progress=progress, on_progress=on_progress)
    if optimize and (report.chunks_embedded or report.chunks_removed):
        # `rag ingest` only: building the vector index holds the GIL for minutes at 100k
        # chunks, so `rag serve` and `rag chat` never do it (what they ingest is scanned).
        started = time.perf_counter()
        engine.optimize()
        print(f"Index optimised in {time.perf_counter() - started:.1f} s.", file=sys.stderr)
    for name, reason in report.failed:
        print(f"failed: {name}: {reason}", file=sys.stderr)
    for name, note in report.notes:
        print(f"note: {name}: {note}", file=sys.stderr)
    print(summary(report), file=sys.stderr)
    return report


def summary(report: IngestReport) -> str:
    """The closing line of an ingest."""
    return (
        f"Ingest finished in {report.seconds:.1f} s: {len(report.added)} added, "
        f"{len(report.updated)} updated, {len(report.unchanged)} unchanged, "
        f"{len(report.removed)} removed, {len(report.failed)} failed files; "
        f"{counted(report.chunks_embedded, 'chunk')} embedded, {report.chunks_removed} removed."
    )


def render(answer: Answer) -> str:
    """An answer for the terminal: text with [n] markers, then the numbered sources."""
    lines = [f"Note: {notice}" for notice in answer.notices]
    lines.append(textwrap.fill(answer.text, width=100))
    if answer.citations:
        lines.append("\nSources:")
        for c in answer.citations:
            where = ", ".join(filter(None, [c.source, c.place, f"characters {c.start}-{c.end}"]))
            lines.append(f"[{c.n}] {c.title} ({where})")
            quote = " ".join(c.text.split())
            lines.append(textwrap.indent(textwrap.fill(f"“{quote}”", width=96), "    "))
    elif answer.retrieved:
        lines.append("\nClosest passages (not used):")
        for p in answer.retrieved[:3]:
            lines.append(f"  {p.rank}. {p.title} ({p.source})")
    return "\n".join(lines)


def _serve(args: argparse.Namespace, engine: Engine) -> int:
    from rag.ingest.uploads import check_uploads_folder
    from ui.server import serve

    check_uploads_folder(engine.settings.web.uploads_dir)
    _ingest_first(args, engine, then="serving")
    # Build the bot before the server starts, so a missing token stops us with its name.
    bot = _slack_bot(engine, http=engine.settings.slack.app_token is None) if args.slack else None
    engine.warm_up()
    host = args.host or engine.settings.web.host
    port = args.port or engine.settings.web.port
    http_bot = bot if bot is not None and engine.settings.slack.app_token is None else None
    collections = bot.collections if bot is not None else None
    running = serve(engine, host, port, slack_bot=http_bot, collections=collections)
    print(f"Web chat on {running.url} (Ctrl-C stops it)", file=sys.stderr)
    for line in running.lines:
        print(line, file=sys.stderr)
    if bot is not None and http_bot is None:
        from ui.slack import socket_handler

        socket_handler(bot).connect()  # type: ignore[no-untyped-call]
        print("Slack bot connected over Socket Mode", file=sys.stderr)
    running.wait()
    return 0


def _slack_bot(engine: Engine, http: bool) -> Any:
    from rag.feedback import FeedbackLog
    from ui.slack import SlackBot

    feedback = FeedbackLog(engine.settings.web.feedback_path)
    return SlackBot(engine, engine.settings.slack, feedback, http=http)


def _slack(args: argparse.Namespace, engine: Engine) -> int:
    from ui.slack import serve_http, socket_handler

    bot = _slack_bot(engine, http=args.http)
    if args.http:
        engine.warm_up()
        print(f"Slack events at http://{args.host}:{args.port}/slack/events", file=sys.stderr)
        serve_http(bot, args.host, args.port)
    else:
        handler = socket_handler(bot)
        engine.warm_up()
        print("Slack bot connected over Socket Mode (Ctrl-C stops it)", file=sys.stderr)
        handler.start()  # type: ignore[no-untyped-call]
    return 0


def parse_gates(specs: list[str]) -> dict[str, float]:
    """METRIC=VALUE pairs of --min, checked against the metric names."""
    gates = {}
    for spec in specs:
        name, _, value = spec.partition("=")
        if name not in METRICS:
            raise ConfigError(
                f"--min {spec}: unknown metric {name!r}; use one of {', '.join(METRICS)}"
            )
        try:
            gates[name] = float(value)
        except ValueError as exc:
            raise ConfigError(f"--min {spec}: {value!r} is not a number") from exc
    return gates


def _evaluate(args: argparse.Namespace, engine: Engine) -> int:
    from tqdm import tqdm

    gates = parse_gates(args.min)
    old = report_files.load(args.compare) if args.compare else None
    loaded = load_questions(args.file)
    for line, reason in loaded.errors:
        print(f"{args.file}:{line}: skipped: {reason}", file=sys.stderr)
    if not loaded.questions:
        raise ConfigError(f"{args.file}: no usable questions")
    report = evaluate(
        engine,
        loaded.questions,
        top_k=args.top_k,
        progress=lambda items: tqdm(items, desc="Evaluating", unit="q", file=sys.stderr),
    )
    report["load_errors"] = [{"line": n, "reason": r} for n, r in loaded.errors]
    if args.judge:
        from rag.evaluation.judge import judge

        report["judge"] = judge(
            engine,
            loaded.questions,
            report["results"],
            progress=lambda items: tqdm(items, desc="Judging", unit="q", file=sys.stderr),
        )
        if "skipped" in report["judge"]:
            print(f"--judge: skipped, {report['judge']['skipped']}", file=sys.stderr)
    print(report_files.console_table(report))
    if old is not None:
        print()
        print(report_files.compare(old, report))
    if args.out:
        for path in report_files.write(report, args.out):
            print(f"wrote {path}", file=sys.stderr)
    failed = failed_gates(report["metrics"], gates)
    for problem in failed:
        print(f"gate failed: {problem}", file=sys.stderr)
    return 1 if failed else 0


def _log(args: argparse.Namespace, settings: Settings) -> int:
    from rag.evaluation.metrics import percentile
    from rag.querylog import LoggedQuery, QueryLog

    path = settings.history.path
    if not path.exists():
        print(f"No questions logged yet ({path} does not exist).", file=sys.stderr)
        return 0
    log = QueryLog(path, write=False)
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


def _status(engine: Engine, as_json: bool) -> None:
    status = engine.status()
    if as_json:
        print(json.dumps(status.to_dict(), ensure_ascii=False))
        return
    print(f"Index:    {status.location}")
    print(f"Articles: {len(status.articles)}   Chunks: {status.chunks}")
    print(f"Model:    {status.model}   Answer mode: {status.mode}")
    for source, title, chunks in status.articles:
        print(f"  {source}  {counted(chunks, 'chunk'):>10}  {title}")
    if not status.articles:
        print("The index is empty: run `rag ingest`.")


def _chat(engine: Engine, top_k: int | None, source: str | None) -> int:
    status = engine.status()
    print(
        f"Ask about {counted(len(status.articles), 'article')} ({counted(status.chunks, 'chunk')}, "
        f"{status.mode} mode). Follow-up questions continue the conversation. "
        "Empty line or Ctrl-D to quit.",
        file=sys.stderr,
    )
    engine.warm_up()
    session = ChatSession(engine, source=source, top_k=top_k, channel="cli")
    while True:
        try:
            question = input("\nYou: ")
        except EOFError:
            print()
            return 0
        if not sys.stdin.isatty():
            # Piped questions are not echoed by a terminal: show which one is answered.
            print(question)
        if not question.strip() or question.strip().lower() in {"exit", "quit"}:
            return 0
        reply = session.ask(question)
        if reply.answer is None:
            print(f"error: {reply.message}", file=sys.stderr)
        else:
            print(render(reply.answer))


if __name__ == "__main__":
    sys.exit(main())
