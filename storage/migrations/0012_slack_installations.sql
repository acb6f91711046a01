-- Slack distributed with OAuth ("Add to Slack"): one installation per workspace, or per
-- Enterprise Grid organisation for an org-wide install, and the single-use states of the
-- install flow. Tokens are stored as the application gives them (encrypted when
-- QUIZBOT_SECRET_KEY is set).

CREATE TABLE slack_installations (
    team_key              TEXT PRIMARY KEY,  -- the workspace id (T…), or the org id (E…) of an org-wide install
    enterprise_id         TEXT,
    enterprise_name       TEXT,
    enterprise_url        TEXT,
    team_id               TEXT,              -- NULL for an org-wide install
    team_name             TEXT,
    is_enterprise_install INTEGER NOT NULL DEFAULT 0,
    app_id                TEXT,
    bot_id                TEXT,
    bot_user_id           TEXT,
    bot_scopes            TEXT NOT NULL DEFAULT '',
    bot_token             TEXT NOT NULL,
    bot_refresh_token     TEXT,              -- set when the app rotates its tokens
    bot_token_expires_at  INTEGER,           -- epoch seconds; NULL for a token that never expires
    installer_user_id     TEXT,
    token_type            TEXT,
    installed_at          REAL NOT NULL,
    refreshing_until      REAL               -- a process refreshing the token holds it until then
);

-- The workspaces of an org-wide install seen so far (requests name both), so a scheduled post
-- to a workspace finds its organisation's token.
CREATE TABLE slack_org_workspaces (
    team_id       TEXT PRIMARY KEY,
    enterprise_id TEXT NOT NULL
);
CREATE INDEX slack_org_workspaces_by_org ON slack_org_workspaces (enterprise_id);

CREATE TABLE slack_oauth_states (
    state      TEXT PRIMARY KEY,
    expires_at REAL NOT NULL
);

-- A posted message's round (and so its workspace), for editing it later.
CREATE INDEX rounds_by_message ON rounds (message_channel, message_id) WHERE message_id IS NOT NULL;
