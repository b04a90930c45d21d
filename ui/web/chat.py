"""The chat's handlers: streamed, cited answers, uploads and feedback. They only format."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# Gradio reads this when imported; without it, it reports usage to its makers over the network.
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr

from rag.access import LOCAL, Role, Scope
from rag.collections import Collections
from rag.engine import Engine
from rag.errors import AuthenticationError, RagError
from rag.feedback import FeedbackLog
from rag.jobs import Jobs
from rag.service import uploads_folder
from rag.session import ChatSession, Reply
from rag.wording import counted
from ui.door import Gate
from ui.web.history import History, HistoryHandlers, Place
from ui.web.named import Updates
from ui.web.render import answer_html, escape

ALL_ARTICLES = "All articles"
EXAMPLES = [
    "How much did Nscale raise, and at what valuation?",
    "What is OpenAI's valuation after its latest funding round?",
    "What challenges does AI infrastructure expansion face?",
    "How much will Adani invest in Indian AI data centers?",
]
UPLOAD_TYPES = [".txt", ".md", ".pdf", ".html", ".htm", ".docx"]


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
        history: HistoryHandlers | None = None,
        gate: Gate | None = None,
        jobs: Jobs | None = None,
    ) -> None:
        self.engine = engine
        self.feedback = feedback
        self.uploads = uploads
        self.history = history
        self.gate = gate
        # The server's one writer: uploads are its jobs. None: ingested here, in this call.
        self.jobs = jobs
        # Each browser picks its collection (kept in its session); engines open on first use,
        # shared with the server's other routes: an embedded collection opens once per process.
        self.collections = gate.collections if gate is not None else Collections(engine)

    def scope(self, request: gr.Request | None) -> Scope:
        """What the browser's login may see and do; without a server's door, this machine's."""
        if self.gate is None:
            return Scope(LOCAL, self.collections)
        if request is None:
            raise AuthenticationError("Log in first.")
        return self.gate.scope_of(request.headers)

    def _session(
        self, session: ChatSession | None, collection: str | None, request: gr.Request | None
    ) -> ChatSession:
        """The conversation, carried on by the engine of the browser's collection."""
        engine = self.scope(request).engine(collection)
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
        request: gr.Request | None = None,
    ) -> Iterator[Updates]:
        """Stream an answer into the chat, then replace it with the answer and its sources."""
        if not message or not message.strip():
            yield _turn(chat, session or ChatSession(self.engine, channel="web"), place)
            return
        chat = [
            # An offer's buttons go with the next turn: a later click would answer another reply.
            *({k: v for k, v in m.items() if k != "options"} for m in chat),
            {"role": "user", "content": escape(message)},
            {"role": "assistant", "content": ""},
        ]
        try:
            session = self._session(session, collection, request)
        except RagError as exc:
            # The browser's collection was deleted while its page was open.
            chat[-1] = {"role": "assistant", "content": f"⚠️ {escape(str(exc))}"}
            yield _turn(chat, session or ChatSession(self.engine, channel="web"), place)
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
            if isinstance(piece, Reply) and piece.answer and piece.answer.did_you_mean:
                # "Did you mean “How much did Nscale raise?”": answered by a click as by typing.
                chat[-1]["options"] = offer_options(piece.answer.did_you_mean)
            if isinstance(piece, Reply) and self.history is not None:
                place = self.history.save(place, chat, session)
            yield _turn(chat, session, place)

    def vote(self, data: gr.LikeData, session: ChatSession | None) -> str:
        """Store a thumbs up or down on the answer it was given to."""
        if session is None:
            return "Feedback is kept for answers only."
        index = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
        return escape(
            session.vote(str(index), "up" if data.liked else "down", self.feedback, channel="web")
        )

    def _as_job(
        self, scope: Scope, engine: Engine, received: list[tuple[Path, str]], progress: Any
    ) -> list[Any]:
        """Queue the files for the server's writer and follow the job to its end."""
        assert self.jobs is not None
        folder = scope.uploads(engine, self.uploads)
        job_id = self.jobs.submit_upload(received, folder, engine.collection, scope.principal.name)
        scope.record("documents submitted", f"job {job_id}", engine.collection, str(len(received)))
        job = None
        for job in self.jobs.watch(job_id):
            progress(job.progress, desc=f"Indexing: {job.files_done} of {job.files_total} files")
        return list(job.results) if job is not None else []

    def uploads_for(self, engine: Engine) -> Path:
        """The folder a collection's uploads are saved in."""
        return uploads_folder(engine, self.collections.default.collection, self.uploads)

    def add_documents(
        self,
        files: list[Any] | None,
        progress: gr.Progress,
        collection: str | None = None,
        request: gr.Request | None = None,
    ) -> Updates:
        """Save uploads under safe names, ingest them, and say per file what happened."""
        try:
            scope = self.scope(request)
            engine = scope.engine(collection, Role.EDITOR)
        except RagError as exc:
            return {"added": f"❌ {escape(str(exc))}"}
        if not files:
            return {"added": "Choose one or more files first.", "status": status_line(engine)}
        received = []
        for item in files:
            temporary = Path(getattr(item, "name", item))
            received.append((temporary, getattr(item, "orig_name", None) or temporary.name))
        if self.jobs is None:
            results: list[Any] = scope.add_documents(
                received,
                engine.collection,
                progress=lambda items: progress.tqdm(items, desc="Indexing"),
                uploads=self.uploads,
            )
        else:
            try:
                results = self._as_job(scope, engine, received, progress)
            except RagError as exc:
                # The uploads folder cannot be written, say: nothing was queued.
                return {"added": f"❌ {escape(str(exc))}", "status": status_line(engine)}
        done = {"added": "added", "updated": "updated", "unchanged": "already indexed"}
        lines = [
            f"❌ {escape(r.reason)}"
            if r.status == "failed"
            else f"✅ {escape(r.name)}: {done.get(r.status, r.status)}"
            + (f" ({escape(r.reason)})" if r.reason else "")
            for r in results
        ]
        choices = article_choices(engine)
        return {
            "added": "<br>".join(lines),
            "status": status_line(engine),
            "article": gr.update(choices=choices),
        }


def offer_options(question: str) -> list[dict[str, str]]:
    """The buttons under a "Did you mean …?": a yes that asks the question, and a no."""
    # Gradio shows an option's label as text, never as markup.
    return [{"label": f"Yes: {question}", "value": "yes"}, {"label": "No", "value": "no"}]


DRAFT = '<p class="draft"><em>Draft, being checked against the sources…</em></p>'


def _turn(chat: History, session: ChatSession, place: Place | None) -> Updates:
    """The chat as it stands, the question box emptied, the session and the saved place."""
    return {"chat": chat, "box": "", "session": session, "place": place}
