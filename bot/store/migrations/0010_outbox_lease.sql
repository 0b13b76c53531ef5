-- 0010: outbox leases. A dispatcher claims the pending messages of the
-- destinations it will send to (owner, until) in one write, so several
-- processes on one database never send the same message; a lease left by a
-- process that died expires and the messages are claimed again.
ALTER TABLE outbox ADD COLUMN lease_owner TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN lease_until INTEGER NOT NULL DEFAULT 0;
