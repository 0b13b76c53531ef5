-- 0003: the outbox. Every message Boussole sends is stored here in the
-- same transaction as the conversation state that produced it, then sent
-- by the dispatcher, retried until the platform accepts it, and marked
-- sent. A crash or an outage loses nothing; the row id is the idempotency
-- key adapters pass to platforms that support one.

CREATE TABLE outbox (
    id         INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused: it is the idempotency key
    platform   TEXT    NOT NULL,                  -- destination
    channel    TEXT    NOT NULL,
    user_id    TEXT    NOT NULL,
    body_json  TEXT    NOT NULL,                  -- bot.Reply
    created_at INTEGER NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    next_at    INTEGER NOT NULL,                  -- not before this time (retry backoff)
    last_error TEXT    NOT NULL DEFAULT '',
    sent_at    INTEGER,                           -- NULL while pending
    dead       INTEGER NOT NULL DEFAULT 0         -- 1: the platform refused it for good
);

CREATE INDEX outbox_pending ON outbox (id) WHERE sent_at IS NULL AND dead = 0;
CREATE INDEX outbox_user ON outbox (platform, user_id);
CREATE INDEX outbox_sent ON outbox (sent_at) WHERE sent_at IS NOT NULL;
