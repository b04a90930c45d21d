"""Follow-up questions: a question that leans on the one before is asked with it."""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.answering.names import name_phrase, question_names, required_names
from rag.answering.patterns import ACKNOWLEDGEMENT, LEANS_BACK, SWAP


def is_follow_up(question: str) -> bool:
    """True when a question needs the one before it to make sense."""
    if LEANS_BACK.search(question):
        return True
    # A short question that names nothing ("What valuation?") continues the conversation.
    return len(question.split()) <= 4 and not question_names(question)


def swapped(question: str, topic: str) -> str | None:
    """The topic question asked of the name a "What about X?" names, or None if it names none."""
    match = SWAP.match(question)
    if match is None:
        return None
    other = (match.group("a") or match.group("b") or "").strip()
    if not question_names(" " + other):
        return None
    names = required_names(topic)
    if not names:
        return None
    old = name_phrase(topic, names[0])
    if old not in topic:
        return None
    new = re.sub(r"['’]s$", "", re.sub(r"^the\s+", "", other, flags=re.IGNORECASE))
    return topic.replace(old, new, 1)


def without_lead_in(question: str) -> str:
    """The question without an acknowledgement before it ("Thanks! What about OpenAI?")."""
    rest = ACKNOWLEDGEMENT.sub("", question, count=1)
    return rest if rest.strip() else question


def standalone(question: str, earlier: Sequence[str]) -> str:
    """The question as it should be searched: with the last self-contained question if needed."""
    asked = without_lead_in(question)
    if not earlier or not is_follow_up(asked):
        return question
    topic = next((q for q in reversed(earlier) if not is_follow_up(without_lead_in(q))), earlier[0])
    return swapped(asked, topic) or f"{topic.strip()} {asked.strip()}"
