-- The daily question: one schedule per channel, one claimed slot per channel and scheduled date
-- (the UNIQUE constraint is what makes a post happen at most once across restarts and
-- replicas), and each player's daily streak per channel.

CREATE TABLE daily_schedules (
    id           INTEGER PRIMARY KEY,
    team_id      INTEGER NOT NULL REFERENCES teams (id),
    channel_id   TEXT NOT NULL,
    channel_name TEXT NOT NULL DEFAULT '',
    local_time   TEXT NOT NULL,              -- HH:MM in the schedule's timezone
    timezone     TEXT NOT NULL,              -- IANA name, e.g. Europe/Berlin
    days         TEXT NOT NULL,              -- as format_days writes it: 'daily', 'mon-fri', 'mon,wed'
    difficulty   TEXT,                       -- NULL = any
    close_time   TEXT,                       -- HH:MM; NULL = the round closes at the next slot
    enabled      INTEGER NOT NULL DEFAULT 1,
    paused       TEXT,                       -- why posting was paused (channel gone), or NULL
    updated_at   REAL NOT NULL,
    UNIQUE (team_id, channel_id)
);

CREATE TABLE daily_slots (
    id          INTEGER PRIMARY KEY,
    team_id     INTEGER NOT NULL REFERENCES teams (id),
    channel_id  TEXT NOT NULL,
    slot_date   TEXT NOT NULL,              -- the local date the slot belongs to (YYYY-MM-DD)
    slot_at     REAL NOT NULL,              -- the slot's instant (epoch seconds, UTC)
    state       TEXT NOT NULL CHECK (state IN ('claimed', 'posted', 'failed')),
    round_id    INTEGER REFERENCES rounds (id),
    claimed_at  REAL NOT NULL,
    posted_at   REAL,
    -- 'open' while the round runs; 'pending' once closed (streaks applied) until the platform
    -- accepted the reveal; 'done' after that. A pending reveal is retried, never lost.
    reveal      TEXT NOT NULL DEFAULT 'open' CHECK (reveal IN ('open', 'pending', 'done')),
    shown_count INTEGER NOT NULL DEFAULT 0,
    UNIQUE (team_id, channel_id, slot_date)
);
CREATE INDEX daily_slots_by_round ON daily_slots (round_id);
CREATE INDEX daily_slots_pending ON daily_slots (reveal) WHERE reveal != 'done';

CREATE TABLE daily_streaks (
    team_id    INTEGER NOT NULL,
    channel_id TEXT NOT NULL,
    player_id  INTEGER NOT NULL REFERENCES players (id),
    current    INTEGER NOT NULL DEFAULT 0,
    best       INTEGER NOT NULL DEFAULT 0,
    last_date  TEXT,                        -- the last scheduled date answered correctly
    PRIMARY KEY (team_id, channel_id, player_id)
) WITHOUT ROWID;
CREATE INDEX daily_streaks_by_player ON daily_streaks (player_id);
