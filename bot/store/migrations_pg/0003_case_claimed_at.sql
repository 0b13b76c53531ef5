-- 0003 (SQLite 0020): when a mediator first claimed a case (milliseconds,
-- 0: never). A case handed to another queue and claimed again keeps its
-- first claim, so the report counts one claim per case.
ALTER TABLE cases ADD COLUMN claimed_at BIGINT NOT NULL DEFAULT 0;
