"""Word terms, stop words, sentence spans and table rows shared by sparse vectors and answers."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache
from itertools import zip_longest

_WORD = re.compile(r"[a-z0-9]+(?:[.,][0-9]+)*", re.IGNORECASE)
# A sentence ends at . ! ? (optionally closed by a quote or bracket) before a capital, digit,
# quote or currency sign; line breaks always end one, since the articles put a paragraph a line.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+(?=[A-Z0-9\"“‘$€£(])|\n+")
_LEAD = re.compile(r"[\s\-–—•*·]+")
# A stray bullet or dash after a sentence's full stop ("… resilience. -") belongs to no sentence.
_TRAIL = re.compile(r"(?<=[.!?\"”’)])[\s\-–—•*·]+$")
# A Markdown table: rows of cells between pipes, its header row ruled off by dashes.
_TABLE_ROW = re.compile(r"[ \t]*\|.*\|[ \t]*")
_TABLE_RULE = re.compile(r"[ \t]*\|(?:[ \t]*:?-+:?[ \t]*\|)+[ \t]*")
_EMPHASIS = re.compile(r"\*\*|__|`")
# Abbreviations whose full stop does not end a sentence.
_ABBREVIATION = re.compile(
    r"\b(vs|e\.g|i\.e|etc|approx|est|Inc|Corp|Ltd|Co|Mr|Ms|Dr|St|No|U\.S|U\.K)\.$"
)
# A bare reply ("Yes." under an FAQ's "Is there a noise limit?") states nothing alone: the
# sentence after it, on the same line, says what it affirms, and is quoted with it.
_BARE_REPLY = re.compile(
    r"[*_\s]*(?:yes|yeah|yep|nope|correct|exactly|indeed|absolutely|certainly|not yet)[.!]$",
    re.IGNORECASE,
)
# A month's abbreviation before its day or year ("Nov. 20", "Sept. 2026"), no sentence end either.
_MONTH_ABBREVIATION = re.compile(r"\b(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.$")
# A US state's abbreviation after its city's comma, before a dateline's agency or dash
# ("REDMOND, Wash. (Wire) --"): no sentence end either.
_STATE_ABBREVIATION = re.compile(
    r",[ \t]*(?:Ala|Ariz|Ark|Calif|Colo|Conn|Del|Fla|Ga|Ill|Ind|Kan|Ky|La|Md|Mass|Mich|Minn|Miss"
    r"|Mo|Mont|Neb|Nev|N\.H|N\.J|N\.M|N\.Y|N\.C|N\.D|Okla|Ore|Pa|R\.I|S\.C|S\.D|Tenn|Va|Vt"
    r"|Wash|Wis|W\.Va|Wyo)\.$"
)
_DATELINE_NEXT = ("(", "-", "–", "—")
# A clock time's "a.m." or "p.m." before its time zone ("9:41 a.m. ET", "at 4 p.m. EST
# Thursday"): no sentence end either, as live blogs and wire copy write them.
_CLOCK_END = re.compile(r"\b\d{1,2}(?:[:.]\d{2})?\s?[ap]\.m\.$", re.IGNORECASE)
_ZONE_NEXT = re.compile(
    r"(?:ET|EST|EDT|CT|CST|CDT|MT|MST|MDT|PT|PST|PDT|GMT|UTC|BST|CET|CEST|IST|JST|AEST|AEDT)\b"
)
# A sentence span ending on a name's initials ("C.C."), and the name's next word after it.
_INITIALS_END = re.compile(r"(?<![\w.])(?:[A-Z]\.)+$")
_NAME_NEXT = re.compile(
    r"[ \t]+(?!(?:The|A|An|It|Its|This|That|These|Those|He|She|They|We|I|In|On|At|But|And)\b)"
    r"[A-Z][\w'’-]*[.!?]?[\"'”’)\]]*(?:\s|$)"
)
# A Markdown heading's marks ("## Chips"): its line is a heading whatever its words.
_MARKDOWN_HEADING = re.compile(r"#{1,6}[ \t]")
# A mail's or memo's subject line ("Subject: Re: Kestrel site selection") titles what follows.
_SUBJECT_LINE = re.compile(r"(?:subject|re|fwd?)\s*:", re.IGNORECASE)
# A line this long or longer that ends in no stop, before a lower-case one, wraps a sentence.
_WRAPPED_LINE = 30
_LINE_CLOSES = (".", "!", "?", ":")
# The line under a Markdown heading written the other way ("Phase 1" over "-------").
UNDERLINE = r"[ \t]*(?:={3,}|-{3,})[ \t]*"
_UNDERLINE = re.compile(UNDERLINE)
# A list item's mark: a dash or dot, or a number with a full stop or bracket.
BULLET = re.compile(r"\s*(?:[-–•*·]|\d{1,2}[.)])\s+(?=\S)")
SENTENCE_CLOSE = frozenset('.!?"”’)')

STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "tell",
        "say",
        "said",
        "says",
        "according",
        "article",
        "articles",
        "mention",
        "mentioned",
        "much",
        "many",
        "give",
        "given",
    ]
)
QUESTION_WORDS = frozenset(["what", "when", "where", "which", "who", "whom", "whose", "why", "how"])


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Fold a lower-case word to a crude stem so that plural and verb forms meet."""
    if word[0].isdigit() or len(word) <= 3:
        return word
    for suffix, keep in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            word = word[: len(word) - len(suffix)] + keep
            break
    # A silent final e would keep "raise" apart from "raised" and "raising".
    return word[:-1] if word.endswith("e") and len(word) > 4 else word


