-- 0016: the web admin. Who published a tree version and why; versions of
-- hand-written items; admin accounts, their sessions and the audit log;
-- drafts and conversation tests written in the page; a revision counter
-- every running process watches to take new knowledge without a restart;
-- and the usage events the gap report is made of.

-- source: file (a knowledge directory or the embedded demo, at start) or
-- web (published in the admin).
ALTER TABLE tree_versions ADD COLUMN author  TEXT NOT NULL DEFAULT '';
ALTER TABLE tree_versions ADD COLUMN message TEXT NOT NULL DEFAULT '';
ALTER TABLE tree_versions ADD COLUMN source  TEXT NOT NULL DEFAULT 'file';

-- Hand-written items (not imported sheets), one row per published version.
-- A deleted item is a version with deleted = 1 and its last body.
CREATE TABLE item_versions (
    item_id      TEXT    NOT NULL,
    version      INTEGER NOT NULL,
    hash         TEXT    NOT NULL,  -- hex sha256 of body_json
    body_json    TEXT    NOT NULL,  -- knowledge.Item without positions
    deleted      INTEGER NOT NULL DEFAULT 0,
    author       TEXT    NOT NULL DEFAULT '',
    message      TEXT    NOT NULL DEFAULT '',
    source       TEXT    NOT NULL DEFAULT 'file',
    published_at INTEGER NOT NULL,
    PRIMARY KEY (item_id, version)
);

-- Bumped by every publication from the web (and by a start that publishes
-- changed files): each serve polls it and reloads when it moves.
CREATE TABLE knowledge_revision (
    id  INTEGER PRIMARY KEY CHECK (id = 1),
    rev INTEGER NOT NULL
);
INSERT INTO knowledge_revision (id, rev) VALUES (1, 0);

CREATE TABLE accounts (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    login         TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    name          TEXT    NOT NULL DEFAULT '',
    role          TEXT    NOT NULL,           -- admin | editor | viewer
    password_hash TEXT    NOT NULL DEFAULT '', -- argon2id PHC string; '' = proxy identity only
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);

-- The cookie holds a random token; only its sha256 is stored, so a copy of
-- the database does not open sessions.
CREATE TABLE sessions (
    token_hash   TEXT    PRIMARY KEY,
    account_id   INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    csrf         TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    revoked_at   INTEGER
);
CREATE INDEX sessions_account ON sessions (account_id);

CREATE TABLE audit_log (
    id     INTEGER PRIMARY KEY AUTOINCREMENT,
    at     INTEGER NOT NULL,
    actor  TEXT    NOT NULL,  -- account login, or 'cli' / 'start'
    action TEXT    NOT NULL,  -- e.g. tree.publish, account.create
    object TEXT    NOT NULL DEFAULT '',
    detail TEXT    NOT NULL DEFAULT '',
    reason TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log (at);

-- One draft per object and editor, saved as they type.
CREATE TABLE drafts (
    kind         TEXT    NOT NULL,  -- tree | item
    object_id    TEXT    NOT NULL,
    author       TEXT    NOT NULL,
    body_json    TEXT    NOT NULL,
    base_version INTEGER NOT NULL DEFAULT 0,  -- the published version it started from
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (kind, object_id, author)
);

-- Conversation tests (bottest format) written for a tree in the admin.
CREATE TABLE tree_tests (
    tree_id    TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    body       TEXT    NOT NULL,
    author     TEXT    NOT NULL DEFAULT '',
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (tree_id, name)
);

-- What the gap report counts. kind: not_understood | unsure (text is the
-- citizen's question, masked before it is stored) | node (a tree node was
-- shown) | chose (a choice was taken at a node). The conversation key is
-- kept only so that « oublie-moi » erases the rows; the report never shows
-- it. Rows go with the retention period.
CREATE TABLE usage_events (
    id           INTEGER PRIMARY KEY,
    at           INTEGER NOT NULL,
    kind         TEXT    NOT NULL,
    platform     TEXT    NOT NULL DEFAULT '',
    channel      TEXT    NOT NULL DEFAULT '',
    user_id      TEXT    NOT NULL DEFAULT '',
    jurisdiction TEXT    NOT NULL DEFAULT '',
    lang         TEXT    NOT NULL DEFAULT '',
    tree_id      TEXT    NOT NULL DEFAULT '',
    node         TEXT    NOT NULL DEFAULT '',
    text         TEXT    NOT NULL DEFAULT '',
    score        REAL    NOT NULL DEFAULT 0
);
CREATE INDEX usage_events_at ON usage_events (at);
CREATE INDEX usage_events_kind ON usage_events (kind, at);
CREATE INDEX usage_events_user ON usage_events (platform, user_id);
