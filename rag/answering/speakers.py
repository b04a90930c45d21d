"""Who speaks a transcript's words: the speaker label a sentence is under."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from functools import lru_cache

from rag.answering.names import names_share
from rag.answering.patterns import LABELLED_LINE, SPEAKER_LABEL

# How many paragraphs back a speaker's label may be: a turn runs to a few, an article's prose
# under some earlier "Note:" line is no one's turn.
TURN_PARAGRAPHS = 3
# What a turn's words end with: a sentence's close, or a quotation's.
TURN_ENDS = (".", "!", "?", '"', "”", "’", ")")


def _labelled(line: str) -> bool:
    """True for a line a label leads, a speaker's or a list item's."""
    return bool(SPEAKER_LABEL.match(line) or LABELLED_LINE.match(line))


def _label(line: str, turns: Collection[str] = ()) -> str | None:
    """The speaker a line labels, or None; a label of `turns` is a speaker's wherever it is."""
    label = SPEAKER_LABEL.match(line)
    if label is None:
        return None
    name = label.group("name")
    taken = f"{name}:" in turns
    if label.group("words") and not label.group("role") and not name.isupper() and not taken:
        return None
    return name


def speaker_at(text: str, start: int) -> str | None:
    """The name of the speaker whose turn the text at `start` is in, or None."""
    # "Our Rubin platform is on track …" under "Jensen Huang, President and Chief Executive
    # Officer:" is Jensen Huang's, though it never names him.
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", start)
    line = text[line_start : len(text) if line_end < 0 else line_end]
    # "Arjun Mehta: We'd rather …" is a turn when the label opens his other turns too.
    turns = turn_labels(text)
    if _labelled(line):
        # "JENSEN HUANG: Thanks." and the label line itself; "Operator: Our first question …"
        # is no longer the turn before it, whoever spoke that.
        return _label(line, turns)
    paragraphs = 0
    for line in reversed(text[:line_start].split("\n")[:-1]):
        if not line.strip():
            paragraphs += 1
            if paragraphs >= TURN_PARAGRAPHS:
                return None
            continue
        if line.lstrip().startswith("#"):
            # A Markdown heading opens a section, no one's turn.
            return None
        if _labelled(line):
            return _label(line, turns)
    return None


def spoken_by(names: tuple[str, ...], text: str, start: int) -> bool:
    """True when the text at `start` is in the turn of a speaker the names all name."""
    speaker = speaker_at(text, start)
    return bool(names) and speaker is not None and names_share(names, speaker) == 1.0


def speaks_in(name: str, text: str) -> bool:
    """True when a name is one of a transcript's speakers, labelling some turn of the text."""
    turns = turn_labels(text)
    return any(
        (label := _label(line, turns)) is not None and names_share((name,), label) == 1.0
        for line in text.split("\n")
    )


def _turn_label(line: str) -> str | None:
    """The label of two words or more opening a line, without its bold marks; else None."""
    match = LABELLED_LINE.match(line)
    if match is None:
        return None
    label = " ".join(match.group(0).replace("*", "").replace("_", "").split())
    return label if len(label.split()) >= 2 else None


@lru_cache(maxsize=64)
def turn_labels(text: str) -> frozenset[str]:
    """The labels of two words or more that open two turns or more of a text: its speakers'."""
    # "Arjun Mehta:" opens each of his turns; "Vector Databases:" opens one fact line, and
    # "Trend Analysis: Immersive E-commerce Solutions" heads sections, saying no sentence.
    found = Counter(
        label
        for line in text.split("\n")
        if (label := _turn_label(line))
        and (line.rstrip(" \t*_").endswith(TURN_ENDS) or line.rstrip(" \t*_").endswith(":"))
    )
    return frozenset(label for label, count in found.items() if count >= 2)


def without_turn_label(sentence: str, labels: Collection[str]) -> str:
    """The sentence past the speaker's label it opens with, if one of `labels`."""
    match = LABELLED_LINE.match(sentence)
    if match is None or _turn_label(sentence) not in labels:
        return sentence
    return sentence[match.end() :]
