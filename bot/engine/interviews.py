"""Mock interviews: a private, timed series of free-text questions with follow-ups and a
scorecard (``engine.interviews``).

- **Questions.** Only questions with a free-text rubric (key points), from the chosen
  categories (all by default), never one twice in a session. The first is at the start level
  (``difficulty``, default the easiest the categories have); then a strong answer (final grade
  at least :data:`STRONG`) moves one level up, a weak one (below :data:`WEAK`) one level down,
  never outside the levels the chosen questions have. Categories take turns (the one asked
  least so far comes next).
- **Time.** Each question has a budget (``QUIZBOT_INTERVIEW_QUESTION_SECONDS``, default 3 min)
  covering it and its follow-up. Running over is allowed: the scorecard shows it, the grade
  does not change.
- **Follow-up.** When an answer misses a required key point (and states no misconception), the
  interviewer asks one follow-up about the first such point, worded from its label with every
  word that would earn the point hidden (:func:`follow_up_text`). Stating the point then earns
  back :data:`FOLLOW_UP_CREDIT` of what the point was worth to the answer.
- **No feedback** until the end; ``stop`` ends early. The scorecard covers the answered
  questions: score = their average grade; "ready" at :data:`READY_AT` or more, "almost" at
  :data:`ALMOST_AT` or more, else "not yet" (the same bar as a correct free-text answer, and
  half of it); the three weakest key points to study, each with a ``/review category:…``; the
  change since the player's previous interview.
- **Storage and time.** Every step is stored (:mod:`storage.interview_store`), so a session
  resumes after a restart where it stopped; one idle for :data:`IDLE_SECONDS` expires (scored
  on what was answered) the next time the player acts. A finished question counts on the
  leaderboard as a review does (:func:`~bot.engine.scoring.review_points`), in the player's
  review scope.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import cast

from bot.engine import options
from bot.engine.answering import validate_reply
from bot.engine.core import Core
from bot.engine.errors import InvalidOptionError, QuizError
from bot.engine.grading import covers_point, grade_text
from bot.engine.identity import review_channel_id
from bot.engine.judging import judged
from bot.engine.model import (
    InterviewHistory,
    InterviewPrompt,
    InterviewStatus,
    InterviewStep,
    InterviewSummary,
    Player,
    Scorecard,
    ScorecardCategory,
    ScorecardItem,
    StudyTopic,
    Verdict,
)
from bot.engine.ports import Judge
from bot.engine.scoring import CORRECT_THRESHOLD, review_points
from bot.engine.standings import period_keys
from bot.engine.text_matching import Phrase, stem
from questions.loader import QuestionBank
from questions.schema import DIFFICULTIES, Difficulty, Question
from storage.errors import InterviewRunningError
from storage.interview_store import InterviewRow, QuestionRow
from storage.records import ScoreRowValues

__all__ = [
    "ALMOST_AT",
    "DEFAULT_LENGTH",
    "FOLLOW_UP_CREDIT",
    "IDLE_SECONDS",
    "LENGTHS",
    "QUESTION_SECONDS",
    "READY_AT",
    "STRONG",
    "WEAK",
    "InterviewDesk",
    "follow_up_text",
    "interview_questions",
    "levels_of",
    "next_level",
    "pick_question",
    "verdict_for",
]

LENGTHS: tuple[str, ...] = ("5", "8", "12")
DEFAULT_LENGTH = 8
QUESTION_SECONDS = 180
"""The default time budget of a question and its follow-up."""
IDLE_SECONDS = 2 * 3600
"""A running interview left this long without an answer expires."""
STRONG = CORRECT_THRESHOLD
"""A final grade at least this raises the next question's difficulty."""
WEAK = 0.5
"""A final grade below this lowers the next question's difficulty."""
FOLLOW_UP_CREDIT = 0.5
"""The share of a missed point's worth a good follow-up answer earns back."""
READY_AT = 0.75
ALMOST_AT = 0.5
HISTORY_LIMIT = 10
STUDY_TOPICS = 3
HIDDEN = "…"
_CLUE_WORDS, _CLUE_WORD = 2, 3  # a follow-up shows at least 2 words of 3+ letters, else no clue
_WORD = re.compile(r"\w+(?:['’-]\w+)*")


