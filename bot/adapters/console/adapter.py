"""The console adapter: a terminal chat on the same engine as Discord and Slack.

One :class:`ConsoleSession` simulates a team: switch player (``/as``), channel (``/channel``) and
even team (``/team``). Each command's reply is one block of text.
"""

from __future__ import annotations

import asyncio
import sys
import textwrap
from collections.abc import Callable
from typing import TextIO

from bot.adapters.console import render
from bot.adapters.console.admin import admin_command
from bot.adapters.console.commands import COMMANDS, Command, CommandError, parse_line
from bot.adapters.console.entries import read_entry
from bot.adapters.console.names import MAX_NAME, valid_channel, valid_name
from bot.engine.engine import QuizEngine
from bot.engine.errors import AnswerRejectedError, InvalidOptionError, QuizError
from bot.engine.model import (
    Channel,
    InterviewPrompt,
    InterviewStep,
    MessageRef,
    Player,
    QuestionCard,
    Reveal,
    Settlement,
    Team,
    WeeklyDigest,
)
from bot.safe_text import visible

__all__ = ["PLATFORM", "ConsoleOutbox", "ConsoleSession", "help_text"]

PLATFORM = "console"
CONTINUATION_PROMPT = "... "


HELP_WIDTH = 79


def help_text() -> str:
    """Every command with its options: its usage, and under it what it does (80 columns)."""
    lines = ["Commands:"]
    for usage, about, _ in COMMANDS.values():
        lines += textwrap.wrap(
            usage, HELP_WIDTH, initial_indent="  ", subsequent_indent="    ", break_on_hyphens=False
        )
        lines += textwrap.wrap(about, HELP_WIDTH, initial_indent=" " * 6, subsequent_indent=" " * 6)
    return "\n".join(lines)


class ConsoleOutbox:
    """Unsolicited messages (a round closing on its timer) printed as their own block."""

    def __init__(self, write: Callable[[str], None]) -> None:
        self._write = write
        self._posted = 0

    async def post(self, channel: Channel, view: QuestionCard | Reveal) -> MessageRef:
        """Print a view; the returned ref is a running message number."""
        self._posted += 1
        self._write(self._text(view, channel.name or channel.channel_id))
        return MessageRef(channel.channel_id, str(self._posted))

    async def edit(self, ref: MessageRef, view: QuestionCard | Reveal) -> None:
        """A terminal cannot edit what it printed: print the new version."""
        if isinstance(view, QuestionCard):  # the daily question's live answer count
            self._write(
                f"[#{visible(ref.channel_id)}] Daily question #{view.round_id}: "
                f"{view.answer_count} answered so far."
            )
            return
        self._write(self._text(view, ref.channel_id))

    async def post_digest(self, channel: Channel, digest: WeeklyDigest) -> None:
        """Print the channel's weekly digest as its own block."""
        self._write(
            f"[#{visible(channel.name or channel.channel_id)}] {render.render_digest(digest)}"
        )

    async def tell(self, player: Player, settlement: Settlement) -> None:
        """Print what one player is told, addressed to them by name."""
        self._write(render.render_told(settlement))

    @staticmethod
    def _text(view: QuestionCard | Reveal, channel_name: str) -> str:
        if isinstance(view, Reveal):
            return f"[#{visible(channel_name)}] Time's up!\n{render.render_reveal(view)}"
        return render.render_card(view, channel_name)


