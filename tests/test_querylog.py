"""The query log: every chat question in SQLite, votes attached, no row lost under load."""

from __future__ import annotations

import json
import re
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from rag.engine import Engine
from rag.errors import DocumentNotFoundError
from rag.evaluation.questions import load_questions
from rag.feedback import FeedbackLog
from rag.querylog import QueryLog
from rag.session import ChatSession
from rag.types import Answer, Citation
from tests.fixtures import NSCALE, NSCALE_SOURCE, make_settings
from ui.cli.main import main


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
    assert follow.answer is not None and follow.answer.confidence is not None
    assert rows[1].confidence == follow.answer.confidence
    assert sorted(rows[1].timings_ms) == ["answer", "retrieve", "total"]


def test_logging_off_writes_nothing(seeded_copy: Path, embed_model: Any) -> None:
    settings = make_settings(seeded_copy, history={"query_log": False})
    with Engine.open(settings, embed_model) as engine:
        reply = ChatSession(engine).ask(NSCALE)
        assert engine.query_log is None and reply.log_id == ""
    assert not settings.history.path.exists()


def test_rows_past_their_days_are_deleted_when_the_writer_starts(tmp_path: Path) -> None:
    history = tmp_path / "h.sqlite3"
    old = QueryLog(history)
    ids = [old.record("api", f"q{days}", _answer(f"q{days}")) for days in (91, 89)]
    old.close()
    with sqlite3.connect(history) as db, db:
        for row_id, days in zip(ids, (91, 89), strict=True):
            then = datetime.now(UTC) - timedelta(days=days)
            db.execute(
                "UPDATE queries SET time = ? WHERE id = ?",
                (then.isoformat(timespec="milliseconds"), row_id),
            )
    log = QueryLog(history, keep_days=90)
    log.record("api", "today", _answer("today"))
    log.flush()
    assert [r.question for r in log.recent()] == ["today", "q89"]
    log.close()
    # Kept for ever when no days are given, as `rag log` reads the file.
    assert QueryLog(history, write=False).counts()["questions"] == 2


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


def test_rag_log_lists_and_exports_what_eval_loads(
    seeded_copy: Path,
    embed_model: Any,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = make_settings(seeded_copy)
    with Engine.open(settings, embed_model) as engine:
        session = ChatSession(engine, channel="web")
        session.ask(NSCALE)
        session.ask("How much did CoreWeave raise in 2026?")
        disliked = session.ask("What is OpenAI's valuation?")
        feedback = FeedbackLog(seeded_copy.parent / "feedback.jsonl")
        session.vote(disliked.key, "down", feedback, "web")
    monkeypatch.chdir(seeded_copy.parent)
    monkeypatch.setenv("RAG_QDRANT__PATH", str(seeded_copy))
    monkeypatch.setenv("RAG_HISTORY__PATH", str(settings.history.path))
    capsys.readouterr()
    assert main(["log", "--limit", "2"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"{settings.history.path}: 3 questions, 1 declined, 1 thumbs down, 0 failed"
    assert re.fullmatch(
        r"Latency \(ms\):  retrieve p50 \d+ / p95 \d+   answer p50 \d+ / p95 \d+   "
        r"total p50 \d+ / p95 \d+",
        out[1],
    )
    # Times and durations vary; the rest is exact.
    shown = [re.sub(r"^  [\d-]+ [\d:]+  (\w+) +\d+ ms  ", r"  \1  ", line) for line in out[2:]]
    assert shown == [
        "",
        "Recent questions:",
        "  web  What is OpenAI's valuation? [thumbs down]",
        "  web  How much did CoreWeave raise in 2026? [declined]",
        "",
        "Declined:",
        "  web  How much did CoreWeave raise in 2026? [declined]",
        "",
        "Thumbs down:",
        "  web  What is OpenAI's valuation? [thumbs down]",
    ]
    exported = seeded_copy.parent / "to-check.jsonl"
    assert main(["log", "--export-eval", str(exported)]) == 0
    loaded = load_questions(exported)
    assert loaded.errors == []
    assert [(q.question, q.kind, q.answerable) for q in loaded.questions] == [
        ("What is OpenAI's valuation?", "thumbs-down", True),
        ("How much did CoreWeave raise in 2026?", "declined", True),
    ]
    capsys.readouterr()
    assert main(["eval", str(exported)]) == 0
    assert "questions" in capsys.readouterr().out


def test_rag_ask_is_logged_like_a_chat_question(
    seeded_copy: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = make_settings(seeded_copy)
    monkeypatch.chdir(seeded_copy.parent)
    monkeypatch.setenv("RAG_QDRANT__PATH", str(seeded_copy))
    monkeypatch.setenv("RAG_HISTORY__PATH", str(settings.history.path))
    assert main(["ask", NSCALE]) == 0
    assert main(["ask", "How much did CoreWeave raise in 2026?"]) == 0
    capsys.readouterr()
    # Before, only `rag chat` among the terminal's commands logged its questions.
    assert main(["log"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"{settings.history.path}: 2 questions, 1 declined, 0 thumbs down, 0 failed"
    shown = [re.sub(r"^  [\d-]+ [\d:]+  (\w+) +\d+ ms  ", r"  \1  ", line) for line in out[2:5]]
    assert shown == [
        "",
        "Recent questions:",
        "  cli  How much did CoreWeave raise in 2026? [declined]",
    ]


def test_a_team_admin_reads_only_its_collections_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from rag.access import AccessStore, Role

    history = tmp_path / "history.sqlite3"
    for collection, question in (("alpha", "Alpha question?"), ("beta", "Beta question?")):
        log = QueryLog(history, collection=collection)
        log.record("web", question, _answer(question, declined=True))
        log.close()
    assert [r.question for r in QueryLog(history, write=False, only=["alpha"]).declined()] == [
        "Alpha question?"
    ]
    assert QueryLog(history, write=False, only=[]).counts()["questions"] == 0
    store = AccessStore(tmp_path / "access.sqlite3")
    store.add_user("ann", "long enough pw", {"alpha": Role.ADMIN, "beta": Role.READER})
    monkeypatch.setenv("RAG_HISTORY__PATH", str(history))
    out = tmp_path / "export.jsonl"
    assert main(["log", "--user", "ann", "--export-eval", str(out)]) == 0
    exported = [json.loads(line) for line in out.read_text().splitlines()]
    assert [row["question"] for row in exported] == ["Alpha question??"]
    assert "Beta" not in out.read_text()
    assert main(["log", "--user", "nobody"]) == 2
    assert capsys.readouterr().err.endswith(
        "error: There is no user or key 'nobody'; `rag users list` shows them.\n"
    )
