-- 0001: conversations, turns, escalation cases and published tree versions.
-- Times are UTC Unix milliseconds (INTEGER). JSON columns hold encoding/json
-- output of the matching bot types.

CREATE TABLE cases (
    id           INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused: mediators quote case ids
    platform     TEXT    NOT NULL,
    channel      TEXT    NOT NULL,
    user_id      TEXT    NOT NULL,
    queue        TEXT    NOT NULL DEFAULT '',
    status       TEXT    NOT NULL,                  -- open | claimed | closed
    lang         TEXT    NOT NULL DEFAULT '',
    summary_json TEXT    NOT NULL,                  -- bot.CaseSummary
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);

-- One open or claimed case at a time per conversation (OpenCase relies on it).
CREATE UNIQUE INDEX cases_one_active ON cases (platform, channel, user_id)
    WHERE status IN ('open', 'claimed');
CREATE INDEX cases_user ON cases (platform, user_id);
CREATE INDEX cases_status_updated ON cases (status, updated_at);

CREATE TABLE conversations (
    platform     TEXT    NOT NULL,
    channel      TEXT    NOT NULL,
    user_id      TEXT    NOT NULL,
    state        TEXT    NOT NULL,
    lang         TEXT    NOT NULL DEFAULT '',
    tree_id      TEXT    NOT NULL DEFAULT '',
    tree_version INTEGER NOT NULL DEFAULT 0,
    node         TEXT    NOT NULL DEFAULT '',
    path_json    TEXT    NOT NULL DEFAULT 'null', -- []bot.Step
    misses       INTEGER NOT NULL DEFAULT 0,
    seq          INTEGER NOT NULL DEFAULT 0,
    offered_json TEXT    NOT NULL DEFAULT 'null', -- []bot.Offer
    shown_json   TEXT    NOT NULL DEFAULT 'null', -- []string
    case_id      INTEGER REFERENCES cases (id) ON DELETE SET NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (platform, channel, user_id)
);

CREATE INDEX conversations_user ON conversations (platform, user_id);
CREATE INDEX conversations_updated ON conversations (updated_at);
CREATE INDEX conversations_case ON conversations (case_id);

CREATE TABLE turns (
    id       INTEGER PRIMARY KEY,
    platform TEXT    NOT NULL,
    channel  TEXT    NOT NULL,
    user_id  TEXT    NOT NULL,
    dir      TEXT    NOT NULL, -- in | out
    text     TEXT    NOT NULL,
    at       INTEGER NOT NULL,
    FOREIGN KEY (platform, channel, user_id)
        REFERENCES conversations (platform, channel, user_id) ON DELETE CASCADE
);

-- Serves RecentTurns (rowid breaks ties in order) and the foreign key.
CREATE INDEX turns_conversation ON turns (platform, channel, user_id, at);
CREATE INDEX turns_at ON turns (at);

CREATE TABLE tree_versions (
    tree_id      TEXT    NOT NULL,
    version      INTEGER NOT NULL CHECK (version > 0),
    hash         TEXT    NOT NULL, -- hex sha256 of body_json
    body_json    TEXT    NOT NULL, -- knowledge.Tree without file positions
    published_at INTEGER NOT NULL,
    PRIMARY KEY (tree_id, version)
);

-- Published versions are immutable: conversations under way are pinned to them.
CREATE TRIGGER tree_versions_immutable BEFORE UPDATE ON tree_versions
BEGIN
    SELECT RAISE(ABORT, 'tree versions are immutable');
END;
