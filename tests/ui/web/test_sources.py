"""Open the source: the cited PDF at its page, a text document with the quote highlighted."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import docx
import httpx
import pytest

from rag.engine import Engine
from rag.types import Answer, Citation
from tests.fixtures import ROOT, make_settings
from tests.fixtures.documents import ZEPHYR, make_paged_pdf
from tests.fixtures.loopback import free_port
from ui.server import Running, serve
from ui.web.render import sources_html
from ui.web.sources import source_url

FUSION = "How much fusion power will Helion supply to Microsoft?"
HELION = "Helion will supply 50 MW of fusion power to Microsoft from 2028."
TERAFAB = "Terafab plans 40,000 wafer starts a month at its Texas fab."
VIREO = "Vireo Cooling signed a 40 MW liquid-cooling contract with Equinix."
ODD_NAME = "Q3 #2 & 50% ü.txt"
ODD_TEXT = "Kestrel Power sold 80 MW to a data center in Oslo.\n"
FILLER = "Background on the grid & its <operators> follows in this paragraph. " * 6


class Served(NamedTuple):
    base: str
    engine: Engine
    folder: Path
    running: Running


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, embed_model: Any) -> Iterator[Served]:
    """The chat over a fresh index of a paged PDF and text documents, on a loopback port."""
    root = tmp_path_factory.mktemp("sources")
    folder = root / "docs"
    folder.mkdir()
    make_paged_pdf(folder / "notes.pdf")
    # The quote far down a long document, so that showing it takes scrolling.
    filler = "\n\n".join(f"## Part {i}\n\n{FILLER}" for i in range(1, 25))
    (folder / "outlook.md").write_text(
        f"# Energy brief\n\n{filler}\n\n## Market outlook\n\n{HELION}\n", encoding="utf-8"
    )
    document = docx.Document()
    document.add_heading("Chip supply", level=0)
    document.add_heading("Foundry capacity", level=1)
    document.add_paragraph(TERAFAB)
    document.save(str(folder / "chips.docx"))
    (folder / "cooling.html").write_text(
        f"<html><head><title>Cooling</title><script>var x = 1;</script></head><body>"
        f"<h1>Cooling deals</h1><p>{FILLER}</p><h2>Contracts</h2><p>{VIREO}</p></body></html>",
        "utf-8",
    )
    (folder / ODD_NAME).write_text(ODD_TEXT, "utf-8")
    (folder / "changing.txt").write_text("Aurora Data bought 300 acres in Ohio.\n", "utf-8")
    (folder / "moving.txt").write_text("Borealis Compute leased 12 MW in Quebec.\n", "utf-8")
    settings = make_settings(root / "index", web={"uploads_dir": root / "uploads"})
    with Engine.open(settings, embed_model) as engine:
        assert engine.ingest([folder]).ok
        port = free_port()
        running = serve(engine, "127.0.0.1", port)
        yield Served(f"http://127.0.0.1:{port}", engine, folder, running)
        running.close()


def link(answer: Answer, n: int = 1) -> str:
    """The href of the n-th citation's "Open the source" link, as the chat renders it."""
    found = re.findall(r'<a class="open-source" href="([^"]+)"', sources_html(answer))
    return html.unescape(found[n - 1])


def test_a_pdf_citation_links_to_its_page_and_the_pdf_is_served(served: Served) -> None:
    answer = served.engine.ask(ZEPHYR)
    assert answer.citations[0].page == 3
    href = link(answer)
    assert href.startswith(f"/source/{served.engine.collection}/notes.pdf?chunk=")
    assert href.endswith("#page=3")
    response = httpx.get(served.base + href.split("#")[0])
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("inline")
    assert response.content == (served.folder / "notes.pdf").read_bytes()


