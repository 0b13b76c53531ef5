-- 0006: what must outlive a restart of Boussole besides conversations.
-- handled: platform messages already answered, by the platform's message
-- id, so that a message replayed after a restart (a catch-up of what was
-- posted while Boussole was down) is not answered twice. No text, no user.
-- adapter_state: small values an adapter keeps between runs (the moment
-- the Mattermost adapter last saw the server, where its catch-up starts).

CREATE TABLE handled (
    platform TEXT    NOT NULL,
    id       TEXT    NOT NULL,
    at       INTEGER NOT NULL,
    PRIMARY KEY (platform, id)
) WITHOUT ROWID;

CREATE INDEX handled_at ON handled (at);

CREATE TABLE adapter_state (
    key        TEXT    PRIMARY KEY,
    value      TEXT    NOT NULL,
    updated_at INTEGER NOT NULL
) WITHOUT ROWID;
