package engine

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/knowledge"
)

// Offer actions of the escalation workflow.
const (
	actConsent = "consent" // Arg: "y|queue|reason" or "n|queue|reason"
	actCancel  = "cancel"
)

// caseTurn handles a citizen's message while they have a case. It reports
// false when the case is over and the message should be handled as usual.
func (t *turn) caseTurn(folded, cmd string) (bool, error) {
	c, err := t.e.store.Case(t.ctx, t.conv.CaseID)
	if err != nil && !errors.Is(err, knowledge.ErrNotFound) {
		// Storage trouble: the person keeps their case and is told to
		// try again.
		return false, fmt.Errorf("load case %d: %w", t.conv.CaseID, err)
	}
	if err != nil || c.Address != t.in.Address {
		t.conv.State, t.conv.CaseID = bot.StateIdle, 0
		return false, nil
	}
	if c.Status == bot.CaseClosed {
		t.conv.State = bot.StateIdle
		if n, err := strconv.Atoi(folded); err == nil && n >= 1 && n <= 5 && c.Satisfaction == 0 {
			return true, t.rate(c.ID, n)
		}
		return false, nil
	}
	switch {
	case cmd == cmdRestart || t.e.words.is(t.e.words.cancel, folded):
		return true, t.endCase(c)
	case cmd == cmdForgetMe || cmd == cmdHelp:
		return false, nil
	}
	if c.Status == bot.CaseClaimed && c.Mediator != nil {
		t.conv.State = bot.StateWithMediator
		// The relayed message is queued with this turn, in its transaction.
		t.replies = append(t.replies, bot.Reply{To: c.Mediator.Address, About: c.Address, Text: t.e.cat.T(t.e.cfg.Lang, "relay_from_citizen", "case", strconv.FormatInt(c.ID, 10), "text", t.relayed(t.text, t.e.cfg.Lang))})
		t.silent = true
		return true, nil
	}
	// Waiting: the message is stored with the turn, where the case
	// summary reads it.
	t.say(t.msg("case_waiting", "case", strconv.FormatInt(c.ID, 10)) + t.waitInfo(c))
	return true, nil
}

// endCase closes a case at the citizen's request.
func (t *turn) endCase(c bot.Case) error {
	sid := strconv.FormatInt(c.ID, 10)
	var out []bot.Reply
	if c.Status == bot.CaseClaimed && c.Mediator != nil {
		out = append(out, t.to(c.Mediator.Address, t.e.cfg.Lang, "mediator_citizen_left", "case", sid))
	} else if q, ok := t.e.cfg.Mediation.Queue(c.Queue); ok {
		out = append(out, t.to(q.Channel, t.e.cfg.Lang, "queue_cancelled", "case", sid))
	}
	_, err := t.e.store.UpdateCase(t.ctx, c.ID, []bot.CaseStatus{bot.CaseOpen, bot.CaseClaimed}, bot.CaseChange{Status: bot.CaseClosed, Outcome: "cancelled by the citizen", At: t.now}, out)
	if err != nil && !errors.Is(err, bot.ErrCaseConflict) {
		return fmt.Errorf("cancel case: %w", err)
	}
	t.conv.State, t.conv.CaseID = bot.StateIdle, 0
	t.conv.TreeID, t.conv.TreeVersion, t.conv.Node, t.conv.Path = "", 0, "", nil
	t.say(t.msg("case_cancelled"))
	t.topics()
	return nil
}

// rate records the citizen's satisfaction with a closed case.
func (t *turn) rate(id int64, n int) error {
	c, err := t.e.store.Case(t.ctx, id)
	if err != nil && !errors.Is(err, knowledge.ErrNotFound) {
		return fmt.Errorf("load case %d: %w", id, err)
	}
	if err != nil || c.Address != t.in.Address || c.Status != bot.CaseClosed || c.Satisfaction != 0 {
		t.say(t.msg("expired"))
		return nil
	}
	if _, err := t.e.store.UpdateCase(t.ctx, id, []bot.CaseStatus{bot.CaseClosed}, bot.CaseChange{Satisfaction: n, At: t.now}, nil); err != nil {
		return fmt.Errorf("rate case: %w", err)
	}
	t.conv.State, t.conv.CaseID = bot.StateIdle, 0
	t.say(t.msg("thanks_rating"))
	return nil
}

// ratingPayload handles a click on a satisfaction button "s:ID:N".
func (t *turn) ratingPayload() (bool, error) {
	p, ok := strings.CutPrefix(t.in.Payload, "s:")
	if !ok {
		return false, nil
	}
	a, b, _ := strings.Cut(p, ":")
	id, err1 := strconv.ParseInt(a, 10, 64)
	n, err2 := strconv.Atoi(b)
	if err1 != nil || err2 != nil || n < 1 || n > 5 {
		t.say(t.msg("expired"))
		return true, nil
	}
	return true, t.rate(id, n)
}

