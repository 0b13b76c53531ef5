-- A turn is always the person's message (what the bot says is kept in the
-- outbox): the direction column said "in" on every row.
ALTER TABLE turns DROP COLUMN dir;
