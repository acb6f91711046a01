"""Answers that give question analytics something to flag (shared by the adapters' tests)."""

from __future__ import annotations

from bot.engine.engine import QuizEngine
from bot.engine.model import Channel, Player, Team

FLAGGED = "alpha-easy: too easy (over 90% correct); a wrong choice nobody picks"
FIGURES = "asked 1 · 12 answers · 92% correct"


async def answer_easy_question(engine: QuizEngine, team: Team, channel_id: str) -> None:
    """Twelve players answer alpha-easy in multiple choice; one picks a wrong choice."""
    card = await engine.start_round(
        Channel(team, channel_id, "general"), None, category="alpha", difficulty="easy"
    )
    question = engine.bank.get(card.question_id)
    right = "ABCD"[card.choices.index(question.choices[question.correct_index].text)]
    wrong = next(letter for letter in "ABCD" if letter != right)
    for n in range(12):
        player = Player(team, f"U{n:08d}", f"player {n}")
        await engine.answer(player, card.round_id, choice=wrong if n == 0 else right)


PROGRESS_LINE = "player 1: 1 answer · 100% correct · 1/3 questions seen (33%)"
