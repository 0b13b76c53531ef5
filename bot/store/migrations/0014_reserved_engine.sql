-- 0014: reserved. The conversation engine's branch adds
-- 0014_conversation_place.sql; this no-op stands in for it on the
-- places-import branch so that 0015 follows without a gap. Delete this
-- file when the branches meet (migrations are numbered without gaps or
-- duplicates: two 0014 files fail every Open, loudly).
SELECT 1;