# -- the rules, as pure functions -------------------------------------------------------------


def interview_questions(bank: QuestionBank, categories: Sequence[str]) -> list[Question]:
    """The questions an interview may ask: free text with a rubric, in ``categories``."""
    return [q for q in bank if q.open_mode and q.key_points and q.category in categories]


def levels_of(questions: Sequence[Question]) -> tuple[Difficulty, ...]:
    """The difficulties ``questions`` have, easiest first: the range an interview moves in."""
    present = {q.difficulty for q in questions}
    return tuple(level for level in DIFFICULTIES if level in present)


def nearest_level(level: str, levels: Sequence[Difficulty]) -> Difficulty:
    """``level`` if it is one of ``levels``, else the closest of them (the easier on a tie)."""
    rank = DIFFICULTIES.index(level)
    return min(levels, key=lambda lvl: (abs(DIFFICULTIES.index(lvl) - rank), lvl != level))


def next_level(level: str, grade: float, levels: Sequence[Difficulty]) -> Difficulty:
    """The next question's difficulty after an answer of ``grade`` at ``level``: one up after
    a strong answer, one down after a weak one, within ``levels``."""
    index = levels.index(nearest_level(level, levels))
    if grade >= STRONG:
        index = min(index + 1, len(levels) - 1)
    elif grade < WEAK:
        index = max(index - 1, 0)
    return levels[index]


def pick_question(
    candidates: Sequence[Question],
    asked: set[str],
    level: str,
    asked_per_category: Mapping[str, int],
    rng: random.Random,
) -> Question | None:
    """A question not asked yet, at ``level`` or the closest level left, from the category
    asked least so far; None when every candidate has been asked."""
    unused = [q for q in candidates if q.id not in asked]
    if not unused:
        return None
    rank = DIFFICULTIES.index(level)

    def distance(question: Question) -> tuple[int, int]:
        other = DIFFICULTIES.index(question.difficulty)
        return abs(other - rank), other > rank  # the easier level first on a tie

    closest = min(distance(q) for q in unused)
    pool = [q for q in unused if distance(q) == closest]
    fewest = min(asked_per_category.get(q.category, 0) for q in pool)
    pool = [q for q in pool if asked_per_category.get(q.category, 0) == fewest]
    return pool[rng.randrange(len(pool))]


def follow_up_text(question: Question, label: str) -> str:
    """The follow-up aimed at the key point ``label``: the label with every word that would
    earn the point hidden, so it points at what is missing without giving it away."""
    point = next(p for p in question.key_points if p.label == label)
    earning = {s for phrase in point.phrases for s in Phrase(phrase).stems}
    hidden = 0

    def hide(match: re.Match[str]) -> str:
        nonlocal hidden
        if stem(match.group(0).casefold()) in earning:
            hidden += 1
            return HIDDEN
        return match.group(0)

    cloze = _WORD.sub(hide, label)
    shown = [word for word in _WORD.findall(cloze) if len(word) >= _CLUE_WORD]
    if hidden == 0 or len(shown) < _CLUE_WORDS:
        return (
            "Follow-up: your answer left out a central point of this question. "
            "What else would you add?"
        )
    return f"Follow-up: one central point is missing. Think about “{cloze}”: can you complete it?"


def verdict_for(score: float) -> Verdict:
    """ "ready" at :data:`READY_AT` or more, "almost" at :data:`ALMOST_AT` or more, else
    "not yet"."""
    if score >= READY_AT:
        return "ready"
    return "almost" if score >= ALMOST_AT else "not yet"


def parse_length(value: str | None) -> int:
    """``5``, ``8`` or ``12`` questions (None or empty: :data:`DEFAULT_LENGTH`)."""
    return int(options.choose("length", value, LENGTHS)) if value else DEFAULT_LENGTH


