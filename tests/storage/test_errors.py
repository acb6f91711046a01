"""One exception root per layer: StoreError for storage, QuizError for the engine; the tree is
documented in one place (docs/architecture.md, "Errors")."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

import bot.engine
import storage
from bot.engine.errors import QuizError
from storage.errors import StoreError

ROOT = Path(__file__).resolve().parents[2]


def _exceptions(package: object) -> list[type[BaseException]]:
    """Every exception class defined in the modules of ``package`` and its sub-packages."""
    found = []
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):  # type: ignore[attr-defined]
        module = importlib.import_module(info.name)
        found += [
            value
            for value in vars(module).values()
            if inspect.isclass(value)
            and issubclass(value, BaseException)
            and value.__module__ == module.__name__
        ]
    return found


def test_every_storage_error_derives_from_store_error() -> None:
    errors = _exceptions(storage)
    assert len(errors) >= 8
    assert [e.__qualname__ for e in errors if not issubclass(e, StoreError)] == []


def test_every_engine_error_derives_from_quiz_error() -> None:
    errors = _exceptions(bot.engine)
    assert len(errors) >= 8
    assert [e.__qualname__ for e in errors if not issubclass(e, QuizError)] == []


def test_the_errors_section_names_every_one() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    section = text[text.index("## Errors") :].split("\n## ", 1)[0]
    names = {e.__name__ for e in _exceptions(storage) + _exceptions(bot.engine)}
    assert [name for name in sorted(names) if name not in section] == []
