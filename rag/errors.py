"""Errors a user can act on; each message says what to do."""

from __future__ import annotations


class RagError(Exception):
    """Base of every error whose message is meant for the user."""

    exit_code = 1

    def __init__(self, message: str = "", param: str | None = None) -> None:
        super().__init__(message)
        # The request field at fault, for an API's error; None when it is the request as a whole.
        self.param = param


class QuestionError(RagError):
    """The question cannot be asked as given (empty, whitespace only)."""

    exit_code = 2


class ConfigError(RagError):
    """A setting is missing or invalid."""

    exit_code = 2


class CollectionError(RagError):
    """A collection that does not exist, already exists, or has an unusable name."""

    exit_code = 2


class ModelError(RagError):
    """A model (embedding or LLM) cannot be loaded from disk."""


class IndexLockedError(RagError):
    """Another process holds the embedded index."""


class StoreUnavailableError(RagError):
    """The Qdrant store cannot be opened or reached."""


class EmbedderMismatchError(RagError):
    """The index was embedded by another model or backend than the one configured."""

    exit_code = 2


class IndexEmptyError(RagError):
    """Nothing has been ingested yet."""


class DocumentError(RagError):
    """A file cannot be read or parsed; the message gives the reason."""


class DocumentLimitError(DocumentError):
    """A file would cost more work to read than a RAG_INGEST__MAX_* limit allows."""


class DocumentConflictError(DocumentError):
    """A file would take the name of another indexed document, or a name two documents share."""

    exit_code = 2

    def __init__(self, message: str = "", existing: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        # The indexed files (paths) already holding the name.
        self.existing = existing


class DocumentNotFoundError(RagError):
    """No indexed article has the name given."""

    exit_code = 2


class OriginalGoneError(RagError):
    """An ingested file was moved, deleted or changed since: citations no longer point into it."""


class UploadTooLargeError(DocumentError):
    """An uploaded file is over the size limit."""


class JobNotFoundError(RagError):
    """No job has the id given (or not one of a collection the caller may read)."""


class AnswerNotFoundError(RagError):
    """No kept answer has the id given (unknown, or forgotten as newer ones arrived)."""


class AuthenticationError(RagError):
    """A request to an API came without a key, or with a wrong one."""


class TooManyAttemptsError(AuthenticationError):
    """A client failed to log in too often; it must wait."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class AccessError(RagError):
    """A user or key that does not exist, is taken, or was given something unusable."""

    exit_code = 2


class ForbiddenError(RagError):
    """The user or key is known but its role does not allow what was asked."""


class UnknownModelError(RagError):
    """An API request named a model this server does not offer."""


# Not a RagError: a signal to stop, never a message for anyone.
class IngestStopped(Exception):
    """An ingest given up between two batches because its process is stopping."""
