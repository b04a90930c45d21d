"""Offline RAG over news articles: ingest into Qdrant, hybrid retrieval, cited answers."""

from rag.config import Settings
from rag.engine import Engine, Status
from rag.errors import (
    ConfigError,
    DocumentError,
    IndexEmptyError,
    IndexLockedError,
    ModelError,
    QuestionError,
    RagError,
    StoreUnavailableError,
)
from rag.ingest.ingestor import IngestReport
from rag.session import ChatSession, Reply
from rag.types import Answer, Citation, Passage

__all__ = [
    "Answer",
    "ChatSession",
    "Citation",
    "ConfigError",
    "DocumentError",
    "Engine",
    "IndexEmptyError",
    "IndexLockedError",
    "IngestReport",
    "ModelError",
    "Passage",
    "QuestionError",
    "RagError",
    "Reply",
    "Settings",
    "Status",
    "StoreUnavailableError",
]
