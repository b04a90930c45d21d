"""The OpenAI-compatible chat API: /v1/chat/completions (plain or streamed) and /v1/models."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any, Literal

from fastapi import APIRouter, Depends
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, field_validator

from rag.access import Scope
from rag.errors import QuestionError, UnknownModelError
from rag.service import ApiService
from rag.session import Reply
from rag.text import one_line
from rag.types import Answer, to_json
from ui.api.errors import RESPONSES
from ui.api.models import ANSWER_ID, MAX_QUESTION_CHARS, CitationOut, answer_model
from ui.api.models import failed as failed_reply
from ui.door import Access, bearer_documented

MODEL_ID = "rag-news"
_STARTED = int(time.time())
MAX_MESSAGES = 200


class ContentPart(BaseModel):
    """A part of a message's content; only text parts are read."""

    model_config = ConfigDict(extra="allow")
    type: str
    text: str | None = Field(default=None, max_length=MAX_QUESTION_CHARS)


class ChatMessage(BaseModel):
    """One message of the conversation."""

    model_config = ConfigDict(extra="allow")
    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[ContentPart] | None = None

    @field_validator("content")
    @classmethod
    def _not_too_long(cls, content: str | list[ContentPart] | None) -> Any:
        if isinstance(content, str) and len(content) > MAX_QUESTION_CHARS:
            raise ValueError(f"String should have at most {MAX_QUESTION_CHARS} characters")
        return content

    def text(self) -> str:
        """The message's text, its text parts joined."""
        if isinstance(self.content, list):
            return " ".join(part.text or "" for part in self.content if part.type == "text")
        return self.content or ""


class ChatCompletionRequest(BaseModel):
    """OpenAI's request; sampling options (temperature, max_tokens, …) are accepted and ignored."""

    model_config = ConfigDict(extra="allow")
    model: str = MODEL_ID
    # A hundred turns of conversation; only the user's messages are read.
    messages: list[ChatMessage] = Field(min_length=1, max_length=MAX_MESSAGES)
    stream: StrictBool = False
    top_k: StrictInt | None = Field(default=None, ge=1, le=50, description="Passages to retrieve")
    source: str | None = Field(default=None, description="Answer from this article only")


class AssistantMessage(BaseModel):
    """The reply: the answer with its [n] markers, then its sources as text."""

    role: Literal["assistant"] = "assistant"
    content: str
    refusal: None = None


class Choice(BaseModel):
    """The one choice of a completion."""

    index: int = 0
    message: AssistantMessage
    finish_reason: Literal["stop"] = "stop"
    logprobs: None = None


# What the completion carries elsewhere: the question is the last message, the answer the
# message's content, the citations a field of their own; the retrieved passages are left out.
CARRIED = ("question", "answer", "citations", "retrieved")
# What was searched: a chat client sends a conversation, not the question the engine searched.
SEARCHED = ("standalone_question",)


class AnswerFacts(answer_model(Answer, first=ANSWER_ID, without=CARRIED, plus=SEARCHED)):  # type: ignore[misc]
    """What a plain OpenAI client ignores: the answer's facts, and its id for feedback."""


class ChatCompletion(BaseModel):
    """OpenAI's completion object, with the full citations and answer facts added."""

    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str = MODEL_ID
    choices: list[Choice]
    citations: list[CitationOut]
    rag: AnswerFacts


class Delta(BaseModel):
    """A piece of the streamed reply."""

    role: Literal["assistant"] | None = None
    content: str | None = None


class ChunkChoice(BaseModel):
    """The one choice of a chunk."""

    index: int = 0
    delta: Delta
    finish_reason: Literal["stop"] | None = None
    logprobs: None = None


class ChatCompletionChunk(BaseModel):
    """One server-sent event of a streamed reply; the last one carries citations and facts."""

    id: str
    object: Literal["chat.completion.chunk"] = "chat.completion.chunk"
    created: int
    model: str = MODEL_ID
    choices: list[ChunkChoice]
    citations: list[CitationOut] | None = None
    rag: AnswerFacts | None = None


class Model(BaseModel):
    """A model the server offers: the one engine."""

    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str


class ModelList(BaseModel):
    """The models the server offers."""

    object: Literal["list"] = "list"
    data: list[Model]


def split_messages(messages: list[ChatMessage]) -> tuple[str, list[str]]:
    """The question (the last message, the user's) and the earlier user messages, oldest first."""
    if messages[-1].role != "user":
        raise QuestionError(
            "The last message must be the user's question (role 'user'), not role "
            f"{messages[-1].role!r}.",
            param=f"messages.{len(messages) - 1}.role",
        )
    users = [m.text() for m in messages if m.role == "user"]
    return users[-1], [text for text in users[:-1] if text.strip()]


def sources_text(answer: Answer) -> str:
    """What follows the answer's text: notes, then the numbered sources."""
    parts = [f"Note: {notice}" for notice in answer.notices]
    if answer.citations:
        lines = ["Sources:"]
        for c in answer.citations:
            quote = one_line(c.text)
            lines.append(f"[{c.n}] {c.title} ({c.source}): “{quote}”")
        parts.append("\n".join(lines))
    return "".join(f"\n\n{part}" for part in parts)


def facts(reply: Reply) -> tuple[list[CitationOut], AnswerFacts]:
    """The extra fields of a completion."""
    answer = reply.answer
    assert answer is not None
    return [CitationOut(**c.to_dict()) for c in answer.citations], AnswerFacts(
        answer_id=reply.key, **to_json(answer, without=CARRIED, plus=SEARCHED)
    )


