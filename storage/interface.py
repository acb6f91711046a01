"""What the engine and the CLI commands need from storage: one typed interface per store.

:class:`Storage` is the core (teams and players, rounds and answers, leaderboards, lifecycle);
its sub-stores are attributes typed by their own protocols (``storage.reviews``,
``.interviews``, ``.settlements``, ``.seasons``, ``.analytics``, ``.digests``, ``.rewards``,
``.daily`` and ``.publications``). Every backend implements these
(:class:`storage.store.Store` is SQLite's, :class:`storage.postgres.store.PostgresStore`
PostgreSQL's).

The signatures are backend-neutral: plain values and the records of :mod:`storage.records` in,
the same out; no connection type. Work that must run inside an
answer's transaction (the FSRS card's review) is passed as a value (:class:`CardReview`) that
each backend applies itself. Refusals are the :class:`~storage.errors.StoreError` subclasses of
:mod:`storage.errors`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import Literal, Protocol

from storage.daily_store import DailySchedule, OpenDaily, UnpostedSlot
from storage.installation_store import InstallationRecord
from storage.outbox_store import Ending, Kind, Publication, PublicationState, StreakRule
from storage.records import (
    AnswerFact,
    AnswerRecord,
    CardReview,
    CardRow,
    GradeCorrection,
    InterviewRow,
    MemberCategory,
    Outcome,
    QuestionRow,
    ReportRow,
    ReviewStep,
    RewardRow,
    RoundRecord,
    ScoreBoard,
    ScoreRow,
    ScoreRowValues,
    SeasonRow,
    SettledReport,
)

__all__ = [
    "AnalyticsStorage",
    "DailyStorage",
    "DigestStorage",
    "InstallationStorage",
    "InterviewStorage",
    "PublicationStorage",
    "ReviewStorage",
    "RewardStorage",
    "SeasonStorage",
    "SettlementStorage",
    "Storage",
]


class ReviewStorage(Protocol):
    """FSRS cards, the review log, review rounds and reports (``storage.reviews``)."""

    async def card(self, player_pk: int, question_id: str) -> CardRow | None:
        """The player's card for a question, if they have answered it."""
        ...

    async def cards(self, player_pk: int) -> list[CardRow]:
        """Every card of a player, soonest due first."""
        ...

    async def due_cards(self, player_pk: int, now: float, limit: int = 50) -> list[CardRow]:
        """The player's cards due at ``now``, most overdue first."""
        ...

    async def due_count(self, player_pk: int, until: float) -> int:
        """How many of the player's cards are due by ``until``."""
        ...

    async def review_of_answer(
        self, round_id: int, player_pk: int
    ) -> tuple[int, int, float] | None:
        """(review log id, card id, reviewed at) of the player's answer to a round, if logged."""
        ...

    async def rerate(
        self, log_id: int, card_id: int, rating: int, step: ReviewStep
    ) -> tuple[bool, str]:
        """Replay the card's latest review with ``rating``; (done, card JSON after)."""
        ...

    async def review_log(self, card_id: int) -> list[tuple[int, int, float, bool]]:
        """(rating, automatic rating, reviewed at, self-rated) of a card, oldest first."""
        ...

    async def open_review_round(self, player_pk: int, now: float) -> RoundRecord | None:
        """The player's open review round, if any."""
        ...

    async def player_answer(
        self, round_id: int, player_pk: int
    ) -> tuple[int | None, str | None, float] | None:
        """(choice, text, grade) of the player's answer to a round, if any."""
        ...

    async def add_report(
        self,
        *,
        team_pk: int,
        player_pk: int,
        round_id: int,
        question_id: str,
        kind: str,
        note: str,
        answer: str | None,
        grade: float | None,
        created_at: float,
    ) -> int:
        """File a report; :class:`~storage.errors.DuplicateReportError` if filed already."""
        ...

    async def reports(self, *, include_resolved: bool = False) -> list[ReportRow]:
        """Reports, open ones (or every one) oldest first."""
        ...

    async def resolve_report(self, report_id: int, now: float, team_pk: int | None = None) -> bool:
        """Mark an open report resolved (of ``team_pk`` when given); whether it was open."""
        ...


