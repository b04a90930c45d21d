"""Search: the Qdrant store, BM25 sparse vectors, the embedding model and the hybrid retriever."""
