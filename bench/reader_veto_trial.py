"""Trial: the shipped decision, plus a veto where the trial reader's logit is below a bound.

For each fitting set: right answers, answerable questions declined, and unanswerable ones declined
(near misses, in a near-miss set) by the committed decision alone and with the veto. The reader
(build/reader.safetensors, from bench/train_reader.py) was trained on squad2-train2 and its near
misses: only squad2-train, squad2-train-nearmiss and the own set are out of its sample. Measuring
sets are not read. Usage: RAG_BENCHMARKS=../shared/benchmarks PYTHONPATH=. python
bench/reader_veto_trial.py
"""

from __future__ import annotations

import numpy as np

from bench.fitting_cases import best_pair, fitting_set, read_best
from rag.answering.confidence import load_model

SETS = ("squad2-train", "squad2-train-nearmiss", "own")
BOUNDS = (None, -6.0, -5.0, -4.0, -3.0, -2.0)


def main() -> None:
    """One line per bound: each set's right count, false declines and unanswerables declined."""
    model = load_model()
    rows: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = {}
    for name in SETS:
        found = fitting_set(name)
        confidence, right, answerable, best = [], [], [], []
        for case in found.cases:
            q = case.question
            # A near-miss set repeats its source set's SQuAD unanswerables: counted once.
            if name.endswith("-nearmiss") and not q.answerable and q.kind != "near-miss":
                continue
            choice = found.choice(case)
            decided = bool(choice.chosen) and not choice.off_topic
            confidence.append(model.probability(choice.values) if decided else 0.0)
            quote = " ".join(s.candidate.text for s in choice.chosen)
            right.append(decided and q.answerable and q.answered_by(quote))
            answerable.append(q.answerable)
            best.append(best_pair(case, choice))
        logits = read_best(best)
        rows[name] = (
            np.array(confidence),
            np.array(right),
            np.array(answerable),
            np.array(logits),
        )
    # Where the reader doubts a right quote: its training questions share words with their answer.
    for name, (_, is_right, _, logit) in rows.items():
        doubted = logit[is_right]
        print(
            f"{name}: of {len(doubted)} right quotes the reader scores {(doubted < 0).sum()} "
            f"below 0, {(doubted < -2.5).sum()} below -2.5"
        )
    print(f"committed decision, threshold {model.threshold:.2f}")
    for bound in BOUNDS:
        parts = []
        for name, (p, is_right, can, logit) in rows.items():
            answered = p >= model.threshold
            if bound is not None:
                answered &= logit >= bound
            ok = np.where(answered, is_right, ~can)
            parts.append(
                f"{name} {ok.sum()}/{len(ok)} fd {(can & ~answered).sum()} "
                f"declined {(~can & ~answered).sum()}/{(~can).sum()}"
            )
        label = "no veto" if bound is None else f"veto < {bound:g}"
        print(f"{label:12s} " + " | ".join(parts), flush=True)


if __name__ == "__main__":
    main()