class InterviewStorage(Protocol):
    """Mock interview sessions and the questions asked in them (``storage.interviews``)."""

    async def start(
        self,
        *,
        team_pk: int,
        player_pk: int,
        length: int,
        categories: Sequence[str],
        start_level: str,
        question_seconds: int,
        now: float,
    ) -> InterviewRow:
        """A new running interview; :class:`~storage.errors.InterviewRunningError` if one is
        running."""
        ...

    async def running(self, player_pk: int) -> InterviewRow | None:
        """The player's running interview, if any."""
        ...

    async def get(self, interview_id: int) -> InterviewRow | None:
        """An interview by id."""
        ...

    async def end(self, interview_id: int, reason: str, score: float | None, now: float) -> bool:
        """End a running interview; whether it was running."""
        ...

    async def history(self, player_pk: int, limit: int) -> list[tuple[InterviewRow, int]]:
        """The player's latest ended interviews with how many questions each answered."""
        ...

    async def previous_score(self, player_pk: int, before_id: int) -> float | None:
        """The score of the player's last scored interview before ``before_id``."""
        ...

    async def questions(self, interview_id: int) -> list[QuestionRow]:
        """The questions asked in an interview, in order."""
        ...

    async def ask(
        self,
        *,
        interview_id: int,
        position: int,
        question_id: str,
        category: str,
        difficulty: str,
        now: float,
    ) -> bool:
        """Ask the question at ``position`` while the interview runs; whether it was asked."""
        ...

    async def answer(
        self,
        row_id: int,
        *,
        text: str,
        now: float,
        grade: float,
        covered: Sequence[str],
        missed: Sequence[str],
        follow_up_point: str | None,
        final: tuple[float, Sequence[ScoreRowValues]] | None,
        judge_note: str | None = None,
    ) -> bool:
        """Record the answer to an asked question (once); whether it was recorded."""
        ...

    async def answer_follow_up(
        self,
        row_id: int,
        *,
        text: str,
        now: float,
        credit: float,
        final: tuple[float, Sequence[ScoreRowValues]],
    ) -> bool:
        """Record the answer to a follow-up (once); whether it was recorded."""
        ...

    async def finish_unanswered_follow_up(
        self, row_id: int, final_grade: float, scores: Sequence[ScoreRowValues]
    ) -> bool:
        """Finish a question whose follow-up was never answered; whether it was finished."""
        ...


class SettlementStorage(Protocol):
    """Reports as admins settle them (``storage.settlements``)."""

    async def report(self, report_id: int) -> SettledReport | None:
        """One report with its round and answer, whatever its team (callers check it)."""
        ...

    async def open_reports(
        self, team_pk: int | None = None, *, disputes_only: bool = False
    ) -> list[SettledReport]:
        """Open reports, oldest first: of one team (or all), disputes only or every kind."""
        ...

    async def settle(
        self,
        report_id: int,
        outcome: Outcome,
        note: str,
        now: float,
        correction: GradeCorrection | None = None,
    ) -> bool:
        """Settle an open report (with an upheld dispute's correction) in one transaction;
        whether it was open."""
        ...

    async def to_notify(self, limit: int = 50) -> list[SettledReport]:
        """Settled reports whose player was not told yet."""
        ...

    async def player_to_notify(self, player_pk: int) -> list[SettledReport]:
        """The player's settled reports not told yet."""
        ...

    async def mark_notified(self, report_id: int, now: float) -> None:
        """The player was told of the settlement."""
        ...

    async def note_failed_notice(self, report_id: int) -> None:
        """Telling the player failed once more."""
        ...


class SeasonStorage(Protocol):
    """Seasons of each team (``storage.seasons``)."""

    async def current(self, team_pk: int) -> SeasonRow:
        """The team's current season."""
        ...

    async def ended(self, team_pk: int, name: str) -> SeasonRow | None:
        """The team's ended season of that name (any case), if any."""
        ...

    async def ended_names(self, team_pk: int) -> list[str]:
        """The names of the team's ended seasons, the latest first."""
        ...

    async def end(self, team_pk: int, name: str, now: float) -> str:
        """End the current season as ``name``; its period key.
        :class:`~storage.errors.SeasonNameTakenError` if the name is taken."""
        ...

    async def due_to_end(self, before: float) -> list[int]:
        """The teams whose current season started before ``before``."""
        ...


