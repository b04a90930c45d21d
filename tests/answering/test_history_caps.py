"""Caps on the earlier questions a follow-up is asked with, and on what the query log keeps."""

from __future__ import annotations

from pathlib import Path

from rag.config import AnswerSettings
from rag.engine import Engine, prepare_history, prepare_question
from rag.querylog import MAX_FIELD_CHARS, QueryLog
from rag.session import ChatSession
from tests.fixtures import NSCALE, NSCALE_SOURCE, make_settings

LIMITS = AnswerSettings(max_history_item_chars=100, max_history_items=3, max_history_chars=250)


def test_history_within_the_limits_is_used_as_sent() -> None:
    assert prepare_history(["  What did Nscale raise?\x00 ", "", " "], LIMITS) == (
        ["What did Nscale raise?"],
        [],
    )


def test_too_many_earlier_questions_keep_the_newest() -> None:
    items, notices = prepare_history(["q1", "q2", "q3", "q4", "q5"], LIMITS)
    assert items == ["q3", "q4", "q5"]
    assert notices == ["The conversation had 5 earlier questions; only the last 3 were used."]


def test_a_long_earlier_question_is_cut_like_the_question() -> None:
    items, notices = prepare_history(["a" * 150, "short"], LIMITS)
    assert items == ["a" * 100, "short"]
    assert notices == [
        "An earlier question was over 100 characters long; only the first 100 of each were used."
    ]
    items, notices = prepare_history(["a" * 150, "b" * 101], LIMITS)
    assert notices == [
        "2 earlier questions were over 100 characters long; only the first 100 of each were used."
    ]


def test_the_total_keeps_the_newest_that_fit() -> None:
    items, notices = prepare_history(["a" * 100, "b" * 100, "c" * 100], LIMITS)
    assert items == ["b" * 100, "c" * 100]
    assert notices == [
        "The earlier questions came to 300 characters; only the last 2 (200 characters, "
        "within 250) were used."
    ]


def test_a_19_mb_item_is_cut_from_its_start_and_counted_as_sent() -> None:
    huge = "Nscale " * 2_800_000  # 19.6 million characters
    items, notices = prepare_history([huge], AnswerSettings())
    assert items == [("Nscale " * 300)[:2000]]
    assert notices == [
        "An earlier question was over 2,000 characters long; only the first 2,000 of each "
        "were used."
    ]
    question, said = prepare_question(huge, 2000)
    assert question == ("Nscale " * 300)[:2000]
    assert said == ["Your question was 19,600,000 characters long; only the first 2,000 were used."]


def test_a_huge_question_is_read_for_its_kind_from_its_start_only(seeded: Engine) -> None:
    # Its kind (greeting, request, language) used to be read from all 19 MB: 7 s of work.
    answer = seeded.ask(NSCALE + " " + "x" * 19_000_000)
    assert (answer.turn, answer.citations[0].source) == ("answer", NSCALE_SOURCE)
    assert answer.notices == [
        f"Your question was {19_000_001 + len(NSCALE):,} characters long; only the first "
        "2,000 were used."
    ]
    foreign = seeded.ask("¿Cuánto recaudó Nscale? " + "é" * 19_000_000)
    assert (foreign.turn, foreign.declined) == ("language", True)


def test_a_follow_up_to_a_huge_question_is_answered_with_bounded_text(
    seeded: Engine, tmp_path: Path
) -> None:
    earlier = NSCALE + " " + "x" * 19_000_000
    answer = seeded.ask("And at what valuation?", history=[earlier])
    assert answer.standalone_question == (NSCALE + " " + "x" * 2000)[:2000] + (
        " And at what valuation?"
    )
    assert answer.notices == [
        "An earlier question was over 2,000 characters long; only the first 2,000 of each "
        "were used."
    ]
    assert NSCALE_SOURCE in {p.source for p in answer.retrieved}


def test_the_query_log_keeps_what_was_answered(seeded_copy: Path) -> None:
    settings = make_settings(seeded_copy)
    with Engine.open(settings) as engine:
        session = ChatSession(engine, history=[NSCALE + " " + "x" * 19_000_000])
        reply = session.ask("And at what valuation?")
        assert reply.answer is not None
        log = engine.query_log
        assert log is not None
        log.flush()
        row = log.recent(1)[0]
    assert row.question == "And at what valuation?"
    assert row.standalone == reply.answer.standalone_question
    assert len(row.standalone) == 2000 + len(" And at what valuation?")


def test_the_query_log_bounds_every_text_it_stores(tmp_path: Path) -> None:
    log = QueryLog(tmp_path / "history.sqlite3")
    log.record("api", "q" * 50_000, error="e" * 50_000)
    log.flush()
    row = log.recent(1)[0]
    log.close()
    assert row.question == "q" * (MAX_FIELD_CHARS - 1) + "…"
    assert row.error == "e" * (MAX_FIELD_CHARS - 1) + "…"
