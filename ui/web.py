"""The Gradio web chat: streamed, cited answers, uploads, feedback. It only formats."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

# Gradio reads this when imported; without it, it reports usage to its makers over the network.
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr

from rag.collections import Collections
from rag.conversations import Conversations
from rag.engine import Engine
from rag.errors import RagError
from rag.feedback import FeedbackLog
from rag.service import add_uploads
from rag.session import ChatSession, Reply
from rag.wording import counted
from ui.render import answer_html, escape
from ui.web_docs import DocumentHandlers, document_panel
from ui.web_history import HistoryHandlers, Place

if TYPE_CHECKING:
    from ui.server import Running

ALL_ARTICLES = "All articles"
EXAMPLES = [
    "How much did Nscale raise, and at what valuation?",
    "What is OpenAI's valuation after its latest funding round?",
    "What challenges does AI infrastructure expansion face?",
    "How much will Adani invest in Indian AI data centers?",
]
UPLOAD_TYPES = [".txt", ".md", ".pdf", ".html", ".htm", ".docx"]
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

History = list[dict[str, Any]]


def status_line(engine: Engine) -> str:
    """Articles, chunks, answer mode and model, as one line."""
    try:
        status = engine.status()
    except RagError as exc:
        return f"Index unavailable: {escape(str(exc))}"
    return (
        f"Index: {counted(len(status.articles), 'article')} · {counted(status.chunks, 'chunk')} · "
        f"{status.mode} mode · {status.model}"
    )


def article_choices(engine: Engine) -> list[str]:
    """The article filter's options."""
    try:
        return [ALL_ARTICLES, *sorted(engine.sources())]
    except RagError:
        return [ALL_ARTICLES]


class ChatHandlers:
    """The functions the page's events call; each turns a request into one engine call."""

    def __init__(
        self,
        engine: Engine,
        feedback: FeedbackLog,
        uploads: Path,
        max_mb: int,
        history: HistoryHandlers | None = None,
        collections: Collections | None = None,
    ) -> None:
        self.engine = engine
        self.feedback = feedback
        self.uploads = uploads
        self.max_bytes = max_mb * 1_000_000
        self.history = history
        # Each browser picks its collection (kept in its session); engines open on first use,
        # shared with the server's other routes: an embedded collection opens once per process.
        self.collections = collections or Collections(engine)

    def _session(self, session: ChatSession | None, collection: str | None) -> ChatSession:
        """The conversation, carried on by the engine of the browser's collection."""
        engine = self.collections.engine(collection)
        if session is None or session.engine is not engine:
            # A reopened saved conversation starts on the default engine: its questions go on.
            questions = session.questions if session is not None else ()
            session = ChatSession(engine, history=questions, channel="web")
        return session

    def respond(
        self,
        message: str,
        chat: History,
        article: str,
        session: ChatSession | None,
        place: Place | None = None,
        collection: str | None = None,
    ) -> Iterator[tuple[History, str, ChatSession, Place | None]]:
        """Stream an answer into the chat, then replace it with the answer and its sources."""
        if not message or not message.strip():
            yield chat, "", session or ChatSession(self.engine, channel="web"), place
            return
        chat = [
            *chat,
            {"role": "user", "content": escape(message)},
            {"role": "assistant", "content": ""},
        ]
        try:
            session = self._session(session, collection)
        except RagError as exc:
            # The browser's collection was deleted while its page was open.
            chat[-1] = {"role": "assistant", "content": f"⚠️ {escape(str(exc))}"}
            yield chat, "", session or ChatSession(self.engine, channel="web"), place
            return
        session.source = None if article in ("", ALL_ARTICLES, None) else article
        streamed = ""
        # A language model's words are shown as they come, but as what they are: not yet
        # checked. The checked answer (or the extractive one) takes their place.
        draft = DRAFT if session.engine.mode != "extractive" else ""
        # The chat index of the reply is the key feedback on it arrives with.
        for piece in session.stream(message, key=str(len(chat) - 1)):
            if isinstance(piece, Reply):
                content = (
                    answer_html(piece.answer) if piece.answer else f"⚠️ {escape(piece.message)}"
                )
            else:
                streamed += piece
                content = draft + escape(streamed)
            chat[-1] = {"role": "assistant", "content": content}
            if isinstance(piece, Reply) and self.history is not None:
                place = self.history.save(place, chat, session)
            yield chat, "", session, place

    def vote(self, data: gr.LikeData, session: ChatSession | None) -> str:
        """Store a thumbs up or down on the answer it was given to."""
        if session is None:
            return "Feedback is kept for answers only."
        index = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
        return escape(
            session.vote(str(index), "up" if data.liked else "down", self.feedback, channel="web")
        )

    def uploads_for(self, engine: Engine) -> Path:
        """The folder a collection's uploads are saved in."""
        # Another collection's uploads get a folder of their own: the same name may differ.
        return self.uploads if engine is self.engine else self.uploads / engine.collection

    def add_documents(
        self, files: list[Any] | None, progress: gr.Progress, collection: str | None = None
    ) -> tuple[str, str, Any]:
        """Save uploads under safe names, ingest them, and say per file what happened."""
        try:
            engine = self.collections.engine(collection)
        except RagError as exc:
            return f"❌ {escape(str(exc))}", status_line(self.engine), gr.update()
        if not files:
            return "Choose one or more files first.", status_line(engine), gr.update()
        folder = self.uploads_for(engine)
        received = []
        for item in files:
            temporary = Path(getattr(item, "name", item))
            received.append((temporary, getattr(item, "orig_name", None) or temporary.name))
        results = add_uploads(
            engine,
            received,
            folder,
            self.max_bytes,
            progress=lambda items: progress.tqdm(items, desc="Indexing"),
        )
        done = {"added": "added", "updated": "updated", "unchanged": "already indexed"}
        lines = [
            f"❌ {escape(r.reason)}"
            if r.status == "failed"
            else f"✅ {escape(r.name)}: {done[r.status]}"
            + (f" ({escape(r.reason)})" if r.reason else "")
            for r in results
        ]
        choices = article_choices(engine)
        return "<br>".join(lines), status_line(engine), gr.update(choices=choices)


