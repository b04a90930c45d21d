"""Counts in words for messages: "1 chunk", "2 chunks"."""


def counted(n: int, noun: str) -> str:
    """The count and the noun, plural unless the count is one."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
