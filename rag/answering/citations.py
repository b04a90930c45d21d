"""The check that every [n] of a draft is backed by a quote of a retrieved passage."""

from __future__ import annotations

import re
from dataclasses import replace

from rag.types import MARKER, Citation, Draft, Passage


def quote_is_backed(citation: Citation, passages: list[Passage]) -> bool:
    """True when the cited passage was retrieved and holds the quote at the stated offsets."""
    if not 1 <= citation.rank <= len(passages):
        return False
    passage = passages[citation.rank - 1]
    offset = citation.start - passage.start
    return (
        passage.source == citation.source
        and passage.start <= citation.start <= citation.end <= passage.end
        and passage.text[offset : offset + len(citation.text)] == citation.text
        and citation.end - citation.start == len(citation.text)
    )


def check_citations(draft: Draft, passages: list[Passage]) -> Draft:
    """Drop every [n] without a backed citation, and every citation no [n] refers to."""
    backed = {c.n: c for c in draft.citations if quote_is_backed(c, passages)}

    def keep(match: re.Match[str]) -> str:
        return match.group(0) if int(match.group(1)) in backed else ""

    text = MARKER.sub(keep, draft.text).strip()
    used = {int(n) for n in MARKER.findall(text)}
    return replace(draft, text=text, citations=[c for n, c in sorted(backed.items()) if n in used])
