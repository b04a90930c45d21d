"""Qdrant's failures become the project's messages in one place: the store's error table."""

from __future__ import annotations

import errno
import sqlite3

import pytest

from rag.errors import QuestionError, StoreUnavailableError
from rag.search.store import store_errors

SERVER = (
    "The Qdrant store at http://127.0.0.1:6333 failed ({}); check that it is running and "
    "reachable, then ask again."
)


@pytest.mark.parametrize(
    ("failure", "message"),
    [
        (
            ConnectionRefusedError(errno.ECONNREFUSED, "refused"),
            SERVER.format("ConnectionRefusedError"),
        ),
        (
            sqlite3.OperationalError("database or disk is full"),
            "Cannot write to the index in http://127.0.0.1:6333 (database or disk is full). Free "
            "some disk space or make the folder writable, then run the ingest again; the index "
            "still answers from what it held before.",
        ),
        (
            OSError(errno.ENOSPC, "No space left on device"),
            "Cannot write to the index in http://127.0.0.1:6333 ([Errno 28] No space left on "
            "device). Free some disk space or make the folder writable, then run the ingest "
            "again; the index still answers from what it held before.",
        ),
    ],
)
def test_each_failure_maps_to_its_message(failure: Exception, message: str) -> None:
    with pytest.raises(StoreUnavailableError) as caught, store_errors("http://127.0.0.1:6333"):
        raise failure
    assert str(caught.value) == message
    assert caught.value.__cause__ is failure


def test_other_errors_pass_through_unchanged() -> None:
    with pytest.raises(ValueError, match="a bug"), store_errors("index/"):
        raise ValueError("a bug")
    with pytest.raises(QuestionError, match="empty"), store_errors("index/"):
        raise QuestionError("empty")
