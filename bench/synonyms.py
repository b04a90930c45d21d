"""Synonyms from WordNet 3.0: the other words of each word's most frequent sense."""

from __future__ import annotations

import random
import re
from pathlib import Path

from bench.antonyms import POS, WORDNET, _synsets, _word
from rag.text import STOPWORDS, stem

WORD = re.compile(r"[A-Za-z]+")
# Inflections tried back to WordNet's base form ("raised" → "raise"); crude, as the swap is noise
# added to training questions, not text shown to anyone.
SUFFIXES = ("", "s", "es", "ed", "d", "ing")


def first_sense_synonyms(folder: Path = WORDNET) -> dict[str, list[str]]:
    """Each single word's synonyms in its most frequent sense (the first offset in the index)."""
    found: dict[str, list[str]] = {}
    for pos in POS:
        synsets = _synsets(folder / f"data.{pos}")
        for line in (folder / f"index.{pos}").read_text(encoding="latin-1").splitlines():
            if line.startswith("  "):  # the licence header
                continue
            fields = line.split()
            lemma = fields[0]
            if not lemma.isalpha():
                continue
            first = fields[len(fields) - int(fields[2])]
            others = [w for w in (_word(x) for x in synsets[first][0]) if w and w != lemma]
            known = found.setdefault(lemma, [])
            known.extend(w for w in others if w not in known)
    return {k: v for k, v in found.items() if v}


def base_form(word: str, synonyms: dict[str, list[str]]) -> str | None:
    """The WordNet entry a lower-case word inflects, if any."""
    for suffix in SUFFIXES:
        if word.endswith(suffix) and word[: len(word) - len(suffix)] in synonyms:
            return word[: len(word) - len(suffix)]
    return None


def swap_shared(
    question: str, sentence: str, synonyms: dict[str, list[str]], rng: random.Random
) -> str:
    """The question with each lower-case word it shares with the sentence put as a synonym."""
    shared = {stem(w.lower()) for w in WORD.findall(sentence)}

    def swap(m: re.Match[str]) -> str:
        word = m.group(0)
        low = word.lower()
        # Names stay: a reader must still match who and what is asked about.
        if word[0].isupper() or low in STOPWORDS or len(low) < 4 or stem(low) not in shared:
            return word
        base = base_form(low, synonyms)
        return rng.choice(synonyms[base]) if base else word

    return WORD.sub(swap, question)
