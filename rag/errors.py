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


class DocumentNotFoundError(RagError):
    """No indexed article has the name given."""

    exit_code = 2


class OriginalGoneError(RagError):
    """An ingested file was moved, deleted or changed since: citations no longer point into it."""


class UploadTooLargeError(DocumentError):
    """An uploaded file is over the size limit."""


class AnswerNotFoundError(RagError):
    """No kept answer has the id given (unknown, or forgotten as newer ones arrived)."""


class AuthenticationError(RagError):
    """A request to an API came without a key, or with a wrong one."""


class UnknownModelError(RagError):
    """An API request named a model this server does not offer."""