DRAFT = '<p class="draft"><em>Draft, being checked against the sources…</em></p>'


def build_app(engine: Engine, collections: Collections | None = None) -> gr.Blocks:
    """The chat page, wired to an engine."""
    web = engine.settings.web
    saved = Conversations(engine.settings.history.path, engine.settings.history.conversation_days)
    history = HistoryHandlers(engine, saved)
    handlers = ChatHandlers(
        engine,
        FeedbackLog(web.feedback_path),
        web.uploads_dir,
        web.max_upload_mb,
        history,
        collections,
    )
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
        status = gr.Markdown(status_line(engine), elem_id="status")
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
                names = docs.collection_names()
                # Hidden with one collection: there is nothing to choose.
                picker = gr.Dropdown(
                    names,
                    value=engine.collection,
                    label="Collection",
                    visible=len(names) > 1,
                    elem_id="collection",
                )
                article = gr.Dropdown(
                    article_choices(engine),
                    value=ALL_ARTICLES,
                    label="Ask about",
                    elem_id="article",
                )
                with gr.Accordion("Add documents", open=False):
                    files = gr.File(file_count="multiple", file_types=UPLOAD_TYPES, label="Files")
                    add = gr.Button("Add to the index", elem_id="add")
                    added = gr.Markdown("", elem_id="added")
                panel = document_panel(engine)
        inputs = [box, chatbot, article, state, place, collection]
        outputs = [chatbot, box, state, place]
        private: dict[str, Any] = {"api_visibility": "private"}
        for event in (
            box.submit(handlers.respond, inputs, outputs, api_name="ask"),
            send.click(handlers.respond, inputs, outputs, **private),
            chatbot.example_select(
                _example(handlers), [chatbot, article, state, place, collection], outputs, **private
            ),
        ):
            event.then(history.refresh, [place], [past, opened], **private)
        views = [panel.table, panel.choice, article, status]
        app.load(
            history.open_page,
            [browser, opened],
            [browser, place, past, chatbot, state, collection],
            **private,
        ).then(docs.load, [collection], [picker, *views], **private)
        past.select(
            history.reopen,
            [past, place, collection],
            [chatbot, state, place, collection, opened],
            **private,
        ).then(docs.load, [collection], [picker, *views], **private)
        cleared = [chatbot, state, place, past, opened]
        new_chat.click(history.new, [place], cleared, **private)
        # The chat's own trash icon empties the screen: the conversation must end with it, or
        # the next question would follow up on what is no longer shown.
        chatbot.clear(history.new, [place], cleared, **private)
        delete.click(history.delete, [place], cleared, **private)
        chatbot.like(handlers.vote, [state], notice, api_visibility="private")

        def add_documents(
            files: list[Any] | None,
            collection: str | None,
            progress: Any = gr.Progress(),  # noqa: B008
        ) -> Any:
            return handlers.add_documents(files, progress, collection)

        add.click(
            add_documents, [files, collection], [added, status, article], api_name="add_documents"
        ).then(docs.refresh, [collection], [panel.table, panel.choice], **private)
        asking = [panel.pending, panel.confirm_row, panel.message]
        # .input, not .change: the page load's update of the selector must not reset the chat.
        picker.input(
            docs.switch,
            [picker, place],
            [collection, chatbot, state, place, *views, *asking],
            **private,
        ).then(history.refresh, [place], [past, opened], **private)
        panel.remove.click(docs.ask_remove, [panel.choice, collection], asking, **private)
        panel.confirm.click(
            docs.confirm,
            [panel.pending, collection, article],
            [*asking, panel.table, panel.choice, article, status],
            **private,
        )
        panel.cancel.click(docs.cancel, [], asking, **private)
    blocks: gr.Blocks = app
    return blocks


def _example(handlers: ChatHandlers) -> Any:
    def ask_example(
        chat: History,
        article: str,
        session: ChatSession | None,
        place: Place | None,
        collection: str | None,
        evt: gr.SelectData,
    ) -> Iterator[tuple[History, str, ChatSession, Place | None]]:
        yield from handlers.respond(evt.value["text"], chat, article, session, place, collection)

    return ask_example


def launch(engine: Engine, host: str, port: int, block: bool = True) -> Running:
    """Serve the chat (and the APIs the settings allow) until interrupted, when blocking."""
    from ui.server import serve

    running = serve(engine, host, port)
    if block:
        running.wait()
    return running
