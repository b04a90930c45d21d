"""A PDF page's paragraphs, rejoined from the lines its layout wrapped them into."""

from __future__ import annotations

from rag.text import SENTENCE_CLOSE

# A line this share of the page's longest or longer ran to the margin: its paragraph goes on.
FULL_LINE = 0.7
_CLOSES = (*SENTENCE_CLOSE, ":")


def unwrapped(page: str) -> str:
    """The page's text with each wrapped paragraph on one line, as the other readers give it."""
    # The answerer reads a line break as a sentence's end: a PDF's wrapped sentence was quoted
    # in pieces ("Rents for large wholesale deployments." without the rise that followed).
    lines = page.split("\n")
    longest = max((len(line.strip()) for line in lines), default=0)
    # Pieces of the paragraph being rejoined, joined once: a page of one paragraph in thousands
    # of lines must not be copied at every line.
    out: list[str] = []
    pieces: list[str] = []
    last = ""
    for line in lines:
        after = line.lstrip()
        full = len(last.strip()) >= FULL_LINE * longest
        continues = after[:1].islower() or not last.endswith(_CLOSES)
        # A table's row (pdf_tables rebuilt it) is a line of its own, before and after.
        row = after.startswith("|") or last.lstrip().startswith("|")
        if pieces and last and after and full and continues and not row:
            # "fuel-" then "cell orders": a word the margin broke at its hyphen is one word.
            pieces[-1] = pieces[-1].rstrip()
            pieces.append(after if last.endswith("-") and last[-2:-1].isalpha() else " " + after)
        else:
            if pieces:
                out.append("".join(pieces))
            pieces = [line]
        last = line.rstrip()
    if pieces:
        out.append("".join(pieces))
    return "\n".join(out)
