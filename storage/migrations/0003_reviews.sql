-- migrate: foreign-keys-off
-- Spaced repetition (FSRS), private review rounds, and grade disputes / question reports.
--
-- Review rounds live in `rounds` (kind 'review') so answering, once-per-player and scoring
-- stay one code path. SQLite cannot alter a CHECK constraint, so `rounds` is rebuilt with the
-- documented procedure: the runner turns foreign keys off for this script (the marker on the
-- first line), and runs PRAGMA foreign_key_check before committing.

CREATE TABLE rounds_new (
    id              INTEGER PRIMARY KEY,
    team_id         INTEGER NOT NULL REFERENCES teams (id),
    channel_id      TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('quiz', 'daily', 'review')),
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
INSERT INTO rounds_new (id, team_id, channel_id, kind, mode, question_id, category, difficulty,
    choice_order, opened_by, opened_at, closes_at, closed_at, message_channel, message_id)
SELECT id, team_id, channel_id, kind, mode, question_id, category, difficulty,
    choice_order, opened_by, opened_at, closes_at, closed_at, message_channel, message_id
FROM rounds;
DROP TABLE rounds;
ALTER TABLE rounds_new RENAME TO rounds;

CREATE UNIQUE INDEX rounds_one_open_quiz_per_channel
    ON rounds (team_id, channel_id) WHERE kind = 'quiz' AND closed_at IS NULL;
CREATE INDEX rounds_open_by_deadline ON rounds (closes_at) WHERE closed_at IS NULL;
CREATE INDEX rounds_by_channel ON rounds (team_id, channel_id, question_id);
-- A player's open review rounds (reused by /review until answered).
CREATE INDEX rounds_open_reviews ON rounds (opened_by) WHERE kind = 'review' AND closed_at IS NULL;

-- One FSRS card per player and question. `card` is fsrs' Card.to_json(); `due` and `state`
-- are copies of its fields for the due queue. The id is the card_id fsrs logs carry.
CREATE TABLE cards (
    id          INTEGER PRIMARY KEY,
    player_id   INTEGER NOT NULL REFERENCES players (id),
    question_id TEXT NOT NULL,
    category    TEXT NOT NULL,
    state       INTEGER NOT NULL,
    due         REAL NOT NULL,
    card        TEXT NOT NULL,
    reviews     INTEGER NOT NULL DEFAULT 0,
    last_log_id INTEGER,
    UNIQUE (player_id, question_id)
);
CREATE INDEX cards_due ON cards (player_id, due);

-- Every FSRS review: the rating used (after any self-assessment), the automatic one, and the
-- card before it (so a self-assessment can replay the review). Enough for an optimiser.
CREATE TABLE review_log (
    id           INTEGER PRIMARY KEY,
    card_id      INTEGER NOT NULL REFERENCES cards (id),
    answer_id    INTEGER NOT NULL UNIQUE REFERENCES answers (id),
    rating       INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
    auto_rating  INTEGER NOT NULL CHECK (auto_rating BETWEEN 1 AND 4),
    self_rated   INTEGER NOT NULL DEFAULT 0,
    reviewed_at  REAL NOT NULL,
    card_before  TEXT NOT NULL
);
CREATE INDEX review_log_by_card ON review_log (card_id, reviewed_at);

-- "Dispute grade" and "Report question", for pack authors; an admin resolves them.
CREATE TABLE reports (
    id          INTEGER PRIMARY KEY,
    team_id     INTEGER NOT NULL REFERENCES teams (id),
    player_id   INTEGER NOT NULL REFERENCES players (id),
    round_id    INTEGER NOT NULL REFERENCES rounds (id),
    question_id TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('dispute', 'typo', 'wrong', 'unclear')),
    note        TEXT NOT NULL DEFAULT '',
    answer      TEXT,
    grade       REAL,
    created_at  REAL NOT NULL,
    status      TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
    resolved_at REAL,
    UNIQUE (round_id, player_id, kind)
);
CREATE INDEX reports_by_status ON reports (status, created_at);