def parse_categories(value: str | None, categories: tuple[str, ...]) -> tuple[str, ...]:
    """One category or several, comma-separated (None or empty: every category)."""
    if not value or not value.strip():
        return categories
    chosen: list[str] = []
    for part in value.split(","):
        category = options.parse_category(part.strip(), categories)
        if category is None:
            raise InvalidOptionError("category", value, categories)
        if category not in chosen:
            chosen.append(category)
    return tuple(chosen)


# -- the session's state, read from its rows -----------------------------------------------------


def _last_activity(interview: InterviewRow, rows: Sequence[QuestionRow]) -> float:
    times = [interview.started_at]
    for row in rows:
        times += [
            t for t in (row.asked_at, row.answered_at, row.follow_up_answered_at) if t is not None
        ]
    return max(times)


def _status(interview: InterviewRow) -> InterviewStatus:
    return cast(InterviewStatus, interview.end_reason or "running")


def _waiting_for_follow_up(row: QuestionRow) -> bool:
    return (
        row.answered_at is not None
        and row.follow_up_point is not None
        and row.follow_up_answered_at is None
    )


@dataclass(frozen=True, slots=True)
class _Session:
    interview: InterviewRow
    rows: list[QuestionRow]

    @property
    def pending(self) -> QuestionRow | None:
        """The question waiting for an answer or a follow-up answer, if any."""
        if self.rows and self.rows[-1].final_grade is None:
            return self.rows[-1]
        return None


