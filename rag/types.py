"""The types every stage hands to the next: Passage, Citation, Draft, Answer, and the [n] marker."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any, TypeVar

# A citation marker, with the space before it: "… billion [1]."
MARKER = re.compile(r"\s?\[(\d+)\]")

T = TypeVar("T")

# Where each page or section of a document begins: (character offset, page number or heading).
PageStarts = tuple[tuple[int, int], ...]
SectionStarts = tuple[tuple[int, str], ...]


def at_offset(starts: tuple[tuple[int, T], ...], offset: int) -> T | None:
    """The page or section that holds a character offset, given where each one begins."""
    found = None
    for start, value in starts:
        if start > offset:
            break
        found = value
    return found


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
    # The pages and sections the passage touches (the one it starts in, then any that begin
    # inside it); empty for formats without pages or headings.
    pages: PageStarts = ()
    sections: SectionStarts = ()

    def cite(self, n: int, start: int, end: int, score: float) -> Citation:
        """The citation [n] of the text between two offsets of this passage (relative to it)."""
        return Citation(
            n=n,
            source=self.source,
            title=self.title,
            text=self.text[start:end],
            start=self.start + start,
            end=self.start + end,
            score=score,
            rank=self.rank,
            page=at_offset(self.pages, self.start + start),
            section=at_offset(self.sections, self.start + start),
        )

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
            "pages": sorted({page for _, page in self.pages}),
            "section": at_offset(self.sections, self.start),
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
    page: int | None = None
    section: str | None = None

    @property
    def place(self) -> str:
        """Where the quote is, for people: "p. 3", "§ Market outlook", both, or nothing."""
        parts = [
            f"p. {self.page}" if self.page is not None else "",
            self.section and f"§ {self.section}",
        ]
        return ", ".join(part for part in parts if part)

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
    collection: str = ""
    # The calibrated probability that the quoted sentences answer; see Draft.
    confidence: float | None = None
    withheld: str = ""
    # "answer" for a question about the documents; "greeting", "thanks", "help", "overview" or
    # "language" (asked in another language) for a turn that is not one.
    turn: str = "answer"

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
            "confidence": None if self.confidence is None else round(self.confidence, 4),
            "timings_ms": {k: round(v, 2) for k, v in self.timings_ms.items()},
            "notices": self.notices,
            "collection": self.collection,
            "turn": self.turn,
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
    # The calibrated probability that the quoted sentences answer (None: no decision was made).
    confidence: float | None = None
    # The quote a decline held back: kept for the evaluator's risk-coverage curve, never shown.
    withheld: str = ""
