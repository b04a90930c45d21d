"""One article named by a request or a question: "Summarise the Trend Analysis article"."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath

from rag.answering.conversation import of_article
from rag.answering.first_turns import LISTING, counted, restates, turn_of
from rag.answering.patterns import (
    ARTICLE_AT,
    ARTICLE_NOUN,
    ARTICLE_REQUESTS,
    ARTICLE_SAYS,
    ARTICLE_WORD,
    NEXT_ARTICLE,
    ONE_NOUN,
    ORDINAL_WORDS,
    PLACE,
    QUOTED_TITLE,
    SCOPED,
)
from rag.text import SENTENCE_CLOSE, closed, is_heading, reply_line, sentence_spans, terms
from rag.types import Citation, Passage

# A quote of the article's opening, not of the whole article: three sentences at most, and the
# sentences after the first only while the quote stays this short.
MOST_SENTENCES = 3
MOST_CHARS = 600
# Titles listed to choose from: "the AI article" may match most of a large collection.
MOST_LISTED = 10


@dataclass(frozen=True)
class Named:
    """The words a request names an article by, and whether it marks them as a title."""

    phrase: str
    # Quoted, or called "the … article": a part of the title is enough to name it.
    marked: bool


def named_article(question: str) -> Named | None:
    """The article a request asks to summarise or describe, as it names it; else None."""
    for pattern in ARTICLE_REQUESTS:
        match = pattern.match(question)
        if match:
            break
    else:
        return None
    rest = re.sub(r"^(the|that|this)\s+", "", match.group("rest").strip(), flags=re.IGNORECASE)
    quoted = QUOTED_TITLE.fullmatch(rest)
    if quoted:
        return Named(quoted.group("title").strip(), True)
    called = ARTICLE_NOUN.search(rest)
    if called:
        return Named(rest[: called.start()].strip(), True)
    return Named(rest, False)


def next_article(question: str, earlier: Sequence[str]) -> Named | None:
    """The article "What about the third?" or "… the Nscale one?" names after a request for one."""
    match = NEXT_ARTICLE.match(question)
    at = _next_named(match.group("phrase")) if match else None
    if at is None:
        return None
    # Back over "And the last one?" turns and questions leaning on their article to the request
    # they follow; "the third" follows only one by place ("Tell me about Nscale" then "And the
    # last one?" may mean a last something).
    for before in reversed(earlier):
        turn = turn_of(before)
        if turn is not None and turn.kind in LISTING:
            # The overview lists every article: "What about the second one?" picks from it.
            return at
        named = named_article(before)
        if named is not None:
            return at if PLACE.match(named.phrase) or not PLACE.match(at.phrase) else None
        again = NEXT_ARTICLE.match(before)
        if (again is None or _next_named(again.group("phrase")) is None) and not of_article(before):
            return None
    return None


def _next_named(phrase: str) -> Named | None:
    at = Named(ARTICLE_NOUN.sub("", phrase), True)
    if PLACE.match(at.phrase):
        return at
    # A title needs its noun: "What about OpenAI?" asks the article before of OpenAI.
    called = ONE_NOUN.search(phrase)
    return Named(phrase[: called.start()], True) if called else None


def scoped(question: str) -> tuple[str, Named] | None:
    """A question asked of one article: the question without the words naming it, and them."""
    if len(ARTICLE_WORD.findall(question)) > 1:
        return None
    for pattern in SCOPED:
        match = pattern.match(question)
        if match and terms(match.group("phrase")):
            asked = match.group("question")
            if "end" in match.groupdict():
                asked += match.group("end") or "?"
            return asked[:1].upper() + asked[1:], Named(match.group("phrase").strip(), True)
    says = ARTICLE_SAYS.match(question)
    if says and terms(says.group("phrase")):
        asked = f"{says.group('wh')} {says.group('aux')} it {says.group('rest')}?"
        return asked[:1].upper() + asked[1:], Named(says.group("phrase").strip(), True)
    at = ARTICLE_AT.search(question)
    if at is None:
        return None
    asked = f"{question[: at.start()]}it{question[at.end() :]}".strip()
    return asked[:1].upper() + asked[1:], Named(at.group("phrase"), True)


def described(named: Named, title: str, first: Passage) -> bool:
    """True when a document's title and first passage hold every word of the name asked."""
    # The first passage, not the quoted opening: a news lead may follow a subtitle and a dateline.
    return set(terms(named.phrase)) <= set(terms(title)) | set(terms(first.text))


