"""One server, one port: the web chat, the HTTP APIs and Slack's events on FastAPI and uvicorn."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import signal
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import gradio as gr
import uvicorn
from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from rag.access import AccessStore
from rag.access.login import Authenticator
from rag.collections import Collections
from rag.engine import Engine
from rag.errors import ConfigError
from rag.feedback import FeedbackLog
from rag.jobs import Jobs
from rag.service import ApiService, reconcile_engine_uploads
from rag.wording import counted
from ui import login
from ui.api import openai_compat, rest
from ui.api.errors import add_fallbacks, error_response, install_handlers
from ui.connections import timed_protocol
from ui.door import Door, Gate, is_loopback
from ui.limits import BodyLimit
from ui.web import sources
from ui.web.app import CSS, build_app


class Stopping:
    """Outermost: once stopping, new requests get 503 and failures are counted, not printed."""

    # Streams cut short raise in Gradio and uvicorn alike; a traceback for each helps no one.

    def __init__(self, app: ASGIApp, stopping: threading.Event, cut: list[int]) -> None:
        self.app = app
        self.stopping = stopping
        self.cut = cut

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass requests on while serving; refuse new ones and swallow failures once stopping."""
        if scope["type"] == "http" and self.stopping.is_set():
            await error_response(503, "The server is stopping.")(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        except BaseException:
            if not self.stopping.is_set():
                raise
            self.cut[0] += 1


class _QuietWhileStopping(logging.Filter):
    """Drops uvicorn's tracebacks of requests the shutdown cancels."""

    def __init__(self, stopping: threading.Event) -> None:
        super().__init__()
        self.stopping = stopping

    def filter(self, record: logging.LogRecord) -> bool:
        return not self.stopping.is_set()


def build_server(
    engine: Engine, host: str, slack_bot: Any = None, collections: Collections | None = None
) -> tuple[FastAPI, list[str]]:
    """The app: login, APIs, Slack's events (when given), the chat page, all behind one door."""
    settings = engine.settings
    authenticator = Authenticator(settings, AccessStore(settings.access_path()))
    if not authenticator.configured() and not is_loopback(host):
        raise ConfigError(
            f"Refusing to listen on {host} without a login: anyone who can reach it could read "
            "and change the documents. Create an admin with `rag users add NAME --role admin`, "
            "or set RAG_WEB__USERNAME and RAG_WEB__PASSWORD, or RAG_API__KEYS; or listen on "
            "127.0.0.1."
        )
    # The embedded index opens a collection once per process: every part shares one Collections.
    collections = collections or getattr(slack_bot, "collections", None) or Collections(engine)
    hosts = settings.access.host_list() + ([host.lower()] if not _is_address(host) else [])
    gate = Gate(authenticator, hosts, collections)
    app = FastAPI(
        title="rag-news",
        summary="Cited answers from news articles: an OpenAI-compatible chat API and a REST API.",
        version="0.1.0",
        docs_url="/docs",
        openapi_url="/openapi.json",
        redoc_url=None,
    )
    app.state.collections = collections
    app.state.gate = gate
    # One writer for every upload and ingest while serving; questions go on meanwhile.
    app.state.jobs = Jobs(engine, engine_for=collections.engine)
    install_handlers(app)
    lines = [
        f"Login required on every route ({authenticator.summary()})"
        if authenticator.configured()
        else "No login configured: this machine only (loopback); `rag users add` creates one",
        "APIs at /v1 and /api (OpenAPI at /docs)",
    ]
    app.include_router(login.router(authenticator))
    service = ApiService(FeedbackLog(settings.web.feedback_path))
    app.include_router(openai_compat.router(service))
    app.include_router(rest.router(service))
    add_fallbacks(app, ("/v1", "/api"))
    app.add_middleware(
        BodyLimit, web=settings.web, upload_paths=("/api/documents", "/gradio_api/upload")
    )
    if slack_bot is not None:
        from ui.slack.bot import add_events_route

        add_events_route(app, slack_bot)
        lines.append("Slack events at /slack/events")
    app.include_router(sources.router())
    # Mounted last: the page owns every path the routes above do not.
    _mount_chat(app, engine, gate)
    # Added last, so outermost: every request, the mounted page's included, passes it first.
    app.add_middleware(Door, gate=gate)
    app.state.stopping = threading.Event()
    app.state.cut = [0]
    app.add_middleware(Stopping, stopping=app.state.stopping, cut=app.state.cut)
    proxies = settings.access.proxy_list()
    if proxies:
        # Outermost: the login's failure count and every log line name the proxy's client.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=proxies)
        lines.append(f"Clients named by X-Forwarded-For from {', '.join(proxies)}")
    return app, lines


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
        return True
    except ValueError:
        return False


def stop_chat(app: FastAPI, loop: asyncio.AbstractEventLoop | None = None) -> None:
    """End the page's event streams and queue, so that the server can stop at once."""
    mounted = getattr(app.routes[-1], "app", None)
    blocks = getattr(mounted, "blocks", None)
    if mounted is None or blocks is None:
        return
    # What Gradio's own Blocks.close does before stopping its server: without it, uvicorn
    # waits for the open event streams, then cancels them with a traceback.
    blocks._queue.close()
    # An asyncio.Event is not thread-safe: set from this thread while the server's loop adds a
    # waiter, it failed with "deque mutated during iteration". The loop sets it itself.
    if loop is not None and loop.is_running():
        loop.call_soon_threadsafe(mounted.stop_event.set)
    else:
        mounted.stop_event.set()


def _mount_chat(app: FastAPI, engine: Engine, gate: Gate) -> None:
    """Mount the chat page at /; the door in front of it does the login."""
    web = engine.settings.web
    blocks = build_app(engine, gate, app.state.jobs)
    # The engine answers one question at a time; the queue holds the rest in order.
    blocks.queue(default_concurrency_limit=4, max_size=256)
    # Each browser session keeps its answers (for feedback); keep the newest sessions only.
    blocks.state_session_capacity = 500
    gr.mount_gradio_app(
        app,
        blocks,
        path="/",
        show_error=False,
        footer_links=[],
        run_history=False,
        css=CSS,
        max_file_size=f"{web.max_upload_mb}mb",
    )


@dataclass
class Running:
    """A server started in a background thread."""

    app: FastAPI
    server: uvicorn.Server
    thread: threading.Thread
    url: str
    lines: list[str] = field(default_factory=list)
    # The server thread's event loop: what it owns is changed through it.
    loop: asyncio.AbstractEventLoop | None = None

    def wait(self) -> None:
        """Serve until Ctrl-C or SIGTERM, then stop cleanly."""
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, lambda *_: self.stop_soon())
        try:
            while self.thread.is_alive():
                self.thread.join(timeout=0.5)
        except KeyboardInterrupt:
            self.close()
            raise
        self.app.state.jobs.close()

    def stop_soon(self) -> None:
        """Ask the server to stop; `wait` returns once it has."""
        self.app.state.stopping.set()
        stop_chat(self.app, self.loop)
        self.server.should_exit = True

    def stopped_line(self) -> str:
        """The one line said once the server has stopped."""
        cut = self.app.state.cut[0]
        return "Stopped." + (f" {counted(cut, 'request')} cut short." if cut else "")

    def close(self) -> None:
        """Stop serving, release the port and the job in hand (resumed later), close collections."""
        self.stop_soon()
        self.thread.join(timeout=15)
        self.app.state.jobs.close()
        self.app.state.collections.close()


