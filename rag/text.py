"""Word terms, stop words and sentence spans shared by sparse vectors and answer scoring."""

from __future__ import annotations

import re
from functools import lru_cache

_WORD = re.compile(r"[a-z0-9]+(?:[.,][0-9]+)*", re.IGNORECASE)
# A sentence ends at . ! ? (optionally closed by a quote or bracket) before a capital, digit,
# quote or currency sign; line breaks always end one, since the articles put a paragraph a line.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+(?=[A-Z0-9\"“‘$€£(])|\n+")
_LEAD = re.compile(r"[\s\-–—•*·]+")

STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each few
    for from further had has have having he her here hers herself him himself his how i if in
    into is it its itself just me more most my myself no nor not now of off on once only or
    other our ours ourselves out over own same she should so some such than that the their
    theirs them themselves then there these they this those through to too under until up
    very was we were what when where which while who whom why will with would you your yours
    yourself yourselves tell say said says according article articles mention mentioned
    much many give given""".split()
)
QUESTION_WORDS = frozenset("what when where which who whom whose why how".split())


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Fold a lower-case word to a crude stem so that plural and verb forms meet."""
    if word[0].isdigit() or len(word) <= 3:
        return word
    for suffix, keep in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith("ss"):
                return word
            return word[: len(word) - len(suffix)] + keep
    return word


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
        _add_span(text, start, match.start(), spans)
        start = match.end()
    _add_span(text, start, len(text), spans)
    return spans


def _add_span(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    lead = _LEAD.match(text, start, end)
    if lead:
        start = lead.end()
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))
