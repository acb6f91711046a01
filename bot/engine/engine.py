"""QuizEngine: the quiz's use cases, shared by every adapter.

Start a round, answer it, close it, read the leaderboard and a player's stats. The engine does
no network I/O itself: unsolicited messages (a round closing on its timer) go through the
:class:`~bot.engine.ports.Outbox` registered for the round's platform.
"""

from __future__ import annotations

import logging
import random
from collections import Counter
from datetime import UTC, datetime

from bot.engine import drawing, scoring
from bot.engine.daily_rounds import DailyRounds
from bot.engine.errors import (
    AlreadyAnsweredError,
    AnswerRejectedError,
    InvalidOptionError,
    QuizError,
    RoundAlreadyOpenError,
    RoundClosedError,
    RoundNotFoundError,
)
from bot.engine.grading import GradeResult, grade_choice, grade_text
from bot.engine.model import (
    CHOICE_LETTERS,
    MODES,
    PERIODS,
    CategoryStats,
    Channel,
    ChoiceTally,
    Feedback,
    Leaderboard,
    LeaderboardRow,
    MessageRef,
    Mode,
    Period,
    Player,
    QuestionCard,
    Reveal,
    RoundKind,
    Stats,
    Team,
)
from bot.engine.ports import Clock, Outbox, system_clock
from bot.engine.reviews import (
    DueCounts,
    Rated,
    ReportFiled,
    ReviewDesk,
    rating_for,
    review_points,
)
from bot.safe_text import has_lone_surrogate, storable
from questions.loader import QuestionBank
from questions.schema import DIFFICULTIES, Difficulty, Question
from storage.store import (
    DuplicateAnswerError,
    OpenRoundExistsError,
    RoundRecord,
    ScoreRow,
    Store,
)

__all__ = ["MAX_ANSWER_CHARS", "QuizEngine", "period_keys", "ranked"]

log = logging.getLogger(__name__)

MAX_ANSWER_CHARS = 4000
LEADERBOARD_SIZE = 10


def period_keys(timestamp: float) -> dict[Period, str]:
    """The score-table keys of the week (ISO, UTC), month and all-time containing ``timestamp``."""
    moment = datetime.fromtimestamp(timestamp, UTC)
    year, week, _ = moment.isocalendar()
    return {"week": f"w{year}-{week:02d}", "month": f"m{moment:%Y-%m}", "all": "all"}


