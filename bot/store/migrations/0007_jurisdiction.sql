-- 0007: the jurisdiction a conversation is in (FR, QC…), once the person's
-- words or the content they chose said it; '' while unknown.
ALTER TABLE conversations ADD COLUMN jurisdiction TEXT NOT NULL DEFAULT '';
