"""The HTTP APIs served for real on loopback: the official openai client, and httpx for REST."""

from __future__ import annotations

import gzip
import itertools
import json
import logging
import re
import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
from fastapi.testclient import TestClient

from rag.answering.confidence import load_model
from rag.config import Settings
from rag.engine import Engine
from rag.errors import ConfigError
from tests.fixtures import NSCALE, NSCALE_SOURCE, SEEDS, make_settings
from tests.fixtures.documents import make_docx
from tests.fixtures.indexes import CopyIndex
from tests.fixtures.loopback import free_port
from tests.fixtures.schema import ANSWER
from ui.server import Running, build_server, serve

KEY = "test-key-two"
KEYS = "test-key-one, test-key-two"


def api_settings(folder: Path, copy_seeded: CopyIndex, **web: Any) -> Settings:
    """Settings with the two API keys over a seeded copy in folder, with these web settings."""
    files = {"uploads_dir": folder / "uploads", "feedback_path": folder / "feedback.jsonl"}
    return make_settings(copy_seeded(folder), api={"keys": KEYS}, web=files | web)


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, copy_seeded: CopyIndex, embed_model: Any
) -> Iterator[tuple[Running, Engine]]:
    """The server with two API keys, a 1 MB upload limit, a 2 s head start, over a seeded index."""
    folder = tmp_path_factory.mktemp("api")
    settings = api_settings(folder, copy_seeded, max_upload_mb=1, request_timeout_s=2)
    with Engine.open(settings, embed_model) as engine:
        engine.warm_up()
        running = serve(engine, "127.0.0.1", free_port())
        yield running, engine
        running.close()


@pytest.fixture
def chat(server: tuple[Running, Engine]) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{server[0].url}/v1", api_key=KEY, max_retries=0)


@pytest.fixture
def rest(server: tuple[Running, Engine]) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {KEY}"}
    with httpx.Client(base_url=server[0].url, headers=headers, timeout=60) as client:
        yield client


SOURCES = (
    "\n\nSources:\n[1] The 2026 AI Infrastructure Surge: Regional Ecosystems, Custom Silicon, "
    "and Decentralized Powerhouses (004_f7653a61b53defd5.txt): “Nscale, a startup backed by "
    "Nvidia, has raised $2 billion—bringing its valuation to $14.6 billion—to scale AI "
    "deployment pipelines at both data center and edge levels.”"
)


def test_openai_client_gets_a_cited_answer(chat: openai.OpenAI) -> None:
    completion = chat.chat.completions.create(
        model="rag-news", messages=[{"role": "user", "content": NSCALE}]
    )
    content = completion.choices[0].message.content or ""
    assert content.startswith("Nscale, a startup backed by Nvidia, has raised $2 billion")
    assert "$14.6 billion" in content and SOURCES in content
    assert completion.choices[0].finish_reason == "stop"
    extra = completion.model_extra or {}
    first = extra["citations"][0]
    assert (first["n"], first["source"], first["start"], first["end"]) == (
        1,
        NSCALE_SOURCE,
        1611,
        1778,
    )
    assert first["text"].startswith("Nscale, a startup backed by Nvidia, has raised $2 billion")
    assert extra["rag"]["declined"] is False
    assert load_model().threshold <= extra["rag"]["confidence"] <= 1.0
    assert [m.id for m in chat.models.list()] == ["rag-news"]


@pytest.mark.parametrize(
    ("question", "pieces"), [(NSCALE, 18), ("hi", 3), ("What are these articles about?", 3)]
)
def test_openai_client_streams_the_same_answer(
    chat: openai.OpenAI, question: str, pieces: int
) -> None:
    whole = chat.chat.completions.create(
        model="rag-news", messages=[{"role": "user", "content": question}]
    )
    chunks = list(
        chat.chat.completions.create(
            model="rag-news", messages=[{"role": "user", "content": question}], stream=True
        )
    )
    assert len(chunks) == pieces
    assert chunks[0].choices[0].delta.role == "assistant"
    streamed = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert streamed == whole.choices[0].message.content
    assert "Checked against the sources" not in streamed
    last = chunks[-1]
    assert last.choices[0].finish_reason == "stop"
    assert (last.model_extra or {})["citations"] == (whole.model_extra or {})["citations"]
    assert [c.choices[0].finish_reason for c in chunks[:-1]] == [None] * (len(chunks) - 1)


def test_did_you_mean_is_a_field_and_a_yes_asks_it(rest: httpx.Client) -> None:
    offered = rest.post("/api/ask", json={"question": "How much did Nscael raise?"}).json()
    assert (offered["declined"], offered["did_you_mean"]) == (True, "How much did Nscale raise?")
    history = ["How much did Nscael raise?"]
    yes = rest.post("/api/ask", json={"question": "yes", "history": history}).json()
    assert (yes["question"], yes["declined"], yes["did_you_mean"]) == (
        "How much did Nscale raise?",
        False,
        "",
    )
    assert yes["citations"][0]["source"] == "004_f7653a61b53defd5.txt"


