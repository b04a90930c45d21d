"""The server behind a real nginx configured as docs/security.md says: clients, origin, the page."""

from __future__ import annotations

import logging
import os
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from rag.engine import Engine
from tests.fixtures import make_settings
from tests.fixtures.loopback import free_port
from ui.server import serve

pytestmark = pytest.mark.slow
DOCS = Path(__file__).parents[2] / "docs" / "security.md"
LOGIN = {"username": "reader", "password": "pw-SENTINEL"}


def documented_location(upstream: int) -> str:
    """The nginx `location` block of docs/security.md, sent to this test's server."""
    block = re.search(r"```nginx\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.DOTALL)
    assert block is not None, "docs/security.md has no nginx example"
    return block.group(1).replace("127.0.0.1:7860", f"127.0.0.1:{upstream}")


@pytest.fixture
def proxied(tmp_path: Path, seeded_copy: Path, embed_model: Any) -> Iterator[str]:
    """The address of nginx in front of a server that trusts it, with one user."""
    nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    assert nginx, "nginx is not installed: `make proxy` installs Debian's nginx-light"
    folder = tmp_path / "nginx"
    folder.mkdir()
    temps = " ".join(
        f"{kind}_temp_path {folder / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    # Run as root (CI), nginx's workers would become "nobody", who cannot enter tmp_path.
    user = "user root;" if os.geteuid() == 0 else ""
    command = [nginx, "-p", str(folder), "-e", str(folder / "error.log")]
    command += ["-c", str(folder / "nginx.conf"), "-g", "daemon off;"]
    web = {**LOGIN, "uploads_dir": tmp_path / "up"}
    settings = make_settings(seeded_copy, web=web, access={"trusted_proxies": "127.0.0.1"})
    with Engine.open(settings, embed_model) as engine:
        upstream, front = free_port(), free_port()
        (folder / "nginx.conf").write_text(
            f"{user} worker_processes 1; pid {folder / 'nginx.pid'};\n"
            "events { worker_connections 64; }\n"
            f"http {{ access_log off; {temps}\n"
            f"server {{ listen 127.0.0.1:{front};\n{documented_location(upstream)}}} }}\n"
        )
        running = serve(engine, "127.0.0.1", upstream)
        process = None
        try:
            process = subprocess.Popen(command)
            deadline = time.monotonic() + 20
            while True:
                try:
                    socket.create_connection(("127.0.0.1", front), timeout=1).close()
                    break
                except OSError:
                    assert process.poll() is None, (folder / "error.log").read_text()
                    assert time.monotonic() < deadline, "nginx did not listen"
                    time.sleep(0.1)
            yield f"http://127.0.0.1:{front}"
        finally:
            if process is not None:
                process.terminate()
                process.wait(timeout=20)
            running.close()


def test_behind_nginx_each_client_has_its_own_failed_logins(
    proxied: str, caplog: pytest.LogCaptureFixture
) -> None:
    # Before, every login came from nginx's address: one guesser locked every user out.
    def guess(client: str) -> int:
        wrong = {"username": "reader", "password": "a guess"}
        headers = {"x-forwarded-for": client}
        return httpx.post(f"{proxied}/login", data=wrong, headers=headers).status_code

    with caplog.at_level(logging.WARNING, logger="ui.door"):
        assert [guess("203.0.113.5") for _ in range(6)] == [401] * 5 + [429]
        assert guess("203.0.113.6") == 401
    assert caplog.messages[-2:] == [
        "refused: too many failed logins from 203.0.113.5",
        "refused: failed login for 'reader' from 203.0.113.6",
    ]


def test_behind_nginx_the_page_is_its_own_origin(proxied: str) -> None:
    # A browser sends the address it typed as Origin; nginx must pass it on as Host, else every
    # write from the page (the login, a question) is refused as another site's.
    browser = httpx.Client(base_url=proxied, headers={"origin": proxied}, timeout=60)
    assert browser.post("/login", data=LOGIN).status_code == 303
    asked = browser.post("/api/ask", json={"question": "How much did Nscale raise?"})
    assert asked.status_code == 200
    assert "raised $2 billion" in asked.json()["answer"]


def test_behind_nginx_the_chat_page_logs_in_and_answers(proxied: str, page: Any) -> None:
    # The page's answer streams through nginx as server-sent events.
    page.goto(proxied)
    assert page.url.startswith(f"{proxied}/login?next=")
    page.locator("input[name=username]").fill(LOGIN["username"])
    page.locator("input[name=password]").fill(LOGIN["password"])
    page.locator("button[type=submit]").click()
    box = page.locator("#question textarea")
    box.fill("How much did Nscale raise?")
    box.press("Enter")
    answer = page.locator("#chat").get_by_text("has raised $2 billion", exact=False).first
    answer.wait_for(timeout=60_000)
