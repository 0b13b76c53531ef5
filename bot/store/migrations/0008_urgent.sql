-- 0008: the kinds of danger a case's citizen wrote about (comma-separated
-- danger categories); '' when none. Mediators see urgent cases first.
ALTER TABLE cases ADD COLUMN urgent TEXT NOT NULL DEFAULT '';
