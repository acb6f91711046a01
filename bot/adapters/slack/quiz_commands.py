"""``/quiz``, ``/leaderboard`` and ``/stats`` on Slack: parse, call the engine, reply."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError

from bot.adapters.slack import blocks
from bot.adapters.slack.deps import SlackDeps
from bot.adapters.slack.listening import Body
from bot.adapters.slack.parsing import parse_leaderboard, parse_quiz, parse_stats
from bot.adapters.slack.payloads import command_identity, text_field
from bot.adapters.slack.replies import Reply
from bot.engine.errors import QuizError
from bot.engine.model import MessageRef, Player, QuestionCard

__all__ = ["on_leaderboard", "on_quiz", "on_stats"]


async def on_quiz(deps: SlackDeps, body: Body, reply: Reply) -> None:
    """``/quiz``: open a round and post its question with answer buttons."""
    channel, player = command_identity(body)
    args = parse_quiz(body.get("text"))

    async def send(card: QuestionCard) -> MessageRef:
        return await deps.outbox.post(channel, card)

    try:
        await deps.engine.post_round(
            channel,
            player,
            send,
            category=args.category,
            difficulty=args.difficulty,
            mode=args.mode,
        )
    except SlackApiError as exc:  # the round was closed unseen
        error = text_field(exc.response.data, "error") or "error"
        raise QuizError(
            f"I could not post the question here ({error}). "
            "Invite me to this channel (/invite @Quizbot) and try again."
        ) from None


async def on_leaderboard(deps: SlackDeps, body: Body, reply: Reply) -> None:
    """``/leaderboard``: the team's (or a channel's) top ten, privately to the caller."""
    channel, player = command_identity(body)
    args = parse_leaderboard(body.get("text"), channel.channel_id)
    board = await deps.engine.leaderboard(
        channel.team,
        period=args.period,
        channel_id=args.channel_id,
        caller=player,
        season=args.season,
    )
    await reply(blocks.leaderboard_text(board), blocks.leaderboard_blocks(board))


async def on_stats(deps: SlackDeps, body: Body, reply: Reply) -> None:
    """``/stats [@user]``: points and accuracy of the caller or of a mentioned user."""
    channel, player = command_identity(body)
    args = parse_stats(body.get("text"))
    if args.user_id is not None:
        player = Player(channel.team, args.user_id, args.name or args.user_id)
    stats = await deps.engine.stats(player)
    await reply(blocks.stats_text(stats), blocks.stats_blocks(stats))
