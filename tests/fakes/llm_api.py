"""A loopback fake of an OpenAI-compatible chat-completions API (OpenAI, Ollama, vLLM...).

It serves ``POST /v1/chat/completions`` and ``GET /v1/models`` on 127.0.0.1:0 with the real
wire format: a completion's text in ``choices[0].message.content`` with ``usage``, errors as
``{"error": {"message", "type", "code"}}`` with a 4xx/5xx status. Like the real APIs it refuses
a wrong bearer key (401), an unknown model (404) and a request without ``messages`` (400). It
records every chat request's JSON body, and is scripted per test:

* :meth:`FakeLlm.reply` -- answer with a verdict (a dict, or a function of the request body);
* :meth:`FakeLlm.reply_text` -- answer with this exact ``content`` (malformed JSON, a fence...);
* :meth:`FakeLlm.fail` -- answer with an HTTP error;
* :meth:`FakeLlm.hang` -- never answer (until the fake stops), so the client's timeout fires.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable
from typing import Any

from aiohttp import web

__all__ = ["MODEL", "Body", "FakeLlm", "key_point_numbers", "verdict"]

MODEL = "judge-model"
Body = dict[str, Any]


def verdict(statuses: list[str], grade: float, feedback: str) -> Body:
    """A verdict as the judge's prompt asks for it: key point 1 has ``statuses[0]``, etc."""
    points = [{"id": i, "status": status} for i, status in enumerate(statuses, start=1)]
    return {"key_points": points, "grade": grade, "feedback": feedback}


def key_point_numbers(body: Body) -> list[int]:
    """The numbers of the key points listed in a chat request's user message."""
    user = next(m["content"] for m in body["messages"] if m["role"] == "user")
    listing = user.split("Key points:\n", 1)[1]
    return [int(n) for n in re.findall(r"^(\d+)\. ", listing, flags=re.MULTILINE)]


def _error(status: int, message: str, kind: str, code: str | None = None) -> web.Response:
    body = {"error": {"message": message, "type": kind, "param": None, "code": code}}
    return web.json_response(body, status=status)


class FakeLlm:
    """The fake endpoint: ``url`` is the base URL to configure (ends in ``/v1``).

    Use as ``async with FakeLlm() as llm``; by default it replies with every key point missed.
    """

    def __init__(self, *, models: tuple[str, ...] = (MODEL,), api_key: str | None = None):
        self.models = models
        self.api_key = api_key
        self.requests: list[Body] = []
        self.url = ""
        self._content: Callable[[Body], str] = lambda body: json.dumps(
            verdict(["missed"] * len(key_point_numbers(body)), 0.0, "Nothing matched.")
        )
        self._failure: tuple[int, str] | None = None
        self._hanging = False
        self._stopping = asyncio.Event()
        self._runner: web.AppRunner | None = None

    async def __aenter__(self) -> FakeLlm:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._chat)
        app.router.add_get("/v1/models", self._models)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}/v1"
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._stopping.set()  # a hanging request ends now
        if self._runner is not None:
            await self._runner.cleanup()

    # -- scripting ---------------------------------------------------------------------------

    def reply(self, answer: Body | Callable[[Body], Body]) -> None:
        """Reply with this verdict (or the verdict ``answer(request body)`` returns)."""
        make = answer if callable(answer) else (lambda body: answer)
        self.reply_text(lambda body: json.dumps(make(body)))

    def reply_text(self, content: str | Callable[[Body], str]) -> None:
        """Reply with this exact message content."""
        self._content = content if callable(content) else (lambda body: content)
        self._failure, self._hanging = None, False

    def fail(self, status: int = 500, message: str = "The server had an error.") -> None:
        """Answer every chat request with this HTTP error."""
        self._failure, self._hanging = (status, message), False

    def hang(self) -> None:
        """Never answer a chat request (until the fake stops)."""
        self._hanging = True

    def user_message(self, index: int = -1) -> str:
        """The user message of a recorded chat request (the last one by default)."""
        return str(
            next(m["content"] for m in self.requests[index]["messages"] if m["role"] == "user")
        )

    # -- the API -----------------------------------------------------------------------------

    def _refusal(self, request: web.Request) -> web.Response | None:
        if self.api_key and request.headers.get("Authorization") != f"Bearer {self.api_key}":
            return _error(
                401, "Incorrect API key provided.", "invalid_request_error", "invalid_api_key"
            )
        return None

    async def _models(self, request: web.Request) -> web.Response:
        refused = self._refusal(request)
        if refused is not None:
            return refused
        data = [{"id": m, "object": "model", "created": 0, "owned_by": "fake"} for m in self.models]
        return web.json_response({"object": "list", "data": data})

    async def _chat(self, request: web.Request) -> web.Response:
        refused = self._refusal(request)
        if refused is not None:
            return refused
        body = await request.json()
        self.requests.append(body)
        if body.get("model") not in self.models:
            message = f"The model `{body.get('model')}` does not exist."
            return _error(404, message, "invalid_request_error", "model_not_found")
        if not isinstance(body.get("messages"), list) or not body["messages"]:
            return _error(400, "'messages' is a required property", "invalid_request_error")
        if self._hanging:
            await self._stopping.wait()
        if self._failure is not None:
            status, message = self._failure
            return _error(
                status, message, "server_error" if status >= 500 else "invalid_request_error"
            )
        content = self._content(body)
        prompt_tokens = sum(len(str(m.get("content", "")).split()) for m in body["messages"])
        completion_tokens = len(content.split())
        return web.json_response(
            {
                "id": f"chatcmpl-{len(self.requests)}",
                "object": "chat.completion",
                "created": 0,
                "model": body["model"],
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": content},
                        "finish_reason": "stop",
                    }
                ],
                "usage": {
                    "prompt_tokens": prompt_tokens,
                    "completion_tokens": completion_tokens,
                    "total_tokens": prompt_tokens + completion_tokens,
                },
            }
        )
