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
            with pytest.raises(StoreError, match=expected):  # a statement-by-statement write
                await engine.start_round(Channel(TEAM, "other"), None)
            logged = [r.getMessage() for r in caplog.records if r.levelno == logging.CRITICAL]
            assert len(logged) == 1 and logged[0].startswith(expected)
            for name in ("u2", "u3"):  # a write in the connection's thread
                with pytest.raises(StoreError, match=expected):
                    await engine.answer(Player(TEAM, name, name), card.round_id, choice="B")
        assert store.problem() == logged[0]
        assert len(caplog.records) == 1  # logged once, however many writes were refused
    finally:
        await store.close()
