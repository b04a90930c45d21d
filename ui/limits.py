"""Request bodies bounded by the bytes received, however framed, and never inflated."""

from __future__ import annotations

import asyncio
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rag.config import WebSettings
from ui.api.errors import error_response

# Multipart framing around the files of one upload request.
UPLOAD_OVERHEAD = 1_000_000


class BodyLimit:
    """413 for a body over its limit (uploads get more), 408 for one that arrives too slowly."""

    def __init__(self, app: ASGIApp, web: WebSettings, upload_paths: tuple[str, ...] = ()) -> None:
        self.app = app
        self.upload_paths = upload_paths
        self.upload_bytes = web.max_upload_mb * 1_000_000 + UPLOAD_OVERHEAD
        self.other_bytes = web.max_body_kb * 1000
        self.head_start_s = web.request_timeout_s
        self.min_bytes_per_s = web.min_body_kb_per_s * 1000

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Count the body's bytes as they arrive; refuse at the first byte over the limit."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        encoding = headers.get(b"content-encoding", b"identity").decode("latin-1").strip()
        if encoding.lower() not in ("", "identity"):
            # Never inflated: a small compressed body could stand for gigabytes of JSON.
            response = error_response(
                415,
                f"Request bodies are read uncompressed; this one came with Content-Encoding: "
                f"{encoding[:40]}. Send it without compression.",
                "unsupported_media_type",
            )
            await response(scope, receive, send)
            return
        upload = scope["path"] in self.upload_paths
        limit = self.upload_bytes if upload else self.other_bytes
        declared = headers.get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await self._refuse(scope, receive, send, upload, int(declared), declared=True)
            return
        received = 0
        started = refused = complete = False
        opened = time.monotonic()

        async def counted() -> Message:
            nonlocal received, refused, complete
            if refused:
                return {"type": "http.disconnect"}
            if complete:
                # Past the body the app waits for the client leaving, as long as it streams.
                return await receive()
            # A client sending a byte now and then would hold the request open for ever.
            due = opened + self.head_start_s + received / self.min_bytes_per_s
            try:
                message = await asyncio.wait_for(receive(), max(due - time.monotonic(), 0.0))
            except TimeoutError:
                refused = True
                if not started:
                    await self._too_slow(scope, receive, send, received, time.monotonic() - opened)
                return {"type": "http.disconnect"}
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                complete = not message.get("more_body", False)
                if received > limit:
                    # Answered here, at once; the app sees the client gone and stops reading.
                    refused = True
                    if not started:
                        await self._refuse(scope, receive, send, upload, received, declared=False)
                    return {"type": "http.disconnect"}
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            if refused:
                return  # what the app says after the refusal is not sent
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except Exception:
            # The app failed on the body cut short (a client gone, to it): already answered.
            if not refused:
                raise

    async def _too_slow(
        self, scope: Scope, receive: Receive, send: Send, size: int, seconds: float
    ) -> None:
        message = (
            f"The request body arrived too slowly ({size:,} bytes in {seconds:.0f} s): after "
            f"{self.head_start_s:g} s it must come at {self.min_bytes_per_s / 1000:g} kB/s or "
            "more (RAG_WEB__MIN_BODY_KB_PER_S)."
        )
        response = error_response(408, message, "request_timeout")
        # The rest of the body is not waited for: the connection ends with the answer.
        response.headers["connection"] = "close"
        await response(scope, receive, send)

    async def _refuse(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        upload: bool,
        size: int,
        declared: bool,
    ) -> None:
        if upload:
            limit = (self.upload_bytes - UPLOAD_OVERHEAD) / 1e6
            message = (
                f"The upload is {size / 1e6:.1f} MB, over the {limit:.0f} MB limit "
                "(RAG_WEB__MAX_UPLOAD_MB)."
                if declared
                else f"The upload is over the {limit:.0f} MB limit (RAG_WEB__MAX_UPLOAD_MB): "
                f"it was refused after {size / 1e6:.1f} MB."
            )
        else:
            message = (
                f"The request body is over the {self.other_bytes // 1000:,} kB limit "
                "(RAG_WEB__MAX_BODY_KB); send less history or a shorter question."
            )
        response = error_response(413, message, "payload_too_large")
        await response(scope, receive, send)
