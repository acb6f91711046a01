-- The weekly digest: the daily channels that opted in, and each digest claimed (once per
-- channel and ISO week, before it is posted: a crash never posts it twice).

CREATE TABLE digest_channels (
    team_id    INTEGER NOT NULL REFERENCES teams (id),
    channel_id TEXT NOT NULL,
    PRIMARY KEY (team_id, channel_id)
) WITHOUT ROWID;

CREATE TABLE digests (
    team_id    INTEGER NOT NULL REFERENCES teams (id),
    channel_id TEXT NOT NULL,
    week       TEXT NOT NULL,
    claimed_at REAL NOT NULL,
    posted_at  REAL,
    PRIMARY KEY (team_id, channel_id, week)
) WITHOUT ROWID;