def words(text: str) -> list[str]:
    """Lower-case words and numbers of a text, with thousands separators dropped."""
    return [w.replace(",", "") for w in _WORD.findall(text.lower())]


def terms(text: str) -> list[str]:
    """Stemmed content terms of a text: stop words removed, order and repeats kept."""
    return [stem(w) for w in words(text) if w not in STOPWORDS and (len(w) > 1 or w.isdigit())]


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of a text, trimmed of spaces and list bullets."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        if match.group(0) == "\n" and _wrapped(text, match.start(), match.end()):
            continue
        if "\n" not in match.group(0) and (
            _ABBREVIATION.search(text, start, match.start())
            or _BARE_REPLY.match(text, start, match.start())
            or (
                text[match.end() : match.end() + 1] in _DATELINE_NEXT
                and _STATE_ABBREVIATION.search(text, start, match.start())
            )
            or (
                text[match.end() : match.end() + 1].isdigit()
                and _MONTH_ABBREVIATION.search(text, start, match.start())
            )
            or (
                _ZONE_NEXT.match(text, match.end()) is not None
                and _CLOCK_END.search(text, start, match.start()) is not None
            )
        ):
            continue
        _add_span(text, start, match.start(), spans)
        start = match.end()
    _add_span(text, start, len(text), spans)
    return spans


def _wrapped(text: str, end: int, following: int) -> bool:
    """True when a line break only wraps a sentence: a full line runs on in lower case."""
    # A plain-text story hard-wrapped at 72 columns was quoted a line at a time ("wrote in a blog
    # post on Friday." for who wrote it); a paragraph a line, the usual layout, has no such break.
    line = text[text.rfind("\n", 0, end) + 1 : end]
    return (
        len(line) >= _WRAPPED_LINE
        and not line.endswith(_LINE_CLOSES)
        and text[following : following + 1].islower()
    )


def one_line(text: str) -> str:
    """The text with each run of spaces and line breaks as one space, for a line of a reply."""
    return " ".join(text.split())


def reply_line(text: str) -> str:
    """A quote as one line of a reply, without Markdown's bold marks (as answers show quotes)."""
    # A live blog's lead, "**9:05 a.m. ET** — Good morning.", was listed with its marks.
    return one_line(text.replace("**", ""))


def closed(text: str, start: int, end: int) -> int:
    """The end of a sentence span, past a name cut at its initials and the marks it opens."""
    # sentence_spans ends "… said TSMC chairman C.C." before "Wei." (read as a sentence end, the
    # initials are what the answer decision was fitted on): the quote shows the name whole.
    for _ in range(3):
        if not (_INITIALS_END.search(text, start, end) and _NAME_NEXT.match(text, end)):
            break
        following = _SENTENCE_END.search(text, end + 1)
        end = following.start() if following else len(text.rstrip())
    # sentence_spans leaves "”" after "lifetimes." to the gap between sentences (the spans are
    # what the answer decision was fitted on), so a quote of "… said: “Over time, AI …
    # lifetimes." would show an opening mark never closed.
    sentence = text[start:end]
    while end < len(text):
        mark = text[end]
        opened = (
            (mark == "”" and sentence.count("“") > sentence.count("”"))
            or (mark == '"' and sentence.count('"') % 2 == 1)
            or (mark == ")" and sentence.count("(") > sentence.count(")"))
            or (mark == "]" and sentence.count("[") > sentence.count("]"))
        )
        if not opened:
            break
        sentence += mark
        end += 1
    return end


