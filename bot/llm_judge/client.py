""":class:`LlmJudge`: the :class:`~bot.engine.ports.Judge` port over an OpenAI-compatible
chat-completions endpoint (OpenAI, Ollama, vLLM, a llama.cpp server...), with aiohttp.

Each answer costs one ``POST {url}/chat/completions`` (temperature 0, JSON mode), bounded by
``QUIZBOT_LLM_TIMEOUT_SECONDS``. A timeout, a connection error, an HTTP error or an invalid
reply gives no verdict -- the engine keeps the rubric's grade -- and one warning line in the
log. Verdicts are cached by (question id, answer with case and spacing normalised) in a
bounded LRU, so the same answer is never judged twice.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import aiohttp
from cachetools import LRUCache

from bot.engine.ports import JudgeVerdict
from bot.llm_judge.prompt import messages
from bot.llm_judge.reply import InvalidReply, verdict_from_completion
from bot.safe_text import shorten
from questions.schema import Question

__all__ = ["CACHE_SIZE", "LlmJudge", "api_error", "auth_headers", "cache_key"]

log = logging.getLogger(__name__)

CACHE_SIZE = 1024


class _Refused(Exception):
    """The endpoint answered with an HTTP error."""


def auth_headers(api_key: str | None) -> dict[str, str]:
    """The ``Authorization`` header for ``api_key`` (none without a key, e.g. local Ollama)."""
    return {"Authorization": f"Bearer {api_key}"} if api_key else {}


def api_error(body: bytes) -> str:
    """The message of an OpenAI-style error body ``{"error": {"message": ...}}`` ("" if none)."""
    try:
        error = json.loads(body).get("error")
    except (ValueError, AttributeError):
        return ""
    message = error.get("message") if isinstance(error, dict) else error
    return shorten(" ".join(str(message).split()), 200) if message else ""


def cache_key(question: Question, answer: str) -> tuple[str, str]:
    """What a verdict is cached by: the question's id and the answer, case and spacing folded."""
    return question.id, " ".join(answer.casefold().split())


class LlmJudge:
    """Judges free-text answers with a language model; see the module docstring."""

    def __init__(
        self,
        url: str,
        model: str,
        *,
        api_key: str | None = None,
        timeout_s: float = 5.0,
        cache_size: int = CACHE_SIZE,
    ) -> None:
        self.url = url.rstrip("/")
        self.model = model
        self.timeout_s = timeout_s
        self._api_key = api_key
        self._cache: LRUCache[tuple[str, str], JudgeVerdict] = LRUCache(cache_size)
        self._session: aiohttp.ClientSession | None = None

    async def judge(self, question: Question, answer: str) -> JudgeVerdict | None:
        """The model's verdict on ``answer``, from the cache when it was judged before; None
        (and one warning line) when the endpoint gives none."""
        key = cache_key(question, answer)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        try:
            verdict = await self._ask(question, answer)
        except TimeoutError:
            reason = f"no reply within {self.timeout_s:g} s"
        except aiohttp.ClientError as exc:
            reason = f"cannot reach {self.url} ({type(exc).__name__})"
        except (_Refused, InvalidReply) as exc:
            reason = str(exc)
        else:
            self._cache[key] = verdict
            return verdict
        log.warning("LLM judge: %s; question %s graded by the rubric", reason, question.id)
        return None

    async def _ask(self, question: Question, answer: str) -> JudgeVerdict:
        body: dict[str, Any] = {
            "model": self.model,
            "messages": messages(question, answer),
            "temperature": 0,
            "response_format": {"type": "json_object"},
        }
        async with self._client().post(f"{self.url}/chat/completions", json=body) as response:
            raw = await response.read()
            if response.status != 200:
                detail = api_error(raw)
                raise _Refused(f"HTTP {response.status}" + (f" ({detail})" if detail else ""))
        return verdict_from_completion(raw, question)

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self.timeout_s),
                headers=auth_headers(self._api_key),
            )
        return self._session

    async def close(self) -> None:
        """Close the HTTP session (the judge opens a new one if used again)."""
        if self._session is not None:
            await self._session.close()
            self._session = None
