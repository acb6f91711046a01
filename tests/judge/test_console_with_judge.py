"""End to end: ``quizbot console`` with the LLM judge configured, against the loopback fake."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.fakes.llm_api import MODEL, Body, FakeLlm, key_point_numbers, verdict
from tests.ops.support import clean_env, quizbot


def all_covered(body: Body) -> Body:
    statuses = ["covered"] * len(key_point_numbers(body))
    return verdict(statuses, 0.9, "Clear and complete; @everyone\nnow name an example.")


async def test_the_console_shows_the_judges_grade_and_note(tmp_path: Path) -> None:
    async with FakeLlm() as llm:
        llm.reply(all_covered)
        env = clean_env(
            QUIZBOT_LLM_URL=llm.url, QUIZBOT_LLM_MODEL=MODEL, QUIZBOT_LLM_TIMEOUT_SECONDS="10"
        )
        script = "/quiz mode:open\n/answer In my own words: it is all about the trade-offs.\n"
        result = await asyncio.to_thread(
            quizbot, "console", "--seed", "1", cwd=tmp_path, env=env, stdin=script
        )
    assert result.returncode == 0, result.stderr
    card, feedback = result.stdout.split("\n\n")[:2]
    [request] = llm.requests
    prompt = card.splitlines()[1]
    assert f"Question: {prompt}" in llm.user_message()
    assert "it is all about the trade-offs." in llm.user_message()
    assert "Grade 90%" in feedback and "❌ Missed" not in feedback
    points = len(key_point_numbers(request))
    assert f"You covered {points} of {points} key points." in feedback
    assert "Grader's note: Clear and complete; @everyone now name an example." in feedback
    assert "graded by the rubric" not in result.stderr