def emphasised(text: str, start: int, end: int) -> tuple[int, int]:
    """A quote's span widened to the bold marks it holds one of, so none is shown unpaired."""
    # sentence_spans trims a line's leading "**" with its bullet (the spans are what the answer
    # decision was fitted on), so "- **June 2025** — Construction begins …" was quoted as
    # "June 2025** — Construction begins …".
    for mark in ("**", "__"):
        if text.count(mark, start, end) % 2 == 0:
            continue
        # Never before the text's start: a negative offset would read from its end.
        if start >= len(mark) and text.startswith(mark, start - len(mark)):
            start -= len(mark)
        elif text.startswith(mark, end):
            end += len(mark)
    return start, end


def headed_lists(text: str, headings: Collection[int] = ()) -> list[tuple[int, int]]:
    """Spans of lists led by a heading: a section of items ("## Version 4.1", its changes)."""
    # Plain text heads its sections with a title and a colon ("Version 4.1 (August 2026):").
    return [
        (start, end)
        for start, end in list_spans(text, headings)
        if start in headings
        or _MARKDOWN_HEADING.match(text, start) is not None
        or titled_intro(text[start : text.find("\n", start)])
        or is_underline(text[start:end].split("\n")[1])
    ]


def is_underline(line: str) -> bool:
    """True for the line of "=" or "-" under a Markdown heading (a setext heading's)."""
    return _UNDERLINE.fullmatch(line) is not None


def titled_intro(line: str) -> bool:
    """True for a list's intro that is a title and a colon ("Requirements:"), not a sentence."""
    # "The growth of data centers is being driven by:" is a sentence however short.
    title = line[:-1].split()
    return (
        line.endswith(":")
        and _is_title(line[:-1])
        and (len(title) <= 3 or capitalised_share(title, digits=True) >= 0.6)
    )


def list_spans(text: str, headings: Collection[int] = ()) -> list[tuple[int, int]]:
    """Spans of lists: an intro line (a colon or full stop at its end, or a heading), two items on.

    `headings` are the offsets of the lines the article marks as headings (Word's, HTML's).
    """
    spans = []
    lines = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)]
    for i, (start, end) in enumerate(lines):
        # "These were the biggest agreements …." over a numbered list introduces it too, and so
        # does a heading right over the items ("Priorities for 2027" in a Word letter); a plain
        # line without a stop over them may be a page's keywords ("AI Infrastructure Growth").
        line = text[start:end].rstrip()
        # A Markdown heading may be underlined instead ("Phase 1\n-------").
        underlined = i + 1 < len(lines) and is_underline(text[slice(*lines[i + 1])])
        headed = start in headings or _MARKDOWN_HEADING.match(line) is not None or underlined
        if BULLET.match(text, start, end) or not (line.endswith((":", ".")) or headed):
            continue
        first = last = i + underlined
        while last + 1 < len(lines) and BULLET.match(text, *lines[last + 1]):
            last += 1
        if last - first >= 2:
            # A heading right above the intro names what the list is of; keep it in the quote.
            # Above a sentence, the line is a byline or a paragraph of its own; past a blank
            # line, the document's title or another section's.
            colon = text[start:end].rstrip().endswith(":")
            above = lines[i - 1] if i > 0 else (0, 0)
            if (
                colon
                and i > 0
                and "\n\n" not in text[above[1] : start]
                and _is_title(text[above[0] : above[1]])
            ):
                start = above[0]
            spans.append(
                (start + len(text[start:end]) - len(text[start:end].lstrip()), lines[last][1])
            )
    return spans


