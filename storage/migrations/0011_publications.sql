-- The publication queue: everything the bot sends on its own (the daily post, reveals of quiz
-- and daily rounds, the daily question's live answer count) is an entry here, published by a
-- worker that claims it with a lease.
--
-- An entry names what to publish, not how it looks: the round (and, for a daily post, its
-- slot); the view is built from the database when it is published, so a reveal shows every
-- answer and a count edit the latest count.
--
-- A claim sets `lease_owner` / `lease_until`; while the lease holds nobody else publishes the
-- entry. A daily post sets `in_flight_at` before the platform is called: a later claim that
-- finds it set abandons the post (at most once) instead of posting it again.
-- `outcome` ends an entry: published, gone (the channel or the round is gone), given_up (every
-- attempt refused), abandoned (a daily post interrupted mid-flight, or a count edit whose round
-- closed first).
--
-- The reveals still pending in `quiz_reveals` and in `daily_slots` move here; both trackers go.

CREATE TABLE publications (
    id           INTEGER PRIMARY KEY,
    platform     TEXT NOT NULL,
    team_id      INTEGER NOT NULL REFERENCES teams (id),
    channel_id   TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('daily_post', 'reveal', 'count')),
    round_id     INTEGER NOT NULL REFERENCES rounds (id),
    slot_id      INTEGER REFERENCES daily_slots (id),
    attempts     INTEGER NOT NULL DEFAULT 0,    -- refused publications so far
    due_at       REAL NOT NULL,                 -- the next attempt (epoch seconds)
    lease_owner  TEXT,
    lease_until  REAL,
    in_flight_at REAL,                          -- a daily post: the platform was called
    created_at   REAL NOT NULL,
    done_at      REAL,
    outcome      TEXT CHECK (outcome IN ('published', 'gone', 'given_up', 'abandoned')),
    CHECK ((done_at IS NULL) = (outcome IS NULL)),
    CHECK ((kind = 'daily_post') = (slot_id IS NOT NULL))
);
CREATE INDEX publications_due ON publications (due_at, id) WHERE done_at IS NULL;
-- one pending entry of each kind per round: a second count edit waits for the first
CREATE UNIQUE INDEX publications_pending ON publications (round_id, kind) WHERE done_at IS NULL;

INSERT INTO publications (platform, team_id, channel_id, kind, round_id, attempts, due_at,
                          created_at)
SELECT t.platform, r.team_id, r.channel_id, 'reveal', r.id, q.attempts, q.retry_at, q.retry_at
FROM quiz_reveals q
JOIN rounds r ON r.id = q.round_id
JOIN teams t ON t.id = r.team_id
WHERE r.closed_at IS NOT NULL;

INSERT OR IGNORE INTO publications (platform, team_id, channel_id, kind, round_id, attempts,
                                    due_at, created_at)
SELECT t.platform, r.team_id, r.channel_id, 'reveal', r.id, d.reveal_attempts, r.closed_at,
       r.closed_at
FROM daily_slots d
JOIN rounds r ON r.id = d.round_id
JOIN teams t ON t.id = r.team_id
WHERE d.reveal = 'pending' AND d.state = 'posted' AND r.closed_at IS NOT NULL;

DROP TABLE quiz_reveals;
DROP INDEX daily_slots_pending;
ALTER TABLE daily_slots DROP COLUMN reveal;
ALTER TABLE daily_slots DROP COLUMN reveal_attempts;
