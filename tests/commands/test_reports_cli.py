"""``quizbot questions reports`` / ``resolve``: disputes and reports for pack authors."""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.cli import main
from bot.engine.engine import QuizEngine
from bot.engine.model import Channel, MessageRef, Player, Settlement, Team
from questions.loader import QuestionBank
from storage.store import Store
from tests.conftest import FakeClock


async def _file_reports(database: Path, bank: QuestionBank, clock: FakeClock) -> None:
    store = await Store.open(database)
    try:
        engine = QuizEngine(store, bank, clock=clock, rng=random.Random(2))
        alice = Player(Team("slack", "T1"), "U1", "alice")
        review = await engine.start_review(alice)
        await engine.answer(alice, review.round_id, text="my answer")
        await engine.dispute(alice, review.round_id, "I named the key point")
        await engine.report_question(alice, review.round_id, "typo", "teh")
    finally:
        await store.close()


Cli = Callable[..., tuple[int, str]]


@pytest.fixture
async def run(
    tmp_path: Path,
    bank: QuestionBank,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Cli:
    """``quizbot questions …`` on a database with a dispute and a typo report filed."""
    database = tmp_path / "q.db"
    await _file_reports(database, bank, clock)
    monkeypatch.setenv("QUIZBOT_DATABASE", str(database))
    monkeypatch.chdir(tmp_path)  # no stray .env

    def run(*argv: str) -> tuple[int, str]:
        code = main(["questions", *argv])
        return code, capsys.readouterr().out

    return run


async def test_reports_list_json_and_resolve(run: Cli) -> None:
    code, out = await _in_thread(run, "reports")
    assert code == 0
    assert "#1 [open] dispute" in out and "by alice (slack:T1)" in out and "#2 [open] typo" in out
    assert "note: I named the key point" in out and "answer: my answer" in out
    code, out = await _in_thread(run, "reports", "--json")
    rows = json.loads(out)
    assert [r["kind"] for r in rows] == ["dispute", "typo"] and rows[0]["grade"] == 0.0
    assert (await _in_thread(run, "resolve", "1"))[0] == 0
    assert (await _in_thread(run, "resolve", "1"))[0] == 1
    code, out = await _in_thread(run, "reports")
    assert "#1" not in out and "#2 [open]" in out
    code, out = await _in_thread(run, "reports", "--all")
    assert "#1 [resolved]" in out


async def _in_thread(run: object, *argv: str) -> tuple[int, str]:
    """The CLI calls asyncio.run, so it runs outside this test's event loop."""
    import asyncio

    assert callable(run)
    result: tuple[int, str] = await asyncio.to_thread(run, *argv)
    return result


async def test_reports_show_control_characters_escaped(
    tmp_path: Path,
    bank: QuestionBank,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    database = tmp_path / "q.db"
    store = await Store.open(database)
    try:
        engine = QuizEngine(store, bank, clock=clock, rng=random.Random(2))
        mallory = Player(Team("slack", "T1"), "U9", "m\x1b[2Jallory\x07")
        review = await engine.start_review(mallory)
        await engine.answer(mallory, review.round_id, text="an \x1b]0;title\x07 answer")
        await engine.dispute(mallory, review.round_id, "note \x9b31m red")
    finally:
        await store.close()
    monkeypatch.setenv("QUIZBOT_DATABASE", str(database))
    monkeypatch.chdir(tmp_path)

    def run(*argv: str) -> str:
        assert main(["questions", *argv]) == 0
        return capsys.readouterr().out

    for argv in (("reports",), ("reports", "--json")):
        out = await asyncio.to_thread(run, *argv)
        assert not [c for c in out if (ord(c) < 0x20 and c != "\n") or 0x7F <= ord(c) < 0xA0]
    text = await asyncio.to_thread(run, "reports")
    assert "m\\u001b[2Jallory\\u0007" in text and "note \\u009b31m red" in text


async def test_disputes_listed_and_settled_from_the_cli_the_bot_tells_later(
    run: Cli, tmp_path: Path, bank: QuestionBank, clock: FakeClock
) -> None:
    database = tmp_path / "q.db"
    code, out = await _in_thread(run, "disputes")
    assert code == 0
    assert "Grade dispute #1 · question #1 · grade 0% by alice" in out
    assert "reason: I named the key point" in out and "typo" not in out
    code, out = await _in_thread(run, "disputes", "--json")
    [row] = json.loads(out)
    assert (row["report_id"], row["answer"], row["grade"]) == (1, "my answer", 0.0)
    code, out = await _in_thread(run, "resolve", "1", "--grade", "1.2")
    assert code == 1 and "from 0 to 1" in out
    code, out = await _in_thread(run, "resolve", "2", "--grade", "1")
    assert code == 1 and "question report" in out
    code, out = await _in_thread(run, "resolve", "1", "--grade", "0.9", "--note", "fair point")
    assert code == 0
    assert out.strip() == (
        "Grade dispute #1 upheld: alice's grade is now 90% (0 → 18 pts). "
        "alice will be told privately."
    )
    code, out = await _in_thread(run, "resolve", "1", "--note", "again")
    assert code == 1 and "already settled" in out
    code, out = await _in_thread(run, "disputes")
    assert out.strip() == "No open grade disputes."

    store = await Store.open(database)  # the bot, running later, tells the player
    try:
        engine = QuizEngine(store, bank, clock=clock)
        told: list[tuple[Player, Settlement]] = []

        class SlackTeller:
            async def post(self, channel: Channel, view: object) -> MessageRef:
                raise AssertionError("nothing is posted")

            async def edit(self, ref: MessageRef, view: object) -> None:
                raise AssertionError("nothing is edited")

            async def tell(self, player: Player, settlement: Settlement) -> None:
                told.append((player, settlement))

        engine.register_outbox("slack", SlackTeller())
        assert await engine.disputes.tell_pending() == 1
        [(player, settlement)] = told
        assert (player.user_id, settlement.grade_after, settlement.note) == (
            "U1",
            0.9,
            "fair point",
        )
        assert await engine.disputes.tell_pending() == 0
    finally:
        await store.close()
