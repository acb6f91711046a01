"""Multi-line entries: a fenced code block, or lines ending with a backslash, are one entry.

An entry goes on while it has an open ```` ``` ```` fence (inside a fence every line is kept
as typed, backslashes included), or while its last line ends with ``\\``, which is dropped.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

__all__ = ["FENCE", "continues", "joined", "read_entry"]

FENCE = "```"
_CONTINUATION = "\\"


def _in_fence(text: str) -> bool:
    return text.count(FENCE) % 2 == 1


def continues(entry: str) -> bool:
    """Whether ``entry`` goes on on the next line: an open fence, or a trailing backslash."""
    body = entry.rstrip("\r\n")
    return _in_fence(body) or body.endswith(_CONTINUATION)


def joined(entry: str, line: str) -> str:
    """``entry`` continued by ``line`` (a trailing backslash outside a fence is dropped)."""
    body = entry.rstrip("\r\n")
    if not _in_fence(body):
        body = body.removesuffix(_CONTINUATION)
    return f"{body}\n{line}"


async def read_entry(
    first_line: Callable[[], Awaitable[str]], next_line: Callable[[], Awaitable[str]]
) -> str:
    """One entry: ``first_line()``, then ``next_line()`` while it continues ("" is the end of
    input, which also ends an unfinished entry)."""
    entry = await first_line()
    while entry and continues(entry):
        line = await next_line()
        if not line:
            break
        entry = joined(entry, line)
    return entry
