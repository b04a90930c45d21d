"""The names one article mentions most, each cited where it first does."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from rag.answering.patterns import DATE, INSTRUCTION, NAME_WITH_PART, STARTS_SENTENCE
from rag.answering.spelling import is_english
from rag.text import STOPWORDS, is_heading, sentence_spans
from rag.types import Citation, Passage

MOST_NAMES = 10
# "AI", "US": two capitals are more often a common abbreviation than a name someone asks for.
SHORTEST = 3


@dataclass(frozen=True)
class Mention:
    """A name, how many sentences write it, and the first of them."""

    name: str
    count: int
    passage: Passage
    start: int
    end: int


def mentions(passages: Sequence[Passage], most: int = MOST_NAMES) -> list[Mention]:
    """The names the passages' sentences write past their first word, most written first."""
    counts: Counter[str] = Counter()
    first: dict[str, tuple[int, Passage, int, int]] = {}
    # Chunks overlap: a sentence is counted once, wherever it starts in the document.
    seen: set[int] = set()
    for passage in sorted(passages, key=lambda p: p.start):
        text = passage.text
        for start, end in sentence_spans(text):
            at = passage.start + start
            sentence = text[start:end]
            # An instruction planted in a document is no one it mentions ("PWNED BY ORBITAL").
            if at in seen or is_heading(sentence) or INSTRUCTION.search(sentence):
                continue
            seen.add(at)
            named = {
                name
                for m in NAME_WITH_PART.finditer(sentence)
                if (name := _name(m.group(0), STARTS_SENTENCE.search(sentence[: m.start()])))
            }
            for name in named:
                counts[name] += 1
                first.setdefault(name, (at, passage, start, end))
    ranked = sorted(counts, key=lambda name: (-counts[name], first[name][0], name))[:most]
    return [Mention(name, counts[name], *first[name][1:]) for name in ranked]


def _name(run: str, opening: object) -> str | None:
    """The name a run of capitalised words writes, or None when it may be no name."""
    # "Wall Street-backed" names Wall Street; "Data-center" opening a sentence names nothing.
    words = [re.sub(r"-[a-z][\w-]*$", "", word) for word in re.sub(r"['’]s$", "", run).split()]
    if opening:
        # A sentence's first word is capitalised whatever it is: "In April", "The company".
        while words and words[0].lower() in STOPWORDS:
            words = words[1:]
        if len(words) == 1 and is_english(words[0]):
            return None
    name = " ".join(words)
    if len(name) < SHORTEST or DATE.fullmatch(name):
        return None
    return name


def names_reply(title: str, found: Sequence[Mention]) -> tuple[str, list[Citation]]:
    """The reply to "Which companies does it mention?" of one article: its names, cited."""
    if not found:
        return f"“{title}” names no one I can pick out.", []
    citations: list[Citation] = []
    listed = []
    for mention in found:
        cited = next(
            (c for c in citations if (c.start, c.end) == _span(mention)),
            None,
        )
        if cited is None:
            cited = mention.passage.cite(len(citations) + 1, mention.start, mention.end, 1.0)
            citations.append(cited)
        times = "once" if mention.count == 1 else f"{mention.count} times"
        listed.append(f"{mention.name} ({times}) [{cited.n}]")
    # Names, not companies or people: telling which is which would need a model this has not.
    return f"The names “{title}” mentions most: {', '.join(listed)}.", citations


def _span(mention: Mention) -> tuple[int, int]:
    return mention.passage.start + mention.start, mention.passage.start + mention.end
