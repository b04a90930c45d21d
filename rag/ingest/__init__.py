"""Ingest: files to documents (loaders), documents to chunks, chunks into the index, uploads."""
