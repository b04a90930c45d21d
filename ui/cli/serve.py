"""`rag serve` and `rag slack`: the web chat, the HTTP APIs and the Slack bot."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from rag.engine import Engine
from ui.cli.ingest import ingest_first
from ui.cli.registry import command, ingest_option


def _serve_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", help="address to listen on (default 127.0.0.1, RAG_WEB__HOST)")
    parser.add_argument("--port", type=int, help="port (default 7860, RAG_WEB__PORT)")
    ingest_option(parser)
    parser.add_argument(
        "--slack", action="store_true", help="run the Slack bot in the same process (see README)"
    )


@command("serve", "start the web chat", _serve_options)
def serve(args: argparse.Namespace, engine: Engine) -> int:
    """Serve the page, the APIs (and Slack's events) on one port until stopped."""
    from rag.writable import check_writable
    from ui.server import serve as start

    check_writable(engine.settings)
    ingest_first(args, engine, then="serving")
    # Build the bot before the server starts, so a missing token stops us with its name.
    bot = _slack_bot(engine, http=engine.settings.slack.app_token is None) if args.slack else None
    engine.warm_up()
    host = args.host or engine.settings.web.host
    port = args.port or engine.settings.web.port
    http_bot = bot if bot is not None and engine.settings.slack.app_token is None else None
    collections = bot.collections if bot is not None else None
    running = start(engine, host, port, slack_bot=http_bot, collections=collections)
    print(f"Web chat on {running.url} (Ctrl-C stops it)", file=sys.stderr)
    for line in running.lines:
        print(line, file=sys.stderr)
    if bot is not None and http_bot is None:
        from ui.slack.bot import socket_handler

        socket_handler(bot).connect()  # type: ignore[no-untyped-call]
        print("Slack bot connected over Socket Mode", file=sys.stderr)
    running.wait()
    print(running.stopped_line(), file=sys.stderr)
    return 0


def _slack_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--http", action="store_true", help="receive events over HTTP instead")
    parser.add_argument("--host", default="127.0.0.1", help="HTTP address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=3000, help="HTTP port (default 3000)")


@command("slack", "run the Slack bot (Socket Mode unless --http)", _slack_options)
def slack(args: argparse.Namespace, engine: Engine) -> int:
    """Run the Slack bot alone, over Socket Mode or HTTP."""
    from rag.writable import check_writable
    from ui.slack.bot import serve_http, socket_handler

    check_writable(engine.settings, uploads=False)
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


def _slack_bot(engine: Engine, http: bool) -> Any:
    from rag.feedback import FeedbackLog
    from ui.slack.bot import SlackBot

    feedback = FeedbackLog(engine.settings.web.feedback_path)
    return SlackBot(engine, engine.settings.slack, feedback, http=http)
