"""The web chat's document panel and collection selector, through their handlers, for real."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from rag.collections import Collections
from rag.engine import Engine
from rag.feedback import FeedbackLog
from rag.session import ChatSession
from tests.fixtures import NSCALE_SOURCE, make_settings
from tests.fixtures.indexes import CopyIndex
from tests.fixtures.loopback import free_port
from tests.fixtures.web import text_of
from ui.server import serve
from ui.web.chat import ALL_ARTICLES, ChatHandlers
from ui.web.documents import DocumentHandlers

ORBITAL = "How much did Orbital Foundry raise?"


class NoProgress:
    """Stands in for gr.Progress outside a running app."""

    def tqdm(self, items: Iterable[Any], desc: str = "") -> Iterable[Any]:
        return items


@pytest.fixture
def handlers(engine: Engine, tmp_path: Path) -> ChatHandlers:
    """Chat handlers over an index of two notes in the default collection."""
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "orbital.txt").write_text(
        "Orbital Foundry raised $9 billion to build chip plants in orbit.\n", encoding="utf-8"
    )
    (folder / "helion.md").write_text(
        "# Helion fusion deal\n\nHelion Energy will supply 50 MW of fusion power to Microsoft.\n",
        encoding="utf-8",
    )
    assert engine.ingest([folder]).ok
    return ChatHandlers(engine, FeedbackLog(tmp_path / "feedback.jsonl"), tmp_path / "up")


def ask(
    handlers: ChatHandlers,
    question: str,
    session: ChatSession | None = None,
    collection: str | None = None,
) -> tuple[str, ChatSession]:
    *_, last = handlers.respond(question, [], ALL_ARTICLES, session, None, collection)
    return text_of(last["chat"][-1]), last["session"]


def test_removing_a_document_asks_for_confirmation_first(handlers: ChatHandlers) -> None:
    docs = DocumentHandlers(handlers)
    engine = handlers.engine
    refreshed = docs.refresh(None)
    rows, choices = refreshed["table"], refreshed["choice"]
    assert rows == [
        ["Helion fusion deal", "helion.md", 1, ""],
        ["Orbital Foundry raised $9 billion to build chip plants in orbit", "orbital.txt", 1, ""],
    ]
    assert choices["choices"] == ["helion.md", "orbital.txt"]

    assert docs.ask_remove(None, None) == {
        "pending": None,
        "confirm_row": {"__type__": "update", "visible": False},
        "removal": "Choose a document to remove first.",
    }
    pending, row, message = docs.ask_remove("orbital.txt", None).values()
    assert (pending, row["visible"]) == ("orbital.txt", True)
    assert message.startswith("Remove **Orbital Foundry raised &#36;9 billion")
    assert "(orbital.txt, 1 chunk) from the collection articles?" in message
    pending, row, message = docs.cancel().values()
    assert (pending, row["visible"], message) == (None, False, "Nothing was removed.")
    # Asking, and cancelling, changed nothing; nor does a confirm with nothing asked about.
    assert engine.sources() == {"helion.md", "orbital.txt"}
    assert docs.confirm(None, None, ALL_ARTICLES)["removal"] == (
        "Nothing to remove: choose a document and press Remove first."
    )
    assert engine.store.count() == 2

    pending = docs.ask_remove("orbital.txt", None)["pending"]
    done, row, message, rows, choices, articles, status, adding, remove = docs.confirm(
        pending, None, "orbital.txt"
    ).values()
    assert (done, row["visible"], message) == (None, False, "Removed orbital.txt (1 chunk).")
    # The machine's own user, with no login configured, edits every collection.
    assert (adding["visible"], remove["visible"]) == (True, True)
    assert rows == [["Helion fusion deal", "helion.md", 1, ""]]
    assert choices["choices"] == ["helion.md"]
    # The filter was on the removed document: it goes back to all of them.
    assert (articles["choices"], articles["value"]) == ([ALL_ARTICLES, "helion.md"], ALL_ARTICLES)
    assert status.startswith("Index: 1 article · 1 chunk")
    assert engine.store.count() == 1
    reply, _ = ask(handlers, ORBITAL)
    assert "$9 billion" not in reply and "orbital.txt" not in reply
    assert "50 MW" in ask(handlers, "How much fusion power will Helion supply?")[0]
    # A second confirm of the same document (another tab) says it is gone; nothing else goes.
    again = docs.confirm("orbital.txt", None, ALL_ARTICLES)
    assert again["removal"] == (
        "No article named 'orbital.txt' in the index; &#96;rag status&#96; lists the articles."
    )
    assert engine.store.count() == 1


def test_the_selected_collection_answers_and_lists_its_documents(
    handlers: ChatHandlers, tmp_path: Path
) -> None:
    docs = DocumentHandlers(handlers)
    # One collection: nothing to choose, so the selector is hidden.
    assert docs.picker(None)["visible"] is False
    finance = handlers.collections.create("finance")
    memo = tmp_path / "finance-memo.txt"
    memo.write_text(
        "Orbital Foundry raised $3 billion to build chip plants in orbit.\n", encoding="utf-8"
    )
    message, status, articles = handlers.add_documents(
        [str(memo)],
        NoProgress(),  # type: ignore[arg-type]
        "finance",
    ).values()
    assert message == "✅ finance-memo.txt: added"
    assert (tmp_path / "up" / "finance" / "finance-memo.txt").is_file()
    assert status.startswith("Index: 1 article · 1 chunk")
    assert articles["choices"] == [ALL_ARTICLES, "finance-memo.txt"]
    assert finance.sources() == {"finance-memo.txt"}
    assert handlers.engine.sources() == {"helion.md", "orbital.txt"}

    picker = docs.picker(None)
    assert (picker["choices"], picker["value"], picker["visible"]) == (
        ["articles", "finance"],
        "articles",
        True,
    )
    reply, session = ask(handlers, ORBITAL)
    assert "$9 billion" in reply and "$3 billion" not in reply

    place = {"browser": "b1", "conversation": "c1"}
    switched = docs.switch("finance", place)
    name, chat, state, place, rows, choices, articles, status, adding, _, pending, row, message = (
        switched.values()
    )
    assert adding["visible"] is True
    assert (pending, row["visible"], message) == (None, False, "")
    assert (name, chat, state, place) == (
        "finance",
        [],
        None,
        {"browser": "b1", "conversation": ""},
    )
    assert rows == [
        [
            "Orbital Foundry raised $3 billion to build chip plants in orbit",
            "finance-memo.txt",
            1,
            "",
        ]
    ]
    assert choices["choices"] == ["finance-memo.txt"]
    assert (articles["choices"], articles["value"]) == (
        [ALL_ARTICLES, "finance-memo.txt"],
        ALL_ARTICLES,
    )
    # Even a session begun in the other collection is answered from the selected one.
    reply, moved = ask(handlers, ORBITAL, session, "finance")
    assert "$3 billion" in reply and "$9 billion" not in reply and "finance-memo.txt" in reply
    assert moved.engine is finance and moved.questions == [ORBITAL, ORBITAL]
    # Another browser, still on the default collection, is not affected.
    assert "$9 billion" in ask(handlers, ORBITAL)[0]

    # Removing an uploaded document deletes its file too, or the next ingest of the folder
    # would bring it back; the API does the same.
    pending, _, message = docs.ask_remove("finance-memo.txt", "finance").values()
    assert message.endswith(
        "A file uploaded here is deleted with it; one ingested from a folder of yours stays."
    )
    removed = docs.confirm(pending, "finance", ALL_ARTICLES)["removal"]
    assert removed == "Removed finance-memo.txt (1 chunk), and deleted its uploaded file."
    assert not (tmp_path / "up" / "finance" / "finance-memo.txt").exists()

    # A collection deleted while a page had it selected: a clear message, no answer.
    handlers.collections.delete("finance")
    reply, _ = ask(handlers, ORBITAL, None, "finance")
    assert reply.startswith("⚠️ There is no collection named 'finance'")
    assert docs.load("finance")["picker"]["value"] == "articles"


def test_browser_removes_a_document_after_confirming_and_switches_collection(
    tmp_path: Path, copy_seeded: CopyIndex, embed_model: Any, page: Any
) -> None:
    index = copy_seeded(tmp_path)
    settings = make_settings(index, web={"uploads_dir": tmp_path / "up"})
    with Engine.open(settings, embed_model) as engine:
        legal = Collections(engine).create("legal")
        memo = tmp_path / "legal"
        memo.mkdir()
        (memo / "memo.txt").write_text(
            "Orbital Foundry raised $9 billion to build chip plants in orbit.\n", encoding="utf-8"
        )
        assert legal.ingest([memo]).ok
        legal.close()
        port = free_port()
        app = serve(engine, "127.0.0.1", port)
        try:
            page.goto(f"http://127.0.0.1:{port}/")
            page.get_by_text("Index: 5 articles", exact=False).wait_for(timeout=30_000)
            page.locator("#documents").get_by_text("Documents").first.click()
            table = page.locator("#document-table")
            expect(table).to_contain_text(NSCALE_SOURCE)
            choice = page.locator("#document-choice input")
            choice.click()
            page.get_by_role("option", name=NSCALE_SOURCE).click()
            page.locator("#remove-document").click()
            page.get_by_text("from the collection articles?", exact=False).wait_for(timeout=10_000)
            assert engine.sources() >= {NSCALE_SOURCE}
            page.locator("#confirm-removal").click()
            page.get_by_text(f"Removed {NSCALE_SOURCE} (8 chunks).").wait_for(timeout=10_000)
            page.get_by_text("Index: 4 articles", exact=False).wait_for(timeout=10_000)
            assert NSCALE_SOURCE not in engine.sources()
            expect(table).not_to_contain_text(NSCALE_SOURCE)
            expect(table).to_contain_text("001_a3f1d0892a604dd0.txt")

            picker = page.locator("#collection input")
            picker.click()
            page.get_by_role("option", name="legal").click()
            page.get_by_text("Index: 1 article ·", exact=False).wait_for(timeout=10_000)
            expect(table).to_contain_text("memo.txt")
            expect(page.get_by_text(f"Removed {NSCALE_SOURCE}")).to_have_count(0)
            expect(table).not_to_contain_text("001_a3f1d0892a604dd0.txt")
            box = page.locator("#question textarea")
            box.fill(ORBITAL)
            box.press("Enter")
            page.locator("#chat").get_by_text("memo.txt").first.wait_for(timeout=30_000)
            assert "$9 billion" in page.locator("#chat").inner_text()

            # Back on the default collection, the saved chat reopens in its own: follow-ups
            # are answered from legal's memo, and the page shows legal's index.
            picker.click()
            page.get_by_role("option", name="articles").click()
            page.get_by_text("Index: 4 articles", exact=False).wait_for(timeout=10_000)
            entry = page.locator("#saved label", has_text=f"{ORBITAL} · legal ·")
            entry.click()
            page.get_by_text("Index: 1 article ·", exact=False).wait_for(timeout=10_000)
            assert picker.input_value() == "legal"
            box.fill("And what will it build?")
            box.press("Enter")
            page.locator("#chat .bot").nth(1).get_by_text("memo.txt").first.wait_for(timeout=30_000)
        finally:
            app.close()
