"""llama-index's vector store interface over a Qdrant Edge shard, with hybrid RRF queries."""

from __future__ import annotations

import errno
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

import qdrant_edge as qe
from llama_index.core.bridge.pydantic import PrivateAttr
from llama_index.core.schema import BaseNode, MetadataMode
from llama_index.core.vector_stores.types import (
    BasePydanticVectorStore,
    FilterCondition,
    FilterOperator,
    MetadataFilter,
    MetadataFilters,
    VectorStoreQuery,
    VectorStoreQueryMode,
    VectorStoreQueryResult,
)
from llama_index.core.vector_stores.utils import metadata_dict_to_node, node_to_metadata_dict

from rag.errors import IndexLockedError, RagError, StoreUnavailableError
from rag.search import sparse

# The names llama-index's Qdrant store gives its vectors, so points copy across unchanged.
DENSE = "text-dense"
SPARSE = "text-sparse-new"
# Qdrant's own RRF constant (server and qdrant-client local mode): 1 / (k + 0-based rank).
RRF_K = 2
# Equal RRF sums (rank 1 + rank 2 against rank 2 + rank 1) are common. qdrant-client, on which
# the answerer was tuned, keeps the point the dense list ranks higher; tie order would not. A dense
# weight this close to 1 moves sums by at most 2.5e-6, under the smallest real gap between
# two sums with 20 candidates a side (4.9e-5), so it only breaks ties, the same way.
DENSE_TIE_BREAK = 1.00001
UPSERT_BATCH = 512
# A tie at a list's cut is read whole up to this many points; past it (thousands of copies of
# one chunk) the order among the tied is Edge's.
MAX_TIE_FETCH = 1024
# HNSW candidates per dense search. Measured dense recall@20 against exact search
# (bench/scale.py): real MiniLM chunks, 3k: 0.989 at Edge's default, 0.999 at 256; 100k
# (vectors built from real sentence embeddings): 0.917 default, 0.968 at 256, for 1.8 ms against
# 15 ms exact. So HNSW (built by `rag ingest`), searched wider than the default.
HNSW_EF = 256
# Where the shard holds int8 copies of the dense vectors (embedded.shard_config), HNSW walks
# those and the best 2 x limit are rescored with the float originals: at 100k, recall@20
# against exact search 0.980, against 0.964 without oversampling. Ignored by a shard without.
RESCORE = qe.QuantizationSearchParams(rescore=True, oversampling=2.0)
# Every point scored on the float vectors, not the int8 copies HNSW walks.
EXACT = qe.SearchParams(exact=True, quantization=qe.QuantizationSearchParams(ignore=True))

SparseFn = Callable[[list[str]], sparse.SparseBatch]


def lock_message(path: Path) -> str:
    """What to do when another process holds the embedded index."""
    return (
        f"The index in {path}/ is in use by another rag process, and the embedded "
        "index admits one process at a time. Stop the other process (a running `rag chat`, "
        "`rag serve` or `rag ingest`), or run a Qdrant server and set RAG_QDRANT__URL so "
        "that several processes can share it."
    )


def full_message(path: Path, reason: str) -> str:
    """What to do when the index cannot be written to."""
    return (
        f"Cannot write to the index in {path}/ ({reason}). Free some disk space or make the "
        "folder writable, then run the ingest again; the index still answers from what it "
        "held before."
    )


# Edge raises bare Exceptions whose text is all there is to go on: each known text, once, here.
_ERRORS: list[tuple[str, Callable[[Path, str], RagError]]] = [
    ("Kind(WouldBlock)", lambda path, _: IndexLockedError(lock_message(path))),
    ("No space left on device", lambda path, _: _unwritable(path, "No space left on device")),
    ("Read-only file system", lambda path, _: _unwritable(path, "Read-only file system")),
    ("Permission denied", lambda path, _: _unwritable(path, "Permission denied")),
    ("Vector dimension error", lambda path, text: _other_model(path, text)),
]


def _unwritable(path: Path, reason: str) -> RagError:
    return StoreUnavailableError(full_message(path, reason))


def _other_model(path: Path, text: str) -> RagError:
    return StoreUnavailableError(
        f"The index in {path}/ was built with another embedding model ({text}). Point "
        "RAG_QDRANT__PATH to a new folder, or delete this one and run `rag ingest` again."
    )


def translate(exc: BaseException, path: Path) -> RagError | None:
    """The project's error for an Edge error, or None when it is not a known one."""
    if isinstance(exc, RagError):
        return exc
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return StoreUnavailableError(full_message(path, exc.strerror or str(exc)))
    text = str(exc)
    for needle, make in _ERRORS:
        if needle in text:
            return make(path, text)
    return None