def _terms_of(source: str, title: str) -> set[str]:
    # "orbital-compute-memo.txt" names its document as well as its title does.
    return set(terms(title)) | set(terms(PurePath(source).stem.replace("_", " ")))


def matching(named: Named, documents: Sequence[tuple[str, str]]) -> list[str]:
    """The sources of the documents whose titles the request names best (ties all listed)."""
    asked = set(terms(named.phrase))
    if not asked:
        return []
    scored: list[tuple[float, str]] = []
    for source, title in documents:
        found = asked & _terms_of(source, title)
        share = len(found) / len(asked)
        covered = len(found) / max(1, len(set(terms(title))))
        # Unmarked ("Summarise Trend Analysis: …"), the words must be most of the title: "What is
        # the EU AI Act about?" asks about a subject that a title may happen to hold.
        if (named.marked and share >= 0.75) or (share == 1 and covered >= 0.5):
            scored.append((share, source))
    best = max((share for share, _ in scored), default=0.0)
    # "The 2026 AI Infrastructure article" may be any of three: each is listed, none guessed.
    return sorted(source for share, source in scored if share == best)


def place(named: Named, documents: int) -> int | None:
    """The place in the list of documents a request names ("the second article": 2), if any."""
    match = PLACE.match(named.phrase)
    if match is None:
        return None
    word = (match.group("word") or "").lower()
    if word == "last":
        return documents
    if word:
        return ORDINAL_WORDS.index(word) + 1
    return int(match.group("digits") or match.group("number"))


def requested(named: Named, titles: dict[str, str]) -> tuple[list[str], int | None]:
    """The sources a request names by title, else by place, and the place it names, if any."""
    found = matching(named, list(titles.items()))
    # With no document, the search after says the index is empty.
    at = None if found or not titles else place(named, len(titles))
    if at is not None and 1 <= at <= len(titles):
        # Counted in the overview's order: "the second article" is the second it lists.
        found = [sorted(titles)[at - 1]]
    return found, at


def no_such(at: int, collection: str, documents: int) -> str:
    """The reply to "the twelfth article" of a collection of fewer."""
    return (
        f"There is no document {at} in the collection “{collection}”: it holds "
        f"{counted(documents)}. Ask “What are these articles about?” for the list."
    )


def opening(passage: Passage, title: str) -> tuple[int, int] | None:
    """The span of a document's first sentences, past headings and a restated title."""
    text = passage.text
    spans = [(s, e) for s, e in sentence_spans(text) if not is_heading(text[s:e])]
    while len(spans) > 1 and restates(text[spans[0][0] : spans[0][1]], title):
        spans = spans[1:]
    # A subtitle ("Data centers, chips, and financing") has no full stop; a sentence has.
    spans = [(s, e) for s, e in spans if text[s:e].rstrip()[-1] in SENTENCE_CLOSE]
    if not spans:
        return None
    start, end = spans[0]
    for s, e in spans[1:MOST_SENTENCES]:
        # Only the sentences that follow on in one paragraph, while the quote stays short.
        if text[end:s].strip() or "\n" in text[end:s] or e - start > MOST_CHARS:
            break
        end = e
    return start, closed(text, start, end)


def summary(title: str, passage: Passage) -> tuple[str, list[Citation]]:
    """The reply to a request about one article: its title and its opening sentences, cited."""
    span = opening(passage, title)
    if span is None:
        return f"“{title}” has no sentence to quote at its start.", []
    citation = passage.cite(1, span[0], span[1], 1.0)
    return f"“{title}” opens: {reply_line(citation.text)} [1]", [citation]


def choose(phrase: str, titles: Sequence[str]) -> str:
    """The reply when a request names several articles alike: their titles, to ask by one."""
    listed = "\n".join(f"- {title}" for title in titles[:MOST_LISTED])
    if len(titles) > MOST_LISTED:
        listed += f"\n… and {len(titles) - MOST_LISTED} more."
    return (
        f"{len(titles)} articles match “{phrase}”:\n{listed}\n"
        "Ask again with more of the title of the one you mean."
    )
