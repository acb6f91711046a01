"""The weekly digest (``engine.digests``): posted in each daily channel that opted in
(``digest:on`` with the daily schedule), with the first daily question of each ISO week (UTC).

It covers the week before: the team's top five of that week, the question missed most often
(most wrong answers, then the lowest share of correct ones) with its explanation, the team's
accuracy by category (review answers, private practice, count in neither), and the channel's
running daily streaks. A channel's digest of a week is claimed before it is posted, so it is
posted at most once.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.engine import options
from bot.engine.core import Core
from bot.engine.identity import channel_key
from bot.engine.model import CategoryStats, Channel, WeeklyDigest
from bot.engine.standings import period_keys, ranked
from storage.interface import DailyStorage

__all__ = ["DIGEST_TOP", "WeeklyDigests", "last_week"]

DIGEST_TOP = 5
SWITCH: tuple[str, ...] = ("on", "off")


def last_week(now: float) -> tuple[float, float, str]:
    """(start, end, week key) of the ISO week (UTC) before the one containing ``now``."""
    moment = datetime.fromtimestamp(now, UTC)
    monday = datetime(moment.year, moment.month, moment.day, tzinfo=UTC) - timedelta(
        days=moment.weekday()
    )
    start = monday - timedelta(days=7)
    return start.timestamp(), monday.timestamp(), period_keys(start.timestamp())["week"]


class WeeklyDigests:
    """The digest use cases of one :class:`QuizEngine`."""

    def __init__(self, core: Core, daily_store: DailyStorage) -> None:
        self._core = core
        self._daily_store = daily_store
        self.store = core.store.digests

    async def set_digest(self, channel: Channel, value: str) -> bool:
        """Opt the channel in (``on``) or out (``off``); whether it is in."""
        on = options.choose("digest", value, SWITCH) == "on"
        team_pk = await self._core.ids.team_pk(channel.team)
        await self.store.set_opted_in(team_pk, channel_key(channel), on)
        return on

    async def opted_in(self, channel: Channel) -> bool:
        """Whether the channel gets the digest."""
        team_pk = await self._core.ids.known_team_pk(channel.team)
        return team_pk is not None and channel.channel_id in await self.store.opted_in(team_pk)

    async def claim(self, channel: Channel) -> WeeklyDigest | None:
        """Last week's digest of the channel, if it opted in and it was not claimed yet."""
        now = self._core.clock()
        team_pk = await self._core.ids.team_pk(channel.team)
        if channel.channel_id not in await self.store.opted_in(team_pk):
            return None
        start, end, week = last_week(now)
        if not await self.store.claim(team_pk, channel.channel_id, week, now):
            return None
        return await self._build(team_pk, channel.channel_id, start, end, week)

    async def posted(self, channel: Channel, digest: WeeklyDigest) -> None:
        """The platform accepted the digest."""
        team_pk = await self._core.ids.team_pk(channel.team)
        week = period_keys(digest.week_start)["week"]
        await self.store.mark_posted(team_pk, channel.channel_id, week, self._core.clock())

    async def _build(
        self, team_pk: int, channel_id: str, start: float, end: float, week: str
    ) -> WeeklyDigest:
        core = self._core
        top = ranked(await core.store.top_scores(team_pk, week, "", DIGEST_TOP))
        results = await self.store.results(team_pk, start, end, by="question_id")
        missed = [r for r in results if r[1] > r[2]]
        prompt = explanation = None
        answers = correct = 0
        if missed:
            question_id, answers, correct = max(missed, key=lambda r: (r[1] - r[2], -r[2] / r[1]))
            if question_id in core.bank:
                question = core.bank.get(question_id)
                prompt, explanation = question.prompt, question.explanation
        titles = core.bank.category_titles
        categories = tuple(
            CategoryStats(c, titles.get(c, c), n, k)
            for c, n, k in await self.store.results(team_pk, start, end, by="category")
        )
        streaks = await self._daily_store.top_streaks(team_pk, channel_id, DIGEST_TOP)
        return WeeklyDigest(
            week_start=start,
            top=tuple(top),
            most_missed_prompt=prompt,
            most_missed_explanation=explanation,
            most_missed_answers=answers if prompt else 0,
            most_missed_correct=correct if prompt else 0,
            categories=categories,
            streaks=tuple(streaks),
        )
