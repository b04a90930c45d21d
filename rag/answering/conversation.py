"""Follow-up questions: a question that leans on the one before is asked with it."""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.answering.extractive import name_phrase, question_names, required_names

_LEANS_BACK = re.compile(
    r"^\s*(and|also|plus|but|so|then|what about|how about|same for)\b"
    r"|\b(it|its|it's|they|them|their|theirs|this|that|these|those|he|she|his|her"
    r"|the company|the firm|the startup|the deal|the round|the investment)\b",
    re.IGNORECASE,
)


def is_follow_up(question: str) -> bool:
    """True when a question needs the one before it to make sense."""
    if _LEANS_BACK.search(question):
        return True
    # A short question that names nothing ("What valuation?") continues the conversation.
    return len(question.split()) <= 4 and not question_names(question)


# "What about OpenAI?", "And for Microsoft?": the question before, asked of something else.
_SWAP = re.compile(
    r"^\s*(?:and\s+)?(?:what|how)\s+about\s+(?P<a>.+?)\s*[?.!]*\s*$"
    r"|^\s*(?:and|same)\s+(?:for\s+)?(?P<b>(?:the\s+)?[A-Z].*?)\s*[?.!]*\s*$",
    re.IGNORECASE,
)


def swapped(question: str, topic: str) -> str | None:
    """The topic question asked of the name a "What about X?" names, or None if it names none."""
    match = _SWAP.match(question)
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


def standalone(question: str, earlier: Sequence[str]) -> str:
    """The question as it should be searched: with the last self-contained question if needed."""
    if not earlier or not is_follow_up(question):
        return question
    topic = next((q for q in reversed(earlier) if not is_follow_up(q)), earlier[0])
    return swapped(question, topic) or f"{topic.strip()} {question.strip()}"