class QuizEngine:
    """The quiz. One instance serves every adapter of the process."""

    def __init__(
        self,
        store: Store,
        bank: QuestionBank,
        *,
        clock: Clock = system_clock,
        rng: random.Random | None = None,
        round_seconds: int = 60,
        review_nudge: bool = False,
    ) -> None:
        self.store = store
        self.bank = bank
        self.clock = clock
        self.rng = rng or random.Random()
        self.round_seconds = round_seconds
        self._outboxes: dict[str, Outbox] = {}
        self._team_pks: dict[Team, int] = {}
        self.daily = DailyRounds(self)  # the daily question: bot/engine/daily_rounds.py
        self.reviews = ReviewDesk(self, nudge=review_nudge)

    def register_outbox(self, platform: str, outbox: Outbox) -> None:
        """Use ``outbox`` for unsolicited messages to teams of ``platform``."""
        self._outboxes[platform] = outbox

    def outbox_for(self, platform: str) -> Outbox | None:
        """The outbox registered for ``platform``, if its adapter is running."""
        return self._outboxes.get(platform)

    # -- identity ------------------------------------------------------------------------

    async def _team_pk(self, team: Team) -> int:
        cached = self._team_pks.get(team)
        if cached is None:
            cached = await self.store.team_pk(team.platform, team.team_id)
            self._team_pks[team] = cached
        return cached

    async def _player_pk(self, player: Player) -> int:
        return await self.store.player_pk(
            await self._team_pk(player.team), storable(player.user_id), storable(player.display_name)
        )

    async def _team_round(self, team: Team, round_id: int) -> RoundRecord:
        """The round with this id if it belongs to ``team``; otherwise RoundNotFoundError."""
        record = await self.store.get_round(round_id)
        if record is None:
            raise RoundNotFoundError()
        team_pk = self._team_pks.get(team) or await self.store.find_team_pk(
            team.platform, team.team_id
        )
        if team_pk != record.team_pk:
            raise RoundNotFoundError()
        return record

    # -- options -------------------------------------------------------------------------

    def parse_category(self, value: str | None) -> str | None:
        """Validate a category option (None or empty means any)."""
        if not value:
            return None
        category = value.strip().casefold()
        if category not in self.bank.categories:
            raise InvalidOptionError("category", value, self.bank.categories)
        return category

    @staticmethod
    def parse_difficulty(value: str | None) -> Difficulty | None:
        """Validate a difficulty option (None or empty means any)."""
        if not value:
            return None
        for difficulty in DIFFICULTIES:
            if value.strip().casefold() == difficulty:
                return difficulty
        raise InvalidOptionError("difficulty", value, DIFFICULTIES)

    @staticmethod
    def parse_mode(value: str | None) -> Mode:
        """Validate a mode option (None or empty means multiple choice)."""
        if not value:
            return "choice"
        for mode in MODES:
            if value.strip().casefold() == mode:
                return mode
        raise InvalidOptionError("mode", value, MODES)

    @staticmethod
    def parse_period(value: str | None) -> Period:
        """Validate a leaderboard period (None or empty means this week)."""
        if not value:
            return "week"
        for period in PERIODS:
            if value.strip().casefold() == period:
                return period
        raise InvalidOptionError("period", value, PERIODS)

    # -- rounds --------------------------------------------------------------------------

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
        chosen_category = self.parse_category(category)
        chosen_difficulty = self.parse_difficulty(difficulty)
        chosen_mode = self.parse_mode(mode)
        candidates = self.bank.select(chosen_category, chosen_difficulty)
        if not candidates:
            raise QuizError("No question matches those options; try fewer filters.")
        await self.close_due_rounds()
        team_pk = await self._team_pk(channel.team)
        if kind == "quiz":
            existing = await self.store.open_quiz_round(team_pk, channel.channel_id)
            if existing is not None:
                raise RoundAlreadyOpenError(existing.id)
        opener = await self._player_pk(player) if player else None
        uses = await self.store.question_use_counts(team_pk, channel.channel_id)
        question = drawing.draw_question(candidates, uses, self.rng)
        now = self.clock()
        try:
            record = await self.store.create_round(
                team_pk=team_pk,
                channel_id=channel.channel_id,
                kind=kind,
                mode=chosen_mode,
                question_id=question.id,
                category=question.category,
                difficulty=question.difficulty,
                choice_order=drawing.shuffled_order(len(question.choices), self.rng),
                opened_by=opener,
                opened_at=now,
                closes_at=closes_at if closes_at is not None else now + self.round_seconds,
            )
        except OpenRoundExistsError:
            existing = await self.store.open_quiz_round(team_pk, channel.channel_id)
            raise RoundAlreadyOpenError(existing.id if existing else 0) from None
        return self._card(record, question, answer_count=0)

    def _card(self, record: RoundRecord, question: Question, *, answer_count: int) -> QuestionCard:
        choices = (
            tuple(question.choices[int(i)].text for i in record.choice_order)
            if record.mode == "choice"
            else ()
        )
        return QuestionCard(
            round_id=record.id,
            kind=record.kind,  # type: ignore[arg-type]
            mode=record.mode,  # type: ignore[arg-type]
            question_id=question.id,
            category=question.category,
            category_title=self.bank.category_titles.get(question.category, question.category),
            difficulty=question.difficulty,
            prompt=question.prompt,
            choices=choices,
            closes_at=record.closes_at,
            time_limit_s=round(record.closes_at - record.opened_at),
            answer_count=answer_count,
        )

    async def current_round(self, channel: Channel) -> QuestionCard | None:
        """The channel's open quiz round, if any (closing it first if its time is up)."""
        await self.close_due_rounds()
        team_pk = await self._team_pk(channel.team)
        record = await self.store.open_quiz_round(team_pk, channel.channel_id)
        if record is None:
            return None
        count = await self.store.answer_count(record.id)
        return self._card(record, self.bank.get(record.question_id), answer_count=count)

    async def attach_message(self, team: Team, round_id: int, ref: MessageRef) -> None:
        """Remember where an adapter posted the round's question, for the reveal to edit it."""
        record = await self._team_round(team, round_id)
        await self.store.set_message(record.id, ref.channel_id, ref.message_id)

    # -- answers -------------------------------------------------------------------------

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
        letter, reply = self._validate_reply(choice, text)
        record = await self._team_round(player.team, round_id)
        now = self.clock()
        if record.closed_at is not None:
            raise RoundClosedError()
        if now >= record.closes_at:
            await self.close_due_rounds()
            raise RoundClosedError()
        question = self.bank.get(record.question_id)
        choice_index, result, shown = self._grade(record, question, letter, reply)
        points = scoring.points_for(
            record.difficulty,
            result.grade,
            now - record.opened_at,
            record.closes_at - record.opened_at,
        )
        verdict = scoring.verdict_for(result.grade)
        if record.kind == "review":
            points = review_points(result.grade)  # small and flat: see bot/engine/reviews.py
        rating = rating_for(record.mode, result)
        player_pk = await self._player_pk(player)
        if record.kind == "daily" and points > 0:
            streak = await self.daily.streak_of(record.team_pk, record.channel_id, player_pk)
            points = scoring.with_streak_bonus(points, streak)
        try:
            await self.store.record_answer(
                round_record=record,
                player_pk=player_pk,
                choice=choice_index,
                text=reply,
                grade=result.grade,
                correct=verdict == "correct",
                points=points,
                answered_at=now,
                periods=period_keys(now).values(),
                on_recorded=self.reviews.card_update(player_pk, record, rating, now),
            )
        except DuplicateAnswerError:
            raise AlreadyAnsweredError() from None
        return Feedback(
            round_id=record.id,
            question_id=question.id,
            correct=verdict == "correct",
            grade=result.grade,
            points=points,
            verdict=verdict,
            your_answer=shown,
            reference_answer=question.answer,
            explanation=question.explanation,
            covered=result.covered,
            missed=result.missed,
            misconception=result.misconception,
            kind=record.kind,  # type: ignore[arg-type]
            rating=rating.name.lower(),
            reviews_due=await self.reviews.nudge_count(player_pk),
        )

    @staticmethod
    def _validate_reply(choice: str | None, text: str | None) -> tuple[str | None, str | None]:
        if choice is not None:
            letter = choice.strip().upper()
            if letter not in CHOICE_LETTERS or len(letter) != 1:
                raise InvalidOptionError("answer", choice, tuple(CHOICE_LETTERS))
            return letter, None
        reply = (text or "").strip()
        if not reply:
            raise AnswerRejectedError("Your answer is empty; please write a few words.")
        if has_lone_surrogate(reply):
            raise AnswerRejectedError(
                "Your answer contains broken characters (a lone surrogate); please retype it."
            )
        if len(reply) > MAX_ANSWER_CHARS:
            raise AnswerRejectedError(
                f"Your answer is {len(reply)} characters long; the limit is {MAX_ANSWER_CHARS}."
            )
        if len(reply) == 1 and reply.upper() in CHOICE_LETTERS:
            return reply.upper(), None
        return None, reply

    @staticmethod
    def _grade(
        record: RoundRecord, question: Question, letter: str | None, reply: str | None
    ) -> tuple[int | None, GradeResult, str]:
        """Grade a validated reply; returns (file choice index, result, reply as shown)."""
        if record.mode == "choice":
            if letter is None:
                raise AnswerRejectedError("This question is multiple choice: answer A, B, C or D.")
            position = CHOICE_LETTERS.index(letter)
            index = int(record.choice_order[position])
            return index, grade_choice(question, index), f"{letter}) {question.choices[index].text}"
        if reply is None:
            raise AnswerRejectedError("This question wants an answer in your own words.")
        return None, grade_text(question, reply), reply

    # -- closing -------------------------------------------------------------------------

    async def close_round(self, team: Team, round_id: int) -> Reveal:
        """Close a round now and return its reveal (the caller shows it)."""
        record = await self._team_round(team, round_id)
        if not await self.store.mark_closed(record.id, self.clock()):
            raise RoundClosedError()
        return await self._reveal(record)

    async def close_channel_round(self, channel: Channel) -> Reveal:
        """Close the channel's open quiz round now."""
        team_pk = await self._team_pk(channel.team)
        record = await self.store.open_quiz_round(team_pk, channel.channel_id)
        if record is None:
            raise QuizError("There is no open question in this channel.")
        return await self.close_round(channel.team, record.id)

    async def close_due_rounds(self) -> list[Reveal]:
        """Close every round whose time is up and publish each reveal through its outbox."""
        reveals = []
        for record in await self.store.due_rounds(self.clock()):
            if not await self.store.mark_closed(record.id, self.clock()):
                continue  # someone else closed it
            if record.kind == "review":
                continue  # a private round: nothing to reveal
            reveal = await self._reveal(record)
            reveals.append(reveal)
            await self._publish(record, reveal)
        return reveals

    async def next_deadline(self) -> float | None:
        """When the next open round is due to close (epoch seconds), if any."""
        return await self.store.next_deadline()

    async def _publish(self, record: RoundRecord, reveal: Reveal) -> None:
        platform, team_id = await self._team_of(record.team_pk)
        outbox = self._outboxes.get(platform)
        if outbox is None:
            return
        try:
            if reveal.message_ref is not None:
                await outbox.edit(reveal.message_ref, reveal)
            else:
                channel = Channel(Team(platform, team_id), record.channel_id)
                await outbox.post(channel, reveal)
        except Exception:
            log.exception("could not publish the reveal of round %s", record.id)

    async def _team_of(self, team_pk: int) -> tuple[str, str]:
        for team, pk in self._team_pks.items():
            if pk == team_pk:
                return team.platform, team.team_id
        found = await self.store.team_by_pk(team_pk)
        if found is None:
            raise RoundNotFoundError()
        self._team_pks[Team(*found)] = team_pk
        return found

    async def _reveal(self, record: RoundRecord) -> Reveal:
        question = self.bank.get(record.question_id)
        answers = await self.store.round_answers(record.id)
        correct_players = tuple(a.display_name for a in answers if a.correct)
        tallies: tuple[ChoiceTally, ...] = ()
        correct_letter = None
        if record.mode == "choice":
            counts = Counter(a.choice for a in answers if a.choice is not None)
            tallies = tuple(
                ChoiceTally(
                    letter=CHOICE_LETTERS[position],
                    text=question.choices[int(index)].text,
                    count=counts.get(int(index), 0),
                    correct=int(index) == question.correct_index,
                )
                for position, index in enumerate(record.choice_order)
            )
            correct_letter = next(t.letter for t in tallies if t.correct)
        ref = (
            MessageRef(record.message_channel, record.message_id)
            if record.message_channel and record.message_id
            else None
        )
        return Reveal(
            round_id=record.id,
            question_id=question.id,
            mode=record.mode,  # type: ignore[arg-type]
            prompt=question.prompt,
            correct_letter=correct_letter,
            correct_text=question.choices[question.correct_index].text
            if record.mode == "choice"
            else question.answer,
            explanation=question.explanation,
            tallies=tallies,
            answer_count=len(answers),
            correct_players=correct_players,
            first_correct=correct_players[0] if correct_players else None,
            message_ref=ref,
        )

    # -- reviews (the logic is in bot/engine/reviews.py) -----------------------------------

    async def start_review(self, player: Player, *, mode: str | None = None) -> QuestionCard:
        """A private practice round: the most overdue card, else an unseen question."""
        return await self.reviews.start(player, mode=mode)

    async def rate_review(self, player: Player, round_id: int, rating: str) -> Rated:
        """The player's self-assessment (again|hard|good|easy) of their review answer."""
        return await self.reviews.rate(player, round_id, rating)

    async def dispute(self, player: Player, round_id: int, reason: str) -> ReportFiled:
        """"Dispute grade" on the player's answer to a round."""
        return await self.reviews.dispute(player, round_id, reason)

    async def report_question(
        self, player: Player, round_id: int, kind: str, note: str = ""
    ) -> ReportFiled:
        """"Report question" (typo, wrong, unclear) of a round."""
        return await self.reviews.report_question(player, round_id, kind, note)

    async def due_counts(self, player: Player) -> DueCounts:
        """The player's FSRS cards due now, today and within 7 days."""
        return await self.reviews.due_counts(player)

    # -- leaderboards and stats ----------------------------------------------------------

    async def leaderboard(
        self,
        team: Team,
        *,
        period: str | None = None,
        channel_id: str | None = None,
        caller: Player | None = None,
    ) -> Leaderboard:
        """The team's top ten for a period (week, month, all), optionally for one channel."""
        chosen = self.parse_period(period)
        key = period_keys(self.clock())[chosen]
        team_pk = await self._team_pk(team)
        scope = channel_id or ""
        top = await self.store.top_scores(team_pk, key, scope, LEADERBOARD_SIZE)
        rows = ranked(top)
        caller_row = None
        if caller is not None:
            found = await self.store.find_player(team_pk, storable(caller.user_id))
            if found is not None:
                mine = await self.store.player_score(team_pk, key, scope, found[0])
                if mine is not None:
                    caller_row = _row(mine[0], mine[1])
        total = await self.store.player_count(team_pk, key, scope)
        return Leaderboard(chosen, channel_id, tuple(rows), caller_row, total)

    async def stats(self, player: Player) -> Stats:
        """A player's stats with their review progress (weakest category, cards due)."""
        return await self.reviews.with_progress(player, await self._stats(player))

    async def _stats(self, player: Player) -> Stats:
        """A player's all-time points, answers, rank and accuracy by category."""
        team_pk = await self._team_pk(player.team)
        found = await self.store.find_player(team_pk, storable(player.user_id))
        if found is None:
            return Stats(player.user_id, player.display_name, 0, 0, 0, None)
        player_pk, name = found
        mine = await self.store.player_score(team_pk, "all", "", player_pk)
        categories = tuple(
            CategoryStats(c, self.bank.category_titles.get(c, c), n, k)
            for c, n, k in await self.store.category_results(player_pk)
        )
        if mine is None:
            return Stats(player.user_id, name, 0, 0, 0, None, categories)
        score, rank = mine
        current_streak, best_streak = await self.daily.player_streaks(player_pk)
        return Stats(
            player.user_id,
            name,
            score.points,
            score.answers,
            score.correct,
            rank,
            categories,
            current_streak=current_streak,
            best_streak=best_streak,
        )


def _row(score: ScoreRow, rank: int) -> LeaderboardRow:
    return LeaderboardRow(
        rank, score.user_id, score.display_name, score.points, score.answers, score.correct
    )


def ranked(scores: list[ScoreRow]) -> list[LeaderboardRow]:
    """Competition ranking (1, 2, 2, 4) over rows sorted by points, highest first."""
    rows: list[LeaderboardRow] = []
    for position, score in enumerate(scores):
        tied_with_previous = position > 0 and scores[position - 1].points == score.points
        rank = rows[-1].rank if tied_with_previous else position + 1
        rows.append(_row(score, rank))
    return rows