@dataclass(frozen=True)
class TableRow:
    """A row of a Markdown table: its span, and its cells read under their column names."""

    start: int
    end: int
    read: str
    # The span of the whole table, header to last row, and the heading or caption above it.
    table: tuple[int, int]
    caption: str = ""

    @property
    def text(self) -> str:
        """The row as a sentence: "Chips — Buyer: xAI; Seller: Nvidia; …"."""
        return f"{self.caption} — {self.read}" if self.caption else self.read


def _cells(line: str) -> list[str]:
    return [_EMPHASIS.sub("", c).strip() for c in line.strip().strip("|").split("|")]


def table_rows(text: str) -> list[TableRow]:
    """The rows of the Markdown tables in a text ("| xAI | Nvidia |" under "| Buyer | Seller |")."""
    lines = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)]
    rows: list[TableRow] = []
    i = 0
    while i < len(lines):
        last = i - 1
        while last + 1 < len(lines) and _TABLE_ROW.fullmatch(text[slice(*lines[last + 1])]):
            last += 1
        ruled = i + 1 <= last and bool(_TABLE_RULE.fullmatch(text[slice(*lines[i + 1])]))
        # Two rows or more: a header ruled off names the columns; without one, all are values.
        body = lines[i + 2 : last + 1] if ruled else lines[i : last + 1]
        if last - i < 1 or not body:
            i = max(i, last) + 1
            continue
        names = _cells(text[slice(*lines[i])]) if ruled else []
        # The heading or caption right above a table says what its rows are ("## Chips").
        above = text[slice(*lines[i - 1])].strip().lstrip("#").strip() if i else ""
        caption = _EMPHASIS.sub("", above) if above and _is_title(above) else ""
        table = (lines[i][0], lines[last][1])
        for start, end in body:
            # "Value: $18 billion": a cell says what it is only with its column's name.
            read = "; ".join(
                f"{name}: {cell}" if name else cell
                for name, cell in zip_longest(names, _cells(text[start:end]), fillvalue="")
                if cell
            )
            offset = len(text[start:end]) - len(text[start:end].lstrip())
            rows.append(TableRow(start + offset, end, f"{read}.", table, caption))
        i = last + 1
    return rows


def table_text(rows: list[TableRow]) -> str:
    """A table's rows as one text, under its heading once."""
    read = " ".join(r.read for r in rows)
    return f"{rows[0].caption} — {read}" if rows and rows[0].caption else read


def _is_title(line: str) -> bool:
    # Looser than is_heading: any short line that ends without punctuation names a list.
    line = line.strip()
    return 0 < len(line.split()) <= 12 and line[-1] not in ".!?:;,"


def capitalised_share(words: list[str], digits: bool = False) -> float:
    """The share of words longer than three letters that start with a capital (or a digit)."""
    long_words = [w for w in words if len(w) > 3]
    capital = sum(w[0].isupper() or (digits and w[0].isdigit()) for w in long_words)
    return capital / max(1, len(long_words))


def is_heading(text: str) -> bool:
    """True for short lines, labels ending in a colon, subject lines, Markdown and Title Case."""
    words = text.split()
    # A short labelled line closed like a sentence states what its label asks ("Absent:
    # Councillor Joan Pike."); other short sentences ("He died.") were fitted on as headings.
    labelled = ":" in text[:-1] and text[-1] in ".!" and len(words) >= 3
    short = len(words) < 5 and not labelled
    if short or text.endswith(":") or _MARKDOWN_HEADING.match(text) or _SUBJECT_LINE.match(text):
        return True
    # A bracket or quote closes a sentence only after a stop: "… Rule (Project No. 58317)" is a
    # title, "(… as planned.)" a sentence.
    if text[-1] in ".!?" or (text[-1] in SENTENCE_CLOSE and text[-2:-1] in SENTENCE_CLOSE):
        return False
    return capitalised_share(words) >= 0.6


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Spans of lines that hold two or more sentences."""
    spans = []
    for m in re.finditer(r"[^\n]+", text):
        if len(sentence_spans(m.group(0))) >= 2:
            # "… regions. -": a bullet left after the last full stop is no part of the paragraph.
            trail = _TRAIL.search(text, m.start(), m.end())
            spans.append((m.start(), trail.start() if trail else m.end()))
    return spans


def _add_span(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    lead = _LEAD.match(text, start, end)
    if lead:
        start = lead.end()
    trail = _TRAIL.search(text, start, end)
    if trail:
        end = trail.start()
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))
