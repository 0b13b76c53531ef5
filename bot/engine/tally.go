package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/boussole/boussole/bot"
)

// Tallies count what the funders' report and the metrics show: people
// who wrote, answers, danger, cases and ratings (bot.Tally). A turn
// collects its tallies and stores them in its transaction, so a turn
// retried or rolled back is counted once or not at all, and only after
// the commit are they handed to the process's metrics.

// TallyStore keeps tallies as aggregated counters that outlive the
// conversations they come from. It is optional (checked by type
// assertion, like UsageStore).
type TallyStore interface {
	Count(ctx context.Context, tallies []bot.Tally) error
}

// tally notes one event of the turn; At, Platform and Lang default to
// the turn's, Jurisdiction to the conversation's at the end of the turn.
func (t *turn) tally(k bot.Tally) {
	// A mediator trying the bot (a search, words the danger layer reads,
	// a case of their own) is no citizen helped: only what they do to a
	// case counts.
	if t.e.cfg.Mediation.IsMediatorIn(t.in) && k.Kind != bot.TallyClaimed && k.Kind != bot.TallyClosed {
		return
	}
	if k.At.IsZero() {
		k.At = t.now
	}
	if k.Platform == "" {
		k.Platform = t.in.Address.Platform
	}
	t.tallies = append(t.tallies, k)
}

// tallyCase notes an event of case c, counted on the citizen's side
// (their platform, language and jurisdiction when the case opened).
func (t *turn) tallyCase(kind bot.TallyKind, c bot.Case, k bot.Tally) {
	k.Kind, k.Queue, k.Topic = kind, c.Queue, c.Summary.TreeID
	k.Platform, k.Lang, k.Jurisdiction = c.Address.Platform, c.Lang, c.Summary.Jurisdiction
	// Claims and closes are timed from the opening; nothing else is.
	timed := kind == bot.TallyClaimed || kind == bot.TallyClosed
	if timed && !c.CreatedAt.IsZero() && t.now.After(c.CreatedAt) {
		k.Seconds = t.now.Sub(c.CreatedAt).Seconds()
	}
	t.tally(k)
}

// tallyVisit notes a citizen's message, and the person once per calendar
// month (UTC) of their conversation: counted without keeping who.
func (t *turn) tallyVisit(before bot.Conversation, isNew bool) {
	if t.e.cfg.Mediation.IsMediatorIn(t.in) {
		return
	}
	t.tally(bot.Tally{Kind: bot.TallyMessage})
	if isNew || month(before.UpdatedAt) != month(t.now) {
		t.tally(bot.Tally{Kind: bot.TallyPerson})
	}
}

// month is the UTC calendar month of at.
func month(at time.Time) string { return at.UTC().Format("2006-01") }

// tallyAnswer notes an answer with item id; how it was found is the
// turn's (t.how) or, in a tree, the tree's.
func (t *turn) tallyAnswer(id string) {
	how := t.how
	if how == "" {
		how = bot.ConfidenceSure
		if t.conv.TreeID != "" {
			how = bot.ConfidenceTree
		}
	}
	topic := t.conv.TreeID
	if topic == "" {
		topic = t.topicOf("", id)
	}
	t.tally(bot.Tally{Kind: bot.TallyAnswered, Confidence: how, Topic: topic})
}

// countedOutcome is a case's outcome as counted: a mediator's own words
// (« orienté vers la CAF ») close a case they handled, so they count as
// resolved; they are never a label.
func countedOutcome(o string) string {
	switch o {
	case outcomeHandedBack:
		return bot.OutcomeHandedBack
	case outcomeCancelled:
		return bot.OutcomeCancelled
	case "":
		return bot.OutcomeOther
	}
	return bot.OutcomeResolved
}

// storeTallies stores the turn's tallies in its transaction, each
// without a jurisdiction taking the conversation's.
func (t *turn) storeTallies() error {
	// A forgotten person's turn is counted too: the counters hold
	// nothing of them.
	if len(t.tallies) == 0 {
		return nil
	}
	j := t.jurisdiction()
	for i := range t.tallies {
		k := &t.tallies[i]
		if k.Jurisdiction == "" && k.Kind != bot.TallyClaimed && k.Kind != bot.TallyClosed && k.Kind != bot.TallyRating && k.Kind != bot.TallyEscalated {
			k.Jurisdiction = j
		}
		if k.Lang == "" {
			k.Lang = t.conv.Lang
		}
	}
	ts, ok := t.e.store.(TallyStore)
	if !ok {
		return nil
	}
	if err := ts.Count(t.ctx, t.tallies); err != nil {
		return fmt.Errorf("count: %w", err)
	}
	return nil
}
