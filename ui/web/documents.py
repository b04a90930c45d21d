"""The web chat's document panel and collection selector: list, remove after a confirm, switch."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from rag.access import Role
from rag.engine import Engine
from rag.errors import RagError
from rag.wording import counted
from ui.web.chat import ALL_ARTICLES, ChatHandlers, article_choices, status_line
from ui.web.history import Place
from ui.web.named import Updates
from ui.web.render import escape

HEADERS = ["Title", "Source", "Chunks", "Pages"]
Rows = list[list[Any]]


def document_rows(engine: Engine) -> Rows:
    """The panel's table: one row per document, by source name."""
    try:
        documents = engine.documents()
    except RagError:
        return []
    return [
        [d.title, d.source, d.chunks, "" if d.pages is None else str(d.pages)] for d in documents
    ]


@dataclass(frozen=True)
class Panel:
    """The document panel's parts, for wiring to events."""

    table: gr.Dataframe
    choice: gr.Dropdown
    remove: gr.Button
    confirm_row: gr.Row
    confirm: gr.Button
    cancel: gr.Button
    message: gr.Markdown
    # The source a Remove press asked about: Confirm acts on it, not on a later choice.
    pending: gr.State


def document_panel() -> Panel:
    """The "Documents" accordion: the collection's documents and a confirmed Remove."""
    rows: Rows = []  # filled in when the page loads, for the login that loads it
    with gr.Accordion("Documents", open=False, elem_id="documents"):
        table = gr.Dataframe(
            rows,
            headers=HEADERS,
            datatype=["str", "str", "number", "str"],
            interactive=False,
            wrap=True,
            # The side column is narrow: all four columns fit, titles and names wrapping.
            column_widths=["32%", "27%", "22%", "19%"],
            max_height=400,
            elem_id="document-table",
        )
        choice = gr.Dropdown(
            [row[1] for row in rows],
            value=None,
            label="Document",
            allow_custom_value=True,
            elem_id="document-choice",
        )
        remove = gr.Button("Remove…", variant="secondary", elem_id="remove-document")
        with gr.Row(visible=False) as confirm_row:
            confirm = gr.Button("Confirm removal", variant="stop", elem_id="confirm-removal")
            cancel = gr.Button("Cancel", elem_id="cancel-removal")
        message = gr.Markdown("", elem_id="removal")
    return Panel(table, choice, remove, confirm_row, confirm, cancel, message, gr.State(None))


class DocumentHandlers:
    """The functions the document panel's and the collection selector's events call."""

    def __init__(self, chat: ChatHandlers) -> None:
        self.chat = chat

    def picker(self, collection: str | None, request: gr.Request | None = None) -> Any:
        """The selector of the collections this login may read, shown when there are several."""
        try:
            scope = self.chat.scope(request)
            names = scope.names()
            default = scope.default()
        except RagError:
            names, default = [], None
        value = collection if collection in names else default
        return gr.update(choices=names, value=value, visible=len(names) > 1)

    def load(self, collection: str | None, request: gr.Request | None = None) -> Updates:
        """On page load: the selector, then the panel, filter and status of its collection."""
        return {"picker": self.picker(collection, request), **self._views(collection, request)}

    def refresh(self, collection: str | None, request: gr.Request | None = None) -> Updates:
        """The table and the removal choices, after documents were added."""
        views = self._views(collection, request)
        return {"table": views["table"], "choice": views["choice"]}

    def ask_remove(
        self, source: str | None, collection: str | None, request: gr.Request | None = None
    ) -> Updates:
        """Step one of removing: say what would go and show Confirm / Cancel; nothing changes."""
        if not source:
            return _asking(None, "Choose a document to remove first.")
        try:
            engine = self.chat.scope(request).engine(collection, Role.EDITOR)
            found = [d for d in engine.documents() if d.source == source]
        except RagError as exc:
            return _asking(None, escape(str(exc)))
        if not found:
            return _asking(None, f"{escape(source)} is no longer in the index.")
        doc = found[0]
        return _asking(
            source,
            f"Remove **{escape(doc.title)}** ({escape(source)}, "
            f"{counted(doc.chunks, 'chunk')}) from "
            f"the collection {escape(engine.collection)}? Its passages can no longer be cited. "
            "A file uploaded here is deleted with it; one ingested from a folder of yours stays.",
        )

    def confirm(
        self,
        pending: str | None,
        collection: str | None,
        article: str | None,
        request: gr.Request | None = None,
    ) -> Updates:
        """Step two: remove the document asked about, then refresh everything that lists it."""
        message = "Nothing to remove: choose a document and press Remove first."
        if pending:
            try:
                scope = self.chat.scope(request)
                removed, deleted = scope.remove_document(pending, collection, self.chat.uploads)
                message = (
                    f"Removed {escape(removed.source)} ({counted(removed.chunks, 'chunk')})"
                    + (", and deleted its uploaded file." if deleted else ".")
                )
            except RagError as exc:
                message = escape(str(exc))
        views = self._views(collection, request)
        if article == pending:
            # The filter must not stay on a document that is gone.
            views["article"] = gr.update(choices=views["article"]["choices"], value=ALL_ARTICLES)
        return {**_asking(None, message), **views}

    def cancel(self) -> Updates:
        """Drop the pending removal."""
        return _asking(None, "Nothing was removed.")

    def switch(
        self, name: str | None, place: Place | None, request: gr.Request | None = None
    ) -> Updates:
        """Answer from another collection: a new conversation, its documents and its filter."""
        place = {**place, "conversation": ""} if place else place
        views = self._views(name, request)
        views["article"] = gr.update(choices=views["article"]["choices"], value=ALL_ARTICLES)
        # A removal asked about in the other collection is dropped with it.
        return {
            "collection": name,
            "chat": [],
            "session": None,
            "place": place,
            **views,
            **_asking(None, ""),
        }

    def _views(self, collection: str | None, request: gr.Request | None) -> Updates:
        """A collection's table, removal choices, article filter, status and editing controls."""
        try:
            scope = self.chat.scope(request)
            engine = scope.engine(collection)
        except RagError as exc:
            # The collection was deleted while the page was open: say so where the status is.
            return {
                "table": [],
                "choice": gr.update(choices=[], value=None),
                "article": gr.update(choices=[ALL_ARTICLES], value=ALL_ARTICLES),
                "status": escape(str(exc)),
                "adding": gr.update(visible=False),
                "remove": gr.update(visible=False),
            }
        rows = document_rows(engine)
        # A reader is not offered what it may not do; the handlers check the role all the same.
        editor = scope.principal.can(engine.collection, Role.EDITOR)
        return {
            "table": rows,
            "choice": gr.update(choices=[row[1] for row in rows], value=None),
            "article": gr.update(choices=article_choices(engine)),
            "status": status_line(engine),
            "adding": gr.update(visible=editor),
            "remove": gr.update(visible=editor),
        }


def _asking(pending: str | None, message: str) -> Updates:
    """The removal's pending source, whether Confirm / Cancel show, and what the panel says."""
    return {
        "pending": pending,
        "confirm_row": gr.update(visible=pending is not None),
        "removal": message,
    }
