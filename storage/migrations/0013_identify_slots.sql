-- Discord's gateway allows max_concurrency identifies per 5 seconds, one per bucket
-- (shard_id % max_concurrency). Every replica holding shards claims its bucket's row before it
-- identifies a shard: one conditional UPDATE that succeeds only once the last claim's hold has
-- passed. A bucket's row is created the first time it is claimed.

CREATE TABLE identify_slots (
    bucket      INTEGER PRIMARY KEY CHECK (bucket >= 0),
    held_until  REAL NOT NULL  -- epoch seconds; the bucket is free once this has passed
);
