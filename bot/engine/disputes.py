"""Settling grade disputes and question reports (``engine.disputes``), and telling the player.

- An admin lists the team's open reports, then settles each: a dispute is **upheld** with a
  new grade (0 to 1) or **rejected** (the grade stands); a question report is **resolved**.
  Each takes an optional note for the player.
- Upholding re-scores the answer with the rule of its kind of round
  (:func:`~bot.engine.scoring.regraded_points`) and commits, in one transaction, the report's
  outcome, the answer's new grade and points (the originals kept in ``grade_corrections``),
  the leaderboard totals of every period and scope the answer counted in, and the player's
  FSRS card (its reviews replayed from the disputed one on with the new grade's rating). A
  daily streak is not re-judged.
- The player is told privately through the outbox of their platform (``tell(player,
  settlement)``: a DM on Discord and Slack, a line for that player in the console). A player
  who cannot be reached now (the bot not running, as when the CLI settles; a refused DM) is
  told by :meth:`DisputeDesk.tell_pending`, which the round timer runs; after
  :attr:`~storage.settlements.SettlementStore.MAX_NOTIFY_ATTEMPTS` refusals it stops trying.
  An adapter may also show what a player was not told yet in its next private reply to them
  (:meth:`DisputeDesk.untold`, then :meth:`DisputeDesk.shown` once each is out; Discord does).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Literal, Protocol, cast

from bot.engine import options, scoring
from bot.engine.closing import RoundCloser
from bot.engine.core import Core
from bot.engine.errors import QuizError
from bot.engine.model import Player, ReportItem, Settlement, SettlementOutcome, Team
from bot.engine.reviews import CardScheduler, note_text, rating_for_grade
from bot.engine.standings import period_keys
from storage.settlements import GradeCorrection, SettledReport

__all__ = ["ACTIONS", "DisputeDesk", "Teller", "parse_grade"]

log = logging.getLogger(__name__)

Action = Literal["uphold", "reject", "resolve"]
ACTIONS: tuple[Action, ...] = ("uphold", "reject", "resolve")
LISTED = 10
"""How many open reports a chat listing shows (the oldest first)."""


class Teller(Protocol):
    """An outbox that can tell one player something privately."""

    async def tell(self, player: Player, settlement: Settlement) -> None:
        """Tell ``player`` how their report was settled (privately)."""
        ...


def parse_grade(value: str | None) -> float:
    """A grade from 0 to 1 (``0.8``, or ``80%``); :class:`QuizError` otherwise."""
    text = (value or "").strip()
    percent = text.endswith("%")
    try:
        grade = float(text.removesuffix("%")) / (100 if percent else 1)
    except ValueError:
        grade = -1.0
    if not 0 <= grade <= 1:  # NaN fails this too
        shown = text if len(text) <= 20 else text[:20] + "…"
        raise QuizError(f"The grade must be a number from 0 to 1 (e.g. 0.8), not {shown!r}.")
    return grade


class DisputeDesk:
    """The settling use cases of one :class:`QuizEngine` (``engine.disputes``)."""

    def __init__(self, core: Core, closer: RoundCloser, scheduler: CardScheduler) -> None:
        self._core = core
        self._closer = closer
        self._scheduler = scheduler
        self.store = core.store.settlements

    async def open_reports(
        self, team: Team | None, *, disputes_only: bool = False
    ) -> tuple[ReportItem, ...]:
        """The open reports of ``team`` (of every team when None), oldest first."""
        team_pk = None if team is None else await self._core.ids.known_team_pk(team)
        if team is not None and team_pk is None:
            return ()
        reports = await self.store.open_reports(team_pk, disputes_only=disputes_only)
        return tuple(self._item(report) for report in reports)

    async def settle(
        self,
        team: Team | None,
        report_id: int,
        action: str,
        *,
        grade: str | None = None,
        note: str = "",
    ) -> Settlement:
        """Uphold (with ``grade``) or reject a dispute, or resolve a question report, within
        ``team`` (any team when None); then tell the player. ``resolve`` on a dispute rejects
        it. Bad input raises :class:`QuizError` and changes nothing."""
        chosen = options.choose("action", action, ACTIONS)
        admin_note = note_text(note)
        report = await self._open_report(team, report_id)
        outcome = self._outcome(report, chosen, grade)
        correction = None
        if outcome == "upheld":
            correction = self._correction(report, parse_grade(grade))
        now = self._core.clock()
        if not await self.store.settle(report.id, outcome, admin_note, now, correction):
            raise QuizError(f"Report #{report.id} is already settled.")
        settled = await self.store.report(report.id)
        assert settled is not None
        return await self._tell(settled)

    async def tell_pending(self) -> int:
        """Tell every player whose report was settled and who has not been told yet (where
        their platform's adapter runs); how many were told."""
        told = 0
        for report in await self.store.to_notify():
            if self._closer.outbox_for(report.platform) is not None:
                told += (await self._tell(report)).told
        return told

    async def untold(self, player: Player) -> tuple[Settlement, ...]:
        """The player's settlements not told yet: for an adapter to show them in its next
        private reply to the player (where a direct message did not reach them), marking each
        with :meth:`shown` once it is out, so one that fails to go out stays untold."""
        found = await self._core.ids.find_player(player)
        if found is None:
            return ()
        return tuple(
            self._settlement(report) for report in await self.store.player_to_notify(found[0])
        )

    async def shown(self, settlement: Settlement) -> Settlement:
        """The player has been shown ``settlement`` (from :meth:`untold`): it is told."""
        await self.store.mark_notified(settlement.report_id, self._core.clock())
        return replace(settlement, told=True)

    # -- steps -------------------------------------------------------------------------------

    async def _open_report(self, team: Team | None, report_id: int) -> SettledReport:
        report = await self.store.report(report_id)
        team_pk = None if team is None else await self._core.ids.known_team_pk(team)
        if report is None or (team is not None and report.team_pk != team_pk):
            raise QuizError(f"There is no report #{report_id} here.")
        if report.status != "open":
            raise QuizError(f"Report #{report.id} is already settled.")
        return report

    @staticmethod
    def _outcome(report: SettledReport, action: Action, grade: str | None) -> SettlementOutcome:
        dispute = report.kind == "dispute"
        if action != "uphold" and grade is not None:
            raise QuizError("Only `uphold` takes a grade.")
        if action == "uphold":
            if not dispute:
                raise QuizError(f"Report #{report.id} is a question report: resolve it instead.")
            if grade is None:
                raise QuizError("Give the corrected grade, from 0 to 1 (e.g. grade:0.8).")
            return "upheld"
        if action == "reject" and not dispute:
            raise QuizError(f"Report #{report.id} is a question report: resolve it instead.")
        return "rejected" if dispute else "resolved"

    def _correction(self, report: SettledReport, grade: float) -> GradeCorrection:
        if report.answer_id is None or report.grade is None or report.points is None:
            raise QuizError(f"Report #{report.id} has no answer to grade.")
        answered_at = report.answered_at or report.opened_at
        points = scoring.regraded_points(
            kind=report.round_kind,
            difficulty=report.difficulty,
            grade=grade,
            elapsed_s=answered_at - report.opened_at,
            time_limit_s=report.closes_at - report.opened_at,
            grade_before=report.grade,
            points_before=report.points,
        )
        return GradeCorrection(
            answer_id=report.answer_id,
            team_pk=report.team_pk,
            channel_id=report.channel_id,
            player_pk=report.player_pk,
            periods=tuple(period_keys(answered_at).values()),
            answered_at=answered_at,
            grade_before=report.grade,
            grade_after=grade,
            points_before=report.points,
            points_after=points,
            correct_before=scoring.verdict_for(report.grade) == "correct",
            correct_after=scoring.verdict_for(grade) == "correct",
            rating=int(rating_for_grade(report.mode, grade)),
            replay=self._scheduler.replay,
        )

    async def _tell(self, report: SettledReport) -> Settlement:
        """The settlement, told to its player when their platform's outbox can."""
        settlement = self._settlement(report)
        outbox = self._closer.outbox_for(report.platform)
        if outbox is None or not callable(getattr(outbox, "tell", None)):
            return settlement
        player = Player(Team(report.platform, report.team_id), report.user_id, report.player_name)
        try:
            await cast(Teller, outbox).tell(player, settlement)
        except Exception:
            log.warning("could not tell the player of report #%s", report.id, exc_info=True)
            await self.store.note_failed_notice(report.id)
            return settlement
        await self.store.mark_notified(report.id, self._core.clock())
        return replace(settlement, told=True)

    # -- views -------------------------------------------------------------------------------

    def _prompt(self, question_id: str) -> str:
        bank = self._core.bank
        return bank.get(question_id).prompt if question_id in bank else question_id

    def _item(self, report: SettledReport) -> ReportItem:
        return ReportItem(
            report_id=report.id,
            kind=report.kind,
            round_id=report.round_id,
            question_id=report.question_id,
            prompt=self._prompt(report.question_id),
            player_name=report.player_name,
            answer=report.answer,
            grade=report.grade,
            reason=report.note,
        )

    def _settlement(self, report: SettledReport) -> Settlement:
        upheld = report.outcome == "upheld"
        return Settlement(
            report_id=report.id,
            kind=report.kind,
            outcome=cast(SettlementOutcome, report.outcome),
            round_id=report.round_id,
            question_id=report.question_id,
            prompt=self._prompt(report.question_id),
            player_name=report.player_name,
            grade_before=report.grade_before,
            grade_after=report.grade if upheld else None,
            points_before=report.points_before,
            points_after=report.points if upheld else None,
            note=report.resolution_note,
        )
