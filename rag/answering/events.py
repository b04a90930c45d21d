"""Which kind of corporate event a question asks about, against the kinds a quote tells of."""

from __future__ import annotations

from collections.abc import Sequence

from rag.answering.patterns import EVENTS


def kinds(text: str) -> set[str]:
    """The kinds of event a text tells of ("a founding", "an acquisition", …)."""
    return {kind for kind, pattern in EVENTS.items() if pattern.search(text)}


def other_event(question: str, quoted: Sequence[str]) -> tuple[str, str] | None:
    """The event the quote tells of first and the one asked, when it tells of none asked."""
    asked = kinds(question)
    # A question of two kinds ("Who bought the company Nscale founded?") is left to the model.
    if len(asked) != 1:
        return None
    told = [kinds(text) for text in quoted]
    if any(asked & kind for kind in told):
        return None
    first = next((kind for kind in told if kind), None)
    return (min(first), next(iter(asked))) if first else None
