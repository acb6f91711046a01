"""The console adapter: Quizbot in a terminal, on the same engine as the chat platforms."""

from bot.adapters.console.adapter import ConsoleOutbox, ConsoleSession, help_text, run_console

__all__ = ["ConsoleOutbox", "ConsoleSession", "help_text", "run_console"]
