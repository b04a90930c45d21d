"""Turns that ask nothing of the documents: greetings, thanks, "ok", doubt, help, an overview."""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from rag.answering.names import name_phrase, question_names
from rag.answering.patterns import (
    ACKNOWLEDGED,
    AGREED,
    AUTHOR_ASKED,
    CALENDAR,
    COUNT_DOCS,
    DATELINE,
    DOUBT,
    FAREWELL,
    FOREIGN,
    FOREIGN_OPENING,
    GREETING,
    HELP,
    INVENTORY,
    INVENTORY_KIND,
    OTHER_ONES,
    OVERVIEW,
    REFUSED,
    SOURCES_ASKED,
    TASK,
    THANKS,
    THE_ONE_ARTICLE,
    WRITER_LINE,
    WRITER_OF,
)
from rag.text import (
    SENTENCE_CLOSE,
    STOPWORDS,
    closed,
    is_heading,
    reply_line,
    sentence_spans,
    words,
)
from rag.types import Citation, Passage


@dataclass(frozen=True)
class Turn:
    """A message's kind (greeting, thanks, doubt, help, overview, language …; see classify)."""

    kind: str
    # What an inventory request asks to list ("companies"), in its own word.
    things: str = ""


def _plain(message: str) -> str:
    # Case, punctuation and spacing say nothing about which kind of turn a message is.
    text = re.sub(r"[^\w\s?']", " ", message.lower()).replace("?", " ").replace("'", "")
    return re.sub(r"\s+", " ", text).strip()


def asks_names(question: str) -> bool:
    """True for "Which companies does it mention?", asked of one article."""
    plain = OTHER_ONES.sub("", _plain(question))
    return INVENTORY.match(THE_ONE_ARTICLE.sub("the documents", plain)) is not None


def agrees(message: str) -> bool:
    """True for a plain yes ("yes", "yep, that one"), which may accept what the reply offered."""
    # Every yes is a few words: a long message is not read through for one.
    return len(message) <= 40 and AGREED.match(_plain(message)) is not None


def refuses(message: str) -> bool:
    """True for a plain no ("no", "nope, not that one"), which may turn down what was offered."""
    return len(message) <= 40 and REFUSED.match(_plain(message)) is not None


# The turns that list the documents, numbered: "What about the second one?" after one picks from
# it, and "tell me more" lists the next ones.
LISTING = frozenset({"overview", "inventory"})
# No turn but a question runs longer: "hi", "What are these articles about?", "source?".
MOST_TURN_CHARS = 200


def turn_of(message: str) -> Turn | None:
    """The kind of an earlier message (see classify); a long one is a question, not read."""
    # Histories are walked back and forth; reading the language of 100 items of 2,000 characters
    # each time took a question from 118 to 372 ms.
    return classify(message) if len(message) <= MOST_TURN_CHARS else None


def classify(message: str) -> Turn | None:
    """The kind of a turn that is not a question about the documents, or None for a question."""
    plain = _plain(message)
    # An empty message is no turn: the engine says it is empty.
    if message.strip() and not any(c.isalnum() for c in message):
        return _wordless(message)
    for kind, pattern in (
        ("greeting", GREETING),
        ("thanks", THANKS),
        ("farewell", FAREWELL),
        ("acknowledgement", ACKNOWLEDGED),
        ("doubt", DOUBT),
        ("help", HELP),
        ("sources", SOURCES_ASKED),
        ("author", AUTHOR_ASKED),
        ("task", TASK),
        ("overview", OVERVIEW),
        ("overview", COUNT_DOCS),
    ):
        if pattern.match(plain):
            return Turn(kind)
    if INVENTORY.match(plain):
        things = INVENTORY_KIND.search(plain)
        return Turn("inventory", things.group(0) if things else "people")
    # "hi, what can you do?": a greeting that leads into a request for help is that request.
    opening = re.match(r"^(hi|hello|hey)( there)? (?P<rest>.+)$", plain)
    if opening and HELP.match(opening.group("rest")):
        return Turn("help")
    if opening and OVERVIEW.match(opening.group("rest")):
        return Turn("overview")
    if other_language(message):
        return Turn("language")
    return None


