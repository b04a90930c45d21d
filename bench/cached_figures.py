"""A question set's figures from the cached retrieval, for reporting only (nothing is fitted).

Usage: RAG_BENCHMARKS=../shared/benchmarks PYTHONPATH=. \
    python bench/cached_figures.py [--fitting] SET...
The answer decision is the committed one (a trial may pass its own); with it, the figures match
`rag eval` on the same retrieval. With --fitting the sets are fitting sets ("own" included): the
in-sample figures a hard rule is chosen on before any measuring set is read.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable

from bench.fitting_cases import fitting_set, measuring_set
from rag.answering.confidence import load_model


def committed() -> Callable[[dict[str, float]], bool]:
    """The committed decision: answer when the model's probability reaches its threshold."""
    model = load_model()
    return lambda values: model.probability(values) >= model.threshold


def figures(
    name: str, answers: Callable[[dict[str, float]], bool] | None = None, fitting: bool = False
) -> Counter[str]:
    """Right overall, and per kind of question how many were answered, keyed or declined."""
    answers = answers or committed()
    found = fitting_set(name) if fitting else measuring_set(name)
    counts: Counter[str] = Counter()
    for case in found.cases:
        choice = found.choice(case)
        decided = bool(choice.chosen) and not choice.vetoed
        answered = decided and answers(choice.values)
        q = case.question
        kind = "answerable" if q.answerable else q.kind
        quote = " ".join(s.candidate.text for s in choice.chosen)
        counts[f"{kind} questions"] += 1
        if answered:
            keyed = q.answerable and q.answered_by(quote)
            counts[f"{kind} answered"] += 1
            if q.answerable:
                counts[f"{kind} answered with key facts"] += keyed
            counts["right"] += keyed
        else:
            counts[f"{kind} declined"] += 1
            counts["right"] += not q.answerable
    return counts


if __name__ == "__main__":
    fitting = "--fitting" in sys.argv
    for name in (a for a in sys.argv[1:] if a != "--fitting"):
        print(name, dict(sorted(figures(name, fitting=fitting).items())))
