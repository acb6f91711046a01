-- PostgreSQL's twin of this version moves `score_levels` from row triggers to statement
-- triggers, so that concurrent answer batches lock the levels in one order. SQLite writes one
-- transaction at a time: its row triggers stay as they are, and this version changes nothing.
SELECT 1;
