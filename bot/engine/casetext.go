package engine

import (
	"cmp"
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/mediation"
)

// caseText writes what mediators read about cases: a case's line in a
// list, its summary, its announcement in a queue. It reads the case's
// latest words from the store, in the turn's transaction.
type caseText struct {
	e    *Engine
	ctx  context.Context
	snap *snapshot
	lang string // the reader's
	now  time.Time
}

// cases writes about cases for the person of this turn.
func (t *turn) cases() caseText {
	return caseText{e: t.e, ctx: t.ctx, snap: t.snap, lang: t.lang(), now: t.now}
}

func (v caseText) msg(key string, kv ...string) string { return v.e.cat.T(v.lang, key, kv...) }

func (v caseText) caseLine(c bot.Case) string {
	wait := v.now.Sub(c.CreatedAt).Round(time.Minute)
	status := v.msg("case_status_open", "wait", v.duration(wait))
	switch {
	case c.Status == bot.CaseClosed:
		status = v.msg("case_status_closed", "outcome", v.outcome(c.Outcome))
	case c.Status == bot.CaseClaimed && c.Mediator != nil:
		status = v.msg("case_status_claimed", "mediator", c.Mediator.Name, "wait", v.duration(wait))
	}
	line := v.msg("case_line", "case", strconv.FormatInt(c.ID, 10), "queue", c.Queue, "topic", c.Summary.Topic, "status", status)
	if len(c.Urgent) > 0 {
		line = v.msg("case_urgent_mark", "kinds", v.dangerKinds(c.Urgent)) + " " + line
	}
	return line
}

// Outcomes the bot records itself; a mediator's own outcome (« fermer 3
// orienté vers la CAF ») is their words.
const (
	outcomeResolved   = "resolved"
	outcomeHandedBack = "handed back"
	outcomeCancelled  = "cancelled by the citizen"
)

// outcomeKeys words the bot's outcomes for mediators. The stored codes
// stay English: cases closed before this wording kept them.
var outcomeKeys = map[string]string{
	outcomeResolved: "case_outcome_resolved", outcomeHandedBack: "case_outcome_handed_back", outcomeCancelled: "case_outcome_cancelled",
}

// outcome is how a closed case ended, in the reader's language.
func (v caseText) outcome(o string) string {
	if key, ok := outcomeKeys[o]; ok {
		return v.msg(key)
	}
	return o
}

// reason is why a case opened (reasonAsked…), in the reader's language.
func (v caseText) reason(r string) string {
	if key := "case_reason_" + r; v.e.cat.Has(v.lang, key) {
		return v.msg(key)
	}
	return r
}

// dangerKinds names kinds of danger in the mediators' language.
func (v caseText) dangerKinds(cats []string) string {
	kinds := make([]string, len(cats))
	for i, cat := range cats {
		kinds[i] = v.e.cat.T(v.e.cfg.Lang, "danger_kind_"+cat)
	}
	return strings.Join(kinds, ", ")
}

// duration writes how long a case has waited, to the minute.
func (v caseText) duration(d time.Duration) string {
	if d < time.Hour {
		return v.msg("duration_minutes", "minutes", strconv.Itoa(int(d.Minutes())))
	}
	return v.msg("duration_hours", "hours", strconv.Itoa(int(d.Hours())), "minutes", strconv.Itoa(int(d.Minutes())%60))
}

// summary renders a case for a mediator: with the citizen's consent,
// their path, the sheets shown, their words before the case and the
// latest messages of the case, both sides (what a mediator given the
// case by a transfer reads first); without, only the topic.
func (v caseText) summary(c bot.Case) (string, error) {
	s := c.Summary
	lines := []string{v.caseLine(c),
		v.msg("case_meta", "lang", c.Lang, "where", strings.Join(nonEmpty(cmp.Or(s.Jurisdiction, "?"), s.Town), ", "), "platform", c.Address.Platform, "reason", v.reason(s.Reason))}
	if !c.Consent {
		lines = append(lines, v.msg("case_no_consent"))
		return strings.Join(lines, "\n"), nil
	}
	if s.Machine != nil {
		// Marked as the model's: a mediator checks it against the words
		// quoted below.
		lines = append(lines, v.msg("case_machine"),
			"  "+v.msg("case_machine_situation", "text", mediation.Defuse(s.Machine.Situation)),
			"  "+v.msg("case_machine_tried", "text", mediation.Defuse(s.Machine.Tried)),
			"  "+v.msg("case_machine_asks", "text", mediation.Defuse(s.Machine.Asks)))
	}
	if s.Understood != "" {
		lines = append(lines, v.msg("case_understood", "query", mediation.Defuse(s.Understood)))
	}
	if len(s.Path) > 0 {
		var steps []string
		for _, st := range s.Path {
			steps = append(steps, st.Choice)
		}
		lines = append(lines, v.msg("case_path", "path", strings.Join(steps, " → ")))
	}
	if len(s.Shown) > 0 {
		var shown []string
		for _, id := range s.Shown {
			title := id
			if it, ok := v.snap.base.Item(id); ok {
				title = id + " " + it.Title
			}
			shown = append(shown, title)
		}
		lines = append(lines, v.msg("case_shown", "items", strings.Join(shown, " ; ")))
	}
	for _, w := range s.LastWords {
		lines = append(lines, "  « "+mediation.Defuse(w)+" »")
	}
	// Read at the time of reading: what was left while the case waited,
	// and the talk so far when a mediator is given the case.
	said, err := v.e.store.CaseMessages(v.ctx, c.ID, caseMessages)
	if err != nil {
		return "", fmt.Errorf("read case %d messages: %w", c.ID, err)
	}
	if len(said) > 0 {
		lines = append(lines, v.msg("case_messages"))
	}
	for _, m := range said {
		key := "case_said_mediator"
		if m.Address == c.Address {
			key = "case_said_citizen"
		}
		lines = append(lines, "  "+v.msg(key, "text", mediation.Defuse(shorten(m.Text, caseMessageRunes))))
	}
	return strings.Join(lines, "\n"), nil
}

// announcement is the post that puts a case in its queue's channel, in
// the deployment's language (a channel is read by several mediators).
func (v caseText) announcement(c bot.Case, q mediation.Queue) (bot.Reply, error) {
	v.lang = v.e.cfg.Lang
	sum, err := v.summary(c)
	if err != nil {
		return bot.Reply{}, err
	}
	text := v.msg("queue_new_case", "case", strconv.FormatInt(c.ID, 10), "queue", c.Queue) + "\n" + sum
	return bot.Reply{To: q.Channel, About: c.Address, Text: text, Choices: []bot.Choice{{Label: v.msg("btn_claim"), Payload: "m:claim:" + strconv.FormatInt(c.ID, 10)}}}, nil
}

// A summary quotes at most caseMessages messages of the case, each cut
// at caseMessageRunes: enough to take the talk over, short enough for
// one chat message.
const (
	caseMessages     = 10
	caseMessageRunes = 300
)

// shorten cuts s after n runes, marked with « … ».
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimSpace(string(r[:n])) + "…"
}
