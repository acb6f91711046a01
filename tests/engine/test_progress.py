"""Team progress: each member's accuracy by category and coverage of the bank."""

from __future__ import annotations

from bot.engine.engine import QuizEngine
from bot.engine.model import Channel, Player, Team

TEAM = Team("console", "local")
GENERAL = Channel(TEAM, "general", "general")
ALICE = Player(TEAM, "alice", "Alice")
BOB = Player(TEAM, "bob", "Bob")


def right_letter(engine: QuizEngine, choices: tuple[str, ...], question_id: str) -> str:
    question = engine.bank.get(question_id)
    return "ABCD"[choices.index(question.choices[question.correct_index].text)]


async def test_members_by_name_with_accuracy_by_category_and_coverage(engine: QuizEngine) -> None:
    assert (await engine.progress.team(TEAM)).members == ()
    for category, alice_right in (("alpha", True), ("beta", False)):
        card = await engine.start_round(GENERAL, None, category=category)
        right = right_letter(engine, card.choices, card.question_id)
        wrong = next(x for x in "ABCD" if x != right)
        await engine.answer(ALICE, card.round_id, choice=right if alice_right else wrong)
        if category == "alpha":
            await engine.answer(BOB, card.round_id, choice=wrong)
        await engine.close_round(TEAM, card.round_id)
    progress = await engine.progress.team(TEAM)
    assert progress.bank_size == 3
    alice, bob = progress.members
    assert (alice.display_name, alice.answers, alice.accuracy, alice.seen) == ("Alice", 2, 0.5, 2)
    assert [(c.title, c.answers, c.correct) for c in alice.categories] == [
        ("Alpha basics", 1, 1),
        ("Beta basics", 1, 0),
    ]
    assert progress.coverage(alice) == 2 / 3
    assert (bob.display_name, bob.answers, bob.accuracy, progress.coverage(bob)) == (
        "Bob",
        1,
        0.0,
        1 / 3,
    )
    assert (await engine.progress.team(Team("console", "elsewhere"))).members == ()
