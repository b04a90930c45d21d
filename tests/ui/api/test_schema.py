"""One answer schema: `rag ask --json`, both APIs and /openapi.json take rag/types.py's fields."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from rag.feedback import FeedbackLog
from rag.service import ApiService
from rag.session import Reply
from rag.types import Answer, Citation, Passage, json_fields, shown, to_json
from tests.fixtures.schema import ANSWER
from ui.api import openai_compat, rest
from ui.api.models import ANSWER_ID, AskResponse, CitationOut, PassageOut, answer_model
from ui.api.openai_compat import CARRIED, SEARCHED, AnswerFacts, facts

CITATION = [
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
PASSAGE = ["rank", "source", "title", "text", "start", "end", "score", "pages", "section"]
FACTS = [
    "answer_id",
    "declined",
    "mode",
    "grounding",
    "confidence",
    "timings_ms",
    "notices",
    "collection",
    "turn",
    "did_you_mean",
    "standalone_question",
]

PDF = Passage(
    2,
    "chunk-7",
    "a.pdf",
    "A",
    "Acme raised $3 billion. More.",
    100,
    129,
    0.123456789,
    pages=((90, 1), (110, 2), (0, 1)),
    sections=((0, "Intro"), (105, "Funding")),
)
TEXT = Passage(1, "chunk-1", "b.txt", "B", "Plain.", 0, 6, 0.5)
ANSWERED = Answer(
    question="How much did Acme raise?",
    text="Acme raised $3 billion [1].",
    declined=False,
    citations=[PDF.cite(1, 0, 23, 0.987654321)],
    retrieved=[PDF, TEXT],
    mode="extractive",
    confidence=0.876543219,
    timings_ms={"retrieve": 1.23456, "answer": 0.5, "total": 1.73456},
    notices=["A note."],
    collection="articles",
    standalone_question="How much did Acme raise?",
    withheld="never shown",
)
CITED = {
    "n": 1,
    "source": "a.pdf",
    "title": "A",
    "text": "Acme raised $3 billion.",
    "start": 100,
    "end": 123,
    "score": 0.987654,
    "rank": 2,
    "page": 1,
    "section": "Intro",
}
JSON = {
    "question": "How much did Acme raise?",
    "answer": "Acme raised $3 billion [1].",
    "declined": False,
    "citations": [CITED],
    "retrieved": [
        {
            "rank": 2,
            "source": "a.pdf",
            "title": "A",
            "text": "Acme raised $3 billion. More.",
            "start": 100,
            "end": 129,
            "score": 0.123457,
            "pages": [1, 2],
            "section": "Intro",
        },
        {
            "rank": 1,
            "source": "b.txt",
            "title": "B",
            "text": "Plain.",
            "start": 0,
            "end": 6,
            "score": 0.5,
            "pages": [],
            "section": None,
        },
    ],
    "mode": "extractive",
    "grounding": "not needed",
    "confidence": 0.8765,
    "timings_ms": {"retrieve": 1.23, "answer": 0.5, "total": 1.73},
    "notices": ["A note."],
    "collection": "articles",
    "turn": "answer",
    "did_you_mean": "",
}


def schemas(tmp_path: Path) -> dict[str, Any]:
    """The components of /openapi.json, from the two API routers."""
    app = FastAPI()
    service = ApiService(FeedbackLog(tmp_path / "feedback.jsonl"))
    app.include_router(openai_compat.router(service))
    app.include_router(rest.router(service))
    found: dict[str, Any] = app.openapi()["components"]["schemas"]
    return found


def docs(cls: type) -> dict[str, str]:
    """Each JSON key of an engine type with the description its field carries."""
    return {how.key or name: how.doc for name, how in json_fields(cls)}


def test_the_engine_types_json_has_exactly_these_fields() -> None:
    assert ANSWERED.to_dict() == JSON
    assert list(ANSWERED.to_dict()) == ANSWER
    assert list(ANSWERED.citations[0].to_dict()) == CITATION
    assert list(PDF.to_dict()) == PASSAGE


def test_the_api_models_are_the_engine_types_json(tmp_path: Path) -> None:
    found = schemas(tmp_path)
    assert list(found["CitationOut"]["properties"]) == CITATION
    assert list(found["PassageOut"]["properties"]) == PASSAGE
    assert list(found["AskResponse"]["properties"]) == ["answer_id", *ANSWER]
    assert list(found["AnswerFacts"]["properties"]) == FACTS
    assert found["AskResponse"]["required"] == ["answer_id", *ANSWER]
    cited = found["ChatCompletion"]["properties"]["citations"]["items"]
    assert cited == {"$ref": "#/components/schemas/CitationOut"}
    assert found["AskResponse"]["properties"]["retrieved"]["items"] == {
        "$ref": "#/components/schemas/PassageOut"
    }


def test_every_field_in_the_openapi_schema_is_described_once(tmp_path: Path) -> None:
    found = schemas(tmp_path)
    answer_id = {"answer_id": "The answer's id, for feedback on it"}
    for name, described in [
        ("CitationOut", docs(Citation)),
        ("PassageOut", docs(Passage)),
        ("AskResponse", answer_id | docs(Answer)),
        ("AnswerFacts", answer_id | docs(Answer)),
    ]:
        properties = found[name]["properties"]
        assert {key: p["description"] for key, p in properties.items()} == {
            key: described[key] for key in properties
        }
    assert found["CitationOut"]["properties"]["page"]["description"] == "PDF page of the quote"
    assert found["PassageOut"]["properties"]["pages"] == {
        "items": {"type": "integer"},
        "type": "array",
        "title": "Pages",
        "description": "PDF pages the passage spans",
    }


def test_both_apis_send_the_engine_types_json() -> None:
    assert AskResponse(answer_id="k1", **ANSWERED.to_dict()).model_dump() == {
        "answer_id": "k1",
        **JSON,
    }
    citations, extension = facts(Reply(ANSWERED, key="k1"))
    assert [c.model_dump() for c in citations] == [CITED]
    assert extension.model_dump() == {
        "answer_id": "k1",
        "declined": False,
        "mode": "extractive",
        "grounding": "not needed",
        "confidence": 0.8765,
        "timings_ms": {"retrieve": 1.23, "answer": 0.5, "total": 1.73},
        "notices": ["A note."],
        "collection": "articles",
        "turn": "answer",
        "did_you_mean": "",
        "standalone_question": "How much did Acme raise?",
    }


def test_a_field_added_to_an_engine_type_appears_everywhere() -> None:
    @dataclass
    class Moody(Answer):
        mood: str = field(default="calm", metadata=shown("How the answer feels"))

    moody = Moody(**{**ANSWERED.__dict__, "mood": "sunny"})
    assert moody.to_dict() == JSON | {"mood": "sunny"}
    nested = {Citation: CitationOut, Passage: PassageOut}
    asked = answer_model(Moody, nested, ANSWER_ID)
    extension = answer_model(Moody, first=ANSWER_ID, without=CARRIED, plus=SEARCHED)
    for model in (asked, extension):
        assert model.model_json_schema()["properties"]["mood"] == {
            "type": "string",
            "title": "Mood",
            "description": "How the answer feels",
        }
    assert asked(answer_id="k1", **moody.to_dict()).model_dump()["mood"] == "sunny"
    assert to_json(moody, without=CARRIED, plus=SEARCHED)["mood"] == "sunny"
    assert list(AnswerFacts.model_fields) == FACTS


def test_a_field_that_does_not_say_whether_it_is_shown_is_refused() -> None:
    @dataclass(frozen=True)
    class Careless(Citation):
        secret: str = "x"

    with pytest.raises(TypeError) as raised:
        Careless(1, "a.txt", "A", "q", 0, 1, 0.5, 1).to_dict()
    assert str(raised.value) == (
        "Careless.secret does not say whether it is in the JSON of an answer: give it "
        "metadata=shown('what it is') or hidden('what it is')."
    )


def test_the_streamed_reply_ends_with_the_same_fields_as_the_whole() -> None:
    greeting = replace(ANSWERED, confidence=None, turn="greeting")
    *_, last, done = openai_compat._events("c1", 0, Reply(greeting, key="k1"), iter(()))
    citations, extension = facts(Reply(greeting, key="k1"))
    sent = json.loads(last.removeprefix("data: "))
    assert (sent["citations"], sent["rag"]) == (
        [c.model_dump() for c in citations],
        extension.model_dump(),
    )
    assert (sent["rag"]["confidence"], sent["rag"]["turn"], done) == (
        None,
        "greeting",
        "data: [DONE]\n\n",
    )