class AnalyticsStorage(Protocol):
    """The reads behind question analytics and team progress (``storage.analytics``)."""

    async def answers(self, team_pk: int | None) -> list[AnswerFact]:
        """Every answer of a team (every team when None) with its question."""
        ...

    async def times_asked(self, team_pk: int | None) -> dict[str, int]:
        """Rounds per question."""
        ...

    async def open_reports(self, team_pk: int | None) -> dict[tuple[str, bool], int]:
        """Open reports per (question, dispute or not)."""
        ...

    async def member_categories(self, team_pk: int) -> list[MemberCategory]:
        """Each member's answers and correct answers by category."""
        ...

    async def questions_seen(self, team_pk: int) -> dict[int, set[str]]:
        """The questions each member has answered."""
        ...


class DigestStorage(Protocol):
    """The weekly digest: opted-in channels, claims, the week's results (``storage.digests``)."""

    async def set_opted_in(self, team_pk: int, channel_id: str, on: bool) -> None:
        """Opt a channel in or out of the digest."""
        ...

    async def opted_in(self, team_pk: int) -> set[str]:
        """The team's channels that get the digest."""
        ...

    async def claim(self, team_pk: int, channel_id: str, week: str, now: float) -> bool:
        """Claim a channel's digest of a week; True only for the first claim."""
        ...

    async def mark_posted(self, team_pk: int, channel_id: str, week: str, now: float) -> None:
        """The claimed digest was posted."""
        ...

    async def results(
        self, team_pk: int, start: float, end: float, *, by: Literal["question_id", "category"]
    ) -> list[tuple[str, int, int]]:
        """(question or category, answers, correct) of the team's answers in [start, end)."""
        ...


class RewardStorage(Protocol):
    """Reward rules and the points roles granted (``storage.rewards``)."""

    async def set_rule(self, team_pk: int, rule: RewardRow) -> None:
        """Add or replace the rule of ``rule.role_id``."""
        ...

    async def remove_rule(self, team_pk: int, role_id: str) -> bool:
        """Remove a role's rule; whether there was one."""
        ...

    async def rules(self, team_pk: int) -> list[RewardRow]:
        """The team's rules, points thresholds lowest first."""
        ...

    async def teams_with_points_rules(self) -> set[int]:
        """The teams with at least one points rule."""
        ...

    async def points_roles_due(self, team_pk: int, player_pk: int) -> list[str]:
        """The points roles the player has earned and not been granted."""
        ...

    async def granted(self, team_pk: int, role_id: str, player_pk: int, now: float) -> None:
        """The player was granted a points role."""
        ...


class DailyStorage(Protocol):
    """The daily question: schedules, claimed slots and streaks (``storage.daily``)."""

    async def upsert_schedule(
        self,
        *,
        team_pk: int,
        channel_id: str,
        channel_name: str,
        local_time: str,
        timezone: str,
        days: str,
        difficulty: str | None,
        close_time: str | None,
        now: float,
    ) -> DailySchedule:
        """Create or replace the channel's schedule (enabled, not paused)."""
        ...

    async def schedule(self, team_pk: int, channel_id: str) -> DailySchedule | None:
        """The channel's schedule (enabled or not)."""
        ...

    async def schedule_by_id(self, schedule_id: int) -> DailySchedule | None:
        """A schedule by id."""
        ...

    async def team_schedules(self, team_pk: int) -> list[DailySchedule]:
        """Every enabled schedule of a team."""
        ...

    async def active_schedules(self) -> list[DailySchedule]:
        """Every schedule that should post: enabled and not paused."""
        ...

    async def disable(self, team_pk: int, channel_id: str) -> bool:
        """Turn a channel's schedule off; True when one was on."""
        ...

    async def pause(self, schedule_id: int, reason: str) -> None:
        """Stop posting for a schedule (its channel is gone) until an admin sets it again."""
        ...

    async def claim(
        self,
        team_pk: int,
        channel_id: str,
        slot_date: str,
        slot_at: float,
        now: float,
        *,
        manual: bool = False,
    ) -> int | None:
        """Claim a slot before posting; its id, or None when it was already claimed.

        ``manual``: posted by hand ("now"), not a scheduled day (no streak changes)."""
        ...

    async def slot_state(self, team_pk: int, channel_id: str, slot_date: str) -> str | None:
        """The state of a claimed slot ('claimed', 'posted', 'failed'), or None if unclaimed."""
        ...

    async def slot_round(self, team_pk: int, channel_id: str, slot_date: str) -> int | None:
        """The round opened for a claimed slot, if any."""
        ...

    async def fail(self, slot_id: int) -> None:
        """No round could be opened for a claimed slot: it failed."""
        ...

    async def open_rounds(self, team_pk: int, channel_id: str) -> list[int]:
        """Ids of the channel's open daily rounds, oldest first."""
        ...

    async def due_rounds(self, now: float) -> list[int]:
        """Ids of open daily rounds whose closing time has come."""
        ...

    async def open_posted(self) -> list[OpenDaily]:
        """Posted daily rounds still open (their message shows the running answer count)."""
        ...

    async def round_slot_state(self, round_id: int) -> str | None:
        """The state of the slot that opened a daily round ('claimed', 'posted', 'failed'),
        or None when no slot did."""
        ...

    async def slot_of_round(self, round_id: int) -> tuple[int, bool] | None:
        """(slot id, manual) of the slot that opened a daily round, if any."""
        ...

    async def current_streak(self, team_pk: int, channel_id: str, player_pk: int) -> int:
        """A player's running streak in one channel."""
        ...

    async def player_streaks(self, player_pk: int) -> tuple[int, int]:
        """(current, best) streak of a player: the highest over the team's daily channels."""
        ...

    async def top_streaks(self, team_pk: int, channel_id: str, limit: int) -> list[tuple[str, int]]:
        """(display name, current streak) of the channel's longest running streaks."""
        ...


