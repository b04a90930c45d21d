"""The store the engine talks to: the embedded Edge index, or a Qdrant server by URL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from llama_index.core.schema import BaseNode
from llama_index.core.vector_stores.types import BasePydanticVectorStore

from rag.config import QdrantSettings
from rag.store import IndexedFile


class StoreBackend(Protocol):
    """What ingest, retrieval and status need of a store, whichever engine holds it."""

    read_only: str | None

    @property
    def vector_store(self) -> BasePydanticVectorStore:
        """The llama-index vector store the retriever queries."""

    def exists(self) -> bool:
        """True once the first chunk has been added."""

    def count(self) -> int:
        """Number of chunks."""

    def files(self) -> dict[str, IndexedFile]:
        """Every indexed file by path."""

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

    def close(self) -> None:
        """Release the store."""


def open_store(settings: QdrantSettings) -> StoreBackend:
    """A Qdrant server when RAG_QDRANT__URL is set, else the Edge index in RAG_QDRANT__PATH."""
    if settings.url:
        from rag.store import Store, open_client

        client, read_only = open_client(settings)
        return Store(client, settings.collection, read_only=read_only, settings=settings)
    from rag.embedded import EmbeddedStore

    return EmbeddedStore(settings)
