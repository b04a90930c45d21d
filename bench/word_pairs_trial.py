"""Trial of the question's word pairs in the best sentence as decision features (issue 26).

SQuAD's questions are written from their evidence sentence, so a sentence that answers tends to
hold the question's content words in the same pairs; a near miss's sentence holds some of its
words, not their order. `pairs` is the share of the question's adjacent content-word pairs
adjacent in the best sentence, `gapped_pairs` the same with one word between allowed, `run` the
longest run of question words the sentence holds in order, over the question's words. Fitting
sets only: nested right counts, then out-of-fold figures at equal false declines.
Usage: RAG_BENCHMARKS=../shared/benchmarks PYTHONPATH=. python bench/word_pairs_trial.py
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np

from bench.decision_trial import SETS, compare, table, with_columns
from bench.fitting_cases import fitting_set
from rag.answering.confidence import FEATURES
from rag.text import QUESTION_WORDS, terms

NAMES = ("pairs", "gapped_pairs", "run")


def _sequence(text: str) -> list[str]:
    return [t for t in terms(text) if t not in QUESTION_WORDS]


def _longest_run(asked: list[str], said: list[str]) -> int:
    """The most question words in a row that the sentence holds in a row."""
    longest = 0
    for i in range(len(asked)):
        for j in range(i + longest + 1, len(asked) + 1):
            part = asked[i:j]
            if not any(said[k : k + len(part)] == part for k in range(len(said) - len(part) + 1)):
                break
            longest = len(part)
    return longest


def shares(question: str, sentence: str) -> list[float]:
    """pairs, gapped_pairs and run of one question and its best sentence (NaN: nothing to pair)."""
    asked, said = _sequence(question), _sequence(sentence)
    wanted = set(pairwise(asked))
    adjacent = set(pairwise(said))
    gapped = adjacent | set(zip(said, said[2:], strict=False))
    if not wanted or not sentence:
        return [np.nan, np.nan, np.nan]
    run = _longest_run(asked, said) / len(asked)
    return [len(wanted & adjacent) / len(wanted), len(wanted & gapped) / len(wanted), run]


def main() -> None:
    """Nested figures with and without the features, then at equal false declines (own ½)."""
    t = table([fitting_set(name) for name in SETS])
    t = with_columns(t, NAMES, np.array([shares(q, s) for q, s in t.best]))
    base = list(FEATURES)
    variants = {
        "features today": base,
        "+ pairs": [*base, "pairs"],
        "+ gapped_pairs": [*base, "gapped_pairs"],
        "+ run": [*base, "run"],
        "+ pairs, run": [*base, "pairs", "run"],
    }
    compare(t, variants)


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
