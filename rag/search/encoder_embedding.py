"""What the project's own embedding classes share: the model's tokenizer and llama-index's calls."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.bridge.pydantic import PrivateAttr


def load_tokenizer(model_dir: Path) -> Any:
    """The model's fast tokenizer, cutting texts where sentence-transformers does; no padding."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    # The packaged tokenizer.json pads and cuts to 128; sentence-transformers reads
    # max_seq_length (256) from its own config, and texts are embedded one at a time.
    config = model_dir / "sentence_bert_config.json"
    limit = json.loads(config.read_text(encoding="utf-8"))["max_seq_length"]
    tokenizer.enable_truncation(max_length=limit)
    tokenizer.no_padding()
    return tokenizer


class EncoderEmbedding(BaseEmbedding):
    """A llama-index embedding whose subclasses give `encode`: unit rows, one per text."""

    _tokenizer: Any = PrivateAttr()

    @property
    def tokenizer(self) -> Any:
        """The fast tokenizer the model reads with (the chunker counts word pieces in it)."""
        return self._tokenizer

    def encode(self, texts: list[str]) -> np.ndarray:
        """One unit-length float32 row per text, in the order given."""
        raise NotImplementedError

    def _get_query_embedding(self, query: str) -> list[float]:
        return list(self.encode([query])[0].tolist())

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return list(self.encode([text])[0].tolist())

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return list(self.encode(texts).tolist())
