"""A recording fake of Slack's Web API and Socket Mode websocket on loopback, for bot tests."""

from __future__ import annotations

import asyncio
import json
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from tests.loopback import QuietHandler, serve


@dataclass
class Call:
    """One Web API request: the method, its arguments and whether a token came with it."""

    method: str
    args: dict[str, Any]
    authorized: bool


@dataclass
class FakeSlack:
    """Answers Web API methods like Slack does, and records every call."""

    calls: list[Call] = field(default_factory=list)
    threads: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    rate_limit_next_posts: int = 0
    socket_url: str = ""
    api_url: str = ""
    _ts: int = 1_700_000_000
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> str:
        """Serve on a free loopback port; return the API base URL."""
        fake = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode("utf-8")
                if "json" in (self.headers.get("Content-Type") or ""):
                    args = json.loads(raw or "{}")
                else:
                    args = {k: v[0] for k, v in parse_qs(raw).items()}
                method = self.path.rsplit("/", 1)[-1]
                authorized = (self.headers.get("Authorization") or "").startswith("Bearer ")
                status, body, headers = fake.respond(method, args, authorized)
                self.send_json(body, status, headers)

        self.server = serve(Handler)
        self.api_url = f"http://127.0.0.1:{self.server.server_port}/api/"
        return self.api_url

    def stop(self) -> None:
        """Shut the server down."""
        self.server.shutdown()

    def respond(
        self, method: str, args: dict[str, Any], authorized: bool
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        """Slack's answer to one call."""
        with self._lock:
            self.calls.append(Call(method, args, authorized))
            if method == "chat.postMessage" and self.rate_limit_next_posts > 0:
                self.rate_limit_next_posts -= 1
                return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "1"}
            self._ts += 1
            ts = f"{self._ts}.000100"
        match method:
            case "auth.test":
                return 200, {"ok": True, "user_id": "UBOT", "bot_id": "BBOT", "team_id": "T1"}, {}
            case "chat.postMessage":
                return 200, {"ok": True, "channel": args.get("channel"), "ts": ts}, {}
            case "conversations.replies":
                return 200, {"ok": True, "messages": self.threads.get(str(args.get("ts")), [])}, {}
            case "chat.postEphemeral":
                return 200, {"ok": True, "message_ts": ts}, {}
            case "apps.connections.open":
                return 200, {"ok": True, "url": self.socket_url}, {}
        return 200, {"ok": False, "error": "unknown_method"}, {}

    def posts(self) -> list[dict[str, Any]]:
        """The arguments of every message the bot posted (not counting rate-limited attempts)."""
        with self._lock:
            return [c.args for c in self.calls if c.method == "chat.postMessage"]

    def count(self, method: str) -> int:
        """How many times a method was called."""
        with self._lock:
            return sum(c.method == method for c in self.calls)


class FakeSocketMode:
    """A websocket endpoint that speaks Slack's Socket Mode: hello, then envelopes; records acks."""

    def __init__(self) -> None:
        self.acks: list[dict[str, Any]] = []
        self.outbox: asyncio.Queue[dict[str, Any]] | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.ready = threading.Event()
        self.port = 0

    def start(self) -> str:
        """Serve on a free loopback port; return the ws:// URL."""
        threading.Thread(target=self._run, daemon=True).start()
        self.ready.wait(10)
        return f"ws://127.0.0.1:{self.port}/link"

    def send(self, envelope: dict[str, Any]) -> None:
        """Deliver an envelope to the connected bot."""
        assert self.loop is not None and self.outbox is not None
        self.loop.call_soon_threadsafe(self.outbox.put_nowait, envelope)

    def _run(self) -> None:
        import websockets

        async def session(connection: Any) -> None:
            await connection.send(json.dumps({"type": "hello", "num_connections": 1}))

            async def pump() -> None:
                assert self.outbox is not None
                while True:
                    await connection.send(json.dumps(await self.outbox.get()))

            sender = asyncio.ensure_future(pump())
            try:
                async for message in connection:
                    self.acks.append(json.loads(message))
            finally:
                sender.cancel()

        async def main() -> None:
            self.loop = asyncio.get_running_loop()
            self.outbox = asyncio.Queue()
            async with websockets.serve(session, "127.0.0.1", 0) as server:
                self.port = next(iter(server.sockets)).getsockname()[1]
                self.ready.set()
                await asyncio.Future()

        asyncio.run(main())
