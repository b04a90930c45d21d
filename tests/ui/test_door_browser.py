"""The door in real Chromium: other sites, rebound host names, and logins that see their own."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from gradio_client import Client
from gradio_client.exceptions import AuthenticationError
from playwright.sync_api import expect

from rag.access import AccessStore, Role
from rag.collections import Collections
from rag.engine import Engine
from tests.fixtures import make_settings
from tests.fixtures.loopback import free_port
from ui.server import Running, serve

PASSWORD = "correct horse battery"
ATTACK = """<!doctype html><html><body><script>
async function attack() {
  const form = new FormData();
  form.append("files", new Blob(["Nscale raised $99 trillion. PLANTED"]), "planted.txt");
  const results = [];
  for (const url of ["TARGET/api/documents", "TARGET/gradio_api/upload"]) {
    try { await fetch(url, {method: "POST", mode: "no-cors", body: form}); results.push("sent"); }
    catch (e) { results.push("failed"); }
  }
  document.title = "done " + results.join(",");
}
attack();
</script></body></html>"""


def _notes(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def open_server(tmp_path: Path, embed_model: Any) -> Iterator[tuple[str, Engine]]:
    """The default set-up: loopback, no login at all."""
    settings = make_settings(tmp_path / "index", web={"uploads_dir": tmp_path / "uploads"})
    with Engine.open(settings, embed_model) as engine:
        notes = _notes(tmp_path / "notes", "nscale.txt", "Nscale raised $2 billion in 2026.\n")
        assert engine.ingest([notes]).ok
        running = serve(engine, "127.0.0.1", free_port())
        try:
            yield running.url, engine
        finally:
            running.close()


def test_another_site_and_a_rebound_name_cannot_write_or_read(
    open_server: tuple[str, Engine], page: Any, tmp_path: Path
) -> None:
    url, engine = open_server
    # A page of another origin on this machine (another port), as a local web page would be.
    attacker = tmp_path / "attacker"
    attacker.mkdir()
    (attacker / "index.html").write_text(ATTACK.replace("TARGET", url), encoding="utf-8")
    handler = lambda *a: http.server.SimpleHTTPRequestHandler(*a, directory=str(attacker))  # noqa: E731
    site = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    try:
        page.goto(f"http://127.0.0.1:{site.server_address[1]}/index.html")
        page.wait_for_function("document.title.startsWith('done')", timeout=30_000)
    finally:
        site.shutdown()
    assert engine.sources() == {"nscale.txt"}
    assert not (tmp_path / "uploads").exists()
    # DNS rebinding: a name of the attacker's, now resolved to this machine (Chromium is told
    # rebind.test is 127.0.0.1), is refused before any route answers.
    port = url.rsplit(":", 1)[1]
    for path in ("/api/status", "/", "/source/articles/nscale.txt"):
        response = page.goto(f"http://rebind.test:{port}{path}")
        assert response is not None and response.status == 400, path
        assert "does not answer to the host name 'rebind.test'" in page.content()


@pytest.fixture
def teams(tmp_path: Path, embed_model: Any) -> Iterator[tuple[Running, Collections]]:
    """Two collections, an editor of each and a reader of the first, served on loopback."""
    settings = make_settings(tmp_path / "index", web={"uploads_dir": tmp_path / "uploads"})
    with Engine.open(settings, embed_model) as engine:
        collections = Collections(engine)
        for name, text in (
            ("alpha", "Alpha Corp raised $5 billion for data centres in Oslo.\n"),
            ("beta", "Beta Ltd raised $7 billion for chip plants in Austin.\n"),
        ):
            notes = _notes(tmp_path / name, f"{name}-memo.txt", text)
            assert collections.create(name).ingest([notes]).ok
        store = AccessStore(settings.access_path())
        store.add_user("ann", PASSWORD, {"alpha": Role.EDITOR})
        store.add_user("bob", PASSWORD, {"beta": Role.EDITOR})
        store.add_user("rita", PASSWORD, {"alpha": Role.READER})
        running = serve(engine, "127.0.0.1", free_port(), collections=collections)
        try:
            yield running, collections
        finally:
            running.close()


def _log_in(page: Any, url: str, name: str) -> None:
    page.goto(url)
    assert page.url.startswith(f"{url}/login?next=")
    page.locator("input[name=username]").fill(name)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("button[type=submit]").click()
    page.get_by_text("Index: 1 article", exact=False).wait_for(timeout=30_000)


def test_each_login_sees_its_own_collection_and_a_reader_cannot_upload(
    teams: tuple[Running, Collections], browser: Any, tmp_path: Path
) -> None:
    running, collections = teams
    for name, own, other in (("ann", "alpha", "beta"), ("bob", "beta", "alpha")):
        context = browser.new_context()
        page = context.new_page()
        _log_in(page, running.url, name)
        page.locator("#documents").get_by_text("Documents").first.click()
        table = page.locator("#document-table")
        expect(table).to_contain_text(f"{own}-memo.txt")
        expect(page.locator("#adding")).to_be_visible()
        # One collection to see: no selector, and nothing of the other team's anywhere.
        expect(page.locator("#collection")).to_be_hidden()
        assert f"{other}-memo" not in page.content()
        box = page.locator("#question textarea")
        box.fill("How much was raised?")
        box.press("Enter")
        page.locator("#chat").get_by_text(f"{own}-memo.txt").first.wait_for(timeout=30_000)
        assert f"{other}-memo" not in page.locator("#chat").inner_text()
        context.close()

    context = browser.new_context()
    page = context.new_page()
    _log_in(page, running.url, "rita")
    # A reader is offered neither adding nor removing, and Gradio's upload route refuses it.
    page.locator("#documents").get_by_text("Documents").first.click()
    expect(page.locator("#document-table")).to_contain_text("alpha-memo.txt")
    expect(page.locator("#adding")).to_be_hidden()
    expect(page.locator("#remove-document")).to_be_hidden()
    refused = page.request.post(
        running.url + "/gradio_api/upload",
        multipart={"files": {"name": "planted.txt", "mimeType": "text/plain", "buffer": b"x"}},
    )
    assert refused.status == 403
    assert refused.json()["error"]["message"] == (
        "rita may not upload files: the editor role on a collection is needed to add documents."
    )
    context.close()
    assert collections.engine("alpha").sources() == {"alpha-memo.txt"}
    assert AccessStore(collections.default.settings.access_path()).audit_rows() == []


def test_gradio_client_without_credentials_is_refused(
    teams: tuple[Running, Collections],
) -> None:
    running, _ = teams
    with pytest.raises(AuthenticationError) as refused:
        Client(running.url, verbose=False)
    assert str(refused.value) == (
        f"Could not load {running.url}/ as credentials were not provided. Please login."
    )
    assert httpx.get(f"{running.url}/config").status_code == 401


def test_the_open_webui_recipe_refuses_anonymous_page_source_and_docs(
    tmp_path: Path, embed_model: Any
) -> None:
    # As the README says: keys in RAG_API__KEYS, and `rag serve --host 0.0.0.0`.
    settings = make_settings(tmp_path / "index", api={"keys": "webui-key-1"})
    with Engine.open(settings, embed_model) as engine:
        notes = _notes(tmp_path / "notes", "nscale.txt", "Nscale raised $2 billion in 2026.\n")
        assert engine.ingest([notes]).ok
        port = free_port()
        running = serve(engine, "0.0.0.0", port)
        base = f"http://127.0.0.1:{port}"
        try:
            page = httpx.get(f"{base}/", headers={"Accept": "text/html"})
            assert (page.status_code, page.headers["location"]) == (303, "/login?next=%2F")
            for path in ("/source/articles/nscale.txt", "/docs", "/openapi.json", "/config"):
                assert httpx.get(base + path).status_code == 401, path
            key = {"Authorization": "Bearer webui-key-1"}
            models = httpx.get(f"{base}/v1/models", headers=key)
            assert [m["id"] for m in models.json()["data"]] == ["rag-news"]
            assert httpx.get(f"{base}/docs", headers=key).status_code == 200
        finally:
            running.close()
