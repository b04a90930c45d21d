"""BM25-style sparse vectors: term frequencies here, inverse document frequency in Qdrant."""

from __future__ import annotations

import zlib
from collections import Counter

from rag.text import terms

# BM25's usual constants; the average length is that of a default chunk in terms.
K1 = 1.2
B = 0.75
AVG_TERMS = 90.0

SparseBatch = tuple[list[list[int]], list[list[float]]]


def term_id(term: str) -> int:
    """A stable 31-bit index for a term (Python's own hash changes between processes)."""
    return zlib.crc32(term.encode("utf-8")) & 0x7FFFFFFF


def _vector(counts: Counter[str], weigh: bool, length: int) -> tuple[list[int], list[float]]:
    merged: dict[int, float] = {}
    norm = K1 * (1 - B + B * length / AVG_TERMS)
    for term, tf in counts.items():
        value = tf * (K1 + 1) / (tf + norm) if weigh else 1.0
        index = term_id(term)
        merged[index] = merged.get(index, 0.0) + value
    return list(merged), list(merged.values())


def encode_documents(texts: list[str]) -> SparseBatch:
    """BM25 term weights of each document (Qdrant multiplies in the IDF at query time)."""
    indices, values = [], []
    for text in texts:
        doc_terms = terms(text)
        idx, val = _vector(Counter(doc_terms), weigh=True, length=len(doc_terms))
        indices.append(idx)
        values.append(val)
    return indices, values


def encode_queries(texts: list[str]) -> SparseBatch:
    """Each distinct query term with weight 1, so a document's score is its BM25 sum."""
    indices, values = [], []
    for text in texts:
        # Sorted: a set's order changes between processes, and with it the order Qdrant sums in.
        idx, val = _vector(Counter(sorted(set(terms(text)))), weigh=False, length=0)
        indices.append(idx)
        values.append(val)
    return indices, values
