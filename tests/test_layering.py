"""The house rule: the engine, questions and storage load no platform library."""

from __future__ import annotations

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
