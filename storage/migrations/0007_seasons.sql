-- Seasons: a team's leaderboard of the current season, and the final standings of the ended ones.
--
-- Each season's board is the `scores` rows of its own period key ('season:1', 'season:2', …),
-- written by every answer in the same transaction as the week, month and all-time rows. Ending
-- a season names it, stamps `ended_at` and opens the next key: the ended rows are never written
-- again, so they are the archived final standings. A team without a row here is in 'season:1'.

CREATE TABLE seasons (
    id         INTEGER PRIMARY KEY,
    team_id    INTEGER NOT NULL REFERENCES teams (id),
    period     TEXT NOT NULL,
    name       TEXT,
    started_at REAL NOT NULL,
    ended_at   REAL,
    UNIQUE (team_id, period),
    UNIQUE (team_id, name)
);
CREATE UNIQUE INDEX seasons_current ON seasons (team_id) WHERE ended_at IS NULL;

-- Every team so far is in its first season, which holds every answer given until now.
INSERT INTO seasons (team_id, period, started_at)
SELECT t.id, 'season:1', COALESCE(
    (SELECT MIN(a.answered_at) FROM answers a JOIN rounds r ON r.id = a.round_id
     WHERE r.team_id = t.id), 0)
FROM teams t;
INSERT INTO scores (team_id, period, channel_id, player_id, points, answers, correct)
SELECT team_id, 'season:1', channel_id, player_id, points, answers, correct
FROM scores WHERE period = 'all';
