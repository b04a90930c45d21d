"""Follow-up questions: a question that leans on the one before is asked with it."""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.answering.extractive import question_names

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


def standalone(question: str, earlier: Sequence[str]) -> str:
    """The question as it should be searched: with the last self-contained question if needed."""
    if not earlier or not is_follow_up(question):
        return question
    topic = next((q for q in reversed(earlier) if not is_follow_up(q)), earlier[0])
    return f"{topic.strip()} {question.strip()}"