class PublicationStorage(Protocol):
    """The publication queue and closing rounds (``storage.publications``)."""

    async def close_round(
        self, round_id: int, now: float, *, reveal: bool, streaks: StreakRule | None = None
    ) -> bool:
        """Close a round (quiz, review, daily): True only for the caller that closed it.

        In the same transaction: its pending count edit is dropped, its reveal queued when
        ``reveal``, and for a daily round shown in its channel ``streaks`` (the engine's rule)
        decides the streak rows written."""
        ...

    async def enqueue(
        self, kind: Kind, round_id: int, now: float, *, slot_id: int | None = None
    ) -> bool:
        """Queue ``kind`` of a round; False when one of that kind is already waiting."""
        ...

    async def queue_daily_post(self, slot_id: int, round_id: int, now: float) -> None:
        """Remember the round opened for a claimed slot and queue its post, together."""
        ...

    async def claim(
        self, owner: str, now: float, *, lease_s: float, limit: int, platforms: Collection[str]
    ) -> list[Publication]:
        """Lease up to ``limit`` due entries of ``platforms`` to ``owner``, oldest due first."""
        ...

    async def begin_daily_post(self, entry_id: int, owner: str, now: float) -> bool:
        """Mark a daily post in flight before calling the platform; False without the lease."""
        ...

    async def finish(self, entry_id: int, owner: str, outcome: Ending, now: float) -> bool:
        """End an entry held by ``owner``; False when its lease was lost meanwhile."""
        ...

    async def retry_at(self, entry_id: int, owner: str, due_at: float) -> None:
        """The platform refused: one more attempt counted, the next at ``due_at``, lease freed
        (a daily post refused is no longer in flight: it may be tried again)."""
        ...

    async def daily_posted(
        self,
        entry_id: int,
        owner: str,
        *,
        slot_id: int,
        round_id: int,
        message: tuple[str, str],
        now: float,
    ) -> bool:
        """The platform accepted a daily post: the entry published, the round's message and
        the slot posted, together; False (nothing written) when the lease was lost."""
        ...

    async def abandon_daily_post(
        self, entry_id: int, owner: str, outcome: Ending, *, slot_id: int, round_id: int, now: float
    ) -> None:
        """A daily post that will never be seen: the entry ends with ``outcome``, the slot
        fails and its round closes unseen (no reveal), together."""
        ...

    async def count_shown(
        self, entry_id: int, owner: str, round_id: int, count: int, now: float
    ) -> None:
        """A count edit landed: the slot remembers the count its message shows."""
        ...

    async def abandon_unqueued_slots(self, now: float, claimed_before: float) -> list[UnpostedSlot]:
        """Fail every slot claimed before ``claimed_before`` that is neither posted nor queued
        (the process stopped between claiming and queueing its post) and close, unseen and with
        no reveal, the daily rounds opened before then that no slot posts."""
        ...

    async def entries(self, round_id: int) -> list[PublicationState]:
        """Every entry of a round, oldest first."""
        ...

    async def any_due(self, now: float, platforms: Collection[str]) -> bool:
        """Whether an entry of ``platforms`` is due and free to claim (a read: an idle worker
        writes nothing)."""
        ...


