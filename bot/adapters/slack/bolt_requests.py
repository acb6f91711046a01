"""bolt's request for a signed HTTP body, refused when bolt could not read it.

bolt parses the body while building its request (a JSON body, or the JSON ``payload`` field of
a form) and fails on JSON that is not valid, nested too deep, or not an object. This module
reads the body with bolt's own parser first, so such a body is a clear refusal rather than an
error inside bolt.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.request.internals import (
    build_normalized_headers,
    extract_content_type,
    parse_body,
)

__all__ = ["MalformedRequest", "bolt_request"]

Headers = dict[str, str | Sequence[str]]


class MalformedRequest(ValueError):
    """A request whose body bolt cannot read; the message says why."""


def bolt_request(
    body: str, *, query: str, headers: Headers, context: dict[str, Any]
) -> AsyncBoltRequest:
    """bolt's request for ``body``; :class:`MalformedRequest` unless bolt reads a JSON object
    (or form fields) from it."""
    content_type = extract_content_type(build_normalized_headers(headers))
    try:
        parsed = parse_body(body, content_type)
    except RecursionError:
        raise MalformedRequest("JSON nested too deep") from None
    except ValueError:
        raise MalformedRequest("JSON not valid") from None
    if not isinstance(parsed, dict):
        raise MalformedRequest("JSON not an object")
    return AsyncBoltRequest(body=body, query=query, headers=headers, context=context)
