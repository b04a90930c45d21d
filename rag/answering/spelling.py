"""Misspelt words: which of a question's words is no English word, and what the passages write."""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Sequence

from spellchecker import SpellChecker

from rag.answering.patterns import BRITISH, LETTERS_ONLY, NEGATIONS
from rag.text import STOPWORDS, words


@functools.cache
def english() -> SpellChecker:
    """Pyspellchecker's English word list (160,000 words, inside the package; about 0.7 s)."""
    return SpellChecker(language="en", distance=1)


def is_english(word: str) -> bool:
    """True for a word of the English word list, in British spelling too."""
    known = english()
    lower = word.lower()
    return lower in known or any(
        (american := pattern.sub(to, lower)) != lower and american in known
        for pattern, to in BRITISH
    )


def is_coined(word: str) -> bool:
    """True for a word that is neither English nor one letter off an English word ("Nscael")."""
    # Past 40 letters no word is a name, and a letter's edits of a long word cost time for nothing.
    if not 3 <= len(word) <= 40:
        return False
    lower = word.lower()
    known = english()
    return not is_english(lower) and not known.known(known.edit_distance_1(lower))


def edit_distance(a: str, b: str, limit: int) -> int:
    """Letters changed, added, dropped or swapped with a neighbour; past limit, limit + 1."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before: list[int] = []
    row = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            current[j] = min(row[j] + 1, current[j - 1] + 1, row[j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], before[j - 2] + 1)
        before, row = row, current
    return row[-1]


def misspelt_words(question: str, text: str) -> tuple[tuple[str, str], ...]:
    """The question's non-words absent from the text, each with the text's nearest word."""
    written: Counter[str] | None = None
    found: list[tuple[str, str]] = []
    seen: set[str] = set()
    looked = 0
    for position, match in enumerate(LETTERS_ONLY.finditer(question)):
        word = match.group(0)
        # Capitalised past the first word is a name: names are respelled from the passages'
        # names (names.spelled_like), not from a word list.
        if (position and not word.islower()) or not 4 <= len(word) <= 40 or word in seen:
            continue
        seen.add(word)
        lower = word.lower()
        if lower in STOPWORDS:
            continue
        if written is None:
            written = Counter(w for w in words(text) if w.isalpha())
        if lower in written or is_english(lower):
            continue
        meant = _nearest(lower, written)
        if meant is not None:
            found.append((word, meant.capitalize() if word[0].isupper() else meant))
        looked += 1
        # A reply offers three at most, so no more are looked up: a question of 300 made-up
        # words costs three scans of the passages' words.
        if looked == 3:
            break
    return tuple(found)


def _nearest(word: str, written: Counter[str]) -> str | None:
    # A letter off (two from eight letters), as for names; the nearest, then the most written.
    limit = 1 if len(word) < 8 else 2
    best: tuple[int, int, str] | None = None
    for other, count in written.items():
        if abs(len(other) - len(word)) > limit or _negated(word, other):
            continue
        distance = edit_distance(word, other, limit)
        if (
            distance <= limit
            and (best is None or (distance, -count) < best[:2])
            and is_english(other)
        ):
            best = (distance, -count, other)
    return best[2] if best else None


def _negated(a: str, b: str) -> bool:
    return any(a == p + b or b == p + a for p in NEGATIONS)


def respelled(question: str, slips: Sequence[tuple[str, str]]) -> str:
    """The question with each slip as the articles spell it ("Nscael" → "Nscale")."""
    for slip, meant in slips:
        # Escaped: the spelling is put in as written, a backslash taken for no group reference.
        question = re.sub(rf"(?<!\w){re.escape(slip)}(?!\w)", meant.replace("\\", "\\\\"), question)
    return question
