// Package answer is the answer policy and its rendering: what the bot does
// with the hits of a search (answer, offer a few, or say it did not
// understand) and how a knowledge item, a tree's question or a choice is
// written for one person, in their language. It keeps no state and does
// no I/O: the engine calls it during a turn, the mediators' side to send
// a sheet, the admin's preview to show one.
package answer

import (
	"slices"

	"github.com/boussole/boussole/knowledge"
)

// Policy holds the thresholds the answer policy applies.
type Policy struct {
	// AnswerThreshold is the search confidence above which the bot
	// answers directly.
	AnswerThreshold float64
	// UnsureThreshold is the match (knowledge.Hit.Match) a hit needs to
	// be offered when the bot is not sure; when none of the first hits
	// matches that well, the bot says it did not understand.
	UnsureThreshold float64
}

// DefaultPolicy is the policy of a deployment that sets no thresholds
// (config.example.yaml's search section).
func DefaultPolicy() Policy { return Policy{AnswerThreshold: 0.5, UnsureThreshold: 0.3} }

// certainMargin is how far above AnswerThreshold a hit must be for the
// bot to leave a tree or a jurisdiction for it.
const certainMargin = 0.2

// Confident reports whether a hit of confidence c is answered directly.
func (p Policy) Confident(c float64) bool { return c >= p.AnswerThreshold }

// Certain reports whether a hit of confidence c is sure enough to leave
// what the conversation was doing (a tree's question, the person's
// jurisdiction) for it.
func (p Policy) Certain(c float64) bool { return c >= p.AnswerThreshold+certainMargin }

// MaxOffered is how many hits the bot offers when unsure.
const MaxOffered = 3

// lowConfidence is the confidence under which an answer is given with
// « je n'en suis pas certain ».
const lowConfidence = 0.6

// Low reports whether an answer of confidence c is given with a doubt
// (Sureness says so; the gap report counts it).
func Low(c float64) bool { return c < lowConfidence }

// Sureness says in words how sure the bot is of a hit's confidence c.
func (w Writer) Sureness(c float64) string {
	switch {
	case c >= 0.8:
		return w.msg("sure_high")
	case !Low(c):
		return w.msg("sure_medium")
	}
	return w.msg("sure_low")
}

// Decide says what the bot does with the hits of a free-text message:
// answer with the first (answer; offered then holds the runner-up when it
// is about as sure), or offer some (offered), or neither (it did not
// understand). Understood is decided on how well the first hits
// match, not on the confidence: several sheets matching well ("décompte
// congés payés") lowers the confidence of each, which means "which
// one?", not "what?".
func (p Policy) Decide(hits []knowledge.Hit) (answer bool, offered []knowledge.Hit) {
	if len(hits) > 0 && hits[0].Confidence >= p.AnswerThreshold {
		// Offer the runner-up when it is close, in case the first was not it.
		if len(hits) > 1 && hits[1].Confidence >= p.AnswerThreshold && hits[1].Confidence > hits[0].Confidence-0.15 {
			return true, hits[1:2]
		}
		return true, nil
	}
	offered = slices.Clone(hits[:min(len(hits), MaxOffered)])
	offered = slices.DeleteFunc(offered, func(h knowledge.Hit) bool { return h.Match < p.UnsureThreshold })
	if len(offered) > 0 && offered[0].ID != hits[0].ID {
		// The first hit is the search's best guess: when others are
		// offered it is offered too, first, even if it matched less of
		// the words ("mon proprio veu pas me rendre ma caution": the
		// deposit sheet, found through a synonym, ranked first).
		offered = append([]knowledge.Hit{hits[0]}, offered[:min(len(offered), MaxOffered-1)]...)
	}
	return false, offered
}

// Unsure reports whether the bot is not sure what hits answer: it would
// not answer, or answer with a doubt. A language model's reading of the
// question is asked for there (bot/engine's model.go), never when the
// bot is sure.
func (p Policy) Unsure(hits []knowledge.Hit) bool {
	sure, _ := p.Decide(hits)
	return !sure || Low(hits[0].Confidence)
}

// MoreCertain reports whether a's first hit is more certain than b's: a
// model's reading replaces the person's words only then.
func MoreCertain(a, b []knowledge.Hit) bool {
	top := func(h []knowledge.Hit) float64 {
		if len(h) == 0 {
			return 0
		}
		return h[0].Confidence
	}
	return top(a) > top(b)
}
