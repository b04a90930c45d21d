"""The one engine every front end calls: ingest, ask (streamed or not), status."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from types import TracebackType
from typing import Any

from llama_index.core.base.embeddings.base import BaseEmbedding

from rag.answering.article_names import mentions, names_reply
from rag.answering.casing import cased, uncased
from rag.answering.citations import check_citations
from rag.answering.conversation import (
    asks_more,
    else_of,
    is_follow_up,
    joined_instead,
    joined_part,
    more_of,
    of_article,
    overview_shown,
    standalone,
    swapped_in,
    topic_names,
    without_else,
    without_lead_in,
)
from rag.answering.extractive import ExtractiveAnswerer, part_unanswered
from rag.answering.first_turns import (
    LISTING,
    NO_SOURCES,
    NO_WRITERS,
    Lead,
    Turn,
    agrees,
    asks_names,
    asks_writer,
    classify,
    inventory,
    not_meant_text,
    overview,
    refuses,
    reply_text,
    sources_text,
    turn_of,
    writer_of,
    writers_text,
)
from rag.answering.generative import GenerativeAnswerer
from rag.answering.named_articles import (
    Named,
    choose,
    described,
    named_article,
    next_article,
    no_such,
    requested,
    scoped,
    summary,
)
from rag.answering.names import asked_actor
from rag.config import AnswerSettings, QdrantSettings, Settings
from rag.errors import (
    DocumentConflictError,
    DocumentNotFoundError,
    EmbedderMismatchError,
    IndexEmptyError,
    IngestStopped,
    QuestionError,
    StoreUnavailableError,
)
from rag.ingest.ingestor import Ingestor, IngestProgress, IngestReport
from rag.ingest.limits import ReadLimits
from rag.locking import FifoLock, ReadWriteLock
from rag.memory import release_free_memory
from rag.querylog import QueryLog
from rag.search.backend import StoreBackend, open_store
from rag.search.embeddings import (
    CachedEncoder,
    build_bulk_embedding,
    build_embedding,
    embedder,
    model_name,
)
from rag.search.files import IndexedFile
from rag.search.manifest import CONFIGURED_MODEL
from rag.search.retriever import Retriever, as_passage
from rag.types import Answer, Citation, Draft, Offer, Passage

# Longest an ingest waits for questions before its next model call: under a steady stream of
# questions it still moves on, one batch of the model's a second or so.
YIELD_S = 1.0
# A text longer than this many times its limit is cleaned from its start only (clean_cut).
_FAST_CUT = 8
# Recorded while an ingest embeds the index again: an interrupted one reads as a mismatch.
REEMBEDDING = "(being re-embedded)"
# "Tell me more" after as many is answered as the fifth: each round re-answers the one before.
MAX_MORE = 5
# Passages of one document read for the names it mentions, at most.
MOST_READ = 500
# Earlier questions typed in lower case searched for their names' capitals, at most, per question.
MAX_CASED = 3
# Documents the overview lists at a time; "tell me more" lists the next ones.
OVERVIEW_PAGE = 10
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True)
class Status:
    """Where the index is and what it holds."""

    location: str
    articles: list[tuple[str, str, int]]
    chunks: int
    model: str
    mode: str

    def to_dict(self) -> dict[str, Any]:
        """The one JSON object `rag status --json` prints."""
        return {
            "location": self.location,
            "articles": [{"source": s, "title": t, "chunks": n} for s, t, n in self.articles],
            "chunks": self.chunks,
            "model": self.model,
            "mode": self.mode,
        }


@dataclass(frozen=True)
class Removed:
    """What removing an article took out of the index."""

    source: str
    paths: list[str]
    chunks: int


@dataclass(frozen=True)
class DocumentInfo:
    """One document of a collection: every indexed file of that name, taken together."""

    source: str
    title: str
    chunks: int
    # A PDF's page count; None for other formats or where it was not recorded.
    pages: int | None
    # When its current content was ingested (ISO 8601, UTC); None where not recorded.
    ingested_at: str | None
    # Bytes on disk when ingested; None where not recorded.
    size: int | None

    def to_dict(self) -> dict[str, Any]:
        """One entry of `rag docs list --json`."""
        return {
            "source": self.source,
            "title": self.title,
            "chunks": self.chunks,
            "pages": self.pages,
            "ingested_at": self.ingested_at,
            "size": self.size,
        }


def _document(source: str, files: list[IndexedFile]) -> DocumentInfo:
    pages = [f.pages for f in files if f.pages is not None]
    sizes = [f.size for f in files if f.size >= 0]
    times = [f.ingested_at for f in files if f.ingested_at]
    return DocumentInfo(
        source=source,
        title=files[0].title,
        chunks=sum(len(f.ids) for f in files),
        pages=sum(pages) if pages else None,
        ingested_at=max(times) if times else None,
        size=sum(sizes) if sizes else None,
    )


@dataclass(frozen=True)
class _Retrieved:
    asked: str
    text: str
    notices: list[str]
    passages: list[Passage]
    extractive: Draft
    started: float
    retrieved: float


@dataclass(frozen=True)
class _Found:
    """A question cased from what it finds as typed, the passages, and the search's seconds."""

    question: str
    passages: list[Passage]
    seconds: float


def nothing_more(question: str) -> str:
    """The reply to "tell me more" when the answers before quoted all that answers."""
    return f"The articles say nothing more that answers “{question.strip()}”."


def mismatch_message(location: str, before: tuple[str, str], now: tuple[str, str]) -> str:
    """Why questions to an index embedded otherwise are refused, and the two ways out."""
    if before[1] == REEMBEDDING:
        return (
            f"The index in {location} was being embedded again when its ingest stopped. Run "
            "`rag ingest` to finish it."
        )
    if before[0] == now[0]:
        back = f"set RAG_EMBEDDING__BACKEND={before[1]}"
    else:
        back = f"set RAG_EMBEDDING__MODEL_PATH to the folder of {before[0]}"
    return (
        f"The index in {location} was embedded by {before[0]} on {before[1]}; this process "
        f"embeds questions with {now[0]} on {now[1]}, whose vectors do not compare with those. "
        f"Run `rag ingest` to embed the index again with {now[1]}, or {back}."
    )


