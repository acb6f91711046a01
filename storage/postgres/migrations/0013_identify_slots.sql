-- The identify lock of a sharded Discord bot: one row per bucket (shard_id % max_concurrency),
-- claimed with a conditional UPDATE before a shard identifies (storage/migrations/0013).

CREATE TABLE identify_slots (
    bucket      INTEGER PRIMARY KEY CHECK (bucket >= 0),
    held_until  DOUBLE PRECISION NOT NULL
);
