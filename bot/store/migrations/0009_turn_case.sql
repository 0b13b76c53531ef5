-- 0009: the case a turn belongs to (a citizen's message in a case, a
-- mediator's message or command about it), so that erasing the citizen
-- erases the mediator's side of the case too. NULL: no case.
ALTER TABLE turns ADD COLUMN case_id INTEGER;
CREATE INDEX turns_case ON turns (case_id) WHERE case_id IS NOT NULL;
