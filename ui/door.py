"""The one door every route passes: Host and Origin checks, then a login, a session or a key."""

from __future__ import annotations

import html
import ipaddress
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Annotated, Any
from urllib.parse import quote, urlsplit

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Send
from starlette.types import Scope as Scope_

from rag.access import LOCAL, Principal, Scope
from rag.access.login import Authenticator
from rag.collections import Collections
from rag.errors import AuthenticationError

log = logging.getLogger("ui.door")

COOKIE = "rag_session"
LOGIN = "/login"
LOGOUT = "/logout"
# Reachable without a credential: the login form itself, and Slack's events (Slack's signature
# is their credential, checked by the bot).
OPEN = frozenset({("GET", LOGIN), ("POST", LOGIN), ("POST", LOGOUT), ("POST", "/slack/events")})
_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_HEADERS = [
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", b"frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
]


def is_loopback(host: str) -> bool:
    """True when a listening address is reachable from this machine only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def host_name(value: str) -> str:
    """The host of a Host header or an origin's netloc, lower-case, without port or brackets."""
    parsed = urlsplit(f"//{value}")
    try:
        return (parsed.hostname or "").lower()
    except ValueError:
        return ""


class Gate:
    """The checks themselves: which hosts are served, and who a request's credential names."""

    def __init__(
        self, authenticator: Authenticator, hosts: list[str], collections: Collections
    ) -> None:
        self.authenticator = authenticator
        self.hosts = {"localhost", *hosts}
        self.collections = collections
        self.login_required = authenticator.configured()

    def scope(self, principal: Principal | None) -> Scope:
        """What a principal may see and do, over the server's collections."""
        if principal is None:
            raise AuthenticationError("Log in first.")
        return Scope(principal, self.collections, self.authenticator.store)

    def request_scope(self, request: Request) -> Scope:
        """The scope of a request the door let in (a FastAPI dependency)."""
        return self.scope(getattr(request.state, "principal", None))

    def scope_of(self, headers: Mapping[str, str]) -> Scope:
        """The scope of a request known by its headers (Gradio's handlers get only those)."""
        return self.scope(self.principal(headers))

    def principal(self, headers: Mapping[str, str]) -> Principal | None:
        """Who sent the request (None: no credential); AuthenticationError for a bad one."""
        if not self.login_required:
            if not self.authenticator.configured():
                return LOCAL
            # A login added while serving is required from then on, until the server stops:
            # removing the last user must not open the door to everyone.
            self.login_required = True
        scheme, _, token = headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            return self.authenticator.bearer(token.strip())
        session = session_token(headers)
        if session:
            found = self.authenticator.session(session)
            if found is None:
                raise AuthenticationError("Your login has ended (logged out, expired or removed).")
            return found
        return None

    def refusal(self, scope: Scope_, headers: Headers) -> Refusal | None:
        """400 for a foreign Host, 403 for another origin; None when both checks pass."""
        host = host_name(headers.get("host", ""))
        if not self._host_allowed(host):
            log.warning("refused: Host %r is not allowed", host[:100])
            return Refusal(
                400,
                _error(
                    400,
                    f"This server does not answer to the host name {host!r}: add it to "
                    "RAG_ACCESS__ALLOWED_HOSTS if it is this server's name.",
                    "host_not_allowed",
                ),
            )
        origin = headers.get("origin")
        site = headers.get("sec-fetch-site", "")
        own = headers.get("host", "").lower()
        cross = origin is not None and urlsplit(origin).netloc.lower() != own
        if cross or (scope.get("method") in _WRITES and site in ("cross-site", "same-site")):
            log.warning("refused: a request from another origin (%s)", (origin or site)[:100])
            return Refusal(
                403,
                _error(
                    403,
                    "Requests from another web site are refused: use this server's own page, "
                    "or an API client (which sends no Origin).",
                    "cross_origin",
                ),
            )
        return None

    def _host_allowed(self, host: str) -> bool:
        if host in self.hosts:
            return True
        try:
            # An address cannot be rebound to another server by DNS: any of them is fine.
            ipaddress.ip_address(host)
            return True
        except ValueError:
            return False


@dataclass(frozen=True)
class Refusal:
    """A response the door gives instead of the route's."""

    status: int
    body: dict[str, Any]
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)


