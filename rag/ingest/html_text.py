"""HTML's text, title and headings, read as a stream of tags with no tree kept."""

# The text is what BeautifulSoup's "html.parser" gave (the same tokenizer, the strings outside
# script, style, noscript and template and outside the first title, one line each), at a fifth of
# the time and with no tree kept. A saved news page also holds menus, a footer, sidebars and
# buttons ("Subscribe now!"): their text is left out, and so is all text outside the page's <main>
# or <article> when it marks one.

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

from rag.ingest.limits import TextBudget

_SKIPPED = frozenset({"script", "style", "noscript", "template"})
# A page's furniture, not its article: menus, the page's footer, sidebars, buttons, dialogs.
# Not <form>: some sites wrap the whole page in one.
_FURNITURE = frozenset({"nav", "footer", "aside", "button", "dialog"})
# Where a page marks its content: with one, the text outside it is furniture too.
_CONTENT = frozenset({"main", "article"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_FEED = 64 * 1024


@dataclass
class HtmlText:
    """Non-empty lines of text, the first title's text, the first h1's, and every heading's."""

    lines: list[str] = field(default_factory=list)
    title: str = ""
    h1: str | None = None
    headings: list[str] = field(default_factory=list)


def read_html(markup: str, budget: TextBudget) -> HtmlText:
    """The text of the markup, fed in pieces; DocumentLimitError once it is over the limit."""
    reader = _Reader(budget)
    for start in range(0, len(markup), _FEED):
        reader.feed(markup[start : start + _FEED])
    reader.close()
    return reader.found


class _Reader(HTMLParser):
    def __init__(self, budget: TextBudget) -> None:
        super().__init__(convert_charrefs=True)
        self.budget = budget
        self.found = HtmlText()
        self.skipping = 0
        self.in_title = False
        self.titled = False
        self.title: list[str] = []
        self.h1: int | None = None
        # Open headings: tag, place in the list of headings, and the stripped strings so far.
        self.open: list[tuple[str, int, list[str]]] = []
        # Text arrives in pieces (feed boundaries): one string is what lies between two tags.
        self.pending: list[str] = []
        # Furniture and content elements open, each tag's own stack of where its lines start;
        # the lines of each one closed. An element never closed marks nothing, so a stray
        # "<nav>" loses no article.
        self.starts: dict[str, list[int]] = {tag: [] for tag in _FURNITURE | _CONTENT}
        self.furniture: list[tuple[int, int]] = []
        self.content: list[tuple[int, int]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._flush()
        if tag in self.starts:
            self.starts[tag].append(len(self.found.lines))
        if tag in _SKIPPED:
            self.skipping += 1
        elif tag == "title" and not self.titled and not self.skipping:
            self.in_title = True
        elif tag in _HEADINGS and not self.skipping:
            # Listed where it starts, as a tree lists it; its text is known where it ends.
            self.open.append((tag, len(self.found.headings), []))
            self.found.headings.append("")
            if tag == "h1" and self.h1 is None:
                self.h1 = len(self.found.headings) - 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # <br/> and the like hold no text; a self-closed <script/> opens nothing.
        self._flush()

    def handle_endtag(self, tag: str) -> None:
        self._flush()
        if self.starts.get(tag):
            marked = self.furniture if tag in _FURNITURE else self.content
            marked.append((self.starts[tag].pop(), len(self.found.lines)))
        if tag in _SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag == "title" and self.in_title:
            self.in_title, self.titled = False, True
            self.found.title = " ".join(self.title)
        elif tag in _HEADINGS:
            for i in range(len(self.open) - 1, -1, -1):
                if self.open[i][0] == tag:
                    # An end tag closes the headings opened inside it too, as a tree would.
                    for _, place, words in self.open[i:]:
                        self.found.headings[place] = " ".join(words)
                    del self.open[i:]
                    break

    def handle_data(self, data: str) -> None:
        self.pending.append(data)

    def close(self) -> None:
        super().close()
        self._flush()
        if self.in_title:
            self.found.title = " ".join(self.title)
        for _, place, words in self.open:
            self.found.headings[place] = " ".join(words)
        self.open.clear()
        if self.h1 is not None:
            self.found.h1 = self.found.headings[self.h1]
        self.found.lines = _article(self.found.lines, self.furniture, self.content)

    def _flush(self) -> None:
        if not self.pending:
            return
        string = "".join(self.pending)
        self.pending.clear()
        if self.skipping:
            return
        if self.in_title:
            if string.strip():
                self.title.append(string.strip())
            return
        for _, _, words in self.open:
            if string.strip():
                words.append(string.strip())
        for line in string.splitlines():
            if line := line.strip():
                self.found.lines.append(self.budget.take(line))


def _article(
    lines: list[str], furniture: list[tuple[int, int]], content: list[tuple[int, int]]
) -> list[str]:
    """The lines of the page's content without its furniture, else the page's without it."""
    dropped = _within(len(lines), furniture)
    inside = _within(len(lines), content)
    kept = [
        line for line, out, main in zip(lines, dropped, inside, strict=True) if main and not out
    ]
    # A page all furniture (or marked oddly) keeps its text: a menu is better than nothing.
    return kept or [line for line, out in zip(lines, dropped, strict=True) if not out] or lines


def _within(count: int, spans: list[tuple[int, int]]) -> list[bool]:
    """For each of count lines, whether a span holds it (spans as start and end indexes)."""
    depth = [0] * (count + 1)
    for start, end in spans:
        depth[start] += 1
        depth[end] -= 1
    held, running = [], 0
    for step in depth[:count]:
        running += step
        held.append(running > 0)
    return held
