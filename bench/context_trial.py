"""Trial: a sentence's lexical overlap read with its paragraph's first sentence and its title.

SQuAD's and the articles' sentences often leave the paragraph's subject to its first sentence
("Fines reach up to €15 million …" under "EU AI Act (Regulation 2024/1689): …"). Each candidate's
`lexical` gains `beta` times the weight of the question terms only that context states; the
committed ranking weights and decision are kept. Fitting sets only; measuring sets are not read.
Usage: RAG_BENCHMARKS=../shared/benchmarks PYTHONPATH=. python bench/context_trial.py BETA [SETS]
"""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import replace

from bench.cached_figures import committed
from bench.fitting_cases import fitting_set
from rag.answering.extractive import Candidate, Tuning, _idf, choose, gather_evidence
from rag.text import QUESTION_WORDS, sentence_spans, terms

SETS = ("own", "squad2-train", "squad2-train2", "squad2-train-nearmiss", "squad2-train2-nearmiss")


def context_terms(c: Candidate) -> set[str]:
    """The terms of the sentence's paragraph's first sentence (if not itself) and its title."""
    text = c.passage.text
    line = text.rfind("\n", 0, c.start) + 1
    spans = sentence_spans(text[line:])
    found = set(terms(c.passage.title))
    if spans and line + spans[0][0] < c.start:
        found |= set(terms(text[line + spans[0][0] : line + spans[0][1]]))
    return found


def tally(name: str, beta: float) -> Counter[str]:
    """Right answers, answerable declined, near misses declined, key facts first, for one set."""
    decide = committed()
    cs = fitting_set(name)
    counts: Counter[str] = Counter()
    for case in cs.cases:
        q = case.question
        # A near-miss set counts its own questions; the rest are its base set's again.
        if name.endswith("nearmiss") and not q.answerable and q.kind != "near-miss":
            continue
        evidence = gather_evidence(case.text, case.passages)
        if beta:
            asked = set(terms(case.text)) - QUESTION_WORDS
            stated = [set(c.terms) for c in evidence.candidates]
            weights = _idf(asked, stated)
            total = sum(weights.values()) or 1.0
            read = [
                replace(
                    c,
                    lexical=c.lexical
                    + beta * sum(weights[t] for t in (asked & context_terms(c)) - s) / total,
                )
                for c, s in zip(evidence.candidates, stated, strict=True)
            ]
            evidence = replace(evidence, candidates=read)
        choice = choose(
            Tuning(),
            case.text,
            evidence,
            lambda found, text=case.text: cs.cosines(text, [c.text for c in found]),
            3,
        )
        answered = bool(choice.chosen) and not choice.vetoed and decide(choice.values)
        quote = " ".join(s.candidate.text for s in choice.chosen)
        if q.answerable:
            counts["first sentence keyed"] += bool(choice.scored) and q.answered_by(
                choice.scored[0].candidate.text
            )
            counts["right"] += answered and q.answered_by(quote)
            counts["answerable declined"] += not answered
        else:
            counts["right"] += not answered
            counts["near misses declined"] += q.kind == "near-miss" and not answered
    return counts


def main() -> None:
    """Print each set's tally at the beta given."""
    beta = float(sys.argv[1])
    for name in sys.argv[2:] or SETS:
        print(name, beta, dict(sorted(tally(name, beta).items())), flush=True)


if __name__ == "__main__":
    main()
