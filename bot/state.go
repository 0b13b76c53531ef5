package bot

import (
	"time"
)

// State is where a conversation stands (docs/architecture.md draws the
// states and what moves a conversation between them).
type State string

// Conversation states.
const (
	StateIdle         State = "idle"
	StateInTree       State = "in_tree"
	StateAnswered     State = "answered"
	StateEscalated    State = "escalated"
	StateWithMediator State = "with_mediator"
	StateClosed       State = "closed"
)

// Step records one answered question of a tree, so "retour" can go back and
// a mediator can read the path.
type Step struct {
	Node   string `json:"node"`
	Choice string `json:"choice"` // the label chosen
}

// Conversation is the persisted state of one (platform, channel, user).
type Conversation struct {
	Address Address
	State   State
	Lang    string
	// Jurisdiction is where the person is (FR, QC…), once their words or
	// the content they chose said it; "" while unknown.
	Jurisdiction string
	// TreeID and TreeVersion pin the published tree version a conversation
	// started with: an admin publishing a new version does not change a
	// conversation under way.
	TreeID      string
	TreeVersion int
	Node        string
	Path        []Step
	// Misses counts consecutive misunderstandings.
	Misses int
	// Seq increases with every reply that carries choices; button payloads
	// carry it so an old button is recognised as expired.
	Seq int
	// Offered are the choices of the last reply (payload → meaning), so a
	// number or label typed later maps to them.
	Offered []Offer
	// Shown lists the item ids answered in this conversation, for the
	// mediator's summary.
	Shown     []string
	CaseID    int64
	CreatedAt time.Time
	UpdatedAt time.Time
	// Topic is what the conversation is about since its last answer: a
	// follow-up that names no new topic (« et ça coûte combien ? ») is
	// read against it.
	Topic Topic
	// Town is the town the person said they are in or asked about: where
	// nearest-place answers measure from. Erased with the conversation.
	Town Town
	// Search is the nearest-place search under way, if any.
	Search PlaceSearch
}

// Town is a French commune or a Québec municipality, as the conversation
// remembers it.
type Town struct {
	Name string `json:"name"`
	// Code is the commune's INSEE code ("" in Québec).
	Code string `json:"code,omitempty"`
	// Dept is the French département ("13", "2A").
	Dept string `json:"dept,omitempty"`
	// Postal is the postal code the person gave, if any.
	Postal       string  `json:"postal,omitempty"`
	Jurisdiction string  `json:"jurisdiction,omitempty"`
	Lat          float64 `json:"lat"`
	Lon          float64 `json:"lon"`
}

// IsZero reports whether no town is known.
func (t Town) IsZero() bool { return t.Name == "" }

// PlaceSearch is a search for the places nearest the person: what they
// look for (knowledge service and label codes), and how far the answer
// went.
type PlaceSearch struct {
	Services []string `json:"services,omitempty"`
	Labels   []string `json:"labels,omitempty"`
	// Asked says the bot asked which town, and waits for it.
	Asked bool `json:"asked,omitempty"`
	// Shown counts the places already shown (« trois de plus »).
	Shown int `json:"shown,omitempty"`
}

// IsZero reports whether no search is under way.
func (s PlaceSearch) IsZero() bool {
	return len(s.Services) == 0 && len(s.Labels) == 0 && !s.Asked && s.Shown == 0
}

// Topic is the sheet or sheets under discussion. It holds knowledge ids
// only, never the person's words, and lasts a few turns after it was
// last used (bot/engine/followup.go).
type Topic struct {
	// Items are the sheets answered, or offered when the bot was not sure.
	Items []string `json:"items"`
	// Offered says Items were only offered, none chosen yet.
	Offered bool `json:"offered,omitempty"`
	// TreeID, TreeVersion and Node are the tree question whose choice
	// gave the answer, if one did: its other choices are the variants.
	TreeID      string `json:"tree,omitempty"`
	TreeVersion int    `json:"version,omitempty"`
	Node        string `json:"node,omitempty"`
	// Idle counts the turns since the topic was set or last used.
	Idle int `json:"idle,omitempty"`
	// Understood is the language model's reading of the question that
	// found these items (« dossier MDPH enfant autiste »), when the
	// person's own words did not: shown to a mediator as « compris : ».
	Understood string `json:"understood,omitempty"`
}

