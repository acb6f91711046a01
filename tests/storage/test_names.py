"""``team_id`` is the platform's id of a server or workspace (text); ``team_pk`` the database's
key of a team (an integer): in storage and in the engine, no name means the other."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MEANING = {"team_id": "str", "team_pk": "int", "player_pk": "int", "user_id": "str"}


def _annotated_names(tree: ast.AST) -> list[tuple[int, str, str]]:
    """(line, name, annotation) of every annotated parameter, variable and field."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.arg) and node.annotation is not None:
            found.append((node.lineno, node.arg, ast.unparse(node.annotation)))
        elif isinstance(node, ast.AnnAssign):
            target = node.target
            name = target.id if isinstance(target, ast.Name) else getattr(target, "attr", "")
            found.append((node.lineno, name, ast.unparse(node.annotation)))
    return found


def test_team_id_is_always_the_platforms_text_and_team_pk_the_database_key() -> None:
    files = [*(ROOT / "storage").glob("*.py"), *(ROOT / "bot" / "engine").glob("*.py")]
    checked = 0
    wrong = []
    for path in sorted(files):
        for line, name, annotation in _annotated_names(ast.parse(path.read_text("utf-8"))):
            expected = MEANING.get(name)
            if expected is None:
                continue
            checked += 1
            if annotation.removesuffix(" | None") != expected:
                wrong.append(f"{path.relative_to(ROOT)}:{line}: {name}: {annotation}")
    assert checked > 50  # the rule has something to hold
    assert wrong == []