class InterviewDesk:
    """The mock-interview use cases of one :class:`QuizEngine` (``engine.interviews``)."""

    def __init__(
        self, core: Core, *, question_seconds: int = QUESTION_SECONDS, judge: Judge | None = None
    ) -> None:
        self._core = core
        self.store = core.store.interviews
        self.question_seconds = question_seconds
        self._judge = judge  # the optional judge grades an answer (never a follow-up's point)

    # -- use cases ---------------------------------------------------------------------------

    async def start(
        self,
        player: Player,
        *,
        length: str | None = None,
        category: str | None = None,
        difficulty: str | None = None,
    ) -> InterviewStep:
        """Start an interview, or resume the running one (when no option is given)."""
        bank = self._core.bank
        chosen_length = parse_length(length)
        categories = parse_categories(category, bank.categories)
        level = options.parse_difficulty(difficulty)
        player_pk = await self._core.ids.player_pk(player)
        session = await self._running(player, player_pk)
        if session is not None:
            if length or category or difficulty:
                raise QuizError(
                    f"Your interview #{session.interview.id} is still running; answer its "
                    "question, or end it with /interview stop before starting another."
                )
            return await self._advance(player, session, resumed=True)
        candidates = interview_questions(bank, categories)
        if not candidates:
            raise QuizError("No free-text questions fit these options; try another category.")
        levels = levels_of(candidates)
        try:
            interview = await self.store.start(
                team_pk=await self._core.ids.team_pk(player.team),
                player_pk=player_pk,
                length=min(chosen_length, len(candidates)),
                categories=categories,
                start_level=nearest_level(level or levels[0], levels),
                question_seconds=self.question_seconds,
                now=self._core.clock(),
            )
        except InterviewRunningError:
            raise QuizError("Your interview has just started; answer its first question.") from None
        return await self._advance(player, _Session(interview, []))

    async def current(self, player: Player) -> InterviewPrompt | None:
        """The running interview's current question or follow-up, if the player has one."""
        found = await self._core.ids.find_player(player)
        if found is None:
            return None
        session = await self._running(player, found[0])
        if session is None:
            return None
        step = await self._advance(player, session)
        return step if isinstance(step, InterviewPrompt) else None

    async def answer(
        self,
        player: Player,
        text: str,
        *,
        interview_id: int | None = None,
        step: str | None = None,
    ) -> InterviewStep:
        """Answer the current question (or follow-up); the next one, or the scorecard.

        ``interview_id`` and ``step`` (from an answer button) must name the current question:
        an answer to another player's interview, an ended one, or a question answered
        already is refused with nothing recorded.
        """
        letter, reply = validate_reply(None, text)
        answer_text = reply or letter or ""
        found = await self._core.ids.find_player(player)  # a stranger is not created
        player_pk = found[0] if found else 0
        session = await self._running(player, player_pk) if found else None
        if interview_id is not None and (session is None or session.interview.id != interview_id):
            await self._refuse_other(player_pk, interview_id)
        if session is None:
            raise QuizError("You have no interview running; start one with /interview.")
        current = await self._advance(player, session)
        if not isinstance(current, InterviewPrompt):  # cannot happen: _running has no finished
            raise QuizError("This interview has ended; start a new one with /interview.")
        if step is not None and step != current.step:
            raise QuizError("You already answered that question; the interview has moved on.")
        row = session.pending
        assert row is not None
        recorded = (
            await self._answer_follow_up(player, row, answer_text)
            if current.follow_up
            else await self._answer_question(player, row, answer_text)
        )
        if not recorded:
            raise QuizError("You already answered that question; the interview has moved on.")
        return await self._advance(player, await self._session(session.interview.id))

    async def stop(self, player: Player, *, interview_id: int | None = None) -> Scorecard:
        """End the running interview now: the scorecard of what was answered.

        With ``interview_id`` (a stop button), only that interview, if it is the player's
        running one."""
        found = await self._core.ids.find_player(player)
        session = None if found is None else await self._running(player, found[0])
        stale = session is None or session.interview.id != interview_id
        if found is not None and interview_id is not None and stale:
            await self._refuse_other(found[0], interview_id)
        if session is None:
            raise QuizError("You have no interview running; start one with /interview.")
        return await self._end(player, session, "stopped")

    async def history(self, player: Player) -> InterviewHistory:
        """The player's latest interviews (at most :data:`HISTORY_LIMIT`), newest first."""
        found = await self._core.ids.find_player(player)
        if found is None:
            return InterviewHistory(())
        await self._running(player, found[0])  # an idle one expires first
        rows = []
        for interview, answered in await self.store.history(found[0], HISTORY_LIMIT):
            score = interview.score
            rows.append(
                InterviewSummary(
                    interview.id,
                    interview.started_at,
                    _status(interview),
                    answered,
                    interview.length,
                    score,
                    None if score is None else verdict_for(score),
                )
            )
        return InterviewHistory(tuple(rows))

    # -- the session's steps -----------------------------------------------------------------

    async def _session(self, interview_id: int) -> _Session:
        interview = await self.store.get(interview_id)
        assert interview is not None
        return _Session(interview, await self.store.questions(interview_id))

    async def _running(self, player: Player, player_pk: int) -> _Session | None:
        """The player's running interview; one idle too long expires (and None)."""
        interview = await self.store.running(player_pk)
        if interview is None:
            return None
        session = _Session(interview, await self.store.questions(interview.id))
        if self._core.clock() - _last_activity(interview, session.rows) >= IDLE_SECONDS:
            await self._end(player, session, "expired")
            return None
        return session

    async def _refuse_other(self, player_pk: int, interview_id: int) -> None:
        other = await self.store.get(interview_id)
        if other is None or other.player_pk != player_pk:
            raise QuizError("That interview is not yours; start your own with /interview.")
        raise QuizError("That interview has ended; start a new one with /interview.")

    async def _advance(
        self, player: Player, session: _Session, *, resumed: bool = False
    ) -> InterviewStep:
        """The session's current prompt: the pending question or follow-up, else the next
        question (asked now), else the scorecard (the interview is finished)."""
        pending = session.pending
        if pending is None:
            question = self._next_question(session)
            if question is None:
                return await self._end(player, session, "finished")
            await self.store.ask(
                interview_id=session.interview.id,
                position=len(session.rows) + 1,
                question_id=question.id,
                category=question.category,
                difficulty=question.difficulty,
                now=self._core.clock(),
            )
            session = await self._session(session.interview.id)
            pending = session.pending
            if pending is None:  # the interview ended meanwhile
                raise QuizError("This interview has ended; start a new one with /interview.")
        return self._prompt(session.interview, pending, resumed=resumed)

    def _next_question(self, session: _Session) -> Question | None:
        interview, rows = session.interview, session.rows
        if len(rows) >= interview.length:
            return None
        candidates = interview_questions(self._core.bank, interview.categories)
        if not candidates:
            return None
        levels = levels_of(candidates)
        level: str = interview.start_level
        if rows:
            last = rows[-1]
            level = next_level(last.difficulty, last.final_grade or 0.0, levels)
        per_category: dict[str, int] = {}
        for row in rows:
            per_category[row.category] = per_category.get(row.category, 0) + 1
        return pick_question(
            candidates, {row.question_id for row in rows}, level, per_category, self._core.rng
        )

    def _prompt(
        self, interview: InterviewRow, row: QuestionRow, *, resumed: bool
    ) -> InterviewPrompt:
        bank = self._core.bank
        question = bank.get(row.question_id)
        follow_up = _waiting_for_follow_up(row)
        return InterviewPrompt(
            interview_id=interview.id,
            step=f"{row.position}f" if follow_up else str(row.position),
            position=row.position,
            length=interview.length,
            question_id=question.id,
            category_title=bank.category_titles.get(question.category, question.category),
            difficulty=question.difficulty,
            text=follow_up_text(question, row.follow_up_point or "")
            if follow_up
            else question.prompt,
            follow_up=follow_up,
            asked_at=row.asked_at,
            budget_s=interview.question_seconds,
            resumed=resumed,
        )

    # -- answers ------------------------------------------------------------------------------

    def _scores(
        self, player: Player, team_pk: int, player_pk: int, grade: float
    ) -> list[ScoreRowValues]:
        """The leaderboard rows a finished question adds to: a review's flat points."""
        now = self._core.clock()
        points, correct = review_points(grade), int(grade >= CORRECT_THRESHOLD)
        return [
            (team_pk, period, scope, player_pk, points, correct)
            for period in period_keys(now).values()
            for scope in ("", review_channel_id(player))
        ]

    async def _answer_question(self, player: Player, row: QuestionRow, text: str) -> bool:
        question = self._core.bank.get(row.question_id)
        result = await judged(self._judge, question, text, grade_text(question, text))
        required = {p.label for p in question.key_points if p.required}
        missing = [label for label in result.missed if label in required]
        follow_up = missing[0] if missing and result.misconception is None else None
        interview = await self._interview(row)
        final = None
        if follow_up is None:
            scores = self._scores(player, interview.team_pk, interview.player_pk, result.grade)
            final = (result.grade, scores)
        return await self.store.answer(
            row.id,
            text=text,
            now=self._core.clock(),
            grade=result.grade,
            covered=result.covered,
            missed=result.missed,
            follow_up_point=follow_up,
            final=final,
            judge_note=result.note,
        )

    async def _answer_follow_up(self, player: Player, row: QuestionRow, text: str) -> bool:
        question = self._core.bank.get(row.question_id)
        label = row.follow_up_point or ""
        first = row.grade or 0.0
        credit = 0.0
        if covers_point(question, label, text):
            full = grade_text(question, row.answer or "", also_covered=frozenset({label})).grade
            credit = round(FOLLOW_UP_CREDIT * max(full - first, 0.0), 3)
        final = round(min(first + credit, 1.0), 3)
        interview = await self._interview(row)
        return await self.store.answer_follow_up(
            row.id,
            text=text,
            now=self._core.clock(),
            credit=credit,
            final=(final, self._scores(player, interview.team_pk, interview.player_pk, final)),
        )

    async def _interview(self, row: QuestionRow) -> InterviewRow:
        interview = await self.store.get(row.interview_id)
        assert interview is not None
        return interview

    # -- the end -----------------------------------------------------------------------------

    async def _end(self, player: Player, session: _Session, reason: str) -> Scorecard:
        """End the session (a question waiting for its follow-up keeps its first grade) and
        build its scorecard."""
        interview = session.interview
        pending = session.pending
        if pending is not None and _waiting_for_follow_up(pending):
            first = pending.grade or 0.0
            scores = self._scores(player, interview.team_pk, interview.player_pk, first)
            await self.store.finish_unanswered_follow_up(pending.id, first, scores)
            session = await self._session(interview.id)
        done = [row for row in session.rows if row.final_grade is not None]
        score = sum(row.final_grade or 0.0 for row in done) / len(done) if done else None
        if interview.ended_at is None:
            await self.store.end(interview.id, reason, score, self._core.clock())
        return await self._scorecard(await self._session(interview.id))

    async def _scorecard(self, session: _Session) -> Scorecard:
        bank = self._core.bank
        interview = session.interview
        items = [self._item(interview, row) for row in session.rows if row.final_grade is not None]
        by_category: dict[str, list[float]] = {}
        for row in session.rows:
            if row.final_grade is not None:
                by_category.setdefault(row.category, []).append(row.final_grade)
        categories = tuple(
            ScorecardCategory(c, bank.category_titles.get(c, c), len(g), sum(g) / len(g))
            for c, g in sorted(by_category.items())
        )
        score = interview.score
        return Scorecard(
            interview_id=interview.id,
            status=_status(interview),
            length=interview.length,
            items=tuple(items),
            categories=categories,
            time_used_s=sum(item.time_s for item in items),
            budget_s=interview.question_seconds,
            score=score,
            verdict=None if score is None else verdict_for(score),
            ready_at=READY_AT,
            almost_at=ALMOST_AT,
            topics=self._topics(session.rows),
            previous_score=await self.store.previous_score(interview.player_pk, interview.id),
            points=sum(review_points(item.grade) for item in items),
        )

    def _item(self, interview: InterviewRow, row: QuestionRow) -> ScorecardItem:
        bank = self._core.bank
        question = bank.get(row.question_id)
        earned_back = row.follow_up_point if (row.follow_up_credit or 0) > 0 else None
        covered = row.covered + ((earned_back,) if earned_back else ())
        ended = row.follow_up_answered_at or row.answered_at or row.asked_at
        time_s = ended - row.asked_at
        follow_up = row.follow_up_point
        return ScorecardItem(
            position=row.position,
            question_id=question.id,
            category_title=bank.category_titles.get(question.category, question.category),
            difficulty=row.difficulty,
            prompt=question.prompt,
            answer=row.answer or "",
            grade=row.final_grade or 0.0,
            first_grade=row.grade or 0.0,
            covered=covered,
            missed=tuple(label for label in row.missed if label != earned_back),
            follow_up=follow_up_text(question, follow_up) if follow_up else None,
            follow_up_answer=row.follow_up_answer,
            follow_up_credit=row.follow_up_credit or 0.0,
            reference_answer=question.reference_answer,
            time_s=time_s,
            over_s=max(time_s - interview.question_seconds, 0.0),
            judge_note=row.judge_note,
        )

    def _topics(self, rows: Sequence[QuestionRow]) -> tuple[StudyTopic, ...]:
        """The first missed key point of the weakest answers (at most :data:`STUDY_TOPICS`)."""
        bank = self._core.bank
        topics: list[StudyTopic] = []
        answered = [row for row in rows if row.final_grade is not None]
        for row in sorted(answered, key=lambda r: (r.final_grade or 0.0, r.position)):
            earned_back = row.follow_up_point if (row.follow_up_credit or 0) > 0 else None
            missed = [label for label in row.missed if label != earned_back]
            if not missed or any(t.point == missed[0] for t in topics):
                continue
            title = bank.category_titles.get(row.category, row.category)
            topics.append(StudyTopic(missed[0], row.category, title))
            if len(topics) == STUDY_TOPICS:
                break
        return tuple(topics)
