-- 0013: whether a turn was a message for the other side of its case (a
-- citizen's words for the mediator, a mediator's words for the citizen)
-- rather than a command: a mediator who is given the case reads them.
-- Earlier turns count as not relayed.
ALTER TABLE turns ADD COLUMN relayed INTEGER NOT NULL DEFAULT 0 CHECK (relayed IN (0, 1));
