"""A readers-writer lock: questions read the index together, a write excludes them briefly."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class ReadWriteLock:
    """Many readers at once, or one writer; a waiting writer goes before readers that come after.

    The writer holds it only while it changes the store (a batch of points and the manifest
    rows that record them), so a reader waits at most one such batch and never sees half of one.
    Re-entrant for the writing thread, which may also read while it writes.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._readers = 0
        self._writer: int | None = None
        self._depth = 0
        self._waiting_writers = 0

    @contextmanager
    def read(self) -> Iterator[None]:
        """Share the lock with other readers; wait while a writer holds or waits for it."""
        me = threading.get_ident()
        if self._writer == me:  # the writer reading what it writes
            yield
            return
        with self._cond:
            # Writers first: twenty askers in a row must not keep an upload from committing.
            while self._writer is not None or self._waiting_writers:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                if not self._readers:
                    self._cond.notify_all()

    @contextmanager
    def write(self) -> Iterator[None]:
        """Hold the lock alone: wait for the readers inside to finish, keep new ones out."""
        me = threading.get_ident()
        with self._cond:
            if self._writer == me:
                self._depth += 1
            else:
                self._waiting_writers += 1
                try:
                    while self._writer is not None or self._readers:
                        self._cond.wait()
                finally:
                    self._waiting_writers -= 1
                self._writer, self._depth = me, 1
        try:
            yield
        finally:
            with self._cond:
                self._depth -= 1
                if not self._depth:
                    self._writer = None
                    self._cond.notify_all()