def test_follow_up_is_asked_with_the_conversation(chat: openai.OpenAI) -> None:
    first = chat.chat.completions.create(
        model="rag-news", messages=[{"role": "user", "content": "How much did Nscale raise?"}]
    )
    follow = chat.chat.completions.create(
        model="rag-news",
        messages=[
            {"role": "system", "content": "You are helpful."},
            {"role": "user", "content": "How much did Nscale raise?"},
            {"role": "assistant", "content": first.choices[0].message.content or ""},
            {"role": "user", "content": [{"type": "text", "text": "And at what valuation?"}]},
        ],
    )
    assert "$14.6 billion" in (follow.choices[0].message.content or "")
    assert (follow.model_extra or {})["rag"]["standalone_question"] == (
        "How much did Nscale raise? And at what valuation?"
    )


def test_a_decline_is_an_ordinary_reply(chat: openai.OpenAI) -> None:
    completion = chat.chat.completions.create(
        model="rag-news",
        messages=[{"role": "user", "content": "How much did CoreWeave raise in 2026?"}],
    )
    content = completion.choices[0].message.content or ""
    assert content.startswith("The articles don't")
    assert "Sources:" not in content
    assert (completion.model_extra or {})["rag"]["declined"] is True
    assert (completion.model_extra or {})["citations"] == []


