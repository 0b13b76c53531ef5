// Package bot is the vocabulary Boussole's parts share: a conversation's
// address, an incoming message and a reply (what adapters translate to and
// from), the Adapter and Handler interfaces, the stored conversation,
// turn and case. The conversation engine is in bot/engine, the answer
// policy and rendering in bot/answer, the mediators' rules in
// bot/mediation, sending and ordering in bot/delivery, the store in
// bot/store; docs/architecture.md maps them. It imports no platform SDK,
// no SQL driver and no LLM client.
package bot

import "context"

// Address identifies one conversation: one user in one channel of one
// platform.
type Address struct {
	Platform string `json:"platform"`
	Channel  string `json:"channel"`
	User     string `json:"user"`
}

// Incoming is a message from a platform, translated by an adapter.
type Incoming struct {
	Address Address
	// Text is what the user typed (may be empty for a button click).
	Text string
	// Payload is the opaque value of the button the user clicked, if any.
	Payload string
	// Name is the user's display name, for mediators (never echoed to
	// other citizens).
	Name string
	// Lang is the language hint from the platform ("fr", "en"), if any.
	Lang string
	// ID is the platform's message id, used to drop duplicates.
	ID string
	// Replayed: a catch-up delivered the message again after a restart or
	// a disconnection; an earlier run may have handled it already.
	Replayed bool
	// Notices are messages the adapter needs sent because of this one (« I
	// answer you in private » in a public channel): queued with the
	// turn's replies, in its transaction, and sent by the outbox, so a
	// replayed message that was already answered posts no second notice.
	Notices []Reply
	// Command is set when the message came through the platform's slash
	// command (/boussole …): a mediator's words there are a command.
	Command bool
	// Space is the Discord server (guild) or Mattermost team the message
	// comes from, "" in a direct message: the configuration may set a
	// jurisdiction per server or team.
	Space string
	// Roles are the sender's role or group names on the platform, where
	// it has them (mediators may be configured by role).
	Roles []string
}

// Reply is a platform-neutral answer: text and optional choices.
// Adapters render choices as buttons or numbered lines.
type Reply struct {
	To      Address  `json:"to"`
	Text    string   `json:"text"`
	Choices []Choice `json:"choices,omitempty"`
	// About is the citizen a message to someone else concerns (a relay,
	// a case posted to mediators), so that deleting the citizen's data
	// deletes it too. Zero for messages to the citizen themselves.
	About Address `json:"about,omitzero"`
	// ReplyTo is the platform's id of the message this one answers, where
	// the platform shows replies (a public notice under the question).
	ReplyTo string `json:"reply_to,omitempty"`
	// Key identifies the message across retries (set by the outbox):
	// adapters pass it to platforms that drop duplicates (Discord's
	// nonce) and drop repeats themselves where they can.
	Key string `json:"key,omitempty"`
}

// Choice is a button: a label shown to the user and a payload sent back.
type Choice struct {
	Label   string `json:"label"`
	Payload string `json:"payload"`
}

// Adapter connects a chat platform to the engine. Run receives messages
// until ctx is done, handing each to h; Send delivers a reply.
type Adapter interface {
	Name() string
	Run(ctx context.Context, h Handler) error
	Send(ctx context.Context, r Reply) error
}

// Owner is an adapter that sends only to some addresses of its platform
// (the local chat: the people who wrote in this process); the others are
// left to the process that owns them.
type Owner interface {
	Owns(Address) bool
}

// Handler takes the messages an adapter translates (the delivery
// Runner). Enqueue returns at once, so a platform's event loop never
// waits for a turn; the messages of one conversation are handled one at a
// time, in the order they were enqueued. Handle does the same and waits
// until its message is handled (the local chat reads its next line only
// after the answer).
type Handler interface {
	Enqueue(ctx context.Context, in Incoming)
	Handle(ctx context.Context, in Incoming) error
}

// HandlerFunc adapts a function to Handler (tests): both methods call it
// at once, in the caller's goroutine.
type HandlerFunc func(ctx context.Context, in Incoming) error

// Handle calls f.
func (f HandlerFunc) Handle(ctx context.Context, in Incoming) error { return f(ctx, in) }

// Enqueue calls f and drops its error.
func (f HandlerFunc) Enqueue(ctx context.Context, in Incoming) { _ = f(ctx, in) }
