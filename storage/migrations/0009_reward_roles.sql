-- Roles as rewards (Discord): a role granted to each season's champions, or to members whose
-- all-time points reach a threshold; and each points role granted (at most once per member).

CREATE TABLE reward_roles (
    team_id   INTEGER NOT NULL REFERENCES teams (id),
    role_id   TEXT NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN ('champions', 'points')),
    threshold INTEGER,
    PRIMARY KEY (team_id, role_id)
) WITHOUT ROWID;

CREATE TABLE reward_grants (
    team_id    INTEGER NOT NULL REFERENCES teams (id),
    role_id    TEXT NOT NULL,
    player_id  INTEGER NOT NULL REFERENCES players (id),
    granted_at REAL NOT NULL,
    PRIMARY KEY (team_id, role_id, player_id)
) WITHOUT ROWID;
