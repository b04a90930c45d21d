"""HTTP connections with a deadline for each request's head, and a cap per client address."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from typing import Any, ClassVar

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

log = logging.getLogger(__name__)

_TIMED_OUT = (
    b"HTTP/1.1 408 Request Timeout\r\n"
    b"content-type: text/plain; charset=utf-8\r\n"
    b"connection: close\r\n"
    b"content-length: %d\r\n\r\n%s"
)
_TOO_MANY = (
    b"HTTP/1.1 429 Too Many Requests\r\n"
    b"content-type: text/plain; charset=utf-8\r\n"
    b"retry-after: 1\r\n"
    b"connection: close\r\n"
    b"content-length: %d\r\n\r\n%s"
)


class TimedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol; a request line and headers must arrive within head_seconds."""

    # uvicorn disarms its keep-alive timer at the first byte and arms nothing before a
    # connection's first request: a client sending a header byte now and then held a
    # connection (and a file descriptor) forever.
    head_seconds = 10.0
    # Connections one address may hold (0: any number), those it holds, and the addresses whose
    # refusal was logged. A server's connections all run on its event loop: no lock is needed.
    per_client = 0
    held: ClassVar[dict[str, set[asyncio.BaseTransport]]] = {}
    told: ClassVar[set[str]] = set()
    # Trusted reverse proxies: every user's connections arrive from them, so they are not capped.
    proxies: ClassVar[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]] = ()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Refuse a connection over its address's cap; else start the first request's deadline."""
        super().connection_made(transport)
        self._deadline: asyncio.TimerHandle | None = None
        self._address = self.client[0] if self.client else ""
        self._refused = not self._admitted(transport)
        if self._refused:
            self._refuse(transport)
        else:
            self._await_head(extra=0.0)

    def data_received(self, data: bytes) -> None:
        """Parse a request; a refused connection's is read and dropped."""
        if not self._refused:
            super().data_received(data)
        elif not self.transport.can_write_eof():
            self.transport.close()

    def on_response_complete(self) -> None:
        """Give the next request on this connection the same deadline, after the keep-alive."""
        self._await_head(extra=float(self.timeout_keep_alive))
        super().on_response_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        """Drop the deadline and the address's count with the connection."""
        if self._deadline is not None:
            self._deadline.cancel()
        held = self.held.get(self._address)
        if held is not None:
            held.discard(self.transport)
            if not held:
                del self.held[self._address]
                self.told.discard(self._address)
        super().connection_lost(exc)

    def _admitted(self, transport: asyncio.Transport) -> bool:
        if not self.per_client or not self._address or self._from_proxy():
            return True
        held = self.held.setdefault(self._address, set())
        # A connection upgraded to another protocol (a websocket) no longer reports its end here.
        held.difference_update([t for t in held if t.is_closing()])
        if len(held) < self.per_client:
            held.add(transport)
            return True
        return False

    def _from_proxy(self) -> bool:
        try:
            address = ipaddress.ip_address(self._address)
        except ValueError:
            return False
        return any(address in network for network in self.proxies)

    def _refuse(self, transport: asyncio.Transport) -> None:
        if self._address not in self.told:
            # One line until the address lets go of all its connections, not one per refusal.
            self.told.add(self._address)
            log.warning(
                "refused: %s holds %d connections (RAG_WEB__MAX_CONNECTIONS_PER_CLIENT)",
                self._address,
                self.per_client,
            )
        message = (
            f"This address already holds {self.per_client} connections to the server "
            "(RAG_WEB__MAX_CONNECTIONS_PER_CLIENT); close one and try again."
        ).encode()
        transport.write(_TOO_MANY % (len(message), message))
        # Closed at once, the request arriving after would be met with a reset, which can drop
        # the 429 before the client reads it: the reply ends the sending side, the request is
        # read and dropped, and the client's end (or a second's wait) closes the rest.
        if transport.can_write_eof():
            transport.write_eof()
        self._deadline = self.loop.call_later(1.0, transport.close)

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


def timed_protocol(
    head_seconds: float, per_client: int = 0, proxies: list[str] | None = None
) -> type[TimedH11Protocol]:
    """The protocol class with its deadline and cap: uvicorn makes one instance per connection."""
    # Each server counts its own connections: a class of its own, with its own tallies.
    fields = {
        "head_seconds": head_seconds,
        "per_client": per_client,
        "held": {},
        "told": set(),
        "proxies": tuple(ipaddress.ip_network(p) for p in proxies or ()),
    }
    return type("TimedH11Protocol", (TimedH11Protocol,), fields)
