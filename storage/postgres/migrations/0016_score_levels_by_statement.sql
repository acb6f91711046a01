-- `score_levels` follows `scores` once per statement instead of once per row. An answer batch
-- changes many score rows in one statement: the levels they leave and reach are summed into one
-- net change per level and written in the levels' key order, so concurrent batches take the
-- level rows' locks in the same order (no deadlock between them), and a busy level is written
-- once per statement rather than once per row.
DROP TRIGGER scores_level_insert ON scores;
DROP TRIGGER scores_level_update ON scores;
DROP TRIGGER scores_level_delete ON scores;
DROP FUNCTION scores_level_change();

CREATE FUNCTION scores_levels_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO score_levels (team_id, period, channel_id, points, players)
        SELECT team_id, period, channel_id, points, COUNT(*) FROM new_rows
        GROUP BY team_id, period, channel_id, points
        ORDER BY team_id, period, channel_id, points
        ON CONFLICT (team_id, period, channel_id, points)
        DO UPDATE SET players = score_levels.players + EXCLUDED.players;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO score_levels (team_id, period, channel_id, points, players)
        SELECT team_id, period, channel_id, points, SUM(change) FROM (
            SELECT team_id, period, channel_id, points, -1 AS change FROM old_rows
            UNION ALL
            SELECT team_id, period, channel_id, points, 1 FROM new_rows
        ) AS moved
        GROUP BY team_id, period, channel_id, points
        HAVING SUM(change) <> 0
        ORDER BY team_id, period, channel_id, points
        ON CONFLICT (team_id, period, channel_id, points)
        DO UPDATE SET players = score_levels.players + EXCLUDED.players;
    ELSE  -- a deleted row leaves its level, which exists unless it was deleted with it
        UPDATE score_levels l SET players = l.players - gone.players
        FROM (
            SELECT team_id, period, channel_id, points, COUNT(*) AS players FROM old_rows
            GROUP BY team_id, period, channel_id, points
        ) AS gone
        WHERE l.team_id = gone.team_id AND l.period = gone.period
            AND l.channel_id = gone.channel_id AND l.points = gone.points;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER scores_levels_insert AFTER INSERT ON scores
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION scores_levels_follow();
CREATE TRIGGER scores_levels_update AFTER UPDATE ON scores
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION scores_levels_follow();
CREATE TRIGGER scores_levels_delete AFTER DELETE ON scores
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION scores_levels_follow();