def test_a_text_citation_opens_the_whole_document_with_the_quote_marked(served: Served) -> None:
    answer = served.engine.ask(FUSION)
    cited = answer.citations[0]
    assert (cited.source, cited.text) == ("outlook.md", HELION)
    href = link(answer)
    assert href.endswith("#quote")
    response = httpx.get(served.base + href)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert f"<mark id=quote>{HELION}</mark>" in response.text
    assert response.text.count("<mark") == 1
    # The whole document, its markup shown as text.
    assert "# Energy brief" in response.text and "## Part 24" in response.text
    assert "&lt;operators&gt;" in response.text and "<operators>" not in response.text
    assert "script-src 'nonce-" in response.headers["content-security-policy"]


@pytest.mark.parametrize(
    ("question", "source", "quote"),
    [
        ("How many wafer starts a month does Terafab plan?", "chips.docx", TERAFAB),
        ("What contract did Vireo Cooling sign with Equinix?", "cooling.html", VIREO),
    ],
)
def test_docx_and_html_citations_open_as_marked_text(
    served: Served, question: str, source: str, quote: str
) -> None:
    answer = served.engine.ask(question)
    assert (answer.citations[0].source, answer.citations[0].text) == (source, quote)
    response = httpx.get(served.base + link(answer))
    assert response.status_code == 200
    assert f"<mark id=quote>{quote}</mark>" in response.text
    assert "<script>var x" not in response.text


def test_a_file_name_with_url_characters_round_trips(served: Served) -> None:
    quote = ODD_TEXT.strip()
    cited = Citation(1, ODD_NAME, "t", quote, 0, len(quote), 1.0, 1)
    response = httpx.get(served.base + source_url(served.engine.collection, cited))
    assert response.status_code == 200
    assert f"<mark id=quote>{quote}</mark>" in response.text


def test_unknown_names_and_bad_offsets_get_clear_pages(served: Served) -> None:
    collection = served.engine.collection
    base = f"{served.base}/source/{collection}"
    unknown = httpx.get(f"{base}/nothing.pdf")
    assert unknown.status_code == 404
    message = f"No document named 'nothing.pdf' in the collection '{collection}'."
    assert message in html.unescape(unknown.text)
    missing = httpx.get(f"{served.base}/source/payroll/notes.pdf")
    assert missing.status_code == 404
    assert "No collection named 'payroll'." in html.unescape(missing.text)
    bad = httpx.get(f"{base}/outlook.md", params={"start": "5", "end": "999999"})
    assert bad.status_code == 400
    assert "are not a passage of this document" in html.unescape(bad.text)
    assert httpx.get(f"{base}/outlook.md", params={"start": "x", "end": "3"}).status_code == 400
    plain = httpx.get(f"{base}/outlook.md")
    assert plain.status_code == 200 and "<mark" not in plain.text


def test_each_collection_serves_its_own_documents(served: Served, tmp_path: Path) -> None:
    (tmp_path / "ledger.txt").write_text(
        "Finance only: Osprey Capital lent $2 billion to a data-center builder in 2026. "
        "The loan is the fund's largest.\n",
        "utf-8",
    )
    # The server's own Collections: the embedded index opens a collection once per process.
    finance = served.running.app.state.collections.create("finance")
    assert finance.ingest([tmp_path / "ledger.txt"]).ok
    answer = finance.ask("How much did Osprey Capital lend?")
    href = link(answer)
    assert href.startswith("/source/finance/ledger.txt?")
    assert "<mark id=quote>" in httpx.get(served.base + href).text
    default = served.engine.collection
    assert httpx.get(f"{served.base}/source/{default}/ledger.txt").status_code == 404
    assert httpx.get(f"{served.base}/source/finance/outlook.md").status_code == 404


def test_nothing_but_ingested_documents_is_served(served: Served) -> None:
    (served.folder / "secret.txt").write_text("not ingested", "utf-8")
    base = f"{served.base}/source/{served.engine.collection}"
    for path in (
        "/secret.txt",
        "/..%2F..%2Fetc%2Fpasswd",
        "/%2E%2E/index/manifest.sqlite",
        "/manifest.sqlite",
    ):
        response = httpx.get(base + path)
        assert response.status_code == 404, path
        assert "not ingested" not in response.text and "SQLite" not in response.text
    assert httpx.get(f"{served.base}/source/..%2Findex/notes.pdf").status_code == 404


