"""Money measures (revenue, valuation …): one a question asks an amount of, those a text gives."""

from __future__ import annotations

from rag.answering.answer_types import AnswerType
from rag.answering.patterns import MEASURES, WHAT_IS
from rag.text import terms


def measures(text: str) -> set[str]:
    """The money measures a text names: revenue, profit, valuation, funding, debt, spending."""
    return {name for name, pattern in MEASURES.items() if pattern.search(text)}


def asks_amount(asked: AnswerType, question: str) -> bool:
    """True when a question asks for an amount: "how much …", or "what is X's revenue?"."""
    return asked.kind == "quantity" or WHAT_IS.match(question) is not None


def measure_clash(asked: AnswerType, question: str, sentence: str) -> bool:
    """True when an amount of one measure is asked and the sentence names only others."""
    if not asks_amount(asked, question):
        return False
    wanted = measures(question)
    given = measures(sentence)
    return bool(wanted) and not wanted & given and bool(given - wanted)


def measure_terms(question: str, sentence: str) -> set[str]:
    """The question's terms naming a measure the sentence gives too, in whatever words."""
    shared = [MEASURES[name] for name in measures(question) & measures(sentence)]
    return {
        term
        for pattern in shared
        for match in pattern.finditer(question)
        for term in terms(match.group(0))
    }
