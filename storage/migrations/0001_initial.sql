-- Teams, players, rounds, answers and the per-period score table behind leaderboards.

CREATE TABLE teams (
    id          INTEGER PRIMARY KEY,
    platform    TEXT NOT NULL,
    external_id TEXT NOT NULL,
    UNIQUE (platform, external_id)
);

CREATE TABLE players (
    id           INTEGER PRIMARY KEY,
    team_id      INTEGER NOT NULL REFERENCES teams (id),
    external_id  TEXT NOT NULL,
    display_name TEXT NOT NULL,
    UNIQUE (team_id, external_id)
);

CREATE TABLE rounds (
    id              INTEGER PRIMARY KEY,
    team_id         INTEGER NOT NULL REFERENCES teams (id),
    channel_id      TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('quiz', 'daily')),
    mode            TEXT NOT NULL CHECK (mode IN ('choice', 'open')),
    question_id     TEXT NOT NULL,
    category        TEXT NOT NULL,
    difficulty      TEXT NOT NULL,
    choice_order    TEXT NOT NULL,
    opened_by       INTEGER REFERENCES players (id),
    opened_at       REAL NOT NULL,
    closes_at       REAL NOT NULL,
    closed_at       REAL,
    message_channel TEXT,
    message_id      TEXT
);

-- At most one open quiz round per channel, enforced by the database.
CREATE UNIQUE INDEX rounds_one_open_quiz_per_channel
    ON rounds (team_id, channel_id) WHERE kind = 'quiz' AND closed_at IS NULL;
CREATE INDEX rounds_open_by_deadline ON rounds (closes_at) WHERE closed_at IS NULL;
CREATE INDEX rounds_by_channel ON rounds (team_id, channel_id, question_id);

CREATE TABLE answers (
    id          INTEGER PRIMARY KEY,
    round_id    INTEGER NOT NULL REFERENCES rounds (id),
    player_id   INTEGER NOT NULL REFERENCES players (id),
    choice      INTEGER,
    text        TEXT,
    grade       REAL NOT NULL,
    correct     INTEGER NOT NULL,
    points      INTEGER NOT NULL,
    answered_at REAL NOT NULL,
    UNIQUE (round_id, player_id)
);
CREATE INDEX answers_by_player ON answers (player_id);

-- Running totals per player, period ('all', 'w2026-48', 'm2026-11') and channel ('' = all
-- channels), updated in the same transaction as the answer, so a leaderboard is an index scan.
CREATE TABLE scores (
    team_id    INTEGER NOT NULL,
    period     TEXT NOT NULL,
    channel_id TEXT NOT NULL,
    player_id  INTEGER NOT NULL REFERENCES players (id),
    points     INTEGER NOT NULL,
    answers    INTEGER NOT NULL,
    correct    INTEGER NOT NULL,
    PRIMARY KEY (team_id, period, channel_id, player_id)
) WITHOUT ROWID;
CREATE INDEX scores_ranking ON scores (team_id, period, channel_id, points DESC);
