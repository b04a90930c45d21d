"""Trial: does the reader pick a better first sentence than the ranking among its top three.

For every answerable question of the fitting sets the reader never saw (squad2-train and the own
set), the share whose first sentence holds the key facts: the ranking's pick, the reader's pick
among the top 3, and the reader's pick when it beats the ranking's by a margin. Measuring sets are
not read. Usage: PYTHONPATH=. python bench/rerank_trial.py
"""

from __future__ import annotations

from bench.fitting_cases import fitting_set, read_best
from bench.train_reader import TOP, pairs_of

MARGINS = (0.0, 1.0, 2.0, 3.0)


def main() -> None:
    """The share right per set and rule."""
    for name in ("squad2-train", "own"):
        found = fitting_set(name)
        tops: list[list[str]] = []
        cases = []
        for case in found.cases:
            if not case.question.answerable:
                continue
            # The reader's training pairs: the top three distinct sentences.
            seen = [sentence for _, sentence, _ in pairs_of(case, found.choice(case))]
            if seen:
                tops.append(seen)
                cases.append(case)
        pairs = [(c.text, s) for c, top in zip(cases, tops, strict=True) for s in top]
        logits = iter(read_best(pairs))
        scores = [[next(logits) for _ in top] for top in tops]
        line = [f"{name}: {len(cases)} answerable"]
        ranked = sum(c.question.answered_by(t[0]) for c, t in zip(cases, tops, strict=True))
        line.append(f"ranking {ranked}")
        ceiling = sum(
            any(c.question.answered_by(s) for s in t) for c, t in zip(cases, tops, strict=True)
        )
        for margin in MARGINS:
            right = 0
            for c, t, sc in zip(cases, tops, scores, strict=True):
                best = max(range(len(t)), key=lambda i: sc[i])
                pick = t[best] if sc[best] > sc[0] + margin else t[0]
                right += c.question.answered_by(pick)
            line.append(f"reader +{margin:g} {right}")
        line.append(f"top-{TOP} ceiling {ceiling}")
        print(" | ".join(line), flush=True)


if __name__ == "__main__":
    main()
