-- 0004: the mediators' workflow. A case records the citizen's consent to
-- share the conversation, who claimed it, how it ended and the citizen's
-- rating; mediators keep private notes on it. Existing cases get the
-- defaults: no consent, nobody, no outcome, no rating, never announced.

ALTER TABLE cases ADD COLUMN consent INTEGER NOT NULL DEFAULT 0 CHECK (consent IN (0, 1));
ALTER TABLE cases ADD COLUMN mediator_json TEXT;                        -- bot.Mediator; NULL when nobody holds the case
ALTER TABLE cases ADD COLUMN outcome TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN satisfaction INTEGER NOT NULL DEFAULT 0    -- 0: not rated, else 1..5
    CHECK (satisfaction BETWEEN 0 AND 5);
ALTER TABLE cases ADD COLUMN announced_at INTEGER NOT NULL DEFAULT 0;   -- 0: not yet posted to its queue

-- Serves Cases: a queue's waiting cases, oldest first.
CREATE INDEX cases_queue ON cases (queue, status, created_at);

-- Private notes; they go with their case (ForgetUser, PurgeBefore).
CREATE TABLE case_notes (
    id      INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    author  TEXT    NOT NULL,
    text    TEXT    NOT NULL,
    at      INTEGER NOT NULL
);

-- Serves CaseNotes (rowid breaks ties in order) and the foreign key.
CREATE INDEX case_notes_case ON case_notes (case_id, at);
