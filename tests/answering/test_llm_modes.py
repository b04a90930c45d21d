"""LLM answer modes: the grounding check on crafted answers, and each mode for real on loopback."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rag.answering.citations import quote_is_backed
from rag.answering.grounding import ground, is_refusal
from rag.answering.llms import build_llm, packaged_gguf
from rag.config import LLMSettings
from rag.engine import Engine
from rag.errors import ConfigError
from rag.types import Answer, Passage
from tests.fixtures import NSCALE, make_settings
from tests.fixtures.anthropic_fake import FakeAnthropic
from tests.fixtures.loopback import QuietHandler, free_port, serve
from tests.fixtures.waiting import wait_for

PASSAGES = [
    Passage(
        1,
        "a",
        "a.txt",
        "A",
        "Nscale raised $2 billion at a $14.6 billion valuation.",
        100,
        154,
        0.9,
    ),
    Passage(2, "b", "b.txt", "B", "Adani will invest $100 billion in India by 2030.", 0, 48, 0.5),
]


def test_grounding_keeps_a_correct_answer_untouched() -> None:
    text = "Nscale raised $2 billion at a $14.6 billion valuation [1]. Adani: $100 billion [2]."
    checked = ground(text, PASSAGES)
    assert checked.passed and checked.removed == []
    assert checked.text == text
    assert [(c.n, c.source, c.start, c.end) for c in checked.citations] == [
        (1, "a.txt", 100, 154),
        (2, "b.txt", 0, 48),
    ]
    assert all(quote_is_backed(c, PASSAGES) for c in checked.citations)


def test_grounding_catches_an_invented_number() -> None:
    checked = ground("Nscale raised $3 billion at a $14.6 billion valuation [1].", PASSAGES)
    assert checked.problems == ["figures not in its cited sources: 3"]
    uncited = ground("Nscale raised $2 billion [1]. It grew 40% by 2030.", PASSAGES)
    assert uncited.problems == ["figures not in any retrieved passage: 40"]
    wrong_source = ground("Adani will invest $14.6 billion [2].", PASSAGES)
    assert wrong_source.problems == ["figures not in its cited sources: 14.6"]


def test_grounding_removes_a_citation_to_a_missing_source() -> None:
    checked = ground("Nscale raised $2 billion [1] [7].", PASSAGES)
    assert checked.text == "Nscale raised $2 billion [1]."
    assert checked.removed == [7] and checked.passed
    bare = ground("Nscale raised $2 billion [7].", PASSAGES)
    assert bare.problems == ["citations only to sources that don't exist: [7]"]
    assert ground("Nscale raised $2 billion.", PASSAGES).problems == ["no [n] citations"]


def test_grounding_drops_a_sentence_without_a_citation() -> None:
    text = (
        "Nscale raised $2 billion [1]. Nscale is owned by Google and will list on the Nasdaq "
        "next week. Adani will invest $100 billion [2]."
    )
    checked = ground(text, PASSAGES)
    assert checked.passed
    assert checked.text == "Nscale raised $2 billion [1]. Adani will invest $100 billion [2]."
    assert checked.dropped == ["Nscale is owned by Google and will list on the Nasdaq next week."]
    lead_in = ground("What the sources say:\nNscale raised $2 billion [1].", PASSAGES)
    assert (lead_in.dropped, lead_in.passed) == ([], True)


def test_grounding_catches_a_name_its_source_lacks() -> None:
    checked = ground("Nscale raised $2 billion [1]. It was founded by Elon Musk [1].", PASSAGES)
    assert checked.problems == ["names not in its cited sources: Elon Musk"]
    inflected = ground("Adani will invest $100 billion in Indian data centres [2].", PASSAGES)
    assert inflected.passed


def test_grounding_reads_several_sources_in_one_bracket() -> None:
    checked = ground("Nscale raised $2 billion [1, 2]. Adani: $100 billion [2; 1].", PASSAGES)
    assert checked.passed
    assert checked.text == "Nscale raised $2 billion [1] [2]. Adani: $100 billion [2] [1]."
    assert [c.n for c in checked.citations] == [1, 2]


def test_grounding_lists_each_kind_of_problem_once() -> None:
    checked = ground("It grew 40% [1]. It grew 50% [1]. See 001_a3f1.txt [1].", PASSAGES)
    assert checked.problems == ["figures not in its cited sources: 40, 50"]


def engine_for(seeded_copy: Path, embed_model: Any, **llm: Any) -> Engine:
    return Engine.open(make_settings(seeded_copy, llm=llm), embed_model)


def check_plumbing(answer: Answer, mode: str) -> None:
    assert answer.mode == mode
    assert not answer.declined
    assert answer.grounding in {"passed", "corrected", "replaced"}
    assert answer.citations and all(quote_is_backed(c, answer.retrieved) for c in answer.citations)
    for c in answer.citations:
        assert f"[{c.n}]" in answer.text
    if answer.grounding == "replaced":
        assert answer.notices[0].startswith("The language model's answer was not used (")


def test_local_mode_answers_with_the_real_smollm2(
    tmp_path: Path, seeded_copy: Path, embed_model: Any
) -> None:
    assert packaged_gguf() is not None
    with engine_for(seeded_copy, embed_model, mode="local", temperature=0) as engine:
        pieces = list(engine.stream(NSCALE))
        answer = pieces[-1]
        assert isinstance(answer, Answer)
        assert len(pieces) > 3  # tokens streamed before the checked answer
        check_plumbing(answer, "local")
        declined = engine.ask("Who is the chief executive of Nscale?")
        assert declined.declined and declined.grounding == "not needed"


@pytest.fixture(scope="module")
def llama_server() -> Iterator[str]:
    """llama-cpp-python's OpenAI-compatible server, serving the same GGUF, on loopback."""
    port = free_port()
    gguf = packaged_gguf()
    assert gguf is not None
    command = [
        sys.executable,
        "-m",
        "llama_cpp.server",
        "--model",
        str(gguf),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--n_ctx",
        "4096",
        "--n_threads",
        "2",
        "--model_alias",
        "smollm2",
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def listening() -> bool:
        assert process.poll() is None, "llama_cpp.server exited before it listened"
        with socket.socket() as probe:
            return probe.connect_ex(("127.0.0.1", port)) == 0

    # A server that never listens fails here, not later in the first request of a test.
    wait_for(listening, timeout=120)
    yield f"http://127.0.0.1:{port}/v1"
    process.terminate()
    process.wait(20)


def test_openai_mode_against_a_real_server_streams(
    llama_server: str, tmp_path: Path, seeded_copy: Path, embed_model: Any
) -> None:
    with engine_for(
        seeded_copy,
        embed_model,
        mode="openai",
        base_url=llama_server,
        model="smollm2",
        temperature=0,
    ) as engine:
        pieces = list(engine.stream(NSCALE))
    answer = pieces[-1]
    assert isinstance(answer, Answer)
    assert len(pieces) > 3 and all(isinstance(p, str) for p in pieces[:-1])
    check_plumbing(answer, "openai")


def test_openai_mode_server_down_is_a_clear_message() -> None:
    with pytest.raises(ConfigError) as caught:
        build_llm(LLMSettings(mode="openai", base_url=f"http://127.0.0.1:{free_port()}/v1"))
    assert str(caught.value).startswith("The LLM server at http://127.0.0.1:")
    assert str(caught.value).endswith(
        "does not answer (ConnectError); start it or fix RAG_LLM__BASE_URL"
    )


def test_openai_mode_names_a_model_the_server_lacks(llama_server: str) -> None:
    with pytest.raises(ConfigError) as caught:
        build_llm(LLMSettings(mode="openai", base_url=llama_server, model="nosuch-model"))
    assert str(caught.value) == (
        f"RAG_LLM__MODEL='nosuch-model' is not served at {llama_server}; it serves smollm2"
    )


def test_openai_mode_names_a_refused_key() -> None:
    class Refusing(QuietHandler):
        def do_GET(self) -> None:
            self.send_json({"error": {"message": "Incorrect API key"}}, status=401)

    server = serve(Refusing)
    url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    try:
        with pytest.raises(ConfigError) as caught:
            build_llm(LLMSettings(mode="openai", base_url=url, api_key="wrong"))
    finally:
        server.shutdown()
    assert str(caught.value) == (
        f"The LLM server at {url} refused the API key (HTTP 401); check RAG_LLM__API_KEY"
    )


@pytest.mark.parametrize(
    ("failure", "why"),
    [
        ("down", "the language model failed (APIConnectionError)"),
        ("hangs", "the language model did not answer in time"),
    ],
)
def test_llm_server_failing_mid_session_falls_back_to_extractive(
    tmp_path: Path, seeded_copy: Path, embed_model: Any, failure: str, why: str
) -> None:
    fake = FakeAnthropic(answer="unused")
    url = fake.start()
    with (
        engine_for(
            seeded_copy,
            embed_model,
            mode="openai",
            base_url=url + "/v1",
            timeout_s=1,
            max_retries=0,
        ) as engine,
        socket.socket() as stuck,
    ):
        engine.warm_up()  # the server answered at start-up
        fake.stop()
        if failure == "hangs":
            # A port that accepts connections and never answers, as a stuck server does.
            stuck.bind(("127.0.0.1", 0))
            stuck.listen(8)
            port = stuck.getsockname()[1]
            engine.generator.llm.api_base = f"http://127.0.0.1:{port}/v1"  # type: ignore[union-attr]
        started = time.monotonic()
        answer = engine.ask(NSCALE)
        elapsed = time.monotonic() - started
    assert answer.grounding == "replaced"
    assert answer.notices == [
        f"The language model's answer was not used ({why}); this is the extractive answer."
    ]
    assert "$14.6 billion" in answer.text
    assert elapsed < 30


@pytest.mark.parametrize(
    ("canned", "grounding"),
    [
        ("Nscale raised $2 billion, bringing its valuation to $14.6 billion [1].", "passed"),
        ("Nscale raised $2 billion at a $14.6 billion valuation [1] [9].", "corrected"),
        ("Nscale raised $5 billion at a $14.6 billion valuation [1].", "replaced"),
        ("The articles don't say how much Nscale raised.", "replaced"),
    ],
)
def test_anthropic_mode_against_a_recording_fake(
    tmp_path: Path, seeded_copy: Path, embed_model: Any, canned: str, grounding: str
) -> None:
    fake = FakeAnthropic(answer=canned)
    url = fake.start()
    try:
        with engine_for(
            seeded_copy,
            embed_model,
            mode="anthropic",
            base_url=url,
            api_key="sk-ant-sentinel",
            model="claude-haiku-4-5",
        ) as engine:
            answer = engine.ask(NSCALE)
    finally:
        fake.stop()
    request = fake.requests[-1]
    assert request["model"] == "claude-haiku-4-5" and request["stream"] is True
    system = (
        request["system"] if isinstance(request["system"], str) else request["system"][0]["text"]
    )
    assert system.startswith("You answer questions about news articles")
    user = request["messages"][0]["content"]
    user = user if isinstance(user, str) else user[0]["text"]
    assert user.startswith("Sources:\n[1] ") and f"Question: {NSCALE}" in user
    assert fake.headers[-1]["x-api-key"] == "sk-ant-sentinel"
    assert answer.grounding == grounding
    check_plumbing(answer, "anthropic")
    if grounding == "passed":
        assert answer.text == canned
    if grounding == "corrected":
        assert answer.text == "Nscale raised $2 billion at a $14.6 billion valuation [1]."
        assert answer.notices == ["Removed citations to sources that don't exist: [9]."]


NSCAEL_NOTE = (
    "None of the retrieved passages mentions Nscael, so the quote may be about something else. "
    "Did you mean Nscale?"
)


@pytest.mark.parametrize(
    ("canned", "grounding", "notices"),
    [
        ("Nscale is raising funds at a $7.5 billion valuation [2].", "passed", []),
        (
            "Nscale is valued at $9 billion [2].",
            "replaced",
            [
                "The language model's answer was not used (figures not in its cited sources: 9); "
                "this is the extractive answer."
            ],
        ),
    ],
)
def test_a_model_answer_keeps_what_the_passages_lack_of_the_question(
    seeded_copy: Path, embed_model: Any, canned: str, grounding: str, notices: list[str]
) -> None:
    # Before, a model's answer (or the extractive one replacing it) dropped the note that no
    # passage mentions "Nscael", and its "Did you mean …?".
    fake = FakeAnthropic(answer=canned)
    url = fake.start()
    try:
        with engine_for(
            seeded_copy, embed_model, mode="anthropic", base_url=url, api_key="sk-ant-sentinel"
        ) as engine:
            answer = engine.ask("What is Nscael's valuation?")
    finally:
        fake.stop()
    assert answer.grounding == grounding
    assert answer.notices == [*notices, NSCAEL_NOTE]
    assert answer.did_you_mean == "What is Nscale's valuation?"
    if grounding == "passed":
        assert answer.text == canned


def test_the_web_chat_shows_a_model_draft_as_unchecked(seeded_copy: Path, embed_model: Any) -> None:
    from rag.feedback import FeedbackLog
    from ui.web.chat import DRAFT, ChatHandlers

    fake = FakeAnthropic(answer="It was founded by Elon Musk [1].")
    url = fake.start()
    try:
        with engine_for(
            seeded_copy, embed_model, mode="anthropic", base_url=url, api_key="sk-ant-sentinel"
        ) as engine:
            handlers = ChatHandlers(engine, FeedbackLog(seeded_copy / "f.jsonl"), seeded_copy)
            shown = [turn["chat"][-1]["content"] for turn in handlers.respond(NSCALE, [], "", None)]
    finally:
        fake.stop()
    drafts = [content for content in shown[1:-1] if "Elon" in content]
    assert drafts and all(content.startswith(DRAFT) for content in drafts)
    assert "founded by Elon Musk" not in shown[-1] and not shown[-1].startswith(DRAFT)
    assert "names not in its cited sources: Elon Musk" in shown[-1]


def test_modes_that_cannot_run_say_what_to_set(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        build_llm(LLMSettings(mode="anthropic"))
    assert str(caught.value) == "RAG_LLM__API_KEY is not set: the anthropic mode needs an API key"
    with pytest.raises(ConfigError) as caught:
        build_llm(LLMSettings(mode="anthropic", api_key="k", model="claude-nonsense"))
    assert str(caught.value).startswith(
        "RAG_LLM__MODEL='claude-nonsense' is not an Anthropic model"
    )
    with pytest.raises(ConfigError) as caught:
        build_llm(LLMSettings(mode="local", gguf_path=tmp_path / "missing.gguf"))
    assert str(caught.value).startswith("RAG_LLM__MODE=local needs a GGUF model")
    with pytest.raises(ConfigError) as caught:
        build_llm(LLMSettings(mode="openai"))
    assert str(caught.value) == "RAG_LLM__API_KEY is not set: OpenAI needs an API key"


@pytest.mark.parametrize(
    ("text", "refusal"),
    [
        ("The articles don't say how much Nscale raised.", True),
        ("The sources do not contain the answer.", True),
        ("There is no information about a chief executive.", True),
        ("The valuation is not mentioned in the passages.", True),
        ("Nscale doesn't own its sites; it raised $2 billion [1].", False),
        ("Grids cannot keep up, so operators build their own power plants [2].", False),
        ("The deal does not include chips [1].", False),
    ],
)
def test_only_a_statement_about_the_sources_is_a_refusal(text: str, refusal: bool) -> None:
    assert is_refusal(text) is refusal
