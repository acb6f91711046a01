"""QuizEngine: the quiz's use cases, shared by every adapter.

The engine is a facade over small groups of use cases, each in its own module:

- :mod:`bot.engine.rounds` opens rounds (one open quiz round per channel);
- :mod:`bot.engine.answering` validates, grades, scores and commits answers;
- :mod:`bot.engine.closing` closes rounds and queues their reveals;
  :mod:`bot.engine.publishing` (``engine.publications``) is the publication worker's use case:
  it publishes queued daily posts, reveals and count edits through the
  :class:`~bot.engine.ports.Outbox` registered for the round's platform;
- :mod:`bot.engine.standings` reads leaderboards and stats;
- :mod:`bot.engine.reviews` (``engine.reviews``), :mod:`bot.engine.disputes`
  (``engine.disputes``), :mod:`bot.engine.analytics` (``engine.analytics``),
  :mod:`bot.engine.progress` (``engine.progress``) and :mod:`bot.engine.daily_rounds`
  (``engine.daily``) hold spaced repetition, settling disputes and reports, question
  analytics, team progress, and the daily question; :mod:`bot.engine.seasons`
  (``engine.seasons``) ends seasons; :mod:`bot.engine.digest` (``engine.digests``) builds the
  weekly digest of daily channels; :mod:`bot.engine.rewards` (``engine.rewards``) grants roles
  as rewards;
- :mod:`bot.engine.interviews` (``engine.interviews``) holds the mock interview.

Free-text answers may also be graded by an optional :class:`~bot.engine.ports.Judge`
(:mod:`bot.engine.judging`). They share a :class:`~bot.engine.core.Core`: the store, the
question bank, the injected clock and RNG, and the identity lookups. The engine does no
network I/O itself.
"""

from __future__ import annotations

import random

from cachetools import LRUCache

from bot.engine import answering, options
from bot.engine.analytics import QuestionAnalytics
from bot.engine.answering import MAX_ANSWER_CHARS, AnswerDesk
from bot.engine.closing import RoundCloser
from bot.engine.core import Core
from bot.engine.daily_rounds import DailyRounds
from bot.engine.digest import WeeklyDigests
from bot.engine.disputes import DisputeDesk
from bot.engine.identity import Identities
from bot.engine.interviews import QUESTION_SECONDS, InterviewDesk
from bot.engine.model import (
    Channel,
    Feedback,
    InterviewHistory,
    InterviewPrompt,
    InterviewStep,
    Leaderboard,
    MessageRef,
    Mode,
    Period,
    Player,
    QuestionCard,
    Reveal,
    RoundKind,
    Scorecard,
    Stats,
    Team,
)
from bot.engine.ports import Clock, Judge, Outbox, system_clock
from bot.engine.posting import RoundPoster, SendCard
from bot.engine.progress import TeamProgressDesk
from bot.engine.publishing import Outboxes, Publications
from bot.engine.reviews import DueCounts, Rated, ReportFiled, ReviewDesk
from bot.engine.rewards import RoleRewards
from bot.engine.rounds import RoundOpener
from bot.engine.seasons import SeasonDesk, SeasonSchedule
from bot.engine.standings import Standings, period_keys, ranked
from questions.loader import QuestionBank
from questions.schema import Difficulty
from storage.interface import Storage
from storage.records import RoundRecord

__all__ = ["MAX_ANSWER_CHARS", "QuizEngine", "period_keys", "ranked"]


