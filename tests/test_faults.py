"""Faults: a killed ingest, a Qdrant server that is gone, secrets that must not leak."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from rag.config import QdrantSettings, SlackSettings
from rag.engine import Engine
from rag.errors import StoreUnavailableError
from rag.feedback import FeedbackLog
from rag.search.embedded import EmbeddedStore
from tests.fixtures import make_settings
from tests.fixtures.documents import corpus
from tests.fixtures.loopback import QuietHandler, serve


def point_ids(index: Path) -> list[str]:
    store = EmbeddedStore(QdrantSettings(path=index))
    try:
        return sorted(n.node_id for n in store.vector_store.get_nodes())
    finally:
        store.close()


def committed_files(index: Path) -> int:
    """How many files an ingest has written whole so far, read from its manifest (WAL)."""
    manifest = index / "manifest.sqlite"
    if not manifest.exists():
        return 0
    try:
        with closing(sqlite3.connect(f"file:{manifest}?mode=ro", uri=True, timeout=5)) as db:
            return int(db.execute("SELECT count(*) FROM files WHERE chunk_count > 0").fetchone()[0])
    except sqlite3.Error:
        return 0  # the schema is not written yet


def rag_ingest(index: Path, folder: Path, cwd: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "RAG_QDRANT__PATH": str(index), "HF_HUB_OFFLINE": "1"}
    # Small batches, so that a kill lands between two of them.
    env["RAG_INGEST__BATCH_CHUNKS"] = "8"
    command = [sys.executable, "-m", "ui.cli", "ingest", str(folder)]
    return subprocess.Popen(command, cwd=cwd, env=env, stderr=subprocess.PIPE, text=True)


@pytest.mark.slow  # a real process, killed: tens of seconds
def test_ingest_killed_midway_converges_to_the_clean_index(tmp_path: Path) -> None:
    folder = corpus(tmp_path / "docs", copies=4)
    clean = rag_ingest(tmp_path / "clean", folder, tmp_path)
    assert clean.wait(300) == 0
    expected = point_ids(tmp_path / "clean")
    victim = tmp_path / "killed"
    process = rag_ingest(victim, folder, tmp_path)
    # Kill it once some, but not all, files are in: polled in its manifest, with a deadline.
    deadline = time.monotonic() + 120
    while committed_files(victim) < 2:
        assert process.poll() is None, "the ingest ended before it could be killed"
        assert time.monotonic() < deadline, "no file was committed within 120 s"
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait(30)
    partial = point_ids(victim)
    assert 0 < len(partial) < len(expected)
    again = rag_ingest(victim, folder, tmp_path)
    _, stderr = again.communicate(timeout=300)
    assert again.returncode == 0, stderr
    assert point_ids(victim) == expected  # same ids, same count: no duplicates, no orphans


class _BriefQdrant(QuietHandler):
    """Answers the start-up calls of a Qdrant server (no collection yet), then is shut down."""

    def do_GET(self) -> None:
        self.send_json({"result": {"exists": False, "collections": []}, "status": "ok", "time": 0})


def test_qdrant_server_gone_mid_session_is_a_message(tmp_path: Path, embed_model: Any) -> None:
    server = serve(_BriefQdrant)
    url = f"http://127.0.0.1:{server.server_port}"
    settings = make_settings(tmp_path / "index", qdrant={"url": url, "timeout_s": 2})
    engine = Engine.open(settings, embed_model)
    # The server was there at start-up and has gone away since.
    server.shutdown()
    server.server_close()
    with pytest.raises(StoreUnavailableError) as caught:
        engine.ask("How much did Nscale raise?")
    assert str(caught.value) == (
        f"The Qdrant store at {url} failed (ResponseHandlingException); check that it is running "
        "and reachable, then ask again."
    )
    from ui.web.chat import ChatHandlers

    handlers = ChatHandlers(engine, FeedbackLog(tmp_path / "f.jsonl"), tmp_path / "u")
    *_, last = handlers.respond("How much did Nscale raise?", [], "All articles", None)
    chat = last["chat"]
    assert chat[-1]["content"].startswith("⚠️ The Qdrant store at http://127.0.0.1:")


def test_sentinel_secrets_never_reach_logs_reports_or_pages(
    seeded_copy: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    from ui.cli.main import main

    sentinels = {
        "RAG_QDRANT__API_KEY": "qdrant-SENTINEL-1",
        "RAG_LLM__API_KEY": "llm-SENTINEL-2",
        "SLACK_BOT_TOKEN": "xoxb-SENTINEL-3",
        "SLACK_SIGNING_SECRET": "signing-SENTINEL-4",
        "SLACK_APP_TOKEN": "xapp-SENTINEL-5",
        "RAG_WEB__PASSWORD": "password-SENTINEL-6",
        "RAG_WEB__USERNAME": "reader",
        "RAG_QDRANT__PATH": str(seeded_copy),
        "RAG_API__KEYS": "key-SENTINEL-7,key-SENTINEL-8",
    }
    for name, value in sentinels.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)
    questions = tmp_path / "q.jsonl"
    questions.write_text('{"question": "How much did Nscale raise?"}\n', encoding="utf-8")
    outputs = []
    for args in (
        ["status", "--json"],
        ["ask", "--json", "How much did Nscale raise?"],
        ["eval", str(questions), "--out", str(tmp_path / "report")],
        ["ask", "--json", "x", "--source", "missing.txt"],
    ):
        main(args)
        outputs += [*capsys.readouterr(), caplog.text]
    written = [p.read_text("utf-8") for p in (tmp_path / "report").iterdir()]
    everything = "\n".join(outputs + written)
    assert "Nscale" in everything  # the run did produce output to search
    assert "SENTINEL" not in everything
    report = json.loads((tmp_path / "report" / "report.json").read_text("utf-8"))
    assert report["config"]["settings"]["llm"]["api_key"] == "**********"


def test_slack_settings_repr_hides_tokens() -> None:
    settings = SlackSettings(bot_token="xoxb-SENTINEL", signing_secret="s-SENTINEL")
    assert "SENTINEL" not in repr(settings) and "SENTINEL" not in str(settings.model_dump())
