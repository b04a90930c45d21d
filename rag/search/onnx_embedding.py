"""The sentence-embedding model run by ONNX Runtime: the exported graph plus its tokenizer."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
from llama_index.core.bridge.pydantic import PrivateAttr

from rag.search.encoder_embedding import EncoderEmbedding, load_tokenizer


class OnnxEmbedding(EncoderEmbedding):
    """Unit-length sentence embeddings from an ONNX graph that pools and normalises itself."""

    backend: str
    _graph: Path = PrivateAttr()
    _threads: int = PrivateAttr()
    _session: Any = PrivateAttr()
    _workers: list[Any] = PrivateAttr(default_factory=list)
    _pool: ThreadPoolExecutor | None = PrivateAttr(default=None)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)
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
        self._graph = graph
        self._threads = threads
        self._session = self._open(threads)
        self._inputs = [i.name for i in self._session.get_inputs()]
        self._dim = int(self._session.get_outputs()[0].shape[-1])
        self._tokenizer = load_tokenizer(model_dir)

    def _open(self, threads: int) -> Any:
        """An ONNX Runtime session of the graph on `threads` intra-op threads."""
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        # Idle pool threads sleep instead of spinning: the ingest reader chunks the next files
        # on the same cores while a batch is embedded.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3
        return ort.InferenceSession(str(self._graph), options, providers=["CPUExecutionProvider"])

    def _parallel(self) -> tuple[list[Any], ThreadPoolExecutor]:
        """One single-thread session per core and a thread for each, opened at the first batch."""
        with self._lock:
            if self._pool is None:
                self._workers = [self._open(1) for _ in range(self._threads)]
                self._pool = ThreadPoolExecutor(self._threads, thread_name_prefix="onnx")
            return self._workers, self._pool

    @classmethod
    def class_name(cls) -> str:
        """The name llama-index records for this embedding class."""
        return "OnnxEmbedding"

    def encode(self, texts: list[str]) -> np.ndarray:
        """One unit-length row per text, in the order given."""
        rows = np.empty((len(texts), self._dim), dtype=np.float32)
        # The fast batch skips character offsets, which nothing here reads: same ids, less time.
        encoded = self._tokenizer.encode_batch_fast(texts)

        def embed(session: Any, start: int, step: int) -> None:
            # One text per run: measured here, ONNX Runtime embeds chunks 3-4x faster one at a
            # time than in padded batches of 32, and int8's activation scales, computed per run,
            # then depend on the text alone, so a text gets the same vector in any company.
            for i in range(start, len(encoded), step):
                feeds = {
                    "input_ids": np.array([encoded[i].ids], dtype=np.int64),
                    "attention_mask": np.array([encoded[i].attention_mask], dtype=np.int64),
                    "token_type_ids": np.array([encoded[i].type_ids], dtype=np.int64),
                }
                (vector,) = session.run(None, {k: feeds[k] for k in self._inputs})
                rows[i] = vector[0]

        if len(texts) < 2 or self._threads < 2:
            # A question: all cores on the one text, for the shortest wait.
            embed(self._session, 0, 1)
            return rows
        # A batch: a single-thread session per core, each on every n-th text. One run of a
        # 200-piece text is too small to split across threads without them waiting on each
        # other (1.1-1.25x the texts per second of one two-thread session here; the vectors are
        # bit-identical, as tests/search/test_embedding_backends.py checks).
        workers, pool = self._parallel()
        n = len(workers)
        list(pool.map(lambda k: embed(workers[k], k, n), range(n)))
        return rows