// IsZero reports whether there is no topic.
func (t Topic) IsZero() bool { return len(t.Items) == 0 }

// Offer is a choice the bot offered, with its meaning for the engine.
type Offer struct {
	Label   string   `json:"label"`
	Action  string   `json:"action"` // what choosing it does: the engine's act* constants (bot/engine/turn.go)
	Arg     string   `json:"arg,omitempty"`
	Keys    []string `json:"keys,omitempty"` // extra keywords that select it
	Payload string   `json:"payload"`
}

// Turn is one message a person wrote, kept for the mediator's summary
// and deleted on request or after the retention period. What the bot
// says is kept in the outbox, not here.
type Turn struct {
	Address Address
	Text    string
	At      time.Time
	// CaseID is the case the turn belongs to (0: none): erasing the
	// case's citizen erases it too, whoever wrote it.
	CaseID int64
	// Relayed says the message was for the other side of its case:
	// passed on to them, or left for the mediators while the case waits
	// (not a command). A mediator given the case later reads these.
	Relayed bool
}

// CaseStatus is the life-cycle of an escalation case.
type CaseStatus string

// Case statuses.
const (
	CaseOpen    CaseStatus = "open"
	CaseClaimed CaseStatus = "claimed"
	CaseClosed  CaseStatus = "closed"
)

// Case is an escalated conversation waiting for a human mediator.
type Case struct {
	ID      int64
	Address Address
	Queue   string
	Status  CaseStatus
	Lang    string
	// Summary is a structured, mediator-facing account of the conversation
	// (tree path, items shown, the citizen's last messages).
	Summary CaseSummary
	// Consent says whether the citizen agreed to share the conversation;
	// without it the mediator sees only the topic.
	Consent bool
	// Mediator is who claimed the case (nil while open).
	Mediator     *Mediator
	Outcome      string
	Satisfaction int
	AnnouncedAt  time.Time
	// ClaimedAt is when a mediator first claimed the case (zero: never);
	// a case handed to another queue and claimed again keeps it.
	ClaimedAt time.Time
	CreatedAt time.Time
	UpdatedAt time.Time
	// Urgent lists the kinds of danger (knowledge.Danger*) the citizen
	// wrote about, before or during the case: mediators see it first.
	Urgent []string
}

// CaseSummary is what a mediator reads before talking to the citizen.
type CaseSummary struct {
	Topic     string   `json:"topic"`
	TreeID    string   `json:"tree_id,omitempty"`
	Path      []Step   `json:"path,omitempty"`
	Shown     []string `json:"shown,omitempty"`
	LastWords []string `json:"last_words,omitempty"`
	Reason    string   `json:"reason"` // bot.Reason*
	// Jurisdiction is where the citizen is (FR, QC…) when the case opened.
	Jurisdiction string `json:"jurisdiction,omitempty"`
	// Town is the town they said they are in (« Aubagne (13) »), if any.
	Town string `json:"town,omitempty"`
	// Understood is the language model's reading of the person's
	// question, if it found what the bot showed (Topic.Understood).
	Understood string `json:"understood,omitempty"`
	// Machine is a three-line summary a language model wrote, with the
	// person's consent; nil when none was written.
	Machine *MachineSummary `json:"machine,omitempty"`
}

// MachineSummary is a case's summary written by a language model from
// the person's masked words: mediators read it marked as such.
type MachineSummary struct {
	Situation string `json:"situation"`
	Tried     string `json:"tried"`
	Asks      string `json:"asks"`
}
