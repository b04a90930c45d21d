"""Errors of the HTTP APIs as JSON in OpenAI's shape, one status per kind of error."""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException
from starlette.routing import Match

from rag import errors

log = logging.getLogger(__name__)

# The first row that matches wins: subclasses before the classes they extend.
STATUS: tuple[tuple[type[errors.RagError], int, str], ...] = (
    (errors.TooManyAttemptsError, 429, "rate_limited"),
    (errors.AuthenticationError, 401, "invalid_api_key"),
    (errors.ForbiddenError, 403, "forbidden"),
    (errors.CollectionError, 404, "collection_not_found"),
    (errors.AccessError, 400, "invalid_request"),
    (errors.UploadTooLargeError, 413, "payload_too_large"),
    (errors.DocumentLimitError, 413, "document_over_limit"),
    (errors.DocumentConflictError, 409, "document_conflict"),
    (errors.QuestionError, 400, "invalid_question"),
    (errors.DocumentError, 400, "invalid_document"),
    (errors.DocumentNotFoundError, 404, "document_not_found"),
    (errors.AnswerNotFoundError, 404, "answer_not_found"),
    (errors.JobNotFoundError, 404, "job_not_found"),
    (errors.UnknownModelError, 404, "model_not_found"),
    (errors.IndexEmptyError, 409, "index_empty"),
    (errors.IndexLockedError, 503, "index_locked"),
    (errors.StoreUnavailableError, 503, "store_unavailable"),
    (errors.ModelError, 503, "model_unavailable"),
    (errors.ConfigError, 503, "misconfigured"),
    (errors.RagError, 500, "server_error"),
)
_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    429: "rate_limit_error",
}
_UNPARSED = "There was an error parsing the body"
_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
_TYPE_TRIED = re.compile(r"^(str|int|float|bool|none|dict|list)$|\[")


class ErrorDetail(BaseModel):
    """What went wrong, for a person (message) and for a program (type, code, param)."""

    message: str
    type: str
    code: str | None = None
    param: str | None = None


class ErrorBody(BaseModel):
    """Every API error: `{"error": {...}}`, as OpenAI's API answers, so its clients read it."""

    error: ErrorDetail


def error_response(
    status: int, message: str, code: str | None = None, param: str | None = None
) -> JSONResponse:
    """A JSON error response."""
    kind = _TYPES.get(status, "server_error" if status >= 500 else "invalid_request_error")
    body = ErrorBody(error=ErrorDetail(message=message, type=kind, code=code, param=param))
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body.model_dump(), status_code=status, headers=headers)


def rag_error_response(exc: errors.RagError) -> JSONResponse:
    """The response for one of the project's errors."""
    for kind, status, code in STATUS:
        if isinstance(exc, kind):
            return error_response(status, str(exc), code, exc.param)
    raise AssertionError(type(exc))


# What an error of each status looks like, for the OpenAPI description of every route.
RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": description}
    for status, description in (
        (401, "Missing or wrong API key"),
        (422, "The request does not match the schema; `param` names the field"),
        (500, "An unexpected error (logged on the server)"),
        (503, "The index or a model is unavailable"),
    )
}


def install_handlers(app: FastAPI) -> None:
    """Turn every failure into a JSON error: the project's errors, bad input, and the rest."""

    async def on_rag_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, errors.RagError)
        return rag_error_response(exc)

    async def on_invalid(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        problems = exc.errors()
        first: dict[str, Any] = dict(problems[0]) if problems else {"msg": "invalid request"}
        location = tuple(first.get("loc", ()))
        content_type = request.headers.get("content-type", "")
        if location == ("body",) and first.get("type") == "missing":
            return error_response(
                400, "The request has no body: send a JSON object.", "invalid_request"
            )
        if location == ("body",) and "json" not in content_type and "multipart" not in content_type:
            # curl -d sends a form: say what to send rather than why a form isn't an object.
            return error_response(
                415,
                f"The body must be JSON, sent with Content-Type: application/json (it came as "
                f"{content_type or 'no content type'}).",
                "unsupported_media_type",
            )
        if first.get("type") == "json_invalid":
            reason = dict(first.get("ctx") or {}).get("error", "invalid JSON")
            return error_response(
                400,
                f"The body is not valid JSON: {reason} (character {location[-1]}).",
                "invalid_json",
            )
        # "body.messages.0.content" names the field; the leading "body" is noise to a caller.
        # A field of several types adds the type tried ("messages.0.content.str"): not a field.
        where = [
            str(part) for part in location if part != "body" and not _TYPE_TRIED.match(str(part))
        ]
        param = ".".join(where) or None
        # Our own validators' messages come prefixed by pydantic; the reader needs only the why.
        reason = str(first["msg"]).removeprefix("Value error, ")
        message = f"{param}: {reason}" if param else reason
        return error_response(422, message, "invalid_request", param)

    async def on_http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HTTPException)
        if exc.status_code == 400 and exc.detail == _UNPARSED:
            # FastAPI's words when the body is not UTF-8, or nests deeper than Python can read.
            return error_response(
                400,
                "The body is not valid JSON: it must be UTF-8 text of a usual depth.",
                "invalid_json",
            )
        return error_response(exc.status_code, str(exc.detail), None)

    async def on_bug(request: Request, exc: Exception) -> JSONResponse:
        stopping = getattr(request.app.state, "stopping", None)
        if stopping is not None and stopping.is_set():
            # Cut short by the server stopping: counted and said once when it has stopped.
            return error_response(503, "The server is stopping; try again when it is back.")
        log.exception("%s %s failed", request.method, request.url.path, exc_info=exc)
        return error_response(500, "The server failed to answer; the error has been logged.")

    app.add_exception_handler(errors.RagError, on_rag_error)
    app.add_exception_handler(RequestValidationError, on_invalid)
    app.add_exception_handler(HTTPException, on_http_error)
    app.add_exception_handler(Exception, on_bug)


def add_fallbacks(app: FastAPI, prefixes: tuple[str, ...]) -> None:
    """JSON errors for paths under the APIs that no route serves: 405 for a wrong method, or 404."""
    # The routes so far: the APIs' own, before these fallbacks and the chat page.
    routes = list(app.router.routes)

    async def fallback(request: Request) -> JSONResponse:
        path = request.url.path
        allowed = [
            method
            for method in _METHODS
            if any(r.matches({**request.scope, "method": method})[0] == Match.FULL for r in routes)
        ]
        if allowed:
            response = error_response(
                405,
                f"{request.method} is not allowed on {path}; use {' or '.join(allowed)}.",
                "method_not_allowed",
            )
            response.headers["Allow"] = ", ".join(allowed)
            return response
        return error_response(
            404, f"There is no {path} in this API; /docs lists its routes.", "not_found"
        )

    # Without these fallbacks, the chat page mounted at / would answer with its own HTML-app errors.
    for prefix in prefixes:
        app.add_api_route(
            prefix + "/{rest:path}", fallback, methods=_METHODS, include_in_schema=False
        )
