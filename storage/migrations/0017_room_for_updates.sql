-- PostgreSQL's twin of this version leaves room on the pages of `scores` for updates in place.
-- SQLite has no such setting: this version changes nothing.
SELECT 1;
