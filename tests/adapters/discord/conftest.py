"""Fixtures for the Discord adapter: the loopback fake, a logged-in bot, and a payload driver."""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

with warnings.catch_warnings():
    # discord.py imports the stdlib audioop (deprecated in 3.11, for voice we never use).
    warnings.simplefilter("ignore", DeprecationWarning)
    from discord.gateway import DiscordWebSocket
    from discord.http import Route

from bot.adapters.discord import QuizBot, create_bot
from bot.config import Settings, load_settings
from bot.engine.engine import QuizEngine
from tests.fakes.discord_api import APP_ID, TIMESTAMP, FakeDiscord, snowflake

GUILD = "222222222222222222"
OTHER_GUILD = "333333333333333333"
CHANNEL = "444444444444444444"
MANAGE_GUILD = 0x20
EVERYONE_PERMS = str(0x400 | 0x800)  # view channel, send messages


def user(user_id: str, name: str) -> dict[str, Any]:
    """A user object."""
    return {
        "id": user_id,
        "username": name.casefold().replace(" ", "")[:32] or "user",
        "discriminator": "0",
        "global_name": name,
        "avatar": None,
    }


ALICE = user("500000000000000001", "Alice")
BOB = user("500000000000000002", "Bob")


def member(who: dict[str, Any], permissions: str = EVERYONE_PERMS) -> dict[str, Any]:
    """A guild member object (as in an interaction) for a user."""
    return {
        "user": who,
        "roles": [],
        "joined_at": TIMESTAMP,
        "deaf": False,
        "mute": False,
        "flags": 0,
        "nick": None,
        "avatar": None,
        "pending": False,
        "premium_since": None,
        "communication_disabled_until": None,
        "permissions": permissions,
    }


class Driver:
    """Feeds INTERACTION_CREATE payloads to the real client, exactly as the gateway would."""

    def __init__(self, bot: QuizBot, fake: FakeDiscord) -> None:
        self.bot = bot
        self.fake = fake

    @staticmethod
    def payload(
        kind: int,
        data: dict[str, Any],
        *,
        who: dict[str, Any] = ALICE,
        guild: str = GUILD,
        channel: str = CHANNEL,
        permissions: str = EVERYONE_PERMS,
        message: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """A complete interaction payload."""
        interaction_id = snowflake()
        payload: dict[str, Any] = {
            "id": interaction_id,
            "application_id": str(APP_ID),
            "type": kind,
            "token": f"tok-{interaction_id}",
            "version": 1,
            "attachment_size_limit": 8_388_608,
            "data": data,
            "guild_id": guild,
            "channel_id": channel,
            "channel": {
                "id": channel,
                "type": 0,
                "name": "general",
                "guild_id": guild,
                "position": 0,
                "permission_overwrites": [],
                "nsfw": False,
                "parent_id": None,
                "topic": None,
                "last_message_id": None,
                "rate_limit_per_user": 0,
                "flags": 0,
            },
            "member": member(who, permissions),
            "app_permissions": "84992",
            "locale": "en-US",
            "guild_locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": guild},
            "context": 0,
        }
        if message is not None:
            payload["message"] = message
        return payload

    def send(self, payload: dict[str, Any]) -> str:
        """Deliver a payload; returns its token (wait with ``fake.answered(token)``)."""
        self.fake.open_interaction(
            payload["id"], payload["token"], payload["channel_id"], payload["member"]["user"]
        )
        self.bot._connection.parse_interaction_create(payload)  # type: ignore[arg-type]
        return str(payload["token"])

    async def run(self, payload: dict[str, Any]) -> str:
        """Deliver a payload and wait for its complete reply."""
        token = self.send(payload)
        await self.fake.answered(token)
        await asyncio.sleep(0.02)  # let the handler finish after its last request
        return token

    def slash(self, name: str, options: list[dict[str, Any]] | None = None, **kw: Any) -> Any:
        """A chat-input command payload."""
        data: dict[str, Any] = {
            "id": snowflake(),
            "name": name,
            "type": 1,
            "guild_id": kw.get("guild", GUILD),
            "options": options or [],
        }
        if "resolved" in kw:
            data["resolved"] = kw.pop("resolved")
        return self.payload(2, data, **kw)

    def click(self, message: dict[str, Any], custom_id: str, **kw: Any) -> dict[str, Any]:
        """A button press on a message the bot posted (a message object, or the body the bot
        sent it with: Discord delivers it as a whole message object either way)."""
        data = {"custom_id": custom_id, "component_type": 2}
        return self.payload(3, data, message=self.delivered(message), **kw)

    def delivered(self, message: dict[str, Any]) -> dict[str, Any]:
        """The message object a press's payload carries for a message the bot sent."""
        if "id" in message:
            return message
        return {
            "id": snowflake(),
            "channel_id": CHANNEL,
            "author": self.fake.bot_user,
            "content": "",
            "timestamp": TIMESTAMP,
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": [],
            "pinned": False,
            "type": 0,
            **message,
            "flags": int(message.get("flags") or 0),
            "components": message.get("components") or [],
        }

    def submit(self, custom_id: str, value: str, **kw: Any) -> dict[str, Any]:
        """A modal submission with one text input."""
        components = [
            {"type": 1, "components": [{"type": 4, "custom_id": "answer", "value": value}]}
        ]
        return self.payload(5, {"custom_id": custom_id, "components": components}, **kw)

    async def quiz(self, *options: tuple[str, str], **kw: Any) -> dict[str, Any]:
        """Run ``/quiz`` and return the question message posted in the channel."""
        before = set(self.fake.messages)
        opts = [{"name": n, "type": 3, "value": v} for n, v in options]
        await self.run(self.slash("quiz", opts, **kw))
        posted = [
            m
            for key, m in self.fake.messages.items()
            if key not in before and m.get("interaction_metadata") is None and m["embeds"]
        ]
        assert len(posted) == 1, self.fake.requests
        return posted[0]


@pytest.fixture
def endpoints() -> Iterator[None]:
    """Restore discord.py's global endpoints after a test points them at the fake."""
    base, gateway = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    yield
    Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = base, gateway


@pytest.fixture
async def fake(endpoints: None) -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord()
    await server.start()
    yield server
    await server.close()


@pytest.fixture
def settings(fake: FakeDiscord) -> Settings:
    return load_settings(
        discord_token="fake-token",
        discord_api_base_url=fake.api_url,
        discord_gateway_url=fake.gateway_url,
    )


@pytest.fixture
async def bot(engine: QuizEngine, settings: Settings) -> AsyncIterator[QuizBot]:
    client = create_bot(engine, settings)
    try:
        await client.login("fake-token")
        yield client
    finally:
        await client.close()


@pytest.fixture
def discord(bot: QuizBot, fake: FakeDiscord) -> Driver:
    return Driver(bot, fake)
