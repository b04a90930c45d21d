"""What kind of answer a question asks for, and whether a sentence holds one it doesn't state."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

_NUMBER_WORDS = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty"
    r"|forty|fifty|sixty|seventy|eighty|ninety|hundreds?|thousands?|millions?|billions?"
    r"|trillions?|dozens?|half|quarter|double|triple|twice"
)
_QUANTITY_Q = re.compile(
    r"\bhow (much|many|long|far|large|big|high|old|often|tall|wide|deep|fast|heavy)\b"
    r"|\b(what|which)\s+(\w+\s+){0,3}?(percentage|percent|proportion|share|number|amount|fraction"
    r"|size|price|sum|revenue|valuation|penalty|fine|fee|budget|expenditure|spending|salary"
    r"|population|rate|total|income|profit|sales|capacity|distance|height|length|speed|score)\b"
    r"|\bvaluation\b|\bvalued\b|\bworth\b|\bcost\b|\bnumber of\b|\bpa(y|id)\b",
    re.IGNORECASE,
)
_DATE_Q = re.compile(
    r"\bwhen\b|\b(what|which|by what|in what|on what)\s+(\w+\s+)?(year|date|day|month|decade"
    r"|century|time|period|era|season|age)s?\b",
    re.IGNORECASE,
)
_ENTITY_NOUNS = (
    r"company|compan|firm|person|people|group|organi[sz]ation|team|club|player|university"
    r"|college|school|agency|bank|investor|startup|band|artist|author|writer|president|leader"
    r"|king|queen|ruler|emperor|man|woman|entity|institution|platform|party|dynasty|church"
    r"|family|newspaper|city|cit|countr|state|region|town|place|continent|province|county"
    r"|island|river|nation|language|religion|tribe|empire|army|ship|brand|product|chip"
    r"|model|name|individual|official|minister|scientist|architect|composer|general"
)
_ENTITY_Q = re.compile(
    rf"\b(who|whom|whose|where)\b"
    rf"|\b(which|what)\s+(\w+\s+)?({_ENTITY_NOUNS})(s|ies|y)?\b",
    re.IGNORECASE,
)
_NUMBER = re.compile(rf"\d+(?:[.,]\d+)*|\b(?:{_NUMBER_WORDS})\b", re.IGNORECASE)
_DATE = re.compile(
    r"\b\d{3,4}s?\b|\b(January|February|March|April|May|June|July|August|September|October"
    r"|November|December|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
    r"|\b(century|centuries|decade|quarter|Q[1-4]|BC|AD|BCE|ago|spring|summer|autumn|winter)\b",
    re.IGNORECASE,
)
_NAME = re.compile(r"(?<=\s)[A-Z][\w'’-]+")
# "How many megawatts": the unit the answer is counted in ("how much money" names none).
_UNIT = re.compile(r"\bhow many\s+([a-z]{3,})\b", re.IGNORECASE)
_NOT_UNIT = frozenset({"did", "does", "do", "was", "were", "is", "are", "has", "have", "had"})


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
    """The expected answer type of a question: quantity, date, entity, or None."""
    unit_match = _UNIT.search(question)
    unit = unit_match.group(1).lower() if unit_match else None
    if unit in _NOT_UNIT:
        unit = None
    if _QUANTITY_Q.search(question):
        return AnswerType("quantity", _new(_NUMBER, question), unit)
    if _DATE_Q.search(question):
        return AnswerType("date", _new(_DATE, question), None)
    if _ENTITY_Q.search(question):
        asked = {_bare(w) for w in re.findall(r"[\w'’-]+", question)}
        return AnswerType(
            "entity", lambda s: any(_bare(m.group(0)) not in asked for m in _NAME.finditer(s)), None
        )
    return AnswerType(None, lambda s: False, None)
