"""HTTP connections with a deadline for each request's head: a trickling client is dropped."""

from __future__ import annotations

import asyncio
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

_TIMED_OUT = (
    b"HTTP/1.1 408 Request Timeout\r\n"
    b"content-type: text/plain; charset=utf-8\r\n"
    b"connection: close\r\n"
    b"content-length: %d\r\n\r\n%s"
)


class TimedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol; a request line and headers must arrive within head_seconds."""

    # uvicorn disarms its keep-alive timer at the first byte and arms nothing before a
    # connection's first request: a client sending a header byte now and then held a
    # connection (and a file descriptor) forever.
    head_seconds = 10.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Start the first request's deadline."""
        super().connection_made(transport)
        self._deadline: asyncio.TimerHandle | None = None
        self._await_head(extra=0.0)

    def on_response_complete(self) -> None:
        """Give the next request on this connection the same deadline, after the keep-alive."""
        self._await_head(extra=float(self.timeout_keep_alive))
        super().on_response_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        """Drop the deadline with the connection."""
        if self._deadline is not None:
            self._deadline.cancel()
        super().connection_lost(exc)

    def _await_head(self, extra: float) -> None:
        # Taken before a pipelined request can start: a new cycle means its head arrived.
        waiting_for = self.cycle
        if self._deadline is not None:
            self._deadline.cancel()
        self._deadline = self.loop.call_later(self.head_seconds + extra, self._expire, waiting_for)

    def _expire(self, waiting_for: Any) -> None:
        if self.cycle is not waiting_for or self.transport.is_closing():
            return
        if self.transport.get_protocol() is not self:
            return  # upgraded (a websocket): no longer a request of ours to wait for
        if self.conn.their_state is not h11.IDLE:
            # Still sending the body of a request already answered: nothing more to say.
            self.transport.close()
            return
        message = (
            f"The request's headers did not arrive within {self.head_seconds:g} s "
            "(RAG_WEB__REQUEST_TIMEOUT_S)."
        ).encode()
        self.transport.write(_TIMED_OUT % (len(message), message))
        self.transport.close()


def timed_protocol(head_seconds: float) -> type[TimedH11Protocol]:
    """The protocol class with its deadline: uvicorn makes one instance per connection."""
    return type("TimedH11Protocol", (TimedH11Protocol,), {"head_seconds": head_seconds})
