package engine

import (
	"context"
	"fmt"
	"strings"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/pii"
	"github.com/boussole/boussole/knowledge/analysis"
)

// Usage events feed the admin's gap report: the questions the bot did
// not understand or answered with a doubt, and how far people go in each
// tree. A question is kept masked (bot/pii) and bounded; nothing is noted
// on a turn the danger layer answered, nor of a mediator's words.

// UsageStore records usage events. It is optional (checked by type
// assertion, like HandledStore): a store without it records none. The
// events of a turn are recorded with the turn's context, so with a
// Transactional store they commit with the turn or not at all.
type UsageStore interface {
	RecordUsage(ctx context.Context, events []bot.UsageEvent) error
}

// maxUsageText bounds a question kept for the report, in bytes: the gist
// of a question, not a life story.
const maxUsageText = 300

// usageNotes are the events of one turn, and where the conversation was
// in a tree when it began (a question asked again is not a new arrival).
type usageNotes struct {
	events []bot.UsageEvent
	// inTree, tree and node are the conversation's tree position at the
	// start of the turn.
	inTree     bool
	tree, node string
}

// begin remembers where the conversation stands before the turn.
func (u *usageNotes) begin(c bot.Conversation) {
	u.inTree = c.State == bot.StateInTree
	u.tree, u.node = c.TreeID, c.Node
}

// noteQuestion notes the turn's message as a question of kind: the bot
// did not understand it, or was unsure. score is the best hit's
// confidence (0 without one).
func (t *turn) noteQuestion(kind bot.UsageKind, score float64) {
	if t.e.cfg.Mediation.IsMediatorIn(t.in) {
		return
	}
	// Mentions name people (« @camille »): gone before masking.
	text := strings.Join(strings.Fields(mention.ReplaceAllString(t.text, " ")), " ")
	if folded := analysis.Fold(text); folded == "" || t.e.words.bareChoice(folded) {
		// « 7 » or « oui » where nothing matched is no question to write
		// a sheet for.
		return
	}
	if kind == bot.UsageNotUnderstood {
		t.tally(bot.Tally{Kind: bot.TallyNotUnderstood})
	}
	// Masked before it is cut, so a number cut in half is still masked.
	text = analysis.Truncate(pii.Mask(text), maxUsageText)
	ev := bot.UsageEvent{Kind: kind, Text: text, Score: score}
	if t.conv.State == bot.StateInTree {
		ev.TreeID, ev.Node = t.conv.TreeID, t.conv.Node
	}
	t.usage.events = append(t.usage.events, ev)
}

// noteNode notes that a tree's question is shown, unless it is the
// question the person was already at (asked again after a miss, « aide »,
// « bonjour »).
func (t *turn) noteNode(tree, node string, first bool) {
	u := &t.usage
	if !first && u.inTree && u.tree == tree && u.node == node {
		return
	}
	u.events = append(u.events, bot.UsageEvent{Kind: bot.UsageNode, TreeID: tree, Node: node})
	// Shown once per turn at most.
	u.inTree, u.tree, u.node = true, tree, node
}

// noteChoice notes a choice taken at a tree's node (its label is the
// tree's words, not the person's).
func (t *turn) noteChoice(tree, node, label string) {
	t.usage.events = append(t.usage.events, bot.UsageEvent{Kind: bot.UsageChose, TreeID: tree, Node: node, Text: label})
}

// recordUsage stores the turn's events with where the conversation is at
// its end (jurisdiction, language).
func (t *turn) recordUsage() error {
	us, ok := t.e.store.(UsageStore)
	if !ok || len(t.usage.events) == 0 || t.forgotten {
		return nil
	}
	j := t.jurisdiction()
	for i := range t.usage.events {
		ev := &t.usage.events[i]
		ev.At, ev.Address, ev.Jurisdiction, ev.Lang = t.now, t.in.Address, j, t.conv.Lang
	}
	if err := us.RecordUsage(t.ctx, t.usage.events); err != nil {
		return fmt.Errorf("record usage: %w", err)
	}
	return nil
}
