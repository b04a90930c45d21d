"""The REST API's JSON bodies as pydantic models; an answer's, both APIs', from rag/types.py."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, get_args, get_origin, get_type_hints

from pydantic import BaseModel, ConfigDict, Field, StrictInt, create_model

from rag.config import TOP_K_RANGE
from rag.errors import RagError
from rag.session import Reply
from rag.types import Answer, Citation, Passage, json_fields

# Longer questions are refused (422) before reaching the engine, which answers from the first
# RAG_ANSWER__MAX_QUESTION_CHARS of anything up to this length (with a notice saying so).
MAX_QUESTION_CHARS = 200_000

# An answer's own field in both APIs: what feedback on it names.
ANSWER_ID: dict[str, Any] = {
    "answer_id": (str, Field(description="The answer's id, for feedback on it"))
}


def answer_model(
    cls: type,
    nested: Mapping[type, type[BaseModel]] | None = None,
    first: Mapping[str, Any] | None = None,
    without: tuple[str, ...] = (),
    plus: tuple[str, ...] = (),
) -> type[BaseModel]:
    """The model of a Passage's, Citation's or Answer's JSON, read off its fields' metadata."""
    # `nested` gives the models of the types inside (an Answer's citations), `first` fields to
    # put before the type's, `without` JSON keys to leave out and `plus` hidden fields to put in.
    hints = get_type_hints(cls)
    models = dict(nested or {})

    def swapped(kind: Any) -> Any:
        if kind in models:
            return models[kind]
        if get_origin(kind) is list:
            return list[swapped(get_args(kind)[0])]  # type: ignore[misc]
        return kind

    made: dict[str, Any] = dict(first or {})
    for name, how in json_fields(cls):
        key = how.key or name
        if (how.public or name in plus) and key not in without:
            kind = how.json_type if how.json_type is not None else hints[name]
            made[key] = (swapped(kind), Field(description=how.doc))
    return create_model(f"{cls.__name__}Json", __doc__=cls.__doc__, **made)


# Each model's fields are its engine type's (rag/types.py): a field added there appears in
# `rag ask --json`, both APIs and /openapi.json. The class statements give the models the names
# /openapi.json shows, and their docstrings; mypy cannot follow a base made at run time.
class CitationOut(answer_model(Citation)):  # type: ignore[misc]
    """The quote behind one [n]: exact text at exact character offsets of the article."""


class PassageOut(answer_model(Passage)):  # type: ignore[misc]
    """A retrieved passage the answer was chosen from."""


class AskRequest(BaseModel):
    """A question, optionally a follow-up to earlier questions, optionally about one article."""

    model_config = ConfigDict(extra="forbid")
    question: str = Field(max_length=MAX_QUESTION_CHARS)
    top_k: StrictInt | None = Field(default=None, ge=TOP_K_RANGE[0], le=TOP_K_RANGE[1])
    source: str | None = Field(default=None, description="Answer from this article only")
    collection: str | None = Field(
        default=None, description="The collection to ask (default: the server's, if yours)"
    )
    history: list[str] = Field(
        default=[], max_length=100, description="Earlier questions of the conversation"
    )


class AskResponse(answer_model(Answer, {Citation: CitationOut, Passage: PassageOut}, ANSWER_ID)):  # type: ignore[misc]
    """`rag ask --json`'s object, plus the id that feedback on the answer names."""


class Article(BaseModel):
    """An indexed article."""

    source: str
    title: str
    chunks: int


class StatusOut(BaseModel):
    """A collection's articles and chunks, the model and the answer mode (no paths)."""

    collection: str
    articles: list[Article]
    chunks: int
    model: str
    mode: str


class DocumentList(BaseModel):
    """The indexed articles."""

    documents: list[Article]


class UploadOut(BaseModel):
    """What happened to one uploaded file."""

    name: str
    status: Literal["added", "updated", "unchanged", "failed"]
    reason: str | None = None


class UploadResponse(BaseModel):
    """Every uploaded file's fate (the request fails only when every file did)."""

    documents: list[UploadOut]


class JobFileOut(BaseModel):
    """What a job did with one file: added, updated, unchanged, removed or failed, and why."""

    name: str
    status: str
    reason: str | None = None


class JobOut(BaseModel):
    """An upload or ingest job: its state, progress and, once finished, each file's fate."""

    model_config = ConfigDict(extra="allow")
    id: str
    kind: str
    collection: str
    state: str
    progress: float
    files_total: int
    files_done: int
    chunks: int
    results: list[JobFileOut]
    error: str


class JobList(BaseModel):
    """The newest jobs of the collections you may read."""

    jobs: list[JobOut]


class RemovedOut(BaseModel):
    """What removing an article took out."""

    source: str
    chunks_removed: int
    file_deleted: bool = Field(description="True when the file was an upload and was deleted")


class FeedbackRequest(BaseModel):
    """A thumbs up or down on an answer, by the id its response carried."""

    model_config = ConfigDict(extra="forbid")
    answer_id: str = Field(min_length=1, max_length=100)
    vote: Literal["up", "down"]


class FeedbackOut(BaseModel):
    """The vote as saved."""

    answer_id: str
    vote: Literal["up", "down"]
    saved: bool


def failed(reply: Reply) -> Exception:
    """The error to raise for a turn that ended without an answer."""
    if reply.error is not None:
        return reply.error
    # A bug inside the engine, already logged by the session: a JSON 500 says so.
    return RagError(reply.message)
