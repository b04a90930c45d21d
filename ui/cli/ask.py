"""`rag ask`, `rag chat` and `rag status`: answers and the index, in the terminal."""

from __future__ import annotations

import argparse
import json
import sys
import textwrap

from rag.engine import Engine
from rag.session import ChatSession
from rag.text import one_line
from rag.types import Answer
from rag.wording import counted
from ui.cli.ingest import ingest_first
from ui.cli.registry import always, answer_options, command, ingest_option


def _ask_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("question", help="the question, in quotes")
    answer_options(parser)
    parser.add_argument("--json", action="store_true", help="print one JSON object")


@command("ask", "answer one question with cited sources", _ask_options, reads_index=always)
def ask(args: argparse.Namespace, engine: Engine) -> int:
    """Print one answer, as text with its sources or as JSON."""
    # Loading the models (and an LLM mode's client) is not the question's time.
    engine.warm_up()
    # Through a session, as `rag chat` asks: the question goes to the query log like any other.
    reply = ChatSession(engine, source=args.source, top_k=args.top_k, channel="cli").ask(
        args.question
    )
    if reply.error is not None:
        raise reply.error
    if reply.answer is None:
        print(f"error: {reply.message}", file=sys.stderr)
        return 1
    answer = reply.answer
    print(json.dumps(answer.to_dict(), ensure_ascii=False) if args.json else render(answer))
    return 0


def _json_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON object")


@command("status", "show the index, its articles and the mode", _json_option, reads_index=always)
def status(args: argparse.Namespace, engine: Engine) -> int:
    """Print where the index is, its articles and chunks, the model and the answer mode."""
    found = engine.status()
    if args.json:
        print(json.dumps(found.to_dict(), ensure_ascii=False))
        return 0
    print(f"Index:    {found.location}")
    print(f"Articles: {len(found.articles)}   Chunks: {found.chunks}")
    print(f"Model:    {found.model}   Answer mode: {found.mode}")
    for source, title, chunks in found.articles:
        print(f"  {source}  {counted(chunks, 'chunk'):>10}  {title}")
    if not found.articles:
        print("The index is empty: run `rag ingest`.")
    return 0


def _chat_options(parser: argparse.ArgumentParser) -> None:
    answer_options(parser)
    ingest_option(parser)


@command(
    "chat",
    "ask questions in the terminal",
    _chat_options,
    reads_index=lambda args: args.ingest is None,
)
def chat(args: argparse.Namespace, engine: Engine) -> int:
    """A conversation on stdin/stdout until an empty line, `exit` or end of input."""
    ingest_first(args, engine, then="chatting over")
    found = engine.status()
    print(
        f"Ask about {counted(len(found.articles), 'article')} ({counted(found.chunks, 'chunk')}, "
        f"{found.mode} mode). Follow-up questions continue the conversation. "
        "Empty line or Ctrl-D to quit.",
        file=sys.stderr,
    )
    engine.warm_up()
    session = ChatSession(engine, source=args.source, top_k=args.top_k, channel="cli")
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
            if reply.answer.did_you_mean:
                print(f"\n(Type “yes” to ask “{reply.answer.did_you_mean}”.)")


def render(answer: Answer) -> str:
    """An answer for the terminal: text with [n] markers, then the numbered sources."""
    searched = answer.searched_as()
    lines = [f"Searched as: “{searched}”"] if searched else []
    lines += [f"Note: {notice}" for notice in answer.notices]
    # Line by line: an overview lists one document a line.
    lines += [textwrap.fill(line, width=100) for line in answer.text.splitlines()]
    if answer.citations:
        lines.append("\nSources:")
        for c in answer.citations:
            where = ", ".join(filter(None, [c.source, c.place, f"characters {c.start}-{c.end}"]))
            lines.append(f"[{c.n}] {c.title} ({where})")
            quote = one_line(c.text)
            lines.append(textwrap.indent(textwrap.fill(f"“{quote}”", width=96), "    "))
    elif answer.retrieved:
        lines.append("\nClosest passages (not used):")
        for p in answer.retrieved[:3]:
            lines.append(f"  {p.rank}. {p.title} ({p.source})")
    return "\n".join(lines)
