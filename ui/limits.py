"""Request bodies bounded by the bytes received, however framed, and never inflated."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ui.api.errors import error_response

# Multipart framing around the files of one upload request.
UPLOAD_OVERHEAD = 1_000_000


class BodyLimit:
    """413 for a body over its limit: uploads get the upload limit, every other request less."""

    def __init__(
        self, app: ASGIApp, upload_paths: tuple[str, ...], upload_bytes: int, other_bytes: int
    ) -> None:
        self.app = app
        self.upload_paths = upload_paths
        self.upload_bytes = upload_bytes
        self.other_bytes = other_bytes

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
        started = refused = False

        async def counted() -> Message:
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
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
