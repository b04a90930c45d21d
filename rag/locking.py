"""A readers-writer lock: questions read the index together, a write excludes them briefly."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class ReadWriteLock:
    """Many readers at once, or one writer; a waiting writer goes before readers that come after."""

    # The writer holds it only while it changes the store (a batch of points and the manifest rows
    # that record them), so a reader waits at most one such batch and never sees half of one.
    # Re-entrant for the writing thread, as it may also read while it writes.

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


class FifoLock:
    """A lock taken in the order it was asked for: under load, no caller is passed over."""

    # Python's own lock wakes waiters in no set order; with twenty questions waiting, one of them
    # could wait through many turns while later ones went first.

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._issued = 0
        self._serving = 0
        # Tickets whose holders gave up waiting (interrupted): skipped when their turn comes.
        self._abandoned: set[int] = set()

    def __enter__(self) -> None:
        with self._cond:
            ticket = self._issued
            self._issued += 1
            try:
                while ticket != self._serving:
                    self._cond.wait()
            except BaseException:
                self._abandoned.add(ticket)
                self._skip_abandoned()
                raise

    def __exit__(self, *exc: object) -> None:
        with self._cond:
            self._serving += 1
            self._skip_abandoned()
            self._cond.notify_all()

    def _skip_abandoned(self) -> None:
        while self._serving in self._abandoned:
            self._abandoned.discard(self._serving)
            self._serving += 1
        self._cond.notify_all()
