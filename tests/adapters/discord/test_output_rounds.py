"""An output question on Discord, over real HTTP to the fake API: the code in the embed within
Discord's limits, answered by button and by typing the output."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.adapters.discord import render
from questions.loader import QuestionBank
from tests.adapters.discord.conftest import BOB, Driver
from tests.adapters.output_bank import OUTPUT, output_bank
from tests.fakes.discord_api import FakeDiscord


@pytest.fixture
def bank(tmp_path: Path) -> QuestionBank:
    return output_bank(tmp_path / "packs")


def button_ids(message: dict[str, Any]) -> list[str]:
    return [b["custom_id"] for row in message["components"] for b in row["components"]]


def embed_of(fake: FakeDiscord, token: str) -> dict[str, Any]:
    original = fake.original(token)
    assert original is not None
    embed: dict[str, Any] = original["embeds"][0]
    return embed


async def test_output_round_by_choice_shows_the_code_and_the_output(
    discord: Driver, fake: FakeDiscord
) -> None:
    message = await discord.quiz(("category", "code"))
    embed = message["embeds"][0]
    assert embed["description"].count("```") == 2  # the code's own fences are broken up
    assert all(field["value"].count("```") == 2 for field in embed["fields"])
    labels = [b["label"] for row in message["components"] for b in row["components"]]
    assert labels == ["A", "B", "C", "D"]
    right = next(f["name"] for f in embed["fields"] if f["value"] == render.code(OUTPUT, 1024))
    token = await discord.run(discord.click(message, f"{button_ids(message)[0][:-1]}{right}"))
    fields = {f["name"]: f["value"] for f in embed_of(fake, token)["fields"]}
    assert "Output" in fields and "@everyone" not in fields["Output"]
    assert fake.refused() == []


async def test_output_round_answered_by_typing_the_output(
    discord: Driver, fake: FakeDiscord
) -> None:
    message = await discord.quiz(("category", "code"), ("mode", "open"))
    assert (
        "“Type what it prints” below and type exactly what it prints"
        in (message["embeds"][0]["footer"]["text"])
    )
    labels = [b["label"] for row in message["components"] for b in row["components"]]
    assert labels == ["Type what it prints"]
    modal_id = "quizmodal:" + button_ids(message)[0].split(":")[1]
    right = await discord.run(discord.submit(modal_id, OUTPUT + "   \n\n"))
    assert embed_of(fake, right)["title"].startswith("✅ Correct!")
    wrong = await discord.run(discord.submit(modal_id, "``` <!here>", who=BOB))
    assert embed_of(fake, wrong)["title"].startswith("❌ Not quite.")
    assert fake.refused() == []
