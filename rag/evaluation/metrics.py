"""Test questions → answers through the engine → per-question checks and aggregate metrics."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from rag.answering.answer_types import LACKING
from rag.answering.citations import quote_is_backed
from rag.engine import Engine
from rag.errors import RagError
from rag.evaluation.questions import TestQuestion, has_fact
from rag.types import Answer, Passage

# Metrics a gate (--min) can name; each is a fraction in [0, 1] unless noted.
METRICS = (
    "hit_at_k",
    "mrr",
    "key_fact_accuracy",
    "source_accuracy",
    "citation_validity",
    "decline_accuracy",
    "accuracy",
)


@dataclass
class QuestionResult:
    """One question's answer, the passages behind it, its latency and each check's outcome."""

    id: str
    question: str
    kind: str
    answerable: bool
    answer: str = ""
    declined: bool = False
    citations: list[dict[str, Any]] = field(default_factory=list)
    retrieved: list[dict[str, Any]] = field(default_factory=list)
    latency_ms: dict[str, float] = field(default_factory=dict)
    evidence_rank: int | None = None
    checks: dict[str, bool | None] = field(default_factory=dict)
    grounding: str = "not needed"
    error: str | None = None
    # The decision's confidence, and whether the quote it chose (shown or held back by a
    # decline) holds the key facts: the two inputs of the risk-coverage curve.
    confidence: float | None = None
    quote_right: bool | None = None
    # Answered with a note that the quote gives no date or number the question asks for.
    noted: bool = False

    @property
    def correct(self) -> bool:
        """Right overall: declined when it should, else the key facts with valid citations."""
        if self.error is not None or self.checks.get("nothing_forbidden") is False:
            return False
        if not self.answerable:
            return self.declined
        if self.declined or self.checks.get("citations_valid") is False:
            return False
        facts = self.checks.get("key_facts")
        return facts if facts is not None else self.checks.get("sources") is not False


def evidence_rank(question: TestQuestion, passages: list[Passage]) -> int | None:
    """Rank of the first passage that holds every key fact (or comes from an expected source)."""
    for passage in passages:
        if question.must_include:
            if question.answered_by(passage.text):
                return passage.rank
        elif question.expected_sources and passage.source in question.expected_sources:
            return passage.rank
    return None


def check(question: TestQuestion, answer: Answer) -> QuestionResult:
    """Score one answer against its test question."""
    rank = evidence_rank(question, answer.retrieved) if question.answerable else None
    checks: dict[str, bool | None] = {
        "retrieval_hit": (rank is not None)
        if question.answerable and (question.must_include or question.expected_sources)
        else None,
        "key_facts": (not answer.declined and question.answered_by(answer.text))
        if question.answerable and question.must_include
        else None,
        "sources": (
            bool(answer.citations)
            and all(c.source in question.expected_sources for c in answer.citations)
        )
        if question.answerable and question.expected_sources and not answer.declined
        else None,
        "citations_valid": all(quote_is_backed(c, answer.retrieved) for c in answer.citations),
        "nothing_forbidden": not any(
            has_fact(answer.text, [bad]) for bad in question.must_not_include
        )
        if question.must_not_include
        else None,
        "declined_correctly": answer.declined if not question.answerable else None,
        "false_decline": answer.declined if question.answerable else None,
    }
    return QuestionResult(
        id=question.id,
        question=question.question,
        kind=question.kind,
        answerable=question.answerable,
        answer=answer.text,
        declined=answer.declined,
        citations=[c.to_dict() for c in answer.citations],
        retrieved=[p.to_dict() for p in answer.retrieved],
        latency_ms={k: round(v, 2) for k, v in answer.timings_ms.items()},
        evidence_rank=rank,
        checks=checks,
        grounding=answer.grounding,
        confidence=answer.confidence,
        quote_right=_quote_right(question, answer),
        noted=not answer.declined and any(n.startswith(LACKING) for n in answer.notices),
    )


def _quote_right(question: TestQuestion, answer: Answer) -> bool | None:
    if not question.answerable:
        return False
    if not question.must_include:
        return None
    quote = answer.withheld if answer.declined else answer.text
    return bool(quote) and question.answered_by(quote)


def risk_coverage(results: list[QuestionResult], current: float | None) -> dict[str, Any]:
    """Per threshold: the share answered, their precision, and right overall (declines too)."""
    scored = [
        r
        for r in results
        if r.error is None and r.confidence is not None and r.quote_right is not None
    ]
    # A confidence of 0 is no decision (nothing quotable, or the predicate rule): never answered.
    thresholds = sorted(
        {round(t / 20, 2) for t in range(1, 20)} | ({current} if current else set())
    )
    points = []
    for t in thresholds:
        answered = [r for r in scored if r.confidence is not None and r.confidence >= t]
        right = sum(bool(r.quote_right) for r in answered)
        declined_right = sum(
            not r.answerable for r in scored if r.confidence is not None and r.confidence < t
        )
        points.append(
            {
                "threshold": t,
                "coverage": round(len(answered) / len(scored), 4) if scored else None,
                "precision": round(right / len(answered), 4) if answered else None,
                "accuracy": round((right + declined_right) / len(scored), 4) if scored else None,
            }
        )
    return {"questions": len(scored), "threshold": current, "points": points}


def run(
    engine: Engine,
    questions: Iterable[TestQuestion],
    top_k: int | None = None,
    progress: Callable[[Any], Any] | None = None,
) -> list[QuestionResult]:
    """Ask every question through the engine; a question that errors is recorded, not fatal."""
    items = list(questions)
    results = []
    for question in progress(items) if progress else items:
        try:
            answer = engine.ask(question.question, top_k=top_k)
        except RagError as exc:
            results.append(
                QuestionResult(
                    question.id,
                    question.question,
                    question.kind,
                    question.answerable,
                    error=str(exc),
                    checks={"citations_valid": None},
                )
            )
            continue
        results.append(check(question, answer))
    return results


def _rate(values: list[bool | None]) -> float | None:
    known = [v for v in values if v is not None]
    return round(sum(known) / len(known), 4) if known else None


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def aggregate(results: list[QuestionResult]) -> dict[str, Any]:
    """The metrics over a set of results."""
    answerable = [r for r in results if r.answerable and r.error is None]
    with_evidence = [r for r in answerable if r.checks.get("retrieval_hit") is not None]
    metrics: dict[str, Any] = {
        "questions": len(results),
        "errors": sum(r.error is not None for r in results),
        "hit_at_k": _rate([r.checks.get("retrieval_hit") for r in with_evidence]),
        "mrr": round(
            statistics.fmean(
                1 / r.evidence_rank if r.evidence_rank else 0.0 for r in with_evidence
            ),
            4,
        )
        if with_evidence
        else None,
        "key_fact_accuracy": _rate([r.checks.get("key_facts") for r in results]),
        "source_accuracy": _rate([r.checks.get("sources") for r in results]),
        "citation_validity": _rate(
            [r.checks.get("citations_valid") for r in results if r.citations]
        ),
        "decline_accuracy": _rate([r.checks.get("declined_correctly") for r in results]),
        "false_declines": sum(bool(r.checks.get("false_decline")) for r in results),
        "accuracy": _rate([r.correct for r in results]),
        # How often the grounding check removed citations or replaced an LLM answer.
        "grounding_interventions": sum(r.grounding in ("replaced", "corrected") for r in results),
        # Answers that say their quote lacks the date or number asked, and how many are wrong:
        # what a decline on that ground would win and lose.
        "noted_answers": sum(r.noted for r in results),
        "noted_wrong": sum(r.noted and not r.correct for r in results),
    }
    for part in ("retrieve", "answer", "total"):
        values = [r.latency_ms[part] for r in results if part in r.latency_ms]
        if values:
            metrics[f"{part}_p50_ms"] = round(percentile(values, 50), 2)
            metrics[f"{part}_p95_ms"] = round(percentile(values, 95), 2)
    return metrics


def by_kind(results: list[QuestionResult]) -> dict[str, dict[str, Any]]:
    """The metrics for each question kind."""
    kinds = sorted({r.kind for r in results})
    return {kind: aggregate([r for r in results if r.kind == kind]) for kind in kinds}


def failed_gates(metrics: dict[str, Any], minimums: dict[str, float]) -> list[str]:
    """The gates a run falls below, each as a readable line."""
    failed = []
    for name, minimum in minimums.items():
        value = metrics.get(name)
        if value is None or value < minimum:
            failed.append(f"{name} = {value} is below the minimum {minimum}")
    return failed


def result_dict(result: QuestionResult) -> dict[str, Any]:
    """A result as report.json stores it."""
    data = asdict(result)
    data["correct"] = result.correct
    return data


def evaluate(
    engine: Engine,
    questions: list[TestQuestion],
    top_k: int | None = None,
    progress: Callable[[Any], Any] | None = None,
) -> dict[str, Any]:
    """The whole report: configuration, aggregate metrics, metrics by kind, every result."""
    engine.warm_up()  # latency figures are for a running service, not for model loading
    results = run(engine, questions, top_k=top_k, progress=progress)
    settings = engine.settings.model_dump(mode="json")
    settings["retrieval"]["top_k"] = top_k or engine.settings.retrieval.top_k
    threshold = engine.extractive.min_confidence
    return {
        "config": {
            "mode": engine.settings.llm.mode,
            "top_k": settings["retrieval"]["top_k"],
            "settings": settings,
        },
        "metrics": aggregate(results),
        "by_kind": by_kind(results),
        "risk_coverage": risk_coverage(results, threshold),
        "results": [result_dict(r) for r in results],
    }
