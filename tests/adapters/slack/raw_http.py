"""Hand-written HTTP/1.1 requests for the endpoint tests: partial heads, slow or broken bodies,
and signed or unsigned bodies as raw bytes."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import time
from collections.abc import AsyncIterator

from bot.adapters.slack import EVENTS_PATH
from tests.adapters.slack.helpers import SECRET

__all__ = ["Connection", "head", "open_raw", "signed_headers", "status_of"]

Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]


def signed_headers(body: bytes, timestamp: int | None = None) -> dict[str, str]:
    """Slack's signature headers for ``body`` (raw bytes, signed as they are)."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(SECRET.encode(), b"v0:" + stamp.encode() + b":" + body, hashlib.sha256)
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": "v0=" + digest.hexdigest()}


def head(
    content_length: int | None,
    headers: dict[str, str] | None = None,
    content_type: str = "application/x-www-form-urlencoded",
) -> bytes:
    """A POST request head for the events path (chunked when ``content_length`` is None)."""
    lines = [f"POST {EVENTS_PATH} HTTP/1.1", "Host: quizbot", f"Content-Type: {content_type}"]
    if content_length is None:
        lines.append("Transfer-Encoding: chunked")
    else:
        lines.append(f"Content-Length: {content_length}")
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


@contextlib.asynccontextmanager
async def open_raw(port: int) -> AsyncIterator[Connection]:
    """A TCP connection to the endpoint, closed after the block."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        yield reader, writer
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()


async def status_of(reader: asyncio.StreamReader, within_s: float = 10.0) -> int:
    """The status code of the response arriving on ``reader`` (0: closed without one)."""
    line = await asyncio.wait_for(reader.readline(), within_s)
    return int(line.split()[1]) if line else 0
