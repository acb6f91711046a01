"""The database file deleted or replaced under an open store: every write is refused, loudly."""

from __future__ import annotations

import logging
import random
import shutil
from pathlib import Path

import pytest

from bot.engine.engine import QuizEngine
from bot.engine.model import Channel, Player, Team
from questions.loader import load_bank
from storage.store import Store, StoreError

TEAM = Team("console", "local")


async def _engine(path: Path) -> tuple[Store, QuizEngine]:
    store = await Store.open(path)
    return store, QuizEngine(store, load_bank(), rng=random.Random(1))


@pytest.mark.parametrize("change", ["deleted", "replaced"])
async def test_writes_are_refused_once_the_file_is_gone(
    tmp_path: Path, change: str, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "q.db"
    store, engine = await _engine(path)
    try:
        card = await engine.start_round(Channel(TEAM, "general"), None)
        await engine.answer(Player(TEAM, "u1", "Ada"), card.round_id, choice="A")
        assert store.problem() is None
        if change == "deleted":
            path.unlink()
        else:
            shutil.copy(path, tmp_path / "copy.db")
            (tmp_path / "copy.db").replace(path)
        expected = f"{path}: the database file was {change} while Quizbot was running"
        with caplog.at_level(logging.CRITICAL, logger="storage.database"):
            with pytest.raises(StoreError, match=expected):
                await engine.answer(Player(TEAM, "u2", "Bob"), card.round_id, choice="B")
            with pytest.raises(StoreError, match=expected):  # statement-by-statement writes too
                await engine.start_round(Channel(TEAM, "other"), None)
        problem = store.problem()
        assert problem is not None and problem.startswith(expected)
        assert [r.getMessage() for r in caplog.records if r.levelno == logging.CRITICAL] == [
            problem
        ]  # logged once, however many writes were refused
    finally:
        await store.close()
