"""The chat page: its layout, and which handler each of its events calls."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

# Gradio reads this when imported; without it, it reports usage to its makers over the network.
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr

from rag.conversations import Conversations
from rag.engine import Engine
from rag.feedback import FeedbackLog
from rag.jobs import Jobs
from rag.session import ChatSession
from ui.door import Gate
from ui.web.chat import ALL_ARTICLES, EXAMPLES, UPLOAD_TYPES, ChatHandlers
from ui.web.documents import DocumentHandlers, document_panel
from ui.web.history import History, HistoryHandlers, Place
from ui.web.named import Updates, wire

CSS = """
.source blockquote { margin: .3rem 0 .3rem .5rem; }
.source mark { background: #fff3a3; }
#status { font-size: .9rem; color: #555; }
/* The side column is narrow: a proportional font, and headers that stay whole. */
#document-table .cell-wrap, #document-table .header-content span {
  font-family: var(--font); font-size: .8rem;
}
#document-table .header-content span { white-space: nowrap; }
#document-table th, #document-table td, #document-table .cell-wrap {
  padding-left: 3px; padding-right: 3px;
}
#document-table .cell-menu-button { display: none; }
#document-table .cell-wrap { overflow-wrap: anywhere; }
"""

# Events the page calls itself: not offered as named endpoints of its API.
_PRIVATE: dict[str, Any] = {"api_visibility": "private"}


def build_app(engine: Engine, gate: Gate | None = None, jobs: Jobs | None = None) -> gr.Blocks:
    """The chat page, wired to an engine; with a gate, each request is of its login."""
    web = engine.settings.web
    saved = Conversations(engine.settings.history.path, engine.settings.history.conversation_days)
    handlers = ChatHandlers(
        engine,
        FeedbackLog(web.feedback_path),
        web.uploads_dir,
        None,
        gate,
        jobs,
    )
    history = handlers.history = HistoryHandlers(engine, saved, _owner(handlers))
    docs = DocumentHandlers(handlers)
    with gr.Blocks(title="AI-infrastructure news — cited answers", analytics_enabled=False) as app:
        # A random id per browser, kept (encrypted) in its localStorage: its conversations' key.
        browser = gr.BrowserState("", storage_key="rag-news-browser", secret=saved.secret())
        # The conversation open in this browser, reopened when the page is reloaded.
        opened = gr.BrowserState({}, storage_key="rag-news-open", secret=saved.secret())
        place = gr.State(None)
        with gr.Sidebar(label="Conversations", elem_id="conversations"):
            new_chat = gr.Button("New conversation", elem_id="new-conversation")
            past = gr.Radio([], label="Saved conversations", elem_id="saved")
            delete = gr.Button("Delete this conversation", elem_id="delete-conversation")
        gr.Markdown(
            "## Ask the AI-infrastructure articles\nEvery answer cites the passages it quotes."
        )
        # Filled in when the page loads, for the login that loads it.
        status = gr.Markdown("", elem_id="status")
        state = gr.State(None)
        # The browser's collection (None: the default one), per session, never global.
        collection = gr.State(None)
        with gr.Row():
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(
                    label="Chat",
                    height=560,
                    latex_delimiters=[],
                    feedback_options=("Like", "Dislike"),
                    placeholder="**Ask a question about the articles.** Try one of these:",
                    examples=[{"text": q} for q in EXAMPLES],
                    elem_id="chat",
                )
                with gr.Row():
                    box = gr.Textbox(
                        placeholder="Ask about the articles…",
                        show_label=False,
                        scale=5,
                        elem_id="question",
                        max_lines=6,
                    )
                    send = gr.Button("Send", variant="primary", scale=1, elem_id="send")
                notice = gr.Markdown("", elem_id="notice")
            with gr.Column(scale=1):
                # Hidden until the page loads and finds more than one collection to choose from.
                # Choices differ per login, so a value is checked by the engine's scope, not here.
                picker = gr.Dropdown(
                    [],
                    value=None,
                    label="Collection",
                    visible=False,
                    allow_custom_value=True,
                    elem_id="collection",
                )
                article = gr.Dropdown(
                    [ALL_ARTICLES],
                    value=ALL_ARTICLES,
                    allow_custom_value=True,
                    label="Ask about",
                    elem_id="article",
                )
                with gr.Accordion("Add documents", open=False, elem_id="adding") as adding:
                    files = gr.File(file_count="multiple", file_types=UPLOAD_TYPES, label="Files")
                    add = gr.Button("Add to the index", elem_id="add")
                    added = gr.Markdown("", elem_id="added")
                panel = document_panel()
        turn = {"chat": chatbot, "box": box, "session": state, "place": place}
        sidebar = {"past": past, "opened": opened}
        cleared = {"chat": chatbot, "session": state, "place": place, **sidebar}
        views = {
            "table": panel.table,
            "choice": panel.choice,
            "article": article,
            "status": status,
            "adding": adding,
            "remove": panel.remove,
        }
        asking = {
            "pending": panel.pending,
            "confirm_row": panel.confirm_row,
            "removal": panel.message,
        }
        inputs = [box, chatbot, article, state, place, collection]
        for event in (
            wire(box.submit, handlers.respond, inputs, turn, api_name="ask"),
            wire(send.click, handlers.respond, inputs, turn, **_PRIVATE),
            wire(
                chatbot.example_select,
                _sent(handlers, lambda example: str(example["text"])),
                [chatbot, article, state, place, collection],
                turn,
                **_PRIVATE,
            ),
            wire(
                chatbot.option_select,
                _sent(handlers, str),
                [chatbot, article, state, place, collection],
                turn,
                **_PRIVATE,
            ),
        ):
            wire(event.then, history.refresh, [place], sidebar, **_PRIVATE)
        opening = {
            "browser": browser,
            "place": place,
            "past": past,
            "chat": chatbot,
            "session": state,
            "collection": collection,
        }
        loaded = wire(app.load, history.open_page, [browser, opened], opening, **_PRIVATE)
        on_load = {"picker": picker, **views}
        wire(loaded.then, docs.load, [collection], on_load, **_PRIVATE)
        reopened = {**cleared, "collection": collection}
        del reopened["past"]
        picked = wire(past.select, history.reopen, [past, place, collection], reopened, **_PRIVATE)
        wire(picked.then, docs.load, [collection], on_load, **_PRIVATE)
        wire(new_chat.click, history.new, [place], cleared, **_PRIVATE)
        # The chat's own trash icon empties the screen: the conversation must end with it, or
        # the next question would follow up on what is no longer shown.
        wire(chatbot.clear, history.new, [place], cleared, **_PRIVATE)
        wire(delete.click, history.delete, [place], cleared, **_PRIVATE)
        chatbot.like(handlers.vote, [state], notice, **_PRIVATE)

        def add_documents(
            files: list[Any] | None,
            collection: str | None,
            request: gr.Request,
            progress: Any = gr.Progress(),  # noqa: B008
        ) -> Updates:
            return handlers.add_documents(files, progress, collection, request)

        upload = {"added": added, "status": status, "article": article}
        uploaded = wire(
            add.click, add_documents, [files, collection], upload, api_name="add_documents"
        )
        refreshed = {"table": panel.table, "choice": panel.choice}
        wire(uploaded.then, docs.refresh, [collection], refreshed, **_PRIVATE)
        # .input, not .change: the page load's update of the selector must not reset the chat.
        switched = {
            "collection": collection,
            "chat": chatbot,
            "session": state,
            "place": place,
            **views,
            **asking,
        }
        moved = wire(picker.input, docs.switch, [picker, place], switched, **_PRIVATE)
        wire(moved.then, history.refresh, [place], sidebar, **_PRIVATE)
        wire(panel.remove.click, docs.ask_remove, [panel.choice, collection], asking, **_PRIVATE)
        wire(
            panel.confirm.click,
            docs.confirm,
            [panel.pending, collection, article],
            {**asking, **views},
            **_PRIVATE,
        )
        wire(panel.cancel.click, docs.cancel, [], asking, **_PRIVATE)
    blocks: gr.Blocks = app
    return blocks


def _owner(handlers: ChatHandlers) -> Any:
    def owner(request: gr.Request | None) -> str | None:
        # A user's conversations follow the login; a key's or this machine's, the browser.
        principal = handlers.scope(request).principal
        return f"user:{principal.name}" if principal.kind == "user" else None

    return owner


def _sent(handlers: ChatHandlers, text_of: Callable[[Any], str]) -> Any:
    """A handler for a click that sends a message, as if typed: an example, an offer's button."""

    def send(
        chat: History,
        article: str,
        session: ChatSession | None,
        place: Place | None,
        collection: str | None,
        evt: gr.SelectData,
        request: gr.Request,
    ) -> Iterator[Updates]:
        yield from handlers.respond(
            text_of(evt.value), chat, article, session, place, collection, request
        )

    return send