@contextmanager
def edge_errors(path: Path) -> Iterator[None]:
    """Re-raise Edge's errors as the project's, keeping the original as the cause."""
    try:
        yield
    except Exception as exc:
        mapped = translate(exc, path)
        if mapped is None or mapped is exc:
            raise
        raise mapped from exc


def edge_filter(filters: MetadataFilters) -> qe.Filter:
    """llama-index metadata filters as an Edge filter (the operators Qdrant can express)."""
    conditions: list[Any] = []
    for item in filters.filters:
        if isinstance(item, MetadataFilters):
            if item.filters:
                conditions.append(edge_filter(item))
            continue
        conditions.append(_condition(item))
    if filters.condition == FilterCondition.OR:
        return qe.Filter(should=conditions)
    if filters.condition == FilterCondition.NOT:
        return qe.Filter(must_not=conditions)
    return qe.Filter(must=conditions)


def _condition(item: MetadataFilter) -> qe.FieldCondition:
    op, value, key = item.operator, item.value, item.key
    if op == FilterOperator.EQ and isinstance(value, float):
        return qe.FieldCondition(key=key, range=qe.RangeFloat(gte=value, lte=value))
    if op == FilterOperator.EQ and isinstance(value, str | int | bool):
        return qe.FieldCondition(key=key, match=qe.MatchValue(value))
    ranges = {
        FilterOperator.GT: "gt",
        FilterOperator.GTE: "gte",
        FilterOperator.LT: "lt",
        FilterOperator.LTE: "lte",
    }
    if op in ranges and isinstance(value, int | float):
        return qe.FieldCondition(key=key, range=qe.RangeFloat(**{ranges[op]: float(value)}))
    if op in (FilterOperator.IN, FilterOperator.NIN, FilterOperator.NE):
        values = value if isinstance(value, list) else [value]
        if op == FilterOperator.IN:
            return qe.FieldCondition(key=key, match=qe.MatchAny(values))  # type: ignore[arg-type]
        return qe.FieldCondition(key=key, match=qe.MatchExcept(values))  # type: ignore[arg-type]
    raise NotImplementedError(f"filter {op.value!r} on {key!r} is not supported by the index")


def _node(record: qe.Record) -> BaseNode:
    """A stored point back as the llama-index node, with its dense embedding."""
    node = metadata_dict_to_node(record.payload or {})
    vector = record.vector
    if isinstance(vector, dict) and isinstance(vector.get(DENSE), list):
        node.embedding = cast(list[float], vector[DENSE])
    return node


# What orders points of equal score: their article, then where in it the chunk starts.
TIE_FIELDS = ["source", "start"]


def rrf(lists: Sequence[Sequence[str]], weights: Sequence[float]) -> dict[str, float]:
    """Qdrant's weighted reciprocal-rank fusion: each point id's sum over the ranked lists."""
    fused: dict[str, float] = {}
    for ranked, weight in zip(lists, weights, strict=True):
        for rank, point_id in enumerate(ranked):
            fused[point_id] = fused.get(point_id, 0.0) + 1 / ((rank + 1) / weight + RRF_K - 1)
    return fused


