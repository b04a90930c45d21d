"""The types every stage hands to the next: Passage, Citation, Draft, Answer, and the [n] marker."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any, TypeVar

from rag.text import emphasised, words

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
class Shown:
    """How a field of a Passage, Citation or Answer appears in `rag ask --json` and the APIs."""

    # The field's description in the APIs' schema (/openapi.json).
    doc: str
    # False: the engine's own, left out of the JSON (a view may still ask for it by name).
    public: bool = True
    # The JSON key, when it is not the field's name.
    key: str = ""
    # Decimals a float, or each float of a dict, is rounded to.
    digits: int | None = None
    # The JSON value worked out from the whole object, and its type, when not the field's own.
    compute: Callable[[Any], Any] | None = None
    json_type: Any = None

    def value(self, item: Any, name: str) -> Any:
        """The field's JSON value in an object."""
        value = self.compute(item) if self.compute is not None else getattr(item, name)
        if self.digits is not None and value is not None:
            digits = self.digits
            value = (
                {k: round(v, digits) for k, v in value.items()}
                if isinstance(value, dict)
                else round(value, digits)
            )
        if isinstance(value, list):
            return [to_json(v) if is_dataclass(v) else v for v in value]
        return value


def shown(
    doc: str,
    *,
    key: str = "",
    digits: int | None = None,
    compute: Callable[[Any], Any] | None = None,
    json_type: Any = None,
) -> dict[str, Shown]:
    """A field's metadata putting it in the JSON, described by doc."""
    return {"json": Shown(doc, key=key, digits=digits, compute=compute, json_type=json_type)}


def hidden(doc: str) -> dict[str, Shown]:
    """A field's metadata keeping it out of the JSON: the engine's own."""
    return {"json": Shown(doc, public=False)}


def json_fields(cls: type) -> tuple[tuple[str, Shown], ...]:
    """A type's fields in order, each with how it appears in the JSON; every field must say."""
    found = []
    for f in fields(cls):
        how = f.metadata.get("json")
        if not isinstance(how, Shown):
            raise TypeError(
                f"{cls.__name__}.{f.name} does not say whether it is in the JSON of an answer: "
                "give it metadata=shown('what it is') or hidden('what it is')."
            )
        found.append((f.name, how))
    return tuple(found)


def to_json(
    item: object, without: tuple[str, ...] = (), plus: tuple[str, ...] = ()
) -> dict[str, Any]:
    """An item's JSON: its public fields but the keys left out, and the hidden ones named."""
    return {
        how.key or name: how.value(item, name)
        for name, how in json_fields(type(item))
        if (how.public or name in plus) and (how.key or name) not in without
    }


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk: its rank, where it comes from, its text and its score."""

    rank: int = field(metadata=shown("Rank among the retrieved passages, 1 the best"))
    chunk_id: str = field(metadata=hidden("The chunk's id in the index"))
    source: str = field(metadata=shown("The article's file name"))
    title: str = field(metadata=shown("The article's title"))
    text: str = field(metadata=shown("The passage's text"))
    start: int = field(metadata=shown("Character offset of the passage's start in the article"))
    end: int = field(metadata=shown("Character offset just past the passage's end"))
    score: float = field(metadata=shown("Retrieval score: higher is closer", digits=6))
    # The pages and sections the passage touches (the one it starts in, then any that begin
    # inside it); empty for formats without pages or headings.
    pages: PageStarts = field(
        default=(),
        metadata=shown(
            "PDF pages the passage spans",
            compute=lambda p: sorted({page for _, page in p.pages}),
            json_type=list[int],
        ),
    )
    sections: SectionStarts = field(
        default=(),
        metadata=shown(
            "Nearest heading above the passage's start",
            key="section",
            compute=lambda p: at_offset(p.sections, p.start),
            json_type=str | None,
        ),
    )

    def cite(self, n: int, start: int, end: int, score: float) -> Citation:
        """The citation [n] of the text between two offsets of this passage (relative to it)."""
        start, end = emphasised(self.text, start, end)
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
        return to_json(self)


@dataclass(frozen=True)
class Citation:
    """The quote behind one [n]: exact text at exact offsets of a retrieved passage's source."""

    n: int = field(metadata=shown("The number of its [n] marker in the answer"))
    source: str = field(metadata=shown("The article's file name"))
    title: str = field(metadata=shown("The article's title"))
    text: str = field(metadata=shown("The quote, exactly as in the article"))
    start: int = field(metadata=shown("Character offset of the quote's start in the article"))
    end: int = field(metadata=shown("Character offset just past the quote's end"))
    score: float = field(
        metadata=shown("The answerer's score for the quote: higher is better", digits=6)
    )
    rank: int = field(metadata=shown("Rank of the retrieved passage it is quoted from"))
    page: int | None = field(default=None, metadata=shown("PDF page of the quote"))
    section: str | None = field(default=None, metadata=shown("Nearest heading above the quote"))

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
        return to_json(self)


