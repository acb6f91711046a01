"""A compact text progress bar, shared by the adapters' ``/stats`` renderings."""

from __future__ import annotations

__all__ = ["progress_bar"]


def progress_bar(fraction: float, width: int = 10) -> str:
    """``fraction`` (0..1) as ``width`` cells, e.g. ``▰▰▰▰▰▰▱▱▱▱`` for 0.6."""
    filled = round(min(max(fraction, 0.0), 1.0) * width)
    return "▰" * filled + "▱" * (width - filled)