# Emoji sent alone answer as words would: 👋 greets, 👍 acknowledges, 👎 doubts.
_EMOJI_TURNS = (("👎❌", "doubt"), ("👋", "greeting"), ("🙏", "thanks"))


def _wordless(message: str) -> Turn:
    """A message of symbols only: an emoji's kind, "ok" for other emoji, help for "?" or "…"."""
    for emoji, kind in _EMOJI_TURNS:
        if any(c in message for c in emoji):
            return Turn(kind)
    # "???", "🚀💰?" or "..." asks what the bot is for; other emoji (symbols, "So") say "ok".
    symbol = any(unicodedata.category(c) == "So" for c in message)
    return Turn("acknowledgement" if symbol and "?" not in message else "help")


def _is_latin(letter: str) -> bool:
    return "LATIN" in unicodedata.name(letter, "")


def other_language(message: str) -> bool:
    """True when a message is written in another language than English."""
    letters = [c for c in message if c.isalpha()]
    if not letters:
        return False
    latin = sum(map(_is_latin, letters))
    # A question mostly in another script (Cyrillic, Greek, Arabic, CJK …) is not English.
    if latin < 0.5 * len(letters):
        return True
    if "¿" in message or "¡" in message:
        return True
    found = re.findall(r"[^\W\d_]+", message)
    english = sum(w in STOPWORDS for w in words(message))
    # Chinese or Japanese around a Latin name ("Nscale 融资多少?") is mostly Latin letters, but as
    # many runs of another script as of Latin, with no English word, is no English question.
    runs = [key for word in found for key, _ in itertools.groupby(map(_is_latin, word))]
    if not english and runs.count(False) >= max(1, runs.count(True)):
        return True
    if FOREIGN_OPENING.match(message):
        return True
    lower = [w.lower() for w in found]
    foreign = sum(w in FOREIGN and w not in STOPWORDS for w in lower)
    # Accented lower-case words ("levé", "recaudó") are rare in English outside names.
    foreign += sum(w.islower() and not w.isascii() for w in found)
    return bool(foreign >= 2 and foreign > english)


@dataclass(frozen=True)
class Lead:
    """A document's title and the passage its text begins with."""

    title: str
    passage: Passage


def lead_sentence(passage: Passage) -> tuple[int, int] | None:
    """The span of the first whole sentence of a passage (not a heading, label or subtitle)."""
    spans = [
        (start, end)
        for start, end in sentence_spans(passage.text)
        if not is_heading(passage.text[start:end])
    ]
    # A subtitle ("Data centers, chips, and financing") has no full stop; a sentence has.
    ended = [(s, e) for s, e in spans if passage.text[s:e].rstrip()[-1] in SENTENCE_CLOSE]
    found = ended or spans
    return found[0] if found else None


def restates(sentence: str, title: str) -> bool:
    """True when a sentence is the document's title again, whole or cut with an ellipsis."""
    # A news title is often the lead sentence itself, or its start cut with an ellipsis.
    head = title.rstrip(" .…")
    return bool(head) and sentence.startswith(head)


def _examples(leads: Sequence[Lead]) -> list[str]:
    # The first names the documents lead with: what the collection is about, in its own words.
    found: list[str] = []
    for lead in leads:
        span = lead_sentence(lead.passage)
        text = lead.passage.text[span[0] : span[1]] if span else lead.title
        # Its dateline's city, day and agency ("SEATTLE, March 3 (Newswire) -") are no subject.
        # The word after it opens the sentence: a name when the title has it too ("Oracle signs
        # …", then "AUSTIN, Texas — Oracle said …"), unless written in lower case as well.
        dateline = DATELINE.match(text)
        rest = text[dateline.end() :] if dateline else text
        for name in question_names(text):
            if name not in rest:
                continue
            if rest.startswith(name) and (
                name not in lead.title.split()
                or re.search(rf"\b{re.escape(name.lower())}\b", lead.passage.text)
            ):
                continue
            phrase = of_name(rest, name_phrase(rest, name))
            if phrase.lower() in CALENDAR:
                continue
            if len(phrase) > 2 and not phrase.isupper() and phrase not in found:
                found.append(phrase)
                break
    examples = [f"What do the documents say about {name}?" for name in found[:2]]
    # Too few names: a short title tells what a document is about as well.
    titles = sorted((lead.title for lead in leads if 0 < len(lead.title.split()) <= 8), key=len)
    examples += [f"What does “{title}” report?" for title in titles]
    return examples[:2]


