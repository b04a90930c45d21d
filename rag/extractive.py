"""The LLM-free answerer: picks the retrieved sentences that best answer, or declines."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from rag.answer import Citation, Draft, Passage
from rag.text import QUESTION_WORDS, sentence_spans, terms

Embed = Callable[[Sequence[str]], np.ndarray]

_NUMERIC_Q = re.compile(
    r"\bhow (much|many|large|big|high)\b|\bvaluation\b|\bvalued\b|\bpercent|\bamount\b"
    r"|\bworth\b|\bcost\b|\bnumber of\b|\bsize\b|\bfigure\b|\braise[ds]?\b|\bspend",
    re.IGNORECASE,
)
_NUMERIC_S = re.compile(
    r"[$€£¥]\s?\d|\d\s?(%|percent|billion|million|trillion|bn\b|gw\b|mw\b)|\b\d{2,}\b",
    re.IGNORECASE,
)
_WHEN_Q = re.compile(r"\bwhen\b|\bwhat year\b|\bwhich year\b|\bby what date\b", re.IGNORECASE)
_WHEN_S = re.compile(
    r"\b(19|20)\d{2}\b|\b(January|February|March|April|May|June|July|August|September"
    r"|October|November|December|quarter|Q[1-4])\b"
)
_WHO_Q = re.compile(
    r"^\s*(who|whom)\b|\bwhich (company|companies|firm|firms|person|people|group|groups"
    r"|organi[sz]ations?|countr(y|ies)|investors?|startups?|banks?)\b",
    re.IGNORECASE,
)
_NAME = re.compile(r"(?<=\s)[A-Z][a-zA-Z]+")


@dataclass(frozen=True)
class Tuning:
    """Weights and thresholds of the extractive answerer (derived by bench/tune_extractive.py)."""

    weight_cosine: float = 0.6
    weight_lexical: float = 0.4
    cue_bonus: float = 0.08
    rank_bonus: float = 0.03
    candidates: int = 10
    min_cosine: float = 0.35
    min_score: float = 0.40
    margin: float = 0.08


@dataclass(frozen=True)
class ScoredSentence:
    """A sentence of a retrieved passage with the evidence that it answers the question."""

    passage: Passage
    start: int
    end: int
    text: str
    lexical: float
    cosine: float
    cue: bool
    score: float


class ExtractiveAnswerer:
    """Answers with the best-scoring sentences of the passages, each cited, or declines."""

    mode = "extractive"

    def __init__(self, embed: Embed, max_sentences: int = 3, tuning: Tuning | None = None) -> None:
        self.embed = embed
        self.max_sentences = max_sentences
        self.tuning = tuning or Tuning()

    def draft(self, question: str, passages: list[Passage]) -> Draft:
        """Compose the answer from the top sentences, or decline when the evidence is weak."""
        scored = self.score_sentences(question, passages)
        chosen = self.select(scored)
        if not chosen:
            return Draft(text=DECLINE_TEXT, citations=[], declined=True)
        citations = [
            Citation(
                n=i,
                source=s.passage.source,
                title=s.passage.title,
                text=s.text,
                start=s.passage.start + s.start,
                end=s.passage.start + s.end,
                score=s.score,
                rank=s.passage.rank,
            )
            for i, s in enumerate(chosen, start=1)
        ]
        text = " ".join(f"{_as_sentence(c.text)} [{c.n}]" for c in citations)
        return Draft(text=text, citations=citations, declined=False)

    def select(self, scored: list[ScoredSentence]) -> list[ScoredSentence]:
        """The sentences to answer with: the best, and close runners-up that add something."""
        t = self.tuning
        if not scored or scored[0].cosine < t.min_cosine or scored[0].score < t.min_score:
            return []
        chosen = [scored[0]]
        seen_terms = set(terms(scored[0].text))
        for candidate in scored[1:]:
            if len(chosen) >= self.max_sentences or candidate.score < scored[0].score - t.margin:
                break
            candidate_terms = set(terms(candidate.text))
            overlap = len(candidate_terms & seen_terms) / max(1, len(candidate_terms))
            if overlap < 0.6:
                chosen.append(candidate)
                seen_terms |= candidate_terms
        return chosen

    def score_sentences(self, question: str, passages: list[Passage]) -> list[ScoredSentence]:
        """Every candidate sentence scored by meaning, shared terms and expected answer type."""
        t = self.tuning
        pool: dict[tuple[str, int], tuple[Passage, int, int, str]] = {}
        for passage in passages:
            for start, end in sentence_spans(passage.text):
                text = passage.text[start:end]
                if len(text.split()) < 5 or text.endswith(":"):
                    continue
                pool.setdefault((passage.source, passage.start + start), (passage, start, end, text))
        if not pool:
            return []
        entries = list(pool.values())
        sentence_terms = [set(terms(e[3])) for e in entries]
        q_terms = set(terms(question)) - QUESTION_WORDS
        weights = _idf(q_terms, sentence_terms)
        total = sum(weights.values()) or 1.0
        lexical = [sum(weights[q] for q in q_terms & st) / total for st in sentence_terms]
        cue_of = _cue(question)
        prelim = [
            t.weight_lexical * lex + t.rank_bonus / e[0].rank for lex, e in zip(lexical, entries)
        ]
        order = sorted(range(len(entries)), key=lambda i: -prelim[i])[: t.candidates]
        vectors = self.embed([question] + [entries[i][3] for i in order])
        cosines = vectors[1:] @ vectors[0]
        scored = []
        for i, cosine in zip(order, cosines.tolist()):
            passage, start, end, text = entries[i]
            cue = cue_of(text)
            score = (
                t.weight_cosine * cosine
                + t.weight_lexical * lexical[i]
                + (t.cue_bonus if cue else 0.0)
                + t.rank_bonus / passage.rank
            )
            scored.append(
                ScoredSentence(passage, start, end, text, lexical[i], cosine, cue, score)
            )
        return sorted(scored, key=lambda s: -s.score)


DECLINE_TEXT = (
    "The articles don't say. None of the retrieved passages answers this question, "
    "so I won't guess."
)


def _as_sentence(text: str) -> str:
    return text if text[-1] in ".!?\"”’)" else text + "."


def _idf(q_terms: set[str], sentence_terms: list[set[str]]) -> dict[str, float]:
    n = len(sentence_terms)
    return {
        q: math.log((n + 1) / (sum(q in st for st in sentence_terms) + 0.5)) for q in q_terms
    }


def _cue(question: str) -> Callable[[str], bool]:
    if _NUMERIC_Q.search(question):
        return lambda s: bool(_NUMERIC_S.search(s))
    if _WHEN_Q.search(question):
        return lambda s: bool(_WHEN_S.search(s))
    if _WHO_Q.search(question):
        asked = {w.lower() for w in re.findall(r"[A-Za-z]+", question)}
        return lambda s: any(m.group(0).lower() not in asked for m in _NAME.finditer(s))
    return lambda s: False
