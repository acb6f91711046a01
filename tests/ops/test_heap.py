"""The collector tuning: the start-up heap frozen, the young generation allowed to grow."""

from __future__ import annotations

import gc

from bot.heap import YOUNG_THRESHOLD, tune_collector


def test_tuning_freezes_live_objects_and_raises_the_young_threshold() -> None:
    kept: list[list[int]] = [[n] for n in range(1000)]  # lists are tracked by the collector
    thresholds = gc.get_threshold()
    before = gc.get_freeze_count()
    try:
        frozen = tune_collector()
        assert frozen == gc.get_freeze_count() and frozen - before >= len(kept)
        scanned = {id(item) for generation in range(3) for item in gc.get_objects(generation)}
        assert not any(id(item) in scanned for item in kept)
        later = [0]
        assert any(item is later for item in gc.get_objects(0))  # new objects are still seen
        assert gc.get_threshold() == (YOUNG_THRESHOLD, thresholds[1], thresholds[2])
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)
    assert gc.get_freeze_count() == 0
