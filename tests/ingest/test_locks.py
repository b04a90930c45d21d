"""The engine's locks: readers together, a waiting writer before later readers, FIFO questions."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from rag.locking import FifoLock, ReadWriteLock


def until(condition: Callable[[], bool]) -> None:
    """Wait for another thread to reach a state (a deadlock fails the test after a minute)."""
    deadline = time.monotonic() + 60
    while not condition():
        assert time.monotonic() < deadline, "the other thread never got there"
        time.sleep(0.001)


def test_readers_share_and_a_waiting_writer_goes_before_later_readers() -> None:
    lock = ReadWriteLock()
    order: list[str] = []
    release_first = threading.Event()

    def first_reader() -> None:
        with lock.read():
            order.append("reader 1 in")
            release_first.wait(60)
        order.append("reader 1 out")

    def writer() -> None:
        with lock.write():
            order.append("writer")

    def late_reader() -> None:
        with lock.read():
            order.append("reader 2")

    threads = [threading.Thread(target=first_reader)]
    threads[0].start()
    until(lambda: order == ["reader 1 in"])
    with lock.read():  # a second reader gets in beside the first
        order.append("main reads too")
    threads.append(threading.Thread(target=writer))
    threads[1].start()
    until(lambda: lock._waiting_writers == 1)
    threads.append(threading.Thread(target=late_reader))
    threads[2].start()
    until(lambda: len(lock._cond._waiters) == 2)
    release_first.set()
    for thread in threads:
        thread.join(60)
    assert order == ["reader 1 in", "main reads too", "reader 1 out", "writer", "reader 2"]


def test_the_writer_may_read_what_it_writes() -> None:
    lock = ReadWriteLock()
    with lock.write(), lock.read(), lock.write():
        pass
    with lock.read():
        pass


def test_questions_are_let_in_in_the_order_they_came() -> None:
    lock = FifoLock()
    order: list[int] = []

    def ask(n: int) -> None:
        with lock:
            order.append(n)

    threads = []
    with lock:
        for n in range(8):
            threads.append(threading.Thread(target=ask, args=(n,)))
            threads[-1].start()
            until(lambda n=n: lock._issued == n + 2)
    for thread in threads:
        thread.join(60)
    assert order == list(range(8))
