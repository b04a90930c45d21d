"""The types every stage hands to the next: Passage, Citation, Draft, Answer, and the [n] marker."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

# A citation marker, with the space before it: "… billion [1]."
MARKER = re.compile(r"\s?\[(\d+)\]")


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk: its rank, where it comes from, its text and its score."""

    rank: int
    chunk_id: str
    source: str
    title: str
    text: str
    start: int
    end: int
    score: float

    def to_dict(self) -> dict[str, Any]:
        """The fields a report or the JSON output shows."""
        return {
            "rank": self.rank,
            "source": self.source,
            "title": self.title,
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "score": round(self.score, 6),
        }


@dataclass(frozen=True)
class Citation:
    """The quote behind one [n]: exact text at exact offsets of a retrieved passage's source."""

    n: int
    source: str
    title: str
    text: str
    start: int
    end: int
    score: float
    rank: int

    def to_dict(self) -> dict[str, Any]:
        """The fields a report or the JSON output shows."""
        data = asdict(self)
        data["score"] = round(self.score, 6)
        return data


@dataclass
class Answer:
    """An answer with its [n] citations, the passages it was chosen from, and timings."""

    question: str
    text: str
    declined: bool
    citations: list[Citation]
    retrieved: list[Passage]
    mode: str
    timings_ms: dict[str, float] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)
    # What was searched: the question itself, or a follow-up joined to the question before it.
    standalone_question: str = ""
    grounding: str = "not needed"

    def to_dict(self) -> dict[str, Any]:
        """The one JSON object `rag ask --json` prints."""
        return {
            "question": self.question,
            "answer": self.text,
            "declined": self.declined,
            "citations": [c.to_dict() for c in self.citations],
            "retrieved": [p.to_dict() for p in self.retrieved],
            "mode": self.mode,
            "grounding": self.grounding,
            "timings_ms": {k: round(v, 2) for k, v in self.timings_ms.items()},
            "notices": self.notices,
        }


@dataclass(frozen=True)
class Draft:
    """What an answerer returns before the citations are checked."""

    text: str
    citations: list[Citation]
    declined: bool
    # For LLM modes: "passed" the grounding check, "corrected" (invented [n] removed), or
    # "replaced" by the extractive answer.
    grounding: str = "not needed"
    notices: list[str] = field(default_factory=list)
