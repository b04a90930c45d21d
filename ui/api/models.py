"""The JSON bodies of the REST API (and the citation both APIs share), as pydantic models."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from rag.config import TOP_K_RANGE
from rag.errors import RagError
from rag.session import Reply

# Longer questions are refused (422) before reaching the engine, which answers from the first
# RAG_ANSWER__MAX_QUESTION_CHARS of anything up to this length (with a notice saying so).
MAX_QUESTION_CHARS = 200_000


class CitationOut(BaseModel):
    """The quote behind one [n]: exact text at exact character offsets of the article."""

    n: int
    source: str
    title: str
    text: str
    start: int
    end: int
    score: float
    rank: int
    page: int | None = Field(default=None, description="PDF page of the quote")
    section: str | None = Field(default=None, description="Nearest heading above the quote")


class PassageOut(BaseModel):
    """A retrieved passage the answer was chosen from."""

    rank: int
    source: str
    title: str
    text: str
    start: int
    end: int
    score: float
    pages: list[int] = Field(default=[], description="PDF pages the passage spans")
    section: str | None = None


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


class AskResponse(BaseModel):
    """`rag ask --json`'s object, plus the id that feedback on the answer names."""

    # Fields the answerer adds later (e.g. confidence) pass through unchanged.
    model_config = ConfigDict(extra="allow")
    answer_id: str
    question: str
    answer: str
    declined: bool
    citations: list[CitationOut]
    retrieved: list[PassageOut]
    mode: str
    grounding: str
    timings_ms: dict[str, float]
    notices: list[str]
    collection: str


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
