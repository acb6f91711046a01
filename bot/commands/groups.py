"""What every ``quizbot`` sub-command group shares: the sub-parser type and group set-up."""

from __future__ import annotations

import argparse
import sys
from typing import Any, TypeAlias

__all__ = ["Subparsers", "add_group", "fail"]

Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def add_group(
    subparsers: Subparsers, name: str, *, help: str, title: str, metavar: str, **extra: Any
) -> Subparsers:
    """Add the command group ``name`` (printing its usage when run bare); its sub-commands."""
    parser = subparsers.add_parser(name, help=help, **extra)

    def show_usage(args: argparse.Namespace) -> int:
        parser.print_help(sys.stderr)
        return 2

    parser.set_defaults(func=show_usage)
    return parser.add_subparsers(title=title, metavar=metavar)


def fail(problem: object) -> int:
    """Print ``quizbot: error: <problem>`` to stderr; the exit status of a failed command."""
    print(f"quizbot: error: {problem}", file=sys.stderr)
    return 1
