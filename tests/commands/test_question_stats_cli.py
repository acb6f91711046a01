"""``quizbot questions stats [--json]``: every team's answers, flagged questions first."""

from __future__ import annotations

import asyncio
import json
import random
from pathlib import Path

import pytest

from bot.cli import main
from bot.engine.engine import QuizEngine
from bot.engine.model import Team
from questions.loader import QuestionBank
from storage.store import Store
from tests.analytics_data import FIGURES, FLAGGED, answer_easy_question
from tests.conftest import TEST_PACKS, FakeClock


async def test_stats_text_and_json(
    tmp_path: Path,
    bank: QuestionBank,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    database = tmp_path / "q.db"
    monkeypatch.setenv("QUIZBOT_DATABASE", str(database))
    monkeypatch.setenv("QUIZBOT_QUESTIONS_DIR", str(TEST_PACKS))  # beside the built-in packs
    monkeypatch.chdir(tmp_path)

    def run(*argv: str) -> str:
        assert main(["questions", "stats", *argv]) == 0
        return capsys.readouterr().out

    store = await Store.open(database)
    try:
        engine = QuizEngine(store, bank, clock=clock, rng=random.Random(4))
        assert (await asyncio.to_thread(run)).strip() == "No question has been asked yet."
        await answer_easy_question(engine, Team("slack", "T1"), "C1")
    finally:
        await store.close()
    text = await asyncio.to_thread(run)
    assert text.startswith(f"{FLAGGED}\n    {FIGURES}")
    assert "Flags need 10 answers or more." in text
    report = json.loads(await asyncio.to_thread(run, "--json"))
    assert report["min_answers"] == 10
    [question] = report["questions"]
    assert question["question_id"] == "alpha-easy" and question["answers"] == 12
    assert question["flags"] == ["too-easy", "unused-distractor"]
    assert sum(question["pick_rates"]) == pytest.approx(1)
