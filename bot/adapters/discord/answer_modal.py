"""The free-text answer form, shared by open rounds and mock interviews."""

from __future__ import annotations

import discord

from bot.engine.engine import MAX_ANSWER_CHARS

__all__ = ["ANSWER_FIELD", "MAX_ANSWER", "AnswerModal"]

ANSWER_FIELD = "answer"
MAX_ANSWER = min(MAX_ANSWER_CHARS, 4000)  # Discord caps a text input at 4 000


class AnswerModal(discord.ui.Modal):
    """The free-text answer form with the ``custom_id`` its submission is routed by."""

    def __init__(self, custom_id: str) -> None:
        super().__init__(title="Your answer", custom_id=custom_id, timeout=None)
        self.answer: discord.ui.TextInput[AnswerModal] = discord.ui.TextInput(
            label="Answer in your own words",
            style=discord.TextStyle.paragraph,
            custom_id=ANSWER_FIELD,
            max_length=MAX_ANSWER,
            required=True,
        )
        self.add_item(self.answer)
        # Submissions are routed by custom_id (the client's on_interaction), which also works
        # after a restart; a stopped modal is not kept in discord.py's in-memory view store.
        self.stop()
