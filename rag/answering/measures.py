"""Measures asked: money (revenue, valuation …) a question asks an amount of, "how fast" a speed."""

from __future__ import annotations

import re
from collections.abc import Collection

from rag.answering.answer_types import AnswerType
from rag.answering.names import name_found, sentence_subject
from rag.answering.patterns import (
    CLAUSE_BREAK,
    HOW_ADJECTIVE,
    HOW_NOUNS,
    KEYWORDS,
    MEASURE_VERBS,
    MEASURES,
    OWNED,
    POLAR,
    WHAT_IS,
)
from rag.text import terms, words


def measures(text: str) -> set[str]:
    """The money measures a text names: revenue, profit, valuation, funding, debt, spending."""
    return {name for name, pattern in MEASURES.items() if pattern.search(text)}


def asked_measures(asked: AnswerType, question: str) -> frozenset[str]:
    """The measures a question asks of ("how much …", "what is X's revenue?", "is X raising …?")."""
    if asked.kind == "quantity" or KEYWORDS.match(question) or POLAR.match(question):
        return frozenset(measures(question))
    opening = WHAT_IS.match(question)
    if opening is None:
        return frozenset()
    return frozenset(measures(CLAUSE_BREAK.split(question[opening.end() :], maxsplit=1)[0]))


def measure_clash(wanted: frozenset[str], sentence: str) -> bool:
    """True when a sentence names only other measures than the ones asked."""
    given = measures(sentence)
    return bool(wanted) and not wanted & given and bool(given - wanted)


def measure_terms(question: str, wanted: frozenset[str], sentence: str) -> set[str]:
    """The question's terms naming a measure asked that the sentence gives, in whatever words."""
    return {
        term
        for name in wanted & measures(sentence)
        for match in MEASURES[name].finditer(question)
        for term in terms(match.group(0))
    }


def measure_words(
    question: str, wanted: frozenset[str], text: str, text_terms: Collection[str]
) -> set[str]:
    """The question's words for a measure a text gives ("raise" by "funding round", "fast")."""
    return measure_terms(question, wanted, text) | how_stated(question, text_terms)


def how_stated(question: str, sentence_terms: Collection[str]) -> set[str]:
    """The word asking a measure ("fast", "weigh") that the sentence gives ("speeds", "weight")."""
    match = HOW_ADJECTIVE.search(question)
    asked = terms(match.group(1)) if match else []
    said = set(sentence_terms)
    how = {asked[0]} if asked and HOW_NOUNS.get(asked[0], frozenset()) & said else set()
    # So does a verb asking a measure: "How much does it weigh?" is stated by its weight.
    return how | {t for t in terms(question) if MEASURE_VERBS.get(t, frozenset()) & said}


def owned_by_another(names: tuple[str, ...], wanted: frozenset[str], sentence: str) -> bool:
    """True when a sentence gives a value a company has (revenue, profit, worth) of another one.

    "What is Nvidia's valuation?" against "Nscale, a startup backed by Nvidia, has raised $2
    billion, bringing its valuation to $14.6 billion": the valuation is Nscale's.
    """
    if len(names) != 1 or not wanted & OWNED & measures(sentence):
        return False
    subject = sentence_subject(sentence)
    if subject is None:
        return False
    name = names[0]
    lower = subject.lower()
    if name_found(name, lower, set(words(lower))):
        return False
    # "Nscale says Nvidia's valuation is …": the name asked, with a possessive, owns the value.
    return re.search(rf"\b{re.escape(name)}['’]s\b", sentence, re.IGNORECASE) is None
