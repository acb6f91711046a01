"""``quizbot questions schema | new | import``: writing packs.

* ``schema`` -- the pack format, field by field, generated from the pydantic models.
* ``new [--type concept|output] [--category C] [-o FILE]`` -- a commented template pack holding
  one worked example question (stdout, or a new FILE: an existing one is refused).
* ``import FILE.csv|FILE.md [-o PACK.yaml] [--force]`` -- choice-only questions from a
  spreadsheet or a Markdown list (formats: :mod:`questions.importing`; ids never reuse a
  built-in one), validated and written
  atomically (default: ``FILE.yaml`` beside the input). Each refused row is reported with its
  line number; an existing pack is replaced only with ``--force``, and kept as ``PACK.yaml.bak``.

Exit codes: 0 done, 1 nothing written or rows refused, 2 bad arguments.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from bot.commands.files import write_new_file
from bot.commands.groups import Subparsers, fail
from questions.importing import ImportProblem, import_file, pack_text
from questions.loader import load_bank
from questions.schema import SLUG_PATTERN, QuestionType
from questions.schema_doc import schema_reference
from questions.template import pack_template

__all__ = ["add_authoring"]

_SLUG = re.compile(SLUG_PATTERN)
_TYPES: tuple[QuestionType, ...] = ("concept", "output")


def _schema(args: argparse.Namespace) -> int:
    print(schema_reference())
    return 0


def _write(path: Path, text: str, *, replace: bool, hint: str) -> bool:
    """Write ``path``; False after a one-line message when it cannot be written."""
    try:
        kept = write_new_file(path, text, replace=replace)
    except FileExistsError:
        fail(f"{path} already exists; {hint}")
        return False
    except OSError as exc:
        fail(f"cannot write {path}: {exc.strerror or exc}")
        return False
    if kept is not None:
        print(f"the previous {path.name} is kept as {kept}", file=sys.stderr)
    return True


def _new(args: argparse.Namespace) -> int:
    if not _SLUG.match(args.category):
        fail(f"category {args.category!r} must be kebab-case (e.g. web-apis)")
        return 2
    template = pack_template(args.type, args.category)
    if args.output is None:
        sys.stdout.write(template)
        return 0
    if not _write(args.output, template, replace=False, hint="choose another file"):
        return 1
    print(f"wrote {args.output}: fill it in, then run 'quizbot questions validate'")
    return 0


def _import(args: argparse.Namespace) -> int:
    source: Path = args.file
    target: Path = args.output or source.with_suffix(".yaml")
    if target.resolve() == source.resolve():
        return fail(f"{target} is the input file; choose another with -o")
    try:
        builtin = {question.id for question in load_bank()}
        imported = import_file(source, taken=builtin)
    except ImportProblem as exc:
        return fail(exc)
    for refused in imported.refused:
        print(f"{source}:{refused.line}: refused: {refused.reason}")
    if imported.pack is None:
        return fail(f"nothing to import from {source}: no row was accepted")
    text = pack_text(imported.pack)
    hint = "choose another file with -o, or use --force"
    if not _write(target, text, replace=args.force, hint=hint):
        return 1
    count = len(imported.pack.questions)
    print(f"wrote {target}: {count} questions, {len(imported.refused)} rows refused")
    return 1 if imported.refused else 0


def add_authoring(sub: Subparsers) -> None:
    """Add ``schema``, ``new`` and ``import`` to the ``questions`` group."""
    schema = sub.add_parser("schema", help="the pack format, field by field")
    schema.set_defaults(func=_schema)

    new = sub.add_parser("new", help="a commented template pack to fill in")
    new.add_argument("--type", choices=_TYPES, default="concept", help="question type")
    new.add_argument("--category", metavar="C", default="my-topic", help="the pack's category")
    new.add_argument(
        "-o", "--output", metavar="FILE", type=Path, help="write FILE (refused if it exists)"
    )
    new.set_defaults(func=_new)

    importing = sub.add_parser(
        "import", help="choice-only questions from a CSV or Markdown file, as a pack"
    )
    importing.add_argument("file", metavar="FILE", type=Path, help="a .csv or .md file")
    importing.add_argument(
        "-o", "--output", metavar="PACK", type=Path, help="the pack to write (default: FILE.yaml)"
    )
    importing.add_argument("--force", action="store_true", help="replace PACK (kept as PACK.bak)")
    importing.set_defaults(func=_import)
