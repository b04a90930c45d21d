"""Handing freed heap back to the operating system after an answer."""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from collections.abc import Callable

# glibc keeps what an answer frees (torch's buffers for encoding the retrieved sentences,
# ~130 MB after a few dozen answers at 100k chunks) in its arenas, counted in the process's
# RSS, until malloc_trim returns the free pages. Measured: well under a millisecond a call.


def _find_trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None
    trim = getattr(libc, "malloc_trim", None)  # glibc only: musl has none
    if trim is None:
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim  # type: ignore[no-any-return]


_TRIM = _find_trim()


def release_free_memory() -> None:
    """Return the allocator's free pages to the OS, where the C library can."""
    if _TRIM is not None:
        _TRIM(0)
