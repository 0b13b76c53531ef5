-- 0005: the citizen an outgoing message is about. A message relayed to a
-- mediator, or a case posted in a queue channel, carries a citizen's words
-- to someone else: "oublie-moi" must delete it too.

ALTER TABLE outbox ADD COLUMN about_platform TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN about_user     TEXT NOT NULL DEFAULT '';

CREATE INDEX outbox_about ON outbox (about_platform, about_user) WHERE about_user <> '';
