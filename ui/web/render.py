"""Answers as chat HTML: escaped text, numbered sources, the cited sentence highlighted."""

from __future__ import annotations

import html

from rag.types import Answer, Citation, Passage
from ui.web.sources import source_url

# Markdown would act on these even inside the answer; entities show them literally.
_MARKDOWN = str.maketrans(
    {
        "*": "&#42;",
        "_": "&#95;",
        "[": "&#91;",
        "]": "&#93;",
        "`": "&#96;",
        "#": "&#35;",
        "$": "&#36;",
        "|": "&#124;",
        "~": "&#126;",
        "\\": "&#92;",
    }
)
_CONTEXT = 120


def escape(text: str) -> str:
    """Text safe to put in a chat message: no HTML, no Markdown, no maths."""
    # quote=False: the text goes into element content only, and &#x27; would meet the # rule.
    return html.escape(text, quote=False).translate(_MARKDOWN)


def _highlighted(passage: Passage, citation: Citation, context: int | None) -> str:
    offset = citation.start - passage.start
    before = passage.text[:offset]
    after = passage.text[offset + len(citation.text) :]
    if context is not None:
        before = ("…" if len(before) > context else "") + before[-context:]
        after = after[:context] + ("…" if len(after) > context else "")
    return (f"{escape(before)}<mark>{escape(citation.text)}</mark>{escape(after)}").replace(
        "\n", "<br>"
    )


def _open_link(collection: str, citation: Citation, passage: Passage) -> str:
    if not collection:
        return ""
    # Quoted, the URL holds no quote marks; escape() makes its # and _ inert for Markdown.
    url = escape(source_url(collection, citation, passage.chunk_id))
    return (
        f' · <a class="open-source" href="{url}" target="_blank" rel="noopener">Open the source</a>'
    )


def sources_html(answer: Answer) -> str:
    """The numbered sources of an answer, each with its passage and the whole chunk on demand."""
    parts = []
    for c in answer.citations:
        passage = answer.retrieved[c.rank - 1]
        parts.append(
            f'<div class="source" id="source-{c.n}"><p><strong>[{c.n}]</strong> '
            f"{escape(c.title)} — <code>{escape(c.source)}</code>"
            + (f" · {escape(c.place)}" if c.place else "")
            + _open_link(answer.collection, c, passage)
            + "</p>"
            f"<blockquote>{_highlighted(passage, c, _CONTEXT)}</blockquote>"
            "<details><summary>Read the whole passage</summary>"
            f"<p>{_highlighted(passage, c, None)}</p></details></div>"
        )
    return "".join(parts)


def answer_html(answer: Answer) -> str:
    """The whole chat message: notices, the answer with its [n] markers, then the sources."""
    notices = "".join(f"<p><em>{escape(n)}</em></p>" for n in answer.notices)
    if searched := answer.searched_as():
        notices = f"<p><small>Searched as “{escape(searched)}”</small></p>{notices}"
    body = f"{notices}<p>{escape(answer.text)}</p>"
    if answer.citations:
        body += f"<p><strong>Sources</strong></p>{sources_html(answer)}"
    elif answer.declined and answer.retrieved:
        closest = ", ".join(
            f"{escape(p.title)} (<code>{escape(p.source)}</code>)" for p in answer.retrieved[:3]
        )
        body += f"<p><small>Closest passages, not used: {closest}</small></p>"
    return body
