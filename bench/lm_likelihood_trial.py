"""Trial of the packaged SmolLM2-135M as a near-miss signal (issue 26; fitting data only).

`lm_gain` is how much a sentence raises the model's likelihood of the question: the mean log
probability of the question's tokens after the sentence, a line break and "Question:", less that
after "Question:" alone.
A sentence that answers should make the question likelier than one that is only about its
subject. Read on a sample of the fitting near-miss sets (250 near misses, 250 answered right,
both with a best sentence the hard rules let through), then: its AUC alone beside the decision's
features, and the cross-validated AUC of a logistic regression on the decision's features with
and without it. Usage: PYTHONPATH=. python bench/lm_likelihood_trial.py   # about 6 minutes
"""

from __future__ import annotations

import os
import time

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from bench.decision_trial import SETS, table
from bench.fitting_cases import fitting_set
from rag.answering.confidence import FEATURES
from rag.answering.llms import packaged_gguf

NEAR_MISS_SETS = ["squad2-train-nearmiss", "squad2-train2-nearmiss"]
PER_LABEL = 250


class Scorer:
    """SmolLM2's log likelihood of a question with and without a sentence before it."""

    def __init__(self) -> None:
        from llama_cpp import Llama

        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        self.model = Llama(
            model_path=str(packaged_gguf()), n_ctx=512, logits_all=True, verbose=False, n_threads=2
        )

    def _mean_logprob(self, prefix: str, question: str) -> float:
        head = self.model.tokenize(prefix.encode(), add_bos=True)
        asked = self.model.tokenize((" " + question).encode(), add_bos=False, special=False)
        tokens = (head + asked)[-512:]
        start = len(tokens) - len(asked)
        self.model.reset()
        self.model.eval(tokens)
        logits = np.asarray(self.model.scores[start - 1 : len(tokens) - 1], dtype=np.float64)
        top = logits.max(axis=1, keepdims=True)
        log_z = top[:, 0] + np.log(np.exp(logits - top).sum(axis=1))
        return float((logits[np.arange(len(asked)), asked] - log_z).mean())

    def gain(self, question: str, sentence: str) -> float:
        """Mean log P(question | sentence) − log P(question), per question token."""
        return self._mean_logprob(f"{sentence[:600]}\nQuestion:", question) - self._mean_logprob(
            "Question:", question
        )


def cv_auc(x: np.ndarray, y: np.ndarray) -> float:
    """Mean out-of-fold AUC of a logistic regression over five shuffled 5-fold splits."""
    aucs = []
    for seed in range(5):
        fit = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
        folds = StratifiedKFold(5, shuffle=True, random_state=seed)
        p = cross_val_predict(fit, x, y, cv=folds, method="predict_proba")[:, 1]
        aucs.append(roc_auc_score(y, p))
    return float(np.mean(aucs))


def main() -> None:
    """The sample's figures with and without lm_gain."""
    t = table([fitting_set(name) for name in SETS])
    rng = np.random.default_rng(0)
    in_sets = np.isin(t.sets, NEAR_MISS_SETS) & ~t.off_topic
    negatives = np.flatnonzero(in_sets & t.near_miss)
    positives = np.flatnonzero(in_sets & t.right)
    rows = np.concatenate(
        [rng.choice(negatives, PER_LABEL, replace=False), rng.choice(positives, PER_LABEL, False)]
    )
    scorer = Scorer()
    started = time.perf_counter()
    gains = np.array([scorer.gain(*t.best[i]) for i in rows])
    per_pair = (time.perf_counter() - started) / len(rows) * 1000
    y = t.right[rows]
    print(f"{len(rows)} pairs, {per_pair:.0f} ms a pair (two passes of the model)")
    print(f"AUC right vs near miss: lm_gain {roc_auc_score(y, gains):.3f}")
    for name in ("lexical", "cosine", "focus"):
        print(f"AUC right vs near miss: {name} {roc_auc_score(y, t.columns([name])[rows, 0]):.3f}")
    base = t.columns(list(FEATURES))[rows]
    print(f"cross-validated AUC, {len(FEATURES)} features: {cv_auc(base, y):.4f}")
    with_gain = np.column_stack([base, gains])
    print(f"cross-validated AUC, {len(FEATURES)} features + lm_gain: {cv_auc(with_gain, y):.4f}")


if __name__ == "__main__":
    main()
