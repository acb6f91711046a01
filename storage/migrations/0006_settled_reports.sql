-- Disputes and question reports settled by an admin, with the player told of the outcome.
--
-- `outcome` says how a report was settled: a dispute 'upheld' (its grade corrected) or
-- 'rejected' (the grade stands), a question report 'resolved'. Reports resolved before this
-- script keep `outcome` NULL: nobody is told of them afterwards (`notified_at` is backfilled).
-- A corrected grade never overwrites the record: `grade_corrections` keeps the grade and
-- points before and after, beside the answer row that now holds the corrected ones.

ALTER TABLE reports ADD COLUMN outcome TEXT CHECK (outcome IN ('upheld', 'rejected', 'resolved'));
ALTER TABLE reports ADD COLUMN resolution_note TEXT NOT NULL DEFAULT '';
ALTER TABLE reports ADD COLUMN notified_at REAL;
ALTER TABLE reports ADD COLUMN notify_attempts INTEGER NOT NULL DEFAULT 0;

UPDATE reports SET notified_at = resolved_at WHERE status = 'resolved';

-- Settled reports whose player has not been told yet (the delivery sweep reads these).
CREATE INDEX reports_to_notify ON reports (id) WHERE outcome IS NOT NULL AND notified_at IS NULL;

CREATE TABLE grade_corrections (
    id            INTEGER PRIMARY KEY,
    answer_id     INTEGER NOT NULL REFERENCES answers (id),
    report_id     INTEGER NOT NULL UNIQUE REFERENCES reports (id),
    grade_before  REAL NOT NULL,
    grade_after   REAL NOT NULL,
    points_before INTEGER NOT NULL,
    points_after  INTEGER NOT NULL,
    corrected_at  REAL NOT NULL
);
CREATE INDEX grade_corrections_by_answer ON grade_corrections (answer_id);