def _events(
    completion_id: str, created: int, first: str | Reply, rest: Iterator[str | Reply]
) -> Iterator[str]:
    def chunk(delta: Delta, **extra: Any) -> str:
        body = ChatCompletionChunk(
            id=completion_id,
            created=created,
            choices=[ChunkChoice(delta=delta, finish_reason=extra.pop("finish_reason", None))],
            **extra,
        )
        data = body.model_dump(exclude_none=True)
        # OpenAI sends `finish_reason: null` until the last chunk; some clients look for it.
        data["choices"][0]["finish_reason"] = body.choices[0].finish_reason
        if body.citations is not None and body.rag is not None:
            # A citation's page and section are null for plain text, and the confidence of a
            # turn that made no decision null, as in the whole reply.
            data["citations"] = [c.model_dump() for c in body.citations]
            data["rag"] = body.rag.model_dump()
        return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"

    yield chunk(Delta(role="assistant", content=""))
    streamed = ""
    for piece in _chain(first, rest):
        if isinstance(piece, str):
            streamed += piece
            yield chunk(Delta(content=piece))
            continue
        if piece.answer is None:
            # Only a bug gets here once text has gone out; the status is already 200.
            yield chunk(Delta(content=f"\n\n{piece.message}"), finish_reason="stop")
            break
        tail = sources_text(piece.answer)
        if not streamed:
            # A turn answered whole (a greeting, the overview, the sources asked): no draft went
            # out that the answer could correct.
            tail = piece.answer.text + tail
        elif streamed.strip() != piece.answer.text.strip():
            # An LLM answer the grounding check corrected or replaced: the checked text follows.
            tail = f"\n\nChecked against the sources, the answer is:\n{piece.answer.text}{tail}"
        citations, answer_facts = facts(piece)
        yield chunk(Delta(content=tail))
        yield chunk(Delta(), finish_reason="stop", citations=citations, rag=answer_facts)
    yield "data: [DONE]\n\n"


def _chain(first: str | Reply, rest: Iterator[str | Reply]) -> Iterator[str | Reply]:
    yield first
    yield from rest


def model_ids(scope: Scope) -> list[str]:
    """A model per collection the caller may read: rag-news is the server's default one."""
    default = scope.collections.default.collection
    return [MODEL_ID if name == default else f"{MODEL_ID}/{name}" for name in scope.names()]


def collection_of(model: str) -> str | None:
    """The collection a model name asks: rag-news/NAME names one; any other, the default."""
    prefix = MODEL_ID + "/"
    return model[len(prefix) :] if model.startswith(prefix) else None


def router(service: ApiService) -> APIRouter:
    """The /v1 routes over a service, each for the principal the door let in."""
    api = APIRouter(
        prefix="/v1", tags=["OpenAI-compatible"], dependencies=[Depends(bearer_documented)]
    )

    @api.get("/models", response_model=ModelList, responses=RESPONSES)
    def models(scope: Access) -> ModelList:
        """A model per collection you may read (rag-news/NAME; rag-news is the default one)."""
        return ModelList(
            data=[Model(id=i, created=_STARTED, owned_by="rag-news") for i in model_ids(scope)]
        )

    @api.get("/models/{model:path}", response_model=Model, responses=RESPONSES)
    def model(model: str, scope: Access) -> Model:
        """One model, by its id."""
        offered = model_ids(scope)
        if model not in offered:
            raise UnknownModelError(
                f"There is no model {model!r}; this server offers {', '.join(offered) or 'none'} "
                "to you (any other name in a chat request asks the default collection).",
                param="model",
            )
        return Model(id=model, created=_STARTED, owned_by="rag-news")

    @api.post(
        "/chat/completions",
        response_model=ChatCompletion,
        responses={
            **RESPONSES,
            200: {
                "description": "The completion; with `stream: true`, server-sent events of "
                "`chat.completion.chunk` objects ending with `data: [DONE]`",
                "content": {"text/event-stream": {}},
            },
            400: RESPONSES[422] | {"description": "Empty question, or not a user message last"},
            409: RESPONSES[422] | {"description": "The index is empty"},
        },
    )
    def completions(request: ChatCompletionRequest, scope: Access) -> Any:
        """Answer the last user message; earlier user messages are the conversation."""
        question, history = split_messages(request.messages)
        engine = scope.engine(collection_of(request.model))
        pieces = service.stream(engine, question, history, request.top_k, request.source)
        first = next(pieces)
        completion_id = f"chatcmpl-{uuid.uuid4().hex}"
        created = int(time.time())
        if isinstance(first, Reply) and first.answer is None:
            error = failed_reply(first)
            # Here the question is the last message's content.
            if isinstance(error, QuestionError) and error.param == "question":
                error.param = f"messages.{len(request.messages) - 1}.content"
            raise error
        if request.stream:
            return StreamingResponse(
                _events(completion_id, created, first, pieces),
                media_type="text/event-stream",
                headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
            )
        reply = _last(first, pieces)
        assert reply.answer is not None
        citations, answer_facts = facts(reply)
        content = reply.answer.text + sources_text(reply.answer)
        return ChatCompletion(
            id=completion_id,
            created=created,
            choices=[Choice(message=AssistantMessage(content=content))],
            citations=citations,
            rag=answer_facts,
        )

    return api


def _last(first: str | Reply, rest: Iterator[str | Reply]) -> Reply:
    *_, last = _chain(first, rest)
    if not isinstance(last, Reply) or last.answer is None:
        raise failed_reply(last if isinstance(last, Reply) else Reply(None, "no answer"))
    return last
