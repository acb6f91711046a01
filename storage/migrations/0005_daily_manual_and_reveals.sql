-- The daily question, continued: slots posted by hand, bounded reveal retries, and pending
-- reveals of quiz rounds.
--
-- `manual` marks a slot posted by `/quiz-admin daily now` (its key is `date@HH:MM:SS`): a trial
-- round that never counts as a scheduled day, so it neither continues nor ends a streak.
-- `reveal_attempts` counts the sweeps whose reveal the platform refused; after a few the reveal is
-- given up (logged) so one that can never succeed does not come back forever.
-- `quiz_reveals` holds the quiz rounds closed by the timer whose reveal the platform refused: the
-- round timer retries each one a bounded number of times, with backoff.

ALTER TABLE daily_slots ADD COLUMN manual INTEGER NOT NULL DEFAULT 0;
ALTER TABLE daily_slots ADD COLUMN reveal_attempts INTEGER NOT NULL DEFAULT 0;
UPDATE daily_slots SET manual = 1 WHERE slot_date LIKE '%@%';

CREATE TABLE quiz_reveals (
    round_id INTEGER PRIMARY KEY REFERENCES rounds (id),
    attempts INTEGER NOT NULL DEFAULT 1,    -- failed publications so far
    retry_at REAL NOT NULL                  -- when the round timer tries again (epoch seconds)
);
