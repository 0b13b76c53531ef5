package bot

import "time"

// UsageKind is what a usage event counts (the admin's gap report).
type UsageKind string

// Usage kinds.
const (
	// UsageNotUnderstood is a free-text message the bot did not
	// understand (outside a tree, or as the answer to a tree's question).
	UsageNotUnderstood UsageKind = "not_understood"
	// UsageUnsure is a message the bot answered or offered sheets for
	// with low confidence.
	UsageUnsure UsageKind = "unsure"
	// UsageNode is a tree's question shown (a new arrival at the node,
	// not the same question asked again).
	UsageNode UsageKind = "node"
	// UsageChose is a choice taken at a tree's node.
	UsageChose UsageKind = "chose"
)

// UsageEvent is one thing the gap report counts. Text is the citizen's
// message with personal data masked (bot/pii) — never their words as
// typed — or, for UsageChose, the choice's label. Address is kept only
// so that « oublie-moi » erases the event; no report shows it.
type UsageEvent struct {
	At           time.Time
	Kind         UsageKind
	Address      Address
	Jurisdiction string
	Lang         string
	TreeID       string
	Node         string
	Text         string
	// Score is the best search hit's confidence (0 when none).
	Score float64
}