def reembedded_note(before: tuple[str, str], now: tuple[str, str], report: IngestReport) -> str:
    """What `rag ingest` says when it embeds the whole index again."""
    return (
        f"embedded all {report.chunks_reembedded:,} chunks again with {now[0]} on {now[1]} "
        f"(it was embedded by {before[0]} on {before[1]})"
    )


def clean(text: str) -> str:
    """Text without control or direction-override characters, on one line."""
    return " ".join(_CONTROL.sub(" ", text).split())


def clean_cut(text: str, max_chars: int) -> tuple[str, int]:
    """The text cleaned and cut to `max_chars`, with its length before the cut."""
    # A text far over the limit is cleaned from its start only, and its length is the one it was
    # sent with: cleaning all 19 MB of one would take longer than answering.
    text = text.lstrip()
    if len(text) <= _FAST_CUT * max_chars:
        cleaned = clean(text)
        return cleaned[:max_chars], len(cleaned)
    cleaned = clean(text[: _FAST_CUT * max_chars])
    if len(cleaned) < max_chars:  # a long run of control characters: clean it all
        cleaned = clean(text)
    return cleaned[:max_chars], len(text)


def prepare_question(question: str, max_chars: int) -> tuple[str, list[str]]:
    """The question cleaned of control characters and cut to length, with notices saying so."""
    cleaned, length = clean_cut(question, max_chars)
    if not cleaned:
        raise QuestionError(
            "The question is empty. Type a question about the articles.", param="question"
        )
    notices = []
    if length > max_chars:
        notices.append(
            f"Your question was {length:,} characters long; only the first {max_chars:,} were used."
        )
    return cleaned, notices


def prepare_history(history: Sequence[str], limits: AnswerSettings) -> tuple[list[str], list[str]]:
    """The earlier questions cleaned and within the limits (newest kept), with notices saying so."""
    notices = []
    asked = [h for h in history if h and not h.isspace()]
    if len(asked) > limits.max_history_items:
        notices.append(
            f"The conversation had {len(asked):,} earlier questions; only the last "
            f"{limits.max_history_items:,} were used."
        )
        asked = asked[-limits.max_history_items :]
    items, long = [], 0
    for text in asked:
        cleaned, length = clean_cut(text, limits.max_history_item_chars)
        long += length > limits.max_history_item_chars
        if cleaned:
            items.append(cleaned)
    if long:
        which = "An earlier question was" if long == 1 else f"{long:,} earlier questions were"
        notices.append(
            f"{which} over {limits.max_history_item_chars:,} characters long; only the first "
            f"{limits.max_history_item_chars:,} of each were used."
        )
    total = sum(len(item) for item in items)
    if total > limits.max_history_chars:
        kept, size = [], 0
        for item in reversed(items):
            if size + len(item) > limits.max_history_chars:
                break
            kept.append(item)
            size += len(item)
        notices.append(
            f"The earlier questions came to {total:,} characters; only the last {len(kept):,} "
            f"({size:,} characters, within {limits.max_history_chars:,}) were used."
        )
        items = kept[::-1]
    return items, notices


