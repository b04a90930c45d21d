"""Names in a question, the whole name a word belongs to, and whether a text mentions one."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from rag.answering.patterns import (
    ACTOR,
    AUXILIARY,
    CREDIT,
    IN_NAME,
    NAME_PART,
    NAME_RUN,
    NOT_A_NAME,
    QUESTION_NAME,
    SUBJECT,
    TITLE_ACRONYMS,
)
from rag.answering.spelling import edit_distance, is_coined, is_english
from rag.text import STOPWORDS, words


def question_names(question: str) -> list[str]:
    """Names in a question: capitalised words past its first, and inner-capital words (OpenAI)."""
    found = []
    for match in QUESTION_NAME.finditer(question):
        word = match.group(0)
        inner_capital = word[1:] != word[1:].lower()
        named = word[0].isupper() and match.start() > 0
        # "Series D" is no "Series C": the letter is part of the name asked.
        part = NAME_PART.match(question, match.end())
        if part and word[0].isupper():
            word += part.group(0)
        if (named or inner_capital) and word.lower() not in STOPWORDS and word not in found:
            found.append(word)
    return found


def opening_name(question: str, slips: bool = False) -> str | None:
    """The first word if it reads as a name: no English word, nor (unless `slips`) a slip of one."""
    # Every first word is capitalised, so question_names starts at the second: "Nscael raised
    # how much?" is told like "How much did Nscael raise?", but "Wherre …" is no name.
    match = QUESTION_NAME.search(question)
    if match is None or question[: match.start()].strip():
        return None
    word = match.group(0)
    # Chat's short words ("Pls", "Btw", "Tbh", "Gr8") are no English words either.
    if len(word) < 5 or not word[0].isupper() or word.lower() in STOPWORDS:
        return None
    named = not is_english(word) if slips else is_coined(word)
    return word if named else None


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


def name_found(name: str, text_lower: str, text_words: set[str], text: str = "") -> bool:
    """True when a text mentions a name, inflected ("India's") or a title or acronym written out."""
    # An acronym is read in the `text` as written, by its capitals ("Pacific Gas and Electric").
    lowered = name.lower()
    if NAME_PART.search(name):
        # Only as written: "series c" holds no "series d" however its words begin.
        return re.search(rf"\b{re.escape(lowered)}\b", text_lower) is not None
    if lowered in text_lower:
        return True
    spelled = TITLE_ACRONYMS.get(lowered)
    if spelled is not None:
        return spelled.search(text_lower) is not None
    # An acronym's plural ("CPUs") is mentioned by its singular: "CPU revenue".
    if len(name) > 2 and name[-1] == "s" and name[:-1].isupper() and lowered[:-1] in text_words:
        return True
    if text and spelled_out(name, text):
        return True
    if len(lowered) < 5:
        return False
    prefix = lowered[: max(5, len(lowered) - 3)]
    return any(word.startswith(prefix) for word in text_words)


def spelled_out(name: str, text: str) -> bool:
    """True when a text writes the capitalised words of an acronym ("Amazon Web Services")."""
    letters = name.replace("&", "")
    if not (2 <= len(letters) <= 6 and letters.isalpha() and letters.isupper()):
        return False
    # Each letter opens a capitalised word; "and", "of", "the" and "&" may come between them.
    joiner = r"(?:\s+(?:and|of|the|for|&))*\s+"
    words_for = joiner.join(rf"{letter}[a-z]+" for letter in letters)
    return re.search(rf"(?<![\w-]){words_for}(?![\w-])", text) is not None


def names_share(names: tuple[str, ...], text: str) -> float:
    """The share of the names a text mentions; 1.0 when there are none."""
    if not names:
        return 1.0
    lower = text.lower()
    found = set(words(lower))
    return sum(name_found(n, lower, found, text) for n in names) / len(names)


def spelled_like(name: str, text: str) -> str | None:
    """The name of a text spelled nearest one it lacks ("Nscale" for "Nscael"), if near enough."""
    # Short names sit a letter away from too much ("Cup" from "CPU"): only a longer name's slip
    # of one letter (two from eight letters) is read as a misspelling. No name runs past 40
    # letters, and comparing longer words would cost time for nothing.
    if not 5 <= len(name) <= 40 or NAME_PART.search(name):
        return None
    wanted = _unaccented(name).lower()
    limit = 1 if len(name) < 8 else 2
    best: tuple[int, int, str] | None = None
    written = Counter(re.sub(r"['’]s$", "", w) for w in QUESTION_NAME.findall(text))
    for word, count in written.items():
        if not word[:1].isupper():
            continue
        distance = edit_distance(wanted, _unaccented(word).lower(), limit)
        # The nearest spelling, then the most written one; the name itself only with its accents
        # ("Möngke" for "Mongke").
        itself = word.lower() == name.lower()
        if not itself and distance <= limit and (best is None or (distance, -count) < best[:2]):
            best = (distance, -count, word)
    return best[2] if best else None


def sentence_subject(sentence: str, context: str = "") -> str | None:
    """The names a sentence opens with as its subject ("Amazon is investing …"), when sure.

    A sentence's first word is capitalised whatever it is ("Companies like Nscale …"): alone, it
    is taken for a name with an apposition or a capital inside ("OpenAI"); given a context (the
    retrieved passages), also before an auxiliary or when the context writes it capitalised
    inside a sentence.
    """
    opening = SUBJECT.match(sentence)
    if opening is None:
        return None
    subject = opening.group("names")
    named = [w for w in subject.split() if w.lower() not in STOPWORDS]
    first = subject.split()[0]
    # "Initially created …", "Starting in 1313 …": an adverb or participle, though "Beijing and
    # Shanghai" are names.
    verbal = subject == first and first.endswith(("ly", "ing")) and first[1:].islower()
    if not named or first.lower() in NOT_A_NAME or verbal:
        return None
    # Written with its capital inside a sentence of the context, or before an auxiliary ("Amazon
    # is investing …", not "Better than anyone else she …"), it is a name.
    inside = re.compile(rf"(?<=[a-z,;:] ){re.escape(named[0])}\b")
    acting = AUXILIARY.match(sentence, opening.end("names"))
    sure = (
        opening.group("opening")
        or opening.group("apposition")
        or len(named) > 1
        or any(w[1:] != w[1:].lower() for w in named)
        or bool(context and (inside.search(context) or acting))
    )
    return subject if sure else None


def asked_actor(question: str) -> str | None:
    """The name a question says acted ("Microsoft" in "How much is Microsoft investing …?")."""
    match = ACTOR.match(question)
    # "What was Tugh's Chinese-style name?" asks about something of Tugh's, not what Tugh did.
    if match is None or re.search(r"['’]s\b", match.group("actor")):
        return None
    # A capitalised pronoun ("When did He …") names no one.
    return match.group("actor") if _actor_words(match.group("actor")) else None


def acted_by_another(actor: str | None, sentence: str, context: str) -> str | None:
    """The other name a sentence opens on as its subject when it never names the actor.

    "How much is Microsoft investing in OpenAI?" against "Amazon is investing $50 billion to
    support OpenAI …": the amount is Amazon’s. The context is the retrieved passages.
    """
    if actor is None:
        return None
    subject = sentence_subject(sentence, context)
    # Spelled with or without accents alike: "Herve" is "Hervé".
    named = tuple(_unaccented(w) for w in _actor_words(actor))
    return subject if subject and names_share(named, _unaccented(sentence)) == 0.0 else None


def _actor_words(actor: str) -> list[str]:
    # "ARPNET and SITA": the names, not the words joining them.
    return [w for w in actor.split() if w.lower() not in STOPWORDS | {"&"}]


def _unaccented(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def other_place(question: str, sentence: str, title: str) -> tuple[str, str] | None:
    """The place a sentence says something happened in, and the one asked, when it is another."""
    # SQuAD's unanswerable questions swap a place as they swap a year ("… in Hamburg?" of a
    # passage on Berlin). A place the sentence or its article's title writes is no swap: a
    # sentence on the Fresno article's subject need not repeat "Fresno".
    asked = IN_NAME.search(question)
    if asked is None or asked.group(1).lower() in f"{sentence} {title}".lower():
        return None
    other = IN_NAME.search(sentence)
    if other is None or other.group(1).lower() in question.lower():
        return None
    return other.group(1), asked.group(1)
