"""``quizbot`` sub-commands. With no sub-command, ``quizbot`` runs the bot."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence

from bot import __version__, event_loop
from bot.commands.groups import Subparsers
from bot.config import ConfigError, Settings, load_settings
from bot.logging_setup import configure_from_settings, redact
from questions.loader import PackError
from storage.store import StoreError

__all__ = ["build_parser", "main"]

Register = Callable[[Subparsers], None]

# Sub-command groups; each module has ``register(subparsers)``.
_PLUGINS = (
    "bot.commands.questions",
    "bot.commands.discord",
    "bot.commands.health",
    "bot.commands.doctor",
    "bot.commands.db",
    "bot.commands.export",
)


def _run(args: argparse.Namespace) -> int:
    from bot.app import run

    settings = _settings(console=None)
    return event_loop.run(run(settings), settings.quizbot_event_loop)


def _console(args: argparse.Namespace) -> int:
    from bot.adapters.console.commands import CommandError
    from bot.adapters.console.names import valid_channel, valid_name
    from bot.app import run_console_app

    try:  # the rules of /as and /channel, before anything is opened
        player, channel = valid_name(args.player, "player"), valid_channel(args.channel)
    except CommandError as exc:
        print(f"quizbot: error: {exc}", file=sys.stderr)
        return 2
    settings = _settings(console=True)
    return event_loop.run(
        run_console_app(settings, seed=args.seed, player=player, channel=channel),
        settings.quizbot_event_loop,
    )


def _settings(*, console: bool | None) -> Settings:
    """The settings, with logging configured; ``console=None``: the console runs when no
    platform is configured."""
    settings = load_settings(postgres=True)  # the bot runs on SQLite or PostgreSQL
    if console is None:
        console = not (settings.discord_enabled or settings.slack_enabled)
    configure_from_settings(settings, console=console)
    return settings


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every sub-command."""
    parser = argparse.ArgumentParser(
        prog="quizbot",
        description="Quizbot: interview-practice quizzes for Discord, Slack and the terminal. "
        "Without a sub-command, runs every adapter whose credentials are set "
        "(the console when none are).",
    )
    parser.add_argument("--version", action="version", version=f"quizbot {__version__}")
    parser.set_defaults(func=_run)
    sub = parser.add_subparsers(title="sub-commands", metavar="COMMAND")

    run = sub.add_parser("run", help="run the bot (same as no sub-command)")
    run.set_defaults(func=_run)

    console = sub.add_parser("console", help="chat with Quizbot in this terminal")
    console.add_argument(
        "--seed", type=int, default=None, help="seed for repeatable question draws"
    )
    console.add_argument("--as", dest="player", default="you", metavar="NAME", help="player name")
    console.add_argument("--channel", default="general", metavar="NAME", help="channel name")
    console.set_defaults(func=_console)

    for register in _plugins():
        register(sub)
    return parser


def _plugins() -> list[Register]:
    """The ``register`` function of every sub-command group."""
    return [importlib.import_module(name).register for name in _PLUGINS]


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``quizbot`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
        sys.stdout.flush()  # here, so a closed pipe is seen now rather than at exit
    except (ConfigError, StoreError, PackError) as exc:
        print(f"quizbot: error: {redact(str(exc))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader went away (`quizbot db info | head -1`): stop quietly
        _discard_stdout()
        return 1
    return code


def _discard_stdout() -> None:
    """Point standard output at /dev/null, so the flush at exit cannot fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