class ConsoleSession:
    """The state of one terminal chat: who is typing, where, in which team."""

    def __init__(
        self,
        engine: QuizEngine,
        *,
        player_name: str = "you",
        channel_name: str = "general",
        team_name: str = "local",
    ) -> None:
        self.engine = engine
        self.team = Team(PLATFORM, valid_name(team_name, "team"))
        self.player_name = valid_name(player_name, "player")
        self.channel_name = valid_channel(channel_name)
        # the review just shown (player name, round), answered by the next line only
        self._review_prompt: tuple[str, int] | None = None
        # per player name: the round they answered last (for /rate, /dispute and /report)
        self._answered: dict[str, int] = {}
        # the player whose interview question was shown last, and where it stands ("2/8")
        self._interview_prompt: tuple[str, str] | None = None

    @property
    def player(self) -> Player:
        """The player currently typing."""
        return Player(self.team, self.player_name.casefold(), self.player_name)

    @property
    def channel(self) -> Channel:
        """The channel currently shown."""
        return Channel(self.team, self.channel_name, self.channel_name)

    @property
    def prompt(self) -> str:
        """Where the next line goes: the channel, or the review just shown."""
        where = f"#{visible(self.channel_name)}"
        if self._review_prompt is not None and self._review_prompt[0] == self.player_name:
            where = f"review #{self._review_prompt[1]}"
        elif self._interview_prompt is not None and self._interview_prompt[0] == self.player_name:
            where = f"interview {self._interview_prompt[1]}"
        return f"[{where}] {visible(self.player_name)}> "

    async def refresh_prompt(self) -> None:
        """Show the current player's running interview in the prompt (after a restart too)."""
        self._show_interview(await self.engine.current_interview(self.player))

    def _show_interview(self, step: InterviewStep | None) -> None:
        if isinstance(step, InterviewPrompt):
            where = f"{step.position}/{step.length}" + (" follow-up" if step.follow_up else "")
            self._interview_prompt = (self.player_name, where)
        else:
            self._interview_prompt = None

    async def handle(self, line: str) -> str | None:
        """Run one entry (a line, or the lines of a multi-line answer) and return its reply
        block (None for a blank line)."""
        await self.engine.close_due_rounds()
        # The review just shown takes the next line only, or the next lines while they are
        # blank or answers it refused as malformed.
        review, self._review_prompt = self._review_prompt, None
        answers_review = False
        try:
            if review is None and not line.lstrip().startswith("/") and line.strip():
                interview = await self.engine.current_interview(self.player)
                if interview is not None:
                    return await self._answer_interview(line)
            command = parse_line(line)
            if command is None:
                self._review_prompt = review
                return None
            if command.name == "answer" and review is not None and review[0] == self.player_name:
                answers_review = "round" not in command.options
                command = command.for_round(review[1])
            return await self._dispatch(command)
        except (AnswerRejectedError, InvalidOptionError) as exc:
            if answers_review:
                self._review_prompt = review
            return str(exc)
        except (CommandError, QuizError) as exc:
            return str(exc)

    async def _dispatch(self, command: Command) -> str:
        handler = getattr(self, f"_cmd_{command.name.replace('-', '_')}")
        result: str = await handler(command)
        return result

    async def _cmd_help(self, command: Command) -> str:
        return help_text()

    async def _cmd_quit(self, command: Command) -> str:
        return "Bye!"

    async def _cmd_quiz(self, command: Command) -> str:
        shown: list[str] = []

        async def show(card: QuestionCard) -> None:
            # the card is this command's own reply block: nothing a reveal could edit later
            shown.append(render.render_card(card, self.channel_name))

        card = await self.engine.post_round(
            self.channel,
            self.player,
            show,
            category=command.options.get("category"),
            difficulty=command.options.get("difficulty"),
            mode=command.options.get("mode"),
        )
        others = await self.engine.open_rounds(self.channel)
        notes = [render.also_open(other) for other in others if other.round_id != card.round_id]
        return "\n".join([*shown, *notes])

    async def _cmd_answer(self, command: Command) -> str:
        round_id = await self._target_round(command.options.get("round"))
        # a lone A-D is a choice: the engine's rule for text answers; a typed "\n" is a line
        # break (a terminal line cannot hold one), for outputs of several lines
        text = command.rest.replace("\\n", "\n")
        feedback = await self.engine.answer(self.player, round_id, text=text)
        self._answered[self.player_name] = round_id
        return render.render_feedback(feedback)

    async def _target_round(self, option: str | None) -> int:
        """The round an answer goes to: ``round:N``, else the channel's last posted question."""
        if option is not None:
            return _round_number(option)
        shown = await self.engine.open_rounds(self.channel)
        if not shown:
            raise CommandError(
                f"There is no open question in #{visible(self.channel_name)}; start one with /quiz."
            )
        return shown[0].round_id

    async def _cmd_close(self, command: Command) -> str:
        reveal = await self.engine.close_channel_round(self.channel)
        return render.render_reveal(reveal)

    async def _cmd_leaderboard(self, command: Command) -> str:
        period: str | None = None
        channel: str | None = None
        words: list[str] = []  # [period] [channel]: a bare channel name is the second word
        for word in command.args:
            if word.startswith("#") or word.casefold() == "here":
                if channel is not None:
                    raise CommandError(f"Usage: {COMMANDS['leaderboard'][0]}")
                channel = word[1:] if word.startswith("#") else self.channel_name
            else:
                words.append(word)
        if len(words) > 2 or (len(words) == 2 and channel is not None):
            raise CommandError(f"Usage: {COMMANDS['leaderboard'][0]}")
        if words:
            period = words[0]
        if len(words) == 2:
            channel = words[1]
        board = await self.engine.leaderboard(
            self.team,
            period=period,
            channel_id=channel,
            caller=self.player,
            season=command.options.get("season"),
        )
        return render.render_leaderboard(board, channel)

    async def _cmd_stats(self, command: Command) -> str:
        name = " ".join(command.args) or self.player_name
        target = Player(self.team, name.casefold(), name)
        if command.args and await self.engine.identities.find_player(target) is None:
            raise CommandError(f"There is no player named {visible(name[:MAX_NAME])} here.")
        return render.render_stats(await self.engine.stats(target))

    async def _cmd_review(self, command: Command) -> str:
        card = await self.engine.start_review(
            self.player,
            mode=command.options.get("mode"),
            category=command.options.get("category"),
        )
        self._review_prompt = (self.player_name, card.round_id)
        return render.render_card(card, self.channel_name)

    async def _cmd_interview(self, command: Command) -> str:
        action = command.args[0].casefold() if command.args else None
        if action == "history":
            return render.render_interview_history(await self.engine.interview_history(self.player))
        if action == "stop":
            card = await self.engine.stop_interview(self.player)
            self._show_interview(card)
            return render.render_scorecard(card)
        step = await self.engine.start_interview(
            self.player,
            length=command.options.get("length"),
            category=command.options.get("category"),
            difficulty=command.options.get("difficulty"),
        )
        return self._interview_step(step)

    async def _answer_interview(self, entry: str) -> str:
        """A plain line (or block) while an interview runs: its answer."""
        return self._interview_step(await self.engine.answer_interview(self.player, entry))

    def _interview_step(self, step: InterviewStep) -> str:
        self._show_interview(step)
        if isinstance(step, InterviewPrompt):
            return render.render_interview_prompt(step)
        return render.render_scorecard(step)

    def _answered_round(self, command: Command) -> int:
        option = command.options.get("round")
        if option is not None:
            return _round_number(option)
        if self.player_name not in self._answered:
            raise CommandError("Answer a question first (or give round:N).")
        return self._answered[self.player_name]

    async def _cmd_rate(self, command: Command) -> str:
        rated = await self.engine.rate_review(
            self.player, self._answered_round(command), command.rest
        )
        return render.render_rated(rated)

    async def _cmd_dispute(self, command: Command) -> str:
        filed = await self.engine.dispute(self.player, self._answered_round(command), command.rest)
        return render.render_report(filed)

    async def _cmd_report(self, command: Command) -> str:
        kind, _, note = command.rest.partition(" ")
        filed = await self.engine.report_question(
            self.player, self._answered_round(command), kind, note
        )
        return render.render_report(filed)

    async def _cmd_as(self, command: Command) -> str:
        self.player_name = valid_name(command.rest, "player")
        return f"You are now {visible(self.player_name)}."

    async def _cmd_channel(self, command: Command) -> str:
        self.channel_name = valid_channel(command.rest)
        return f"You are now in #{visible(self.channel_name)}."

    async def _cmd_quiz_admin(self, command: Command) -> str:
        return await admin_command(self.engine, self.channel, command)

    async def _cmd_team(self, command: Command) -> str:
        self.team = Team(PLATFORM, valid_name(command.rest, "team"))
        return f"You are now in team {visible(self.team.team_id)}."


