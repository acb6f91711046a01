"""The App Home tab on Slack: the team's weekly leaderboard and the user's own stats."""

from __future__ import annotations

import dataclasses
import logging

from bot.adapters.slack import blocks
from bot.adapters.slack.deps import SlackDeps
from bot.adapters.slack.in_flight import set_outcome
from bot.adapters.slack.listening import Body
from bot.adapters.slack.payloads import PLATFORM, PayloadError, text_field
from bot.engine.model import Player, Team

__all__ = ["on_home_opened", "publish_home"]

log = logging.getLogger(__name__)


async def on_home_opened(deps: SlackDeps, body: Body) -> None:
    """``app_home_opened``: publish the Home tab; a failure is logged, never raised."""
    try:
        await publish_home(deps, body)
    except Exception:
        set_outcome("error")
        log.exception("could not publish the App Home tab")


async def publish_home(deps: SlackDeps, body: Body) -> None:
    """Publish the team leaderboard and the user's own stats to the user's Home tab."""
    event = body.get("event")
    if not isinstance(event, dict) or event.get("tab", "home") != "home":
        return
    team_id = text_field(body, "team_id")
    user_id = text_field(event, "user")
    if not team_id or not user_id:
        raise PayloadError("app_home_opened without team or user")
    team = Team(PLATFORM, team_id)
    player = Player(team, user_id, user_id)
    board = await deps.engine.leaderboard(team, period="week", caller=player)
    stats = await deps.engine.stats(player)
    if stats.display_name == user_id:  # never played: the engine has no name for them
        name = await deps.names.name(team_id, user_id)
        stats = dataclasses.replace(stats, display_name=name)
    await deps.client.views_publish(user_id=user_id, view=blocks.home_view(board, stats))
