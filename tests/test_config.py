"""Settings from the environment and .env, and the network guard the suite runs under."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from rag.config import Settings
from tests.fixtures.network import OutboundNetworkError


def test_defaults_need_no_env_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = Settings()
    assert settings.qdrant.path == Path("index")
    assert settings.qdrant.url is None
    assert (settings.retrieval.top_k, settings.chunk.size, settings.llm.mode) == (
        5,
        240,
        "extractive",
    )


def test_env_file_and_nested_variables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text(
        "RAG_QDRANT__URL=http://127.0.0.1:6333\nRAG_QDRANT__API_KEY=s3ntinel-key\n"
        "RAG_CHUNK__SIZE=200\nSLACK_BOT_TOKEN=xoxb-s3ntinel\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("RAG_RETRIEVAL__TOP_K", "8")
    settings = Settings()
    assert settings.qdrant.url == "http://127.0.0.1:6333"
    assert settings.qdrant.api_key is not None
    assert settings.qdrant.api_key.get_secret_value() == "s3ntinel-key"
    assert settings.slack.bot_token is not None
    assert settings.slack.bot_token.get_secret_value() == "xoxb-s3ntinel"
    assert "s3ntinel" not in repr(settings) and "s3ntinel" not in str(settings.model_dump())
    assert (settings.chunk.size, settings.retrieval.top_k) == (200, 8)


def test_slack_settings_take_slack_names_then_rag_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text(
        "SLACK_BOT_TOKEN=xoxb-from-file\nSLACK_APP_TOKEN=xapp-from-file\nSLACK_API_URL=\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-from-env")
    monkeypatch.setenv("RAG_SLACK__SIGNING_SECRET", "signing")
    slack = Settings().slack
    assert slack.bot_token is not None and slack.bot_token.get_secret_value() == "xoxb-from-env"
    assert slack.app_token is not None and slack.app_token.get_secret_value() == "xapp-from-file"
    assert slack.signing_secret is not None
    assert slack.signing_secret.get_secret_value() == "signing"
    assert slack.api_url == "https://slack.com/api/"


def test_blank_url_means_embedded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RAG_QDRANT__URL", "")
    assert Settings().qdrant.url is None


def test_every_setting_is_listed_in_env_example() -> None:
    example = (Path(__file__).resolve().parent.parent / ".env.example").read_text("utf-8")
    for group, model in Settings.model_fields.items():
        fields = getattr(model.annotation, "model_fields", None)
        if group == "slack":
            # Slack's own names, as its docs use them (RAG_SLACK__* works as well).
            names = [f"SLACK_{f.upper()}" for f in fields]
        elif fields:
            names = [f"RAG_{group.upper()}__{f.upper()}" for f in fields]
        else:
            names = [f"RAG_{group.upper()}"]
        for name in names:
            assert f"# {name}=" in example, name


def test_network_guard_blocks_outbound_and_allows_loopback() -> None:
    with pytest.raises(OutboundNetworkError):
        socket.create_connection(("10.255.255.1", 80), timeout=1)
    with pytest.raises(OutboundNetworkError):
        socket.getaddrinfo("huggingface.co", 443)
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    client = socket.create_connection(server.getsockname(), timeout=1)
    client.close()
    server.close()
