"""Trial of three hard-rule variants on the fitting sets only (issue 26, tenth round).

Each counts, over the committed decision and ranking, the fitting questions whose outcome the
variant would change: "gain" a right answer more, "loss" an unanswerable question answered,
"wrong quote" an answerable question answered without its key facts (wrong either way).
- soft: the predicate rule (a weak best sentence stating none of the question's lower-case
  content words is declined) also counts a word as stated when MiniLM's contextual vectors align
  it to the sentence at a cosine of at least the floor ("buy" against "acquiring").
- prefix: the same rule counting a word as stated when the sentence has a word with its first n
  letters ("partnering" against "partnership").
- all names: an amount question with two or more names, all found in the retrieved passages,
  is declined when its best sentence does not name them all ("How much is Microsoft investing in
  OpenAI?" against Amazon's investment in OpenAI).
Usage: RAG_BENCHMARKS=../shared/benchmarks PYTHONPATH=. python bench/rule_variants_trial.py
"""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass

from bench.alignment_trial import _vectors, word_alignments
from bench.cached_figures import committed
from bench.fitting_cases import CaseSet, fitting_set
from rag.answering.extractive import (
    Candidate,
    Choice,
    Tuning,
    choose,
    focus_terms,
    gather_evidence,
)
from rag.answering.names import names_share
from rag.text import stem, terms, words

SETS = ("squad2-train", "squad2-train2", "squad2-train-nearmiss", "squad2-train2-nearmiss", "own")
FLOORS = (0.5, 0.6, 0.7, 0.8)
PREFIXES = (4, 5, 6, 7)


@dataclass(frozen=True)
class Unfocused:
    """A question the predicate rule alone declines, as the answerer would answer it otherwise."""

    set: str
    outcome: str
    question: str
    sentence: str
    predicate: frozenset[str]


def _outcome(case_set: CaseSet, case_index: int, choice: Choice) -> str:
    q = case_set.cases[case_index].question
    quote = " ".join(s.candidate.text for s in choice.chosen)
    if not q.answerable:
        return "loss"
    return "gain" if q.answered_by(quote) else "wrong quote"


def _cosines(case_set: CaseSet, question: str, found: list[Candidate]) -> list[float]:
    return case_set.cosines(question, [c.text for c in found])


def rows() -> tuple[list[Unfocused], Counter[str]]:
    """The predicate rule's declines the decision would answer; the all-names rule's tally."""
    decide = committed()
    unfocused: list[Unfocused] = []
    named: Counter[str] = Counter()
    for name in SETS:
        cs = fitting_set(name)
        for i, case in enumerate(cs.cases):
            q = case.question
            # A near-miss set counts its own questions; the rest are its base set's again.
            if name.endswith("nearmiss") and not q.answerable and q.kind != "near-miss":
                continue
            choice = cs.choice(case)
            if not choice.chosen:
                continue
            evidence = gather_evidence(case.text, case.passages)
            if not choice.off_topic:
                best = choice.scored[0].candidate
                if (
                    decide(choice.values)
                    and evidence.asked.kind == "quantity"
                    and len(evidence.names) > 1
                    and not evidence.missing
                    and names_share(evidence.names, best.text) < 1.0
                ):
                    # Declining turns a right answer into a loss and an unanswerable into a gain.
                    flip = {"gain": "loss", "loss": "gain"}
                    named[f"{name} {flip.get(_outcome(cs, i, choice), 'wrong quote')}"] += 1
                continue

            cosines = functools.partial(_cosines, cs, case.text)
            free = choose(Tuning(min_cosine_unfocused=-1.0), case.text, evidence, cosines, 3)
            best = free.scored[0].candidate if free.scored else None
            if free.off_topic or not free.chosen or best is None or best.focus:
                continue
            if decide(free.values):
                unfocused.append(
                    Unfocused(
                        name,
                        _outcome(cs, i, free),
                        case.text,
                        best.text,
                        frozenset(focus_terms(case.text)),
                    )
                )
    return unfocused, named


def main() -> None:
    """Print each variant's tally per fitting set."""
    unfocused, named = rows()
    vectors = _vectors(sorted({t for r in unfocused for t in (r.question, r.sentence)}))
    aligned = [
        max(
            (
                b
                for w, _, b in word_alignments(r.question, r.sentence, vectors)
                if b is not None and stem(w) in r.predicate
            ),
            default=0.0,
        )
        for r in unfocused
    ]
    for floor in FLOORS:
        c = Counter(
            f"{r.set} {r.outcome}" for r, a in zip(unfocused, aligned, strict=True) if a >= floor
        )
        print(f"soft {floor}:", dict(sorted(c.items())))
    for n in PREFIXES:
        c: Counter[str] = Counter()
        for r in unfocused:
            said = {w.lower() for w in words(r.sentence)} | set(terms(r.sentence))
            if {w[:n] for w in r.predicate if len(w) >= n} & {w[:n] for w in said if len(w) >= n}:
                c[f"{r.set} {r.outcome}"] += 1
        print(f"prefix {n}:", dict(sorted(c.items())))
    print("all names:", dict(sorted(named.items())))


if __name__ == "__main__":
    main()
