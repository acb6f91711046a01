"""The fan-out benchmark's run, small: every channel revealed and posted exactly once through
the daily service, the publication worker and the real outboxes; bad options refused."""

from __future__ import annotations

import pytest

from benchmarks import fanout


def test_a_small_fanout_posts_every_channel_exactly_once() -> None:
    result = fanout._measure_here(24, 20.0)  # limits twenty times faster: a short run
    assert result["channels"] == 24
    assert result["posted_once"] == 1.0
    # each channel: yesterday's reveal (an edit) and today's question (a post)
    assert result["requests"] == {"discord": 24, "slack": 24}
    assert result["time_scale"] == 20.0
    assert set(result["ratio_by_platform"]) == {"discord", "slack"}


@pytest.mark.parametrize(
    ("option", "value"), [("--channels", "0"), ("--channels", "ten"), ("--time-scale", "-1")]
)
def test_bad_options_are_refused_with_a_message(
    option: str, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as refused:
        fanout.main([option, value])
    assert refused.value.code == 2
    assert option in capsys.readouterr().err
