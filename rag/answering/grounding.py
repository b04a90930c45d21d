"""The check every LLM answer passes before it is shown: real sources, figures found in them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rag.answering.names import name_found, name_phrase, question_names
from rag.answering.patterns import GROUPED, LEAD_IN, REFUSAL, numbers
from rag.text import sentence_spans, terms, words
from rag.types import MARKER, Citation, Passage


@dataclass(frozen=True)
class Grounded:
    """An LLM answer after the check: its text, citations, and what (if anything) was wrong."""

    text: str
    citations: list[Citation]
    problems: list[str]
    removed: list[int]
    # Sentences without a citation, taken out of the text: a claim must carry its source.
    dropped: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """True when every figure was found in its sources and at least one [n] remains."""
        return not self.problems


def is_refusal(text: str) -> bool:
    """True when the model says the sources don't hold the answer."""
    return bool(REFUSAL.search(text))


def _quote(passage: Passage, claim: str) -> tuple[int, int]:
    """The sentence of a passage that shares most words with a claim: what the [n] quotes."""
    claim_terms = set(terms(claim))
    return max(
        sentence_spans(passage.text) or [(0, len(passage.text))],
        key=lambda span: len(claim_terms & set(terms(passage.text[span[0] : span[1]]))),
    )


def ground(text: str, passages: list[Passage]) -> Grounded:
    """Drop citations to sources that don't exist and uncited sentences; check figures and names."""
    sources = {p.rank: p for p in passages}
    text = GROUPED.sub(lambda m: " ".join(f"[{n}]" for n in re.split(r"\s*[,;]\s*", m[1])), text)
    invented = sorted({int(n) for n in MARKER.findall(text) if int(n) not in sources})
    if invented:
        text = MARKER.sub(lambda m: m.group(0) if int(m.group(1)) in sources else "", text)
    text = text.strip()
    citations: dict[int, Citation] = {}
    all_numbers = numbers("\n".join(p.text for p in passages), standalone=True)
    missing_figures: dict[str, list[str]] = {}
    missing_names: list[str] = []
    dropped: list[tuple[int, int]] = []
    for start, end in sentence_spans(text):
        sentence = text[start:end]
        cited = [sources[int(n)] for n in MARKER.findall(sentence)]
        claim = MARKER.sub("", sentence)
        allowed = (
            numbers("\n".join(p.text for p in cited), standalone=True) if cited else all_numbers
        )
        where = "its cited sources" if cited else "any retrieved passage"
        missing_figures.setdefault(where, []).extend(
            sorted(numbers(claim, standalone=True) - allowed)
        )
        if not cited:
            if any(c.isalpha() for c in claim) and not LEAD_IN.search(claim):
                dropped.append((start, end))
            continue
        cited_text = "\n".join(p.text for p in cited).lower()
        cited_words = set(words(cited_text))
        missing_names += [
            name_phrase(claim, name)
            for name in question_names(claim)
            if not name_found(name, cited_text, cited_words)
        ]
        for passage in cited:
            if passage.rank not in citations:
                q_start, q_end = _quote(passage, claim)
                citations[passage.rank] = passage.cite(passage.rank, q_start, q_end, passage.score)
    problems = [
        f"figures not in {where}: {', '.join(dict.fromkeys(found))}"
        for where, found in missing_figures.items()
        if found
    ]
    if missing_names:
        problems.append(
            f"names not in its cited sources: {', '.join(dict.fromkeys(missing_names))}"
        )
    if not citations:
        listed = ", ".join(f"[{n}]" for n in invented)
        problems.append(
            f"citations only to sources that don't exist: {listed}"
            if invented
            else "no [n] citations"
        )
    removed_text = [text[a:b].strip() for a, b in dropped]
    for a, b in reversed(dropped):
        text = text[:a] + text[b:].lstrip(" ")
    text = text.strip()
    ordered = sorted(citations.values(), key=lambda c: c.n)
    return Grounded(
        text=text, citations=ordered, problems=problems, removed=invented, dropped=removed_text
    )
