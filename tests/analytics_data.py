"""Answers that give question analytics and the weekly digest something to show (shared by
the adapters' tests)."""

from __future__ import annotations

from bot.daily import DailyService
from bot.engine.daily_rounds import spec_of
from bot.engine.daily_schedule import last_slot
from bot.engine.engine import QuizEngine
from bot.engine.model import Channel, Player, Team
from storage.daily_store import DailySchedule
from tests.conftest import FakeClock

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
        player = Player(team, f"9000000000000{n:05d}", f"player {n}")  # snowflake-like
        await engine.answer(player, card.round_id, choice=wrong if n == 0 else right)


PROGRESS_LINE = "player 1: 1 answer · 100% correct · 1/3 questions seen (33%)"


async def last_week_then_a_daily_slot(
    engine: QuizEngine, clock: FakeClock, channel: Channel
) -> tuple[DailyService, DailySchedule]:
    """A week ago twelve players answered alpha-easy in ``channel`` (one wrongly); now the
    channel's daily question, with the digest on, is due. The service is started (no jobs)."""
    await engine.daily.set_schedule(
        channel, time_of_day="17:00", timezone="Europe/Berlin", digest="on"
    )
    clock.advance(-3 * DAY)
    await answer_easy_question(engine, channel.team, channel.channel_id)
    await engine.close_channel_round(channel)
    clock.advance(3 * DAY)
    [record] = await engine.daily.db.active_schedules()
    service = DailyService(engine)
    await service.start(jobs=False)
    return service, record


async def run_due_slot(
    service: DailyService, record: DailySchedule, clock: FakeClock
) -> str | None:
    """Run the schedule's last slot up to now and publish what it queued; the slot's state."""
    slot = last_slot(spec_of(record), clock())
    await service.run_slot(record, slot)
    await service.engine.publications.drain()
    return await service.daily.db.slot_state(record.team_pk, record.channel_id, slot.key)


DAY = 86_400
DIGEST_TITLE = "📬 Weekly digest — week of 2025-11-17"