def test_a_moved_or_changed_file_is_gone_not_a_traceback(served: Served) -> None:
    base = f"{served.base}/source/{served.engine.collection}"
    (served.folder / "changing.txt").write_text("Aurora Data bought 900 acres.\n", "utf-8")
    changed = httpx.get(f"{base}/changing.txt")
    assert changed.status_code == 410
    assert "changing.txt has changed since it was ingested" in changed.text
    (served.folder / "moving.txt").rename(served.folder.parent / "moved.txt")
    moved = httpx.get(f"{base}/moving.txt")
    assert moved.status_code == 410
    assert "moving.txt is no longer where it was ingested from" in moved.text
    assert "Traceback" not in moved.text + changed.text


def test_with_a_login_the_source_needs_it(tmp_path: Path, embed_model: Any) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    make_paged_pdf(folder / "notes.pdf")
    web = {"username": "reader", "password": "pw-SENTINEL", "uploads_dir": tmp_path / "up"}
    with Engine.open(make_settings(tmp_path / "index", web=web), embed_model) as engine:
        assert engine.ingest([folder]).ok
        port = free_port()
        running = serve(engine, "127.0.0.1", port)
        url = f"http://127.0.0.1:{port}/source/{engine.collection}/notes.pdf"
        try:
            refused = httpx.get(url)
            assert refused.status_code == 401 and b"%PDF" not in refused.content
            assert refused.json()["error"]["message"] == (
                "Log in first: send 'Authorization: Bearer KEY', or log in on the page."
            )
            page = httpx.get(url, headers={"Accept": "text/html"})
            assert page.status_code == 303
            assert page.headers["location"] == (
                f"/login?next=%2Fsource%2F{engine.collection}%2Fnotes.pdf"
            )
            forged = httpx.get(url, cookies={"rag_session": "guess"})
            assert forged.status_code == 401
            assert forged.json()["error"]["message"] == (
                "Your login has ended (logged out, expired or removed)."
            )
            member = httpx.Client(base_url=f"http://127.0.0.1:{port}")
            login = {"username": "reader", "password": "pw-SENTINEL", "next": "/source/x"}
            logged_in = member.post("/login", data=login)
            assert (logged_in.status_code, logged_in.headers["location"]) == (303, "/source/x")
            cookie = logged_in.headers["set-cookie"]
            assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Secure" not in cookie
            served = member.get(url)
            assert served.status_code == 200
            assert served.headers["content-type"] == "application/pdf"
        finally:
            running.close()


def test_browser_opens_the_cited_page_and_the_highlighted_quote(served: Served, page: Any) -> None:
    page.goto(served.base)
    box = page.locator("#question textarea")
    box.fill(ZEPHYR)
    box.press("Enter")
    opener = page.locator("#chat a.open-source").first
    opener.wait_for(timeout=30_000)
    assert opener.inner_text() == "Open the source"
    assert opener.get_attribute("target") == "_blank"
    href = opener.get_attribute("href")
    assert href is not None and href.endswith("#page=3")
    # target=_blank: the PDF arrives in a new tab of the same browser context.
    with (
        page.context.expect_page() as opened,
        page.context.expect_event("response", lambda r: "/source/" in r.url) as caught,
    ):
        opener.click()
    assert opened.value.url == served.base + href
    response = caught.value
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.url.startswith(served.base + "/source/")

    shots = ROOT / "build" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / "open-the-source.png"), full_page=True)
    view = page.context.new_page()
    view.goto(served.base + link(served.engine.ask(FUSION)))
    mark = view.locator("mark#quote")
    assert mark.inner_text() == HELION
    # Scrolled to: the quote is in the window, though it is far down the document.
    view.wait_for_function("window.scrollY > 0")
    assert mark.evaluate(
        "m => { const r = m.getBoundingClientRect(); return r.top >= 0 && "
        "r.bottom <= window.innerHeight; }"
    )
    view.screenshot(path=str(shots / "open-the-source-text.png"))
