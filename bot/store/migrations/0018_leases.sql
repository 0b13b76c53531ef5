-- 0018: leases on periodic jobs (retention, re-announcements, catch-up):
-- of several processes on one database, the one holding a job's lease
-- runs it; a lease its owner stopped renewing expires and another process
-- takes it. No personal data.
CREATE TABLE leases (
    name  TEXT    PRIMARY KEY,
    owner TEXT    NOT NULL,
    until INTEGER NOT NULL
) WITHOUT ROWID;
