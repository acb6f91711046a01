"""Writing a file a user asked for: atomically, and never losing the file it replaces."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

__all__ = ["write_new_file"]


def _free_name(path: Path) -> Path:
    """``path``, or ``path.2``, ``path.3``…: the first that does not exist."""
    candidate, number = path, 1
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.name}.{number}")
    return candidate


def write_new_file(path: Path, text: str, *, replace: bool = False) -> Path | None:
    """Write ``text`` to ``path`` through a temporary file renamed into place.

    An existing ``path`` raises :class:`FileExistsError` unless ``replace``; then it is first
    copied to ``PATH.bak`` (``PATH.bak.2``… when that exists too), whose path is returned (None
    when there was nothing to keep).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    temporary = Path(name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        if not replace:
            os.link(temporary, path)  # fails if path exists, even if it appeared just now
            return None
        kept = None
        if path.exists():
            kept = _free_name(path.with_name(path.name + ".bak"))
            shutil.copy2(path, kept)
        os.replace(temporary, path)
        return kept
    finally:
        temporary.unlink(missing_ok=True)
