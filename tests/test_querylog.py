"""The query log: every chat question in SQLite, votes attached, no row lost under load."""

from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from rag.engine import Engine
from rag.errors import DocumentNotFoundError
from rag.feedback import FeedbackLog
from rag.querylog import QueryLog
from rag.session import ChatSession
from rag.types import Answer, Citation
from tests.fixtures import NSCALE, NSCALE_SOURCE, make_settings


def _answer(question: str, declined: bool = False) -> Answer:
    citation = Citation(1, "a.txt", "A", "quote", 0, 5, 0.5, 1)
    return Answer(
        question=question,
        text="text [1]",
        declined=declined,
        citations=[] if declined else [citation],
        retrieved=[],
        mode="extractive",
        timings_ms={"retrieve": 1.5, "answer": 2.5, "total": 4.0},
        standalone_question=question + "?",
    )


def test_sessions_log_answers_errors_and_votes(seeded_copy: Path, embed_model: Any) -> None:
    settings = make_settings(seeded_copy)
    with Engine.open(settings, embed_model) as engine:
        session = ChatSession(engine, channel="web")
        first = session.ask("How much did Nscale raise?")
        follow = session.ask("And at what valuation?")
        session.ask("   ")
        ChatSession(engine, source="missing.txt", channel="api").ask(NSCALE)
        feedback = FeedbackLog(seeded_copy.parent / "feedback.jsonl")
        assert session.vote(follow.key, "down", feedback, "web") == "Thanks — feedback saved."
        assert engine.query_log is not None
        engine.query_log.flush()
        rows = engine.query_log.recent()
        assert first.answer is not None and follow.log_id == rows[1].id
    assert [(r.channel, r.question, r.declined, r.vote) for r in rows] == [
        ("api", NSCALE, None, None),
        ("web", "And at what valuation?", False, "down"),
        ("web", "How much did Nscale raise?", False, None),
    ]
    assert rows[0].error == (
        "No article named 'missing.txt' in the index; `rag status` lists the articles."
    )
    assert rows[1].standalone == "How much did Nscale raise? And at what valuation?"
    assert rows[1].sources == [NSCALE_SOURCE]
    assert rows[1].confidence is None
    assert sorted(rows[1].timings_ms) == ["answer", "retrieve", "total"]


def test_logging_off_writes_nothing(seeded_copy: Path, embed_model: Any) -> None:
    settings = make_settings(seeded_copy, history={"query_log": False})
    with Engine.open(settings, embed_model) as engine:
        reply = ChatSession(engine).ask(NSCALE)
        assert engine.query_log is None and reply.log_id == ""
    assert not settings.history.path.exists()


def test_twenty_writers_lose_no_row(tmp_path: Path) -> None:
    log = QueryLog(tmp_path / "h.sqlite3")

    def write(n: int) -> list[str]:
        ids = [
            log.record("api", f"q{n}-{i}", _answer(f"q{n}-{i}", declined=i % 2 == 0))
            for i in range(50)
        ]
        for row_id in ids[::5]:
            log.vote(row_id, "down")
        return ids

    with ThreadPoolExecutor(max_workers=20) as pool:
        written = [i for ids in pool.map(write, range(20)) for i in ids]
    log.close()
    with sqlite3.connect(tmp_path / "h.sqlite3") as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert db.execute("SELECT count(*) FROM queries").fetchone() == (1000,)
        assert db.execute("SELECT count(*) FROM queries WHERE vote='down'").fetchone() == (200,)
    assert len(set(written)) == 1000
    reopened = QueryLog(tmp_path / "h.sqlite3")
    assert len(reopened.declined(limit=1000)) == 500
    assert len(reopened.thumbs_down(limit=1000)) == 200
    assert reopened.totals() == [4.0] * 1000
    reopened.close()


def test_remove_takes_an_article_out(seeded_copy: Path, embed_model: Any) -> None:
    with Engine.open(make_settings(seeded_copy), embed_model) as engine:
        before = engine.status().chunks
        removed = engine.remove(NSCALE_SOURCE)
        assert removed.source == NSCALE_SOURCE and len(removed.paths) == 1
        assert engine.status().chunks == before - removed.chunks
        assert NSCALE_SOURCE not in engine.sources()
        with pytest.raises(DocumentNotFoundError, match=r"No article named 'nope\.txt'"):
            engine.remove("nope.txt")
