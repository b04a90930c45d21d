"""Whose title a sentence states: "OpenAI chief executive Sam Altman" is OpenAI's, not Helion's."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

from rag.answering.names import names_share
from rag.answering.patterns import (
    NO_TITLE_HOLDER,
    TITLE_ACRONYMS,
    TITLE_HOLDER_AFTER,
    TITLE_HOLDER_BEFORE,
    TITLE_MENTIONS,
)
from rag.text import STOPWORDS


def without_titles(names: Sequence[str]) -> list[str]:
    """The names, less the titles among them: "CEO" in "Who is Helion's CEO?" reads as a name."""
    return [name for name in names if name.lower() not in TITLE_ACRONYMS]


def title_holders(titles: Collection[str], sentence: str) -> list[str | None]:
    """For each mention of a title asked ("ceo"), the name it is written with, or None."""
    holders: list[str | None] = []
    for title in titles:
        for match in TITLE_MENTIONS[title].finditer(sentence):
            before = TITLE_HOLDER_BEFORE.search(sentence, 0, match.start())
            after = TITLE_HOLDER_AFTER.match(sentence[match.end() :])
            holders.append(_holder(before) or _holder(after))
    return holders


def _holder(match: re.Match[str] | None) -> str | None:
    if match is None:
        return None
    # "The", "Former" and "Its" open a phrase, not a name: "Former OpenAI chief executive" is
    # OpenAI's, "Its chief executive" no one's that the sentence names.
    kept = [
        w for w in match.group("holder").split() if w.lower() not in STOPWORDS | NO_TITLE_HOLDER
    ]
    return " ".join(kept) or None


def title_of_another(
    names: tuple[str, ...], titles: Collection[str], sentence: str
) -> tuple[str, str] | None:
    """The other name holding every mention of the title in the sentence, and the name asked."""
    # "Who is Helion's CEO?" against "… OpenAI chief executive Sam Altman, who chairs the
    # company's board": OpenAI, and Helion. A title written with no name ("the company's chief
    # executive") may be anyone's, so it makes no other's.
    # The title is no holder.
    holding = tuple(without_titles(names))
    if len(holding) != 1 or not titles:
        return None
    holders = title_holders(titles, sentence)
    first = holders[0] if holders else None
    if first is None or any(h is None or names_share(holding, h) == 1.0 for h in holders):
        return None
    return first, holding[0]
