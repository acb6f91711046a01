"""Platform-neutral types the engine takes and the views it returns to adapters.

Adapters translate platform ids into :class:`Team`, :class:`Channel` and :class:`Player`, call
the engine, and render the frozen view dataclasses it returns (:class:`QuestionCard`,
:class:`Feedback`, :class:`Reveal`, :class:`Leaderboard`, :class:`Stats`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "CHOICE_LETTERS",
    "PERIODS",
    "CategoryStats",
    "Channel",
    "ChoiceTally",
    "Feedback",
    "InterviewHistory",
    "InterviewPrompt",
    "InterviewStep",
    "InterviewSummary",
    "Leaderboard",
    "LeaderboardRow",
    "MemberProgress",
    "MessageRef",
    "Mode",
    "Period",
    "Player",
    "QuestionCard",
    "QuestionStats",
    "ReportItem",
    "Reveal",
    "RoundKind",
    "Scorecard",
    "ScorecardCategory",
    "ScorecardItem",
    "SeasonEnded",
    "Settlement",
    "SettlementOutcome",
    "Stats",
    "StudyTopic",
    "Team",
    "TeamProgress",
    "WeeklyDigest",
]

Mode = Literal["choice", "open"]
SettlementOutcome = Literal["upheld", "rejected", "resolved"]
RoundKind = Literal["quiz", "daily", "review"]
Period = Literal["week", "month", "all", "season"]
PERIODS: tuple[Period, ...] = ("week", "month", "all", "season")
MODES: tuple[Mode, ...] = ("choice", "open")
CHOICE_LETTERS = "ABCD"


@dataclass(frozen=True, slots=True)
class Team:
    """A Discord server, a Slack workspace or a console session: the unit of isolation."""

    platform: str
    team_id: str


@dataclass(frozen=True, slots=True)
class Channel:
    """A channel of a team; ``name`` is for display only."""

    team: Team
    channel_id: str
    name: str = ""


@dataclass(frozen=True, slots=True)
class Player:
    """A member of a team; ``display_name`` is raw user text, escape it before showing."""

    team: Team
    user_id: str
    display_name: str


@dataclass(frozen=True, slots=True)
class MessageRef:
    """Where an adapter posted a message, so it can be edited later (opaque to the engine)."""

    channel_id: str
    message_id: str


@dataclass(frozen=True, slots=True)
class QuestionCard:
    """A round's question as shown in the channel. ``choices`` is empty in open mode."""

    round_id: int
    kind: RoundKind
    mode: Mode
    question_id: str
    category: str
    category_title: str
    difficulty: str
    prompt: str
    choices: tuple[str, ...]
    closes_at: float
    time_limit_s: int
    answer_count: int = 0
    code: str | None = None  # an output question's snippet: "what does this print?"


@dataclass(frozen=True, slots=True)
class Feedback:
    """Private feedback to one player on their answer."""

    round_id: int
    question_id: str
    correct: bool
    grade: float
    points: int
    verdict: Literal["correct", "partial", "wrong"]
    your_answer: str
    reference_answer: str
    explanation: str
    covered: tuple[str, ...] = ()
    missed: tuple[str, ...] = ()
    misconception: str | None = None
    kind: RoundKind = "quiz"
    rating: str | None = None  # the FSRS rating the answer gave its card: again|hard|good
    reviews_due: int = 0  # cards due now, when review nudges are on (QUIZBOT_REVIEW_NUDGE)
    cap: str | None = None  # why a ceiling held the grade below what the covered points earn
    why_wrong: str | None = None  # multiple choice: why the chosen wrong option is wrong
    contradicted: tuple[str, ...] = ()  # key points the answer states the opposite of
    judge_note: str | None = None  # the LLM judge's one line (untrusted: escape it as user text)
    output: str | None = None  # an output question: what its code really prints


@dataclass(frozen=True, slots=True)
class ChoiceTally:
    """How many players picked one option."""

    letter: str
    text: str
    count: int
    correct: bool


