"""One conversation with the engine, the same for the web chat, Slack and `rag chat`."""

from __future__ import annotations

import logging
import uuid
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from rag.engine import Engine
from rag.errors import RagError
from rag.feedback import FeedbackLog, Vote
from rag.types import Answer

log = logging.getLogger(__name__)

FAILED = "Something went wrong while answering; it has been logged. Please try again."
EMPTY = (
    "Ask a question about the articles, for example: "
    "How much did Nscale raise, and at what valuation?"
)


@dataclass(frozen=True)
class Reply:
    """The end of a turn: the answer and the key it is kept under, or a message saying why not."""

    answer: Answer | None
    message: str = ""
    key: str = ""


class ChatSession:
    """The questions asked so far (for follow-ups) and the recent answers (for feedback)."""

    def __init__(
        self,
        engine: Engine,
        history: Sequence[str] = (),
        source: str | None = None,
        top_k: int | None = None,
        capacity: int = 100,
    ) -> None:
        self.engine = engine
        self.source = source
        self.top_k = top_k
        self.capacity = capacity
        self.questions: list[str] = list(history)[-capacity:]
        self._answers: OrderedDict[str, Answer] = OrderedDict()

    def stream(self, question: str, key: str | None = None) -> Iterator[str | Reply]:
        """Pieces of the answer as they are produced, then the `Reply`; never raises."""
        if not question.strip():
            yield Reply(None, EMPTY)
            return
        try:
            for piece in self.engine.stream(
                question, top_k=self.top_k, source=self.source, history=self.questions
            ):
                if isinstance(piece, Answer):
                    yield Reply(piece, key=self._keep(piece, key))
                else:
                    yield piece
        except RagError as exc:
            yield Reply(None, str(exc))
        except Exception:
            # A bug must not end the conversation: the person sees a short message, the log the why.
            log.exception("answering %r failed", question[:200])
            yield Reply(None, FAILED)

    def ask(self, question: str, key: str | None = None) -> Reply:
        """The whole reply to one question."""
        *_, reply = self.stream(question, key)
        assert isinstance(reply, Reply)
        return reply

    def answer(self, key: str) -> Answer | None:
        """A recent answer by its key, or None once it has been forgotten."""
        return self._answers.get(key)

    def vote(self, key: str, vote: Vote, feedback: FeedbackLog, channel: str) -> str:
        """Record a thumbs up or down on a kept answer; the sentence to show the person."""
        answer = self.answer(key)
        if answer is None:
            return "Feedback is kept for answers only."
        try:
            feedback.record(answer, vote, channel=channel)
        except RagError as exc:
            return str(exc)
        return "Thanks — feedback saved."

    def _keep(self, answer: Answer, key: str | None) -> str:
        key = key or uuid.uuid4().hex
        self.questions = [*self.questions, answer.question][-self.capacity :]
        self._answers[key] = answer
        while len(self._answers) > self.capacity:
            self._answers.popitem(last=False)
        return key
