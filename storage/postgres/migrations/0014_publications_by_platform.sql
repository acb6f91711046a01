-- The publication worker claims each platform's entries on its own, oldest due first and,
-- among entries due at the same time (a daily slot's reveals and posts), one channel after
-- another: this index serves that order for one platform without sorting what is due.
-- A daily post is queued due with the reveals waiting in its channel: the second index finds
-- them.
CREATE INDEX publications_by_platform
    ON publications (platform, due_at, team_id, channel_id, id) WHERE done_at IS NULL;
CREATE INDEX publications_by_channel
    ON publications (team_id, channel_id) WHERE done_at IS NULL;