def test_wrong_or_missing_key_is_refused(
    server: tuple[Running, Engine], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    assert server[0].lines[0] == "Login required on every route (0 users, 2 API keys)"
    wrong = openai.OpenAI(base_url=f"{server[0].url}/v1", api_key="nope", max_retries=0)
    with pytest.raises(openai.AuthenticationError) as refused:
        wrong.chat.completions.create(model="rag-news", messages=[{"role": "user", "content": "x"}])
    assert refused.value.status_code == 401
    assert refused.value.body == {
        "message": "Wrong API key.",
        "type": "authentication_error",
        "code": "invalid_api_key",
        "param": None,
    }
    with httpx.Client(base_url=server[0].url, timeout=30) as anonymous:
        for method, path in [
            ("GET", "/v1/models"),
            ("POST", "/v1/chat/completions"),
            ("POST", "/api/ask"),
            ("GET", "/api/status"),
            ("GET", "/api/documents"),
            ("POST", "/api/documents"),
            ("DELETE", f"/api/documents/{NSCALE_SOURCE}"),
            ("POST", "/api/feedback"),
        ]:
            response = anonymous.request(method, path)
            assert response.status_code == 401, path
            assert response.json()["error"]["message"] == (
                "Log in first: send 'Authorization: Bearer KEY', or log in on the page."
            )
            assert response.headers["www-authenticate"] == "Bearer"
        assert anonymous.get("/api/status", headers={"Authorization": "Bearer"}).status_code == 401
        ok = anonymous.get("/api/status", headers={"Authorization": "Bearer test-key-one"})
        assert ok.status_code == 200
    assert "test-key" not in caplog.text


def test_rest_upload_ask_delete_ask_again(rest: httpx.Client, tmp_path: Path) -> None:
    memo = tmp_path / "helion-memo.docx"
    make_docx(
        memo,
        "Helion fusion deal",
        ["Helion Energy agreed to supply 50 MW of fusion power to Microsoft data centers in 2028."],
    )
    question = {"question": "How much fusion power will Helion supply to Microsoft?"}
    with memo.open("rb") as data:
        upload = rest.post(
            "/api/documents",
            files=[
                ("files", ("helion-memo.docx", data, "application/octet-stream")),
                ("files", ("notes.exe", b"MZ", "application/octet-stream")),
            ],
        )
    assert upload.status_code == 200
    assert upload.json() == {
        "documents": [
            {
                "name": "notes.exe",
                "status": "failed",
                "reason": "notes.exe: unsupported file type; use one of .docx, .htm, .html, "
                ".markdown, .md, .pdf, .txt",
            },
            {"name": "helion-memo.docx", "status": "added", "reason": None},
        ]
    }
    listed = rest.get("/api/documents").json()["documents"]
    assert {"source": "helion-memo.docx", "title": "Helion fusion deal", "chunks": 1} in listed
    answer = rest.post("/api/ask", json=question).json()
    assert "50 MW" in answer["answer"] and answer["declined"] is False
    assert answer["citations"][0]["source"] == "helion-memo.docx"
    removed = rest.delete("/api/documents/helion-memo.docx")
    assert removed.status_code == 200
    assert removed.json() == {
        "source": "helion-memo.docx",
        "chunks_removed": 1,
        "file_deleted": True,
    }
    again = rest.post("/api/ask", json=question).json()
    assert again["declined"] is True
    assert all(c["source"] != "helion-memo.docx" for c in again["retrieved"])
    gone = rest.delete("/api/documents/helion-memo.docx")
    assert gone.status_code == 404
    assert gone.json()["error"] == {
        "message": "No article named 'helion-memo.docx' in the index; `rag status` lists the "
        "articles.",
        "type": "not_found_error",
        "code": "document_not_found",
        "param": None,
    }


def test_rest_ask_status_and_feedback_reach_the_query_log(
    rest: httpx.Client, server: tuple[Running, Engine]
) -> None:
    asked = rest.post(
        "/api/ask",
        json={"question": "And at what valuation?", "history": ["How much did Nscale raise?"]},
    )
    assert asked.status_code == 200
    body = asked.json()
    assert list(body) == ["answer_id", *ANSWER]
    assert "$14.6 billion" in body["answer"]
    voted = rest.post("/api/feedback", json={"answer_id": body["answer_id"], "vote": "down"})
    assert voted.json() == {"answer_id": body["answer_id"], "vote": "down", "saved": True}
    status = rest.get("/api/status").json()
    assert (len(status["articles"]), status["mode"]) == (5, "extractive")
    log = server[1].query_log
    assert log is not None
    log.flush()
    down = log.thumbs_down()[0]
    assert (down.channel, down.question, down.vote) == ("api", "And at what valuation?", "down")


BAD_INPUT = [
    ("/api/ask", b'{"question": ', 400, "invalid_json", None,
     "The body is not valid JSON: Expecting value (character 13)."),
    ("/api/ask", b'{"question": 5}', 422, "invalid_request", "question",
     "question: Input should be a valid string"),
    ("/api/ask", b'{"question": "Nscale?", "top_k": 0}', 422, "invalid_request", "top_k",
     "top_k: Input should be greater than or equal to 1"),
    ("/api/ask", b'{"question": "Nscale?", "colour": 1}', 422, "invalid_request", "colour",
     "colour: Extra inputs are not permitted"),
    ("/api/ask", b'{"question": "   "}', 400, "invalid_question", "question",
     "The question is empty. Type a question about the articles."),
    ("/api/ask", b'{"question": "Nscale?", "source": "nope.txt"}', 400, "invalid_question",
     "source",
     "No article named 'nope.txt' in the index; `rag status` lists the articles."),
    ("/api/ask", b'[1, 2]', 422, "invalid_request", None,
     "Input should be a valid dictionary or object to extract fields from"),
    ("/api/feedback", b'{"answer_id": "zzz", "vote": "up"}', 404, "answer_not_found", None,
     "No answer with id 'zzz': it is unknown, or older than the last 2,000 answers."),
    ("/api/feedback", b'{"answer_id": "zzz", "vote": "meh"}', 422, "invalid_request", "vote",
     "vote: Input should be 'up' or 'down'"),
    ("/v1/chat/completions", b'{"messages": []}', 422, "invalid_request", "messages",
     "messages: List should have at least 1 item after validation, not 0"),
    ("/v1/chat/completions", b'{"messages": [{"role": "robot", "content": "hi"}]}', 422,
     "invalid_request", "messages.0.role",
     "messages.0.role: Input should be 'system', 'developer', 'user', 'assistant', 'tool' or "
     "'function'"),
    ("/v1/chat/completions", b'{"messages": [{"role": "assistant", "content": "hi"}]}', 400,
     "invalid_question", "messages.0.role",
     "The last message must be the user's question (role 'user'), not role 'assistant'."),
    ("/v1/chat/completions", b'{"messages": [{"role": "user", "content": "' + b"x" * 200_001
     + b'"}]}', 422, "invalid_request", "messages.0.content",
     "messages.0.content: String should have at most 200000 characters"),
    ("/v1/chat/completions", b'{"messages": [{"role": "user", "content": ""}], "stream": true}',
     400, "invalid_question", "messages.0.content",
     "The question is empty. Type a question about the articles."),
    ("/v1/chat/completions", b'{"messages": [{"role": "user", "content": 42}]}', 422,
     "invalid_request", "messages.0.content", "messages.0.content: Input should be a valid string"),
    ("/v1/chat/completions", b'{"messages": [{"role": "user", "content": "hi"}], "stream": "yes"}',
     422, "invalid_request", "stream", "stream: Input should be a valid boolean"),
    ("/v1/chat/completions", b'{"messages": [{"role": "user", "content": "hi"}], "top_k": true}',
     422, "invalid_request", "top_k", "top_k: Input should be a valid integer"),
    ("/v1/chat/completions", b'{"messages": [' + b'{"role": "user", "content": "hi"}, ' * 200
     + b'{"role": "user", "content": "hi"}]}', 422, "invalid_request", "messages",
     "messages: List should have at most 200 items after validation, not 201"),
    ("/api/ask", b'{"question": "Nscale?", "top_k": true}', 422, "invalid_request", "top_k",
     "top_k: Input should be a valid integer"),
    ("/api/ask", b'{"question": "caf\xe9"}', 400, "invalid_json", None,
     "The body is not valid JSON: it must be UTF-8 text of a usual depth."),
    ("/api/ask", b"", 400, "invalid_request", None, "The request has no body: send a JSON object."),
]  # fmt: skip


@pytest.mark.parametrize(("path", "body", "status", "code", "param", "message"), BAD_INPUT)
def test_bad_input_gets_a_json_error_naming_it(
    rest: httpx.Client, path: str, body: bytes, status: int, code: str, param: str | None,
    message: str,
) -> None:  # fmt: skip
    response = rest.post(path, content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == status
    kind = "not_found_error" if status == 404 else "invalid_request_error"
    assert response.json() == {
        "error": {"message": message, "type": kind, "code": code, "param": param}
    }


def test_long_questions_are_cut_with_a_notice_and_huge_ones_refused(rest: httpx.Client) -> None:
    long = rest.post("/api/ask", json={"question": NSCALE + " " + "x" * 100_000})
    assert long.status_code == 200
    assert long.json()["notices"] == [
        "Your question was 100,050 characters long; only the first 2,000 were used."
    ]
    assert "$14.6 billion" in long.json()["answer"]
    huge = rest.post("/api/ask", json={"question": "x" * 200_001})
    assert huge.status_code == 422
    assert huge.json()["error"]["message"] == (
        "question: String should have at most 200000 characters"
    )


def test_oversized_and_refused_uploads(rest: httpx.Client) -> None:
    big = rest.post("/api/documents", files={"files": ("big.txt", b"a" * 2_100_000)})
    assert big.status_code == 413
    assert big.json()["error"]["message"] == (
        "The upload is 2.1 MB, over the 1 MB limit (RAG_WEB__MAX_UPLOAD_MB)."
    )
    # Under the request limit, over the per-file limit: refused by the upload's own check.
    near = rest.post("/api/documents", files={"files": ("near.txt", b"a" * 1_500_000)})
    assert near.status_code == 413
    assert near.json()["error"]["message"] == "near.txt: 1.5 MB is over the 1 MB limit"
    broken = rest.post("/api/documents", files={"files": ("broken.pdf", b"%PDF-1.4 not a pdf")})
    assert broken.status_code == 400
    assert broken.json()["error"]["code"] == "invalid_document"
    assert broken.json()["error"]["message"].startswith("broken.pdf: not a readable PDF")
    none = rest.post("/api/documents")
    assert none.status_code == 422
    assert none.json()["error"]["param"] == "files"


def test_a_refused_upload_is_not_kept_and_the_file_it_replaced_comes_back(
    rest: httpx.Client, server: tuple[Running, Engine]
) -> None:
    uploads = server[1].settings.web.uploads_dir
    good = b"Quarry Labs raised $7 million for its cooling design.\n"
    first = rest.post("/api/documents", files={"files": ("quarry.txt", good)})
    assert first.json()["documents"][0]["status"] == "added"
    # The same name again, now not UTF-8 text, and a new file that is no PDF.
    broken = rest.post(
        "/api/documents",
        files=[("files", ("quarry.txt", b"caf\xe9 \xff")), ("files", ("new.pdf", b"%PDF-1.4 x"))],
    )
    assert broken.status_code == 400
    assert broken.json()["error"]["code"] == "invalid_document"
    assert sorted(p.name for p in uploads.iterdir()) == ["quarry.txt"]
    assert (uploads / "quarry.txt").read_bytes() == good
    answer = rest.post("/api/ask", json={"question": "How much did Quarry Labs raise?"}).json()
    assert "$7 million" in answer["answer"]
    assert rest.delete("/api/documents/quarry.txt").status_code == 200


def test_paths_and_methods_the_api_lacks_get_json_errors(rest: httpx.Client) -> None:
    wrong_method = rest.get("/v1/chat/completions")
    assert (wrong_method.status_code, wrong_method.headers["allow"]) == (405, "POST")
    assert wrong_method.json()["error"] == {
        "message": "GET is not allowed on /v1/chat/completions; use POST.",
        "type": "invalid_request_error",
        "code": "method_not_allowed",
        "param": None,
    }
    for path in ("/v1/nothing", "/api/nothing", "/api/documents/..%2F..%2Fetc%2Fpasswd"):
        missing = rest.delete(path)
        assert missing.status_code == 404
        assert missing.json()["error"]["code"] == "not_found"
    assert rest.get("/api/nothing").json()["error"]["message"] == (
        "There is no /api/nothing in this API; /docs lists its routes."
    )
    model = rest.get("/v1/models/rag-news").json()
    assert (model["id"], model["object"]) == ("rag-news", "model")
    other = rest.get("/v1/models/gpt-4")
    assert other.status_code == 404
    assert other.json()["error"] == {
        "message": "There is no model 'gpt-4'; this server offers rag-news to you (any other "
        "name in a chat request asks the default collection).",
        "type": "not_found_error",
        "code": "model_not_found",
        "param": "model",
    }
    form = rest.post(
        "/api/ask", content=b'{"question": "Nscale?"}', headers={"Content-Type": "text/plain"}
    )
    assert form.status_code == 415
    assert form.json()["error"]["message"] == (
        "The body must be JSON, sent with Content-Type: application/json (it came as text/plain)."
    )


def test_twenty_clients_at_once_half_streaming(server: tuple[Running, Engine]) -> None:
    def ask(n: int) -> str:
        client = openai.OpenAI(base_url=f"{server[0].url}/v1", api_key=KEY, max_retries=0)
        messages: Any = [{"role": "user", "content": NSCALE}]
        if n % 2:
            stream = client.chat.completions.create(model="m", messages=messages, stream=True)
            return "".join(c.choices[0].delta.content or "" for c in stream)
        completion = client.chat.completions.create(model="m", messages=messages)
        return completion.choices[0].message.content or ""

    with ThreadPoolExecutor(max_workers=20) as pool:
        replies = list(pool.map(ask, range(20)))
    assert len(replies) == 20
    assert all("$14.6 billion" in r and SOURCES in r for r in replies)


def test_openapi_describes_every_route(rest: httpx.Client) -> None:
    schema = rest.get("/openapi.json").json()
    assert sorted((p, m) for p, item in schema["paths"].items() for m in item) == [
        ("/api/ask", "post"),
        ("/api/documents", "get"),
        ("/api/documents", "post"),
        ("/api/documents/{source}", "delete"),
        ("/api/feedback", "post"),
        ("/api/jobs", "get"),
        ("/api/jobs/{job_id}", "get"),
        ("/api/status", "get"),
        ("/v1/chat/completions", "post"),
        ("/v1/models", "get"),
        ("/v1/models/{model}", "get"),
    ]
    ask = schema["paths"]["/api/ask"]["post"]
    assert ask["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/AskResponse"
    }
    assert sorted(ask["responses"]) == ["200", "400", "401", "409", "422", "500", "503"]
    assert schema["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert rest.get("/docs").status_code == 200


def test_no_server_off_loopback_without_a_login(seeded_copy: Path, embed_model: Any) -> None:
    with Engine.open(make_settings(seeded_copy), embed_model) as engine:
        with pytest.raises(ConfigError) as refused:
            build_server(engine, "0.0.0.0")
        assert str(refused.value) == (
            "Refusing to listen on 0.0.0.0 without a login: anyone who can reach it could read "
            "and change the documents. Create an admin with `rag users add NAME --role admin`, "
            "or set RAG_WEB__USERNAME and RAG_WEB__PASSWORD, or RAG_API__KEYS; or listen on "
            "127.0.0.1."
        )
        app, lines = build_server(engine, "127.0.0.1")
        assert lines[0] == (
            "No login configured: this machine only (loopback); `rag users add` creates one"
        )
        models = TestClient(app, base_url="http://127.0.0.1").get("/v1/models")
        assert models.status_code == 200 and models.json()["data"][0]["id"] == "rag-news"


def test_one_port_carries_page_apis_and_slack_events(
    tmp_path: Path, seeded_copy: Path, embed_model: Any
) -> None:
    from rag.config import SlackSettings
    from rag.feedback import FeedbackLog
    from tests.fixtures.slack_fake import (
        BOT_TOKEN,
        SECRET,
        FakeSlack,
        event_body,
        mention,
        signed_post,
    )
    from tests.fixtures.waiting import wait_for
    from ui.slack.bot import SlackBot

    fake = FakeSlack()
    slack = SlackSettings(bot_token=BOT_TOKEN, signing_secret=SECRET, api_url=fake.start())
    with Engine.open(make_settings(seeded_copy), embed_model) as engine:
        bot = SlackBot(engine, slack, FeedbackLog(tmp_path / "feedback.jsonl"), http=True)
        running = serve(engine, "127.0.0.1", free_port(), slack_bot=bot)
        try:
            assert running.lines == [
                "No login configured: this machine only (loopback); `rag users add` creates one",
                "APIs at /v1 and /api (OpenAPI at /docs)",
                "Slack events at /slack/events",
                f"Uploads in {seeded_copy.parent / 'uploads'}: all in the index, nothing to clean.",
            ]
            events = f"{running.url}/slack/events"
            assert signed_post(events, "{}", signature="v0=bad").status_code == 401
            delivered = signed_post(events, event_body(mention(NSCALE, ts="5.1"), "Ev-one-port"))
            assert delivered.status_code == 200
            wait_for(lambda: len(fake.posts()) == 1)
            assert "$14.6 billion" in fake.posts()[0]["text"]
            assert httpx.get(f"{running.url}/v1/models").status_code == 200
            page = httpx.get(f"{running.url}/")
            assert page.status_code == 200 and "<gradio-app" in page.text
            assert engine.query_log is not None
            engine.query_log.flush()
            assert [(r.channel, r.question) for r in engine.query_log.recent()] == [
                ("slack", NSCALE)
            ]
        finally:
            running.close()
            fake.stop()


def test_engine_failures_map_to_statuses_without_a_traceback(
    tmp_path: Path, embed_model: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rag.errors import StoreUnavailableError

    with Engine.open(make_settings(tmp_path / "index"), embed_model) as engine:
        app, _ = build_server(engine, "127.0.0.1")
        client = TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False)
        empty = client.post(
            "/v1/chat/completions", json={"messages": [{"role": "user", "content": NSCALE}]}
        )
        assert empty.status_code == 409
        assert empty.json()["error"] == {
            "message": f"The index is empty. Run `rag ingest` (it reads {SEEDS}/) and ask again.",
            "type": "invalid_request_error",
            "code": "index_empty",
            "param": None,
        }

        def store_gone() -> None:
            raise StoreUnavailableError("The Qdrant store at http://q:6333 failed; check it.")

        monkeypatch.setattr(engine, "status", store_gone)
        gone = client.get("/api/status")
        assert (gone.status_code, gone.json()["error"]["code"]) == (503, "store_unavailable")

        def bug() -> None:
            raise RuntimeError("secret internals")

        monkeypatch.setattr(engine, "status", bug)
        failed = client.get("/api/documents")
        assert failed.status_code == 500
        assert failed.json() == {
            "error": {
                "message": "The server failed to answer; the error has been logged.",
                "type": "server_error",
                "code": None,
                "param": None,
            }
        }


def test_an_upload_cannot_take_an_articles_name(
    rest: httpx.Client, server: tuple[Running, Engine]
) -> None:
    engine = server[1]
    before = engine.store.count()
    shadow = rest.post(
        "/api/documents", files=[("files", (NSCALE_SOURCE, b"Nscale raised $99 trillion.\n"))]
    )
    assert shadow.status_code == 409
    error = shadow.json()["error"]
    assert error["code"] == "document_conflict"
    assert error["message"].startswith(f"{NSCALE_SOURCE}: ")
    assert "seeds" in error["message"] or "already" in error["message"]
    # Nothing was added, and the article is whole: listed once, with all its chunks.
    assert engine.store.count() == before
    listed = [d["source"] for d in rest.get("/api/documents").json()["documents"]]
    assert listed.count(NSCALE_SOURCE) == 1


def test_a_chunked_body_is_limited_by_what_arrives(rest: httpx.Client) -> None:
    def body() -> Iterator[bytes]:
        # No Content-Length: the body is chunked, 64 kB at a time, for up to 60 MB.
        for _ in range(960):
            yield b" " * 65_536

    refused = rest.post("/api/ask", content=body(), headers={"Content-Type": "application/json"})
    assert refused.status_code == 413
    assert refused.json()["error"]["message"] == (
        "The request body is over the 2,048 kB limit (RAG_WEB__MAX_BODY_KB); send less history "
        "or a shorter question."
    )
    head = b'--x\r\nContent-Disposition: form-data; name="files"; filename="a.txt"\r\n\r\n'
    upload = rest.post(
        "/api/documents",
        content=itertools.chain([head], body()),
        headers={"Content-Type": "multipart/form-data; boundary=x"},
    )
    assert upload.status_code == 413
    # Refused once the upload limit plus its framing allowance (1 MB) had arrived, not at 60 MB.
    assert re.fullmatch(
        r"The upload is over the 1 MB limit \(RAG_WEB__MAX_UPLOAD_MB\): it was refused after "
        r"2\.\d MB\.",
        upload.json()["error"]["message"],
    )


def test_a_compressed_body_is_refused_not_inflated(rest: httpx.Client) -> None:
    # 200 MB of spaces before a question, gzipped to about 200 kB: under every byte limit.
    bomb = gzip.compress(b" " * (200 << 20) + b'{"question": "How much did Nscale raise?"}')
    for path, encoding in (("/api/ask", "gzip"), ("/v1/chat/completions", "deflate, br")):
        refused = rest.post(
            path,
            content=bomb,
            headers={"Content-Type": "application/json", "Content-Encoding": encoding},
        )
        assert refused.status_code == 415
        assert refused.json()["error"] == {
            "message": "Request bodies are read uncompressed; this one came with "
            f"Content-Encoding: {encoding}. Send it without compression.",
            "type": "invalid_request_error",
            "code": "unsupported_media_type",
            "param": None,
        }
    plain = rest.post(
        "/api/ask",
        json={"question": "How much did Nscale raise?"},
        headers={"Content-Encoding": "identity"},
    )
    assert plain.status_code == 200


def _slow_client(url: str, head: bytes, trickle: bytes) -> bytes:
    """What the server says to a client that sends head, then trickle a byte at a time."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as client:
        client.sendall(head)
        client.settimeout(0.5)
        said = b""
        # Twenty seconds of a byte every half second, unless the server answers and hangs up.
        for byte in trickle[:40]:
            try:
                client.sendall(bytes([byte]))
                chunk = client.recv(65536)
            except TimeoutError:
                continue
            except (BrokenPipeError, ConnectionResetError):
                break
            said += chunk
            if not chunk:
                break
        return said


def test_a_client_trickling_its_headers_is_answered_408_and_dropped(
    server: tuple[Running, Engine],
) -> None:
    said = _slow_client(
        server[0].url, b"GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\n", b"X-Slow: y" * 5
    )
    message = b"The request's headers did not arrive within 2 s (RAG_WEB__REQUEST_TIMEOUT_S)."
    assert said == (
        b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\n"
        b"connection: close\r\ncontent-length: %d\r\n\r\n%s" % (len(message), message)
    )


def test_a_body_trickling_in_is_answered_408(server: tuple[Running, Engine]) -> None:
    head = (
        "POST /api/ask HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Authorization: Bearer {KEY}\r\nContent-Length: 100000\r\n\r\n"
    ).encode()
    said = _slow_client(server[0].url, head, b'{"question": "' + b"a" * 100)
    status, _, body = said.partition(b"\r\n\r\n")
    assert status.startswith(b"HTTP/1.1 408 Request Timeout\r\n")
    assert b"\r\nconnection: close" in status
    error = json.loads(body)["error"]
    assert error["code"] == "request_timeout"
    assert re.fullmatch(
        r"The request body arrived too slowly \(\d+ bytes in [23] s\): after 2 s it must come at "
        r"4 kB/s or more \(RAG_WEB__MIN_BODY_KB_PER_S\)\.",
        error["message"],
    )


def test_a_connection_kept_alive_past_the_head_deadline_still_serves(
    server: tuple[Running, Engine],
) -> None:
    host, port = server[0].url.removeprefix("http://").split(":")
    request = (
        f"GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {KEY}\r\n\r\n"
    ).encode()
    with socket.create_connection((host, int(port)), timeout=30) as client:
        replies = client.makefile("rb")
        statuses = []
        for pause in (0, 3):
            # 3 s: past the 2 s deadline for a head, within uvicorn's 5 s keep-alive.
            time.sleep(pause)
            client.sendall(request)
            statuses.append(replies.readline())
            length = 0
            while (line := replies.readline()) != b"\r\n":
                name, _, value = line.partition(b":")
                length = int(value) if name.lower() == b"content-length" else length
            replies.read(length)
    assert statuses == [b"HTTP/1.1 200 OK\r\n", b"HTTP/1.1 200 OK\r\n"]


def _status_of(client: socket.socket) -> bytes:
    """Send a status request on the connection; its reply's status line, or all of a refusal."""
    head = f"GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {KEY}\r\n\r\n"
    client.sendall(head.encode())
    replies = client.makefile("rb")
    status = replies.readline()
    if not status.startswith(b"HTTP/1.1 429"):
        return status
    return status + replies.read()


def test_an_address_over_its_connection_cap_is_answered_429_and_closed(
    tmp_path: Path, copy_seeded: CopyIndex, embed_model: Any, caplog: pytest.LogCaptureFixture
) -> None:
    # Before, one client could open connections until the server had no file descriptor left.
    settings = api_settings(
        tmp_path, copy_seeded, request_timeout_s=60, max_connections_per_client=3
    )
    with Engine.open(settings, embed_model) as engine:
        running = serve(engine, "127.0.0.1", free_port())
        try:
            address = ("127.0.0.1", int(running.url.rsplit(":", 1)[1]))
            held = [socket.create_connection(address, timeout=30) for _ in range(3)]
            with caplog.at_level(logging.WARNING, logger="ui.connections"):
                refusals = []
                for _ in range(2):
                    with socket.create_connection(address, timeout=30) as fourth:
                        refusals.append(_status_of(fourth))
            # One log line while the address stays at its cap, not one per refusal.
            assert [r.getMessage() for r in caplog.records if r.name == "ui.connections"] == [
                "refused: 127.0.0.1 holds 3 connections (RAG_WEB__MAX_CONNECTIONS_PER_CLIENT)"
            ]
            refused = refusals[0]
            assert refusals[1] == refused
            # An HTTP client sending its request at once reads the 429, not a reset connection.
            reply = httpx.get(
                f"{running.url}/api/status", headers={"Authorization": f"Bearer {KEY}"}
            )
            assert (reply.status_code, reply.headers["retry-after"]) == (429, "1")
            message = (
                b"This address already holds 3 connections to the server "
                b"(RAG_WEB__MAX_CONNECTIONS_PER_CLIENT); close one and try again."
            )
            assert refused == (
                b"HTTP/1.1 429 Too Many Requests\r\ncontent-type: text/plain; charset=utf-8\r\n"
                b"retry-after: 1\r\nconnection: close\r\ncontent-length: %d\r\n\r\n%s"
                % (len(message), message)
            )
            # The connections held are served; once one closes, a new one is let in.
            assert _status_of(held[2]) == b"HTTP/1.1 200 OK\r\n"
            held.pop().close()
            deadline = time.monotonic() + 10
            while True:
                with socket.create_connection(address, timeout=30) as again:
                    status = _status_of(again)
                if status == b"HTTP/1.1 200 OK\r\n" or time.monotonic() > deadline:
                    break
                time.sleep(0.05)
            assert status == b"HTTP/1.1 200 OK\r\n"
            for client in held:
                client.close()
        finally:
            running.close()


def test_a_client_naming_other_addresses_keeps_its_failed_logins(
    server: tuple[Running, Engine],
) -> None:
    # uvicorn believes loopback's X-Forwarded-For by default: a local client named a new address
    # on each guess and was never limited. With no trusted proxy, no one's is believed.
    statuses = [
        httpx.post(
            f"{server[0].url}/login",
            data={"username": "ed", "password": "a guess"},
            headers={"x-forwarded-for": f"203.0.113.{n}"},
        ).status_code
        for n in range(6)
    ]
    assert statuses == [401] * 5 + [429]


def test_a_trusted_proxy_may_hold_more_connections_than_a_client(
    tmp_path: Path, copy_seeded: CopyIndex, embed_model: Any
) -> None:
    # Every user's connections arrive from the proxy: capping it would cap them all together.
    web = {"uploads_dir": tmp_path / "uploads", "max_connections_per_client": 2}
    access = {"trusted_proxies": "127.0.0.1"}
    settings = make_settings(copy_seeded(tmp_path), api={"keys": KEYS}, web=web, access=access)
    with Engine.open(settings, embed_model) as engine:
        running = serve(engine, "127.0.0.1", free_port())
        try:
            address = ("127.0.0.1", int(running.url.rsplit(":", 1)[1]))
            held = [socket.create_connection(address, timeout=30) for _ in range(4)]
            assert [_status_of(client) for client in held] == [b"HTTP/1.1 200 OK\r\n"] * 4
            for client in held:
                client.close()
        finally:
            running.close()


def test_an_upload_can_be_a_job_followed_to_its_end(rest: httpx.Client, tmp_path: Path) -> None:
    note = b"Zephyr Grid agreed to build a 300 MW solar farm for Orbital Foundry.\n"
    queued = rest.post(
        "/api/documents", params={"wait": "false"}, files=[("files", ("zephyr-note.txt", note))]
    )
    assert queued.status_code == 202
    job_id = queued.json()["id"]
    assert queued.headers["location"] == f"/api/jobs/{job_id}"
    assert queued.json()["kind"] == "upload"
    deadline = time.monotonic() + 120
    while (job := rest.get(f"/api/jobs/{job_id}").json())["state"] not in ("done", "failed"):
        assert time.monotonic() < deadline, job
        time.sleep(0.2)
    assert (job["state"], job["progress"], job["results"]) == (
        "done",
        1.0,
        [{"name": "zephyr-note.txt", "status": "added", "reason": None}],
    )
    assert job_id in [j["id"] for j in rest.get("/api/jobs").json()["jobs"]]
    assert rest.get("/api/jobs/nope").json()["error"] == {
        "message": "No job with id 'nope' in the collections you may read.",
        "type": "not_found_error",
        "code": "job_not_found",
        "param": None,
    }
    listed = [d["source"] for d in rest.get("/api/documents").json()["documents"]]
    assert "zephyr-note.txt" in listed
    assert rest.delete("/api/documents/zephyr-note.txt").status_code == 200