@dataclass(frozen=True, slots=True)
class Reveal:
    """What everyone sees when a round closes."""

    round_id: int
    question_id: str
    mode: Mode
    prompt: str
    correct_letter: str | None
    correct_text: str
    explanation: str
    tallies: tuple[ChoiceTally, ...]
    answer_count: int
    correct_players: tuple[str, ...]
    first_correct: str | None
    message_ref: MessageRef | None = None
    kind: RoundKind = "quiz"
    top_streaks: tuple[tuple[str, int], ...] = ()  # daily: (name, days) of the longest streaks
    weekly_top: tuple[LeaderboardRow, ...] = ()  # daily: the team's weekly top 5
    code: str | None = None  # an output question: its snippet...
    output: str | None = None  # ...and what it really prints

    def share(self, tally: ChoiceTally) -> float:
        """The share of the answers that chose ``tally``'s option, 0..1 (0 with no answers)."""
        return tally.count / self.answer_count if self.answer_count else 0.0


@dataclass(frozen=True, slots=True)
class LeaderboardRow:
    """One line of a leaderboard."""

    rank: int
    user_id: str
    display_name: str
    points: int
    answers: int
    correct: int


@dataclass(frozen=True, slots=True)
class Leaderboard:
    """The top of a team's ranking (the top ten and everyone tied with the tenth), plus the
    caller's own line when they have one."""

    period: Period
    channel_id: str | None
    rows: tuple[LeaderboardRow, ...]
    caller: LeaderboardRow | None
    total_players: int
    more_tied: bool = False  # more players are tied with the last row than a board lists
    season: str | None = None  # an ended season's name: its final standings (rank 1: champions)


@dataclass(frozen=True, slots=True)
class CategoryStats:
    """A player's results in one category."""

    category: str
    title: str
    answers: int
    correct: int

    @property
    def accuracy(self) -> float:
        """Share of correct answers, 0..1 (0 when there are none)."""
        return self.correct / self.answers if self.answers else 0.0


@dataclass(frozen=True, slots=True)
class Stats:
    """A player's totals and accuracy by category."""

    user_id: str
    display_name: str
    points: int
    answers: int
    correct: int
    rank: int | None
    categories: tuple[CategoryStats, ...] = field(default_factory=tuple)
    weakest_category: str | None = None  # title of the answered category with lowest accuracy
    due_today: int = 0  # FSRS cards due by the end of today (UTC)
    due_week: int = 0  # FSRS cards due within the next 7 days (today's included)
    current_streak: int = 0  # filled by the daily-question feature
    best_streak: int = 0
    seen: int = 0  # questions of the bank answered at least once...
    bank_size: int = 0  # ...out of this many

    @property
    def accuracy(self) -> float:
        """Share of correct answers, 0..1 (0 when there are none)."""
        return self.correct / self.answers if self.answers else 0.0


@dataclass(frozen=True, slots=True)
class ReportItem:
    """An open grade dispute or question report, as an admin sees it (user text unescaped)."""

    report_id: int
    kind: str
    round_id: int
    question_id: str
    prompt: str
    player_name: str
    answer: str | None
    grade: float | None
    reason: str


@dataclass(frozen=True, slots=True)
class Settlement:
    """How an admin settled a report: what its player is told, and the admin's confirmation.

    ``grade_after`` and ``points_after`` are set when a dispute was upheld; ``note`` is the
    admin's (user text: escape it to show it); ``told`` says whether the player has been told.
    """

    report_id: int
    kind: str
    outcome: SettlementOutcome
    round_id: int
    question_id: str
    prompt: str
    player_name: str
    grade_before: float | None
    grade_after: float | None
    points_before: int | None
    points_after: int | None
    note: str
    told: bool = False


@dataclass(frozen=True, slots=True)
class QuestionStats:
    """How one question fares (:mod:`bot.engine.analytics`).

    Rates are shares from 0 to 1 (None without answers); ``pick_rates`` is in the pack's
    choice order, over multiple-choice answers only (empty without any); ``discrimination`` is
    None when it cannot be computed; ``flags`` are names from ``analytics.FLAGS``.
    """

    question_id: str
    asked: int
    answers: int
    correct_rate: float | None
    mean_grade: float | None
    pick_rates: tuple[float, ...]
    discrimination: float | None
    open_disputes: int
    open_reports: int
    flags: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MemberProgress:
    """One member's accuracy by category and coverage of the bank (user text unescaped)."""

    display_name: str
    categories: tuple[CategoryStats, ...]
    seen: int

    @property
    def answers(self) -> int:
        """Answers in every category."""
        return sum(c.answers for c in self.categories)

    @property
    def accuracy(self) -> float:
        """Share of correct answers over every category, 0..1."""
        return sum(c.correct for c in self.categories) / self.answers if self.answers else 0.0


