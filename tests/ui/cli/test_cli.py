"""The `rag` command through `main(argv)`, in process, against real indexes.

Subprocesses only where a second process or a real pipe is the point: the lock and the pipe.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from rag.answering.confidence import load_model
from rag.engine import Engine
from tests.fixtures import NSCALE, NSCALE_SOURCE, SEEDS, make_settings
from tests.fixtures.cli import Rag
from tests.fixtures.schema import ANSWER


def subprocess_rag(args: list[str], index: Path, cwd: Path) -> subprocess.Popen[str]:
    """`rag ARGS` in a process of its own, its output on a pipe."""
    env = {**os.environ, "RAG_QDRANT__PATH": str(index), "HF_HUB_OFFLINE": "1"}
    command = [sys.executable, "-m", "ui.cli", *args]
    return subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def test_ask_json_schema_and_cited_source(rag: Rag, seeded_copy: Path, tmp_path: Path) -> None:
    result = rag(["ask", "--json", NSCALE], seeded_copy, tmp_path)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert list(data) == ANSWER
    assert data["declined"] is False and data["mode"] == "extractive"
    assert data["turn"] == "answer"
    assert load_model().threshold <= data["confidence"] <= 1.0
    assert data["collection"] == "articles"
    assert "$2 billion" in data["answer"] and "$14.6 billion" in data["answer"]
    citation = data["citations"][0]
    assert list(citation) == [
        "n",
        "source",
        "title",
        "text",
        "start",
        "end",
        "score",
        "rank",
        "page",
        "section",
    ]
    assert (citation["page"], citation["section"]) == (None, None)  # plain text has neither
    assert citation["source"] == NSCALE_SOURCE
    assert "$14.6 billion" in citation["text"] and "$2 billion" in citation["text"]
    assert [p["rank"] for p in data["retrieved"]] == [1, 2, 3, 4, 5]
    assert list(data["retrieved"][0]) == [
        "rank",
        "source",
        "title",
        "text",
        "start",
        "end",
        "score",
        "pages",
        "section",
    ]
    assert set(data["timings_ms"]) == {"retrieve", "answer", "total"}
    assert "Traceback" not in result.stderr


def test_ask_human_output_lists_sources(rag: Rag, seeded_copy: Path, tmp_path: Path) -> None:
    result = rag(["ask", NSCALE, "--top-k", "3"], seeded_copy, tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Nscale, a startup backed by Nvidia, has raised $2 billion")
    assert "Sources:" in lines
    assert lines[lines.index("Sources:") + 1] == (
        "[1] The 2026 AI Infrastructure Surge: Regional Ecosystems, Custom Silicon, and "
        "Decentralized Powerhouses (004_f7653a61b53defd5.txt, characters 1611-1778)"
    )


def test_ask_prints_a_note_on_what_the_quote_lacks_first(
    rag: Rag, seeded_copy: Path, tmp_path: Path
) -> None:
    result = rag(["ask", "When did Nscale raise its $2 billion?"], seeded_copy, tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Note: The quote gives no date: the articles may not say when."
    assert lines[1].startswith("Nscale, a startup backed by Nvidia, has raised $2 billion")


def test_decline_and_empty_question_exit_codes(rag: Rag, seeded_copy: Path, tmp_path: Path) -> None:
    declined = rag(
        ["ask", "--json", "Who is the chief executive of Nscale?"], seeded_copy, tmp_path
    )
    assert declined.returncode == 0
    assert json.loads(declined.stdout)["declined"] is True
    # The predicate ("chief executive") is in no passage: declined before the model is asked.
    assert json.loads(declined.stdout)["confidence"] == 0.0
    empty = rag(["ask", "   "], seeded_copy, tmp_path)
    assert empty.returncode == 2
    assert empty.stdout == ""
    assert empty.stderr == "error: The question is empty. Type a question about the articles.\n"


def test_second_process_gets_the_lock_message(
    seeded_copy: Path, tmp_path: Path, embed_model: Any
) -> None:
    with Engine.open(make_settings(seeded_copy), embed_model):
        process = subprocess_rag(["status"], seeded_copy, tmp_path)
        _, stderr = process.communicate(timeout=300)
    assert process.returncode == 1
    assert "Traceback" not in stderr
    assert stderr == (
        f"error: The index in {seeded_copy}/ is in use by another rag process, and the embedded "
        "index admits one process at a time. Stop the other process (a running `rag chat`, "
        "`rag serve` or `rag ingest`), or run a Qdrant server and set RAG_QDRANT__URL so that "
        "several processes can share it.\n"
    )


def test_a_closed_output_pipe_ends_the_command_quietly(seeded_copy: Path, tmp_path: Path) -> None:
    # `rag status | head -0`: the reader is gone before anything is written.
    process = subprocess_rag(["status"], seeded_copy, tmp_path)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    stderr = process.stderr.read()
    assert process.wait(timeout=300) == 141
    assert stderr == ""


def test_ingest_reports_bad_files_and_exits_nonzero(rag: Rag, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "good.txt").write_text("Acme raised $3 billion for chips.\n", encoding="utf-8")
    (folder / "bad.txt").write_bytes(b"\xff\xfe\x00\x00garbage")
    result = rag(["ingest", str(folder)], tmp_path / "index", tmp_path)
    assert result.returncode == 1
    assert "failed: bad.txt: looks like a binary file, not text" in result.stderr
    # The line follows the progress bar's last carriage return when stderr is not a terminal.
    assert re.search(r"(?:^|\r)Index optimised in \d+\.\d s\.$", result.stderr, re.MULTILINE)
    assert result.stderr.rstrip().endswith(
        "1 added, 0 updated, 0 unchanged, 0 removed, 1 failed files; 1 chunk embedded, 0 removed."
    )
    status = rag(["status", "--json"], tmp_path / "index", tmp_path)
    assert json.loads(status.stdout)["articles"] == [
        {"source": "good.txt", "title": "Acme raised $3 billion for chips", "chunks": 1}
    ]


def test_a_missing_or_empty_index_says_to_ingest(rag: Rag, tmp_path: Path) -> None:
    # A mistyped path is not made into an index folder by a command that only reads.
    typo = tmp_path / "indx"
    for command in (["ask", NSCALE], ["status"], ["docs", "list"]):
        result = rag(command, typo, tmp_path)
        assert (result.returncode, result.stderr) == (
            1,
            f"error: There is no index in {typo}/ yet. Run `rag ingest` (it reads {SEEDS}/) to "
            "make one, or set RAG_QDRANT__PATH to where it is.\n",
        )
    assert not typo.exists()
    index = tmp_path / "index"
    assert rag(["collections", "create", "articles"], index).returncode == 0
    result = rag(["ask", NSCALE], index, tmp_path)
    assert (result.returncode, result.stderr) == (
        1,
        f"error: The index is empty. Run `rag ingest` (it reads {SEEDS}/) and ask again.\n",
    )


def test_every_place_the_server_cannot_write_is_named_at_once(rag: Rag, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    result = rag(
        ["serve"],
        tmp_path / "index",
        tmp_path,
        RAG_WEB__UPLOADS_DIR=str(blocker / "up"),
        RAG_HISTORY__PATH=str(blocker / "history.sqlite3"),
    )
    assert (result.returncode, result.stderr) == (
        2,
        "error: The server cannot write where it keeps its state:\n"
        f"- uploads in {blocker / 'up'} (RAG_WEB__UPLOADS_DIR): Not a directory\n"
        f"- history, query log and jobs in {blocker / 'history.sqlite3'} (RAG_HISTORY__PATH): "
        "Not a directory\n"
        f"- logins and API keys in {blocker / 'access.sqlite3'} (RAG_ACCESS__PATH): Not a "
        "directory\n"
        "Point each setting at a place this user can write (the index may stay read-only: it "
        "answers from a private copy).\n",
    )
    # The feedback file, in the working folder, could be written; nothing was left there.
    assert not (tmp_path / "feedback.jsonl").exists()


def test_the_slack_bot_alone_names_every_place_it_cannot_write(rag: Rag, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    # No Slack token is set: the state is checked first, so one restart fixes it all.
    result = rag(
        ["slack", "--http"],
        tmp_path / "index",
        tmp_path,
        RAG_WEB__UPLOADS_DIR=str(blocker / "up"),
        RAG_WEB__FEEDBACK_PATH=str(blocker / "feedback.jsonl"),
    )
    assert (result.returncode, result.stderr) == (
        2,
        "error: The server cannot write where it keeps its state:\n"
        f"- feedback in {blocker / 'feedback.jsonl'} (RAG_WEB__FEEDBACK_PATH): Not a directory\n"
        "Point each setting at a place this user can write (the index may stay read-only: it "
        "answers from a private copy).\n",
    )


def test_invalid_setting_names_the_variable(rag: Rag, tmp_path: Path) -> None:
    result = rag(["status"], tmp_path / "index", tmp_path, RAG_RETRIEVAL__TOP_K="many")
    assert result.returncode == 2
    assert result.stderr.startswith("error: invalid setting (RAG_RETRIEVAL__TOP_K: ")
    assert "Traceback" not in result.stderr


def test_a_trusted_proxy_that_is_no_address_is_named(rag: Rag, tmp_path: Path) -> None:
    proxies = {"RAG_ACCESS__TRUSTED_PROXIES": "127.0.0.1, nginx"}
    result = rag(["status"], tmp_path / "index", tmp_path, **proxies)
    assert (result.returncode, result.stderr) == (
        2,
        "error: invalid setting (RAG_ACCESS__TRUSTED_PROXIES: Value error, 'nginx' is not an IP "
        "address or network); see .env.example\n",
    )


def test_unreachable_server_names_the_url(rag: Rag, tmp_path: Path) -> None:
    result = rag(["status"], tmp_path / "index", tmp_path, RAG_QDRANT__URL="http://127.0.0.1:9")
    assert result.returncode == 1
    assert result.stderr.startswith("error: Cannot reach the Qdrant server at http://127.0.0.1:9 (")


def test_eval_gate_exit_codes(rag: Rag, seeded_copy: Path, tmp_path: Path) -> None:
    questions = tmp_path / "q.jsonl"
    questions.write_text(
        '{"id": "n", "question": "How much did Nscale raise, and at what valuation?", '
        '"must_include": [["$14.6 billion"]], "kind": "numeric"}\n'
        '{"id": "ceo", "question": "Who is the chief executive of Nscale?", "answerable": false}\n'
        "{broken\n",
        encoding="utf-8",
    )
    passing = rag(
        ["eval", str(questions), "--min", "accuracy=1.0", "--out", str(tmp_path / "r")],
        seeded_copy,
        tmp_path,
    )
    assert passing.returncode == 0, passing.stderr
    assert f"{questions}:3: skipped: not valid JSON" in passing.stderr
    assert re.search(r"^Overall accuracy +1\.000$", passing.stdout, re.MULTILINE)
    assert sorted(p.name for p in (tmp_path / "r").iterdir()) == [
        "report.html",
        "report.json",
        "report.md",
    ]
    failing = rag(
        ["eval", str(questions), "--min", "mrr=1.1", "--compare", str(tmp_path / "r/report.json")],
        seeded_copy,
        tmp_path,
    )
    assert failing.returncode == 1
    assert "gate failed: mrr = 1.0 is below the minimum 1.1" in failing.stderr
    assert "better (0):" in failing.stdout and "broke (0):" in failing.stdout
    bad_gate = rag(["eval", str(questions), "--min", "speed=1"], seeded_copy, tmp_path)
    assert bad_gate.returncode == 2
    assert bad_gate.stderr.startswith("error: --min speed=1: unknown metric 'speed'")


def test_terminal_chat_answers_follow_ups(
    rag: Rag, seeded_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    monkeypatch.setattr(
        "sys.stdin", io.StringIO("How much did Nscale raise?\nAnd at what valuation?\n\n")
    )
    result = rag(["chat"], seeded_copy)
    assert result.returncode == 0
    turns = result.stdout.split("You: ")[1:]
    assert len(turns) == 3  # two questions, then the empty line that ends the chat
    # Piped questions are shown before their answers, as a terminal would echo them.
    assert [t.splitlines()[0] for t in turns] == [
        "How much did Nscale raise?",
        "And at what valuation?",
        "",
    ]
    assert "$14.6 billion" in turns[1] and f"({NSCALE_SOURCE}, characters 1611-1778)" in turns[1]
    assert "Follow-up questions continue the conversation" in result.stderr


def test_terminal_chat_says_what_a_follow_up_searched(
    rag: Rag, seeded_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("What is OpenAI's valuation?\nand Anthropic?\n\n"))
    result = rag(["chat"], seeded_copy)
    asked, swapped, _ = result.stdout.split("You: ")[1:]
    assert "Searched as" not in asked
    assert swapped.splitlines()[:3] == [
        "and Anthropic?",
        "Searched as: “What is Anthropic's valuation?”",
        "The articles don't say. None of the retrieved passages answers this question, so I won't "
        "guess.",
    ]


def test_terminal_chat_says_how_to_take_a_did_you_mean(
    rag: Rag, seeded_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("How much did Nscale rasie?\nyes\n\n"))
    result = rag(["chat"], seeded_copy)
    assert result.returncode == 0
    offered, answered, _ = result.stdout.split("You: ")[1:]
    assert offered.rstrip().endswith("(Type “yes” to ask “How much did Nscale raise?”.)")
    assert "$14.6 billion" in answered and "Type “yes”" not in answered


def test_a_broken_embedding_model_is_reported_as_a_model_error(
    rag: Rag, seeded_copy: Path, tmp_path: Path
) -> None:
    import shutil

    from rag.config import EmbeddingSettings
    from rag.search.embeddings import model_path

    broken = tmp_path / "model"
    shutil.copytree(model_path(EmbeddingSettings()), broken)
    (broken / "model.safetensors").write_bytes(b"\x00" * 1000)
    result = rag(["ask", NSCALE], seeded_copy, RAG_EMBEDDING__MODEL_PATH=str(broken))
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: Cannot load the embedding model from {broken} (")
    assert "index" not in result.stderr and "disk space" not in result.stderr