class InstallationStorage(Protocol):
    """Slack installations, OAuth states and the workspaces of org-wide installs (the rows
    behind the Slack adapter's bolt stores; tokens as given, possibly encrypted).

    :class:`storage.installation_store.InstallationStore` is SQLite's (built on the store's
    connection), ``PostgresStore.installations`` PostgreSQL's. The refresh of a rotating token
    is claimed and saved with conditional updates, so two processes on one database never
    spend one refresh token twice.
    """

    async def save(self, record: InstallationRecord) -> None:
        """Insert or replace the installation of ``record.team_key`` (a reinstall replaces)."""
        ...

    async def find(self, team_key: str) -> InstallationRecord | None:
        """The installation keyed ``team_key``, or None."""
        ...

    async def find_for_workspace(self, team_id: str) -> InstallationRecord | None:
        """The installation serving workspace ``team_id``: its own, else its organisation's
        org-wide install, else None."""
        ...

    async def all(self) -> list[InstallationRecord]:
        """Every installation, oldest first."""
        ...

    async def delete(self, team_key: str) -> bool:
        """Remove the installation keyed ``team_key``; whether there was one."""
        ...

    async def remember_org_workspace(self, team_id: str, enterprise_id: str) -> None:
        """Record that workspace ``team_id`` belongs to organisation ``enterprise_id``."""
        ...

    async def workspaces_of(self, team_key: str) -> list[str]:
        """The workspace ids an installation serves: itself and, for an organisation, every
        workspace of it seen so far."""
        ...

    async def pause_daily(self, platform: str, team_ids: list[str], reason: str) -> int:
        """Pause every running daily schedule of the given teams; how many were paused."""
        ...

    async def claim_refresh(
        self, team_key: str, refresh_token: str, now: float, lease_s: float
    ) -> bool:
        """Claim the right to spend ``refresh_token`` for ``lease_s`` seconds: True for the
        one caller (of any process) whose update found it unclaimed (or its lease over)."""
        ...

    async def finish_refresh(
        self,
        team_key: str,
        *,
        used_refresh_token: str,
        bot_token: str,
        bot_refresh_token: str,
        bot_token_expires_at: int | None,
    ) -> bool:
        """Save refreshed tokens over the ones ``used_refresh_token`` belonged to (and end the
        claim); False when the installation changed meanwhile."""
        ...

    async def release_refresh(self, team_key: str, refresh_token: str) -> None:
        """End a claim whose refresh failed, so the next caller may try again."""
        ...

    async def add_state(self, state: str, expires_at: float) -> None:
        """Store a new single-use state of the install flow."""
        ...

    async def consume_state(self, state: str, now: float) -> bool:
        """Delete ``state``; True only when it existed and had not expired."""
        ...

    async def team_of_message(self, platform: str, channel_id: str, message_id: str) -> str | None:
        """The team (external id) whose round posted the message ``message_id`` in
        ``channel_id``, or None."""
        ...


