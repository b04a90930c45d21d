"""Derives the extractive answerer's ranking weights from a question set's answerable questions.

Whether to answer at all is the confidence model's decision (bench/tune_confidence.py); this
tunes which sentences are quoted.

Tunes on half of the questions (even rows) and reports the other half as held out, so the
figures say how the chosen constants generalise. Usage:
    python bench/tune_extractive.py [tests/eval/questions.jsonl]
"""

from __future__ import annotations

import itertools
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from rag.answering.extractive import Evidence, Tuning, choose, gather_evidence
from rag.config import Settings
from rag.engine import Engine, prepare_question
from rag.evaluation.questions import TestQuestion, load_questions

GRID = {
    "candidates": [12, 24],
    "weight_lexical": [0.35, 0.5, 0.65],
    "cue_bonus": [0.0, 0.05],
    "rank_bonus": [0.0, 0.03],
    "min_cosine": [0.25, 0.3, 0.35],
    "margin": [0.02, 0.04, 0.08],
    "list_bonus": [0.0, 0.08, 0.12, 0.16],
    "cover_margin": [0.0, 0.1, 0.2],
}

Case = tuple[TestQuestion, str, Evidence, dict[str, float]]


def collect(engine: Engine, questions: list[TestQuestion]) -> list[Case]:
    """Every candidate sentence of every question, with its cosine to the question."""
    cases = []
    for q in questions:
        text, _ = prepare_question(q.question, engine.settings.answer.max_question_chars)
        embedding = engine.encoder([text])[0]
        passages = engine.retriever.retrieve(
            text, embedding.tolist(), engine.settings.retrieval.top_k
        )
        evidence = gather_evidence(text, passages)
        texts = [c.text for c in evidence.candidates]
        cosines = dict(zip(texts, (engine.encoder(texts) @ embedding).tolist(), strict=True))
        cases.append((q, text, evidence, cosines))
    return cases


def correct(t: Tuning, case: Case, limit: int) -> tuple[bool, int]:
    """Whether the quote under a tuning holds the key facts, and its length in sentences."""
    q, text, evidence, cosines = case
    # The answerer's own choice, with the cosines computed once per question beforehand.
    chosen = choose(t, text, evidence, lambda found: [cosines[c.text] for c in found], limit).chosen
    answer = " ".join(s.candidate.text for s in chosen)
    return bool(chosen) and q.answered_by(answer), len(chosen)


def evaluate(t: Tuning, cases: list[Case], limit: int) -> tuple[float, float]:
    """Accuracy and mean answer length in sentences."""
    results = [correct(t, c, limit) for c in cases]
    return sum(ok for ok, _ in results) / len(results), sum(n for _, n in results) / len(results)


def tune(cases: list[Case], limit: int) -> Tuning:
    """The grid point with the best accuracy, shorter answers breaking ties."""
    best: tuple[float, float, Tuning] | None = None
    for values in itertools.product(*GRID.values()):
        params = dict(zip(GRID, values, strict=True))
        t = replace(Tuning(), **params, weight_cosine=1 - params["weight_lexical"])
        accuracy, length = evaluate(t, cases, limit)
        if best is None or (accuracy, -length) > (best[0], -best[1]):
            best = (accuracy, length, t)
    assert best is not None
    return best[2]


def main() -> None:
    """Two-fold cross-validation for an honest estimate, then the constants tuned on all rows."""
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "tests/eval/questions.jsonl")
    questions = load_questions(path).questions
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(_env_file=None, qdrant={"path": Path(folder) / "index"})  # type: ignore[call-arg]
        with Engine.open(settings) as engine:
            # The question set also covers an article with injected instructions.
            engine.ingest([settings.seeds_dir, path.parent / "docs"])
            cases = collect(engine, [q for q in questions if q.answerable])
    limit = settings.answer.max_sentences
    folds = (cases[::2], cases[1::2])
    held_out = [evaluate(tune(folds[i], limit), folds[1 - i], limit)[0] for i in (0, 1)]
    print(
        f"cross-validated accuracy (tuned on one half, scored on the other): "
        f"{held_out[0]:.3f}, {held_out[1]:.3f}; mean {sum(held_out) / 2:.3f}"
    )
    final = tune(cases, limit)
    for name, t in (("current defaults", Tuning()), ("tuned on all", final)):
        accuracy, length = evaluate(t, cases, limit)
        print(f"{name:16} accuracy {accuracy:.3f}  sentences {length:.2f}")
    print(final)
    for case in cases:
        if not correct(final, case, limit)[0]:
            print("  wrong:", case[0].id, "|", case[0].question)


if __name__ == "__main__":
    main()
