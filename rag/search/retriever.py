"""Question → scored passages, through llama-index's retriever over the hybrid store."""

from __future__ import annotations

from llama_index.core import VectorStoreIndex
from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.schema import BaseNode, QueryBundle
from llama_index.core.vector_stores.types import (
    FilterOperator,
    MetadataFilter,
    MetadataFilters,
    VectorStoreQueryMode,
)

from rag.search.backend import StoreBackend
from rag.types import Passage


class Retriever:
    """Hybrid (dense + BM25, fused by RRF in Qdrant) retrieval of passages."""

    def __init__(self, store: StoreBackend, embed_model: BaseEmbedding, prefetch_k: int) -> None:
        self.store = store
        self.index = VectorStoreIndex.from_vector_store(store.vector_store, embed_model=embed_model)
        self.prefetch_k = prefetch_k

    def retrieve(
        self,
        question: str,
        embedding: list[float],
        top_k: int,
        source: str | None = None,
    ) -> list[Passage]:
        """The top passages for a question (optionally from one article), best first."""
        filters = (
            MetadataFilters(
                filters=[MetadataFilter(key="source", value=source, operator=FilterOperator.EQ)]
            )
            if source
            else None
        )
        retriever = self.index.as_retriever(
            similarity_top_k=top_k,
            sparse_top_k=max(self.prefetch_k, top_k),
            vector_store_query_mode=VectorStoreQueryMode.HYBRID,
            filters=filters,
        )
        with self.store.errors():
            hits = retriever.retrieve(QueryBundle(query_str=question, embedding=embedding))
        return [as_passage(rank, hit.node, hit.score) for rank, hit in enumerate(hits, start=1)]


def as_passage(rank: int, node: BaseNode, score: float | None = 0.0) -> Passage:
    """A stored chunk as a passage of the given rank."""
    meta = node.metadata
    return Passage(
        rank=rank,
        chunk_id=node.node_id,
        source=str(meta.get("source", "")),
        title=str(meta.get("title", "")),
        text=node.get_content(),
        start=int(meta.get("start", 0)),
        end=int(meta.get("end", 0)),
        score=float(score or 0.0),
        pages=tuple((int(offset), int(page)) for offset, page in meta.get("pages") or ()),
        sections=tuple((int(offset), str(name)) for offset, name in meta.get("sections") or ()),
    )
