"""A recording fake of Anthropic's Messages API on loopback, streaming a canned answer."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from tests.loopback import QuietHandler, serve


@dataclass
class FakeAnthropic:
    """Serves POST /v1/messages; `answer` is what the "model" says, split into a few deltas."""

    answer: str = ""
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)

    def start(self) -> str:
        """Serve on a free loopback port; return the base URL."""
        fake = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.requests.append(body)
                fake.headers.append({k.lower(): v for k, v in self.headers.items()})
                if body.get("stream"):
                    self._stream(body)
                else:
                    self._reply(body)

            def _stream(self, body: dict[str, Any]) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                words = fake.answer.split(" ")
                pieces = [" ".join(words[i : i + 3]) + " " for i in range(0, len(words), 3)]
                events: list[tuple[str, dict[str, Any]]] = [
                    ("message_start", {"type": "message_start", "message": _message(body, "")}),
                    (
                        "content_block_start",
                        {
                            "type": "content_block_start",
                            "index": 0,
                            "content_block": {"type": "text", "text": ""},
                        },
                    ),
                    *[
                        (
                            "content_block_delta",
                            {
                                "type": "content_block_delta",
                                "index": 0,
                                "delta": {"type": "text_delta", "text": piece},
                            },
                        )
                        for piece in pieces
                    ],
                    ("content_block_stop", {"type": "content_block_stop", "index": 0}),
                    (
                        "message_delta",
                        {
                            "type": "message_delta",
                            "delta": {"stop_reason": "end_turn"},
                            "usage": {"output_tokens": len(words)},
                        },
                    ),
                    ("message_stop", {"type": "message_stop"}),
                ]
                for name, data in events:
                    self.wfile.write(f"event: {name}\ndata: {json.dumps(data)}\n\n".encode())
                    self.wfile.flush()

            def _reply(self, body: dict[str, Any]) -> None:
                self.send_json(_message(body, fake.answer))

        self.server = serve(Handler)
        return f"http://127.0.0.1:{self.server.server_port}"

    def stop(self) -> None:
        """Shut the server down and close its port."""
        self.server.shutdown()
        self.server.server_close()


def _message(body: dict[str, Any], text: str) -> dict[str, Any]:
    return {
        "id": "msg_fake",
        "type": "message",
        "role": "assistant",
        "model": body.get("model", "claude"),
        "content": [{"type": "text", "text": text}] if text else [],
        "stop_reason": "end_turn" if text else None,
        "stop_sequence": None,
        "usage": {"input_tokens": 10, "output_tokens": len(text.split())},
    }
