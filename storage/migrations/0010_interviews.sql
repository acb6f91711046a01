-- Mock interviews: one row per session, one per question asked (with its follow-up).
--
-- A player has at most one running interview (ended_at IS NULL): a partial UNIQUE index.
-- A question row is waiting for its answer while answered_at IS NULL, for its follow-up's
-- answer while follow_up_point IS NOT NULL AND follow_up_answered_at IS NULL, and is done once
-- final_grade is set. Key-point labels are stored as JSON arrays.

CREATE TABLE interviews (
    id               INTEGER PRIMARY KEY,
    team_id          INTEGER NOT NULL REFERENCES teams (id),
    player_id        INTEGER NOT NULL REFERENCES players (id),
    length           INTEGER NOT NULL CHECK (length > 0),
    categories       TEXT NOT NULL,
    start_level      TEXT NOT NULL CHECK (start_level IN ('easy', 'medium', 'hard')),
    question_seconds INTEGER NOT NULL CHECK (question_seconds > 0),
    started_at       REAL NOT NULL,
    ended_at         REAL,
    end_reason       TEXT CHECK (end_reason IN ('finished', 'stopped', 'expired')),
    score            REAL
);
CREATE UNIQUE INDEX interviews_one_running ON interviews (player_id) WHERE ended_at IS NULL;
CREATE INDEX interviews_by_player ON interviews (player_id, started_at);

CREATE TABLE interview_answers (
    id                    INTEGER PRIMARY KEY,
    interview_id          INTEGER NOT NULL REFERENCES interviews (id),
    position              INTEGER NOT NULL CHECK (position > 0),
    question_id           TEXT NOT NULL,
    category              TEXT NOT NULL,
    difficulty            TEXT NOT NULL,
    asked_at              REAL NOT NULL,
    answer                TEXT,
    answered_at           REAL,
    grade                 REAL,
    covered               TEXT NOT NULL DEFAULT '[]',
    missed                TEXT NOT NULL DEFAULT '[]',
    follow_up_point       TEXT,
    follow_up_answer      TEXT,
    follow_up_answered_at REAL,
    follow_up_credit      REAL,
    final_grade           REAL,
    judge_note            TEXT,  -- the optional judge's one line on the answer
    UNIQUE (interview_id, position)
);
