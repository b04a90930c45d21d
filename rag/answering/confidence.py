"""The answer decision: the calibrated probability that the best sentence answers the question."""

from __future__ import annotations

import json
import math
from collections.abc import Collection
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from rag.answering.contradictions import negation_unmatched, opposite_word
from rag.answering.names import names_share
from rag.answering.patterns import numbers
from rag.text import QUESTION_WORDS, terms

MODEL_PATH = Path(__file__).with_name("confidence.json")


FEATURES = (
    "cosine",
    "cosine_gap",
    "score",
    "lexical",
    "passage_coverage",
    "margin",
    "focus",
    "names_found",
    "name_missing",
    "names_in_passage",
    "names_in_sentence",
    "has_names",
    "numbers_in_passage",
    "numbers_found",
    "has_numbers",
    "expects_type",
    "type_present",
    "unit_present",
    "novelty",
    "inverse_rank",
    "negation_unmatched",
    "opposite",
    "quote_coverage",
)


@dataclass(frozen=True)
class Reading:
    """What the decision reads: the question against its best sentence, passage and passages."""

    cosine: float
    mean_cosine: float
    score: float
    second_score: float
    lexical: float
    question: str
    sentence: str
    # The sentence's stemmed terms, as the answerer already computed them.
    sentence_terms: frozenset[str]
    # The stemmed terms of every sentence the answer would quote (not the one before that an
    # opening "In response, …" brings along).
    quote_terms: frozenset[str]
    passage: str
    passages: str
    # The articles' titles, the best sentence's first: a news article's title often dates it
    # ("The 2026 AI Infrastructure Boom") where its sentences don't repeat the year.
    titles: tuple[str, ...]
    names: tuple[str, ...]
    focus: frozenset[str]
    expects_type: bool
    type_present: bool
    unit_present: bool
    rank: int
    # How many sentences were ranked: with one, there is nothing to compare the best with.
    candidates: int = 2


def _share(wanted: Collection[str], found: AbstractSet[str]) -> float:
    return sum(w in found for w in wanted) / len(wanted) if wanted else 1.0


def features(r: Reading) -> dict[str, float]:
    """The decision's inputs; a share is 1.0 when the question has nothing of its kind."""
    q_terms = set(terms(r.question)) - QUESTION_WORDS
    s_terms = r.sentence_terms
    p_terms = set(terms(r.passage))
    asked = numbers(r.question)
    # Unknown, not zero: with no other sentence, how far the best stands out can't be told, and
    # the model reads an unknown as the fitting data's average.
    alone = r.candidates < 2
    names_found = names_share(r.names, r.passages)
    return {
        "cosine": r.cosine,
        # How far the best sentence stands out from the others retrieved: a question no passage
        # answers tends to meet several equally near-miss sentences, however long the question.
        "cosine_gap": math.nan if alone else r.cosine - r.mean_cosine,
        "score": r.score,
        "lexical": r.lexical,
        "passage_coverage": _share(q_terms, p_terms),
        "margin": math.nan if alone else r.score - r.second_score,
        "focus": _share(r.focus, s_terms),
        "names_found": names_found,
        # A question about something the articles never mention is about something else, however
        # many of its other names they have: a share of 1/2 understates one name missing.
        "name_missing": float(names_found < 1.0),
        "names_in_passage": names_share(r.names, r.passage),
        "names_in_sentence": names_share(r.names, r.sentence),
        "has_names": float(bool(r.names)),
        "numbers_in_passage": _share(asked, numbers(r.passage) | numbers(r.titles[0])),
        "numbers_found": _share(asked, numbers(r.passages) | numbers("\n".join(r.titles))),
        "has_numbers": float(bool(asked)),
        "expects_type": float(r.expects_type),
        "type_present": float(r.type_present),
        "unit_present": float(r.unit_present),
        # A sentence that only repeats the question's words holds no answer to it.
        "novelty": len(s_terms - q_terms) / max(1, len(s_terms)),
        "inverse_rank": 1.0 / r.rank,
        # A sentence saying something happened doesn't answer what did not; "less" doesn't answer
        # "more".
        "negation_unmatched": float(negation_unmatched(r.question, r.sentence, s_terms)),
        "opposite": float(opposite_word(r.question, r.sentence)),
        # A question in several parts is answered by the quote as a whole, not its best sentence.
        "quote_coverage": _share(q_terms, r.quote_terms),
    }


@dataclass(frozen=True)
class ConfidenceModel:
    """A logistic regression over standardised features, and the threshold chosen for it."""

    names: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    threshold: float

    def probability(self, values: dict[str, float]) -> float:
        """The calibrated probability that the answer holds the facts asked for."""
        # An unknown value (NaN) counts as the fitting data's mean: it adds nothing.
        z = self.intercept + sum(
            c * (values[n] - m) / s
            for n, m, s, c in zip(self.names, self.mean, self.scale, self.coef, strict=True)
            if not math.isnan(values[n])
        )
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def to_json(self) -> dict[str, Any]:
        """The weights as the JSON file stores them."""
        return {
            "features": list(self.names),
            "mean": list(self.mean),
            "scale": list(self.scale),
            "coef": list(self.coef),
            "intercept": self.intercept,
            "threshold": self.threshold,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ConfidenceModel:
        """The model a JSON file describes."""

        def floats(key: str) -> tuple[float, ...]:
            return tuple(float(v) for v in data[key])

        return cls(
            names=tuple(str(n) for n in data["features"]),
            mean=floats("mean"),
            scale=floats("scale"),
            coef=floats("coef"),
            intercept=float(data["intercept"]),
            threshold=float(data["threshold"]),
        )


@cache
def load_model(path: Path = MODEL_PATH) -> ConfidenceModel:
    """The committed model, read once per process."""
    return ConfidenceModel.from_json(json.loads(path.read_text(encoding="utf-8")))