class EdgeVectorStore(BasePydanticVectorStore):
    """Nodes as points of one Edge shard: dense + BM25 vectors, payload as llama-index writes it."""

    stores_text: bool = True
    flat_metadata: bool = False

    _shard: qe.EdgeShard | None = PrivateAttr()
    _create: Callable[[int], qe.EdgeShard] | None = PrivateAttr()
    _path: Path = PrivateAttr()
    _sparse_doc_fn: SparseFn = PrivateAttr()
    _sparse_query_fn: SparseFn = PrivateAttr()
    _params: qe.SearchParams | None = PrivateAttr()

    def __init__(
        self,
        shard: qe.EdgeShard | None,
        path: Path,
        create: Callable[[int], qe.EdgeShard] | None = None,
        exact: bool = False,
        sparse_doc_fn: SparseFn = sparse.encode_documents,
        sparse_query_fn: SparseFn = sparse.encode_queries,
    ) -> None:
        super().__init__(stores_text=True)
        # No shard until the first add, which knows the embedding size and calls `create`.
        self._shard = shard
        self._create = create
        self._path = path
        self._sparse_doc_fn = sparse_doc_fn
        self._sparse_query_fn = sparse_query_fn
        # exact=True scores every point; otherwise Edge uses HNSW where `optimize` built one.
        self._params = EXACT if exact else qe.SearchParams(hnsw_ef=HNSW_EF, quantization=RESCORE)

    @classmethod
    def class_name(cls) -> str:
        """The name llama-index records for this store."""
        return "EdgeVectorStore"

    @property
    def client(self) -> qe.EdgeShard | None:
        """The Edge shard, or None before the first add."""
        return self._shard

    def forget_shard(self) -> None:
        """Drop the (closed) shard: the next add creates a new one."""
        self._shard = None

    def shard_for(self, dim: int) -> qe.EdgeShard:
        """The shard, created for vectors of `dim` on the first write."""
        if self._shard is None:
            if self._create is None:
                raise StoreUnavailableError(f"The index in {self._path}/ takes no documents.")
            self._shard = self._create(dim)
        return self._shard

    def add(self, nodes: Sequence[BaseNode], **add_kwargs: Any) -> list[str]:
        """Upsert embedded nodes in batches; returns their ids."""
        ids: list[str] = []
        if not nodes:
            return ids
        shard = self.shard_for(len(nodes[0].get_embedding()))
        for start in range(0, len(nodes), UPSERT_BATCH):
            batch = nodes[start : start + UPSERT_BATCH]
            texts = [n.get_content(metadata_mode=MetadataMode.EMBED) for n in batch]
            indices, values = self._sparse_doc_fn(texts)
            points = []
            for node, idx, val in zip(batch, indices, values, strict=True):
                vector: dict[str, Any] = {DENSE: node.get_embedding()}
                if idx:
                    vector[SPARSE] = qe.SparseVector(idx, val)
                payload = node_to_metadata_dict(node, remove_text=False, flat_metadata=False)
                points.append(qe.Point(node.node_id, vector, payload))
                ids.append(node.node_id)
            with edge_errors(self._path):
                shard.update(qe.UpdateOperation.upsert_points(points))
        return ids

    def delete(self, ref_doc_id: str, **delete_kwargs: Any) -> None:
        """Delete every node of a llama-index document."""
        if self._shard is None:
            return
        match = qe.FieldCondition(key="doc_id", match=qe.MatchValue(ref_doc_id))
        with edge_errors(self._path):
            self._shard.update(qe.UpdateOperation.delete_points_by_filter(qe.Filter(must=[match])))

    def delete_nodes(
        self,
        node_ids: list[str] | None = None,
        filters: MetadataFilters | None = None,
        **delete_kwargs: Any,
    ) -> None:
        """Delete nodes by id, or those matching filters (both: either)."""
        shard = self._shard
        if shard is None:
            return
        with edge_errors(self._path):
            if node_ids and filters is None:
                for start in range(0, len(node_ids), UPSERT_BATCH):
                    chunk: list[qe.PointId] = list(node_ids[start : start + UPSERT_BATCH])
                    shard.update(qe.UpdateOperation.delete_points(chunk))
                return
            should: list[Any] = [qe.HasIdCondition(set(node_ids))] if node_ids else []
            if filters is not None:
                should.append(edge_filter(filters))
            if should:
                shard.update(qe.UpdateOperation.delete_points_by_filter(qe.Filter(should=should)))

    def clear(self) -> None:
        """Delete every node."""
        if self._shard is None:
            return
        with edge_errors(self._path):
            self._shard.update(qe.UpdateOperation.delete_points_by_filter(qe.Filter(must=[])))

    def get_nodes(
        self,
        node_ids: list[str] | None = None,
        filters: MetadataFilters | None = None,
        **kwargs: Any,
    ) -> list[BaseNode]:
        """Nodes by id, or all nodes matching filters (all nodes when neither is given)."""
        shard = self._shard
        if shard is None:
            return []
        with edge_errors(self._path):
            if node_ids is not None and filters is None:
                records = shard.retrieve(list(node_ids), with_payload=True, with_vector=[DENSE])
                return [_node(r) for r in records]
            flt = edge_filter(filters) if filters is not None else None
            if node_ids is not None:
                must: list[Any] = [qe.HasIdCondition(set(node_ids))]
                flt = qe.Filter(must=must + ([flt] if flt is not None else []))
            nodes: list[BaseNode] = []
            offset: qe.PointId | None = None
            while True:
                request = qe.ScrollRequest(
                    offset=offset, limit=1024, filter=flt, with_payload=True, with_vector=[DENSE]
                )
                records, offset = shard.scroll(request)
                nodes.extend(_node(r) for r in records)
                if offset is None:
                    return nodes

    def query(self, query: VectorStoreQuery, **kwargs: Any) -> VectorStoreQueryResult:
        """Dense, sparse, or both fused by reciprocal rank (hybrid); ties in a fixed order."""
        if self._shard is None:
            return VectorStoreQueryResult(nodes=[], similarities=[], ids=[])
        flt = self._filter(query)
        limit = query.similarity_top_k
        dense = None
        if query.query_embedding is not None:
            dense = qe.Query.Nearest(list(query.query_embedding), using=DENSE)
        if query.mode == VectorStoreQueryMode.HYBRID and query.query_str is not None:
            prefetch_k = query.sparse_top_k or query.similarity_top_k
            lists = []
            if dense is not None:
                lists.append(list(self._ranked(dense, prefetch_k, flt, self._params)))
            sparse_query = self._sparse_query(query.query_str)
            if sparse_query is not None:
                lists.append(list(self._ranked(sparse_query, prefetch_k, flt, None)))
            weights = [DENSE_TIE_BREAK, 1.0] if len(lists) == 2 else [1.0]
            fused = rrf(lists, weights)
            scores = {i: fused[i] for i in self._in_order(fused)[: query.hybrid_top_k or limit]}
        elif query.mode == VectorStoreQueryMode.SPARSE and query.query_str is not None:
            found = self._sparse_query(query.query_str)
            if found is None:
                return VectorStoreQueryResult(nodes=[], similarities=[], ids=[])
            scores = self._ranked(found, query.sparse_top_k or limit, flt, None)
        else:
            if dense is None:
                raise ValueError("a dense query needs query_embedding")
            scores = self._ranked(dense, limit, flt, self._params)
        # The lists carry ids and scores only (reading a point's payload costs more than
        # scoring it); the chunks are read for the points returned.
        ids: list[qe.PointId] = list(scores)
        with edge_errors(self._path):
            records = self._shard.retrieve(ids, with_payload=True, with_vector=False) if ids else []
        payloads = {str(r.id): r.payload or {} for r in records}
        # A point deleted since it was scored (a writer not holding the store lock) is left out.
        kept = [i for i in scores if i in payloads]
        return VectorStoreQueryResult(
            nodes=[metadata_dict_to_node(payloads[i]) for i in kept],
            similarities=[scores[i] for i in kept],
            ids=kept,
        )

    def _ranked(
        self, query: qe.Query, limit: int, flt: qe.Filter | None, params: qe.SearchParams | None
    ) -> dict[str, float]:
        """The best `limit` point ids with their scores, best first, equal scores in tie order."""
        # Edge orders equal scores by where the points sit in the shard, which two ingests of
        # the same files do not repeat (BM25 ties are common: chunks holding the same matched
        # terms at the same length). So a list is fetched past its cut until the tie at the cut
        # is whole, then ordered here.
        shard = cast(qe.EdgeShard, self._shard)
        fetch = 2 * limit
        while True:
            request = qe.QueryRequest(limit=fetch, query=query, filter=flt, params=params)
            with edge_errors(self._path):
                points = shard.query(request)
            whole = len(points) <= limit or points[-1].score < points[limit - 1].score
            if whole or len(points) < fetch or fetch >= MAX_TIE_FETCH:
                # Points scoring below the cut cannot come back: their ties need no reading.
                floor = points[min(limit, len(points)) - 1].score if points else 0.0
                scores = {str(p.id): float(p.score) for p in points if p.score >= floor}
                return {i: scores[i] for i in self._in_order(scores)[:limit]}
            fetch *= 2

    def _in_order(self, scores: dict[str, float]) -> list[str]:
        """Point ids best first; those of equal score by article, then offset in it."""
        counts = Counter(scores.values())
        tied: list[qe.PointId] = [i for i, score in scores.items() if counts[score] > 1]
        places: dict[str, tuple[str, int]] = {}
        if tied:
            with edge_errors(self._path):
                records = cast(qe.EdgeShard, self._shard).retrieve(
                    tied, with_payload=TIE_FIELDS, with_vector=False
                )
            for record in records:
                payload = record.payload or {}
                source, start = payload.get("source", ""), payload.get("start", 0)
                places[str(record.id)] = (str(source), int(start or 0))
        return sorted(scores, key=lambda i: (-scores[i], places.get(i, ("", 0)), i))

    def _sparse_query(self, text: str) -> qe.Query | None:
        indices, values = self._sparse_query_fn([text])
        if not indices[0]:
            return None
        return qe.Query.Nearest(qe.SparseVector(indices[0], values[0]), using=SPARSE)

    def _filter(self, query: VectorStoreQuery) -> qe.Filter | None:
        must: list[Any] = []
        if query.doc_ids:
            must.append(qe.FieldCondition(key="doc_id", match=qe.MatchAny(list(query.doc_ids))))
        if query.node_ids:
            must.append(qe.HasIdCondition(set(query.node_ids)))
        if query.filters is not None and query.filters.filters:
            must.append(edge_filter(query.filters))
        return qe.Filter(must=must) if must else None
