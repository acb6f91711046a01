"""Slack's request signature, checked on the exact bytes that arrived.

Slack signs ``v0:{timestamp}:{body}`` with the app's signing secret (HMAC-SHA256) and sends the
``X-Slack-Request-Timestamp`` (whole seconds) and ``X-Slack-Signature`` (``v0=`` + hex)
headers. :func:`signature_problem` says what is wrong with a request, or None; it never raises,
whatever the headers hold (``slack_sdk``'s verifier raises on a timestamp such as ``abc`` or
``1e10`` and overflows on a very long one, and decodes the body first).
"""

from __future__ import annotations

import hashlib
import hmac

__all__ = ["MAX_AGE_S", "signature_problem", "signed"]

MAX_AGE_S = 5 * 60
"""Slack's replay window: a request whose timestamp is further from now is refused."""
_MAX_TIMESTAMP_DIGITS = 12


def signed(secret: bytes, timestamp: str, body: bytes) -> bytes:
    """The ``X-Slack-Signature`` value of ``body`` sent at ``timestamp`` (as in the header)."""
    message = b"v0:" + timestamp.encode("ascii") + b":" + body
    return b"v0=" + hmac.new(secret, message, hashlib.sha256).hexdigest().encode("ascii")


def signature_problem(
    secret: bytes, timestamp: str | None, signature: str | None, body: bytes, now: float
) -> str | None:
    """Why the request is not signed by Slack ("unsigned", "malformed timestamp", "stale
    timestamp", "bad signature"), or None when it is."""
    if not secret or timestamp is None or signature is None:
        return "unsigned"
    if not (timestamp.isascii() and timestamp.isdigit()) or len(timestamp) > _MAX_TIMESTAMP_DIGITS:
        return "malformed timestamp"
    if abs(now - int(timestamp)) > MAX_AGE_S:
        return "stale timestamp"
    expected = signed(secret, timestamp, body)
    if not hmac.compare_digest(expected, signature.encode("ascii", "replace")):
        return "bad signature"
    return None