class Storage(Protocol):
    """Quizbot's database as the engine and the CLI commands use it."""

    # -- sub-stores (read-only: built once by the backend) ----------------------------------

    @property
    def reviews(self) -> ReviewStorage:
        """Cards, the review log, review rounds and reports."""
        ...

    @property
    def interviews(self) -> InterviewStorage:
        """Mock interviews."""
        ...

    @property
    def settlements(self) -> SettlementStorage:
        """Settling reports."""
        ...

    @property
    def seasons(self) -> SeasonStorage:
        """Seasons."""
        ...

    @property
    def analytics(self) -> AnalyticsStorage:
        """Question analytics and team progress."""
        ...

    @property
    def digests(self) -> DigestStorage:
        """The weekly digest."""
        ...

    @property
    def rewards(self) -> RewardStorage:
        """Roles as rewards."""
        ...

    @property
    def daily(self) -> DailyStorage:
        """The daily question: schedules, slots and streaks."""
        ...

    @property
    def publications(self) -> PublicationStorage:
        """The publication queue: closing rounds, and what the bot sends on its own."""
        ...

    # -- lifecycle -------------------------------------------------------------------------

    async def close(self) -> None:
        """Wait for running and waiting writes, then close."""
        ...

    def problem(self) -> str | None:
        """Why writes cannot be saved now, or None."""
        ...

    async def schema_version(self) -> int:
        """The applied schema version."""
        ...

    # -- teams and players -----------------------------------------------------------------

    async def team_pk(self, platform: str, external_id: str) -> int:
        """The internal id of a team, creating the team on first sight."""
        ...

    async def team_by_pk(self, team_pk: int) -> tuple[str, str] | None:
        """(platform, external id) of a team by internal id."""
        ...

    async def find_team_pk(self, platform: str, external_id: str) -> int | None:
        """The internal id of a known team, or None."""
        ...

    async def player_pk(self, team_pk: int, external_id: str, display_name: str) -> int:
        """The internal id of a player, creating it or refreshing its display name."""
        ...

    async def find_player(self, team_pk: int, external_id: str) -> tuple[int, str] | None:
        """(internal id, display name) of a player of this team, or None."""
        ...

    # -- rounds and answers ----------------------------------------------------------------

    async def create_round(
        self,
        *,
        team_pk: int,
        channel_id: str,
        kind: str,
        mode: str,
        question_id: str,
        category: str,
        difficulty: str,
        choice_order: str,
        opened_by: int | None,
        opened_at: float,
        closes_at: float,
    ) -> RoundRecord:
        """Insert a round; :class:`~storage.errors.OpenRoundExistsError` if the channel has an
        open quiz round."""
        ...

    async def get_round(self, round_id: int) -> RoundRecord | None:
        """A round by id, whatever its team (callers check the team)."""
        ...

    async def open_quiz_round(self, team_pk: int, channel_id: str) -> RoundRecord | None:
        """The channel's open quiz round, if any."""
        ...

    async def due_rounds(self, now: float) -> list[RoundRecord]:
        """Open rounds (not daily) whose deadline has passed."""
        ...

    async def next_deadline(self) -> float | None:
        """The earliest deadline among open rounds (not daily)."""
        ...

    async def set_message(self, round_id: int, channel_id: str, message_id: str) -> None:
        """Remember where the round's question was posted."""
        ...

    async def question_use_counts(self, team_pk: int, channel_id: str) -> dict[str, int]:
        """How many rounds of each question this channel has had."""
        ...

    async def record_answer(
        self,
        *,
        round_record: RoundRecord,
        player_pk: int,
        choice: int | None,
        text: str | None,
        grade: float,
        correct: bool,
        points: int,
        answered_at: float,
        periods: Iterable[str],
        review: CardReview | None = None,
    ) -> int:
        """Store an answer, its score totals and ``review`` in one transaction; the answer id.

        :class:`~storage.errors.DuplicateAnswerError` if the player already answered the round,
        :class:`~storage.errors.RoundClosedInStoreError` if it is closed when the transaction
        runs."""
        ...

    async def round_answers(self, round_id: int) -> list[AnswerRecord]:
        """A round's answers in the order they were given."""
        ...

    async def answer_count(self, round_id: int) -> int:
        """How many players answered a round."""
        ...

    # -- leaderboards and stats ------------------------------------------------------------

    async def top_scores(
        self, team_pk: int, period: str, channel_id: str, limit: int
    ) -> list[ScoreRow]:
        """The best ``limit`` players of a period and scope, highest points first."""
        ...

    async def player_score(
        self, team_pk: int, period: str, channel_id: str, player_pk: int
    ) -> tuple[ScoreRow, int] | None:
        """A player's totals and competition rank, or None."""
        ...

    async def player_count(self, team_pk: int, period: str, channel_id: str) -> int:
        """How many players have a score in a period and scope."""
        ...

    async def score_board(
        self, team_pk: int, period: str, channel_id: str, limit: int, user_id: str | None
    ) -> ScoreBoard:
        """A period and scope's best ``limit`` players, the player ``user_id``'s (external id)
        totals and rank (None without a score there), and its player count, in one call."""
        ...

    async def category_results(self, player_pk: int) -> list[tuple[str, int, int]]:
        """(category, answers, correct) for a player."""
        ...

    async def answered_questions(self, player_pk: int) -> set[str]:
        """The ids of every question a player has answered at least once."""
        ...
