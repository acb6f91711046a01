"""``/quiz-admin …`` in the console: everyone is the admin of their own local team.

``daily …`` schedules the daily question (:mod:`bot.adapters.console.daily`); ``questions``
shows how each question fares; ``progress`` each member's accuracy and coverage; ``season
end NAME`` archives the season's standings and starts fresh boards; ``disputes``
lists the open grade disputes and question reports; ``uphold``, ``reject`` and ``resolve``
settle one (:mod:`bot.adapters.settle_text`), and the player is told in a line addressed to
them.
"""

from __future__ import annotations

from bot.adapters.console import render
from bot.adapters.console.commands import Command, CommandError
from bot.adapters.console.daily import daily_command
from bot.adapters.settle_text import SETTLE_USAGE, is_settle, parse_settle
from bot.engine.disputes import LISTED
from bot.engine.engine import QuizEngine
from bot.engine.model import Channel

__all__ = ["admin_command"]


async def admin_command(engine: QuizEngine, here: Channel, command: Command) -> str:
    """Run one ``/quiz-admin`` sub-command typed in channel ``here``."""
    team = here.team
    first = command.args[0].casefold() if command.args else ""
    if first == "disputes":
        if len(command.args) > 1 or command.options:
            raise CommandError(SETTLE_USAGE)
        items = await engine.disputes.open_reports(team)
        return render.render_reports(items, LISTED)
    if first == "season":
        if len(command.args) < 3 or command.args[1].casefold() != "end" or command.options:
            raise CommandError("Usage: /quiz-admin season end NAME")
        ended = await engine.seasons.end(team, " ".join(command.args[2:]))
        return render.render_season_ended(ended)
    if first == "progress":
        if len(command.args) > 1 or command.options:
            raise CommandError("Usage: /quiz-admin progress")
        return render.render_progress(await engine.progress.team(team))
    if first == "questions":
        if len(command.args) > 1 or command.options:
            raise CommandError("Usage: /quiz-admin questions")
        found = await engine.analytics.questions(team)
        return render.render_question_stats(found, LISTED)
    if is_settle(command.rest):
        args = parse_settle(command.rest)
        settled = await engine.disputes.settle(
            team, args.report_id, args.action, grade=args.grade, note=args.note
        )
        return render.render_settled(settled)
    return await daily_command(engine, here, command.rest)
