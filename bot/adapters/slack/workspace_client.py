"""The Web API client of a Slack app installed in many workspaces.

It also sends the app's own credentials (``oauth.v2.access``) as a plain ``Authorization``
header rather than through aiohttp's deprecated ``BasicAuth``.

Distributed with OAuth, every workspace has its own bot token. bolt resolves it for each
request (its ``authorize`` step); :func:`bind_request_token` keeps it for the request's work,
which may run in background tasks (they copy the context they are created in), and
:class:`WorkspaceClient` sends every call made without an explicit token with it. Posts made on
Quizbot's own initiative (the outbox) pass the token of their workspace explicitly.
"""

from __future__ import annotations

import base64
import contextvars
from typing import Any

from aiohttp import FormData
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

__all__ = ["WorkspaceClient", "bind_request_token", "request_token"]

RATE_LIMIT_RETRIES = 5

_REQUEST_TOKEN: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "slack_request_token", default=None
)


def bind_request_token(token: str | None) -> None:
    """Use ``token`` for the calls of the current request's work (this task and the tasks it
    creates from now on)."""
    _REQUEST_TOKEN.set(token)


def request_token() -> str | None:
    """The bot token of the request being worked on, or None outside a request."""
    return _REQUEST_TOKEN.get()


def _basic(auth: dict[str, str]) -> str:
    """HTTP Basic credentials of the app (its client id and secret)."""
    pair = f"{auth['client_id']}:{auth['client_secret']}".encode("latin-1")
    return "Basic " + base64.b64encode(pair).decode("ascii")


def _names_token(*parts: object) -> bool:
    return any(isinstance(part, dict) and part.get("token") for part in parts)


class WorkspaceClient(AsyncWebClient):
    """An ``AsyncWebClient`` without a token of its own: a call that names no token (and no
    client credentials) is sent with the current request's workspace token."""

    def __init__(self, base_url: str) -> None:
        if not base_url.endswith("/"):
            base_url += "/"
        super().__init__(
            token=None,
            base_url=base_url,
            retry_handlers=[
                AsyncConnectionErrorRetryHandler(),
                AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
            ],
        )

    async def api_call(
        self,
        api_method: str,
        *,
        http_verb: str = "POST",
        files: dict[str, Any] | None = None,
        data: dict[str, Any] | FormData | None = None,
        params: dict[str, Any] | None = None,
        json: dict[str, Any] | None = None,
        headers: dict[str, Any] | None = None,
        auth: dict[str, str] | None = None,
    ) -> AsyncSlackResponse:
        """Call ``api_method``, with the request's workspace token unless the call names one
        (or authenticates the app itself: ``auth``, its client id and secret)."""
        token = request_token()
        if auth is not None:  # sent as the header slack_sdk would build with aiohttp's BasicAuth
            headers = {**(headers or {}), "Authorization": _basic(auth)}
            auth = None
        elif token and not _names_token(params, json, data):
            headers = {**(headers or {}), "Authorization": f"Bearer {token}"}
        return await super().api_call(
            api_method,
            http_verb=http_verb,
            files=files,
            data=data,
            params=params,
            json=json,
            headers=headers,
            auth=auth,
        )
