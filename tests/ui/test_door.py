"""The one door: every route of the app, walked, refuses what it must before any work is done."""

from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute
from starlette.websockets import WebSocketDisconnect

from rag.access import AccessStore, Role
from rag.collections import Collections
from rag.engine import Engine
from tests.fixtures import NSCALE_SOURCE, make_settings
from ui.server import build_server

BASE = "http://127.0.0.1"
PASSWORD = "correct horse battery"
# Filled into a route's path parameters.
VALUES = {"collection": "articles", "source": NSCALE_SOURCE, "model": "rag-news", "job_id": "x"}


@pytest.fixture
def app(tmp_path: Path, embed_model: Any) -> Iterator[tuple[FastAPI, AccessStore, Engine]]:
    """The whole app over an empty index, with two collections, users and keys."""
    settings = make_settings(tmp_path / "index", web={"uploads_dir": tmp_path / "uploads"})
    with Engine.open(settings, embed_model) as engine:
        Collections(engine).create("finance")
        store = AccessStore(settings.access_path())
        store.add_user("ed", PASSWORD, {"articles": Role.EDITOR})
        app, _ = build_server(engine, "127.0.0.1")
        yield app, store, engine


def routes(app: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    """(method, path) of every route, those of mounted apps (the page's Gradio app) included."""
    for route in app.routes:
        if hasattr(route, "original_router"):
            # FastAPI's record of an included router (Gradio's /gradio_api routes are one).
            yield from routes(route.original_router, prefix + route.include_context.prefix)
            continue
        assert isinstance(route, BaseRoute), route
        if isinstance(route, Mount):
            yield from routes(route.app, prefix + route.path)
        elif isinstance(route, WebSocketRoute):
            yield "WEBSOCKET", prefix + route.path
        elif isinstance(route, Route):
            path = re.sub(r"{(\w+)(:\w+)?}", lambda m: VALUES.get(m.group(1), "x"), route.path)
            for method in sorted((route.methods or {"GET"}) - {"HEAD"}):
                yield method, prefix + path


def call(client: TestClient, method: str, path: str, **kwargs: Any) -> int:
    if method == "WEBSOCKET":
        # The door closes a websocket it refuses before accepting it.
        with pytest.raises(WebSocketDisconnect), client.websocket_connect(path, **kwargs):
            pass
        return 0
    return client.request(method, path, **kwargs).status_code


def test_every_route_refuses_a_request_without_credentials(
    app: tuple[FastAPI, AccessStore, Engine],
) -> None:
    client = TestClient(app[0], base_url=BASE, follow_redirects=False)
    walked = list(routes(app[0]))
    # The page, its Gradio API and files, the APIs, the sources and the docs are all there.
    paths = {path for _, path in walked}
    for expected in (
        "/config",
        "/gradio_api/queue/join",
        "/gradio_api/upload",
        "/api/ask",
        "/v1/chat/completions",
        f"/source/articles/{NSCALE_SOURCE}",
        "/docs",
        "/openapi.json",
        "/login",
    ):
        assert expected in paths, expected
    answered = {}
    for method, path in walked:
        answered[method, path] = call(client, method, path)
    open_ones = {
        ("GET", "/login"): 200,
        ("POST", "/login"): 400,  # no form: nothing to check
        ("POST", "/logout"): 303,
    }
    for (method, path), status in answered.items():
        assert status == open_ones.get((method, path), 401 if method != "WEBSOCKET" else 0), (
            method,
            path,
        )
    # A page asked for by a browser goes to the login form instead.
    page = client.get("/", headers={"Accept": "text/html"})
    assert (page.status_code, page.headers["location"]) == (303, "/login?next=%2F")
    assert app[2].sources() == set()


def test_every_route_refuses_a_foreign_host_and_another_origin(
    app: tuple[FastAPI, AccessStore, Engine],
) -> None:
    key = app[1].create_key("test", {"*": Role.ADMIN}).key
    bearer = {"Authorization": f"Bearer {key}"}
    rebound = TestClient(app[0], base_url="http://attacker.example:7860")
    client = TestClient(app[0], base_url=BASE)
    for method, path in routes(app[0]):
        if method == "WEBSOCKET":
            continue
        # DNS rebinding: a name of the attacker's that now points here.
        foreign = rebound.request(method, path, headers=bearer)
        assert foreign.status_code == 400, (method, path)
        assert foreign.json()["error"]["code"] == "host_not_allowed"
        # A page of another site, with the browser's credentials.
        crossed = client.request(
            method, path, headers={**bearer, "Origin": "http://127.0.0.1:9999"}
        )
        assert crossed.status_code == 403, (method, path)
        assert crossed.json()["error"]["message"] == (
            "Requests from another web site are refused: use this server's own page, or an "
            "API client (which sends no Origin)."
        )
        assert crossed.headers["x-frame-options"] == "DENY"
    assert app[2].sources() == set()


def test_a_reader_of_another_collection_sees_and_changes_nothing_here(
    app: tuple[FastAPI, AccessStore, Engine], tmp_path: Path
) -> None:
    key = app[1].create_key("finance team", {"finance": Role.READER}).key
    client = TestClient(app[0], base_url=BASE, headers={"Authorization": f"Bearer {key}"})
    ask = {"messages": [{"role": "user", "content": "How much did Nscale raise?"}]}
    expected: dict[tuple[str, str], tuple[int, dict[str, Any]]] = {
        ("GET", "/v1/models"): (200, {}),
        ("GET", "/v1/models/rag-news"): (404, {}),
        ("POST", "/v1/chat/completions"): (404, {"json": {**ask, "model": "rag-news/articles"}}),
        ("POST", "/api/ask"): (404, {"json": {"question": "Nscale?", "collection": "articles"}}),
        ("GET", "/api/status"): (404, {"params": {"collection": "articles"}}),
        ("GET", "/api/documents"): (404, {"params": {"collection": "articles"}}),
        ("POST", "/api/documents"): (
            403,
            {"params": {"collection": "finance"}, "files": {"files": ("a.txt", b"planted")}},
        ),
        ("DELETE", f"/api/documents/{NSCALE_SOURCE}"): (403, {"params": {"collection": "finance"}}),
        ("POST", "/api/feedback"): (404, {"json": {"answer_id": "x", "vote": "up"}}),
        ("GET", "/api/jobs"): (200, {}),
        ("GET", "/api/jobs/x"): (404, {}),
        ("GET", f"/source/articles/{NSCALE_SOURCE}"): (404, {}),
        ("GET", "/docs"): (200, {}),
        ("GET", "/openapi.json"): (200, {}),
    }
    walked = {
        (m, p)
        for m, p in routes(app[0])
        # The APIs' catch-all answers a JSON 404 for any path it lacks.
        if p.startswith(("/v1", "/api", "/source")) and p not in ("/v1/x", "/api/x")
    }
    # A route added to the APIs later must be added here, with what a stranger gets from it.
    assert walked == {k for k in expected if k[1] not in ("/docs", "/openapi.json")}
    for (method, path), (status, kwargs) in expected.items():
        assert client.request(method, path, **kwargs).status_code == status, (method, path)
    assert client.get("/v1/models").json()["data"][0]["id"] == "rag-news/finance"
    refused = client.post(
        "/api/documents", params={"collection": "finance"}, files={"files": ("a.txt", b"x")}
    )
    assert refused.json()["error"] == {
        "message": "key:" + key.split("_")[1] + " is a reader of the collection 'finance'; "
        "the editor role (or higher) is needed to add or remove documents.",
        "type": "permission_error",
        "code": "forbidden",
        "param": None,
    }
    assert app[2].sources() == set() and not (tmp_path / "uploads").exists()


def test_only_an_editor_may_post_files_to_gradio(
    app: tuple[FastAPI, AccessStore, Engine],
) -> None:
    reader = app[1].create_key("readers", {"*": Role.READER})
    editor = app[1].create_key("editors", {"finance": Role.EDITOR}).key
    client = TestClient(app[0], base_url=BASE)
    files = {"files": ("a.txt", b"planted")}
    refused = client.post(
        "/gradio_api/upload", files=files, headers={"Authorization": f"Bearer {reader.key}"}
    )
    assert (refused.status_code, refused.json()["error"]["message"]) == (
        403,
        f"key:{reader.id} may not upload files: the editor role on a collection is needed to "
        "add documents.",
    )
    taken = client.post(
        "/gradio_api/upload", files=files, headers={"Authorization": f"Bearer {editor}"}
    )
    assert taken.status_code == 200 and len(taken.json()) == 1


def test_bad_credentials_each_get_one_clear_status(
    app: tuple[FastAPI, AccessStore, Engine], caplog: pytest.LogCaptureFixture
) -> None:
    store = app[1]
    client = TestClient(app[0], base_url=BASE, follow_redirects=False)
    caplog.set_level(logging.INFO, logger="ui.door")

    wrong = client.post("/login", data={"username": "ed", "password": "not it at all"})
    assert wrong.status_code == 401 and "Wrong user name or password." in wrong.text
    login = client.post("/login", data={"username": "ed", "password": PASSWORD, "next": "//x.y"})
    assert (login.status_code, login.headers["location"]) == (303, "/")
    cookie = login.cookies["rag_session"]
    assert client.get("/api/status", cookies={"rag_session": cookie}).status_code == 200

    # Logged out: the same cookie, replayed, is refused.
    assert client.post("/logout", cookies={"rag_session": cookie}).status_code == 303
    replayed = client.get("/api/status", cookies={"rag_session": cookie})
    assert replayed.status_code == 401
    assert replayed.json()["error"]["message"] == (
        "Your login has ended (logged out, expired or removed)."
    )
    # A user removed while logged in is refused at the next request.
    again = client.post("/login", data={"username": "ed", "password": PASSWORD})
    store.remove_user("ed")
    gone = client.get("/api/status", cookies={"rag_session": again.cookies["rag_session"]})
    assert gone.status_code == 401

    revoked = store.create_key("old", {"*": Role.READER})
    store.revoke_key(revoked.id)
    expired = store.create_key("short", {"*": Role.READER}, days=1)
    with sqlite3.connect(store.path) as db:
        db.execute(
            "UPDATE keys SET expires = '2026-01-01T00:00:00+00:00' WHERE id = ?", (expired.id,)
        )
    for key, message in [
        ("rag_000000000000_" + "x" * 43, "Wrong API key."),
        ("nonsense", "Wrong API key."),
        (revoked.key, f"The API key {revoked.id} was revoked; ask an administrator for a new one."),
        (
            expired.key,
            f"The API key {expired.id} expired on 2026-01-01; ask an administrator for a new one.",
        ),
    ]:
        response = client.get("/api/status", headers={"Authorization": f"Bearer {key}"})
        assert (response.status_code, response.json()["error"]["message"]) == (401, message)
    # Logged, never the secrets.
    assert PASSWORD not in caplog.text and "not it at all" not in caplog.text
    assert revoked.key not in caplog.text and expired.key not in caplog.text
    assert "refused: failed login for 'ed' from testclient" in caplog.text


def test_failed_logins_are_limited_per_client(app: tuple[FastAPI, AccessStore, Engine]) -> None:
    client = TestClient(app[0], base_url=BASE)
    statuses = [
        client.post("/login", data={"username": "ed", "password": f"guess {n}"}).status_code
        for n in range(6)
    ]
    assert statuses == [401, 401, 401, 401, 401, 429]
    limited = client.post("/login", data={"username": "ed", "password": PASSWORD})
    assert limited.status_code == 429 and 0 < int(limited.headers["retry-after"]) <= 300
    assert "Too many failed logins from this address: try again in" in limited.text


def test_a_trusted_proxy_names_the_client_and_no_one_else_can(
    tmp_path: Path, embed_model: Any, caplog: pytest.LogCaptureFixture
) -> None:
    # Behind a proxy every login came from its address: one guesser locked every user out.
    access = {"trusted_proxies": "10.0.0.5, 2001:db8::/32"}
    settings = make_settings(tmp_path / "index", access=access)
    with Engine.open(settings, embed_model) as engine:
        AccessStore(settings.access_path()).add_user("ed", PASSWORD, {"articles": Role.EDITOR})
        app, lines = build_server(engine, "127.0.0.1")
        assert lines[-1] == "Clients named by X-Forwarded-For from 10.0.0.5/32, 2001:db8::/32"
        proxy = TestClient(app, base_url=BASE, client=("10.0.0.5", 40000))

        def guess(client: TestClient, forwarded: str) -> int:
            data = {"username": "ed", "password": "a guess"}
            headers = {"x-forwarded-for": forwarded}
            return client.post("/login", data=data, headers=headers).status_code

        with caplog.at_level(logging.WARNING, logger="ui.door"):
            assert [guess(proxy, "203.0.113.7") for _ in range(6)] == [401] * 5 + [429]
            # Another client behind the same proxy has its own count; a spoofed hop is skipped.
            assert guess(proxy, "203.0.113.7, 203.0.113.8") == 401
        assert caplog.messages[-2:] == [
            "refused: too many failed logins from 203.0.113.7",
            "refused: failed login for 'ed' from 203.0.113.8",
        ]
        # A client that is no proxy cannot escape its count by naming others.
        direct = TestClient(app, base_url=BASE, client=("198.51.100.9", 40000))
        statuses = [guess(direct, f"203.0.113.{n}") for n in range(20, 26)]
        assert statuses == [401] * 5 + [429]