@dataclass
class Answer:
    """An answer with its [n] citations, the passages it was chosen from, and timings."""

    # The fields' order is the JSON's.
    question: str = field(
        metadata=shown(
            "The question answered (cleaned, and cut if too long; after a yes to “Did you mean "
            "…?”, the question before, respelled)"
        )
    )
    text: str = field(
        metadata=shown("The answer, with [n] markers for its citations", key="answer")
    )
    declined: bool = field(metadata=shown("True when the articles don't answer (the text says so)"))
    citations: list[Citation] = field(metadata=shown("The quote behind each [n]"))
    retrieved: list[Passage] = field(
        metadata=shown("The passages the answer was chosen from, best first")
    )
    mode: str = field(metadata=shown("The answerer that composed the text (RAG_LLM__MODE)"))
    grounding: str = field(
        default="not needed",
        metadata=shown(
            "Whether an LLM's answer 'passed' the check of its citations, was 'corrected' "
            "(invented [n] removed) or 'replaced' by the extractive answer; 'not needed' otherwise"
        ),
    )
    confidence: float | None = field(
        default=None,
        metadata=shown(
            "The calibrated probability that the quoted sentences answer; null when no decision "
            "was made",
            digits=4,
        ),
    )
    timings_ms: dict[str, float] = field(
        default_factory=dict,
        metadata=shown("Milliseconds spent retrieving, answering and in total", digits=2),
    )
    notices: list[str] = field(
        default_factory=list,
        metadata=shown(
            "Notes for the reader: that the question was cut, or that the quote gives no date or "
            "number the question asks for"
        ),
    )
    collection: str = field(default="", metadata=shown("The collection that was asked"))
    turn: str = field(
        default="answer",
        metadata=shown(
            "'answer' for a question about the documents; 'greeting', 'thanks', 'farewell', "
            "'acknowledgement' (\"ok\"), 'doubt' (\"that's wrong\"), 'help', 'overview', "
            "'inventory' (\"Which companies are mentioned?\": why no list, and the overview), "
            "'article' (one article's opening, asked by its title), 'sources' (the articles the "
            "answer before quoted: \"Which article is that from?\"), 'author' (who wrote them, "
            'by their bylines: "Who wrote the article?"), \'task\' ("Write a poem …": '
            "no text is written), 'language' (asked in "
            'another language) or \'not_meant\' ("no" to "Did you mean …?") for a turn that is '
            "not one"
        ),
    )
    did_you_mean: str = field(
        default="",
        metadata=shown(
            "The question, respelled as the articles spell its names and words, that the "
            "answer's “Did you mean …?” offers; a reply of “yes” asks it. Empty when none"
        ),
    )
    standalone_question: str = field(
        default="",
        metadata=hidden(
            "What was searched: the question itself, or a follow-up joined to the question "
            "before it"
        ),
    )
    withheld: str = field(
        default="",
        metadata=hidden(
            "The quote a decline held back: kept for the evaluator's risk-coverage curve, never "
            "shown"
        ),
    )

    def to_dict(self) -> dict[str, Any]:
        """The one JSON object `rag ask --json` prints."""
        return to_json(self)

    def searched_as(self) -> str:
        """The question searched in place of a follow-up ("and Anthropic?"), else ""."""
        searched = self.standalone_question
        if self.turn != "answer" or not searched:
            return ""
        # Capitals read from the passages change no words, and a question asked of one article
        # only loses the words naming it ("What does it say about …?", told by a notice);
        # questions joined for the search ("Who backs Nscale? when?") are how it searches, not a
        # question anyone asked.
        if set(words(searched)) - {"it"} <= set(words(self.question)):
            return ""
        return "" if _JOINED.search(searched) else searched


# A question joined to another.
_JOINED = re.compile(r"[?!.]\s+\S")


@dataclass(frozen=True)
class Offer:
    """What a reply's "Did you mean …?" offers: the question respelled, and the respellings."""

    meant: str
    slips: tuple[tuple[str, str], ...]
    # The slips in words, not names ("rasie"): a "no" says the articles don't use them.
    words: tuple[str, ...] = ()

    @property
    def names(self) -> list[str]:
        """The slips in names ("Nscael")."""
        return [slip for slip, _ in self.slips if slip not in self.words]


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
    # What a "Did you mean …?" in the text or a notice offers, if any.
    offer: Offer | None = None
    # Notices on the question, not on the quote ("None of the retrieved passages mentions
    # Terrafab …"): an LLM's answer to the same question carries them too.
    question_notices: list[str] = field(default_factory=list)
