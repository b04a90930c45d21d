"""Saved web conversations: per browser, across a server restart (in Chromium), and expiry."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from rag.conversations import Conversations
from rag.engine import Engine
from tests.fixtures import make_settings
from tests.fixtures.loopback import free_port
from ui.server import Running, serve
from ui.web.history import HistoryHandlers


def test_conversations_belong_to_their_browser_and_expire(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    saved = Conversations(path, keep_days=30)
    chat = [{"role": "user", "content": "Q1"}, {"role": "assistant", "content": "A1"}]
    first = saved.save("browser-a", None, chat, ["Q1"])
    assert saved.save("browser-a", first, [*chat, *chat], ["Q1", "Q2"]) == first
    old = saved.save("browser-a", None, chat, ["Old question"])
    assert saved.save("browser-b", first, [], ["hijack"]) == first  # not b's: left unchanged
    assert [s.title for s in saved.list("browser-a")] == ["Old question", "Q1"]
    assert saved.list("browser-b") == []
    reopened = saved.load("browser-a", first)
    assert reopened is not None and reopened.questions == ["Q1", "Q2"]
    assert reopened.messages == [*chat, *chat]
    assert saved.load("browser-b", first) is None
    with sqlite3.connect(path) as db:
        db.execute(
            "UPDATE conversations SET updated = '2000-01-01T00:00:00.000+00:00' WHERE id = ?",
            (old,),
        )
    assert saved.expire() == 1
    assert [s.id for s in saved.list("browser-a")] == [first]
    assert saved.delete("browser-b", first) is False
    assert saved.delete("browser-a", first) is True
    assert saved.list("browser-a") == []
    assert Conversations(path, 30).secret() == saved.secret()


def test_a_conversation_reopens_in_the_collection_it_was_asked_of(
    tmp_path: Path, engine: Engine
) -> None:
    path = tmp_path / "history.sqlite3"
    # A history file from before collections were recorded keeps its chats, with no collection.
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE conversations (id TEXT PRIMARY KEY, browser TEXT NOT NULL, title TEXT "
            "NOT NULL, created TEXT NOT NULL, updated TEXT NOT NULL, messages TEXT NOT NULL, "
            "questions TEXT NOT NULL)"
        )
        db.execute(
            "INSERT INTO conversations VALUES ('old', 'b', 'Q0', '2026-11-30T00:00:00.000+00:00', "
            "'2026-11-30T00:00:00.000+00:00', '[]', '[\"Q0\"]')"
        )
    saved = Conversations(path, keep_days=3650)
    finance = saved.save("b", None, [], ["How much did Acme raise?"], "finance")
    here = saved.save("b", None, [], ["How much did Nscale raise?"], engine.collection)
    assert [(s.id, s.collection) for s in saved.list("b")] == [
        (here, engine.collection),
        (finance, "finance"),
        ("old", ""),
    ]
    history = HistoryHandlers(engine, saved)
    place = {"browser": "b", "conversation": ""}
    # The sidebar names the collection of a chat that is not the default one's.
    assert [label for label, _ in history.choices(place)] == [
        f"How much did Nscale raise? · {saved.list('b')[0].updated[:10]}",
        f"How much did Acme raise? · finance · {saved.list('b')[1].updated[:10]}",
        "Q0 · 2026-11-30",
    ]
    *_, reopened_in = history.pick(finance, place, None)
    assert reopened_in == "finance"
    *_, current = history.pick("old", place, "legal")
    assert current == "legal"


def _start(index: Path, embed_model: Any, port: int) -> tuple[Engine, Running]:
    engine = Engine.open(make_settings(index), embed_model)
    engine.warm_up()
    return engine, serve(engine, "127.0.0.1", port)


def _ask(page: Any, question: str) -> str:
    """Ask in the page; the text of the answer once its sources are shown."""
    answers = page.locator("#chat .bot")
    before = answers.count()
    box = page.locator("#question textarea")
    box.fill(question)
    box.press("Enter")
    answers.nth(before).get_by_text("Read the whole passage").first.wait_for(timeout=30_000)
    return str(answers.nth(before).inner_text())


def test_browser_finds_its_conversation_after_a_restart(
    seeded_copy: Path, embed_model: Any, page: Any
) -> None:
    port = free_port()
    engine, running = _start(seeded_copy, embed_model, port)
    try:
        page.goto(running.url)
        assert "$2 billion" in _ask(page, "How much did Nscale raise?")
        entry = page.locator("#saved label", has_text="How much did Nscale raise?")
        entry.wait_for(timeout=30_000)
    finally:
        running.close()
        engine.close()
    engine, running = _start(seeded_copy, embed_model, port)
    try:
        # A reload, even of a restarted server, reopens the conversation that was open.
        page.reload()
        page.get_by_text("Index: 5 articles", exact=False).wait_for(timeout=30_000)
        page.locator("#chat").get_by_text("How much did Nscale raise?").wait_for(timeout=30_000)
        # It continues: the follow-up is asked with its first question.
        assert "$14.6 billion" in _ask(page, "And at what valuation?")
        assert engine.query_log is not None
        engine.query_log.flush()
        asked = engine.query_log.recent(1)[0]
        assert asked.standalone == "How much did Nscale raise? And at what valuation?"
        # A new conversation is what a reload then shows; the old one waits in the sidebar.
        page.locator("#new-conversation").click()
        page.locator("#chat").get_by_text("How much did Nscale raise?").wait_for(
            state="detached", timeout=30_000
        )
        page.reload()
        page.get_by_text("Index: 5 articles", exact=False).wait_for(timeout=30_000)
        entry = page.locator("#saved label", has_text="How much did Nscale raise?")
        entry.wait_for(timeout=30_000)
        assert "$14.6 billion" not in page.locator("#chat").inner_text()
        entry.click()
        page.locator("#chat").get_by_text("And at what valuation?").wait_for(timeout=30_000)
        assert page.locator("#saved label").count() == 1
        page.locator("#delete-conversation").click()
        page.locator("#saved label").first.wait_for(state="detached", timeout=30_000)
        assert page.locator("#saved label").count() == 0
        page.reload()
        page.get_by_text("Ask a question about the articles.").wait_for(timeout=30_000)
        assert "$14.6 billion" not in page.locator("#chat").inner_text()
    finally:
        running.close()
        engine.close()
