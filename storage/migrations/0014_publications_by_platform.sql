-- The publication worker claims each platform's entries on its own, oldest due first: this
-- index serves that order for one platform without reading the other platforms' entries.
-- A daily post is queued due with the reveal its slot queued in its channel: the second index
-- finds it.
CREATE INDEX publications_by_platform
    ON publications (platform, due_at, id) WHERE done_at IS NULL;
CREATE INDEX publications_by_channel
    ON publications (team_id, channel_id, kind, created_at);
