"""Signs that a sentence states the opposite of what a question asks: negation and antonyms."""

from __future__ import annotations

import json
import re
from collections.abc import Set as AbstractSet
from functools import cache
from pathlib import Path

from rag.text import QUESTION_WORDS, stem, terms, words

# WordNet's direct antonyms (written by bench/antonyms.py, with WordNet's licence inside).
ANTONYMS_PATH = Path(__file__).with_name("antonyms.json")

_NEGATION = re.compile(
    r"\b(?:not|never|no|none|nothing|neither|nor|without|cannot)\b|n't\b", re.IGNORECASE
)
# "Not only … but also" adds to what it says; it negates nothing.
_NOT_NEGATING = re.compile(r"\bnot\s+(?:only|just|merely|simply)\b", re.IGNORECASE)
# The words after a negation that it applies to ("did not gain control" → gain, control), up to
# the end of its clause: a long question's negation often sits in a clause about something else.
_SCOPE = 3
_CLAUSE_END = re.compile(r"[,;:.?!()]")

# Opposites matched as exact words: the forms WordNet's base forms miss (comparatives, superlatives,
# past tenses) and common pairs it has too, which by stem alone would miss where the crude stemmer
# merges words ("lasted" with "last").
_PAIRS = (
    ("more", "less"),
    ("most", "least"),
    ("before", "after"),
    ("first", "last"),
    ("higher", "lower"),
    ("highest", "lowest"),
    ("larger", "smaller"),
    ("largest", "smallest"),
    ("bigger", "smaller"),
    ("biggest", "smallest"),
    ("increase", "decrease"),
    ("increased", "decreased"),
    ("earliest", "latest"),
    ("earlier", "later"),
    ("stronger", "weaker"),
    ("strongest", "weakest"),
    ("longer", "shorter"),
    ("longest", "shortest"),
    ("best", "worst"),
    ("better", "worse"),
    ("major", "minor"),
    ("maximum", "minimum"),
    ("above", "below"),
    ("inside", "outside"),
    ("import", "export"),
    ("imports", "exports"),
    ("imported", "exported"),
    ("positive", "negative"),
    ("won", "lost"),
    ("win", "lose"),
    ("rise", "fall"),
    ("rose", "fell"),
    ("gain", "loss"),
    ("north", "south"),
    ("east", "west"),
    ("northern", "southern"),
    ("eastern", "western"),
    ("accept", "reject"),
    ("accepted", "rejected"),
    ("allow", "forbid"),
    ("allowed", "banned"),
    ("success", "failure"),
    ("successful", "unsuccessful"),
)
_OPPOSITE = dict(_PAIRS) | {b: a for a, b in _PAIRS}
_NEGATING_PREFIXES = ("un", "in", "im", "il", "ir", "dis", "non")


def negation_unmatched(question: str, sentence: str, sentence_terms: AbstractSet[str]) -> bool:
    """True when the question negates a predicate that the sentence states without negation."""
    if _NEGATION.search(sentence):
        return False
    text = _NOT_NEGATING.sub(" ", question)
    for match in _NEGATION.finditer(text):
        clause = _CLAUSE_END.split(text[match.end() :], maxsplit=1)[0]
        negated = [t for t in terms(clause) if t not in QUESTION_WORDS][:_SCOPE]
        if any(t in sentence_terms for t in negated):
            return True
    return False


@cache
def _antonyms(path: Path = ANTONYMS_PATH) -> dict[str, frozenset[str]]:
    """Each stem's antonyms' stems, so that "repels" meets "attracted"."""
    found: dict[str, set[str]] = {}
    for a, b in json.loads(path.read_text(encoding="utf-8"))["pairs"]:
        found.setdefault(stem(a), set()).add(stem(b))
        found.setdefault(stem(b), set()).add(stem(a))
    return {k: frozenset(v) for k, v in found.items()}


def opposite_word(question: str, sentence: str) -> bool:
    """True when the sentence has a question word's opposite ("less", "unclear"), not the word."""
    q_words = set(words(question))
    s_words = set(words(sentence))
    only_sentence = s_words - q_words
    q_stems = {stem(w) for w in q_words}
    s_stems = {stem(w) for w in s_words}
    antonyms = _antonyms()
    if any(antonyms.get(w, frozenset()) & (s_stems - q_stems) for w in q_stems - s_stems):
        return True
    for word in q_words - s_words:
        if _OPPOSITE.get(word) in only_sentence:
            return True
        for prefix in _NEGATING_PREFIXES:
            # A short remainder is too often a different word ("index" is not "dex").
            base = word.removeprefix(prefix)
            if base != word and len(base) >= 5 and base in only_sentence:
                return True
            if len(word) >= 4 and prefix + word in only_sentence:
                return True
    return False
