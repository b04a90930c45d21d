"""The login form and logout: a session cookie for the browser, strict and HTTP-only."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from rag.access.login import Authenticator
from rag.errors import AuthenticationError, TooManyAttemptsError
from ui.door import COOKIE, LOGIN, LOGOUT, login_page, session_token

log = logging.getLogger("ui.door")
# Form fields longer than this are no user name or password: refused before any hashing.
_MAX_FIELD = 1024


def _next(value: str | None) -> str:
    # Only a path on this server: "//evil.example" or "https://…" would send the user away.
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


def _secure(request: Request) -> bool:
    return request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https"


def router(authenticator: Authenticator) -> APIRouter:
    """GET and POST /login, POST /logout."""
    routes = APIRouter(include_in_schema=False)

    @routes.get(LOGIN)
    def form(next: str | None = None) -> HTMLResponse:
        return HTMLResponse(login_page(_next(next)), headers={"cache-control": "no-store"})

    @routes.post(LOGIN)
    async def login(request: Request) -> Response:
        form = await request.form(max_files=0, max_fields=5, max_part_size=_MAX_FIELD)
        name, password = str(form.get("username", "")), str(form.get("password", ""))
        target = _next(str(form.get("next", "/")))
        client = request.client.host if request.client else "?"
        if not name or not password or len(name) > _MAX_FIELD or len(password) > _MAX_FIELD:
            return HTMLResponse(login_page(target, "Enter a user name and a password."), 400)
        try:
            # argon2 takes a good part of a second of CPU: not on the event loop.
            principal = await run_in_threadpool(authenticator.password, client, name, password)
        except TooManyAttemptsError as exc:
            log.warning("refused: too many failed logins from %s", client)
            headers = {"retry-after": str(exc.retry_after)}
            return HTMLResponse(login_page(target, str(exc)), 429, headers=headers)
        except AuthenticationError as exc:
            log.warning("refused: failed login for %r from %s", name[:64], client)
            return HTMLResponse(login_page(target, str(exc)), 401)
        token = await run_in_threadpool(authenticator.start_session, principal)
        log.info("login: %s from %s", principal.name, client)
        response = RedirectResponse(target, 303)
        response.set_cookie(
            COOKIE,
            token,
            max_age=int(authenticator.session_hours * 3600),
            httponly=True,
            samesite="strict",
            secure=_secure(request),
            path="/",
        )
        return response

    @routes.post(LOGOUT)
    def logout(request: Request) -> Response:
        token = session_token(request.headers)
        if token:
            authenticator.store.end_session(token)
        response = RedirectResponse(LOGIN, 303)
        response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
        return response

    return routes
