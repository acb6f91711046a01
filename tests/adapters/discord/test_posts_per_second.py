"""``DISCORD_POSTS_PER_SECOND``: the pace of what this process sends on its own, so replicas
that all publish can split Discord's global limit of one bot token."""

from __future__ import annotations

import pytest

from bot.adapters.discord import create_bot
from bot.adapters.discord.outbox import GLOBAL_PACE
from bot.config import ConfigError, load_settings


@pytest.mark.parametrize(
    ("value", "pace"), [(None, GLOBAL_PACE), ("24", 24.0), ("12.5", 12.5), ("50", 50.0)]
)
async def test_the_outbox_paces_at_the_setting(value: str | None, pace: float) -> None:
    settings = (
        load_settings(_env_file=None)
        if value is None
        else load_settings(_env_file=None, discord_posts_per_second=value)
    )
    for sharded in (None, 4):  # a client never logged in holds no connection to close
        bot = create_bot(None, settings.model_copy(update={"discord_shard_count": sharded}))
        assert bot.outbox._pacing.rate == pace


@pytest.mark.parametrize("value", ["0", "-1", "51", "fast"])
def test_a_pace_beyond_discords_limit_is_refused_in_one_line(value: str) -> None:
    with pytest.raises(ConfigError) as refused:
        load_settings(_env_file=None, discord_posts_per_second=value)
    assert "DISCORD_POSTS_PER_SECOND" in str(refused.value).upper()
    assert "\n" not in str(refused.value)
