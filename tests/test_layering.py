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


# -- no import cycle ------------------------------------------------------------------------


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, modules: set[str]) -> set[str]:
    """The modules of ``modules`` that ``path`` imports anywhere (functions and
    ``TYPE_CHECKING`` blocks too); ``from package import module`` names only the module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = _module_name(path).rsplit(".", 1)[0] if path.name != "__init__.py" else None
    package = package if package is not None else _module_name(path)
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            named = {f"{base}.{alias.name}" for alias in node.names}
            found.update(name for name in named if name in modules)
            if not named <= modules:  # names defined in the module (or package) itself
                found.add(base)
    return {name for name in found if name in modules}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (or a module importing itself)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in sorted(graph[module]):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group: list[str] = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1 or module in graph[module]:
                groups.append(sorted(group))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return groups


def test_no_import_cycle_in_bot() -> None:
    paths = sorted((ROOT / "bot").rglob("*.py"))
    modules = {_module_name(path) for path in paths}
    graph = {_module_name(path): _imports(path, modules) - {_module_name(path)} for path in paths}
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]
