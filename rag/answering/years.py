"""The years a question asks about against the years its quote states."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rag.answering.patterns import BASELINE_YEAR, CENTURY, YEAR, YEAR_RANGE


@dataclass(frozen=True)
class Stretch:
    """A stretch of years as a text writes it: "2011", "the 1960s", "17th century"."""

    written: str
    first: int
    last: int

    def meets(self, other: Stretch) -> bool:
        """True when the two stretches share a year."""
        return self.first <= other.last and other.first <= self.last


def stretches(text: str) -> list[Stretch]:
    """The years, decades and centuries a text names, in its order."""
    found = []
    for match in YEAR.finditer(text):
        year = int(match.group(1))
        # "1600s" is a century, "1960s" a decade.
        width = (100 if year % 100 == 0 else 10) if match.group(2) else 1
        found.append((match.start(), Stretch(match.group(0), year, year + width - 1)))
    for match in CENTURY.finditer(text):
        start = (int(match.group(1)) - 1) * 100
        found.append((match.start(), Stretch(match.group(0), start, start + 99)))
    for match in YEAR_RANGE.finditer(text):
        first = int(match.group(1) or match.group(2) or match.group(3))
        end = match.group(4)
        # "2003–04" ends in the century it starts in.
        last = int(end) if len(end) == 4 else first // 100 * 100 + int(end)
        if first < last:
            found.append((match.start(), Stretch(match.group(0), first, last)))
    return [stretch for _, stretch in sorted(found, key=lambda pair: pair[0])]


def other_year(
    question: str, quoted: Sequence[str], around: Sequence[str] = (), titles: Sequence[str] = ()
) -> tuple[str, str] | None:
    """The year the quote states first and the one asked, when it states none asked."""
    # SQuAD's unanswerable questions often change a passage's year ("in 2011" of a passage on
    # 2008): a quote that dates itself otherwise does not answer.
    asked = stretches(question)
    # The lead sentence, when it states years, dates the answer: a sentence quoted after it for a
    # name ("2025 was the year Northwind …") does not make 2026's spending 2025's.
    lead = stretches(quoted[0]) if quoted else []
    stated = lead or [s for text in quoted[1:] for s in stretches(text)]
    if lead and {s.written for s in lead} <= set(baselines(quoted[0])):
        # One stating only the year a change is measured from tells of a later one, as its
        # passage and article title date it: the annual report's "from $340 million in 2024".
        stated = lead + [s for text in around for s in stretches(text)]
    # One stating no year is dated by its article's title when that states one ("2025 annual
    # report"), else by its passage, when they state years.
    if not stated:
        stated = [s for text in titles for s in stretches(text)]
    if not stated:
        stated = [s for text in around for s in stretches(text)]
    if not asked or not stated or any(a.meets(s) for a in asked for s in stated):
        return None
    return stated[0].written, asked[0].written


def baselines(text: str) -> list[str]:
    """The years a text measures a change from ("from $340 million in 2024")."""
    return [match.group("year") for match in BASELINE_YEAR.finditer(text)]
