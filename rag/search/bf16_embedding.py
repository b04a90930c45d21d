"""The embedding model in bfloat16 on torch, for the chunks of a large ingest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from llama_index.core.bridge.pydantic import PrivateAttr

from rag.search.encoder_embedding import EncoderEmbedding, load_tokenizer

# CPU flags of bfloat16 matrix instructions (Intel AMX, AVX-512 BF16): without them torch
# emulates bfloat16, slower than float32.
NATIVE_FLAGS = frozenset({"amx_bf16", "avx512_bf16"})


def native_bf16(cpuinfo: str | None = None) -> bool:
    """Whether this CPU computes bfloat16 matrix products in hardware (Linux's flags)."""
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return False
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "flags":
            return not NATIVE_FLAGS.isdisjoint(value.split())
    return False


class Bfloat16Embedding(EncoderEmbedding):
    """Unit-length sentence embeddings from the transformer in bfloat16, pooled in float32."""

    _model: Any = PrivateAttr()

    def __init__(self, model_dir: Path, threads: int, batch_size: int, name: str) -> None:
        super().__init__(model_name=name, embed_batch_size=batch_size)
        import torch
        from transformers import AutoModel
        from transformers.utils import logging as transformers_logging

        transformers_logging.set_verbosity_error()  # type: ignore[no-untyped-call]
        transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
        torch.set_num_threads(threads)
        model = AutoModel.from_pretrained(str(model_dir), dtype=torch.bfloat16)
        self._model = model.eval()
        self._tokenizer = load_tokenizer(model_dir)

    @classmethod
    def class_name(cls) -> str:
        """The name llama-index records for this embedding class."""
        return "Bfloat16Embedding"

    @property
    def precision(self) -> str:
        """What the transformer computes in, as an ingest reports it."""
        return "bfloat16"

    def encode(self, texts: list[str]) -> np.ndarray:
        """One unit-length float32 row per text, in the order given, as one padded batch."""
        import torch

        if not texts:
            return np.empty((0, self._model.config.hidden_size), dtype=np.float32)
        encoded = self._tokenizer.encode_batch_fast(texts)
        width = max(len(e.ids) for e in encoded)
        ids = np.zeros((len(texts), width), dtype=np.int64)
        mask = np.zeros((len(texts), width), dtype=np.int64)
        for row, e in enumerate(encoded):
            ids[row, : len(e.ids)] = e.ids
            mask[row, : len(e.ids)] = 1
        with torch.inference_mode():
            input_ids, attention = torch.from_numpy(ids), torch.from_numpy(mask)
            hidden = self._model(
                input_ids=input_ids,
                attention_mask=attention,
                token_type_ids=torch.zeros_like(input_ids),
            ).last_hidden_state
            # The mean and the norm in float32: in bfloat16 they alone cost 0.002 of cosine.
            weights = attention.unsqueeze(-1).to(torch.float32)
            mean = (hidden.to(torch.float32) * weights).sum(1) / weights.sum(1).clamp(min=1.0)
            rows = torch.nn.functional.normalize(mean, p=2.0, dim=1)
        return np.asarray(rows.numpy(), dtype=np.float32)
