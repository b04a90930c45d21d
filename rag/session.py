"""One conversation with the engine, the same for the web chat, Slack and `rag chat`."""

from __future__ import annotations

import logging
import uuid
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from rag.answering.first_turns import LISTING
from rag.engine import Engine
from rag.errors import QuestionError, RagError
from rag.feedback import FeedbackLog, Vote
from rag.types import Answer

log = logging.getLogger(__name__)

FAILED = "Something went wrong while answering; it has been logged. Please try again."
EMPTY = (
    "Ask a question about the articles, for example: "
    "How much did Nscale raise, and at what valuation?"
)

EMPTY_ERROR = "The question is empty. Type a question about the articles."


@dataclass(frozen=True)
class Reply:
    """The end of a turn: the answer and the key it is kept under, or a message saying why not."""

    answer: Answer | None
    message: str = ""
    key: str = ""
    # The question's row in the query log, which a vote on the answer is attached to.
    log_id: str = ""
    # Why there is no answer, for front ends that report it by kind (the HTTP status of an API).
    error: RagError | None = None


class ChatSession:
    """The questions asked so far (for follow-ups) and the recent answers (for feedback)."""

    def __init__(
        self,
        engine: Engine,
        history: Sequence[str] = (),
        source: str | None = None,
        top_k: int | None = None,
        capacity: int = 100,
        channel: str = "cli",
    ) -> None:
        self.engine = engine
        self.channel = channel
        self.source = source
        self.top_k = top_k
        self.capacity = capacity
        self.questions: list[str] = list(history)[-capacity:]
        self._replies: OrderedDict[str, Reply] = OrderedDict()

    def stream(self, question: str, key: str | None = None) -> Iterator[str | Reply]:
        """Pieces of the answer as they are produced, then the `Reply`; never raises."""
        if not question.strip():
            yield Reply(None, EMPTY, error=QuestionError(EMPTY_ERROR, param="question"))
            return
        try:
            for piece in self.engine.stream(
                question, top_k=self.top_k, source=self.source, history=self.questions
            ):
                if isinstance(piece, Answer):
                    yield self._keep(Reply(piece, log_id=self._log(question, piece)), key)
                else:
                    yield piece
        except RagError as exc:
            yield Reply(None, str(exc), log_id=self._log(question, error=str(exc)), error=exc)
        except Exception:
            # A bug must not end the conversation: the person sees a short message, the log the why.
            log.exception("answering %r failed", question[:200])
            yield Reply(None, FAILED, log_id=self._log(question, error=FAILED))

    def ask(self, question: str, key: str | None = None) -> Reply:
        """The whole reply to one question."""
        *_, reply = self.stream(question, key)
        assert isinstance(reply, Reply)
        return reply

    def answer(self, key: str) -> Answer | None:
        """A recent answer by its key, or None once it has been forgotten."""
        reply = self._replies.get(key)
        return reply.answer if reply else None

    def vote(self, key: str, vote: Vote, feedback: FeedbackLog, channel: str) -> str:
        """Record a thumbs up or down on a kept answer; the sentence to show the person."""
        reply = self._replies.get(key)
        if reply is None or reply.answer is None:
            return "Feedback is kept for answers only."
        try:
            record_vote(self.engine, reply, vote, feedback, channel)
        except RagError as exc:
            return str(exc)
        return "Thanks — feedback saved."

    def _log(self, question: str, answer: Answer | None = None, error: str | None = None) -> str:
        try:
            query_log = self.engine.query_log
        except RagError as exc:
            # A history file that cannot be opened must not cost the person their answer; its
            # message says what to fix, so a traceback would add nothing.
            log.warning("the query log is unavailable: %s", exc)
            return ""
        if query_log is None:
            return ""
        asked = question[: self.engine.settings.answer.max_question_chars]
        return query_log.record(self.channel, asked, answer, error)

    def _keep(self, reply: Reply, key: str | None) -> Reply:
        answer = reply.answer
        assert answer is not None
        reply = replace(reply, key=key or uuid.uuid4().hex)
        if (
            answer.turn == "answer"
            or answer.turn in LISTING
            or (answer.turn == "article" and answer.citations)
        ):
            # A greeting or thanks is no topic a follow-up could lean on; one article summarised
            # is ("What does it say about Wall Street?"), and the overview is the list "What
            # about the second one?" picks from.
            self.questions = [*self.questions, answer.question][-self.capacity :]
        self._replies[reply.key] = reply
        while len(self._replies) > self.capacity:
            self._replies.popitem(last=False)
        return reply


def record_vote(
    engine: Engine, reply: Reply, vote: Vote, feedback: FeedbackLog, channel: str
) -> None:
    """Append a vote to the feedback file and attach it to the question's query-log row."""
    assert reply.answer is not None
    feedback.record(reply.answer, vote, channel=channel)
    query_log = engine.query_log
    if query_log is not None and reply.log_id:
        query_log.vote(reply.log_id, vote)
