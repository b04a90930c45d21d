"""What kind of answer a question asks for, and whether a sentence holds one it doesn't state."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from rag.answering.patterns import (
    CAPITALISED,
    DATE,
    DATE_ASKED,
    DATE_Q,
    DEFINES,
    DEFINITION,
    DEFINITION_WORDS,
    ENTITY_Q,
    HOW_MUCH,
    MONEY,
    MONEY_ASKED,
    MORE_COUNTS,
    MORE_DATES,
    NOT_UNIT,
    QUANTITY_Q,
    UNIT,
    numbers,
)


@dataclass(frozen=True)
class AnswerType:
    """The kind of answer asked for, and how to tell a sentence that holds one."""

    kind: str | None
    present: Callable[[str], bool]
    unit: str | None


def unit_present(unit: str | None, sentence: str) -> bool:
    """True when the unit asked for ("megawatts") is in the sentence, or none was asked."""
    if unit is None:
        return True
    return unit[: max(4, len(unit) - 2)] in sentence.lower()


def _bare(word: str) -> str:
    # "Tesla’s" names Tesla.
    return re.sub(r"['’]s?$", "", word.lower())


def _new(pattern: re.Pattern[str], question: str) -> Callable[[str], bool]:
    # Only what the question doesn't already state answers it: "in 2026" asks nothing.
    stated = {m.group(0).lower() for m in pattern.finditer(question)}
    return lambda s: any(m.group(0).lower() not in stated for m in pattern.finditer(s))


def answer_type(question: str) -> AnswerType:
    """The expected answer type of a question: quantity, date, entity, definition, or None."""
    unit_match = UNIT.search(question)
    unit = unit_match.group(1).lower() if unit_match else None
    if unit in NOT_UNIT:
        unit = None
    if QUANTITY_Q.search(question):
        stated = numbers(question, spelled=True)
        return AnswerType("quantity", lambda s: bool(numbers(s, spelled=True) - stated), unit)
    if DATE_Q.search(question):
        return AnswerType("date", _new(DATE, question), None)
    if ENTITY_Q.search(question):
        asked = {_bare(w) for w in re.findall(r"[\w'’-]+", question)}
        return AnswerType(
            "entity",
            lambda s: any(_bare(m.group(0)) not in asked for m in CAPITALISED.finditer(s)),
            None,
        )
    if DEFINITION.match(question):
        return AnswerType("definition", _defines(DEFINITION_WORDS.sub(" ", question)), None)
    return AnswerType(None, lambda s: False, None)


def _defines(term: str) -> Callable[[str], bool]:
    # A sentence using the word is no definition of it: "neoclouds rent GPUs" is one.
    words = r"\s+".join(re.escape(w) for w in term.split())
    if not words:
        return lambda s: False
    shaped = re.compile(rf"\b{words}\b{DEFINES}|\({words}\)", re.IGNORECASE)
    return lambda s: bool(shaped.search(s))


# How a note on what a quote lacks opens: the evaluator counts the answers that carry one.
LACKING = "The quote gives no "


def _plainly_asked(
    asked: AnswerType, question: str
) -> tuple[str, Callable[[str], bool], str] | None:
    """What a plainly asked date or number is called, how a sentence gives one, and the ask."""
    # Only the plain forms: "When do treaties apply?" asks a condition, "what rate" may be words.
    if asked.kind == "date" and DATE_ASKED.search(question):
        return "date", lambda s: asked.present(s) or bool(MORE_DATES.search(s)), "when"
    if asked.kind == "quantity" and (how := HOW_MUCH.search(question)):
        if asked.unit is None and MONEY_ASKED.search(question):
            # "How much did Meta pay for the solar power?" is not answered by its "1-gigawatt".
            return "sum of money", lambda s: bool(MONEY.search(s)), "how much"
        return (
            "number",
            lambda s: asked.present(s) or bool(MORE_COUNTS.search(s)),
            how.group(0).lower(),
        )
    return None


def lacking(asked: AnswerType, question: str, quote: list[str]) -> str | None:
    """A note for a quote that gives no date or number the question asks for, else None."""
    plain = _plainly_asked(asked, question)
    if plain is None:
        return None
    wanted, gives, note = plain
    if any(gives(s) for s in quote):
        return None
    return f"{LACKING}{wanted}: the articles may not say {note}."


def leading(asked: AnswerType, question: str, quote: list[str]) -> int:
    """Which quoted sentence to show first: the first giving the date or number asked, else 0."""
    plain = _plainly_asked(asked, question)
    if plain is None:
        return 0
    return next((i for i, sentence in enumerate(quote) if plain[1](sentence)), 0)
