package bot

import (
	"errors"
	"time"
)

// ErrCaseConflict is returned (wrapped) by MediationStore.UpdateCase when
// the case is not in one of the expected statuses: another mediator was
// faster. The current case is returned with it.
var ErrCaseConflict = errors.New("case changed meanwhile")

// Mediator identifies a human mediator and where Boussole talks to them.
type Mediator struct {
	// Address is where the mediator's side of the relay goes (their DM or
	// the case's thread).
	Address Address `json:"address"`
	Name    string  `json:"name"`
}

// CaseChange is one step of a case's life, applied atomically with the
// messages it sends.
type CaseChange struct {
	Status CaseStatus
	// Mediator, when set, becomes the case's mediator; ClearMediator
	// removes it (hand back to the queue after a transfer).
	Mediator      *Mediator
	ClearMediator bool
	// Queue, when set, moves the case to another queue.
	Queue string
	// Outcome is set when a case is closed ("resolved", "handed back",
	// "cancelled", or the mediator's words).
	Outcome string
	// Note is a private mediator note appended to the case.
	Note string
	// Satisfaction is the citizen's rating, 1–5.
	Satisfaction int
	// Announced records that the case was posted to its queue now.
	Announced bool
	// Urgent adds kinds of danger to the case's (never removes any).
	Urgent []string
	At     time.Time
}

// CaseNote is a private note a mediator wrote on a case.
type CaseNote struct {
	Author string    `json:"author"`
	Text   string    `json:"text"`
	At     time.Time `json:"at"`
}
