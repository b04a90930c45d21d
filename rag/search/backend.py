"""The store the engine talks to: the embedded Edge index, or a Qdrant server by URL."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Protocol

from llama_index.core.schema import BaseNode
from llama_index.core.vector_stores.types import BasePydanticVectorStore

from rag.config import QdrantSettings
from rag.search.files import IndexedFile


class StoreBackend(Protocol):
    """What ingest, retrieval and status need of a store, whichever engine holds it."""

    read_only: str | None
    # Whether `embedder` is recorded: a collection on a Qdrant server does not record it yet.
    records_embedder: bool

    @property
    def vector_store(self) -> BasePydanticVectorStore:
        """The llama-index vector store the retriever queries."""

    def exists(self) -> bool:
        """True once the first chunk has been added."""

    def count(self) -> int:
        """Number of chunks."""

    def files(self) -> dict[str, IndexedFile]:
        """Every indexed file by path."""

    def sources(self) -> set[str]:
        """File names of the indexed files (what the article filter and `ask` check)."""

    def embedder(self) -> tuple[str, str] | None:
        """The model and backend that embedded the collection; None where not recorded."""

    def record_embedder(self, model: str, backend: str) -> None:
        """Record the model and backend that embedded the collection."""

    def begin(self, files: Sequence[IndexedFile]) -> None:
        """Record files about to be (re)written."""

    def add(self, nodes: Sequence[BaseNode]) -> None:
        """Upsert embedded nodes."""

    def delete_ids(self, ids: list[str]) -> None:
        """Remove chunks by point id."""

    def commit(self, files: Sequence[IndexedFile]) -> None:
        """Mark files complete once their points are written."""

    def optimize(self) -> None:
        """Build vector indexes; only ever from `rag ingest`, never while serving."""

    def collections(self) -> list[str]:
        """The names of the collections beside this one (in the folder, or on the server)."""

    def create(self, dim: int) -> None:
        """Create this collection, for vectors of `dim` numbers, before its first chunk."""

    def drop(self) -> None:
        """Delete this collection and everything in it."""

    def errors(self) -> AbstractContextManager[None]:
        """Where the engine's own failures become the project's errors naming this store."""

    def close(self) -> None:
        """Release the store."""


def open_store(settings: QdrantSettings) -> StoreBackend:
    """A Qdrant server when RAG_QDRANT__URL is set, else the Edge index in RAG_QDRANT__PATH."""
    if settings.url:
        from rag.search.store import connect

        return connect(settings)
    from rag.search.embedded import EmbeddedStore

    return EmbeddedStore(settings)
