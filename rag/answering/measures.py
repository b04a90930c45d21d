"""Money measures (revenue, valuation …): one a question asks an amount of, those a text gives."""

from __future__ import annotations

from rag.answering.answer_types import AnswerType
from rag.answering.patterns import CLAUSE_BREAK, MEASURES, WHAT_IS
from rag.text import terms


def measures(text: str) -> set[str]:
    """The money measures a text names: revenue, profit, valuation, funding, debt, spending."""
    return {name for name, pattern in MEASURES.items() if pattern.search(text)}


def asked_measures(asked: AnswerType, question: str) -> frozenset[str]:
    """The measures a question asks an amount of ("how much …", "what is X's revenue?")."""
    if asked.kind == "quantity":
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
