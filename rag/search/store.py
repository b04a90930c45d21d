"""A collection on a Qdrant server (RAG_QDRANT__URL), with hybrid RRF queries."""

from __future__ import annotations

import contextlib
import sqlite3
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from llama_index.core.schema import BaseNode
from llama_index.core.vector_stores.types import (
    VectorStoreQuery,
    VectorStoreQueryMode,
    VectorStoreQueryResult,
)
from llama_index.vector_stores.qdrant import QdrantVectorStore
from qdrant_client import QdrantClient, models
from qdrant_client.http.exceptions import ResponseHandlingException, UnexpectedResponse

from rag.config import QdrantSettings
from rag.errors import RagError, StoreUnavailableError
from rag.search import sparse
from rag.search.files import MANIFEST_FIELDS, IndexedFile


def _server_failed(where: str, exc: BaseException) -> RagError:
    return StoreUnavailableError(
        f"The Qdrant store at {where} failed ({type(exc).__name__}); check that it is "
        "running and reachable, then ask again."
    )


def _disk_failed(where: str, exc: BaseException) -> RagError:
    # The embedded index lives in SQLite files: a full disk or a read-only folder.
    return StoreUnavailableError(
        f"Cannot write to the index in {where} ({exc}). Free some disk space or make the "
        "folder writable, then run the ingest again; the index still answers from what "
        "it held before."
    )


# Failures of Qdrant calls and what the user is told; the first row that matches wins, so
# ConnectionError (an OSError) is a server failure, not a disk one.
_ERROR_TABLE: tuple[
    tuple[tuple[type[BaseException], ...], Callable[[str, BaseException], RagError]], ...
] = (
    ((ResponseHandlingException, UnexpectedResponse, ConnectionError), _server_failed),
    ((sqlite3.OperationalError, OSError), _disk_failed),
)


@contextmanager
def store_errors(where: str) -> Iterator[None]:
    """Map a failing Qdrant call to the project's error that names the store and the fix."""
    try:
        yield
    except RagError:
        raise
    except Exception as exc:
        for kinds, message in _ERROR_TABLE:
            if isinstance(exc, kinds):
                raise message(where, exc) from exc
        raise


class HybridQdrantVectorStore(QdrantVectorStore):
    """llama-index's Qdrant store, with hybrid queries fused inside Qdrant by RRF."""

    def query(self, query: VectorStoreQuery, **kwargs: Any) -> VectorStoreQueryResult:
        """Dense and sparse prefetches fused by reciprocal rank in one Query API call."""
        if query.mode != VectorStoreQueryMode.HYBRID or query.query_str is None:
            return super().query(query, **kwargs)
        query_filter = self._build_query_filter(query)
        prefetch_k = query.sparse_top_k or query.similarity_top_k
        prefetch = [
            models.Prefetch(
                query=query.query_embedding,
                using=self.dense_vector_name,
                limit=prefetch_k,
                filter=query_filter,
            )
        ]
        indices, values = sparse.encode_queries([query.query_str])
        if indices[0]:
            prefetch.append(
                models.Prefetch(
                    query=models.SparseVector(indices=indices[0], values=values[0]),
                    using=self.sparse_vector_name,
                    limit=prefetch_k,
                    filter=query_filter,
                )
            )
        response = self._client.query_points(
            collection_name=self.collection_name,
            prefetch=prefetch,
            query=models.FusionQuery(fusion=models.Fusion.RRF),
            limit=query.hybrid_top_k or query.similarity_top_k,
            with_payload=True,
        )
        return self.parse_to_query_result(response.points)


def connect(settings: QdrantSettings) -> Store:
    """The configured collection on the Qdrant server at RAG_QDRANT__URL, or a clear error."""
    assert settings.url, "the embedded index is rag.search.embedded.EmbeddedStore"
    api_key = settings.api_key.get_secret_value() if settings.api_key else None
    client = QdrantClient(url=settings.url, api_key=api_key, timeout=int(settings.timeout_s))
    try:
        client.get_collections()
    except Exception as exc:
        raise StoreUnavailableError(
            f"Cannot reach the Qdrant server at {settings.url} ({type(exc).__name__}). "
            "Start it, fix RAG_QDRANT__URL / RAG_QDRANT__API_KEY, or unset RAG_QDRANT__URL "
            f"to use the embedded index in {settings.path}/."
        ) from exc
    return Store(
        client,
        settings.collection,
        settings.url,
        shard_number=settings.shard_number,
        replication_factor=settings.replication_factor,
    )