// askConsent asks whether the mediator may read the conversation, when a
// mediators' queue will receive the case.
func (t *turn) askConsent(queue, reason string) {
	t.say(t.msg("consent_ask"))
	arg := queue + "|" + reason
	t.offer(
		bot.Offer{Label: t.msg("btn_consent_yes"), Action: actConsent, Arg: "y|" + arg, Keys: t.e.words.yes},
		bot.Offer{Label: t.msg("btn_consent_no"), Action: actConsent, Arg: "n|" + arg, Keys: t.e.words.no},
		bot.Offer{Label: t.msg("btn_cancel"), Action: actCancel, Keys: t.e.words.cancel},
	)
}

func (t *turn) consent(arg string) error {
	parts := strings.SplitN(arg, "|", 3)
	if len(parts) != 3 {
		return fmt.Errorf("consent offer: bad argument %q", arg)
	}
	return t.openCase(parts[1], parts[2], parts[0] == "y")
}

// openCase records the case, puts it in its queue's channel and tells the
// citizen where they stand.
func (t *turn) openCase(queue, reason string, consent bool) error {
	words, err := t.lastWords()
	if err != nil {
		return err
	}
	topic := t.e.cat.T(t.e.cfg.Lang, "topic_general")
	if t.conv.TreeID != "" {
		if tr, err := t.e.tree(t.ctx, t.snap, t.conv.TreeID, t.conv.TreeVersion); err == nil {
			topic = tr.Title
		}
	}
	var urgent []string
	if r, cats, ok := strings.Cut(reason, ":"); ok && r == reasonDanger {
		reason, urgent = r, strings.Split(cats, ",")
	}
	sum := bot.CaseSummary{Topic: topic, TreeID: t.conv.TreeID, Reason: reason, Jurisdiction: t.jurisdiction()}
	if consent {
		sum.Path, sum.Shown, sum.LastWords = t.conv.Path, t.conv.Shown, words
	}
	c := bot.Case{Address: t.in.Address, Queue: queue, Status: bot.CaseOpen, Lang: t.conv.Lang, Consent: consent,
		Summary: sum, CreatedAt: t.now, UpdatedAt: t.now, Urgent: urgent}
	id, err := t.e.store.OpenCase(t.ctx, c)
	if err != nil {
		return fmt.Errorf("open case: %w", err)
	}
	c.ID = id
	t.conv.State, t.conv.CaseID, t.conv.Misses = bot.StateEscalated, id, 0
	info := ""
	if q, ok := t.e.cfg.Mediation.Queue(queue); ok {
		if _, err := t.e.store.UpdateCase(t.ctx, id, []bot.CaseStatus{bot.CaseOpen}, bot.CaseChange{Announced: true, At: t.now}, []bot.Reply{t.cases().announcement(c, q)}); err != nil && !errors.Is(err, bot.ErrCaseConflict) {
			return fmt.Errorf("announce case: %w", err)
		}
		info = t.waitInfo(c)
	}
	t.say(t.msg("escalated", "case", strconv.FormatInt(id, 10)) + info)
	return nil
}

// waitInfo tells a waiting citizen their place in the queue and, outside
// opening hours, when the mediators come back.
func (t *turn) waitInfo(c bot.Case) string {
	q, ok := t.e.cfg.Mediation.Queue(c.Queue)
	if !ok {
		return ""
	}
	info := ""
	if cs, err := t.e.store.Cases(t.ctx, c.Queue, bot.CaseOpen); err == nil {
		for i, o := range cs {
			if o.ID == c.ID {
				info = "\n" + t.msg("queue_position", "position", strconv.Itoa(i+1))
			}
		}
	}
	if q.Hours != nil && !q.Hours.Open(t.now) {
		next := ""
		if n, ok := q.Hours.Next(t.now); ok {
			next = q.Hours.FormatNext(n, t.lang())
		}
		info += "\n" + t.msg("queue_closed", "hours", q.Hours.Describe(t.lang()), "next", next)
	}
	return info
}

// Reannounce posts again, in their queue's channel, the open cases nobody
// claimed within after.
func (e *Engine) Reannounce(ctx context.Context, after time.Duration) (int, error) {
	now := e.now()
	cs, err := e.med.Cases(ctx, "", bot.CaseOpen)
	if err != nil {
		return 0, fmt.Errorf("reannounce: %w", err)
	}
	v := caseText{e: e, ctx: ctx, snap: e.snap.Load(), lang: e.cfg.Lang, now: now}
	n := 0
	for _, c := range cs {
		q, ok := e.cfg.Mediation.Queue(c.Queue)
		if !ok || now.Sub(c.AnnouncedAt) < after {
			continue
		}
		r := v.announcement(c, q)
		r.Text = e.cat.T(e.cfg.Lang, "queue_still_waiting", "wait", v.duration(now.Sub(c.CreatedAt).Round(time.Minute))) + "\n" + r.Text
		if _, err := e.med.UpdateCase(ctx, c.ID, []bot.CaseStatus{bot.CaseOpen}, bot.CaseChange{Announced: true, At: now}, []bot.Reply{r}); err != nil {
			if errors.Is(err, bot.ErrCaseConflict) {
				continue
			}
			return n, fmt.Errorf("reannounce case %d: %w", c.ID, err)
		}
		n++
	}
	return n, nil
}
