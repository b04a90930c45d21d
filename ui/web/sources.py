"""Open the source: a cited PDF as itself, a text document whole with the quote highlighted."""

from __future__ import annotations

import html
import secrets
from urllib.parse import quote, urlencode

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from rag.errors import (
    CollectionError,
    DocumentNotFoundError,
    ForbiddenError,
    OriginalGoneError,
    RagError,
)
from rag.originals import find_original
from rag.types import Citation
from ui.door import Access

PREFIX = "/source"
QUOTE_ID = "quote"
_STYLE = """
body { font: 16px/1.55 system-ui, sans-serif; max-width: 46rem; margin: 2rem auto;
       padding: 0 1rem; color: #222; }
header p { color: #555; }
pre { white-space: pre-wrap; font: inherit; }
mark { background: #fff3a3; scroll-margin-top: 30vh; }
"""


def source_url(collection: str, citation: Citation, chunk: str | None = None) -> str:
    """Where "Open the source" goes: a PDF at the cited page, else the highlighted text."""
    path = f"{PREFIX}/{quote(collection, safe='')}/{quote(citation.source, safe='')}"
    if citation.source.lower().endswith(".pdf"):
        query = urlencode({"chunk": chunk}) if chunk else ""
        fragment = f"#page={citation.page}" if citation.page is not None else ""
        return f"{path}{'?' + query if query else ''}{fragment}"
    params = {"start": citation.start, "end": citation.end, **({"chunk": chunk} if chunk else {})}
    return f"{path}?{urlencode(params)}#{QUOTE_ID}"


def router() -> APIRouter:
    """The route that serves ingested documents, to readers of their collection."""
    routes = APIRouter()

    @routes.get(PREFIX + "/{collection}/{source}", include_in_schema=False)
    def open_source(
        scope: Access,
        collection: str,
        source: str,
        start: str | None = None,
        end: str | None = None,
        chunk: str | None = None,
    ) -> Response:
        try:
            try:
                # Unreadable is said as missing: naming a collection must not reveal it.
                engine = scope.engine(collection)
            except (CollectionError, ForbiddenError):
                return page(404, "Not found", escape(f"No collection named {collection!r}."))
            original = find_original(engine, source, chunk)
            if original.is_pdf:
                return Response(
                    original.data,
                    media_type="application/pdf",
                    headers={
                        "Content-Disposition": f"inline; filename*=UTF-8''{quote(source)}",
                        **_HEADERS,
                    },
                )
            doc = original.document()
        except DocumentNotFoundError as exc:
            return page(404, "Not found", escape(str(exc)))
        except OriginalGoneError as exc:
            return page(410, "No longer available", escape(str(exc)))
        except RagError as exc:
            return page(503, "Cannot open the document", escape(str(exc)))
        span = _span(start, end, len(doc.text))
        if isinstance(span, str):
            return page(400, "Bad link", escape(span))
        return _document(doc.title, source, collection, doc.text, span)

    return routes


def _span(start: str | None, end: str | None, length: int) -> tuple[int, int] | str | None:
    """The quote's offsets, None for no quote, or why they don't fit the text."""
    if start is None and end is None:
        return None
    try:
        first, last = int(start or ""), int(end or "")
    except ValueError:
        return "start and end must both be character offsets (whole numbers)."
    if not 0 <= first < last <= length:
        return (
            f"Characters {first}–{last} are not a passage of this document "
            f"({length} characters long)."
        )
    return first, last


def _document(
    title: str, source: str, collection: str, text: str, span: tuple[int, int] | None
) -> HTMLResponse:
    nonce = secrets.token_urlsafe(16)
    if span is None:
        body, where = escape(text), ""
    else:
        first, last = span
        body = (
            f"{escape(text[:first])}<mark id={QUOTE_ID}>{escape(text[first:last])}</mark>"
            f"{escape(text[last:])}"
        )
        where = f" · the quote: characters {first}–{last}"
    script = (
        ""
        if span is None
        # The fragment scrolls the quote to the top; this centres it in the window.
        else f'<script nonce="{nonce}">document.getElementById("{QUOTE_ID}")'
        '.scrollIntoView({block: "center"});</script>'
    )
    content = (
        f"<header><h1>{escape(title)}</h1><p><code>{escape(source)}</code> · collection "
        f"{escape(collection)}{where}</p></header><main><pre>{body}</pre></main>{script}"
    )
    return _html(200, f"{title} — {source}", content, nonce)


def page(status: int, heading: str, message: str) -> HTMLResponse:
    """A small HTML page saying what went wrong (message is HTML, already escaped)."""
    return _html(status, heading, f"<h1>{escape(heading)}</h1><p>{message}</p>")


def escape(text: str) -> str:
    """Text safe in an HTML element's content or a quoted attribute."""
    return html.escape(text, quote=True)


_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    # Behind a login, a shared cache must not keep a copy.
    "Cache-Control": "private, no-cache",
}


def _html(status: int, title: str, content: str, nonce: str | None = None) -> HTMLResponse:
    scripts = f"'nonce-{nonce}'" if nonce else "'none'"
    return HTMLResponse(
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body>{content}</body></html>",
        status_code=status,
        headers={
            # The document's own text is shown, never run: no scripts but the one we wrote.
            "Content-Security-Policy": (
                f"default-src 'none'; style-src 'unsafe-inline'; script-src {scripts}"
            ),
            **_HEADERS,
        },
    )
