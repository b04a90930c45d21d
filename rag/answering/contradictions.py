"""Signs that a sentence states the opposite of what a question asks: negation and antonyms."""

from __future__ import annotations

import json
from collections.abc import Set as AbstractSet
from functools import cache
from pathlib import Path

from rag.answering.patterns import (
    CLAUSE_END,
    NEGATING_PREFIXES,
    NEGATION,
    NEGATION_SCOPE,
    NOT_NEGATING,
    OPPOSITE,
)
from rag.text import QUESTION_WORDS, stem, terms, words

# WordNet's direct antonyms (written by bench/antonyms.py, with WordNet's licence inside).
ANTONYMS_PATH = Path(__file__).with_name("antonyms.json")


def negation_unmatched(question: str, sentence: str, sentence_terms: AbstractSet[str]) -> bool:
    """True when the question negates a predicate that the sentence states without negation."""
    if NEGATION.search(sentence):
        return False
    text = NOT_NEGATING.sub(" ", question)
    for match in NEGATION.finditer(text):
        clause = CLAUSE_END.split(text[match.end() :], maxsplit=1)[0]
        negated = [t for t in terms(clause) if t not in QUESTION_WORDS][:NEGATION_SCOPE]
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
        if OPPOSITE.get(word) in only_sentence:
            return True
        for prefix in NEGATING_PREFIXES:
            # A short remainder is too often a different word ("index" is not "dex").
            base = word.removeprefix(prefix)
            if base != word and len(base) >= 5 and base in only_sentence:
                return True
            if len(word) >= 4 and prefix + word in only_sentence:
                return True
    return False