def of_name(text: str, phrase: str) -> str:
    """A name with the "of" part the text writes after it: "Department of Energy"."""
    # "Department" alone, as the name runs end at "of", says nothing of what a lead is about.
    joined = re.search(
        rf"\b{re.escape(phrase)} of (?:the )?[A-Z][\w&'’-]*(?: [A-Z][\w&'’-]*)*", text
    )
    return joined.group(0) if joined else phrase


def counted(documents: int) -> str:
    """A count of documents: "1 document", "6 documents"."""
    return f"{documents} document" + ("" if documents == 1 else "s")


def covers(collection: str, documents: int, leads: Sequence[Lead]) -> str:
    """What the bot answers about: the collection, its size and two example questions."""
    if documents == 0:
        return (
            f"The collection “{collection}” holds no documents yet: add some with `rag ingest "
            "FOLDER`, then ask about them."
        )
    examples = " or ".join(_examples(leads))
    text = (
        f"I answer questions about the {counted(documents)} in the collection “{collection}”, "
        "quoting the passages I use with a citation for each."
    )
    if examples:
        text += f" Try for example: {examples}"
    return text + " Ask “What are these articles about?” for an overview."


def reply_text(kind: str, collection: str, documents: int, leads: Sequence[Lead]) -> str:
    """The reply to a turn that asks nothing of the documents, or is in another language."""
    if kind == "farewell":
        told = f" Ask again any time about the {counted(documents)} in “{collection}”."
        return "Goodbye!" + (told if documents else "")
    if kind == "acknowledgement" and documents:
        return f"Anything else? Ask me about the {counted(documents)} in “{collection}”."
    if kind == "doubt":
        return (
            "Every answer quotes the documents word for word, and its numbered citations show the "
            "passages it comes from. If they don't say what you asked, the documents may not hold "
            "it; asking again with the names and words the articles use may find it. "
            "Ask “What are these articles about?” for an overview."
        )
    about = covers(collection, documents, leads)
    if kind == "task":
        return f"I don't write, translate or rewrite text: I only quote the documents. {about}"
    if kind == "greeting":
        return f"Hello! {about}"
    if kind == "thanks":
        return f"You're welcome. {about}"
    if kind == "language":
        return (
            "I answer questions in English only (the answers are quoted from the documents). "
            f"Please ask again in English. {about}"
        )
    return about


# "Which article is that from?" with no answer before it to name the articles of.
NO_SOURCES = (
    "There is no answer before this to name the sources of. Ask a question about the documents: "
    "each answer's numbered citations name the article every quote comes from."
)
# "Who wrote the article?" with no answer before it to name the writers of.
NO_WRITERS = (
    "There is no answer before this to name the writers of. Ask a question about the documents: "
    "then “Who wrote the article?” names who wrote the articles its answer quotes."
)


def sources_text(question: str, citations: Sequence[Citation]) -> str:
    """The articles the answer to `question` quoted, each with the numbers of its quotes."""
    asked = f"The answer to “{question.strip()}”"
    if not citations:
        return f"{asked} quoted no article: the documents did not answer it."
    cited: dict[tuple[str, str], list[int]] = {}
    for citation in citations:
        cited.setdefault((citation.source, citation.title or citation.source), []).append(
            citation.n
        )
    named = [
        f"“{title}” " + "".join(f"[{n}]" for n in numbers) for (_, title), numbers in cited.items()
    ]
    listed = named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]
    return f"{asked} quotes {listed}."


def writers_text(
    question: str, citations: Sequence[Citation], leads: Sequence[Passage]
) -> tuple[str, list[Citation]]:
    """Who wrote each article the answer to `question` quoted, by its byline, each line cited."""
    asked = f"The answer to “{question.strip()}”"
    if not citations:
        return f"{asked} quoted no article, so there is no writer to name.", []
    said: list[str] = []
    cited: list[Citation] = []
    for lead in leads:
        line, citation = writer_of(lead, len(cited) + 1)
        said.append(line)
        cited.extend([citation] if citation else [])
    return " ".join(said), cited


