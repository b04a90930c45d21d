"""The Qdrant collection: embedded on disk or a server by URL, with hybrid RRF queries."""

from __future__ import annotations

import errno
import shutil
import tempfile
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llama_index.core.schema import BaseNode
from llama_index.core.vector_stores.types import (
    VectorStoreQuery,
    VectorStoreQueryMode,
    VectorStoreQueryResult,
)
from llama_index.vector_stores.qdrant import QdrantVectorStore
from qdrant_client import QdrantClient, models

from rag import sparse
from rag.config import QdrantSettings
from rag.errors import IndexLockedError, StoreUnavailableError

# Payload fields kept for every chunk besides what llama-index stores.
MANIFEST_FIELDS = ["path", "root", "file_sha256", "chunk_count", "source", "title"]


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


@dataclass(frozen=True)
class IndexedFile:
    """What the index holds of one file: its hash, its chunk count and its chunk ids."""

    path: str
    root: str
    source: str
    title: str
    sha256: str
    chunk_count: int
    ids: frozenset[str]
    # The file's size and mtime when ingested (-1: unknown), so an unchanged file is not read.
    size: int = -1
    mtime_ns: int = -1

    @property
    def complete(self) -> bool:
        """True when every chunk of the file made it into the index."""
        return len(self.ids) == self.chunk_count


def open_client(settings: QdrantSettings) -> tuple[QdrantClient, str | None]:
    """Open the embedded index folder or connect to the server, with an actionable error.

    The second value says why the index can only be read (a read-only folder), or is None.
    """
    if settings.url:
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
        return client, None
    try:
        settings.path.mkdir(parents=True, exist_ok=True)
        return QdrantClient(path=str(settings.path)), None
    except RuntimeError as exc:
        if "already accessed" not in str(exc):
            raise StoreUnavailableError(
                f"Cannot open the index in {settings.path}/: {exc}"
            ) from exc
        raise IndexLockedError(
            f"The index in {settings.path}/ is in use by another rag process, and the embedded "
            "index admits one process at a time. Stop the other process (a running `rag chat`, "
            "`rag serve` or `rag ingest`), or run a Qdrant server and set RAG_QDRANT__URL so "
            "that several processes can share it."
        ) from exc
    except OSError as exc:
        if exc.errno in (errno.EROFS, errno.EACCES) and (settings.path / "meta.json").is_file():
            return _read_only_copy(settings.path), exc.strerror or str(exc)
        raise StoreUnavailableError(
            f"Cannot open the index in {settings.path}/: {exc.strerror or exc}. "
            "Check that the folder is writable, or set RAG_QDRANT__PATH to another folder."
        ) from exc


def _read_only_copy(path: Path) -> QdrantClient:
    """The index opened from a private copy: it still answers, and nothing is written back."""
    copy = Path(tempfile.mkdtemp(prefix="rag-readonly-")) / "index"
    shutil.copytree(path, copy, ignore=shutil.ignore_patterns(".lock"))
    return QdrantClient(path=str(copy))


class Store:
    """One collection of chunks: the llama-index vector store plus manifest queries."""

    def __init__(
        self,
        client: QdrantClient,
        collection: str,
        read_only: str | None = None,
        settings: QdrantSettings | None = None,
    ) -> None:
        self.client = client
        self.collection = collection
        self.read_only = read_only
        self.vector_store = HybridQdrantVectorStore(  # type: ignore[call-arg]
            collection_name=collection,
            client=client,
            enable_hybrid=True,
            sparse_doc_fn=sparse.encode_documents,
            sparse_query_fn=sparse.encode_queries,
            # IDF is applied by Qdrant over the whole collection, completing BM25.
            sparse_config=models.SparseVectorParams(modifier=models.Modifier.IDF),
            batch_size=256,
            shard_number=settings.shard_number if settings else None,
            replication_factor=settings.replication_factor if settings else None,
            # Questions filtered to one article go through this index on a server.
            payload_indexes=[
                {"field_name": "source", "field_schema": models.PayloadSchemaType.KEYWORD}
            ],
        )

    def exists(self) -> bool:
        """True once the collection has been created by a first ingest."""
        return bool(self.client.collection_exists(self.collection))

    def count(self) -> int:
        """Number of chunks in the collection."""
        if not self.exists():
            return 0
        return int(self.client.count(self.collection, exact=True).count)

    def files(self) -> dict[str, IndexedFile]:
        """Every indexed file by path, read from the chunks' payloads."""
        if not self.exists():
            return {}
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
        return {
            path: IndexedFile(
                path=path,
                root=str(e.get("root", "")),
                source=str(e.get("source", "")),
                title=str(e.get("title", "")),
                sha256=str(e.get("file_sha256", "")),
                chunk_count=int(e.get("chunk_count", -1)),
                ids=frozenset(e["ids"]),
            )
            for path, e in found.items()
        }

    def add(self, nodes: Sequence[BaseNode]) -> None:
        """Upsert embedded nodes (creating the collection on first use)."""
        with warnings.catch_warnings():
            # Embedded Qdrant ignores payload indexes and says so on every creation.
            warnings.filterwarnings("ignore", message="Payload indexes have no effect")
            self.vector_store.add(list(nodes))

    def delete_ids(self, ids: list[str]) -> None:
        """Remove chunks by point id."""
        if ids and self.exists():
            points: list[models.ExtendedPointId] = list(ids)
            self.client.delete(self.collection, points_selector=models.PointIdsList(points=points))

    def begin(self, files: Sequence[IndexedFile]) -> None:
        """Nothing to do: on a server the chunks' payloads are the manifest."""

    def commit(self, files: Sequence[IndexedFile]) -> None:
        """Nothing to do: on a server the chunks' payloads are the manifest."""

    def optimize(self) -> None:
        """Nothing to do: a Qdrant server builds its indexes itself."""

    def close(self) -> None:
        """Release the embedded folder's lock."""
        self.client.close()