@dataclass(frozen=True, slots=True)
class TeamProgress:
    """Every member who answered, by name; ``bank_size`` is the questions there are."""

    members: tuple[MemberProgress, ...]
    bank_size: int

    def coverage(self, member: MemberProgress) -> float:
        """The share of the bank ``member`` has answered, 0..1."""
        return member.seen / self.bank_size if self.bank_size else 0.0


@dataclass(frozen=True, slots=True)
class SeasonEnded:
    """A season was ended and archived; the next one started with empty boards."""

    name: str
    champions: tuple[str, ...]
    points: int
    players: int
    champion_ids: tuple[str, ...] = ()  # the champions' user ids (for their reward roles)


@dataclass(frozen=True, slots=True)
class WeeklyDigest:
    """Last week in a daily channel's team: its top five, the most-missed question with its
    explanation, the accuracy by category, and the running daily streaks of the channel."""

    week_start: float
    top: tuple[LeaderboardRow, ...]
    most_missed_prompt: str | None
    most_missed_explanation: str | None
    most_missed_answers: int
    most_missed_correct: int
    categories: tuple[CategoryStats, ...]
    streaks: tuple[tuple[str, int], ...]


# -- mock interviews ---------------------------------------------------------------------------

InterviewStatus = Literal["running", "finished", "stopped", "expired"]
Verdict = Literal["ready", "almost", "not yet"]


@dataclass(frozen=True, slots=True)
class InterviewPrompt:
    """The interviewer's current question or follow-up, shown privately to one player.

    ``step`` names what an answer answers (``"3"``: question 3, ``"3f"``: its follow-up), so a
    stale answer button is refused. The time budget covers a question and its follow-up.
    """

    interview_id: int
    step: str
    position: int
    length: int
    question_id: str
    category_title: str
    difficulty: str
    text: str
    follow_up: bool
    asked_at: float
    budget_s: int
    resumed: bool = False

    @property
    def due_at(self) -> float:
        """When the question's time budget runs out (answers after it are recorded as late)."""
        return self.asked_at + self.budget_s


@dataclass(frozen=True, slots=True)
class ScorecardItem:
    """One answered question on the scorecard. ``grade`` includes any follow-up credit."""

    position: int
    question_id: str
    category_title: str
    difficulty: str
    prompt: str
    answer: str
    grade: float
    first_grade: float
    covered: tuple[str, ...]
    missed: tuple[str, ...]
    follow_up: str | None
    follow_up_answer: str | None
    follow_up_credit: float
    reference_answer: str
    time_s: float
    over_s: float  # time beyond the budget (0 when on time)
    judge_note: str | None = None  # the optional judge's one line (untrusted: escape it)


@dataclass(frozen=True, slots=True)
class ScorecardCategory:
    """The results of one category in an interview."""

    category: str
    title: str
    questions: int
    score: float


@dataclass(frozen=True, slots=True)
class StudyTopic:
    """A key point to study next, and the category its targeted ``/review`` practises."""

    point: str
    category: str
    category_title: str


@dataclass(frozen=True, slots=True)
class Scorecard:
    """The end of a mock interview: every answered question, results, verdict, next steps.

    ``score`` is None when no question was answered (and ``verdict`` then too).
    """

    interview_id: int
    status: InterviewStatus
    length: int
    items: tuple[ScorecardItem, ...]
    categories: tuple[ScorecardCategory, ...]
    time_used_s: float
    budget_s: int
    score: float | None
    verdict: Verdict | None
    ready_at: float
    almost_at: float
    topics: tuple[StudyTopic, ...]
    previous_score: float | None
    points: int  # leaderboard points earned (flat, as for reviews)

    @property
    def change(self) -> float | None:
        """The score's change since the previous interview (None without both)."""
        if self.score is None or self.previous_score is None:
            return None
        return self.score - self.previous_score


InterviewStep = InterviewPrompt | Scorecard
"""What an answer leads to: the next question or follow-up, or the final scorecard."""


@dataclass(frozen=True, slots=True)
class InterviewSummary:
    """One line of ``/interview history``."""

    interview_id: int
    started_at: float
    status: InterviewStatus
    answered: int
    length: int
    score: float | None
    verdict: Verdict | None


@dataclass(frozen=True, slots=True)
class InterviewHistory:
    """A player's latest interviews, newest first."""

    rows: tuple[InterviewSummary, ...]
