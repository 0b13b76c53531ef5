package bot

import (
	"context"
	"errors"
	"time"

	"github.com/boussole/boussole/knowledge"
)

// ErrNoConversation is returned by ConversationStore.Conversation when
// nothing is stored for an address.
var ErrNoConversation = errors.New("no conversation")

// ConversationStore persists conversation state and turns.
type ConversationStore interface {
	// Conversation returns the stored conversation or ErrNoConversation.
	Conversation(ctx context.Context, a Address) (Conversation, error)
	// SaveTurn stores the conversation state and appends the turns in one
	// transaction, so a crash never leaves one without the other.
	SaveTurn(ctx context.Context, c Conversation, turns []Turn) error
	// RecentTurns returns up to n most recent turns of a conversation,
	// oldest first.
	RecentTurns(ctx context.Context, a Address, n int) ([]Turn, error)
	// ForgetUser deletes everything stored about a user of a platform
	// (every channel): conversations, turns, cases. It returns how many
	// rows were deleted.
	ForgetUser(ctx context.Context, platform, user string) (int64, error)
	// PurgeBefore deletes conversations, turns and closed cases not
	// updated since t (the retention period).
	PurgeBefore(ctx context.Context, t time.Time) (int64, error)
}

// CaseStore records escalation cases.
type CaseStore interface {
	// OpenCase records a case and returns its id. If the address already
	// has a case that is open or claimed, that case's id is returned
	// instead (one case at a time per conversation).
	OpenCase(ctx context.Context, c Case) (int64, error)
	Case(ctx context.Context, id int64) (Case, error)
}

// TreeStore keeps published, immutable tree versions.
type TreeStore interface {
	// PublishTree stores t as a new version if its content differs from
	// the latest version, and returns the version number in force.
	PublishTree(ctx context.Context, t *knowledge.Tree) (int, error)
	// TreeVersion returns a published version.
	TreeVersion(ctx context.Context, id string, version int) (*knowledge.Tree, error)
}

// HandledStore remembers the platform messages already handled, across
// restarts (the store).
type HandledStore interface {
	Handled(ctx context.Context, platform, id string) (bool, error)
	MarkHandled(ctx context.Context, platform, id string) error
}

// Transactional is a store that runs a whole turn in one transaction:
// store calls made with the context fn is given are part of it, and all
// of them commit when fn returns nil, or none. fn may run again when the
// database is busy, so it must act on nothing but the store.
type Transactional interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
}

// Store is everything the engine needs from storage.
type Store interface {
	ConversationStore
	CaseStore
	TreeStore
	Outbox
	MediationStore
}