class Engine:
    """Holds the store, the models and the answerers; built once per process."""

    def __init__(
        self, settings: Settings, store: StoreBackend, embed_model: BaseEmbedding | None = None
    ) -> None:
        self.settings = settings
        self.store = store
        self._embed_model = embed_model
        # A model handed in embeds everything: no bulk model of the settings' replaces it.
        self._own_model = embed_model is None
        self._encoder: CachedEncoder | None = None
        self._retriever: Retriever | None = None
        self._extractive: ExtractiveAnswerer | None = None
        self._generator: GenerativeAnswerer | None = None
        self._sources: set[str] | None = None
        self._sources_lock = threading.Lock()
        # Counts committed writes, so that a read overtaken by one is not cached.
        self._generation = 0
        # Questions are answered one at a time (the embedding model and the answerer are
        # shared; two at once on a small CPU only slow each other); a remote LLM is called
        # outside this lock. Taken in the order asked. Ingest never takes it: it embeds alongside.
        self._lock = FifoLock()
        # Questions waiting for it or inside it: an ingest embeds only between them (or after
        # YIELD_S), so that on a small CPU an upload slows answers little.
        self._asking = 0
        self._asking_cond = threading.Condition()
        # The store: questions read it together; a writer holds it alone only while it writes
        # a batch, so a question waits for at most one batch and sees whole files or none.
        self.store_lock = ReadWriteLock()
        # One writer at a time (ingest, remove, drop): each reads the index, then changes it.
        self._writing = threading.RLock()
        self._query_log: QueryLog | None = None
        self._query_log_lock = threading.Lock()
        self._embedder_checked = False

    @classmethod
    def open(cls, settings: Settings, embed_model: BaseEmbedding | None = None) -> Engine:
        """Open the configured store; the model loads on first use unless one is handed in."""
        return cls(settings, open_store(settings.qdrant), embed_model=embed_model)

    def __enter__(self) -> Engine:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    @property
    def mode(self) -> str:
        """The answer mode: extractive, local, openai or anthropic."""
        return self.settings.llm.mode

    @property
    def embed_model(self) -> BaseEmbedding:
        """The embedding model, loaded on first use."""
        if self._embed_model is None:
            self._embed_model = build_embedding(self.settings.embedding)
        return self._embed_model

    @property
    def encoder(self) -> CachedEncoder:
        """Cached, normalised embeddings of questions and sentences."""
        if self._encoder is None:
            self._encoder = CachedEncoder(self.embed_model)
        return self._encoder

    @property
    def extractive(self) -> ExtractiveAnswerer:
        """The LLM-free answerer: the answer in extractive mode, the fallback in the others."""
        if self._extractive is None:
            self._extractive = ExtractiveAnswerer(
                self.encoder,
                max_sentences=self.settings.answer.max_sentences,
                min_confidence=self.settings.answer.min_confidence,
            )
        return self._extractive

    @property
    def generator(self) -> GenerativeAnswerer | None:
        """The LLM answerer of the configured mode, or None in extractive mode."""
        if self._generator is None and self.mode != "extractive":
            from rag.answering.llms import build_llm

            # SmolLM2 reads 2,048 tokens and reads them slowly on a CPU: give it the top three.
            passages = 3 if self.mode == "local" else self.settings.retrieval.top_k
            self._generator = GenerativeAnswerer(build_llm(self.settings.llm), self.mode, passages)
        return self._generator

    @property
    def retriever(self) -> Retriever:
        """The hybrid retriever over the store."""
        if self._retriever is None:
            self._retriever = Retriever(
                self.store, self.embed_model, self.settings.retrieval.prefetch_k
            )
        return self._retriever

    def warm_up(self) -> None:
        """Load the models (and check the LLM is usable) now rather than at the first question."""
        _ = self.extractive, self.retriever, self.generator
        # The first batch of each size is slow in torch; answers embed up to a dozen at once.
        self.embed_model.get_text_embedding_batch([f"warm up {i}" for i in range(12)])

    def ingest(
        self,
        paths: Iterable[Path],
        progress: Callable[[Any], Any] | None = None,
        on_progress: Callable[[IngestProgress], None] | None = None,
        stop: threading.Event | None = None,
    ) -> IngestReport:
        """Bring the index in line with files and folders; IngestStopped once `stop` is set."""
        paths = list(paths)
        ingestor = Ingestor(
            self.store,
            lambda: self.embed_model,
            self.settings.chunk,
            ReadLimits.from_settings(self.settings.ingest),
            batch_chunks=self.settings.ingest.batch_chunks,
            lock=self.store_lock,
            bulk_model=lambda: (
                build_bulk_embedding(self.settings.embedding) if self._own_model else None
            ),
            # auto: only an ingest large enough to repay loading it; bfloat16: every one.
            bulk_min_bytes=0 if self.settings.embedding.ingest_precision == "bfloat16" else None,
            # A batch was committed: the next question sees its files.
            committed=self._forget_sources,
            pause=lambda: self._between_batches(stop),
        )
        if self.store.read_only:
            # `rag serve --ingest` of files the index already holds needs no write.
            started = time.perf_counter()
            same = self.embedded_by() in (None, embedder(self.settings.embedding))
            unchanged = ingestor.unchanged(paths) if same else None
            if unchanged is None:
                raise StoreUnavailableError(
                    f"The index in {self.settings.qdrant.path}/ is read-only "
                    f"({self.store.read_only}): it answers questions but takes no documents. "
                    "Make the folder writable, or set RAG_QDRANT__PATH to a writable folder."
                )
            unchanged.seconds = time.perf_counter() - started
            return unchanged
        with self._writing:
            before = self.embedded_by()
            now = embedder(self.settings.embedding)
            report = IngestReport()
            if before is not None and before != now:
                # Vectors of two models or backends never share an index: all of it again.
                # Questions are refused meanwhile (the mismatch), so the write lock is held.
                with self.store_lock.write():
                    self.store.record_embedder(now[0], REEMBEDDING)
                    started = time.perf_counter()
                    ingestor.reembed(report)
                    report.seconds = time.perf_counter() - started
            found = ingestor.run(paths, progress=progress, on_progress=on_progress)
            if before is not None and report.chunks_reembedded:
                found.notes.insert(0, ("index", reembedded_note(before, now, report)))
                found.chunks_embedded += report.chunks_reembedded
                found.chunks_reembedded = report.chunks_reembedded
                found.bulk = found.bulk or report.bulk
                found.seconds += report.seconds
            with self.store_lock.write():
                if self.store.exists():
                    self.store.record_embedder(*now)
                self._forget_sources()
            self._embedder_checked = False
        return found

    def embedded_by(self) -> tuple[str, str] | None:
        """The model and backend the collection was embedded by; None when empty or unknown."""
        # Unknown, and so not checked: a collection on a server, and one whose manifest was rebuilt
        # from its points or converted from qdrant-client's local mode.
        if not self.store.records_embedder:
            return None
        with self.store_lock.read():
            recorded = self.store.embedder()
        if recorded is not None and recorded[0] == CONFIGURED_MODEL:
            return model_name(self.settings.embedding), recorded[1]
        return recorded

    def check_embedder(self) -> None:
        """Refuse to search an index embedded by another model or backend than this process's."""
        if self._embedder_checked:
            return
        before, now = self.embedded_by(), embedder(self.settings.embedding)
        if before is not None and before != now:
            raise EmbedderMismatchError(mismatch_message(self.location, before, now))
        self._embedder_checked = True

    @property
    def location(self) -> str:
        """Where the index is: the server's URL or the folder."""
        return self.settings.qdrant.url or f"{self.settings.qdrant.path}/"

    def optimize(self) -> None:
        """Build the index's vector indexes: for `rag ingest` only, it stalls a serving process."""
        with self._writing, self.store_lock.write():
            self.store.optimize()

    @property
    def collection(self) -> str:
        """The name of the collection this engine answers from."""
        return self.settings.qdrant.collection

    def collections(self) -> list[str]:
        """The names of the collections in the same index folder or on the same server."""
        with self.store_lock.read():
            return self.store.collections()

    def create_collection(self) -> None:
        """Create this engine's collection, empty, before its first chunk."""
        dim = len(self.embed_model.get_text_embedding("dimension"))
        with self._writing, self.store_lock.write():
            self.store.create(dim)

    def drop_collection(self) -> None:
        """Delete this engine's collection and every chunk in it."""
        with self._writing, self.store_lock.write():
            self.store.drop()
            self._forget_sources()

    def remove(self, source: str, path: str | Path | None = None) -> Removed:
        """Take a document out of the index: the file of that name (at `path`, if given)."""
        # Two files of one name (an index from before names were kept unique) are not removed
        # together on a name alone: DocumentConflictError lists their paths to choose from.
        if self.store.read_only:
            raise StoreUnavailableError(
                f"The index in {self.settings.qdrant.path}/ is read-only "
                f"({self.store.read_only}): it answers questions but removes nothing."
            )
        at = None if path is None else str(Path(path).resolve())
        with self._writing, self.store_lock.write():
            files = [
                f
                for f in self.store.files().values()
                if f.source == source and at in (None, f.path)
            ]
            if not files:
                raise DocumentNotFoundError(
                    f"No article named {source!r} in the index; `rag status` lists the articles."
                )
            if len(files) > 1:
                paths = tuple(sorted(f.path for f in files))
                raise DocumentConflictError(
                    f"{len(paths)} documents are named {source!r} ({', '.join(paths)}); nothing "
                    "was removed. Remove one by its path.",
                    existing=paths,
                )
            ids = sorted(chunk for f in files for chunk in f.ids)
            self.store.delete_ids(ids)
            self._forget_sources()
        return Removed(source, sorted(f.path for f in files), len(ids))

    def forget(self, paths: Iterable[str]) -> int:
        """Take the files at these paths (as indexed) out of the index; how many chunks went."""
        wanted = set(paths)
        with self._writing, self.store_lock.write():
            ids = sorted(
                chunk for f in self.store.files().values() if f.path in wanted for chunk in f.ids
            )
            self.store.delete_ids(ids)
            self._forget_sources()
        return len(ids)

    def documents(self) -> list[DocumentInfo]:
        """The collection's documents by source name: what `rag docs list` shows."""
        with self.store_lock.read():
            files = self.store.files()
        by_source: dict[str, list[IndexedFile]] = {}
        for f in sorted(files.values(), key=lambda f: f.path):
            by_source.setdefault(f.source, []).append(f)
        return [_document(source, found) for source, found in sorted(by_source.items())]

    @property
    def query_log(self) -> QueryLog | None:
        """Where chat sessions log their questions; None when RAG_HISTORY__QUERY_LOG is off."""
        if not self.settings.history.query_log:
            return None
        with self._query_log_lock:
            if self._query_log is None:
                self._query_log = QueryLog(
                    self.settings.history.path,
                    collection=self.collection,
                    keep_days=self.settings.history.query_log_days,
                )
            return self._query_log

    def sources(self) -> set[str]:
        """File names of the indexed articles."""
        with self._sources_lock:
            found, generation = self._sources, self._generation
        if found is None:
            with self.store_lock.read():
                # Not from files(): at 100k chunks that reads every chunk id (33 MB, 0.35 s).
                found = self.store.sources()
            with self._sources_lock:
                # Kept only if no write was committed while it was read.
                if generation == self._generation:
                    self._sources = found
        return found

    def _between_batches(self, stop: threading.Event | None) -> None:
        """Let waiting questions go first; give the ingest up if its process is stopping."""
        # Before a batch is embedded nothing of it is written: a job stopped here leaves whole
        # files, and its next run goes on from them. Exiting instead with the model mid-batch in
        # a daemon thread aborted the interpreter ("terminate called" from ONNX Runtime).
        self._yield_to_questions()
        if stop is not None and stop.is_set():
            raise IngestStopped

    def _yield_to_questions(self) -> None:
        """Wait (at most YIELD_S) until no question is waiting or being answered."""
        with self._asking_cond:
            self._asking_cond.wait_for(lambda: not self._asking, timeout=YIELD_S)

    def _forget_sources(self) -> None:
        with self._sources_lock:
            self._generation += 1
            self._sources = None

    def files_named(self, source: str) -> list[IndexedFile]:
        """The indexed files with this file name (several folders may hold one), by path."""
        with self.store_lock.read():
            files = self.store.files().values()
        return sorted((f for f in files if f.source == source), key=lambda f: f.path)

    def ask(
        self,
        question: str,
        top_k: int | None = None,
        source: str | None = None,
        history: Sequence[str] = (),
    ) -> Answer:
        """Answer a question (a follow-up to `history`, if any) with checked citations."""
        *_, answer = self.stream(question, top_k=top_k, source=source, history=history)
        assert isinstance(answer, Answer)
        return answer

    def stream(
        self,
        question: str,
        top_k: int | None = None,
        source: str | None = None,
        history: Sequence[str] = (),
    ) -> Iterator[str | Answer]:
        """The answer text in pieces as it is produced, then the whole checked `Answer`."""
        # Only the part answered is read for its kind: classifying all of a 19 MB question took
        # 7 s (its language alone 6.5 s); no greeting or request runs past its first characters.
        cleaned, _ = clean_cut(question, self.settings.answer.max_question_chars)
        # Only a plain yes or no can answer "Did you mean Nscale?": no other turn searches twice.
        replying = agrees(cleaned) or refuses(cleaned)
        turn = None if replying else classify(cleaned)
        meant = None
        if turn is None:
            # A greeting never reads the history; a question or a yes reads it settled.
            history = self._settled(history, top_k, source)
            offer = self._offer(history, top_k, source) if replying else None
            if offer is not None and refuses(cleaned):
                started = time.perf_counter()
                text = not_meant_text(offer.names, offer.words)
                yield self._reply(cleaned, [], "not_meant", text, [], [], started)
                return
            meant = offer.meant if offer is not None else None
            # A yes or no that answers no offer is an acknowledgement, or doubt.
            turn = classify(cleaned) if replying and meant is None else None
        if turn is not None and turn.kind in ("sources", "author"):
            yield self._cited_before(question, history, top_k, source, turn.kind)
            return
        if turn is not None and turn.kind == "inventory":
            # "Which companies does the article mention?" after a summary: that article's names.
            names = self._names_before(question, history)
            if names is not None:
                yield names
                return
        if turn is not None:
            # A greeting, thanks or a request for an overview is no question to search for, and
            # never a follow-up to the one before it.
            yield self._first_turn(question, turn)
            return
        # Cleaned once for the routing below; the search cleans its own and says what it cut.
        earlier, _ = prepare_history(history, self.settings.answer)
        shown = overview_shown(cleaned, earlier)
        if shown is not None:
            # "Tell me more" after the overview: the next ten documents.
            yield self._first_turn(question, Turn("overview"), skip=shown * OVERVIEW_PAGE)
            return
        # Before any other work: a 19 MB question costs a few milliseconds.
        asked, notices = prepare_question(question, self.settings.answer.max_question_chars)
        # The question answered is the respelled one: a follow-up leans on it, not on the slip.
        asked = meant or asked
        searched = meant
        if meant is None:
            named = self._named_article(asked, notices, source, earlier)
            if named is not None:
                yield named
                return
            searched, source = self._scoped(asked, notices, source)
            if searched is not None:
                # Asked of the article it names, its "it" is that article: "What does the Nscale
                # article say about Europe?" after a question on Anthropic was asked of Anthropic.
                history = ()
            else:
                after = self._after_article(asked, earlier, notices, source)
                if after is not None:
                    searched, history, source = after
            if searched is not None and source is not None and asks_names(searched):
                # "Which companies does it mention?" of one article: the names it writes.
                yield self._names(asked, notices, source)
                return
        found = self._retrieve(asked, notices, top_k, source, history, searched)
        if asks_writer(asked) and found.passages:
            # "Who wrote the study?" is answered by the byline of the article the question
            # finds, not by any sentence with a name: a memo's "From:" line answered every one.
            yield self._writer_found(found)
            return
        generator = self.generator
        if generator is None or found.extractive.declined:
            # The decline is decided here, from the retrieval evidence, whatever a model would say.
            final = found.extractive
            # The extractive answer exists whole at once; it is sent a few words at a time so
            # that every front end has one streaming path, the one LLM answers use.
            words = final.text.split(" ")
            for i in range(0, len(words), 4):
                yield " ".join(words[i : i + 4]) + (" " if i + 4 < len(words) else "")
        else:
            final = found.extractive
            for piece in generator.stream(found.text, found.passages, found.extractive):
                if isinstance(piece, Draft):
                    final = piece
                else:
                    yield piece
        yield self._answer(found, check_citations(final, found.passages))

    def _writer_found(self, found: _Retrieved) -> Answer:
        """Who wrote the article a question's search found first, by its byline."""
        lead = next(iter(self.leads(limit=1, source=found.passages[0].source)), None)
        if lead is None:
            # Removed since it was found: the answer its search gives.
            return self._answer(found, check_citations(found.extractive, found.passages))
        text, citation = writer_of(lead.passage, 1)
        cited = [citation] if citation else []
        draft = Draft(text=text, citations=cited, declined=not cited)
        return replace(
            self._answer(found, draft),
            retrieved=[lead.passage, *found.passages],
            confidence=None,
            withheld="",
        )

    def _offer(self, history: Sequence[str], top_k: int | None, source: str | None) -> Offer | None:
        """What the reply before offered with "Did you mean …?", if it offered anything."""
        earlier, _ = prepare_history(history, self.settings.answer)
        if not earlier:
            return None
        # The reply's offer is not kept anywhere: the question before is searched again, and the
        # same passages offer the same spellings.
        try:
            before = self._retrieve(earlier[-1], [], top_k, source, earlier[:-1])
        except IndexEmptyError:
            # Emptied since: the "yes" gets the reply that says how to fill the index.
            return None
        return before.extractive.offer

    def _settled(
        self, history: Sequence[str], top_k: int | None, source: str | None
    ) -> Sequence[str]:
        """The history with the question its last "yes" accepted a spelling for, respelled."""
        # Slack threads and API callers send the messages as typed: without this, a follow-up
        # after "yes" leaned on "Nscael" and got the offer again. Only the last yes is read, so
        # a question costs at most one search more, however long its history.
        kept = [i for i, h in enumerate(history) if h and not h.isspace()]
        kept = kept[-self.settings.answer.max_history_items :]
        yes = next((n for n in range(len(kept) - 1, 0, -1) if agrees(history[kept[n]])), None)
        if yes is None or agrees(history[kept[yes - 1]]):
            return history
        asked = kept[yes - 1]
        offer = self._offer(history[: asked + 1], top_k, source)
        if offer is None:
            return history
        return [*history[:asked], offer.meant, *history[asked + 1 :]]

    def _retrieve(
        self,
        asked: str,
        notices: list[str],
        top_k: int | None,
        source: str | None,
        history: Sequence[str],
        searched: str | None = None,
    ) -> _Retrieved:
        # Before any other work: a 19 MB history item costs a few milliseconds.
        earlier, cut = prepare_history(history, self.settings.answer)
        notices = notices + cut
        question = searched or asked
        with self._asking_cond:
            self._asking += 1
        try:
            more = more_of(question, earlier)
            found: _Found | None = None
            if more is not None or uncased(question):
                # "what is openai's valuation" names nothing by its capitals, so it was taken for
                # a follow-up and answered with the Nscale question's quote, and "skyroot" was no
                # name to tell about: its names are read first from what it finds alone, and so
                # are those of the questions it may follow up. "Tell me more" names nothing, but
                # re-asks a question that may have been typed so.
                if not more:
                    found = self._cased(question, top_k, source)
                    question = found.question
                earlier = self._cased_history(earlier, top_k, source)
                more = more and more_of(question, earlier)
            text, rounds = more or (standalone(question, earlier), 0)
            about = () if more else swapped_in(question, earlier)
            other = None if more else else_of(question, earlier)
            prior = None
            if other is not None:
                # Before, "Who else invested?" was answered as "Who invested?" and repeated the
                # answer before it: it is answered past what that answer quoted.
                text, prior, rounds = other
            part = "" if more or other else joined_part(question, text)
            topic = text[: -len(part)].strip() if part else ""
            # Joined to its topic, a follow-up is asked of the topic's names: "Who is the CEO?"
            # after "How much did Nscale raise?" was answered with Broadcom's chief executive.
            about = about or topic_names(topic)
            retrieved = self._retrieve_in_turn(
                asked, text, notices, top_k, source, rounds, about, found, prior
            )
            if more or other or not retrieved.extractive.declined:
                return retrieved
            if part:
                return self._alone(retrieved, part, topic, notices, top_k, source)
            instead = joined_instead(question, earlier)
            if instead is None:
                return retrieved
            joined = self._retrieve_in_turn(
                asked, instead, notices, top_k, source, about=topic_names(instead)
            )
            if joined.extractive.declined:
                return retrieved
            return replace(joined, started=retrieved.started)
        finally:
            with self._asking_cond:
                self._asking -= 1
                self._asking_cond.notify_all()

    def _alone(
        self,
        joined: _Retrieved,
        part: str,
        topic: str,
        notices: list[str],
        top_k: int | None,
        source: str | None,
    ) -> _Retrieved:
        """A declined follow-up asked alone, kept if quoted from the article the topic's is."""
        # A short question naming nothing is read as a follow-up: "When does construction
        # start?" after "Who pays for the power lines?" was searched joined to it and declined
        # at 0.17, though alone the same FAQ page answers it. An answer from another article
        # would be of another subject ("What is the valuation?" of another company): no answer.
        alone = self._retrieve_in_turn(joined.asked, part, notices, top_k, source)
        if alone.extractive.declined:
            return joined
        before = self._retrieve_in_turn(topic, topic, [], top_k, source)
        articles = {c.source for c in before.extractive.citations} or {
            p.source for p in before.passages[:1]
        }
        if {c.source for c in alone.extractive.citations} <= articles:
            return replace(alone, started=joined.started)
        return joined

    def _retrieve_in_turn(
        self,
        asked: str,
        text: str,
        notices: list[str],
        top_k: int | None,
        source: str | None,
        rounds: int = 0,
        about: Sequence[str] = (),
        found: _Found | None = None,
        prior: str | None = None,
    ) -> _Retrieved:
        with self._lock:
            # Loading the models for the first question is start-up, not time spent retrieving.
            _ = self.encoder, self.retriever, self.extractive
            started = time.perf_counter()
            sources = self.sources()
            if not sources:
                if self.collection != QdrantSettings.model_fields["collection"].default:
                    raise IndexEmptyError(
                        f"The collection {self.collection!r} is empty. Run `rag ingest "
                        f"--collection {self.collection} FOLDER` and ask again."
                    )
                raise IndexEmptyError(
                    f"The index is empty. Run `rag ingest` (it reads {self.settings.seeds_dir}/) "
                    "and ask again."
                )
            self.check_embedder()
            if source is not None and source not in sources:
                raise QuestionError(
                    f"No article named {source!r} in the index; `rag status` lists the articles.",
                    param="source",
                )
            if found is not None and found.passages and found.question == text:
                # Cased from this very search, of the question as typed: it is not searched
                # again (with the packaged uncased model the cased text finds the same), and the
                # search's time is this question's retrieval time.
                passages = found.passages
                started -= found.seconds
            else:
                passages = self._search(text, top_k, source)
            retrieved = time.perf_counter()
            # The same search finds the same passages whatever the case; the decision reads names
            # by their capitals, which a question typed in lower case leaves out.
            text = cased(text, passages)
            part = "" if rounds or prior is not None else joined_part(asked, text)
            extractive = self.extractive.draft(text, passages, about=about, part=part)
            extractive = part_unanswered(part, extractive)
            told: list[Citation] = []
            # What the answer before quoted: this question's own answer for "tell me more", the
            # `prior` question's for "Who else …?", searched again as it was asked.
            quoted = extractive
            past: tuple[str, ...] = ()
            if prior is not None and not extractive.declined:
                before = self._search(prior, top_k, source)
                prior = cased(prior, before)
                quoted = self.extractive.draft(prior, before)
                # "Who else raised money?" after "How much did Nscale raise?" asks beyond Nscale:
                # its other sentences ("Companies like Nscale … secured $2 billion") are no answer.
                actor = asked_actor(prior)
                past = (actor,) if actor else ()
            # "Tell me more", `rounds` times: what the answers before quoted is told, so the next
            # best sentences are quoted, or none when no other answers well enough.
            for _ in range(min(rounds, MAX_MORE)):
                if extractive.declined or quoted.declined:
                    break
                told += quoted.citations
                extractive = quoted = self.extractive.draft(text, passages, told, past=past)
                if extractive.declined:
                    # The reply no longer holds the decline's "Did you mean …?".
                    # "Which other companies secured funding?" gets "… nothing more that answers
                    # “Which companies secured funding?”", not the question it went past.
                    said = nothing_more((prior and without_else(asked)) or text)
                    extractive = replace(extractive, text=said, offer=None)
            release_free_memory()
        return _Retrieved(asked, text, notices, passages, extractive, started, retrieved)

    def _cased_history(
        self, earlier: Sequence[str], top_k: int | None, source: str | None
    ) -> list[str]:
        """The earlier questions, those a follow-up may lean on given their names' capitals."""
        items = list(earlier)
        searches = 0
        # Back to the last question that stands alone: the ones before it are no topic. Each
        # costs a search, so a long history typed in lower case costs three at most.
        for i in range(len(items) - 1, -1, -1):
            if searches < MAX_CASED and uncased(items[i]) and turn_of(items[i]) is None:
                items[i] = self._cased(items[i], top_k, source).question
                searches += 1
            if not is_follow_up(without_lead_in(items[i])):
                break
        return items

    def _cased(self, question: str, top_k: int | None, source: str | None) -> _Found:
        """A question typed in lower case with its names' capitals, read from what it finds."""
        with self._lock:
            _ = self.encoder, self.retriever
            sources = self.sources()
            if not sources or (source is not None and source not in sources):
                # The search that follows says what is wrong.
                return _Found(question, [], 0.0)
            self.check_embedder()
            started = time.perf_counter()
            passages = self._search(question, top_k, source)
            seconds = time.perf_counter() - started
        return _Found(cased(question, passages), passages, seconds)

    def _search(self, text: str, top_k: int | None, source: str | None) -> list[Passage]:
        """The passages a text finds (the caller holds the engine's lock)."""
        k = top_k or self.settings.retrieval.top_k
        embedding = self.encoder([text])[0]
        with self.store_lock.read():
            return self.retriever.retrieve(text, embedding.tolist(), k, source)

    def leads(
        self,
        limit: int = 10,
        source: str | None = None,
        among: Collection[str] | None = None,
        skip: int = 0,
    ) -> list[Lead]:
        """`limit` documents' titles past the first `skip` (or one's, or `among`), with starts."""
        with self._lock:
            files = self.store.files()
            by_source: dict[str, list[IndexedFile]] = {}
            for f in sorted(files.values(), key=lambda f: f.path):
                if source in (None, f.source) and (among is None or f.source in among):
                    by_source.setdefault(f.source, []).append(f)
            found: list[Lead] = []
            for _source, named in sorted(by_source.items())[skip : skip + limit]:
                nodes = self.store.vector_store.get_nodes(node_ids=sorted(named[0].ids))
                if nodes:
                    first = min(nodes, key=lambda n: int(n.metadata.get("start", 0)))
                    found.append(Lead(named[0].title, as_passage(len(found) + 1, first)))
        return found

    def _first_turn(self, question: str, turn: Turn, skip: int = 0) -> Answer:
        started = time.perf_counter()
        asked, notices = prepare_question(question, self.settings.answer.max_question_chars)
        documents = len(self.documents())
        kind = turn.kind
        leads = self.leads(limit=OVERVIEW_PAGE if kind in LISTING else 5, skip=skip)
        if kind == "overview":
            text, citations = overview(self.collection, documents, leads, first=skip + 1)
        elif kind == "inventory":
            text, citations = inventory(self.collection, documents, leads, turn.things)
        else:
            text, citations = reply_text(kind, self.collection, documents, leads), []
        return self._reply(asked, notices, kind, text, citations, leads, started)

    def _cited_before(
        self,
        question: str,
        history: Sequence[str],
        top_k: int | None,
        source: str | None,
        kind: str = "sources",
    ) -> Answer:
        """The articles the answer before quoted, or who wrote them ("Who wrote the article?")."""
        started = time.perf_counter()
        asked, notices = prepare_question(question, self.settings.answer.max_question_chars)
        # After "Did you mean Nscale?" and a "yes", the question answered was Nscale's.
        earlier, _ = prepare_history(self._settled(history, top_k, source), self.settings.answer)
        # The last reply that quoted: an answer, or the overview (a greeting or thanks quotes none).
        at = next(
            (
                i
                for i in range(len(earlier) - 1, -1, -1)
                if (turn := turn_of(earlier[i])) is None or turn.kind in LISTING
            ),
            None,
        )
        if at is None:
            said = NO_SOURCES if kind == "sources" else NO_WRITERS
            return self._reply(asked, notices, kind, said, [], [], started)
        # No answer is kept between questions: the question before is answered again, as asked
        # then, and the same passages give the same quotes.
        before = self.ask(earlier[at], top_k=top_k, source=source, history=earlier[:at])
        if kind == "author":
            # A byline opens an article: each quoted article's first passage is read for it.
            cited = dict.fromkeys(c.source for c in before.citations)
            leads = [lead.passage for s in cited for lead in self.leads(limit=1, source=s)]
            text, citations = writers_text(earlier[at], before.citations, leads)
        else:
            text, citations = sources_text(earlier[at], before.citations), before.citations
        total = (time.perf_counter() - started) * 1000
        return replace(
            before,
            question=asked,
            text=text,
            citations=citations,
            declined=False,
            notices=notices,
            timings_ms={"retrieve": total, "answer": 0.0, "total": total},
            turn=kind,
        )

    def _named_article(
        self, asked: str, notices: list[str], source: str | None, earlier: Sequence[str]
    ) -> Answer | None:
        """The reply to a request about one article named by its title; None for a question."""
        started = time.perf_counter()
        named = named_article(asked) or next_article(asked, earlier)
        if named is None:
            return None
        titles = {d.source: d.title for d in self.documents() if source in (None, d.source)}
        found, at = requested(named, titles)
        if at is not None and not found:
            text = no_such(at, self.collection, len(titles))
            return self._reply(asked, notices, "article", text, [], [], started)
        if not found:
            # "Summarise the Nscale article" names no title: it is a request about Nscale.
            return None
        if len(found) > 1:
            text = choose(named.phrase, [titles[s] for s in found])
            return self._reply(asked, notices, "article", text, [], [], started)
        leads = self.leads(limit=1, source=found[0])
        if not leads:
            return None
        text, citations = summary(titles[found[0]], leads[0].passage)
        return self._reply(asked, notices, "article", text, citations, leads, started)

    def _names(self, asked: str, notices: list[str], source: str) -> Answer:
        """The names one article mentions most, each cited where it first does."""
        started = time.perf_counter()
        with self._lock:
            files = [f for f in self.store.files().values() if f.source == source]
            ids = sorted(i for f in files for i in f.ids)
            # A book-length document is read in part: a reply reads a bounded number of passages.
            # No id is no node: an empty list reads as "all nodes" to some vector stores.
            nodes = self.store.vector_store.get_nodes(node_ids=ids[:MOST_READ]) if ids else []
        if len(ids) > MOST_READ:
            notices.append(f"Only {MOST_READ:,} of its {len(ids):,} passages were read.")
        ordered = sorted(nodes, key=lambda n: int(n.metadata.get("start", 0)))
        passages = [as_passage(rank, node) for rank, node in enumerate(ordered, start=1)]
        title = files[0].title if files else source
        found = mentions(passages)
        text, citations = names_reply(title, found)
        read = {m.passage.chunk_id: m.passage for m in found}
        leads = [Lead(title, passage) for passage in read.values()]
        return self._reply(asked, notices, "article", text, citations, leads, started)

    def _scoped(
        self, asked: str, notices: list[str], source: str | None
    ) -> tuple[str | None, str | None]:
        """A question asked "according to the … article": without those words, and that article.

        The article is the one whose title names it, else the one whose title and first passage hold
        every word of the name ("the Anthropic joint-venture article"). None or several: the
        question is searched as asked, over every article, and a notice says so.
        """
        found = scoped(asked)
        if found is None or source is not None:
            return None, source
        question, named = found
        titles = {d.source: d.title for d in self.documents()}
        if not titles:
            return None, source
        sources, at = self._asked_of(named, titles)
        if at is not None and not sources:
            notices.append(no_such(at, self.collection, len(titles)))
            return None, source
        if not sources:
            notices.append(
                f"No article’s title or opening matches “{named.phrase}”: "
                "all of them were searched."
            )
            return None, source
        if len(sources) > 1:
            notices.append(
                f"{len(sources)} articles match “{named.phrase}”: all of them were searched."
            )
            return None, source
        notices.append(f"Only “{titles[sources[0]]}” was searched.")
        return question, sources[0]

    def _after_article(
        self, asked: str, earlier: Sequence[str], notices: list[str], source: str | None
    ) -> tuple[str, Sequence[str], str] | None:
        """A question leaning on a requested article: (question, history, article); else None."""
        question = of_article(asked)
        if question is None or source is not None:
            return None
        # The request, and after it only questions that lean on its article as this one does.
        searches = 0
        for at in range(len(earlier) - 1, -1, -1):
            named = named_article(earlier[at]) or next_article(earlier[at], earlier[:at])
            # "What does the Anthropic joint-venture article say about Wall Street?" names its
            # article as a request does: "What does it say about risks?" after it is asked of it.
            question_of = scoped(earlier[at]) if named is None else None
            named = named or (question_of[1] if question_of else None)
            if named is not None:
                break
            before = earlier[at]
            if searches < MAX_CASED and uncased(before) and of_article(before) is not None:
                # "nscale funding" asked after the request names Nscale, and changed the topic.
                before = self._cased(before, None, None).question
                searches += 1
            if of_article(before) is None:
                return None
        else:
            return None
        titles = {d.source: d.title for d in self.documents()}
        # A request names its article by title or place; a question, by its opening too.
        found, _ = self._asked_of(named, titles) if question_of else requested(named, titles)
        if len(found) != 1:
            return None
        if uncased(asked):
            # "anthropic wall street" names Anthropic, which only its capitals would tell: read
            # from what it finds, as `_retrieve` reads them, it is asked of every article.
            question = of_article(self._cased(asked, None, None).question)
            if question is None:
                return None
        notices.append(f"Only “{titles[found[0]]}” was searched.")
        if not asks_more(question):
            # Asked alone: the questions before it name the article by "it", no name to resolve.
            return question, (), found[0]
        # "Tell me more" re-asks the last question, as it was asked of the article.
        after: list[str] = []
        for before in reversed(earlier[at + 1 :]):
            after.insert(0, of_article(before) or before)
            if not asks_more(before) and turn_of(before) is None:
                break
        else:
            if question_of is not None:
                # Right after "What does the … article say about X?", it re-asks that question.
                after.insert(0, question_of[0])
        return question, after, found[0]

    def _names_before(self, question: str, history: Sequence[str]) -> Answer | None:
        """The names of the article a conversation named, for a request leaning on it; else None."""
        if not history:
            return None
        earlier, _ = prepare_history(history, self.settings.answer)
        asked, notices = prepare_question(question, self.settings.answer.max_question_chars)
        after = self._after_article(asked, earlier, notices, None)
        if after is None or not asks_names(after[0]):
            return None
        return self._names(asked, notices, after[2])

    def _asked_of(self, named: Named, titles: dict[str, str]) -> tuple[list[str], int | None]:
        """The articles a question names, by title or place, else by title and first passage."""
        sources, at = requested(named, titles)
        if sources or at is not None:
            return sources, at
        return self._described(named), None

    def _described(self, named: Named) -> list[str]:
        """The articles whose title and first passage hold the name, among those a search finds."""
        # A search for the name, not every article's opening: at 100k chunks that reads them all.
        self.check_embedder()
        embedding = self.encoder([named.phrase])[0]
        with self.store_lock.read():
            passages = self.retriever.retrieve(
                named.phrase, embedding.tolist(), self.settings.retrieval.top_k
            )
        # One read of the file list for them all: at 100k chunks it takes a third of a second.
        among = {p.source for p in passages}
        leads = self.leads(limit=len(among), among=among)
        return [lead.passage.source for lead in leads if described(named, lead.title, lead.passage)]

    def _reply(
        self,
        asked: str,
        notices: list[str],
        kind: str,
        text: str,
        citations: list[Citation],
        leads: Sequence[Lead],
        started: float,
    ) -> Answer:
        """A reply that searched nothing: a first turn's, or one article's opening."""
        total = (time.perf_counter() - started) * 1000
        return Answer(
            question=asked,
            text=text,
            # A question in another language is not answered, nor is a text to write; the others
            # are what was asked for.
            declined=kind in ("language", "task"),
            citations=citations,
            retrieved=[lead.passage for lead in leads] if citations else [],
            mode=self.mode,
            timings_ms={"retrieve": total, "answer": 0.0, "total": total},
            notices=notices,
            standalone_question=asked,
            collection=self.collection,
            turn=kind,
        )

    def _answer(self, found: _Retrieved, draft: Draft) -> Answer:
        done = time.perf_counter()
        return Answer(
            question=found.asked,
            text=draft.text,
            declined=draft.declined,
            citations=draft.citations,
            retrieved=found.passages,
            mode=self.mode,
            timings_ms={
                "retrieve": (found.retrieved - found.started) * 1000,
                "answer": (done - found.retrieved) * 1000,
                "total": (done - found.started) * 1000,
            },
            notices=found.notices + draft.notices + draft.question_notices,
            standalone_question=found.text,
            grounding=draft.grounding,
            collection=self.collection,
            # The decision is the extractive answerer's, whichever answerer wrote the text.
            confidence=found.extractive.confidence,
            withheld=found.extractive.withheld,
            did_you_mean=draft.offer.meant if draft.offer else "",
        )

    def status(self) -> Status:
        """The index's location and contents, the model and the answer mode."""
        with self.store_lock.read():
            files = self.store.files()
            chunks = self.store.count()
        return Status(
            location=self.settings.qdrant.url or str(self.settings.qdrant.path.resolve()),
            articles=sorted((f.source, f.title, len(f.ids)) for f in files.values()),
            chunks=chunks,
            model=model_name(self.settings.embedding),
            mode=self.mode,
        )

    def close(self) -> None:
        """Release the store, after writing what the query log holds."""
        if self._query_log is not None:
            self._query_log.close()
        self.store.close()
