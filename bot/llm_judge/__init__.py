"""The optional LLM judge of free-text answers: an OpenAI-compatible endpoint behind the
engine's :class:`~bot.engine.ports.Judge` port. Off unless ``QUIZBOT_LLM_URL`` and
``QUIZBOT_LLM_MODEL`` are set."""

from __future__ import annotations

from bot.config import Settings, check_judge
from bot.llm_judge.client import LlmJudge

__all__ = ["LlmJudge", "judge_from_settings"]


def judge_from_settings(settings: Settings) -> LlmJudge | None:
    """The judge the settings configure, or None; a half-configured judge is a
    :class:`~bot.config.ConfigError`."""
    check_judge(settings)
    if not (settings.quizbot_llm_url and settings.quizbot_llm_model):
        return None
    return LlmJudge(
        settings.quizbot_llm_url,
        settings.quizbot_llm_model,
        api_key=settings.quizbot_llm_api_key,
        timeout_s=settings.quizbot_llm_timeout_seconds,
    )
