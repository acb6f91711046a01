"""The console's modules import one another without a cycle (type-checking imports too)."""

from __future__ import annotations

import ast
from pathlib import Path

import bot.adapters.console

PACKAGE = "bot.adapters.console"
FOLDER = Path(bot.adapters.console.__file__).parent


def console_imports(path: Path) -> set[str]:
    """The console modules ``path`` imports, wherever the import statement stands."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module is not None:
            if node.module == PACKAGE:
                found |= {f"{PACKAGE}.{alias.name}" for alias in node.names}
            elif node.module.startswith(PACKAGE + "."):
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith(PACKAGE + ".")}
    return found


def test_console_modules_form_no_import_cycle() -> None:
    modules = {f"{PACKAGE}.{p.stem}": p for p in FOLDER.glob("*.py") if p.stem != "__init__"}
    graph = {name: console_imports(path) & set(modules) for name, path in modules.items()}
    assert graph[f"{PACKAGE}.adapter"]  # the graph is read: the session imports its parts

    def reaches(start: str, target: str, seen: set[str]) -> bool:
        for following in graph[start]:
            if following == target or (
                following not in seen and reaches(following, target, seen | {following})
            ):
                return True
        return False

    cycles = [name for name in graph if reaches(name, name, {name})]
    assert cycles == []
