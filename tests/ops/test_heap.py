"""Freezing the start-up heap keeps full collections off the objects alive at start."""

from __future__ import annotations

import gc

from bot.heap import freeze_startup_heap


def test_freeze_moves_live_objects_out_of_the_collectors_view() -> None:
    kept: list[list[int]] = [[n] for n in range(1000)]  # lists are tracked by the collector
    try:
        frozen = freeze_startup_heap()
        assert frozen == gc.get_freeze_count() >= len(kept)
        scanned = {id(item) for generation in range(3) for item in gc.get_objects(generation)}
        assert not any(id(item) in scanned for item in kept)
        later = [0]
        assert any(item is later for item in gc.get_objects(0))  # new objects are still seen
    finally:
        gc.unfreeze()
    assert gc.get_freeze_count() == 0
