-- How many players stand at each points total, per team, period and channel scope, kept in step
-- with `scores` by triggers. A caller's rank is 1 + the players at higher levels and a board's
-- size is the sum of its levels: both read a few thousand distinct totals at most, instead of
-- counting every player's row (which grew linearly with the team). A level left with no
-- players keeps its row (players = 0): it changes no sum, and skipping the delete keeps the
-- trigger cheap on the answer path.

CREATE TABLE score_levels (
    team_id    INTEGER NOT NULL,
    period     TEXT NOT NULL,
    channel_id TEXT NOT NULL,
    points     INTEGER NOT NULL,
    players    INTEGER NOT NULL,
    PRIMARY KEY (team_id, period, channel_id, points)
) WITHOUT ROWID;

INSERT INTO score_levels (team_id, period, channel_id, points, players)
SELECT team_id, period, channel_id, points, COUNT(*) FROM scores
GROUP BY team_id, period, channel_id, points;

CREATE TRIGGER scores_level_insert AFTER INSERT ON scores
BEGIN
    INSERT INTO score_levels (team_id, period, channel_id, points, players)
    VALUES (NEW.team_id, NEW.period, NEW.channel_id, NEW.points, 1)
    ON CONFLICT DO UPDATE SET players = players + 1;
END;

CREATE TRIGGER scores_level_update AFTER UPDATE OF points ON scores
WHEN NEW.points IS NOT OLD.points
BEGIN
    UPDATE score_levels SET players = players - 1
    WHERE team_id = OLD.team_id AND period = OLD.period AND channel_id = OLD.channel_id
        AND points = OLD.points;
    INSERT INTO score_levels (team_id, period, channel_id, points, players)
    VALUES (NEW.team_id, NEW.period, NEW.channel_id, NEW.points, 1)
    ON CONFLICT DO UPDATE SET players = players + 1;
END;

CREATE TRIGGER scores_level_delete AFTER DELETE ON scores
BEGIN
    UPDATE score_levels SET players = players - 1
    WHERE team_id = OLD.team_id AND period = OLD.period AND channel_id = OLD.channel_id
        AND points = OLD.points;
END;
