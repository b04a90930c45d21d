"""The sentence-embedding model run by ONNX Runtime: the exported graph plus its tokenizer."""

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


class OnnxEmbedding(BaseEmbedding):
    """Unit-length sentence embeddings from an ONNX graph that pools and normalises itself."""

    backend: str
    _session: Any = PrivateAttr()
    _tokenizer: Any = PrivateAttr()
    _inputs: list[str] = PrivateAttr()
    _dim: int = PrivateAttr()

    def __init__(
        self,
        graph: Path,
        model_dir: Path,
        backend: str,
        threads: int,
        batch_size: int,
        name: str | None = None,
    ) -> None:
        super().__init__(
            model_name=name or model_dir.name,
            embed_batch_size=batch_size,
            backend=backend,  # type: ignore[call-arg]
        )
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        # Idle pool threads sleep instead of spinning: the ingest reader chunks the next files
        # on the same cores while a batch is embedded.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3
        self._session = ort.InferenceSession(
            str(graph), options, providers=["CPUExecutionProvider"]
        )
        self._inputs = [i.name for i in self._session.get_inputs()]
        self._dim = int(self._session.get_outputs()[0].shape[-1])
        self._tokenizer = load_tokenizer(model_dir)

    @classmethod
    def class_name(cls) -> str:
        """The name llama-index records for this embedding class."""
        return "OnnxEmbedding"

    @property
    def tokenizer(self) -> Any:
        """The fast tokenizer the model reads with (the chunker counts word pieces in it)."""
        return self._tokenizer

    def encode(self, texts: list[str]) -> np.ndarray:
        """One unit-length row per text, in the order given."""
        rows = np.empty((len(texts), self._dim), dtype=np.float32)
        # One text per run: measured here, ONNX Runtime embeds chunks 3-4x faster one at a
        # time than in padded batches of 32, and int8's activation scales, computed per run,
        # then depend on the text alone, so a text gets the same vector in any company.
        # The fast batch skips character offsets, which nothing here reads: same ids, less time.
        for i, encoded in enumerate(self._tokenizer.encode_batch_fast(texts)):
            feeds = {
                "input_ids": np.array([encoded.ids], dtype=np.int64),
                "attention_mask": np.array([encoded.attention_mask], dtype=np.int64),
                "token_type_ids": np.array([encoded.type_ids], dtype=np.int64),
            }
            (vector,) = self._session.run(None, {k: feeds[k] for k in self._inputs})
            rows[i] = vector[0]
        return rows

    def _get_query_embedding(self, query: str) -> list[float]:
        return list(self.encode([query])[0].tolist())

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return list(self.encode([text])[0].tolist())

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return list(self.encode(texts).tolist())
