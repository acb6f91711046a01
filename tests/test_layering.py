"""The house rule: the engine, questions and storage load no platform library."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_engine_questions_and_storage_import_no_platform_library() -> None:
    code = (
        "import sys, bot.engine.engine, bot.engine.grading, bot.app, questions, storage.store\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('discord', 'slack_bolt', 'slack_sdk'))\n"
        "print(','.join(loaded))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert result.stdout.strip() == ""


PLATFORM_IMPORT = re.compile(r"^\s*(import|from)\s+(discord|slack_bolt|slack_sdk)\b")


def test_only_adapters_import_platform_libraries() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}: {line.strip()}"
        for package in ("bot", "questions", "storage")
        for path in (ROOT / package).rglob("*.py")
        if "adapters" not in path.relative_to(ROOT).parts
        for line in path.read_text(encoding="utf-8").splitlines()
        if PLATFORM_IMPORT.match(line)
    ]
    assert offenders == []


# -- storage behind one interface ------------------------------------------------------------

LOW_LEVEL_STORAGE = ("storage.database", "aiosqlite", "sqlite3")


def _storage_classes() -> set[str]:
    """The names of the classes that open or wrap a database: the store and its sub-stores."""
    names: set[str] = set()
    for path in (ROOT / "storage").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names |= {
            node.name
            for node in ast.walk(tree)
            if isinstance(node, ast.ClassDef)
            and node.name.endswith(("Store", "Queries", "Database"))
        }
    return names


def test_the_engine_reaches_storage_only_through_the_store() -> None:
    """No engine module imports the connection layer (storage.database, aiosqlite, sqlite3),
    even for type hints, or builds a store of its own: it uses ``core.store`` and its
    sub-stores (``core.store.reviews``, ...)."""
    stores = _storage_classes()
    assert {"Store", "ReviewStore", "DailyStore", "Database"} <= stores
    offenders = []
    for path in sorted((ROOT / "bot" / "engine").rglob("*.py")):
        where = path.relative_to(ROOT)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                modules = [node.module or ""]
            else:
                modules = []
            offenders += [
                f"{where}:{node.lineno}: imports {module}"
                for module in modules
                if module.startswith(LOW_LEVEL_STORAGE)
            ]
            if isinstance(node, ast.Call):
                func = node.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
                if name in stores:
                    offenders.append(f"{where}:{node.lineno}: builds {name}")
    assert offenders == []