def serve(
    engine: Engine,
    host: str,
    port: int,
    slack_bot: Any = None,
    collections: Collections | None = None,
) -> Running:
    """Start the server on host:port in a background thread; return once it listens."""
    app, lines = build_server(engine, host, slack_bot, collections)
    jobs: Jobs = app.state.jobs
    if not jobs.queue.unfinished_uploads():
        # Files a crash left in uploads/ (none belong to a job: no upload job is unfinished).
        lines.append(reconcile_engine_uploads(engine, engine.settings.web.uploads_dir).line())
    resumed = jobs.start()
    if resumed:
        lines.append(f"Resumed {counted(len(resumed), 'interrupted job')}: {', '.join(resumed)}")
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        # Gradio's event streams stay open; don't wait for them longer than this on shutdown.
        timeout_graceful_shutdown=3,
        http=timed_protocol(
            engine.settings.web.request_timeout_s,
            engine.settings.web.max_connections_per_client,
            engine.settings.access.proxy_list(),
        ),
        # uvicorn's own reading trusts loopback's X-Forwarded-For: only the app's, configured.
        proxy_headers=False,
    )
    server = uvicorn.Server(config)
    quiet = _QuietWhileStopping(app.state.stopping)
    for name in ("uvicorn.error", "uvicorn.access", "ui.api.errors"):
        logging.getLogger(name).addFilter(quiet)
    thread = threading.Thread(target=server.run, name="http-server", daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise ConfigError(
                f"Cannot listen on {host}:{port} (see the message above): the port is in use or "
                "the address is not this machine's. Choose another with --port / --host."
            )
        time.sleep(0.05)
    loop = server.servers[0].get_loop() if server.servers else None
    return Running(app, server, thread, f"http://{host}:{port}", lines, loop)
