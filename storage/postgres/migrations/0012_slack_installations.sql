-- Slack distributed with OAuth ("Add to Slack"): one installation per workspace (or per
-- Enterprise Grid organisation for an org-wide install), the workspaces of an org-wide install
-- seen so far, and the single-use states of the install flow (storage/migrations/0012).

CREATE TABLE slack_installations (
    team_key              TEXT PRIMARY KEY,
    enterprise_id         TEXT,
    enterprise_name       TEXT,
    enterprise_url        TEXT,
    team_id               TEXT,
    team_name             TEXT,
    is_enterprise_install INTEGER NOT NULL DEFAULT 0,
    app_id                TEXT,
    bot_id                TEXT,
    bot_user_id           TEXT,
    bot_scopes            TEXT NOT NULL DEFAULT '',
    bot_token             TEXT NOT NULL,
    bot_refresh_token     TEXT,
    bot_token_expires_at  BIGINT,
    installer_user_id     TEXT,
    token_type            TEXT,
    installed_at          DOUBLE PRECISION NOT NULL,
    refreshing_until      DOUBLE PRECISION
);

CREATE TABLE slack_org_workspaces (
    team_id       TEXT PRIMARY KEY,
    enterprise_id TEXT NOT NULL
);
CREATE INDEX slack_org_workspaces_by_org ON slack_org_workspaces (enterprise_id);

CREATE TABLE slack_oauth_states (
    state      TEXT PRIMARY KEY,
    expires_at DOUBLE PRECISION NOT NULL
);

-- A posted message's round (and so its workspace), for editing it later.
CREATE INDEX rounds_by_message ON rounds (message_channel, message_id) WHERE message_id IS NOT NULL;
