package bot

import "time"

// TallyKind is what a Tally counts.
type TallyKind string

// Tally kinds. Each is counted once per event, in the turn's transaction
// (the funders' report, bot/store report_counters) and, after the
// commit, in the process's Prometheus metrics.
const (
	// TallyPerson is a conversation's first message in a calendar month
	// (UTC): people who reached out, counted without keeping who.
	TallyPerson TallyKind = "person"
	// TallyMessage is a message a citizen wrote (a turn that was not a
	// mediator's).
	TallyMessage TallyKind = "message"
	// TallyAnswered is an answer given from a knowledge item; Confidence
	// says how it was found and Topic is the tree it belongs to.
	TallyAnswered TallyKind = "answered"
	// TallyNotUnderstood is a citizen's message the bot did not
	// understand.
	TallyNotUnderstood TallyKind = "not_understood"
	// TallyDanger is a message the danger layer answered; Category is
	// the kind of danger (knowledge.Danger*), one tally per kind.
	TallyDanger TallyKind = "danger"
	// TallyEscalated is a case opened; Queue and Reason are set.
	TallyEscalated TallyKind = "escalated"
	// TallyClaimed is a case a mediator claimed; Seconds is the wait
	// since the case opened.
	TallyClaimed TallyKind = "claimed"
	// TallyClosed is a case closed; Outcome is one of the Outcome*
	// values and Seconds the time since the case opened.
	TallyClosed TallyKind = "closed"
	// TallyRating is a citizen's satisfaction rating of a closed case;
	// Value is 1–5.
	TallyRating TallyKind = "rating"
)

// Confidence of an answer (TallyAnswered.Confidence).
const (
	// ConfidenceTree is an answer reached through a tree's choices.
	ConfidenceTree = "tree"
	// ConfidenceSure is an answer the search found with confidence.
	ConfidenceSure = "sure"
	// ConfidenceUnsure is an answer given with a doubt (above the answer
	// threshold but of low confidence, and said so), or one the person
	// picked among the sheets the bot offered.
	ConfidenceUnsure = "unsure"
)

// Why a case opened (CaseSummary.Reason, Tally.Reason).
const (
	ReasonAsked         = "asked"         // the person asked for someone
	ReasonTree          = "tree"          // a tree's choice leads to a mediator
	ReasonMisunderstood = "misunderstood" // the bot did not understand, twice
	ReasonDanger        = "danger"        // the danger layer offered a mediator
)

// CaseReasons are the reasons a case opens, in the order reports list
// them.
func CaseReasons() []string {
	return []string{ReasonAsked, ReasonTree, ReasonMisunderstood, ReasonDanger}
}

// Case outcomes as counted: a mediator's own words are never a label.
const (
	OutcomeResolved   = "resolved"
	OutcomeHandedBack = "handed_back"
	OutcomeCancelled  = "cancelled"
	OutcomeOther      = "other"
)

// Tally is one counted event. Every field is a bounded value (a
// platform, a jurisdiction code, a configured queue, a tree id, a fixed
// word): never a person's id or words, so that a tally may outlive the
// conversation it came from.
type Tally struct {
	Kind TallyKind
	At   time.Time
	// Platform is where the person wrote (discord, mattermost, console,
	// web).
	Platform string
	// Jurisdiction is FR, QC… or "" while unknown.
	Jurisdiction string
	Lang         string
	// Queue is the case's queue (escalated, claimed, closed, rating).
	Queue string
	// Topic is the orientation tree the event is about, "" when none.
	Topic string
	// Reason is why a case opened (asked, tree, misunderstood, danger).
	Reason string
	// Outcome is how a case closed (Outcome*).
	Outcome string
	// Category is the kind of danger (TallyDanger).
	Category string
	// Confidence is how an answer was found (Confidence*).
	Confidence string
	// Seconds is a duration (claim wait, time to close).
	Seconds float64
	// Value is a rating (1–5).
	Value int
}
