"""bolt's request for a signed HTTP body, refused when bolt could not read it.

bolt parses the body while building its request (a JSON body, or the JSON ``payload`` field of
a form) and fails on JSON that is not valid, nested too deep, or not an object. This module
builds the request (parsing the body once: a click's form body takes a good part of the CPU
its acknowledgement needs) and turns those failures into a clear refusal rather than an error
inside bolt.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slack_bolt.request.async_request import AsyncBoltRequest

__all__ = ["MalformedRequest", "bolt_request"]

Headers = dict[str, str | Sequence[str]]


class MalformedRequest(ValueError):
    """A request whose body bolt cannot read; the message says why."""


def bolt_request(
    body: str, *, query: str, headers: Headers, context: dict[str, Any]
) -> AsyncBoltRequest:
    """bolt's request for ``body``; :class:`MalformedRequest` unless bolt reads a JSON object
    (or form fields) from it."""
    try:
        request = AsyncBoltRequest(body=body, query=query, headers=headers, context=context)
    except RecursionError:
        raise MalformedRequest("JSON nested too deep") from None
    except ValueError:
        raise MalformedRequest("JSON not valid") from None
    except (AttributeError, TypeError):  # bolt reads its context from a JSON array, string…
        raise MalformedRequest("JSON not an object") from None
    if not isinstance(request.body, dict):
        raise MalformedRequest("JSON not an object")
    return request
