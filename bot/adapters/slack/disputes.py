"""``/quiz-admin disputes|uphold|reject|resolve``, ``questions`` (how each question fares),
``progress`` (each member's) and ``season end NAME`` on Slack: parse, call the engine, reply
privately.

The player is told by the outbox (:meth:`SlackOutbox.tell
<bot.adapters.slack.outbox.SlackOutbox.tell>`).
"""

from __future__ import annotations

from bot.adapters.settle_text import SETTLE_USAGE, is_settle, parse_settle
from bot.adapters.slack import blocks
from bot.adapters.slack.dispute_blocks import reports_blocks, reports_text
from bot.adapters.slack.question_stats import question_stats_blocks, question_stats_text
from bot.adapters.slack.replies import Reply
from bot.adapters.slack.team_progress import progress_blocks, progress_text
from bot.adapters.wording import season_ended, settled_for_admin
from bot.engine.disputes import LISTED
from bot.engine.engine import QuizEngine
from bot.engine.errors import QuizError
from bot.engine.model import Team

__all__ = ["is_dispute_admin", "run_dispute_admin"]


LISTINGS = ("disputes", "questions", "progress", "season")


def is_dispute_admin(text: str | None) -> bool:
    """Whether ``/quiz-admin`` text is a listing (:data:`LISTINGS`) or a settle command."""
    words = (text or "").split(maxsplit=1)
    return bool(words) and (words[0].casefold() in LISTINGS or is_settle(text))


async def run_dispute_admin(engine: QuizEngine, team: Team, text: str | None, reply: Reply) -> None:
    """List the team's open reports or question statistics, or settle a report; refusals
    raise :class:`QuizError`."""
    words = (text or "").split()
    if words[0].casefold() == "season":
        if len(words) < 3 or words[1].casefold() != "end":
            raise QuizError("Usage: /quiz-admin season end NAME")
        ended = await engine.seasons.end(team, " ".join(words[2:]))
        message = season_ended(ended, blocks.escape_user, "/leaderboard")
        await reply(message, [blocks.section(message)])
        return
    if words[0].casefold() == "progress":
        if len(words) > 1:
            raise QuizError("Usage: /quiz-admin progress")
        progress = await engine.progress.team(team)
        await reply(progress_text(progress), progress_blocks(progress))
        return
    if words[0].casefold() == "questions":
        if len(words) > 1:
            raise QuizError("Usage: /quiz-admin questions")
        found = await engine.analytics.questions(team)
        await reply(question_stats_text(found), question_stats_blocks(found, LISTED))
        return
    if words[0].casefold() == "disputes":
        if len(words) > 1:
            raise QuizError(SETTLE_USAGE)
        items = await engine.disputes.open_reports(team)
        await reply(reports_text(items), reports_blocks(items, LISTED))
        return
    args = parse_settle(text)
    settled = await engine.disputes.settle(
        team, args.report_id, args.action, grade=args.grade, note=args.note
    )
    message = settled_for_admin(settled, blocks.escape_user(settled.player_name))
    await reply(message, [blocks.section(message)])
