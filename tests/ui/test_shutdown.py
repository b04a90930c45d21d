"""SIGTERM while answering: the server stops within seconds and says so in one line."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from tests.fixtures import NSCALE, ROOT
from tests.fixtures.loopback import free_port


def test_sigterm_during_requests_stops_with_one_line_and_no_traceback(
    seeded_copy: Path, tmp_path: Path
) -> None:
    port = free_port()
    env = {
        **os.environ,
        "RAG_QDRANT__PATH": str(seeded_copy),
        "RAG_HISTORY__PATH": str(tmp_path / "history.sqlite3"),
        "RAG_WEB__UPLOADS_DIR": str(tmp_path / "uploads"),
        "HF_HUB_OFFLINE": "1",
        "PYTHONPATH": str(ROOT),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "ui.cli", "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, server.communicate()[1]
            try:
                if httpx.get(f"{base}/api/status", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.5)
        started = threading.Event()

        def ask() -> None:
            body = {"stream": True, "messages": [{"role": "user", "content": NSCALE}]}
            try:
                with httpx.stream(
                    "POST", f"{base}/v1/chat/completions", json=body, timeout=30
                ) as r:
                    started.set()
                    for _ in r.iter_bytes():
                        pass
            except httpx.HTTPError:
                started.set()

        askers = [threading.Thread(target=ask) for _ in range(4)]
        for asker in askers:
            asker.start()
        assert started.wait(30)
        server.send_signal(signal.SIGTERM)
        stopping = time.monotonic()
        _, err = server.communicate(timeout=30)
        took = time.monotonic() - stopping
    finally:
        if server.poll() is None:
            server.kill()
    assert server.returncode == 0, err
    assert took < 10
    assert "Traceback" not in err and "CancelledError" not in err
    assert err.splitlines()[-1].startswith("Stopped.")