class QuizEngine:
    """The quiz. One instance serves every adapter of the process."""

    def __init__(
        self,
        store: Storage,
        bank: QuestionBank,
        *,
        clock: Clock = system_clock,
        rng: random.Random | None = None,
        round_seconds: int = 60,
        review_nudge: bool = False,
        judge: Judge | None = None,
        seasons: SeasonSchedule = "off",
        interview_question_seconds: int = QUESTION_SECONDS,
    ) -> None:
        self.store = store
        self.bank = bank
        self.clock = clock
        self.rng = rng or random.Random()
        self.identities = Identities(store)
        open_rounds: LRUCache[int, RoundRecord] = LRUCache(maxsize=answering.OPEN_ROUNDS_REMEMBERED)
        core = Core(store, bank, clock, self.rng, self.identities, open_rounds)
        daily_store = store.daily
        queue = store.publications
        outboxes = Outboxes()

        def wake() -> None:  # something was queued: the publication worker wakes now
            self.publications.poke()

        self._closer = RoundCloser(core, outboxes, queue, daily_store, poke=wake)
        self._rounds = RoundOpener(core, self._closer, daily_store, round_seconds=round_seconds)
        self._poster = RoundPoster(core, self._rounds)
        self.reviews = ReviewDesk(core, self._closer, nudge=review_nudge)
        self.disputes = DisputeDesk(core, self._closer, self.reviews.scheduler)
        self.analytics = QuestionAnalytics(core)
        self.progress = TeamProgressDesk(core)
        self.rewards = RoleRewards(core, self._closer)
        self.seasons = SeasonDesk(core, self.rewards, seasons)
        self._standings = Standings(core, daily_store)
        self.digests = WeeklyDigests(core, daily_store)
        self.daily = DailyRounds(
            core,
            daily_store,
            queue=queue,
            outboxes=outboxes,
            poke=wake,
            rounds=self._rounds,
            closer=self._closer,
            standings=self._standings,
            digests=self.digests,
        )
        self.publications = Publications(
            core, outboxes, queue, reveal_of=self._closer.reveal, daily=self.daily
        )
        self._answers = AnswerDesk(
            core, self._closer, self.reviews, daily_store, judge, rewards=self.rewards
        )
        self.interviews = InterviewDesk(
            core, question_seconds=interview_question_seconds, judge=judge
        )

    @property
    def round_seconds(self) -> int:
        """How long a quiz round stays open unless its caller says otherwise."""
        return self._rounds.round_seconds

    def register_outbox(self, platform: str, outbox: Outbox) -> None:
        """Use ``outbox`` for unsolicited messages to teams of ``platform``."""
        self._closer.register_outbox(platform, outbox)

    def outbox_for(self, platform: str) -> Outbox | None:
        """The outbox registered for ``platform``, if its adapter is running."""
        return self._closer.outbox_for(platform)

    async def wait_for_outbox(self, platform: str) -> Outbox:
        """The outbox of ``platform``, waiting until its adapter has registered one."""
        return await self._closer.wait_for_outbox(platform)

    # -- options (the rules are in bot/engine/options.py) ---------------------------------

    def parse_category(self, value: str | None) -> str | None:
        """Validate a category option (None or empty means any)."""
        return options.parse_category(value, self.bank.categories)

    @staticmethod
    def parse_difficulty(value: str | None) -> Difficulty | None:
        """Validate a difficulty option (None or empty means any)."""
        return options.parse_difficulty(value)

    @staticmethod
    def parse_mode(value: str | None) -> Mode:
        """Validate a mode option (None or empty means multiple choice)."""
        return options.parse_mode(value)

    @staticmethod
    def parse_period(value: str | None) -> Period:
        """Validate a leaderboard period (None or empty means this week)."""
        return options.parse_period(value)

    # -- rounds ----------------------------------------------------------------------------

    async def start_round(
        self,
        channel: Channel,
        player: Player | None,
        *,
        category: str | None = None,
        difficulty: str | None = None,
        mode: str | None = None,
        kind: RoundKind = "quiz",
        closes_at: float | None = None,
    ) -> QuestionCard:
        """Open a round in ``channel`` and return its question card.

        Options are validated first (:class:`InvalidOptionError` lists the allowed values).
        A channel holds one open quiz round at a time (:class:`RoundAlreadyOpenError`).
        """
        return await self._rounds.start(
            channel,
            player,
            category=category,
            difficulty=difficulty,
            mode=mode,
            kind=kind,
            closes_at=closes_at,
        )

    async def post_round(
        self,
        channel: Channel,
        player: Player | None,
        send: SendCard,
        *,
        category: str | None = None,
        difficulty: str | None = None,
        mode: str | None = None,
        kind: RoundKind = "quiz",
        closes_at: float | None = None,
    ) -> QuestionCard:
        """Open a round (the options of :meth:`start_round`), show its card with the adapter's
        ``send`` and attach the message it returns; if ``send`` raises, the round is closed
        silently (no reveal) and the exception propagates (bot/engine/posting.py)."""
        return await self._poster.post(
            channel,
            player,
            send,
            category=category,
            difficulty=difficulty,
            mode=mode,
            kind=kind,
            closes_at=closes_at,
        )

    async def current_round(self, channel: Channel) -> QuestionCard | None:
        """The channel's open quiz round, if any (closing it first if its time is up)."""
        return await self._rounds.current(channel)

    async def open_rounds(self, channel: Channel) -> tuple[QuestionCard, ...]:
        """The channel's open quiz and daily rounds, the last posted first (what a reply
        without a round number answers)."""
        return await self._rounds.open_rounds(channel)

    async def attach_message(self, team: Team, round_id: int, ref: MessageRef) -> None:
        """Remember where an adapter posted the round's question, for the reveal to edit it."""
        await self._rounds.attach_message(team, round_id, ref)

    # -- answers ---------------------------------------------------------------------------

    async def answer(
        self,
        player: Player,
        round_id: int,
        *,
        choice: str | None = None,
        text: str | None = None,
    ) -> Feedback:
        """Answer a round once, with a letter (choice mode) or free text (open mode).

        The answer is committed before the feedback is returned. Refusals raise a
        :class:`QuizError` subclass and record nothing.
        """
        return await self._answers.answer(player, round_id, choice=choice, text=text)

    # -- closing ---------------------------------------------------------------------------

    async def close_round(self, team: Team, round_id: int) -> Reveal:
        """Close a round now and return its reveal (the caller shows it)."""
        return await self._closer.close_round(team, round_id)

    async def close_channel_round(self, channel: Channel) -> Reveal:
        """Close the channel's open quiz round now."""
        return await self._closer.close_channel_round(channel)

    async def publish_reveal(self, channel: Channel, reveal: Reveal) -> bool:
        """Show the reveal of a round closed now as the caller's reply, through the platform's
        registered outbox: the question's message is edited into it (or it is posted); False
        when the platform refused it."""
        return await self._closer.publish(channel, reveal)

    async def close_due_rounds(self) -> list[Reveal]:
        """Close every round whose time is up and queue each reveal for the publication worker
        (``engine.publications``); returns the reveals. No network call happens here."""
        return await self._closer.close_due_rounds()

    async def next_deadline(self) -> float | None:
        """When the next open round is due to close (epoch seconds), if any."""
        return await self.store.next_deadline()

    # -- reviews (bot/engine/reviews.py) ---------------------------------------------------

    async def start_review(
        self, player: Player, *, mode: str | None = None, category: str | None = None
    ) -> QuestionCard:
        """A private practice round: the most overdue card, else an unseen question (only of
        ``category`` when given: targeted practice)."""
        return await self.reviews.start(player, mode=mode, category=category)

    async def rate_review(self, player: Player, round_id: int, rating: str) -> Rated:
        """The player's self-assessment (again|hard|good|easy) of their review answer."""
        return await self.reviews.rate(player, round_id, rating)

    async def dispute(self, player: Player, round_id: int, reason: str) -> ReportFiled:
        """ "Dispute grade" on the player's answer to a round."""
        return await self.reviews.dispute(player, round_id, reason)

    async def report_question(
        self, player: Player, round_id: int, kind: str, note: str = ""
    ) -> ReportFiled:
        """ "Report question" (typo, wrong, unclear) of a round."""
        return await self.reviews.report_question(player, round_id, kind, note)

    async def due_counts(self, player: Player) -> DueCounts:
        """The player's FSRS cards due now, today and within 7 days."""
        return await self.reviews.due_counts(player)

    # -- mock interviews (bot/engine/interviews.py) ----------------------------------------

    async def start_interview(
        self,
        player: Player,
        *,
        length: str | None = None,
        category: str | None = None,
        difficulty: str | None = None,
    ) -> InterviewStep:
        """Start a private mock interview (5, 8 or 12 questions; one or several categories,
        comma-separated; a starting difficulty), or resume the running one: its first or
        current question."""
        return await self.interviews.start(
            player, length=length, category=category, difficulty=difficulty
        )

    async def answer_interview(
        self,
        player: Player,
        text: str,
        *,
        interview_id: int | None = None,
        step: str | None = None,
    ) -> InterviewStep:
        """Answer the running interview's question or follow-up: the next one, or the
        scorecard after the last."""
        return await self.interviews.answer(player, text, interview_id=interview_id, step=step)

    async def current_interview(self, player: Player) -> InterviewPrompt | None:
        """The running interview's current question or follow-up, if any."""
        return await self.interviews.current(player)

    async def stop_interview(self, player: Player, *, interview_id: int | None = None) -> Scorecard:
        """End the running interview early (only ``interview_id``, when given): the scorecard
        of what was answered."""
        return await self.interviews.stop(player, interview_id=interview_id)

    async def interview_history(self, player: Player) -> InterviewHistory:
        """The player's latest interviews with their scores."""
        return await self.interviews.history(player)

    # -- leaderboards and stats ------------------------------------------------------------

    async def leaderboard(
        self,
        team: Team,
        *,
        period: str | None = None,
        channel_id: str | None = None,
        caller: Player | None = None,
        season: str | None = None,
    ) -> Leaderboard:
        """The team's top ten for a period (week, month, all, season: the current one),
        optionally for one channel; with ``season``, that ended season's final standings."""
        return await self._standings.leaderboard(
            team, period=period, channel_id=channel_id, caller=caller, season=season
        )

    async def stats(self, player: Player) -> Stats:
        """A player's stats with their review progress (weakest category, cards due)."""
        return await self.reviews.with_progress(player, await self._standings.stats(player))
