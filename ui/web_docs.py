"""The web chat's document panel and collection selector: list, remove after a confirm, switch."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import gradio as gr

from rag.engine import Engine
from rag.errors import RagError
from rag.service import remove_document
from rag.wording import counted
from ui.render import escape
from ui.web_history import History, Place

if TYPE_CHECKING:
    from ui.web import ChatHandlers

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


def document_panel(engine: Engine) -> Panel:
    """The "Documents" accordion: the collection's documents and a confirmed Remove."""
    rows = document_rows(engine)
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
            [row[1] for row in rows], value=None, label="Document", elem_id="document-choice"
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

    def collection_names(self) -> list[str]:
        """The selector's choices: the store's collections, and the default one always."""
        default = self.chat.engine.collection
        try:
            names = self.chat.collections.names()
        except RagError:
            names = []
        return sorted({default, *names})

    def picker(self, collection: str | None) -> Any:
        """The selector, shown only when there is more than one collection to choose from."""
        names = self.collection_names()
        value = collection if collection in names else self.chat.engine.collection
        return gr.update(choices=names, value=value, visible=len(names) > 1)

    def load(self, collection: str | None) -> tuple[Any, Rows, Any, Any, str]:
        """On page load: the selector, then the panel, filter and status of its collection."""
        return self.picker(collection), *self._views(collection)

    def refresh(self, collection: str | None) -> tuple[Rows, Any]:
        """The table and the removal choices, after documents were added."""
        rows, choices, _, _ = self._views(collection)
        return rows, choices

    def ask_remove(self, source: str | None, collection: str | None) -> tuple[str | None, Any, str]:
        """Step one of removing: say what would go and show Confirm / Cancel; nothing changes."""
        if not source:
            return None, gr.update(visible=False), "Choose a document to remove first."
        try:
            engine = self.chat.collections.engine(collection)
            found = [d for d in engine.documents() if d.source == source]
        except RagError as exc:
            return None, gr.update(visible=False), escape(str(exc))
        if not found:
            return None, gr.update(visible=False), f"{escape(source)} is no longer in the index."
        doc = found[0]
        return (
            source,
            gr.update(visible=True),
            f"Remove **{escape(doc.title)}** ({escape(source)}, "
            f"{counted(doc.chunks, 'chunk')}) from "
            f"the collection {escape(engine.collection)}? Its passages can no longer be cited. "
            "A file uploaded here is deleted with it; one ingested from a folder of yours stays.",
        )

    def confirm(
        self, pending: str | None, collection: str | None, article: str | None
    ) -> tuple[None, Any, str, Rows, Any, Any, str]:
        """Step two: remove the document asked about, then refresh everything that lists it."""
        from ui.web import ALL_ARTICLES

        message = "Nothing to remove: choose a document and press Remove first."
        if pending:
            try:
                engine = self.chat.collections.engine(collection)
                removed, deleted = remove_document(engine, pending, self.chat.uploads_for(engine))
                message = (
                    f"Removed {escape(removed.source)} ({counted(removed.chunks, 'chunk')})"
                    + (", and deleted its uploaded file." if deleted else ".")
                )
            except RagError as exc:
                message = escape(str(exc))
        rows, choices, articles, status = self._views(collection)
        if article == pending:
            # The filter must not stay on a document that is gone.
            articles = gr.update(choices=articles["choices"], value=ALL_ARTICLES)
        return None, gr.update(visible=False), message, rows, choices, articles, status

    def cancel(self) -> tuple[None, Any, str]:
        """Drop the pending removal."""
        return None, gr.update(visible=False), "Nothing was removed."

    def switch(
        self, name: str | None, place: Place | None
    ) -> tuple[str | None, History, None, Place | None, Rows, Any, Any, str, None, Any, str]:
        """Answer from another collection: a new conversation, its documents and its filter."""
        from ui.web import ALL_ARTICLES

        place = {**place, "conversation": ""} if place else place
        rows, choices, articles, status = self._views(name)
        articles = gr.update(choices=articles["choices"], value=ALL_ARTICLES)
        # A removal asked about in the other collection is dropped with it.
        return name, [], None, place, rows, choices, articles, status, *self.cancel()[:2], ""

    def _views(self, collection: str | None) -> tuple[Rows, Any, Any, str]:
        """Table, removal choices, article filter and status line of a collection."""
        from ui.web import ALL_ARTICLES, article_choices, status_line

        try:
            engine = self.chat.collections.engine(collection)
        except RagError as exc:
            # The collection was deleted while the page was open: say so where the status is.
            nothing = gr.update(choices=[ALL_ARTICLES], value=ALL_ARTICLES)
            return [], gr.update(choices=[], value=None), nothing, escape(str(exc))
        rows = document_rows(engine)
        sources = [row[1] for row in rows]
        return (
            rows,
            gr.update(choices=sources, value=None),
            gr.update(choices=article_choices(engine)),
            status_line(engine),
        )
