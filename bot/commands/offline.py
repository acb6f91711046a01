"""The engine for sub-commands that read or settle what players left (no adapter runs)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.config import load_settings
from bot.engine.engine import QuizEngine
from questions.loader import load_bank

__all__ = ["offline_engine"]


@asynccontextmanager
async def offline_engine() -> AsyncIterator[QuizEngine]:
    """An engine on the configured database (an SQLite file or PostgreSQL) and bank; no outbox,
    so nobody is told from here (the running bot tells players later)."""
    from bot.app import open_store

    settings = load_settings(postgres=True)
    bank = load_bank(settings.quizbot_questions_dir)
    store = await open_store(settings)
    try:
        yield QuizEngine(store, bank)
    finally:
        await store.close()