def asks_writer(question: str) -> bool:
    """True for "Who wrote the study?": a question on who wrote an article it names by kind."""
    return WRITER_OF.match(question) is not None


def writer_of(lead: Passage, n: int) -> tuple[str, Citation | None]:
    """Who wrote an article, by the byline its opening passage holds, cited as [n]."""
    title = f"“{lead.title or lead.source}”"
    # "By Friday, Microsoft had …" opening a line names a day, not a writer.
    found = next(
        ((m, names) for m in WRITER_LINE.finditer(lead.text) if (names := _writers(m["names"]))),
        None,
    )
    if found is None:
        return f"{title} does not say who wrote it.", None
    line, names = found
    # The line without the italics or bold it is often set in ("*By Lena Ortiz*").
    start = line.start("line")
    end = start + len(line.group("line").rstrip(" \t*_"))
    citation = lead.cite(n, start, end, 1.0)
    return f"{title} is by {names} [{n}].", citation


def _writers(names: str) -> str:
    """A byline's names, up to the date written after them ("Anna Virtanen, October 2")."""
    kept = []
    for part in names.split(","):
        if part.split() and part.split()[0].lower().rstrip(".") in CALENDAR:
            break
        kept.append(part.strip())
    return ", ".join(kept)


def not_meant_text(names: Sequence[str], words: Sequence[str] = ()) -> str:
    """The reply to a "no" after "Did you mean Nscale?": what was asked is not in the articles."""
    named = " or ".join(names[:3])
    used = ("the word " if len(words) == 1 else "the words ") + " or ".join(
        f"“{word}”" for word in words[:3]
    )
    if names and words:
        said = f"none of the articles I searched mentions {named}, nor uses {used}"
    elif names:
        said = f"none of the articles I searched mentions {named}"
    else:
        said = f"the articles I searched don't use {used}"
    return (
        f"Then {said}. Ask again with other words, or ask “What are these articles about?” for an "
        "overview."
    )


def overview(
    collection: str, documents: int, leads: Sequence[Lead], first: int = 1
) -> tuple[str, list[Citation]]:
    """Each document's title with its lead sentence, cited, from the `first`; text, citations."""
    if documents == 0:
        return covers(collection, 0, leads), []
    if first > documents:
        return (
            f"That is every document: the collection “{collection}” holds {counted(documents)}.",
            [],
        )
    lines = [f"The collection “{collection}” holds {counted(documents)}:"]
    if first > 1:
        last = first + len(leads) - 1
        lines = [f"Documents {first}–{last} of the {documents} in the collection “{collection}”:"]
    citations: list[Citation] = []
    # Numbered, so that "What is the second article about?" can name one by its place.
    for n, lead in enumerate(leads, start=first):
        span = lead_sentence(lead.passage)
        if span is None:
            lines.append(f"{n}. {lead.title}")
            continue
        end = closed(lead.passage.text, *span)
        citation = lead.passage.cite(len(citations) + 1, span[0], end, 1.0)
        citations.append(citation)
        told = citation.text if restates(citation.text, lead.title) else None
        # A hard-wrapped lead sentence is shown on its list item's line.
        shown = reply_line(told or f"{lead.title}: {citation.text}")
        lines.append(f"{n}. {shown} [{citation.n}]")
    if documents > first - 1 + len(leads):
        lines.append(f"… and {documents - first + 1 - len(leads)} more (ask “tell me more”).")
    return "\n".join(lines), citations


def inventory(
    collection: str, documents: int, leads: Sequence[Lead], things: str
) -> tuple[str, list[Citation]]:
    """The reply to "Which companies are mentioned?": why no list, then the overview."""
    text, citations = overview(collection, documents, leads)
    if documents == 0:
        return text, citations
    # Listing them would read every passage of the collection for names; an answer reads a few.
    examples = _examples(leads)
    example = f" (for example “{examples[0]}”)" if examples else ""
    said = (
        f"I can't list all the {things} the documents mention: an answer quotes only the few "
        f"passages its question finds. Ask about one by name{example}, or start from what each "
        "document is about."
    )
    return f"{said}\n\n{text}", citations
