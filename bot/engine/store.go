package engine

import (
	"context"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/knowledge"
)

// The engine's storage needs, as small interfaces: the SQLite store
// (bot/store) implements them all, and a PostgreSQL store or the admin's
// preview store need only do the same. Every call takes the turn's
// context, which carries its transaction (see Transactional).

// ConversationStore keeps conversation state and turns.
type ConversationStore interface {
	// Conversation returns the stored conversation or an error wrapping
	// bot.ErrNoConversation.
	Conversation(ctx context.Context, a bot.Address) (bot.Conversation, error)
	// Commit stores the conversation, appends the turns and queues the
	// replies in one transaction.
	Commit(ctx context.Context, c bot.Conversation, turns []bot.Turn, out []bot.Reply) error
	// Enqueue queues replies that belong to no stored turn.
	Enqueue(ctx context.Context, out []bot.Reply) error
	// RecentTurns returns up to n most recent turns of a conversation,
	// oldest first.
	RecentTurns(ctx context.Context, a bot.Address, n int) ([]bot.Turn, error)
	// ForgetUser deletes everything stored about a user of a platform
	// (every channel): conversations, turns, cases, messages about them.
	// It returns how many rows were deleted.
	ForgetUser(ctx context.Context, platform, user string) (int64, error)
}

// CaseStore records escalation cases.
type CaseStore interface {
	// OpenCase records a case and returns its id. If the address already
	// has a case that is open or claimed, that case's id is returned
	// instead (one case at a time per conversation).
	OpenCase(ctx context.Context, c bot.Case) (int64, error)
	Case(ctx context.Context, id int64) (bot.Case, error)
}

// TreeStore keeps published, immutable tree versions.
type TreeStore interface {
	// PublishTree stores t as a new version if its content differs from
	// the latest version, and returns the version number in force.
	PublishTree(ctx context.Context, t *knowledge.Tree) (int, error)
	// TreeVersion returns a published version.
	TreeVersion(ctx context.Context, id string, version int) (*knowledge.Tree, error)
}

// MediationStore keeps the mediator workflow's state. Every change is
// conditional on the case's current status, so two mediators claiming at
// once cannot both win, and it queues its messages in the same
// transaction, so a crash never separates a change from its notices.
type MediationStore interface {
	// UpdateCase applies ch to case id if its status is one of from, and
	// queues out; it returns the case after the change, or the case as it
	// is with an error wrapping bot.ErrCaseConflict.
	UpdateCase(ctx context.Context, id int64, from []bot.CaseStatus, ch bot.CaseChange, out []bot.Reply) (bot.Case, error)
	// Cases lists the cases of queue ("" for all) in the given statuses,
	// oldest first.
	Cases(ctx context.Context, queue string, statuses ...bot.CaseStatus) ([]bot.Case, error)
	// CaseNotes returns a case's private notes, oldest first.
	CaseNotes(ctx context.Context, id int64) ([]bot.CaseNote, error)
	// CaseMessages returns up to n most recent turns of case id that
	// were relayed (bot.Turn.Relayed), whoever wrote them, oldest first,
	// each with its Address.
	CaseMessages(ctx context.Context, id int64, n int) ([]bot.Turn, error)
}

// HandledStore remembers the platform messages already handled, across
// restarts.
type HandledStore interface {
	Handled(ctx context.Context, platform, id string) (bool, error)
	MarkHandled(ctx context.Context, platform, id string) error
	// ClaimHandled marks the message handled and reports whether this
	// call did: within a turn's transaction, of several processes given
	// the same message (every Boussole replica receives a Mattermost
	// event) exactly one claims it, and a claim whose turn rolls back
	// (the process died) lets another process claim it again.
	ClaimHandled(ctx context.Context, platform, id string) (bool, error)
}

// Transactional is a store that runs a whole turn in one transaction:
// store calls made with the context fn is given are part of it, and all
// of them commit when fn returns nil, or none. fn may run again when the
// database is busy, so it must act on nothing but the store.
type Transactional interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
}

// Store is everything the engine needs from storage. HandledStore and
// Transactional are optional: a store without them handles duplicates
// and turns less strictly (tests of the engine alone).
type Store interface {
	ConversationStore
	CaseStore
	TreeStore
	MediationStore
}