class Store:
    """One collection of chunks: the llama-index vector store plus manifest queries."""

    def __init__(
        self,
        client: QdrantClient,
        collection: str,
        location: str,
        read_only: str | None = None,
        shard_number: int | None = None,
        replication_factor: int | None = None,
    ) -> None:
        self.client = client
        self.collection = collection
        self.location = location
        self.read_only = read_only
        self.records_embedder = False
        self.vector_store = HybridQdrantVectorStore(  # type: ignore[call-arg]
            collection_name=collection,
            client=client,
            enable_hybrid=True,
            sparse_doc_fn=sparse.encode_documents,
            sparse_query_fn=sparse.encode_queries,
            # IDF is applied by Qdrant over the whole collection, completing BM25.
            sparse_config=models.SparseVectorParams(modifier=models.Modifier.IDF),
            batch_size=256,
            shard_number=shard_number,
            replication_factor=replication_factor,
            # The article filter and removing a document select by source.
            payload_indexes=[
                {"field_name": "source", "field_schema": models.PayloadSchemaType.KEYWORD}
            ],
        )

    def collections(self) -> list[str]:
        """The names of the collections on the server."""
        with self.errors():
            return sorted(c.name for c in self.client.get_collections().collections)

    def create(self, dim: int) -> None:
        """Create this collection with the product's layout before its first chunk."""
        with self.errors():
            self.vector_store._create_collection(self.collection, dim)

    def drop(self) -> None:
        """Delete this collection on the server."""
        with self.errors():
            self.client.delete_collection(self.collection)

    def errors(self) -> contextlib.AbstractContextManager[None]:
        """Where Qdrant's failures become the project's errors naming this store."""
        return store_errors(self.location)

    def exists(self) -> bool:
        """True once the collection has been created by a first ingest."""
        with self.errors():
            return bool(self.client.collection_exists(self.collection))

    def count(self) -> int:
        """Number of chunks in the collection."""
        if not self.exists():
            return 0
        with self.errors():
            return int(self.client.count(self.collection, exact=True).count)

    def files(self) -> dict[str, IndexedFile]:
        """Every indexed file by path, read from the chunks' payloads."""
        if not self.exists():
            return {}
        with self.errors():
            return self._files()

    def sources(self) -> set[str]:
        """File names of the indexed files, from the chunks' payloads."""
        return {f.source for f in self.files().values()}

    def _files(self) -> dict[str, IndexedFile]:
        found: dict[str, dict[str, Any]] = {}
        offset: Any = None
        while True:
            points, offset = self.client.scroll(
                self.collection,
                limit=1024,
                offset=offset,
                with_payload=models.PayloadSelectorInclude(include=MANIFEST_FIELDS),
                with_vectors=False,
            )
            for point in points:
                payload = point.payload or {}
                entry = found.setdefault(str(payload.get("path")), {"ids": set(), **payload})
                entry["ids"].add(str(point.id))
            if offset is None:
                break
        return {path: IndexedFile.from_payload(path, e) for path, e in found.items()}

    def add(self, nodes: Sequence[BaseNode]) -> None:
        """Upsert embedded nodes (creating the collection on first use)."""
        with warnings.catch_warnings(), self.errors():
            # Embedded Qdrant ignores payload indexes and says so on every creation.
            warnings.filterwarnings("ignore", message="Payload indexes have no effect")
            self.vector_store.add(list(nodes))

    def delete_ids(self, ids: list[str]) -> None:
        """Remove chunks by point id."""
        if ids and self.exists():
            points: list[models.ExtendedPointId] = list(ids)
            with self.errors():
                self.client.delete(
                    self.collection, points_selector=models.PointIdsList(points=points)
                )

    def embedder(self) -> tuple[str, str] | None:
        """Not recorded on a server: its collections are not checked against the backend."""
        return None

    def record_embedder(self, model: str, backend: str) -> None:
        """Nothing to do: see `embedder`."""

    def begin(self, files: Sequence[IndexedFile]) -> None:
        """Nothing to do: on a server the chunks' payloads are the manifest."""

    def commit(self, files: Sequence[IndexedFile]) -> None:
        """Nothing to do: on a server the chunks' payloads are the manifest."""

    def optimize(self) -> None:
        """Nothing to do: a Qdrant server builds its indexes itself."""

    def close(self) -> None:
        """Release the embedded folder's lock."""
        self.client.close()