def _round_number(option: str) -> int:
    if not option.isdigit() or len(option) > 18:
        raise CommandError(f"round must be a round number, not {option[:20]!r}.")
    return int(option)


async def run_console(
    session: ConsoleSession,
    *,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
    interactive: bool | None = None,
) -> int:
    """Read commands until end of input (or /quit) and print each reply block.

    Interactive (a terminal): a prompt, and a timer closing rounds on time. Otherwise each reply
    block is followed by a blank line, so scripts can split the output.
    """
    interactive = stdin.isatty() if interactive is None else interactive
    waiting_at: str | None = None  # the prompt the terminal waits at, while it waits

    def write(block: str) -> None:
        # A message arriving while the prompt waits (a round closing on its timer) goes on its
        # own lines, and the prompt is shown again under it.
        stdout.write(("\n" if waiting_at else "") + block + "\n\n")
        if waiting_at:
            stdout.write(waiting_at)
        stdout.flush()

    session.engine.register_outbox(PLATFORM, ConsoleOutbox(write))
    await session.refresh_prompt()
    if interactive:
        write("Quizbot console — type /help for commands, /quiz to start.")
    loop = asyncio.get_running_loop()

    async def read_line(prompt: str) -> str:
        nonlocal waiting_at
        if interactive:
            stdout.write(prompt)
            stdout.flush()
            waiting_at = prompt
        try:
            return await loop.run_in_executor(None, stdin.readline)
        finally:
            waiting_at = None

    while True:
        entry = await read_entry(
            lambda: read_line(session.prompt), lambda: read_line(CONTINUATION_PROMPT)
        )
        if not entry:
            return 0
        reply = await session.handle(entry)
        if reply is not None:
            write(reply)
        if interactive:
            await session.refresh_prompt()
        if entry.strip().casefold() == "/quit":
            return 0
