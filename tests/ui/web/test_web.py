"""The web chat served for real: its API through gradio_client, and Chromium through Playwright."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import gradio as gr
import pytest
from gradio_client import Client, handle_file

from rag.engine import Engine
from rag.feedback import FeedbackLog
from tests.fixtures import NSCALE, ROOT, make_settings
from tests.fixtures.indexes import CopyIndex
from tests.fixtures.loopback import free_port
from tests.fixtures.web import text_of
from ui.server import serve
from ui.web.chat import ChatHandlers


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory, copy_seeded: CopyIndex, embed_model: Any
) -> Iterator[tuple[str, Engine]]:
    """The chat on a loopback port over a private copy of the seeded index."""
    folder = tmp_path_factory.mktemp("web")
    index = copy_seeded(folder)
    settings = make_settings(
        index, web={"uploads_dir": folder / "uploads", "feedback_path": folder / "feedback.jsonl"}
    )
    with Engine.open(settings, embed_model) as engine:
        engine.warm_up()
        port = free_port()
        app = serve(engine, "127.0.0.1", port)
        yield f"http://127.0.0.1:{port}/", engine
        app.close()


def test_streamed_answer_arrives_in_parts_and_ends_with_sources(
    served: tuple[str, Engine],
) -> None:
    client = Client(served[0], verbose=False)
    updates = list(client.submit(NSCALE, [], "All articles", api_name="/ask"))
    replies = [text_of(chat[-1]) for chat, _ in updates]
    assert len(replies) >= 4
    assert replies[0] and len(replies[0]) < len(replies[-2])
    assert "Sources" not in replies[-2]
    final = replies[-1]
    assert final.startswith("<p>Nscale, a startup backed by Nvidia, has raised $2 billion")
    assert "Sources[1] The 2026 AI Infrastructure Surge" in _plain(final)
    assert "004_f7653a61b53defd5.txt" in final
    assert "<mark>Nscale, a startup backed by Nvidia" in final
    assert "Read the whole passage" in final


def _plain(markup: str) -> str:
    import re

    return re.sub(r"<[^>]+>", "", markup)


def test_follow_up_uses_the_conversation(served: tuple[str, Engine]) -> None:
    client = Client(served[0], verbose=False)
    chat, _ = client.predict("How much did Nscale raise?", [], "All articles", api_name="/ask")
    chat, _ = client.predict("And at what valuation?", chat, "All articles", api_name="/ask")
    assert len(chat) == 4
    assert "$14.6 billion" in text_of(chat[-1])


def test_a_note_on_what_the_quote_lacks_shows_above_the_answer(served: tuple[str, Engine]) -> None:
    client = Client(served[0], verbose=False)
    question = "When did Nscale raise its $2 billion?"
    chat, _ = client.predict(question, [], "All articles", api_name="/ask")
    assert text_of(chat[-1]).startswith(
        "<p><em>The quote gives no date: the articles may not say when.</em></p>"
        "<p>Nscale, a startup backed by Nvidia, has raised $2 billion"
    )


def test_a_rewritten_follow_up_shows_what_was_searched(served: tuple[str, Engine]) -> None:
    client = Client(served[0], verbose=False)
    chat, _ = client.predict("How much did Nscale raise?", [], "All articles", api_name="/ask")
    chat, _ = client.predict("Who backs it?", chat, "All articles", api_name="/ask")
    assert text_of(chat[-1]).startswith(
        "<p><small>Searched as “Who backs Nscale?”</small></p>"
        "<p>Nscale, a startup backed by Nvidia, has raised $2 billion"
    )
    assert "Searched as" not in text_of(chat[1])


def test_article_filter_and_bad_input(served: tuple[str, Engine]) -> None:
    client = Client(served[0], verbose=False)
    chat, box = client.predict("   ", [], "All articles", api_name="/ask")
    assert (chat, box) == ([], "")
    chat, _ = client.predict(NSCALE, [], "001_a3f1d0892a604dd0.txt", api_name="/ask")
    reply = text_of(chat[-1])
    assert "001_a3f1d0892a604dd0.txt" in reply and "004_f7653a61b53defd5.txt" not in reply
    chat, _ = client.predict(NSCALE + " " + "x" * 100_000, [], "All articles", api_name="/ask")
    assert "only the first 2,000 were used" in text_of(chat[-1])
    chat, _ = client.predict("<script>alert(1)</script>", [], "All articles", api_name="/ask")
    assert "<script>" not in str(chat[0]["content"])


def test_upload_then_ask_what_only_it_answers(served: tuple[str, Engine], tmp_path: Path) -> None:
    note = tmp_path / "fusion-note.md"
    note.write_text(
        "# Helion fusion deal\n\nHelion Energy agreed to supply 50 MW of fusion power to "
        "Microsoft data centers starting in 2028.\n",
        encoding="utf-8",
    )
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 not a pdf")
    client = Client(served[0], verbose=False)
    message, status, _ = client.predict(
        [handle_file(str(note)), handle_file(str(broken))], api_name="/add_documents"
    )
    assert "✅ fusion-note.md: added" in message
    assert "❌ broken.pdf: not a readable PDF" in message
    assert "6 articles" in status
    chat, _ = client.predict(
        "How much fusion power will Helion supply to Microsoft?",
        [],
        "All articles",
        api_name="/ask",
    )
    reply = text_of(chat[-1])
    assert "50 MW" in reply and "fusion-note.md" in reply


def test_feedback_is_stored(served: tuple[str, Engine]) -> None:
    engine = served[1]
    web = engine.settings.web
    handlers = ChatHandlers(engine, FeedbackLog(web.feedback_path), web.uploads_dir)
    *_, last = handlers.respond(NSCALE, [], "All articles", None)
    chat, state = last["chat"], last["session"]
    liked = gr.LikeData(None, {"index": 1, "value": chat[1]["content"], "liked": True})
    assert handlers.vote(liked, state) == "Thanks — feedback saved."
    disliked = gr.LikeData(None, {"index": 0, "value": chat[0]["content"], "liked": False})
    assert handlers.vote(disliked, state) == "Feedback is kept for answers only."
    entries = handlers.feedback.read()
    assert [(e["vote"], e["channel"], e["question"]) for e in entries][-1] == ("up", "web", NSCALE)
    assert entries[-1]["citations"][0]["source"] == "004_f7653a61b53defd5.txt"


def test_did_you_mean_comes_with_buttons_that_answer_it(served: tuple[str, Engine]) -> None:
    engine = served[1]
    web = engine.settings.web
    handlers = ChatHandlers(engine, FeedbackLog(web.feedback_path), web.uploads_dir)
    *_, offered = handlers.respond("How much did Nscael raise?", [], "All articles", None)
    chat, state = offered["chat"], offered["session"]
    assert chat[-1]["options"] == [
        {"label": "Yes: How much did Nscale raise?", "value": "yes"},
        {"label": "No", "value": "no"},
    ]
    # The click sends "yes"; the buttons go once answered, and the answer has none.
    *_, answered = handlers.respond("yes", chat, "All articles", state)
    after = answered["chat"]
    assert [m.get("options") for m in after] == [None, None, None, None]
    assert "14.6 billion" in after[-1]["content"]
    assert answered["session"].questions[-1] == "How much did Nscale raise?"


def test_twenty_concurrent_questions_are_all_answered(served: tuple[str, Engine]) -> None:
    questions = [NSCALE, "What is OpenAI's valuation?", "How much will Adani invest?", "Who?"] * 5

    def ask(question: str) -> str:
        chat, _ = Client(served[0], verbose=False).predict(
            question, [], "All articles", api_name="/ask"
        )
        return text_of(chat[-1])

    with ThreadPoolExecutor(max_workers=20) as pool:
        replies = list(pool.map(ask, questions))
    assert len(replies) == 20
    assert all(r and not r.startswith("⚠️") for r in replies)
    assert all("$14.6 billion" in r for r in replies[::4])


def test_browser_asks_and_sees_cited_answer(served: tuple[str, Engine], page: Any) -> None:
    page.goto(served[0])
    # Filled in once the page has loaded, for its login (an earlier test may have added one).
    articles = len(served[1].sources())
    page.get_by_text(f"Index: {articles} articles", exact=False).wait_for(timeout=30_000)
    box = page.locator("#question textarea")
    box.fill(NSCALE)
    box.press("Enter")
    page.get_by_text("Read the whole passage").first.wait_for(timeout=30_000)
    chat = page.locator("#chat")
    assert "14.6" in chat.inner_text()
    assert page.get_by_text("004_f7653a61b53defd5.txt").first.is_visible()
    shots = ROOT / "build" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / "web-chat.png"), full_page=True)
    # The chat's trash icon ends the conversation as well as the screen: a follow-up after it
    # has nothing to follow (before, "it" was still Nscale, answered from what was not shown).
    page.locator("#chat").get_by_label("Clear").click()
    page.get_by_text("Ask a question about the articles.").wait_for(timeout=10_000)
    box.fill("And who backs it?")
    box.press("Enter")
    page.get_by_text("The articles don't say").first.wait_for(timeout=30_000)
    assert "Nvidia" not in chat.inner_text()


def test_browser_clicks_yes_under_did_you_mean(served: tuple[str, Engine], page: Any) -> None:
    page.goto(served[0])
    page.get_by_text("Index:", exact=False).first.wait_for(timeout=30_000)
    box = page.locator("#question textarea")
    box.fill("How much did Nscael rasie?")
    box.press("Enter")
    yes = page.get_by_role("button", name="Yes: How much did Nscale raise?")
    yes.wait_for(timeout=30_000)
    yes.click()
    page.get_by_text("Read the whole passage").first.wait_for(timeout=30_000)
    assert "$14.6 billion" in page.locator("#chat").inner_text()
    assert page.get_by_role("button", name="Yes: How much did Nscale raise?").count() == 0


def test_browser_shows_markup_as_text_and_runs_no_script(
    served: tuple[str, Engine], page: Any
) -> None:
    page.goto(served[0])
    page.get_by_text("Index:", exact=False).first.wait_for(timeout=30_000)
    hostile = '<script>window.pwned=1</script><img src=x onerror="window.pwned=2"> **Nscale**?'
    box = page.locator("#question textarea")
    box.fill(hostile)
    box.press("Enter")
    page.get_by_text("<script>window.pwned=1</script>", exact=False).first.wait_for(timeout=30_000)
    # The turn is over once the reply is shown: the markup is text in both messages, so the
    # chat holds no element that could run (an <img> would set window.pwned on its error).
    page.get_by_text("The articles don't say").first.wait_for(timeout=30_000)
    assert page.locator("#chat img").count() == 0
    assert page.locator("#chat script").count() == 0
    assert page.evaluate("window.pwned") is None


def test_login_guards_every_route(tmp_path: Path, seeded_copy: Path, embed_model: Any) -> None:
    import httpx

    web = {"username": "reader", "password": "pw-SENTINEL", "uploads_dir": tmp_path / "up"}
    with Engine.open(make_settings(seeded_copy, web=web), embed_model) as engine:
        port = free_port()
        app = serve(engine, "127.0.0.1", port)
        base = f"http://127.0.0.1:{port}"
        try:
            anonymous = httpx.Client(base_url=base, timeout=10)
            assert anonymous.get("/config").status_code == 401
            assert anonymous.get("/gradio_api/info").status_code == 401
            upload = anonymous.post("/gradio_api/upload", files={"files": ("a.txt", b"x")})
            assert upload.status_code == 401
            join = anonymous.post("/gradio_api/queue/join", json={"data": ["hi"], "fn_index": 0})
            assert join.status_code == 401
            page = anonymous.get("/")
            assert "Nscale" not in page.text and "pw-SENTINEL" not in page.text
            wrong = anonymous.post("/login", data={"username": "reader", "password": "nope"})
            assert wrong.status_code == 401 and "Wrong user name or password." in wrong.text
            member = httpx.Client(base_url=base, timeout=10)
            login = {"username": "reader", "password": "pw-SENTINEL"}
            assert member.post("/login", data=login).status_code == 303
            assert member.get("/config").status_code == 200
            assert "pw-SENTINEL" not in member.get("/config").text
        finally:
            app.close()
