"""Shared fixtures: the real embedding model, real on-disk Qdrant indexes, and a network guard."""

from __future__ import annotations

import ipaddress
import os
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"

from rag.config import Settings
from rag.engine import Engine
from rag.search.embeddings import build_embedding

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


class OutboundNetworkError(RuntimeError):
    """Raised when a test tries to reach beyond the loopback interface."""


def _is_loopback(host: str) -> bool:
    if host in {"localhost", ""}:
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True, scope="session")
def no_outbound_network() -> Iterator[None]:
    """Refuse every connection and name lookup that is not for loopback."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def check(sock: socket.socket, address: Any) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(str(address[0])):
            raise OutboundNetworkError(f"outbound connection to {address!r} blocked in tests")

    def connect(sock: socket.socket, address: Any) -> None:
        check(sock, address)
        real_connect(sock, address)

    def connect_ex(sock: socket.socket, address: Any) -> int:
        check(sock, address)
        return real_connect_ex(sock, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host or "")
        if not _is_loopback(name) and not name.startswith("127."):
            raise OutboundNetworkError(f"name lookup of {name!r} blocked in tests")
        return real_getaddrinfo(host, *args, **kwargs)

    socket.socket.connect = connect  # type: ignore[method-assign]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = getaddrinfo
    yield
    socket.socket.connect = real_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = real_connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = real_getaddrinfo


@pytest.fixture(scope="session")
def embed_model() -> Any:
    """The packaged all-MiniLM-L6-v2, loaded once for the whole run."""
    return build_embedding(Settings().embedding)


def make_settings(index: Path, **overrides: Any) -> Settings:
    """Settings for a test: an index folder of its own and no .env influence."""
    qdrant = {"path": index, **overrides.pop("qdrant", {})}
    return Settings(_env_file=None, qdrant=qdrant, seeds_dir=SEEDS, **overrides)  # type: ignore[call-arg]


@pytest.fixture
def engine(tmp_path: Path, embed_model: Any) -> Iterator[Engine]:
    """An engine over an empty on-disk index in a temporary folder."""
    settings = make_settings(tmp_path / "index")
    with Engine.open(settings, embed_model) as eng:
        yield eng


@pytest.fixture(scope="session")
def seeded_index(tmp_path_factory: pytest.TempPathFactory, embed_model: Any) -> Path:
    """An on-disk index of the five seed articles, built once and copied per use."""
    index = tmp_path_factory.mktemp("seeded") / "index"
    with Engine.open(make_settings(index), embed_model) as eng:
        report = eng.ingest([SEEDS])
        assert report.ok and len(report.added) == 5
    return index


@pytest.fixture(scope="session")
def seeded(seeded_index: Path, embed_model: Any) -> Iterator[Engine]:
    """A read-only engine over the seeded index, shared by the answering tests."""
    with Engine.open(make_settings(seeded_index), embed_model) as eng:
        yield eng


@pytest.fixture
def seeded_copy(tmp_path: Path, seeded_index: Path) -> Path:
    """A private copy of the seeded index folder, for tests that change it or lock it."""
    target = tmp_path / "index"
    shutil.copytree(seeded_index, target, ignore=shutil.ignore_patterns(".lock"))
    return target


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, Any]:
    """Debian's Chromium, started as the offline machines need (Playwright's download fails)."""
    return {
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }
