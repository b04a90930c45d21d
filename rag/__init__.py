"""Offline RAG over news articles: ingest into Qdrant, hybrid retrieval, cited answers."""

from rag.answer import Answer, Citation, Passage
from rag.config import Settings
from rag.engine import Engine, Status
from rag.errors import (
    ConfigError,
    DocumentError,
    IndexEmptyError,
    IndexLockedError,
    QuestionError,
    RagError,
    StoreUnavailableError,
)
from rag.ingest import IngestReport

__all__ = [
    "Answer",
    "Citation",
    "ConfigError",
    "DocumentError",
    "Engine",
    "IndexEmptyError",
    "IndexLockedError",
    "IngestReport",
    "Passage",
    "QuestionError",
    "RagError",
    "Settings",
    "Status",
    "StoreUnavailableError",
]