class Door:
    """ASGI middleware in front of the whole app: nothing reaches a route without passing it."""

    def __init__(self, app: ASGIApp, gate: Gate) -> None:
        self.app = app
        self.gate = gate

    async def __call__(self, scope: Scope_, receive: Receive, send: Send) -> None:
        """Refuse what fails a check; pass the rest on with its principal in the request state."""
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        refusal = self.gate.refusal(scope, headers)
        if refusal is None:
            try:
                principal = self.gate.principal(headers)
                problem = "Log in first: send 'Authorization: Bearer KEY', or log in on the page."
            except AuthenticationError as exc:
                # Said to the client, and logged without the credential itself.
                log.warning("refused: %s (%s %s)", exc, scope.get("method", "WS"), scope["path"])
                principal, problem = None, str(exc)
            if principal is None and (scope.get("method"), scope["path"]) not in OPEN:
                refusal = _unauthenticated(scope, headers, problem)
            elif principal is not None and _uploads(scope) and not principal.edits_any:
                # Gradio keeps what is posted here as temporary files before any handler runs:
                # one who may not add documents anywhere has nothing to send.
                log.warning("refused: an upload from %s, who edits no collection", principal.name)
                refusal = Refusal(
                    403,
                    _error(
                        403,
                        f"{principal.name} may not upload files: the editor role on a collection "
                        "is needed to add documents.",
                        "forbidden",
                    ),
                )
            else:
                scope.setdefault("state", {})["principal"] = principal

        async def secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *_HEADERS]
            await send(message)

        if refusal is not None:
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})
                return
            await _respond(secured, refusal)
            return
        await self.app(scope, receive, secured)


def _uploads(scope: Scope_) -> bool:
    """Whether a request posts files to Gradio's upload route (wherever Gradio is mounted)."""
    return scope.get("method") == "POST" and str(scope["path"]).endswith("/gradio_api/upload")


def session_token(headers: Mapping[str, str]) -> str:
    """The session cookie's value, or ""."""
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(headers.get("cookie", ""))
    except Exception:
        return ""
    morsel = jar.get(COOKIE)
    return morsel.value if morsel is not None else ""


_KINDS = {400: "invalid_request_error", 401: "authentication_error", 403: "permission_error"}


def _error(status: int, message: str, code: str) -> dict[str, Any]:
    # The APIs' own error shape, so an API client reads every refusal alike.
    error = {"message": message, "type": _KINDS[status], "code": code, "param": None}
    return {"error": error}


def _unauthenticated(scope: Scope_, headers: Headers, problem: str) -> Refusal:
    """A page request goes to the login form; anything else gets 401 and a JSON error."""
    wants_page = scope.get("method") == "GET" and "text/html" in headers.get("accept", "")
    if wants_page:
        target = scope["path"] + (
            f"?{scope['query_string'].decode()}" if scope.get("query_string") else ""
        )
        location = f"{LOGIN}?next={quote(target, safe='')}"
        return Refusal(303, {}, [(b"location", location.encode())])
    return Refusal(
        401,
        _error(401, problem, "invalid_api_key"),
        [(b"www-authenticate", b"Bearer")],
    )


async def _respond(send: Send, refusal: Refusal) -> None:
    data = json.dumps(refusal.body).encode() if refusal.body else b""
    await send(
        {
            "type": "http.response.start",
            "status": refusal.status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(data)).encode()),
                (b"cache-control", b"no-store"),
                *refusal.headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": data})


def login_page(next_path: str, message: str = "") -> str:
    """The login form: plain HTML, no script, nothing it needs from behind the door."""
    note = f'<p class="error">{html.escape(message)}</p>' if message else ""
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Log in — rag-news</title>
<style>body {{ font: 16px/1.5 system-ui, sans-serif; max-width: 22rem; margin: 5rem auto; }}
label, input, button {{ display: block; width: 100%; margin: .3rem 0; }}
input, button {{ padding: .5rem; font: inherit; }} .error {{ color: #b00020; }}</style></head>
<body><h1>Log in</h1>{note}<form method="post" action="{LOGIN}">
<input type="hidden" name="next" value="{html.escape(next_path)}">
<label>User name <input name="username" autocomplete="username" required autofocus></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required>
</label><button type="submit">Log in</button></form></body></html>"""


def request_scope(request: Request) -> Scope:
    """A FastAPI dependency: the scope of the principal the door let in."""
    gate: Gate = request.app.state.gate
    return gate.request_scope(request)


# A route parameter of this type is the caller's scope.
Access = Annotated[Scope, Depends(request_scope)]

_BEARER = HTTPBearer(
    auto_error=False, description="An API key: `rag keys create`, or one of RAG_API__KEYS"
)


def bearer_documented(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_BEARER)],
) -> None:
    """Only shows the bearer key in the OpenAPI description: the door has checked it already."""
