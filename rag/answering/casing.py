"""A question typed in lower case, given the capitals its passages write its names with."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from rag.answering.names import spelled_like
from rag.answering.patterns import KEYWORDS, QUESTION_NAME, STARTS_SENTENCE
from rag.answering.spelling import is_coined, is_english
from rag.text import STOPWORDS, is_heading
from rag.types import Passage

# An English word alone is read as a name when the passages write it with a capital mid-sentence
# this many times at least, and this many times as often as without: "Invest" once, in "ARK
# Invest", is no name of "how much did nvidia invest …". A word no English word list holds
# ("Terafab") is a name written so once, and so are two words written as one ("Mara Quinn").
MOSTLY = 2
# Words of a lower-case question looked up as slips of a name, at most.
MOST_SLIPS = 3
# A made-up word the passages never write is read as a name from this many letters.
COINED_LETTERS = 5


@dataclass
class Written:
    """How the passages' prose writes words mid-sentence, and which pairs as one name."""

    # Each word's spellings, keyed by its lower case; a capital counts only on a word standing
    # alone, since "New" in "New York" and "Invest" in "ARK Invest" are parts of other names.
    alone: dict[str, Counter[str]] = field(default_factory=dict)
    # Words written with a capital anywhere, a sentence's first word too: a coined one is a name.
    capitalised: dict[str, Counter[str]] = field(default_factory=dict)
    pairs: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)


def uncased(question: str) -> bool:
    """True for a question typed without a capital: the typing says nothing of names."""
    # Not "What treaty was enacted in 2004?": typed as a sentence, it names nothing, and the
    # passages' "Treaty of Lisbon" would make a name of its "treaty".
    return question == question.lower()


def written(passages: Sequence[Passage]) -> Written:
    """How the passages' prose (no heading's Title Case) writes each word, and names of two."""
    found = Written()
    for passage in passages:
        for line in passage.text.splitlines():
            if not line.strip() or is_heading(line.strip()):
                continue
            matches = list(QUESTION_NAME.finditer(line))
            capital = [m.group(0)[0].isupper() for m in matches]
            joined = [False] + [
                capital[k - 1] and capital[k] and line[a.end() : b.start()] == " "
                for k, (a, b) in enumerate(pairwise(matches), start=1)
            ]
            for k, match in enumerate(matches):
                word = match.group(0)
                if capital[k]:
                    found.capitalised.setdefault(word.lower(), Counter())[word] += 1
                # "The" opens no name of a question, though it opens "The Verge".
                if joined[k] and matches[k - 1].group(0).lower() not in STOPWORDS:
                    found.pairs[(matches[k - 1].group(0).lower(), word.lower())] = (
                        matches[k - 1].group(0),
                        word,
                    )
                in_name = joined[k] or (k + 1 < len(matches) and joined[k + 1])
                first = STARTS_SENTENCE.search(line[: match.start()])
                if not first and not (capital[k] and in_name):
                    found.alone.setdefault(word.lower(), Counter())[word] += 1
    return found


def cased(question: str, passages: Sequence[Passage]) -> str:
    """The question with each lower-case word the passages write as a name written so."""
    if not uncased(question):
        return question
    seen = written(passages)
    matches = list(QUESTION_NAME.finditer(question))
    spelled: dict[int, str] = {}
    for a, b in pairwise(matches):
        pair = seen.pairs.get((a.group(0), b.group(0)))
        if pair and question[a.end() : b.start()] == " ":
            spelled[a.start()], spelled[b.start()] = pair
    slips = 0
    for match in matches:
        word = match.group(0)
        if match.start() in spelled:
            continue
        name = _name(word, seen)
        if name is None and word.endswith("s") and not is_english(word):
            # "anthropics valuation" is "Anthropic's" typed without its apostrophe; read as no
            # name, it was answered with OpenAI's valuation.
            owner = _name(word[:-1], seen)
            name = f"{owner}'s" if owner else None
        if name is None and slips < MOST_SLIPS and not is_english(word) and word not in seen.alone:
            # "nscael" is a slip of a name the passages write ("Nscale"): capitalised as typed,
            # it gets the decline and "Did you mean Nscale?" that "Nscael" gets. A few are
            # looked up: a question of 300 made-up words costs three lookups.
            slips += 1
            meant = spelled_like(word, "\n".join(p.text for p in passages))
            name = word.capitalize() if meant and _name(meant.lower(), seen) else None
            if name is None and meant is None and _unwritten_coinage(word, seen):
                # "how much did zephyrai raise" names a company as "ZephyrAI" would: read as no
                # name, it was answered with Nscale's raise.
                name = word.capitalize()
        if name is not None:
            spelled[match.start()] = name
    return QUESTION_NAME.sub(lambda m: spelled.get(m.start(), m.group(0)), question)


def searched_name(question: str, passages: Sequence[Passage]) -> str | None:
    """The first word of words typed as a search, when the passages write it as a name."""
    # A question's first word is capitalised whatever it is, so names are read from its second;
    # but "Anthropic valuation" is about Anthropic, and was answered with OpenAI's valuation.
    first = QUESTION_NAME.search(question)
    if first is None or question[: first.start()].strip() or not KEYWORDS.match(question):
        return None
    word = first.group(0)
    return word if _name(word.lower(), written(passages)) == word else None


def _unwritten_coinage(word: str, seen: Written) -> bool:
    """True for a made-up word of five letters or more that the passages never write."""
    # "hyperscalers" is the plural of a word they write; chat's short words ("thx") are no names.
    forms = {word, word[:-1]} if word.endswith("s") else {word}
    unwritten = not any(form in seen.alone or form in seen.capitalised for form in forms)
    return len(word) >= COINED_LETTERS and unwritten and is_coined(word)


def _name(word: str, seen: Written) -> str | None:
    """How the passages write a lower-case word as a name, if they do."""
    alone = seen.alone.get(word, Counter())
    lower = alone[word]
    standing = sum(n for w, n in alone.items() if w != word)
    written_so = seen.capitalised.get(word, Counter())
    coined = bool(written_so) and not lower and not is_english(word)
    if not (coined or standing >= MOSTLY * max(1, lower)):
        return None
    return (written_so if coined else alone - Counter({word: lower})).most_common(1)[0][0]
