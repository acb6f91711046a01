"""A board read at once (``score_board``: best rows, a player's rank, the player count, summed
from ``score_levels``) against the same figures counted straight from the ``scores`` rows, on
both backends: after answers, a season's end, a corrected total and a player's scores deleted.
"""

from __future__ import annotations

from storage.postgres.store import PostgresStore
from storage.records import ScoreBoard, ScoreRow
from tests.backends.conftest import Backend
from tests.backends.support import PERIODS, answer, open_round

SCOPES = ("", "c1", "c2")
USERS = ("u0", "u1", "u2", "u3", "u4", "u5", "u6", "u7")


async def _rows(backend: Backend, sql: str, *params: object) -> list[tuple[object, ...]]:
    """The rows of ``sql`` (``?`` placeholders) on either backend."""
    store = backend.store
    if isinstance(store, PostgresStore):
        for number in range(1, len(params) + 1):
            sql = sql.replace("?", f"${number}", 1)
        return [tuple(row) for row in await store.fetchall(sql, *params)]
    return [tuple(row) for row in await store.fetchall(sql, params)]


async def _write(backend: Backend, sql: str, *params: object) -> None:
    """Run the write ``sql`` (``?`` placeholders) in a transaction of either backend."""
    store = backend.store
    if isinstance(store, PostgresStore):
        for number in range(1, len(params) + 1):
            sql = sql.replace("?", f"${number}", 1)
        async with store.transaction() as conn:
            await conn.execute(sql, *params)
        return
    async with store.transaction() as lite:
        await lite.execute(sql, params)


async def _counted(
    backend: Backend, team: int, period: str, scope: str
) -> tuple[list[ScoreRow], dict[str, tuple[ScoreRow, int]]]:
    """The board counted from ``scores`` alone: every row, best first, and each player's row
    with its competition rank (1 + the players with more points)."""
    found = await _rows(
        backend,
        "SELECT s.player_id, p.external_id, p.display_name, s.points, s.answers, s.correct "
        "FROM scores s JOIN players p ON p.id = s.player_id "
        "WHERE s.team_id = ? AND s.period = ? AND s.channel_id = ?",
        team,
        period,
        scope,
    )
    rows = [ScoreRow(int(a), str(b), str(c), int(d), int(e), int(f)) for a, b, c, d, e, f in found]
    rows.sort(key=lambda row: (-row.points, row.player_pk))
    ranks = {
        row.user_id: (row, 1 + sum(other.points > row.points for other in rows)) for row in rows
    }
    return rows, ranks


async def _assert_boards_match_the_scores(
    backend: Backend, team: int, periods: tuple[str, ...]
) -> None:
    """Every board of ``periods`` and :data:`SCOPES`, read for each player, for a stranger and
    for no one, equals what counting the ``scores`` rows gives."""
    store = backend.store
    for period in periods:
        for scope in SCOPES:
            rows, ranks = await _counted(backend, team, period, scope)
            for user in (*USERS, "stranger", None):
                board = await store.score_board(team, period, scope, 21, user)
                expected = ranks.get(user) if user is not None else None
                assert board == ScoreBoard(tuple(rows[:21]), expected, len(rows)), (
                    period,
                    scope,
                    user,
                )
            short = await store.score_board(team, period, scope, 3, None)
            assert short.top == tuple(rows[:3]) and short.players == len(rows)


async def _play(backend: Backend, team: int, at: float = 110.0) -> list[int]:
    """Eight players answering three rounds in two channels, with ties and a zero."""
    store = backend.store
    players = [await store.player_pk(team, user, f"Player {user}") for user in USERS]
    points = ((30, 30, 10, 0, 25, 30, 5, 10), (10, 20, 20, 40, 0, 10, 15, 5), (5, 0, 35, 5, 5))
    for index, per_player in enumerate(points):
        record = await open_round(
            store, team, "c1" if index < 2 else "c2", question=f"q{index}", closes_at=at + 50
        )
        for player, gained in zip(players, per_player, strict=False):
            await answer(store, record, player, gained, correct=gained > 0, at=at)
        await store.publications.close_round(record.id, at + 1, reveal=False)
    return players


async def test_a_board_read_at_once_matches_counting_the_scores(backend: Backend) -> None:
    store = backend.store
    team = await store.team_pk("discord", "G1")
    other = await store.team_pk("discord", "G2")
    empty = await store.score_board(team, "all", "", 21, "u0")
    assert empty == ScoreBoard((), None, 0)
    await _play(backend, team)
    await _play(backend, other)  # another team's answers count on its own boards only
    await _assert_boards_match_the_scores(backend, team, (*PERIODS, "season:1"))
    tied = [await store.score_board(team, "all", "", 21, user) for user in ("u0", "u3")]
    assert [board.mine[0].points for board in tied if board.mine] == [45, 45]
    assert [board.mine[1] for board in tied if board.mine] == [3, 3]  # behind 65 and 50


async def test_boards_stay_right_across_a_seasons_end(backend: Backend) -> None:
    store, seasons = backend.store, backend.seasons
    team = await store.team_pk("slack", "T1")
    await _play(backend, team)
    ended = await store.score_board(team, "season:1", "", 21, "u2")
    assert await seasons.end(team, "Spring", 500.0) == "season:1"
    record = await open_round(store, team, "c1", question="q9", closes_at=600.0)
    late = await store.player_pk(team, "u7", "Player u7")
    await answer(store, record, late, 50, at=520.0)
    assert await store.score_board(team, "season:1", "", 21, "u2") == ended
    running = await store.score_board(team, "season:2", "", 21, "u7")
    assert running.players == 1 and running.mine is not None and running.mine[1] == 1
    assert await store.score_board(team, "season:2", "", 21, "u2") == ScoreBoard(
        running.top, None, 1
    )
    await _assert_boards_match_the_scores(backend, team, ("all", "season:1", "season:2"))


async def test_boards_stay_right_after_a_correction_and_a_players_scores_deleted(
    backend: Backend,
) -> None:
    store = backend.store
    team = await store.team_pk("console", "local")
    players = await _play(backend, team)
    await _write(
        backend,
        "UPDATE scores SET points = points + ? WHERE team_id = ? AND player_id = ?",
        45,
        team,
        players[6],
    )
    await _assert_boards_match_the_scores(backend, team, (*PERIODS, "season:1"))
    before = await store.score_board(team, "all", "", 21, None)
    await _write(backend, "DELETE FROM scores WHERE player_id = ?", players[0])
    after = await store.score_board(team, "all", "", 21, USERS[0])
    assert after.mine is None and after.players == before.players - 1
    assert players[0] not in [row.player_pk for row in after.top]
    await _assert_boards_match_the_scores(backend, team, (*PERIODS, "season:1"))
