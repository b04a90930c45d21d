"""Optional LLM-judged faithfulness and correctness (llama-index evaluators), kept apart."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rag.engine import Engine
from rag.evaluation.questions import TestQuestion


def judge(
    engine: Engine,
    questions: list[TestQuestion],
    results: list[dict[str, Any]],
    progress: Callable[[Any], Any] | None = None,
) -> dict[str, Any]:
    """Faithfulness (answer supported by the passages) and correctness (against the reference)."""
    generator = engine.generator
    if generator is None:
        return {"skipped": "needs an LLM answer mode (RAG_LLM__MODE=local, openai or anthropic)"}
    from llama_index.core.evaluation import CorrectnessEvaluator, FaithfulnessEvaluator

    faithfulness = FaithfulnessEvaluator(llm=generator.llm)
    correctness = CorrectnessEvaluator(llm=generator.llm)
    by_id = {q.id: q for q in questions}
    per_question: dict[str, dict[str, Any]] = {}
    pairs = [(r, by_id[r["id"]]) for r in results if r["id"] in by_id and not r["declined"]]
    for result, question in progress(pairs) if progress else pairs:
        contexts = [p["text"] for p in result["retrieved"]]
        entry: dict[str, Any] = {}
        try:
            faithful = faithfulness.evaluate(
                query=question.question, response=result["answer"], contexts=contexts
            )
            entry["faithful"] = bool(faithful.passing)
            if question.reference:
                correct = correctness.evaluate(
                    query=question.question, response=result["answer"], reference=question.reference
                )
                entry["correctness"] = correct.score
        except Exception as exc:
            # A judge failure is recorded, never fatal.
            entry["error"] = type(exc).__name__
        per_question[question.id] = entry
    faithful_values = [e["faithful"] for e in per_question.values() if "faithful" in e]
    scores = [e["correctness"] for e in per_question.values() if e.get("correctness") is not None]
    return {
        "model": engine.mode,
        "faithfulness": round(sum(faithful_values) / len(faithful_values), 4)
        if faithful_values
        else None,
        "correctness_mean": round(sum(scores) / len(scores), 3) if scores else None,
        "per_question": per_question,
    }
