"""Names in a question, the whole name a word belongs to, and whether a text mentions one."""

from __future__ import annotations

import re

from rag.answering.patterns import CREDIT, NAME_RUN, QUESTION_NAME, TITLE_ACRONYMS
from rag.text import STOPWORDS, words


def question_names(question: str) -> list[str]:
    """Names in a question: capitalised words past its first, and inner-capital words (OpenAI)."""
    found = []
    for match in QUESTION_NAME.finditer(question):
        word = match.group(0)
        inner_capital = word[1:] != word[1:].lower()
        named = word[0].isupper() and match.start() > 0
        if (named or inner_capital) and word.lower() not in STOPWORDS and word not in found:
            found.append(word)
    return found


def name_phrase(question: str, name: str) -> str:
    """The whole name a word of the question belongs to: "World Cup" for "Cup"."""
    for run in NAME_RUN.finditer(question):
        # A possessive ends a name: "Tesla's Terafab" is two.
        for part in re.split(r"(?<=['’]s) ", run.group(0)):
            parts = [re.sub(r"['’]s$", "", word) for word in part.split()]
            while parts and parts[0].lower() in STOPWORDS:
                parts.pop(0)
            if name in parts:
                return " ".join(parts)
    return name


def required_names(question: str) -> list[str]:
    """The names an answer must be about: all but those naming who reported or published it."""
    credited = {
        word for match in CREDIT.finditer(question) for word in question_names(" " + match.group(0))
    }
    return [name for name in question_names(question) if name not in credited]


def name_found(name: str, text_lower: str, text_words: set[str]) -> bool:
    """True when a text mentions a name, inflected ("Indian" ~ "India's") or a title spelled out."""
    lowered = name.lower()
    if lowered in text_lower:
        return True
    spelled = TITLE_ACRONYMS.get(lowered)
    if spelled is not None:
        return spelled.search(text_lower) is not None
    # An acronym's plural ("CPUs") is mentioned by its singular: "CPU revenue".
    if len(name) > 2 and name[-1] == "s" and name[:-1].isupper() and lowered[:-1] in text_words:
        return True
    if len(lowered) < 5:
        return False
    prefix = lowered[: max(5, len(lowered) - 3)]
    return any(word.startswith(prefix) for word in text_words)


def names_share(names: tuple[str, ...], text: str) -> float:
    """The share of the names a text mentions; 1.0 when there are none."""
    if not names:
        return 1.0
    lower = text.lower()
    found = set(words(lower))
    return sum(name_found(n, lower, found) for n in names) / len(names)
